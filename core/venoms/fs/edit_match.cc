// Matching, applying and diffing for fs_edit: pure string work.
#include "core/venoms/fs/edit_match.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/base/strings.h"
#include "core/venoms/fs/fs_common.h"

namespace weft::venoms::fs {
namespace {

// A line of a text: [begin, content_end) is what a reader sees,
// [content_end, end) the terminator ("\n" or "\r\n"; empty on a last line
// without one), [stripped_end, content_end) trailing whitespace.
struct Line {
  size_t begin = 0;
  size_t stripped_end = 0;
  size_t content_end = 0;
  size_t end = 0;
  bool terminated() const { return end > content_end; }
};

bool IsTrailingSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool IsIndentSpace(char c) { return c == ' ' || c == '\t'; }

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    Line line;
    line.begin = pos;
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      line.content_end = line.end = text.size();
    } else {
      line.end = nl + 1;
      line.content_end = nl > pos && text[nl - 1] == '\r' ? nl - 1 : nl;
    }
    line.stripped_end = line.content_end;
    while (line.stripped_end > line.begin && IsTrailingSpace(text[line.stripped_end - 1])) --line.stripped_end;
    lines.push_back(line);
    pos = line.end;
  }
  return lines;
}

std::string_view Stripped(std::string_view text, const Line& line) {
  return text.substr(line.begin, line.stripped_end - line.begin);
}

std::string_view LeadingIndent(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && IsIndentSpace(s[n])) ++n;
  return s.substr(0, n);
}

std::string_view Trimmed(std::string_view s) {
  size_t b = 0;
  while (b < s.size() && IsTrailingSpace(s[b])) ++b;
  size_t e = s.size();
  while (e > b && IsTrailingSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// The 1-based line number of each offset in `offsets` (ascending).
std::vector<size_t> LineNumbers(std::string_view text, const std::vector<size_t>& offsets) {
  std::vector<size_t> out;
  size_t line = 1;
  size_t pos = 0;
  for (size_t off : offsets) {
    line += static_cast<size_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(pos),
                                           text.begin() + static_cast<std::ptrdiff_t>(off), '\n'));
    pos = off;
    out.push_back(line);
  }
  return out;
}

std::vector<Match> FindExact(std::string_view text, std::string_view old_text) {
  std::vector<Match> found;
  size_t pos = 0;
  while ((pos = text.find(old_text, pos)) != std::string_view::npos) {
    found.push_back({pos, pos + old_text.size(), 0, {}, {}});
    pos += old_text.size();
  }
  return found;
}

// A text with each line's trailing whitespace and CR dropped, kept with where
// each line starts in both the original and the normalised form.
struct Normalized {
  std::string text;
  std::vector<size_t> starts;  // per line, offset in `text`
};

Normalized Normalize(std::string_view text, const std::vector<Line>& lines) {
  Normalized n;
  n.text.reserve(text.size());
  for (const Line& line : lines) {
    n.starts.push_back(n.text.size());
    n.text.append(Stripped(text, line));
    if (line.terminated()) n.text.push_back('\n');
  }
  return n;
}

std::vector<Match> FindWhitespaceTolerant(std::string_view text, std::string_view old_text) {
  std::vector<Line> old_lines = SplitLines(old_text);
  Normalized needle = Normalize(old_text, old_lines);
  if (Trimmed(needle.text).empty()) return {};  // whitespace alone matches anywhere
  // Trailing whitespace dropped from old_text's unterminated last line has
  // to stand at a line end in the text too, or "foo " would match "foobar".
  const Line& last = old_lines.back();
  bool needs_line_end = !last.terminated() && last.stripped_end < last.content_end;

  std::vector<Line> lines = SplitLines(text);
  Normalized hay = Normalize(text, lines);
  auto line_of = [&](size_t n_off) {
    return static_cast<size_t>(std::upper_bound(hay.starts.begin(), hay.starts.end(), n_off) - hay.starts.begin()) - 1;
  };
  std::vector<Match> found;
  size_t pos = 0;
  size_t prev_end = 0;
  while ((pos = hay.text.find(needle.text, pos)) != std::string::npos) {
    size_t n_end = pos + needle.text.size();
    if (needs_line_end && n_end < hay.text.size() && hay.text[n_end] != '\n') {
      ++pos;
      continue;
    }
    const Line& first = lines[line_of(pos)];
    size_t off = pos - hay.starts[line_of(pos)];
    size_t begin = first.begin + off;
    if (begin > first.stripped_end) begin = first.stripped_end;  // the match starts at the line break
    size_t last_n = n_end - 1;
    size_t j = line_of(last_n);
    size_t off_end = last_n - hay.starts[j];
    size_t end;
    if (off_end == lines[j].stripped_end - lines[j].begin) {
      end = lines[j].end;  // the match ends with the line break
    } else {
      end = lines[j].begin + off_end + 1;
      if (end == lines[j].stripped_end) end = lines[j].content_end;  // take the trailing whitespace along
    }
    begin = std::max(begin, prev_end);
    found.push_back({begin, end, 0, {}, {}});
    prev_end = end;
    pos = n_end;
  }
  return found;
}

