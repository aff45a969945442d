// fs_edit's pure text work: matching modes, counts, line endings,
// all-or-nothing edits, nearest-candidate hints, and unified diffs.
#include "core/venoms/fs/edit_match.h"

#include <random>
#include <sstream>

#include <gtest/gtest.h>

namespace weft::venoms::fs {
namespace {

Result<std::string> Apply(std::string_view text, std::vector<TextEdit> edits,
                          std::vector<AppliedEdit>* applied = nullptr) {
  return ApplyEdits(text, edits, applied);
}

TEST(EditMatch, ExactMatchReplacesTheOneOccurrence) {
  std::vector<AppliedEdit> applied;
  auto r = Apply("int a = 1;\nint b = 2;\n", {{"b = 2", "b = 3", 1}}, &applied);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "int a = 1;\nint b = 3;\n");
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].mode, MatchMode::kExact);
  EXPECT_EQ(applied[0].lines, std::vector<size_t>{2});
}

TEST(EditMatch, ExactIsPreferredOverTolerant) {
  // "x  \ny" occurs exactly once; the whitespace-tolerant form would match twice.
  MatchSet set = FindMatches("x  \ny\nx\ny\n", "x  \ny");
  EXPECT_EQ(set.mode, MatchMode::kExact);
  ASSERT_EQ(set.found.size(), 1u);
  EXPECT_EQ(set.found[0].begin, 0u);
}

