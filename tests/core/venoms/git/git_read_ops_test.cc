// git_status, git_diff, git_log, git_show and git_blame over real
// repositories.
#include <string>

#include "tests/core/venoms/git/git_fixture.h"

namespace weft::venoms {
namespace {

using GitReadTest = GitVenomTest;

std::vector<std::string> Paths(const Json& list, const char* key = "path") {
  std::vector<std::string> out;
  for (const Json& e : list) out.push_back(e[key].get<std::string>());
  return out;
}

TEST_F(GitReadTest, StatusListsStagedUnstagedUntrackedWithNamespacePaths) {
  InitRepo();
  CommitFile("src/a.c", "int a;\n", "first");
  CommitFile("b.txt", "b\n", "second");
  Write("src/a.c", "int a = 1;\n");
  Write("b.txt", "b2\n");
  Git("ws", {"add", "b.txt"});
  Write("new.txt", "n\n");
  Json data = Data("status", Json::object());
  EXPECT_EQ(data["repository"], "/");
  EXPECT_EQ(data["branch"]["name"], "main");
  EXPECT_EQ(data["branch"]["commit"], Head());
  EXPECT_FALSE(data["branch"]["detached"].get<bool>());
  EXPECT_FALSE(data["clean"].get<bool>());
  EXPECT_EQ(Paths(data["entries"]), (std::vector<std::string>{"/b.txt", "/src/a.c", "/new.txt"}));
  EXPECT_EQ(data["entries"][0]["index"], "M");
  EXPECT_EQ(data["entries"][0]["worktree"], ".");
  EXPECT_EQ(data["entries"][1]["worktree"], "M");
  EXPECT_EQ(data["entries"][2]["kind"], "untracked");
  EXPECT_EQ(data["counts"]["staged"], 1);
  EXPECT_EQ(data["counts"]["unstaged"], 1);
  EXPECT_EQ(data["counts"]["untracked"], 1);
}

TEST_F(GitReadTest, StatusOfACleanRepositoryInASubdirectoryFindsTheTopLevel) {
  InitRepo();
  CommitFile("src/a.c", "x\n", "first");
  Result<Reply> r = Call("status", {{"path", "src"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->data["clean"].get<bool>());
  EXPECT_EQ(r->data["repository"], "/");
  EXPECT_NE(Text(*r).find("working tree clean"), std::string::npos);
}

TEST_F(GitReadTest, StatusOfANestedRepositoryUsesItsNamespacePath) {
  InitRepo("ws/lib/sub");
  CommitFile("x.txt", "x\n", "first", "ws/lib/sub");
  tmp_.WriteFile("ws/lib/sub/y.txt", "y\n");
  Json data = Data("status", {{"path", "/lib/sub"}});
  EXPECT_EQ(data["repository"], "/lib/sub");
  EXPECT_EQ(Paths(data["entries"]), std::vector<std::string>{"/lib/sub/y.txt"});
}

TEST_F(GitReadTest, StatusReportsAheadAndBehindItsUpstream) {
  InitRepo();
  CommitFile("a", "1\n", "one");
  Git("ws", {"branch", "up"});
  Git("ws", {"branch", "--set-upstream-to=up"});
  CommitFile("a", "2\n", "two");
  Json data = Data("status", Json::object());
  EXPECT_EQ(data["branch"]["upstream"], "up");
  EXPECT_EQ(data["branch"]["ahead"], 1);
  EXPECT_EQ(data["branch"]["behind"], 0);
}

TEST_F(GitReadTest, StatusCapsEntriesAtLimit) {
  InitRepo();
  for (int i = 0; i < 5; ++i) Write("f" + std::to_string(i), "x\n");
  Json data = Data("status", {{"limit", 2}, {"untracked", "all"}});
  EXPECT_EQ(data["entries"].size(), 2u);
  EXPECT_TRUE(data["truncated"].get<bool>());
  EXPECT_EQ(data["counts"]["untracked"], 5);
}

TEST_F(GitReadTest, DiffShowsWorktreeStagedAndRevisionChanges) {
  InitRepo();
  CommitFile("a.txt", "one\n", "first");
  CommitFile("a.txt", "one\ntwo\n", "second");
  Write("a.txt", "one\ntwo\nthree\n");
  Json worktree = Data("diff", Json::object());
  EXPECT_EQ(worktree["mode"], "worktree");
  ASSERT_EQ(worktree["files"].size(), 1u);
  EXPECT_EQ(worktree["files"][0]["path"], "/a.txt");
  EXPECT_EQ(worktree["files"][0]["additions"], 1);
  EXPECT_NE(worktree["patch"].get<std::string>().find("+three"), std::string::npos);

  EXPECT_EQ(Data("diff", {{"staged", true}})["file_count"], 0);

  Json range = Data("diff", {{"from", "HEAD~1"}, {"to", "HEAD"}});
  EXPECT_EQ(range["mode"], "revisions");
  EXPECT_NE(range["patch"].get<std::string>().find("+two"), std::string::npos);
  EXPECT_EQ(range["patch"].get<std::string>().find("+three"), std::string::npos);

  Json stat = Data("diff", {{"from", "HEAD~1"}, {"stat_only", true}});
  EXPECT_FALSE(stat.contains("patch"));
  EXPECT_EQ(stat["additions"], 2);
}

TEST_F(GitReadTest, DiffFiltersByPathsAndCapsThePatchWithAMarker) {
  InitRepo();
  CommitFile("a.txt", "a\n", "first");
  CommitFile("b.txt", "b\n", "second");
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "line " + std::to_string(i) + "\n";
  Write("a.txt", big);
  Write("b.txt", "b changed\n");
  Json only_b = Data("diff", {{"paths", {"b.txt"}}});
  EXPECT_EQ(Paths(only_b["files"]), std::vector<std::string>{"/b.txt"});

  Result<Reply> capped = Call("diff", {{"paths", {"/a.txt"}}, {"max_bytes", 1000}});
  ASSERT_TRUE(capped.ok()) << capped.status();
  EXPECT_TRUE(capped->data["truncated"].get<bool>());
  EXPECT_LE(capped->data["patch"].get<std::string>().size(), 1000u);
  EXPECT_GT(capped->data["patch_bytes"].get<int64_t>(), 1000);
  EXPECT_NE(Text(*capped).find("[patch truncated"), std::string::npos);
}

TEST_F(GitReadTest, LogListsCommitsWithFiltersAndPages) {
  InitRepo();
  CommitFile("a", "1\n", "first change");
  CommitFile("b", "2\n", "second change\n\nwith a body");
  CommitFile("a", "3\n", "third change");
  Json all = Data("log", Json::object());
  ASSERT_EQ(all["commits"].size(), 3u);
  EXPECT_EQ(all["commits"][0]["subject"], "third change");
  EXPECT_EQ(all["commits"][0]["commit"], Head());
  EXPECT_EQ(all["commits"][0]["author"]["name"], "Test User");
  EXPECT_EQ(all["commits"][1]["body"], "with a body");
  EXPECT_EQ(all["commits"][2]["parents"].size(), 0u);

  Json by_path = Data("log", {{"paths", {"/a"}}});
  EXPECT_EQ(by_path["count"], 2);
  Json by_grep = Data("log", {{"grep", "second"}});
  EXPECT_EQ(by_grep["count"], 1);
  EXPECT_EQ(Data("log", {{"author", "nobody-like-this"}})["count"], 0);

  Json page = Data("log", {{"max_count", 2}});
  EXPECT_TRUE(page["truncated"].get<bool>());
  EXPECT_EQ(page["next_skip"], 2);
  Json next = Data("log", {{"max_count", 2}, {"skip", 2}});
  EXPECT_EQ(next["commits"][0]["subject"], "first change");
  EXPECT_FALSE(next["truncated"].get<bool>());

  Json range = Data("log", {{"rev", "HEAD~1..HEAD"}});
  EXPECT_EQ(range["count"], 1);
}

TEST_F(GitReadTest, LogOfARepositoryWithoutCommitsSaysSo) {
  InitRepo();
  Status s = Error("log", Json::object());
  EXPECT_NE(s.message().find("no commits yet"), std::string::npos) << s;
}

TEST_F(GitReadTest, ShowGivesACommitsMetadataFilesAndPatch) {
  InitRepo();
  CommitFile("a.txt", "old\n", "first");
  CommitFile("a.txt", "new\n", "second");
  Json data = Data("show", Json::object());
  EXPECT_EQ(data["commit"]["commit"], Head());
  EXPECT_EQ(data["commit"]["subject"], "second");
  EXPECT_EQ(Paths(data["files"]), std::vector<std::string>{"/a.txt"});
  EXPECT_NE(data["patch"].get<std::string>().find("-old\n+new"), std::string::npos);
}

TEST_F(GitReadTest, ShowGivesAFileAtARevision) {
  InitRepo();
  CommitFile("a.txt", "old\n", "first");
  CommitFile("a.txt", "new\n", "second");
  Json data = Data("show", {{"rev", "HEAD~1"}, {"file", "/a.txt"}});
  EXPECT_EQ(data["file"]["content"], "old\n");
  EXPECT_FALSE(data["file"]["binary"].get<bool>());
  Status missing = Error("show", {{"rev", "HEAD~1"}, {"file", "/nope.txt"}});
  EXPECT_NE(missing.message().find("nope.txt"), std::string::npos) << missing;
}

TEST_F(GitReadTest, BlameAttributesLinesAndHonoursTheRange) {
  InitRepo();
  CommitFile("f.txt", "one\ntwo\n", "first");
  std::string first = Head();
  CommitFile("f.txt", "one\ntwo\nthree\n", "second");
  Json data = Data("blame", {{"file", "/f.txt"}});
  ASSERT_EQ(data["lines"].size(), 3u);
  EXPECT_EQ(data["lines"][0]["commit"], first);
  EXPECT_EQ(data["lines"][2]["commit"], Head());
  EXPECT_EQ(data["lines"][2]["text"], "three");
  EXPECT_EQ(data["commits"].size(), 2u);
  EXPECT_FALSE(data["truncated"].get<bool>());

  Json range = Data("blame", {{"file", "f.txt"}, {"start_line", 2}, {"end_line", 2}});
  ASSERT_EQ(range["lines"].size(), 1u);
  EXPECT_EQ(range["lines"][0]["line"], 2);
  EXPECT_EQ(range["lines"][0]["text"], "two");

  Json at_rev = Data("blame", {{"file", "f.txt"}, {"rev", "HEAD~1"}});
  EXPECT_EQ(at_rev["lines"].size(), 2u);
}

}  // namespace
}  // namespace weft::venoms