// The longest indentation shared by the non-blank lines.
std::string_view CommonIndent(const std::vector<std::string_view>& lines) {
  bool any = false;
  std::string_view common;
  for (std::string_view l : lines) {
    if (l.empty()) continue;
    std::string_view indent = LeadingIndent(l);
    if (!any) {
      common = indent;
      any = true;
      continue;
    }
    size_t n = 0;
    while (n < common.size() && n < indent.size() && common[n] == indent[n]) ++n;
    common = common.substr(0, n);
  }
  return common;
}

std::vector<Match> FindIndentTolerant(std::string_view text, std::string_view old_text) {
  std::vector<Line> old_lines = SplitLines(old_text);
  std::vector<std::string_view> want;
  for (const Line& l : old_lines) want.push_back(Stripped(old_text, l));
  std::string_view old_indent = CommonIndent(want);
  size_t first_full = want.size();
  for (size_t i = 0; i < want.size(); ++i) {
    if (!want[i].empty()) {
      first_full = std::min(first_full, i);
      want[i].remove_prefix(old_indent.size());
    }
  }
  if (first_full == want.size()) return {};
  bool ends_with_break = old_lines.back().terminated();

  std::vector<Line> lines = SplitLines(text);
  std::vector<Match> found;
  size_t k = want.size();
  std::vector<std::string_view> window(k);
  for (size_t i = 0; i + k <= lines.size();) {
    std::string_view probe = Stripped(text, lines[i + first_full]);
    if (probe.substr(LeadingIndent(probe).size()) != want[first_full].substr(LeadingIndent(want[first_full]).size())) {
      ++i;
      continue;
    }
    bool same = true;
    for (size_t j = 0; j < k && same; ++j) {
      window[j] = Stripped(text, lines[i + j]);
      same = window[j].empty() == want[j].empty();
    }
    const Line& last = lines[i + k - 1];
    if (same && ends_with_break && !last.terminated()) same = false;
    std::string_view indent = same ? CommonIndent(window) : std::string_view();
    for (size_t j = 0; j < k && same; ++j) {
      same = window[j].empty() || window[j].substr(indent.size()) == want[j];
    }
    if (!same) {
      ++i;
      continue;
    }
    size_t end = ends_with_break ? last.end : last.content_end;
    found.push_back({lines[i].begin, end, 0, std::string(indent), std::string(old_indent)});
    i += k;
  }
  return found;
}

enum class Eol { kNone, kLf, kCrlf, kMixed };

Eol EolOf(std::string_view s) {
  size_t lf = 0;
  size_t crlf = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\n') continue;
    ++lf;
    if (i > 0 && s[i - 1] == '\r') ++crlf;
  }
  if (lf == 0) return Eol::kNone;
  if (crlf == 0) return Eol::kLf;
  return crlf == lf ? Eol::kCrlf : Eol::kMixed;
}

std::string WithEol(std::string_view text, Eol eol) {
  if (eol != Eol::kLf && eol != Eol::kCrlf) return std::string(text);
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (text[i] == '\n' && eol == Eol::kCrlf) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

std::string Reindent(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    size_t stop = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, stop - pos);
    std::string_view cr;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
      cr = "\r";
    }
    if (!Trimmed(line).empty()) {
      if (line.substr(0, from.size()) == from) {
        line.remove_prefix(from.size());
      } else {
        size_t n = 0;
        while (n < from.size() && n < line.size() && IsIndentSpace(line[n])) ++n;
        line.remove_prefix(n);
      }
      out.append(to);
      out.append(line);
    }
    out.append(cr);
    if (nl == std::string_view::npos) break;
    out.push_back('\n');
    pos = nl + 1;
  }
  return out;
}

