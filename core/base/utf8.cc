// UTF-8 checks (utf8.h).
#include "core/base/utf8.h"

namespace weft {

size_t Utf8SequenceLength(std::string_view s, size_t i, bool partial) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (len == 0) return 0;
  // The second byte's range excludes overlong forms (E0, F0), surrogates
  // (ED) and code points past U+10FFFF (F4).
  unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
  unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
  for (size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) return partial ? s.size() - i : 0;
    unsigned char b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
  }
  return len;
}

void AppendValidUtf8(std::string* out, std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    // Copy runs of ASCII at once.
    size_t run = i;
    while (run < bytes.size() && static_cast<unsigned char>(bytes[run]) < 0x80) ++run;
    out->append(bytes.substr(i, run - i));
    i = run;
    if (i >= bytes.size()) break;
    size_t len = Utf8SequenceLength(bytes, i);
    if (len == 0) {
      out->append("\xEF\xBF\xBD");
      ++i;
    } else {
      out->append(bytes.substr(i, len));
      i += len;
    }
  }
}

std::string ValidUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  AppendValidUtf8(&out, bytes);
  return out;
}

}  // namespace weft
