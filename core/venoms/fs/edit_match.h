// fs_edit's text work, with no I/O: finding old_text in a file (exactly, else
// tolerating line endings, trailing whitespace and indentation), applying a
// list of edits all-or-nothing, and unified diffs of the result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace weft::venoms::fs {

// How old_text was found, tried in this order; the first mode with any
// match wins.
enum class MatchMode {
  kExact,        // byte for byte
  kWhitespace,   // ignoring CRLF vs LF and trailing spaces/tabs on each line
  kIndentation,  // whole lines whose common indentation differs (re-indents new_text)
};
// "exact", "whitespace", "indentation" (the values of fs_edit's output).
std::string_view MatchModeName(MatchMode mode);

// One place old_text was found.
struct Match {
  size_t begin = 0;  // byte range in the text searched
  size_t end = 0;
  size_t line = 0;   // 1-based line of `begin`
  // kIndentation: the text's indentation, and old_text's, for re-indenting.
  std::string indent;
  std::string old_indent;
};

struct MatchSet {
  MatchMode mode = MatchMode::kExact;
  std::vector<Match> found;  // in order, never overlapping; empty when none
};

// The non-overlapping occurrences of `old_text` (non-empty) in `text`,
// scanning forward, in the first mode that finds any.
MatchSet FindMatches(std::string_view text, std::string_view old_text);

// What replaces `match` (found in `text` in `mode`): `new_text` with its line
// endings made those of the matched region (CRLF stays CRLF) and, for
// kIndentation, re-indented from old_text's indentation to the text's.
std::string ReplacementFor(std::string_view text, const Match& match, MatchMode mode, std::string_view new_text);

struct TextEdit {
  std::string old_text;  // non-empty
  std::string new_text;
  int64_t expected_count = 1;  // >= 1
};

struct AppliedEdit {
  MatchMode mode = MatchMode::kExact;
  std::vector<size_t> lines;  // 1-based start line of each replacement, in the text the edit saw
};

// Applies `edits` in order to `text`, each to the result of the ones before.
// All or nothing: the first edit whose old_text is missing, or found a number
// of times other than its expected_count, fails the whole call with a message
// for a model (InvalidArgument for a count mismatch, NotFound for no match,
// with the most similar lines of the text and their numbers). `applied` gets
// one entry per edit on success.
Result<std::string> ApplyEdits(std::string_view text, const std::vector<TextEdit>& edits,
                               std::vector<AppliedEdit>* applied);

// "The most similar text is at lines 12-15 (80% similar):" and those lines,
// numbered: the window of `text` that best resembles `old_text`, line by line.
std::string DescribeNearest(std::string_view text, std::string_view old_text);

// A unified diff of `before` → `after` (`--- a/<label>`, `+++ b/<label>`,
// `@@ -l,n +l,n @@` hunks with `context` lines around each change; "\ No
// newline at end of file" where it applies). Lines are shown without their
// CR; bytes that are not UTF-8 become U+FFFD. "" when the texts are equal.
std::string UnifiedDiff(std::string_view before, std::string_view after, std::string_view label, int context = 3);

}  // namespace weft::venoms::fs