std::string LineList(const std::vector<size_t>& lines) {
  constexpr size_t kShown = 20;
  std::string out;
  for (size_t i = 0; i < lines.size() && i < kShown; ++i) {
    if (i > 0) out += i + 1 == lines.size() ? " and " : ", ";
    out += std::to_string(lines[i]);
  }
  if (lines.size() > kShown) out += StrCat({" and ", std::to_string(lines.size() - kShown), " more"});
  return out;
}

std::string Times(size_t n) { return n == 1 ? "once" : n == 2 ? "twice" : StrCat({std::to_string(n), " times"}); }

// --- Nearest candidate ---------------------------------------------------

// Dice coefficient over character bigrams: 1 for equal strings, 0 for
// nothing in common.
double Similarity(std::string_view a, std::string_view b) {
  if (a == b) return 1.0;
  if (a.size() < 2 || b.size() < 2) return 0.0;
  auto grams = [](std::string_view s) {
    std::vector<uint16_t> g;
    g.reserve(s.size() - 1);
    for (size_t i = 0; i + 1 < s.size(); ++i) {
      unsigned hi = static_cast<unsigned char>(s[i]);
      unsigned lo = static_cast<unsigned char>(s[i + 1]);
      g.push_back(static_cast<uint16_t>((hi << 8) | lo));
    }
    std::sort(g.begin(), g.end());
    return g;
  };
  std::vector<uint16_t> ga = grams(a);
  std::vector<uint16_t> gb = grams(b);
  size_t common = 0;
  for (size_t i = 0, j = 0; i < ga.size() && j < gb.size();) {
    if (ga[i] == gb[j]) {
      ++common, ++i, ++j;
    } else if (ga[i] < gb[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return 2.0 * static_cast<double>(common) / static_cast<double>(ga.size() + gb.size());
}

// Where to look closely: windows many of whose lines equal a line of
// old_text, and windows aligned on the lines most like its longest line.
std::vector<size_t> CandidateStarts(const std::vector<std::string_view>& hay,
                                    const std::vector<std::string_view>& want) {
  size_t k = want.size();
  size_t last_start = hay.size() > k ? hay.size() - k : 0;
  std::unordered_map<std::string_view, std::vector<size_t>> where;
  for (size_t i = 0; i < hay.size(); ++i) {
    if (hay[i].size() >= 2) where[hay[i]].push_back(i);
  }
  std::unordered_map<size_t, size_t> votes;
  for (size_t j = 0; j < k; ++j) {
    auto it = where.find(want[j]);
    if (it == where.end() || it->second.size() > 100) continue;  // "}" says nothing
    for (size_t i : it->second) {
      if (i >= j) ++votes[std::min(i - j, last_start)];
    }
  }
  std::vector<std::pair<size_t, size_t>> ranked;  // (votes, start)
  for (const auto& [start, n] : votes) ranked.emplace_back(n, start);
  std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  std::vector<size_t> starts;
  for (size_t i = 0; i < ranked.size() && i < 20; ++i) starts.push_back(ranked[i].second);

  size_t anchor = 0;
  for (size_t j = 1; j < k; ++j) {
    if (want[j].size() > want[anchor].size()) anchor = j;
  }
  std::vector<std::pair<double, size_t>> alike;  // (similarity, line)
  for (size_t i = 0; i < hay.size(); ++i) {
    if (hay[i].size() * 3 < want[anchor].size() || hay[i].size() > want[anchor].size() * 3 + 8) continue;
    alike.emplace_back(Similarity(hay[i], want[anchor]), i);
  }
  size_t top = std::min<size_t>(alike.size(), 20);
  std::partial_sort(alike.begin(), alike.begin() + static_cast<std::ptrdiff_t>(top), alike.end(),
                    [](const auto& x, const auto& y) {
                      return x.first != y.first ? x.first > y.first : x.second < y.second;
                    });
  for (size_t i = 0; i < top; ++i) {
    size_t line = alike[i].second;
    starts.push_back(std::min(line >= anchor ? line - anchor : 0, last_start));
  }
  if (starts.empty()) starts.push_back(0);
  return starts;
}

std::string ShownLine(std::string_view line) {
  constexpr size_t kMaxBytes = 160;
  if (line.size() <= kMaxBytes) return std::string(line);
  return StrCat({line.substr(0, Utf8Boundary(line, kMaxBytes)), "…"});
}

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendValidUtf8(&out, text);
  return out;
}

// --- Diff ----------------------------------------------------------------

struct DiffOp {
  char kind;  // ' ', '-', '+'
  size_t a;   // index into the old lines (the next one for '+')
  size_t b;   // index into the new lines (the next one for '-')
};

std::vector<std::string_view> LinesWithBreaks(std::string_view text) {
  std::vector<std::string_view> out;
  for (const Line& l : SplitLines(text)) out.push_back(text.substr(l.begin, l.end - l.begin));
  return out;
}

// Myers' O(ND) diff of a[ab, ae) against b[bb, be), appended to `ops`.
// Past `kMaxD` differences it gives up on finesse: all old lines out, all
// new ones in, which is still a correct diff.
void Myers(const std::vector<int>& a, size_t ab, size_t ae, const std::vector<int>& b, size_t bb, size_t be,
           std::vector<DiffOp>* ops) {
  constexpr long kMaxD = 1000;
  const long n = static_cast<long>(ae - ab);
  const long m = static_cast<long>(be - bb);
  const long max = n + m;
  std::vector<long> v(static_cast<size_t>(2 * max + 3), 0);
  const long off = max + 1;
  std::vector<std::vector<long>> trace;
  long found_d = -1;
  for (long d = 0; d <= max && d <= kMaxD && found_d < 0; ++d) {
    for (long k = -d; k <= d; k += 2) {
      long x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1] : v[off + k - 1] + 1;
      long y = x - k;
      while (x < n && y < m && a[ab + static_cast<size_t>(x)] == b[bb + static_cast<size_t>(y)]) ++x, ++y;
      v[off + k] = x;
      if (x >= n && y >= m) found_d = d;
    }
    trace.emplace_back(v.begin() + off - d, v.begin() + off + d + 1);
  }
  std::vector<DiffOp> rev;
  if (found_d < 0) {
    for (long y = m - 1; y >= 0; --y) rev.push_back({'+', ae, bb + static_cast<size_t>(y)});
    for (long x = n - 1; x >= 0; --x) rev.push_back({'-', ab + static_cast<size_t>(x), bb});
  } else {
    long x = n;
    long y = m;
    for (long d = found_d; d > 0; --d) {
      const std::vector<long>& prev = trace[static_cast<size_t>(d - 1)];
      auto at = [&](long k) { return prev[static_cast<size_t>(k + d - 1)]; };
      long k = x - y;
      long pk = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
      long px = at(pk);
      long py = px - pk;
      while (x > px && y > py) {
        --x, --y;
        rev.push_back({' ', ab + static_cast<size_t>(x), bb + static_cast<size_t>(y)});
      }
      if (x == px) {
        --y;
        rev.push_back({'+', ab + static_cast<size_t>(x), bb + static_cast<size_t>(y)});
      } else {
        --x;
        rev.push_back({'-', ab + static_cast<size_t>(x), bb + static_cast<size_t>(y)});
      }
    }
    while (x > 0 && y > 0) {
      --x, --y;
      rev.push_back({' ', ab + static_cast<size_t>(x), bb + static_cast<size_t>(y)});
    }
  }
  ops->insert(ops->end(), rev.rbegin(), rev.rend());
}

std::string Range(size_t start, size_t len) {
  if (len == 1) return std::to_string(start + 1);
  return StrCat({std::to_string(len == 0 ? start : start + 1), ",", std::to_string(len)});
}

void AppendLine(std::string* out, char kind, std::string_view line) {
  bool terminated = !line.empty() && line.back() == '\n';
  if (terminated) line.remove_suffix(1);
  if (terminated && !line.empty() && line.back() == '\r') line.remove_suffix(1);
  out->push_back(kind);
  out->append(line);
  out->push_back('\n');
  if (!terminated) out->append("\\ No newline at end of file\n");
}

}  // namespace

