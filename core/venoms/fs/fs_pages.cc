// Names as shown, cursors and the plain-item writer of fs_list and fs_glob
// pages (fs_pages.h).
#include "core/venoms/fs/fs_pages.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>

#include "core/base/base64.h"
#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/base/utf8.h"

namespace weft::venoms::fs {

std::string Shown(std::string_view name) {
  std::string out;
  AppendValidUtf8(&out, name);
  return out;
}

void AppendShown(std::string_view raw, std::string* json, std::string* text) {
  if (PlainJsonPrefix(raw) == raw.size()) {
    json->push_back('"');
    json->append(raw);
    json->push_back('"');
    text->append(raw);
    return;
  }
  if (std::all_of(raw.begin(), raw.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    AppendJsonString(raw, json);  // ASCII with characters to escape: valid UTF-8 already
    text->append(raw);
    return;
  }
  std::string shown = Shown(raw);
  AppendJsonString(shown, json);
  text->append(shown);
}

std::string OwnerTag(std::string_view what) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : what) h = (h ^ c) * 1099511628211ull;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kHex[h & 15];
  return out;
}

std::string EncodeCursor(const std::vector<std::string>& fields) {
  std::string raw;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) raw.push_back('\0');
    raw += fields[i];
  }
  return Base64UrlEncode(raw);
}

Result<std::vector<std::string>> DecodeCursor(std::string_view cursor, std::string_view owner, size_t n) {
  std::optional<std::string> raw = Base64UrlDecode(cursor);
  std::vector<std::string> fields;
  if (raw) {
    size_t start = 0;
    for (;;) {
      size_t end = raw->find('\0', start);
      fields.push_back(raw->substr(start, end == std::string::npos ? std::string::npos : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  if (!raw || fields.size() != n || fields[0] != owner) {
    return Status::InvalidArgument(StrCat({"the cursor is not one this listing gave out: pass next_cursor from the "
                                           "previous page of the same call (same path and options), or leave it out "
                                           "to start over"}));
  }
  return fields;
}

std::string_view TypeMember(EntryType type) {
  switch (type) {
    case EntryType::kFile: return ",\"type\":\"file\"}";
    case EntryType::kDir: return ",\"type\":\"dir\"}";
    case EntryType::kSymlink: return ",\"type\":\"symlink\"}";
    case EntryType::kOther: return ",\"type\":\"other\"}";
  }
  return ",\"type\":\"other\"}";
}

PlainItems::PlainItems(std::string_view key, std::string_view prefix, std::string* json, std::string* text)
    : open_(StrCat({"{\"", key, "\":\"", prefix})),
      prefix_(prefix),
      open_size_(open_.size()),
      prefix_size_(prefix_.size()),
      usable_(prefix.size() <= kMaxName && PlainName(prefix, false)),
      json_(json),
      text_(text) {
  open_.resize(std::max(open_size_, kBlock));
  prefix_.resize(std::max(prefix_size_, kBlock));
}

void PlainItems::Flush() {
  json_->append(json_buf_, json_used_);
  text_->append(text_buf_, text_used_);
  json_used_ = text_used_ = 0;
}

}  // namespace weft::venoms::fs
