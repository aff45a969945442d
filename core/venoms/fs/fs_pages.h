// What the pages of fs_list and fs_glob share: names as the replies show
// them, cursors, the text budget of a page, and the writer of the plain
// items (a name and a type) most pages are made of.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/venoms/fs/fs_common.h"
#include "core/venoms/fs/name_sort.h"

namespace weft::venoms::fs {

// A page ends once its text reaches this many bytes, whatever its limit
// (next_cursor goes on from there), as fs_read's replies do: a page of
// long names or deep paths stays a result a client takes in one piece.
inline constexpr size_t kPageTextBytes = 256 * 1024;
// What fs_list and fs_glob declare as their largest result's text
// (_meta["anthropic/maxResultSizeChars"]): a full page, its header and its
// cursor line.
inline constexpr size_t kPageResultChars = 300'000;

// A name as it may appear in a JSON reply (valid UTF-8).
std::string Shown(std::string_view name);
// Appends a name or path as it is shown (Shown) to `*text` and as a JSON
// string to `*json`, byte for byte what AppendJson gives for the Shown
// value, with no string made for a name that is plain ASCII.
void AppendShown(std::string_view raw, std::string* json, std::string* text);

// Cursors: opaque to callers, base64url of NUL-separated fields (names never
// hold NUL, and they need not be UTF-8). The first field is a hash of the
// call's arguments (OwnerTag), so a cursor from another listing is refused
// rather than misread.
std::string OwnerTag(std::string_view what);
std::string EncodeCursor(const std::vector<std::string>& fields);
// The `n` fields of `cursor`; kInvalidArgument, saying what to pass
// instead, when it is not one that `owner` gave out.
Result<std::vector<std::string>> DecodeCursor(std::string_view cursor, std::string_view owner, size_t n);

// The last member of an entry's JSON object, its type, and the closing
// brace: `,"type":"file"}`.
std::string_view TypeMember(EntryType type);

// True when JSON holds `name` as it is: printable ASCII other than '"' and
// '\\' (PlainJsonPrefix(name) == name.size()), a word at a time. With
// `padded`, kNamePadding bytes are readable from name.data(), and the last
// word is read whole, its bytes past the name masked. (Inline, like the
// rest of the item writer below: it runs for every item of every page.)
inline bool PlainName(std::string_view name, bool padded) {
  constexpr uint64_t kOnes = 0x0101010101010101, kHighs = 0x8080808080808080;
  auto special = [](uint64_t w) {
    auto zero_byte = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
    return (w & kHighs) | ((w - kOnes * 0x20) & ~w & kHighs) | zero_byte(w ^ (kOnes * '"')) |
           zero_byte(w ^ (kOnes * '\\'));
  };
  static_assert(std::endian::native == std::endian::little);
  size_t i = 0;
  for (; i + 8 <= name.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, name.data() + i, sizeof w);
    if (special(w) != 0) return false;
  }
  const size_t tail = name.size() - i;
  if (tail == 0) return true;
  uint64_t w = kOnes * 'a';  // stands for the bytes past the name: plain ones
  if (padded) {
    const uint64_t mask = (uint64_t{1} << (8 * tail)) - 1;
    uint64_t word;
    std::memcpy(&word, name.data() + i, sizeof word);
    w = (word & mask) | (w & ~mask);
  } else {
    std::memcpy(&w, name.data() + i, tail);
  }
  return special(w) == 0;
}

// Copies `name` to `to`, which has room for kNamePadding bytes more than
// the name; with `padded` (as much readable from the name), a short name
// is copied as one fixed-size block.
inline char* CopyName(char* to, std::string_view name, bool padded) {
  if (padded && name.size() <= kNamePadding) {
    std::memcpy(to, name.data(), kNamePadding);
  } else {
    std::memcpy(to, name.data(), name.size());
  }
  return to + name.size();
}