std::string_view MatchModeName(MatchMode mode) {
  switch (mode) {
    case MatchMode::kExact: return "exact";
    case MatchMode::kWhitespace: return "whitespace";
    case MatchMode::kIndentation: return "indentation";
  }
  return "exact";
}

MatchSet FindMatches(std::string_view text, std::string_view old_text) {
  MatchSet set;
  if (old_text.empty()) return set;
  set.found = FindExact(text, old_text);
  if (set.found.empty()) {
    set.mode = MatchMode::kWhitespace;
    set.found = FindWhitespaceTolerant(text, old_text);
  }
  if (set.found.empty()) {
    set.mode = MatchMode::kIndentation;
    set.found = FindIndentTolerant(text, old_text);
  }
  if (set.found.empty()) set.mode = MatchMode::kExact;
  std::vector<size_t> begins;
  for (const Match& m : set.found) begins.push_back(m.begin);
  std::vector<size_t> lines = LineNumbers(text, begins);
  for (size_t i = 0; i < lines.size(); ++i) set.found[i].line = lines[i];
  return set;
}

std::string ReplacementFor(std::string_view text, const Match& match, MatchMode mode, std::string_view new_text) {
  Eol eol = EolOf(text.substr(match.begin, match.end - match.begin));
  if (eol == Eol::kNone) eol = EolOf(text);
  std::string out = mode == MatchMode::kIndentation ? Reindent(new_text, match.old_indent, match.indent)
                                                    : std::string(new_text);
  return WithEol(out, eol);
}

