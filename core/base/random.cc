// getrandom(2)-backed secure randomness.
#include "core/base/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>

namespace weft {

void SecureRandomBytes(void* out, size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    ssize_t got = ::getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      std::abort();  // No secure randomness: refuse to mint weak tokens.
    }
    p += got;
    n -= static_cast<size_t>(got);
  }
}

std::string RandomHex(size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string bytes(n, '\0');
  SecureRandomBytes(bytes.data(), n);
  std::string out;
  out.reserve(2 * n);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace weft
