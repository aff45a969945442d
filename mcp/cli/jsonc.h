// JSON with comments and trailing commas (the format of Zed's settings.json):
// parsing it, and adding one object member without disturbing the rest of the text.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/result.h"

namespace weft::cli {

struct JsoncDocument {
  nlohmann::ordered_json value;     // null when the text holds no value at all
  bool has_comments = false;        // a // or /* */ comment outside strings
  bool has_trailing_commas = false; // a ',' right before '}' or ']'
};

// Parses `text`, accepting // and /* */ comments and trailing commas the way
// Zed does. Text that is empty or only whitespace and comments yields a null
// value. InvalidArgument, with the line where it can tell, on anything else.
Result<JsoncDocument> ParseJsonc(const std::string& text);

// Returns `text` with `"key": value` added as the first member of the object
// reached from the top-level object through `object_path` (a chain of keys;
// empty = the top-level object). Every byte of `text` outside the insertion
// point is kept, so comments and formatting survive. The result is parsed
// again and must equal the old document plus the new member; anything else
// (a missing or non-object parent, the key already present, duplicate keys
// that hide the insertion) is FailedPrecondition and nothing is returned.
Result<std::string> InsertJsoncMember(const std::string& text, const std::vector<std::string>& object_path,
                                      const std::string& key, const nlohmann::ordered_json& value);

}  // namespace weft::cli
