// The JSON type core uses (nlohmann), and the small helpers every layer needs.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace weft {

using Json = nlohmann::json;

// Escapes one JSON Pointer reference token (RFC 6901 §3: '~' → "~0", '/' → "~1").
std::string EscapeJsonPointerToken(std::string_view token);

}  // namespace weft
