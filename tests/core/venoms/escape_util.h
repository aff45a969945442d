// What the venoms' escape suites share: "@T" placeholders for the temporary
// directory in table rows, and every string a reply carries, to search for
// what must never leak from outside the workspace.
#pragma once

#include <optional>
#include <string>

#include "core/base/base64.h"
#include "core/base/json.h"
#include "core/base/result.h"
#include "core/venoms/registry.h"

namespace weft::venoms::escape {

inline std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// `s` with every "@T" replaced by `tmp`.
inline std::string Expand(std::string s, const std::string& tmp) {
  for (size_t at = s.find("@T"); at != std::string::npos; at = s.find("@T", at + tmp.size())) s.replace(at, 2, tmp);
  return s;
}
// The same in every string of `j`, at any depth.
inline Json Expand(const Json& j, const std::string& tmp) {
  if (j.is_string()) return Expand(j.get<std::string>(), tmp);
  if (!j.is_structured()) return j;
  Json out = j;
  for (auto it = out.begin(); it != out.end(); ++it) *it = Expand(*it, tmp);
  return out;
}

// Every string of `j` (keys, values, decoded base64 blobs), one per line.
inline void AllStrings(const Json& j, std::string* out) {
  if (j.is_string()) {
    out->append(j.get_ref<const std::string&>());
    out->push_back('\n');
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      out->append(it.key());
      out->push_back('\n');
      AllStrings(it.value(), out);
      if (it.key() == "blob" && it.value().is_string()) {
        if (std::optional<std::string> raw = Base64Decode(it.value().get_ref<const std::string&>())) out->append(*raw);
      }
    }
  } else if (j.is_array()) {
    for (const Json& e : j) AllStrings(e, out);
  }
}

// All that a call's outcome shows: the reply's data and content, or the
// error's message.
inline std::string Shown(const Result<Reply>& r) {
  if (!r.ok()) return r.status().message();
  std::string seen;
  AllStrings(r->data, &seen);
  AllStrings(r->content, &seen);
  return seen;
}

}  // namespace weft::venoms::escape
