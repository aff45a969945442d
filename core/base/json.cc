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

void AppendEscapedByte(unsigned char c, std::string* out) {
  switch (c) {
    case '"': *out += "\\\""; return;
    case '\\': *out += "\\\\"; return;
    case '\b': *out += "\\b"; return;
    case '\f': *out += "\\f"; return;
    case '\n': *out += "\\n"; return;
    case '\r': *out += "\\r"; return;
    case '\t': *out += "\\t"; return;
    default: break;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
  out->append(u, sizeof u);
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
  out->reserve(start + text.size() + 2);
  *out += '"';
  size_t i = 0;
  size_t run = 0;  // start of the bytes not yet appended
  while (i < text.size()) {
    if (i + 8 <= text.size()) {
      uint64_t special = SpecialBytes(text.data() + i);
      if (special == 0) {
        i += 8;
        continue;
      }
      i += PlainPrefix(special);
    }
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(text, i);
      if (n == 0) {
        // Invalid UTF-8: nlohmann's replacement rules decide how many
        // U+FFFDs stand for which bytes; defer to them for this string.
        out->resize(start);
        AppendByNlohmann(Json(std::string(text)), out);
        return;
      }
      i += n;
      continue;
    }
    out->append(text.data() + run, i - run);
    AppendEscapedByte(c, out);
    run = ++i;
  }
  out->append(text.data() + run, text.size() - run);
  *out += '"';
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