TEST(EditMatch, CountMismatchNamesTheLinesAndTheWayOut) {
  auto r = Apply("f();\ng();\nf();\n", {{"f();", "h();", 1}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("found twice at lines 1 and 3"), std::string::npos) << m;
  EXPECT_NE(m.find("expected_count is 1"), std::string::npos) << m;
  EXPECT_NE(m.find("expected_count to 2"), std::string::npos) << m;
}

TEST(EditMatch, FewerThanExpectedSaysHowManyThereAre) {
  auto r = Apply("f();\ng();\n", {{"f();", "h();", 3}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("found once at line 1"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("Set expected_count to 1"), std::string::npos) << r.status();
}

TEST(EditMatch, ExpectedCountReplacesEveryOccurrence) {
  std::vector<AppliedEdit> applied;
  auto r = Apply("a.b a.b\na.b\n", {{"a.b", "c", 3}}, &applied);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "c c\nc\n");
  EXPECT_EQ(applied[0].lines, (std::vector<size_t>{1, 1, 2}));
}

TEST(EditMatch, MatchesDoNotOverlap) {
  auto r = Apply("aaaa", {{"aa", "b", 2}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "bb");
}

TEST(EditMatch, WhitespaceModeToleratesCrlfAndKeepsIt) {
  std::vector<AppliedEdit> applied;
  auto r = Apply("a\r\nb\r\nc\r\n", {{"a\nb\n", "x\ny\n", 1}}, &applied);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "x\r\ny\r\nc\r\n");
  EXPECT_EQ(applied[0].mode, MatchMode::kWhitespace);
}

TEST(EditMatch, WhitespaceModeMakesCrlfNewTextLfInAnLfFile) {
  auto r = Apply("a\nb\nc\n", {{"a\r\nb\r\n", "x\r\ny\r\n", 1}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "x\ny\nc\n");
}

TEST(EditMatch, WhitespaceModeToleratesTrailingSpaces) {
  std::vector<AppliedEdit> applied;
  auto r = Apply("int a;   \nint b;\t\nint c;\n", {{"int a;\nint b;", "int z;", 1}}, &applied);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "int z;\nint c;\n");
  EXPECT_EQ(applied[0].mode, MatchMode::kWhitespace);
  EXPECT_EQ(applied[0].lines, std::vector<size_t>{1});
}

TEST(EditMatch, TrailingSpaceInOldTextHasToStandAtALineEnd) {
  MatchSet set = FindMatches("foobar\n", "foo ");
  EXPECT_TRUE(set.found.empty());
  set = FindMatches("x\nfoo\n", "foo ");
  ASSERT_EQ(set.found.size(), 1u);
  EXPECT_EQ(set.mode, MatchMode::kWhitespace);
  EXPECT_EQ(set.found[0].line, 2u);
}

TEST(EditMatch, WhitespaceAloneNeverMatchesTolerantly) {
  EXPECT_TRUE(FindMatches("a\nb\n", "  ").found.empty());
}

TEST(EditMatch, ExactReplacementInACrlfFileKeepsCrlf) {
  auto r = Apply("a\r\nb\r\n", {{"a", "x\ny", 1}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "x\r\ny\r\nb\r\n");
}

TEST(EditMatch, LfFileStaysLf) {
  auto r = Apply("a\nb\n", {{"a", "x\r\ny", 1}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "x\ny\nb\n");
}

TEST(EditMatch, IndentationModeReindentsNewText) {
  std::string text = "void f() {\n    if (x) {\n        y();\n    }\n}\n";
  std::vector<AppliedEdit> applied;
  auto r = Apply(text, {{"if (x) {\n    y();\n}\n", "if (x) {\n    y();\n    z();\n}\n", 1}}, &applied);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "void f() {\n    if (x) {\n        y();\n        z();\n    }\n}\n");
  EXPECT_EQ(applied[0].mode, MatchMode::kIndentation);
  EXPECT_EQ(applied[0].lines, std::vector<size_t>{2});
}

TEST(EditMatch, IndentationModeFitsEachPlaceItsOwnIndent) {
  std::string text = "a:\n  k: 1\n  v: 2\nb:\n      k: 1\n      v: 2\n";
  auto r = Apply(text, {{"    k: 1\n    v: 2", "    k: 0", 2}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "a:\n  k: 0\nb:\n      k: 0\n");
}

TEST(EditMatch, IndentationModeNeedsTheSameRelativeIndent) {
  EXPECT_TRUE(FindMatches("  a\n    b\n", "a\nb\n").found.empty());
}

TEST(EditMatch, EditsApplyInOrderEachSeeingTheLast) {
  auto r = Apply("one\n", {{"one", "two", 1}, {"two", "three", 1}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "three\n");
}

TEST(EditMatch, OneFailingEditFailsThemAll) {
  std::vector<AppliedEdit> applied;
  auto r = Apply("alpha\nbeta\n", {{"alpha", "ALPHA", 1}, {"gamma", "GAMMA", 1}}, &applied);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("edit 2 of 2"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("after edit 1"), std::string::npos) << r.status();
  EXPECT_TRUE(applied.empty());
}

TEST(EditMatch, NotFoundShowsTheMostSimilarLinesNumbered) {
  std::string text;
  for (int i = 1; i <= 20; ++i) text += "line number " + std::to_string(i) + " of the file\n";
  text += "static int compute_total(int a, int b) {\n  return a + b;\n}\n";
  auto r = Apply(text, {{"static int compute_totals(int a, int b) {\n  return a+b;\n}", "x", 1}});
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("not found"), std::string::npos) << m;
  EXPECT_NE(m.find("lines 21-23"), std::string::npos) << m;
  EXPECT_NE(m.find("21| static int compute_total(int a, int b) {"), std::string::npos) << m;
  EXPECT_NE(m.find("22|   return a + b;"), std::string::npos) << m;
}

TEST(EditMatch, NearestFindsAOneLineNeedleInsideALongFile) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "filler " + std::to_string(i) + "\n";
  text += "const char* kGreeting = \"hello, world\";\n";
  std::string hint = DescribeNearest(text, "const char* kGreeting = \"hello world\";");
  EXPECT_NE(hint.find("line 501 "), std::string::npos) << hint;
  EXPECT_NE(hint.find("501| const char* kGreeting"), std::string::npos) << hint;
}

TEST(EditMatch, NearestSaysWhenOnlyIndentationDiffers) {
  std::string hint = DescribeNearest("def one():\n    yield 1\n", "def one():\n  yield 1\n");
  EXPECT_NE(hint.find("lines 1-2"), std::string::npos) << hint;
  EXPECT_NE(hint.find("only in whitespace or indentation"), std::string::npos) << hint;
  EXPECT_EQ(hint.find("100%"), std::string::npos) << hint;
}

TEST(EditMatch, NearestOnAnEmptyFileSaysSo) {
  EXPECT_EQ(DescribeNearest("", "x"), "The file is empty. ");
}

TEST(EditMatch, MatchLinesAreOneBasedAndCountCrlf) {
  MatchSet set = FindMatches("a\r\nb\r\nneedle\r\n", "needle");
  ASSERT_EQ(set.found.size(), 1u);
  EXPECT_EQ(set.found[0].line, 3u);
}

TEST(EditMatch, ModeNamesAreTheOutputEnum) {
  EXPECT_EQ(MatchModeName(MatchMode::kExact), "exact");
  EXPECT_EQ(MatchModeName(MatchMode::kWhitespace), "whitespace");
  EXPECT_EQ(MatchModeName(MatchMode::kIndentation), "indentation");
}

TEST(UnifiedDiff, ShowsBytesThatAreNotUtf8AsReplacementCharacters) {
  EXPECT_EQ(UnifiedDiff("a\xFF\n", "b\n", "f"), "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\xEF\xBF\xBD\n+b\n");
}

std::string Numbers(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) out += std::to_string(i) + "\n";
  return out;
}

TEST(UnifiedDiff, EqualTextsGiveNothing) { EXPECT_EQ(UnifiedDiff("a\n", "a\n", "f"), ""); }

TEST(UnifiedDiff, OneChangedLineWithThreeLinesOfContext) {
  std::string before = Numbers(1, 10);
  std::string after = before;
  after.replace(after.find("5\n"), 2, "five\n");
  EXPECT_EQ(UnifiedDiff(before, after, "src/f.txt"),
            "--- a/src/f.txt\n+++ b/src/f.txt\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(UnifiedDiff, ChangesFarApartMakeTwoHunks) {
  std::string before = Numbers(1, 20);
  std::string after = before;
  after.replace(after.find("2\n"), 2, "two\n");
  after.replace(after.find("18\n"), 3, "");
  EXPECT_EQ(UnifiedDiff(before, after, "f"),
            "--- a/f\n+++ b/f\n"
            "@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"
            "@@ -15,6 +15,5 @@\n 15\n 16\n 17\n-18\n 19\n 20\n");
}

TEST(UnifiedDiff, ChangesCloseTogetherShareAHunk) {
  std::string before = Numbers(1, 12);
  std::string after = before;
  after.replace(after.find("3\n"), 2, "three\n");
  after.replace(after.find("9\n"), 2, "nine\n");
  EXPECT_EQ(UnifiedDiff(before, after, "f"),
            "--- a/f\n+++ b/f\n@@ -1,12 +1,12 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n 7\n 8\n-9\n+nine\n 10\n 11\n 12\n");
}

TEST(UnifiedDiff, InsertionIntoAnEmptyFile) {
  EXPECT_EQ(UnifiedDiff("", "a\nb\n", "f"), "--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n+b\n");
}

TEST(UnifiedDiff, DeletingEverything) {
  EXPECT_EQ(UnifiedDiff("a\nb\n", "", "f"), "--- a/f\n+++ b/f\n@@ -1,2 +0,0 @@\n-a\n-b\n");
}

TEST(UnifiedDiff, InsertionAfterALineUsesItsNumberForTheEmptyRange) {
  EXPECT_EQ(UnifiedDiff("a\nb\n", "a\nb\nc\n", "f"), "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n b\n+c\n");
  std::string before = Numbers(1, 10);
  std::string after = before;
  after.insert(after.find("6\n"), "x\n");
  EXPECT_EQ(UnifiedDiff(before, after, "f"), "--- a/f\n+++ b/f\n@@ -3,6 +3,7 @@\n 3\n 4\n 5\n+x\n 6\n 7\n 8\n");
}

TEST(UnifiedDiff, MarksAMissingNewlineAtTheEnd) {
  EXPECT_EQ(UnifiedDiff("a\nb", "a\nc", "f"),
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
            "\\ No newline at end of file\n");
  EXPECT_EQ(UnifiedDiff("a", "a\n", "f"), "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n");
}

TEST(UnifiedDiff, ShowsCrlfLinesWithoutTheCr) {
  EXPECT_EQ(UnifiedDiff("a\r\nb\r\n", "a\r\nc\r\n", "f"), "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n");
}

// Applies a unified diff produced by UnifiedDiff to `before`, checking each
// context and removed line against it.
std::string Patch(const std::string& before, const std::string& diff) {
  std::vector<std::string> old_lines;
  for (size_t pos = 0; pos < before.size();) {
    size_t nl = before.find('\n', pos);
    size_t end = nl == std::string::npos ? before.size() : nl + 1;
    old_lines.push_back(before.substr(pos, end - pos));
    pos = end;
  }
  std::istringstream in(diff);
  std::string line;
  std::getline(in, line);
  std::getline(in, line);
  std::string out;
  size_t next_old = 0;
  bool last_was_new = false;
  while (std::getline(in, line)) {
    if (line.rfind("@@ -", 0) == 0) {
      size_t start = std::stoul(line.substr(4));
      size_t comma = line.find(',');
      size_t space = line.find(' ', 4);
      size_t len = comma != std::string::npos && comma < space ? std::stoul(line.substr(comma + 1)) : 1;
      size_t first = len == 0 ? start : start - 1;
      EXPECT_GE(first, next_old);
      while (next_old < first) out += old_lines[next_old++];
      continue;
    }
    if (line[0] == '\\') {
      if (last_was_new && !out.empty() && out.back() == '\n') out.pop_back();
      continue;
    }
    std::string body = line.substr(1) + "\n";
    if (line[0] == ' ' || line[0] == '-') {
      EXPECT_LT(next_old, old_lines.size());
      std::string expected = old_lines[next_old];
      if (expected.back() != '\n') expected += "\n";
      EXPECT_EQ(body, expected);
      ++next_old;
    }
    if (line[0] == ' ' || line[0] == '+') out += body;
    last_was_new = line[0] != '-';
  }
  while (next_old < old_lines.size()) out += old_lines[next_old++];
  return out;
}

TEST(UnifiedDiff, RandomEditsRoundTripThroughPatch) {
  std::mt19937 rng(42);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> lines;
    int n = pick(40);
    for (int i = 0; i < n; ++i) lines.push_back(std::string(1, static_cast<char>('a' + pick(5))));
    std::vector<std::string> changed = lines;
    int edits = 1 + pick(6);
    for (int e = 0; e < edits; ++e) {
      int at = changed.empty() ? 0 : pick(static_cast<int>(changed.size()) + 1);
      switch (pick(3)) {
        case 0: changed.insert(changed.begin() + at, std::string(1, static_cast<char>('a' + pick(7)))); break;
        case 1: if (at < static_cast<int>(changed.size())) changed.erase(changed.begin() + at); break;
        default: if (at < static_cast<int>(changed.size())) changed[static_cast<size_t>(at)] = "z"; break;
      }
    }
    auto join = [&](const std::vector<std::string>& v, bool final_newline) {
      std::string s;
      for (size_t i = 0; i < v.size(); ++i) s += v[i] + (i + 1 < v.size() || final_newline ? "\n" : "");
      return s;
    };
    std::string before = join(lines, pick(4) != 0);
    std::string after = join(changed, pick(4) != 0);
    std::string diff = UnifiedDiff(before, after, "f");
    if (before == after) {
      EXPECT_EQ(diff, "");
      continue;
    }
    EXPECT_EQ(Patch(before, diff), after) << "round " << round << "\n" << diff;
  }
}

TEST(UnifiedDiff, LargeRewritesStayCorrect) {
  std::string before;
  std::string after;
  for (int i = 0; i < 6000; ++i) {
    before += "old " + std::to_string(i) + "\n";
    after += "new " + std::to_string(i) + "\n";
  }
  std::string diff = UnifiedDiff(before, after, "f");
  EXPECT_EQ(Patch(before, diff), after);
}

}  // namespace
}  // namespace weft::venoms::fs
