// fs_edit through the registry: diffs, dry runs, all-or-nothing, tolerant
// matching that keeps CRLF, modes, refusals (symlinks, binary files,
// read-only binds, paths leading outside), no temporary files left behind.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "tests/core/venoms/fs/fs_fixture.h"

namespace weft::venoms {
namespace {

class FsEdit : public FsVenomTest {
 protected:
  std::string Host(const std::string& rel) { return tmp_.Join("ws/" + rel); }
  std::string ReadHost(const std::string& rel) { return weft::testing::ReadFileOrDie(Host(rel)); }
  std::vector<std::string> Names(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  static Json One(const std::string& old_text, const std::string& new_text) {
    return Json::array({{{"old_text", old_text}, {"new_text", new_text}}});
  }
};

std::string Numbered(int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) out += "line " + std::to_string(i) + "\n";
  return out;
}

TEST_F(FsEdit, ReplacesAndAnswersWithAUnifiedDiff) {
  tmp_.WriteFile("ws/src/f.txt", Numbered(10));
  Result<Reply> r = Call("edit", {{"path", "src/f.txt"}, {"edits", One("line 5\n", "line five\n")}});
  ASSERT_TRUE(r.ok()) << r.status();
  std::string diff =
      "--- a/src/f.txt\n+++ b/src/f.txt\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n"
      " line 7\n line 8\n";
  EXPECT_EQ(r->data["diff"], diff);
  EXPECT_EQ(r->data["path"], "/src/f.txt");
  EXPECT_EQ(r->data["changed"], true);
  EXPECT_EQ(r->data["dry_run"], false);
  EXPECT_EQ(r->data["diff_truncated"], false);
  EXPECT_EQ(r->data["edits"], (Json::array({{{"match", "exact"}, {"count", 1}, {"lines", {5}}}})));
  EXPECT_EQ(Text(*r), "Edited /src/f.txt (1 edit, 1 replacement):\n" + diff);
  std::string expected = Numbered(10);
  expected.replace(expected.find("line 5\n"), 7, "line five\n");
  EXPECT_EQ(ReadHost("src/f.txt"), expected);
  EXPECT_EQ(r->data["bytes"], expected.size());
}

TEST_F(FsEdit, DryRunShowsTheDiffAndWritesNothing) {
  tmp_.WriteFile("ws/f.txt", "a\nb\n");
  Result<Reply> r = Call("edit", {{"path", "f.txt"}, {"edits", One("b", "c")}, {"dry_run", true}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["dry_run"], true);
  EXPECT_EQ(r->data["diff"], "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n");
  EXPECT_NE(Text(*r).find("Dry run, nothing written"), std::string::npos) << Text(*r);
  EXPECT_EQ(ReadHost("f.txt"), "a\nb\n");
}

TEST_F(FsEdit, AppliesEditsInOrder) {
  tmp_.WriteFile("ws/f.txt", "alpha\nbeta\n");
  Json edits = Json::array({{{"old_text", "alpha"}, {"new_text", "gamma"}},
                            {{"old_text", "gamma\nbeta"}, {"new_text", "delta"}}});
  Json data = Data("edit", {{"path", "f.txt"}, {"edits", edits}});
  EXPECT_EQ(ReadHost("f.txt"), "delta\n");
  EXPECT_EQ(data["edits"].size(), 2u);
}

TEST_F(FsEdit, OneFailingEditLeavesTheFileUntouched) {
  tmp_.WriteFile("ws/d/f.txt", "alpha\nbeta\n");
  Json edits = Json::array({{{"old_text", "alpha"}, {"new_text", "ALPHA"}},
                            {{"old_text", "gamma"}, {"new_text", "GAMMA"}}});
  Result<Reply> r = Call("edit", {{"path", "d/f.txt"}, {"edits", edits}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("/d/f.txt: edit 2 of 2"), std::string::npos) << m;
  EXPECT_NE(m.find("the file is unchanged"), std::string::npos) << m;
  EXPECT_EQ(ReadHost("d/f.txt"), "alpha\nbeta\n");
  EXPECT_EQ(Names(Host("d")), std::vector<std::string>{"f.txt"});
}

TEST_F(FsEdit, ACountMismatchSaysWhereTheMatchesAre) {
  tmp_.WriteFile("ws/f.c", "x++;\ny++;\nx++;\n");
  Result<Reply> r = Call("edit", {{"path", "f.c"}, {"edits", One("x++;", "x--;")}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("found twice at lines 1 and 3"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("expected_count"), std::string::npos) << r.status();
  Json all = Json::array({{{"old_text", "x++;"}, {"new_text", "x--;"}, {"expected_count", 2}}});
  Json data = Data("edit", {{"path", "f.c"}, {"edits", all}});
  EXPECT_EQ(data["edits"][0]["lines"], (Json{1, 3}));
  EXPECT_EQ(ReadHost("f.c"), "x--;\ny++;\nx--;\n");
}

TEST_F(FsEdit, NoMatchShowsTheNearestLinesNumbered) {
  tmp_.WriteFile("ws/f.py", "def one():\n    return 1\n\ndef two():\n    return 2\n");
  Result<Reply> r = Call("edit", {{"path", "f.py"}, {"edits", One("def two():\n    return 3\n", "x")}});
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("lines 4-5"), std::string::npos) << m;
  EXPECT_NE(m.find("4| def two():"), std::string::npos) << m;
  EXPECT_NE(m.find("5|     return 2"), std::string::npos) << m;
}

TEST_F(FsEdit, ACrlfFileStaysCrlfUnderTolerantMatching) {
  tmp_.WriteFile("ws/win.txt", "one  \r\ntwo\r\nthree\r\n");
  Result<Reply> r = Call("edit", {{"path", "win.txt"}, {"edits", One("one\ntwo\n", "uno\ndos\n")}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["edits"][0]["match"], "whitespace");
  EXPECT_NE(Text(*r).find("matched ignoring line endings and trailing whitespace"), std::string::npos) << Text(*r);
  EXPECT_EQ(ReadHost("win.txt"), "uno\r\ndos\r\nthree\r\n");
}

TEST_F(FsEdit, ReindentsNewTextOnAnIndentationMatch) {
  tmp_.WriteFile("ws/f.py", "class A:\n    def f(self):\n        return 1\n");
  Result<Reply> r =
      Call("edit", {{"path", "f.py"}, {"edits", One("def f(self):\n    return 1\n", "def f(self):\n    return 2\n")}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["edits"][0]["match"], "indentation");
  EXPECT_EQ(ReadHost("f.py"), "class A:\n    def f(self):\n        return 2\n");
}

TEST_F(FsEdit, KeepsTheFileMode) {
  tmp_.WriteFile("ws/run.sh", "echo hi\n");
  ASSERT_EQ(::chmod(Host("run.sh").c_str(), 0755), 0);
  Data("edit", {{"path", "run.sh"}, {"edits", One("hi", "there")}});
  struct stat st;
  ASSERT_EQ(::stat(Host("run.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  EXPECT_EQ(ReadHost("run.sh"), "echo there\n");
}

TEST_F(FsEdit, NoChangeWhenNewTextEqualsOldText) {
  tmp_.WriteFile("ws/f.txt", "same\n");
  Result<Reply> r = Call("edit", {{"path", "f.txt"}, {"edits", One("same", "same")}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["changed"], false);
  EXPECT_EQ(r->data["diff"], "");
  EXPECT_NE(Text(*r).find("No change"), std::string::npos) << Text(*r);
}

TEST_F(FsEdit, RefusesASymlinkNamingItsTarget) {
  tmp_.WriteFile("ws/real.txt", "real\n");
  ASSERT_EQ(::symlink("real.txt", Host("link").c_str()), 0);
  Result<Reply> r = Call("edit", {{"path", "link"}, {"edits", One("real", "fake")}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("/link is a symbolic link to real.txt"), std::string::npos) << r.status();
  EXPECT_EQ(ReadHost("real.txt"), "real\n");
  EXPECT_TRUE(std::filesystem::is_symlink(Host("link")));
}

TEST_F(FsEdit, RefusesBinaryFilesAndDirectories) {
  tmp_.WriteFile("ws/bin", std::string("a\0b", 3));
  Result<Reply> r = Call("edit", {{"path", "bin"}, {"edits", One("a", "b")}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("binary"), std::string::npos) << r.status();
  std::filesystem::create_directories(Host("dir"));
  Result<Reply> d = Call("edit", {{"path", "dir"}, {"edits", One("a", "b")}});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("is a dir"), std::string::npos) << d.status();
}

TEST_F(FsEdit, AMissingFileSaysToUseWrite) {
  Result<Reply> r = Call("edit", {{"path", "nope.txt"}, {"edits", One("a", "b")}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("fs_write"), std::string::npos) << r.status();
}

TEST_F(FsEdit, RefusesAReadOnlyBind) {
  tmp_.WriteFile("ro/f.txt", "ro\n");
  Rebind({{"/", tmp_.Join("ws")}, {"/ro", tmp_.Join("ro") + ":ro"}}, false);
  for (bool dry_run : {false, true}) {
    Result<Reply> r = Call("edit", {{"path", "/ro/f.txt"}, {"edits", One("ro", "rw")}, {"dry_run", dry_run}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(weft::testing::ReadFileOrDie(tmp_.Join("ro/f.txt")), "ro\n");
}

TEST_F(FsEdit, RefusesAPathLeadingOutside) {
  ASSERT_EQ(::symlink("../outside", Host("out").c_str()), 0);
  ASSERT_EQ(::symlink("../outside/secret", Host("secret_link").c_str()), 0);
  Result<Reply> r = Call("edit", {{"path", "out/secret"}, {"edits", One("secret", "leaked")}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("escapes the workspace"), std::string::npos) << r.status();
  ASSERT_FALSE(Call("edit", {{"path", "secret_link"}, {"edits", One("secret", "leaked")}}).ok());
  EXPECT_EQ(weft::testing::ReadFileOrDie(tmp_.Join("outside/secret")), "secret");
}

TEST_F(FsEdit, AHardLinkToAFileOutsideIsReplacedNotWrittenThrough) {
  if (::link(tmp_.Join("outside/secret").c_str(), Host("hard").c_str()) != 0) {
    GTEST_SKIP() << "cannot hard-link across the temporary directories here";
  }
  Data("edit", {{"path", "hard"}, {"edits", One("secret", "changed")}});
  EXPECT_EQ(ReadHost("hard"), "changed");
  EXPECT_EQ(weft::testing::ReadFileOrDie(tmp_.Join("outside/secret")), "secret");
}

TEST_F(FsEdit, RejectsAnEmptyOldTextBySchema) {
  tmp_.WriteFile("ws/f.txt", "x\n");
  Result<Reply> r = Call("edit", {{"path", "f.txt"}, {"edits", One("", "y")}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadHost("f.txt"), "x\n");
}

TEST_F(FsEdit, CapsAHugeDiff) {
  std::string before;
  for (int i = 0; i < 20000; ++i) before += "old line " + std::to_string(i) + "\n";
  std::string after;
  for (int i = 0; i < 20000; ++i) after += "new line " + std::to_string(i) + "\n";
  tmp_.WriteFile("ws/big.txt", before);
  Json data = Data("edit", {{"path", "big.txt"}, {"edits", One(before, after)}});
  EXPECT_EQ(data["diff_truncated"], true);
  EXPECT_LE(data["diff"].get<std::string>().size(), 70u * 1024);
  EXPECT_NE(data["diff"].get<std::string>().find("diff truncated"), std::string::npos);
  EXPECT_EQ(ReadHost("big.txt"), after);
}

}  // namespace
}  // namespace weft::venoms
