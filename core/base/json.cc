// JSON helpers shared by every layer.
#include "core/base/json.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>

#include "core/base/utf8.h"

namespace weft {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;

// Whether some byte of `w` is zero (the classic bit trick; exact).
constexpr uint64_t HasZeroByte(uint64_t w) { return (w - kOnes) & ~w & kHighs; }

// The bytes among the 8 at `p` that cannot be copied as they are (below
// 0x20, '"', '\\', above 0x7F), flagged by their high bit; 0 when none.
// Borrows may flag bytes after a flagged one too, never before: the first
// flag in memory order is exact.
uint64_t SpecialBytes(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
  return (w & kHighs) | below_space | HasZeroByte(w ^ (kOnes * '"')) | HasZeroByte(w ^ (kOnes * '\\'));
}

// How many bytes at the start of a word precede its first flag.
size_t PlainPrefix(uint64_t special) {
  if constexpr (std::endian::native == std::endian::little) return static_cast<size_t>(std::countr_zero(special)) / 8;
  return 0;  // the byte-wise path below finds it
}

// Writes the escape of `c` (below 0x20, '"' or '\\') at `to`, 2 or 6
// bytes; returns their end.
char* WriteEscapedByte(unsigned char c, char* to) {
  char short_form = 0;
  switch (c) {
    case '"': short_form = '"'; break;
    case '\\': short_form = '\\'; break;
    case '\b': short_form = 'b'; break;
    case '\f': short_form = 'f'; break;
    case '\n': short_form = 'n'; break;
    case '\r': short_form = 'r'; break;
    case '\t': short_form = 't'; break;
    default: break;
  }
  to[0] = '\\';
  if (short_form != 0) {
    to[1] = short_form;
    return to + 2;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  to[1] = 'u';
  to[2] = to[3] = '0';
  to[4] = kHex[c >> 4];
  to[5] = kHex[c & 0xF];
  return to + 6;
}

// nlohmann's own rendering, for what this file does not speed up.
void AppendByNlohmann(const Json& value, std::string* out) {
  *out += value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string EscapeJsonPointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

void AppendJsonString(std::string_view text, std::string* out) {
  const size_t start = out->size();
  const size_t n = text.size();
  const char* in = text.data();
  // Written in place: room for the text as it is and both quotes, and more
  // as escapes need it. The room left always holds the rest of the text
  // copied as it is, and the closing quote.
  out->resize(start + n + 2);
  char* w = out->data() + start;
  *w++ = '"';
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t special = SpecialBytes(in + i);
      std::memcpy(w, in + i, 8);  // fits: at least n - i + 1 bytes are left
      if (special == 0) {
        w += 8;
        i += 8;
        continue;
      }
      size_t plain = PlainPrefix(special);
      w += plain;
      i += plain;
    }
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      *w++ = static_cast<char>(c);
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t len = Utf8SequenceLength(text, i);
      if (len == 0) {
        // Invalid UTF-8: nlohmann's replacement rules decide how many
        // U+FFFDs stand for which bytes; defer to them for this string.
        out->resize(start);
        AppendByNlohmann(Json(std::string(text)), out);
        return;
      }
      std::memcpy(w, in + i, len);
      w += len;
      i += len;
      continue;
    }
    // An escape takes up to 6 bytes for 1.
    const size_t room = static_cast<size_t>(out->data() + out->size() - w);
    const size_t need = 6 + (n - i - 1) + 1;
    if (room < need) {
      const size_t at = static_cast<size_t>(w - out->data());
      out->resize(out->size() + std::max(need - room, (n - i) / 4 + 16));
      w = out->data() + at;
    }
    w = WriteEscapedByte(c, w);
    ++i;
  }
  *w++ = '"';
  out->resize(static_cast<size_t>(w - out->data()));
}

size_t PlainJsonPrefix(std::string_view text) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t special = SpecialBytes(text.data() + i);
    if (special != 0) {
      i += PlainPrefix(special);
      break;
    }
  }
  for (; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
  }
  return i;
}

void AppendJson(const Json& value, std::string* out) {
  switch (value.type()) {
    case Json::value_t::object: {
      *out += '{';
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) *out += ',';
        first = false;
        AppendJsonString(it.key(), out);
        *out += ':';
        AppendJson(*it, out);
      }
      *out += '}';
      return;
    }
    case Json::value_t::array: {
      *out += '[';
      bool first = true;
      for (const Json& element : value) {
        if (!first) *out += ',';
        first = false;
        AppendJson(element, out);
      }
      *out += ']';
      return;
    }
    case Json::value_t::string:
      AppendJsonString(value.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::boolean:
      *out += value.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::null:
      *out += "null";
      return;
    case Json::value_t::number_integer:
      *out += std::to_string(value.get<int64_t>());
      return;
    case Json::value_t::number_unsigned:
      *out += std::to_string(value.get<uint64_t>());
      return;
    case Json::value_t::number_float:
    case Json::value_t::binary:
    case Json::value_t::discarded:
      AppendByNlohmann(value, out);
      return;
  }
}

void AppendJsonObject(const Json& object, const std::vector<JsonTextMember>& members, std::string* out) {
  assert(object.is_object());
  std::vector<const JsonTextMember*> spliced;
  spliced.reserve(members.size());
  for (const JsonTextMember& m : members) spliced.push_back(&m);
  std::sort(spliced.begin(), spliced.end(), [](const auto* a, const auto* b) { return a->key < b->key; });
  auto next = spliced.begin();
  bool first = true;
  auto open_member = [&](const std::string& key) {
    if (!first) *out += ',';
    first = false;
    AppendJsonString(key, out);
    *out += ':';
  };
  *out += '{';
  for (auto it = object.begin(); it != object.end(); ++it) {
    for (; next != spliced.end() && (*next)->key < it.key(); ++next) {
      open_member((*next)->key);
      *out += (*next)->json;
    }
    assert(next == spliced.end() || (*next)->key != it.key());
    open_member(it.key());
    AppendJson(*it, out);
  }
  for (; next != spliced.end(); ++next) {
    open_member((*next)->key);
    *out += (*next)->json;
  }
  *out += '}';
}

Json MergeJsonTextMembers(Json object, const std::vector<JsonTextMember>& members) {
  for (const JsonTextMember& m : members) {
    Json value = Json::parse(m.json, nullptr, /*allow_exceptions=*/false);
    object[m.key] = value.is_discarded() ? Json(nullptr) : std::move(value);
  }
  return object;
}

std::string DumpJson(const Json& value) {
  std::string out;
  AppendJson(value, &out);
  return out;
}

size_t JsonNestingDepth(std::string_view text, size_t limit) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[': case '{':
        if (++depth > max_depth) max_depth = depth;
        if (max_depth > limit) return max_depth;
        break;
      case ']': case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return max_depth;
}

}  // namespace weft