Result<std::string> ApplyEdits(std::string_view text, const std::vector<TextEdit>& edits,
                               std::vector<AppliedEdit>* applied) {
  std::string current(text);
  std::vector<AppliedEdit> done;
  for (size_t i = 0; i < edits.size(); ++i) {
    const TextEdit& edit = edits[i];
    std::string label = edits.size() == 1 ? std::string()
                                          : StrCat({"edit ", std::to_string(i + 1), " of ",
                                                    std::to_string(edits.size()), ": "});
    std::string after = i == 0 ? std::string()
                               : StrCat({" (line numbers are those after edit", i == 1 ? " 1" : "s 1-",
                                         i == 1 ? "" : std::to_string(i), ")"});
    if (edit.old_text.empty()) {
      return Status::InvalidArgument(StrCat({label, "old_text is empty; give the text to replace"}));
    }
    MatchSet set = FindMatches(current, edit.old_text);
    if (set.found.empty()) {
      return Status::NotFound(StrCat({label, "old_text was not found, not even ignoring line endings, trailing "
                                             "whitespace and indentation", after, ". ",
                                      DescribeNearest(current, edit.old_text),
                                      "Copy old_text exactly from the current file (fs_read shows it), or use a "
                                      "shorter old_text that is unique."}));
    }
    AppliedEdit result;
    result.mode = set.mode;
    for (const Match& m : set.found) result.lines.push_back(m.line);
    size_t count = set.found.size();
    if (static_cast<int64_t>(count) != edit.expected_count) {
      std::string how = set.mode == MatchMode::kExact        ? ""
                        : set.mode == MatchMode::kWhitespace ? " (ignoring line endings and trailing whitespace)"
                                                             : " (ignoring indentation)";
      std::string advice =
          static_cast<int64_t>(count) > edit.expected_count
              ? StrCat({"Add surrounding lines to old_text so that it matches only the place you mean, or set "
                        "expected_count to ",
                        std::to_string(count), " to replace every one."})
              : StrCat({"Set expected_count to ", std::to_string(count), " if those are all you mean."});
      return Status::InvalidArgument(StrCat({label, "old_text was found ", Times(count), how, " at line",
                                             count == 1 ? " " : "s ", LineList(result.lines), after,
                                             ", but expected_count is ", std::to_string(edit.expected_count),
                                             ". ", advice}));
    }
    std::string next;
    next.reserve(current.size() + count * edit.new_text.size());
    size_t pos = 0;
    for (const Match& m : set.found) {
      next.append(current, pos, m.begin - pos);
      next.append(ReplacementFor(current, m, set.mode, edit.new_text));
      pos = m.end;
    }
    next.append(current, pos, std::string::npos);
    current = std::move(next);
    done.push_back(std::move(result));
  }
  if (applied != nullptr) *applied = std::move(done);
  return current;
}