// Writes an entry's type member and closing brace (TypeMember) to `to`.
inline char* CopyTypeMember(char* to, EntryType type) {
  auto copy = [to](std::string_view member) {
    std::memcpy(to, member.data(), member.size());
    return to + member.size();
  };
  switch (type) {
    case EntryType::kFile: return copy(",\"type\":\"file\"}");
    case EntryType::kDir: return copy(",\"type\":\"dir\"}");
    case EntryType::kSymlink: return copy(",\"type\":\"symlink\"}");
    case EntryType::kOther: break;
  }
  return copy(",\"type\":\"other\"}");
}

// The items most pages are made of, fs_list's plain entries and fs_glob's
// matches: a name (or path) JSON holds as it is and a type, written into
// two buffers that go to the page's JSON and text a few kilobytes at a time
// (a page is thousands of items, and a string append or two per member were
// most of its cost). Each JSON object is `key` as a member name, `prefix`
// and the name as its string, and the type member; each text line the
// prefix and the name, a '/' for a directory, and a newline. Flush before
// writing anything else to those strings. Not copyable (it points at them).
class PlainItems {
 public:
  // `key` is plain; a `prefix` that is not makes every Add refuse.
  PlainItems(std::string_view key, std::string_view prefix, std::string* json, std::string* text);
  PlainItems(const PlainItems&) = delete;
  PlainItems& operator=(const PlainItems&) = delete;

  // Writes an item (after a comma when `comma`); false, with nothing
  // written, when the name needs escaping or is longer than kMaxName.
  // `padded`: kNamePadding bytes are readable from name.data().
  bool Add(std::string_view name, EntryType type, bool padded, bool comma);
  void Flush();
  // The text written so far, flushed or not.
  size_t text_size() const { return text_->size() + text_used_; }

 private:
  static constexpr size_t kMaxName = 1024;  // and prefix
  // open_ and prefix_ are zero-padded to at least this many bytes, and
  // copied as one block of this size when they are no longer.
  static constexpr size_t kBlock = 32;
  // One item at most, with room for the blocks copied: a comma, the opening
  // with its prefix, the name and its type member; the prefix, the name, a
  // slash and a newline.
  static constexpr size_t kMaxJson = 2 * kMaxName + kNamePadding + 48, kMaxText = 2 * kMaxName + kNamePadding + 2;

  // Copies `from`'s first `size` bytes to `to`; returns the end.
  static char* CopyPadded(char* to, const std::string& from, size_t size);

  std::string open_;    // {"key":" and the prefix
  std::string prefix_;
  const size_t open_size_, prefix_size_;
  const bool usable_;
  std::string* json_;
  std::string* text_;
  size_t json_used_ = 0, text_used_ = 0;
  char json_buf_[16 * 1024];
  char text_buf_[8 * 1024];
};

inline char* PlainItems::CopyPadded(char* to, const std::string& from, size_t size) {
  if (size <= kBlock) {
    std::memcpy(to, from.data(), kBlock);
  } else {
    std::memcpy(to, from.data(), size);
  }
  return to + size;
}

inline bool PlainItems::Add(std::string_view name, EntryType type, bool padded, bool comma) {
  if (!usable_ || name.size() > kMaxName || !PlainName(name, padded)) return false;
  if (json_used_ + kMaxJson > sizeof json_buf_ || text_used_ + kMaxText > sizeof text_buf_) Flush();
  char* j = json_buf_ + json_used_;
  if (comma) *j++ = ',';
  j = CopyName(CopyPadded(j, open_, open_size_), name, padded);
  *j++ = '"';
  j = CopyTypeMember(j, type);
  json_used_ = static_cast<size_t>(j - json_buf_);
  char* t = CopyName(CopyPadded(text_buf_ + text_used_, prefix_, prefix_size_), name, padded);
  if (type == EntryType::kDir) *t++ = '/';
  *t++ = '\n';
  text_used_ = static_cast<size_t>(t - text_buf_);
  return true;
}

}  // namespace weft::venoms::fs
