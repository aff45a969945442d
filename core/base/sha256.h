// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104): what the MRTR state seal
// needs, without mapping a TLS library into every server process. Checked
// against the FIPS and RFC 4231 test vectors.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace weft {

using Sha256Digest = std::array<uint8_t, 32>;

// Incremental hashing: Update any number of times, then Final once.
class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  Sha256Digest Final();

 private:
  void Block(const uint8_t* p);

  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

Sha256Digest Sha256Of(std::string_view data);
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

// Equal contents, in time that depends only on the lengths (MAC checks).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// Lower-case hex of a digest.
std::string HexDigest(const Sha256Digest& digest);

}  // namespace weft