std::string DescribeNearest(std::string_view text, std::string_view old_text) {
  if (text.empty()) return "The file is empty. ";
  if (old_text.empty()) return "";
  // Candidates are found on trimmed lines; windows are scored on lines that
  // keep their indentation, so that an indentation slip still shows.
  std::vector<Line> lines = SplitLines(text);
  std::vector<Line> old_lines = SplitLines(old_text);
  std::vector<std::string_view> hay, hay_indented, want, want_indented;
  for (const Line& l : lines) {
    hay_indented.push_back(Stripped(text, l));
    hay.push_back(Trimmed(hay_indented.back()));
  }
  for (const Line& l : old_lines) {
    want_indented.push_back(Stripped(old_text, l));
    want.push_back(Trimmed(want_indented.back()));
  }
  size_t k = std::min(want.size(), hay.size());
  constexpr size_t kScored = 100;
  size_t n = std::min(k, kScored);
  double best = -1;
  size_t best_start = 0;
  for (size_t start : CandidateStarts(hay, want)) {
    double sum = 0;
    for (size_t j = 0; j < n; ++j) sum += Similarity(hay_indented[start + j], want_indented[j]);
    double score = sum / static_cast<double>(std::min(want.size(), kScored));
    if (score > best || (score == best && start < best_start)) best = score, best_start = start;
  }
  int percent = std::min(99, static_cast<int>(std::lround(best * 100)));  // 100% would have matched
  if (percent == 0) return "Nothing in the file resembles old_text. ";
  bool only_space = want.size() <= hay.size();
  for (size_t j = 0; j < k && only_space; ++j) only_space = hay[best_start + j] == want[j];
  constexpr size_t kShownLines = 30;
  size_t shown = std::min(k, kShownLines);
  std::string range = k == 1 ? StrCat({"line ", std::to_string(best_start + 1)})
                             : StrCat({"lines ", std::to_string(best_start + 1), "-", std::to_string(best_start + k)});
  std::string out = StrCat({"The most similar text is at ", range, " (", std::to_string(percent), "% similar",
                            only_space ? "; it differs from old_text only in whitespace or indentation" : "",
                            "):\n"});
  size_t width = std::to_string(best_start + shown).size();
  for (size_t j = 0; j < shown; ++j) {
    const Line& l = lines[best_start + j];
    std::string number = std::to_string(best_start + j + 1);
    out += StrCat({std::string(width - number.size(), ' '), number, "| ",
                   ShownLine(text.substr(l.begin, l.content_end - l.begin)), "\n"});
  }
  if (shown < k) out += StrCat({"(", std::to_string(k - shown), " more lines)\n"});
  return ValidUtf8(out);
}

std::string UnifiedDiff(std::string_view before, std::string_view after, std::string_view label, int context) {
  if (before == after) return "";
  std::vector<std::string_view> a = LinesWithBreaks(before);
  std::vector<std::string_view> b = LinesWithBreaks(after);
  std::unordered_map<std::string_view, int> ids;
  auto intern = [&](const std::vector<std::string_view>& lines) {
    std::vector<int> out;
    out.reserve(lines.size());
    for (std::string_view l : lines) out.push_back(ids.emplace(l, static_cast<int>(ids.size())).first->second);
    return out;
  };
  std::vector<int> ai = intern(a);
  std::vector<int> bi = intern(b);
  size_t prefix = 0;
  while (prefix < ai.size() && prefix < bi.size() && ai[prefix] == bi[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < ai.size() - prefix && suffix < bi.size() - prefix &&
         ai[ai.size() - 1 - suffix] == bi[bi.size() - 1 - suffix]) {
    ++suffix;
  }
  std::vector<DiffOp> ops;
  ops.reserve(std::max(a.size(), b.size()) + 16);
  for (size_t i = 0; i < prefix; ++i) ops.push_back({' ', i, i});
  Myers(ai, prefix, ai.size() - suffix, bi, prefix, bi.size() - suffix, &ops);
  for (size_t i = suffix; i > 0; --i) ops.push_back({' ', ai.size() - i, bi.size() - i});

  const size_t ctx = static_cast<size_t>(std::max(context, 0));
  std::string out = StrCat({"--- a/", label, "\n+++ b/", label, "\n"});
  size_t i = 0;
  while (i < ops.size()) {
    while (i < ops.size() && ops[i].kind == ' ') ++i;
    if (i == ops.size()) break;
    size_t start = i >= ctx ? i - ctx : 0;
    // Extend over changes and the equal runs between them short enough to join.
    size_t end = i;
    for (;;) {
      while (end < ops.size() && ops[end].kind != ' ') ++end;
      size_t run = end;
      while (run < ops.size() && ops[run].kind == ' ') ++run;
      if (run < ops.size() && run - end <= 2 * ctx) {
        end = run;
        continue;
      }
      end = std::min(run, end + ctx);
      break;
    }
    size_t a_len = 0;
    size_t b_len = 0;
    for (size_t j = start; j < end; ++j) {
      if (ops[j].kind != '+') ++a_len;
      if (ops[j].kind != '-') ++b_len;
    }
    out += StrCat({"@@ -", Range(ops[start].a, a_len), " +", Range(ops[start].b, b_len), " @@\n"});
    for (size_t j = start; j < end; ++j) {
      AppendLine(&out, ops[j].kind, ops[j].kind == '+' ? b[ops[j].b] : a[ops[j].a]);
    }
    i = end;
  }
  return ValidUtf8(out);
}

}  // namespace weft::venoms::fs
