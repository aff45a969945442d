// Tool globs: syntax, matching, and containment between two globs.
#include "core/grants/glob.h"

#include <vector>

#include "core/base/strings.h"

namespace weft::grants {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

}  // namespace

Status CheckToolGlob(std::string_view glob) {
  if (glob.empty()) return Status::InvalidArgument("a tool glob cannot be empty; use \"*\" for every tool");
  if (glob.size() > kMaxGlobLength) {
    return Status::InvalidArgument(StrCat({"tool glob '", glob.substr(0, 40), "…' is longer than ",
                                           std::to_string(kMaxGlobLength), " characters"}));
  }
  for (char c : glob) {
    if (!IsNameChar(c) && c != '*' && c != '?') {
      std::string shown = static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? "a control character"
                                                                           : StrCat({"'", std::string(1, c), "'"});
      return Status::InvalidArgument(StrCat({"tool glob '", glob, "' holds ", shown,
                                             "; a glob is letters, digits, '_', '.', '-' and the wildcards "
                                             "'*' (any run) and '?' (one character)"}));
    }
  }
  return Status::Ok();
}

bool GlobMatches(std::string_view glob, std::string_view name) {
  // The classic two-pointer match: on a mismatch, go back to the last '*'
  // and let it take one more character. Each '*' restarts at most once per
  // character of `name`, so the work is bounded by |glob| * |name|.
  size_t g = 0;
  size_t n = 0;
  size_t star = std::string_view::npos;
  size_t star_n = 0;
  while (n < name.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == name[n])) {
      ++g;
      ++n;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      star_n = n;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      n = ++star_n;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

bool GlobWithin(std::string_view narrow, std::string_view wide) {
  // within[i][j]: narrow[i..] is covered by wide[j..]. Filled from the ends.
  const size_t n = narrow.size();
  const size_t w = wide.size();
  std::vector<std::vector<bool>> within(n + 1, std::vector<bool>(w + 1, false));
  within[n][w] = true;
  for (size_t j = w; j-- > 0;) {
    for (size_t i = n + 1; i-- > 0;) {
      char wc = wide[j];
      if (wc == '*') {
        // The '*' covers nothing more, or covers narrow[i] (whatever it is) and stays.
        within[i][j] = within[i][j + 1] || (i < n && within[i + 1][j]);
      } else if (i == n) {
        within[i][j] = false;
      } else if (wc == '?') {
        within[i][j] = narrow[i] != '*' && within[i + 1][j + 1];
      } else {
        within[i][j] = narrow[i] == wc && within[i + 1][j + 1];
      }
    }
  }
  return within[0][0];
}

}  // namespace weft::grants
