// The JSON type core uses (nlohmann), and the small helpers every layer needs.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace weft {

using Json = nlohmann::json;

// Escapes one JSON Pointer reference token (RFC 6901 §3: '~' → "~0", '/' → "~1").
std::string EscapeJsonPointerToken(std::string_view token);

// Compact JSON text of `value`, byte for byte what
// `value.dump(-1, ' ', false, Json::error_handler_t::replace)` gives (UTF-8
// kept as is, control characters escaped, invalid UTF-8 replaced by U+FFFD),
// several times faster on long strings: every reply passes through here, and
// file contents make most of their bytes.
std::string DumpJson(const Json& value);
// Appends the same to `*out`.
void AppendJson(const Json& value, std::string* out);
// The deepest nesting of arrays and objects in JSON `text`, counted outside
// string literals, without parsing it. Stops early once past `limit`, so a
// hostile text costs one partial scan. Lets a reader refuse input that would
// recurse too deep (in validation) before it parses it.
size_t JsonNestingDepth(std::string_view text, size_t limit);
// Appends `text` as a JSON string literal (quotes included), the same way.
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace weft
