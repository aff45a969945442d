// The parsers of git's machine-readable output, on output captured from git.
#include "core/venoms/git/git_parse.h"

#include <string>

#include <gtest/gtest.h>

namespace weft::venoms::git {
namespace {

using namespace std::string_literals;

TEST(ParseStatusV2, ReadsBranchHeadersAndEveryEntryKind) {
  std::string z =
      "# branch.oid 38c32a579767cd7425fc085fcb48fcc8f2bb328e\0"
      "# branch.head main\0"
      "# branch.upstream origin/main\0"
      "# branch.ab +2 -1\0"
      "1 .M N... 100644 100644 100644 587be6b 587be6b src/a file.c\0"
      "2 R. N... 100644 100644 100644 aaaaaaa aaaaaaa R100 new.c\0old.c\0"
      "u UU N... 100644 100644 100644 100644 b1 b2 b3 conflict.txt\0"
      "? notes.txt\0"s;
  StatusReport r = ParseStatusV2(z);
  EXPECT_EQ(r.branch.head, "main");
  EXPECT_EQ(r.branch.oid, "38c32a579767cd7425fc085fcb48fcc8f2bb328e");
  EXPECT_EQ(r.branch.upstream, "origin/main");
  EXPECT_EQ(r.branch.ahead, 2);
  EXPECT_EQ(r.branch.behind, 1);
  ASSERT_EQ(r.entries.size(), 4u);
  EXPECT_EQ(r.entries[0].path, "src/a file.c");  // spaces kept
  EXPECT_EQ(r.entries[0].index, '.');
  EXPECT_EQ(r.entries[0].worktree, 'M');
  EXPECT_EQ(r.entries[1].kind, StatusEntry::Kind::kRenamed);
  EXPECT_EQ(r.entries[1].path, "new.c");
  EXPECT_EQ(r.entries[1].orig_path, "old.c");
  EXPECT_EQ(r.entries[2].kind, StatusEntry::Kind::kUnmerged);
  EXPECT_EQ(r.entries[2].path, "conflict.txt");
  EXPECT_EQ(r.entries[3].kind, StatusEntry::Kind::kUntracked);
  EXPECT_EQ(r.entries[3].path, "notes.txt");
}

TEST(ParseStatusV2, DetachedHeadAndNoCommitsAreNull) {
  StatusReport r = ParseStatusV2("# branch.oid (initial)\0# branch.head (detached)\0"s);
  EXPECT_FALSE(r.branch.oid.has_value());
  EXPECT_FALSE(r.branch.head.has_value());
  EXPECT_FALSE(r.branch.upstream.has_value());
}

TEST(ParseRawNumstat, JoinsRawAndNumstatRecordsIncludingRenamesAndBinaries) {
  std::string z =
      ":100644 100644 1111111 2222222 M\0a.c\0"
      ":000000 100644 0000000 3333333 A\0img.png\0"
      ":100644 100644 4444444 5555555 R090\0old.c\0new.c\0"
      "3\t1\ta.c\0"
      "-\t-\timg.png\0"
      "1\t1\t\0old.c\0new.c\0"s;
  std::vector<FileChange> files = ParseRawNumstat(z);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, "a.c");
  EXPECT_EQ(files[0].status, 'M');
  EXPECT_EQ(files[0].additions, 3);
  EXPECT_EQ(files[0].deletions, 1);
  EXPECT_TRUE(files[1].binary);
  EXPECT_EQ(files[1].status, 'A');
  EXPECT_EQ(files[2].status, 'R');
  EXPECT_EQ(files[2].old_path, "old.c");
  EXPECT_EQ(files[2].path, "new.c");
  EXPECT_EQ(files[2].additions, 1);
}

TEST(ParseBlamePorcelain, SharesCommitHeadersAcrossLines) {
  std::string text =
      "38c32a579767cd7425fc085fcb48fcc8f2bb328e 1 1 2\n"
      "author Ann\nauthor-mail <ann@example.com>\nauthor-time 1700000000\nauthor-tz +0000\n"
      "summary first\nfilename f\n\tline one\n"
      "38c32a579767cd7425fc085fcb48fcc8f2bb328e 2 2\n\tline two\n";
  BlameReport r = ParseBlamePorcelain(text);
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[0].line, 1);
  EXPECT_EQ(r.lines[0].text, "line one");
  EXPECT_EQ(r.lines[1].line, 2);
  EXPECT_EQ(r.lines[1].text, "line two");
  const BlameCommit& c = r.commits["38c32a579767cd7425fc085fcb48fcc8f2bb328e"];
  EXPECT_EQ(c.author, "Ann");
  EXPECT_EQ(c.email, "ann@example.com");
  EXPECT_EQ(c.time, 1700000000);
  EXPECT_EQ(c.summary, "first");
}

TEST(ParseTrack, ReadsAheadBehindAndGone) {
  std::optional<int64_t> ahead, behind;
  ParseTrack("ahead 3, behind 4", &ahead, &behind);
  EXPECT_EQ(ahead, 3);
  EXPECT_EQ(behind, 4);
  std::optional<int64_t> a2, b2;
  ParseTrack("gone", &a2, &b2);
  EXPECT_FALSE(a2.has_value());
  std::optional<int64_t> a3, b3;
  ParseTrack("", &a3, &b3);
  EXPECT_EQ(a3, 0);
  EXPECT_EQ(b3, 0);
}

TEST(IsoTime, FormatsUtc) { EXPECT_EQ(IsoTime(1700000000), "2023-11-14T22:13:20Z"); }

}  // namespace
}  // namespace weft::venoms::git
