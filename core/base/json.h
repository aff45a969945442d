// The JSON type core uses (nlohmann), and the small helpers every layer needs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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
// How many bytes at the start of `text` a JSON string literal holds as they
// are: printable ASCII other than '"' and '\\' (AppendJsonString copies
// those unchanged). For writers that quote most of their strings themselves.
size_t PlainJsonPrefix(std::string_view text);

// A member of a JSON object whose value is already written out as JSON
// text: spliced into the object as it is when the object is written. For
// replies too large or too frequent to build as a value tree first (each
// element of a tree is a heap node to build, walk and free; fs_list's
// pages are thousands of them). Whoever fills `json` vouches that it is
// one JSON value in AppendJson's form (compact, object keys in byte order,
// valid UTF-8): written output then stays byte for byte what the tree
// would give. Nothing checks it on the way out; the producer's tests do.
struct JsonTextMember {
  std::string key;
  std::string json;
};

// Appends `object` (an object) with `members` merged in among its own in
// key order: AppendJson of the object that held them all as values. No key
// may be both in `object` and in `members`, nor twice in `members`.
void AppendJsonObject(const Json& object, const std::vector<JsonTextMember>& members, std::string* out);
// `object` with `members` parsed and set, for callers that need a value
// (text that is not JSON, a broken promise, becomes null).
Json MergeJsonTextMembers(Json object, const std::vector<JsonTextMember>& members);

}  // namespace weft
