// Base64 (RFC 4648 §4) and base64url (§5, unpadded) encoding and strict decoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace weft {

std::string Base64Encode(std::string_view bytes);
// Strict: rejects characters outside the alphabet and bad padding.
std::optional<std::string> Base64Decode(std::string_view text);
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace weft
