// git_add, git_commit (identity rules, empty commits), git_restore and
// git_init over real repositories.
#include <string>

#include "tests/core/venoms/git/git_fixture.h"

namespace weft::venoms {
namespace {

using GitWriteTest = GitVenomTest;

TEST_F(GitWriteTest, AddStagesPathsAndReportsEverythingStaged) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  Write("a", "2\n");
  Write("dir/b", "b\n");
  Json data = Data("add", {{"paths", {"/dir"}}});
  ASSERT_EQ(data["staged"].size(), 1u);
  EXPECT_EQ(data["staged"][0]["path"], "/dir/b");
  EXPECT_EQ(data["staged"][0]["index"], "A");
  Json all = Data("add", {{"all", true}});
  EXPECT_EQ(all["staged"].size(), 2u);
  Status none = Error("add", Json::object());
  EXPECT_EQ(none.code(), StatusCode::kInvalidArgument);
}

TEST_F(GitWriteTest, CommitRecordsStagedChangesAndReturnsTheCommit) {
  InitRepo();
  Write("a", "1\n");
  Data("add", {{"paths", {"a"}}});
  Json data = Data("commit", {{"message", "Add a\n\nBecause it was missing."}});
  EXPECT_EQ(data["commit"]["commit"], Head());
  EXPECT_EQ(data["commit"]["subject"], "Add a");
  EXPECT_EQ(data["commit"]["body"], "Because it was missing.");
  EXPECT_EQ(data["commit"]["author"]["email"], "test@example.com");
  EXPECT_EQ(data["branch"]["name"], "main");
}

TEST_F(GitWriteTest, CommitKeepsMessageLinesThatStartWithHash) {
  InitRepo();
  Write("a", "1\n");
  Data("add", {{"paths", {"a"}}});
  Json data = Data("commit", {{"message", "Fix crash\n\n#123 was the report"}});
  EXPECT_EQ(data["commit"]["body"], "#123 was the report");
}

TEST_F(GitWriteTest, CommitRefusesAnEmptyCommitUnlessAsked) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  std::string before = Head();
  Status s = Error("commit", {{"message", "nothing"}});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("nothing to commit"), std::string::npos) << s;
  EXPECT_NE(s.message().find("allow_empty"), std::string::npos) << s;
  EXPECT_EQ(Head(), before);
  Json data = Data("commit", {{"message", "empty on purpose"}, {"allow_empty", true}});
  EXPECT_NE(data["commit"]["commit"], before);
}

TEST_F(GitWriteTest, CommitAllStagesTrackedChangesFirst) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  Write("a", "2\n");
  Json data = Data("commit", {{"message", "second"}, {"all", true}});
  EXPECT_EQ(Git("ws", {"show", "HEAD:a"}), "2\n");
}

TEST_F(GitWriteTest, AuthorOverrideSetsTheAuthorButNotTheCommitter) {
  InitRepo();
  Write("a", "1\n");
  Json data = Data("commit", {{"message", "m"}, {"all", false}, {"allow_empty", true},
                              {"author", {{"name", "Ann Other"}, {"email", "ann@example.org"}}}});
  EXPECT_EQ(data["commit"]["author"]["name"], "Ann Other");
  EXPECT_EQ(data["commit"]["committer"]["name"], "Test User");
}

TEST_F(GitWriteTest, WithoutAnyIdentityCommitSaysHowToSetOne) {
  std::filesystem::create_directories(tmp_.Join("ws"));
  Git("ws", {"init", "-q", "-b", "main"});
  Write("a", "1\n");
  Git("ws", {"add", "a"});
  Status s = Error("commit", {{"message", "m"}});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("no identity"), std::string::npos) << s;
  EXPECT_NE(s.message().find("author"), std::string::npos) << s;
  // The author then serves as the committer too.
  Json data = Data("commit", {{"message", "m"}, {"author", {{"name", "Ann"}, {"email", "ann@example.org"}}}});
  EXPECT_EQ(data["commit"]["committer"]["email"], "ann@example.org");
}

TEST_F(GitWriteTest, IdentityFallsBackToTheUsersOwnGitConfig) {
  std::filesystem::create_directories(tmp_.Join("ws"));
  Git("ws", {"init", "-q", "-b", "main"});
  tmp_.WriteFile("home/.gitconfig", "[user]\n\tname = Home User\n\temail = home@example.net\n");
  GitOptions options = DefaultOptions();
  options.identity_config = tmp_.Join("home/.gitconfig");
  Rebind({{"/", tmp_.Join("ws")}}, options);
  Json data = Data("commit", {{"message", "m"}, {"allow_empty", true}});
  EXPECT_EQ(data["commit"]["author"]["name"], "Home User");
  EXPECT_EQ(data["commit"]["committer"]["email"], "home@example.net");
}

TEST_F(GitWriteTest, RestoreDiscardsOrUnstagesChanges) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  CommitFile("a", "2\n", "second");
  Write("a", "dirty\n");
  Json data = Data("restore", {{"paths", {"/a"}}});
  EXPECT_EQ(data["restored"], Json::array({"/a"}));
  EXPECT_EQ(Read("a"), "2\n");

  Write("a", "staged\n");
  Git("ws", {"add", "a"});
  Data("restore", {{"paths", {"a"}}, {"staged", true}});
  EXPECT_EQ(Read("a"), "staged\n");  // the work tree is untouched
  Json status = Data("status", Json::object());
  EXPECT_EQ(status["counts"]["staged"], 0);

  Data("restore", {{"paths", {"a"}}, {"source", "HEAD~1"}});
  EXPECT_EQ(Read("a"), "1\n");
}

TEST_F(GitWriteTest, InitCreatesARepositoryAndReinitIsHarmless) {
  std::filesystem::create_directories(tmp_.Join("ws/proj"));
  Json data = Data("init", {{"path", "/proj"}});
  EXPECT_EQ(data["repository"], "/proj");
  EXPECT_FALSE(data["reinitialized"].get<bool>());
  EXPECT_EQ(data["initial_branch"], "main");
  EXPECT_TRUE(Exists(tmp_.Join("ws/proj/.git/HEAD")));
  Json status = Data("status", {{"path", "/proj"}});
  EXPECT_EQ(status["branch"]["name"], "main");
  EXPECT_TRUE(status["branch"]["commit"].is_null());
  EXPECT_TRUE(Data("init", {{"path", "/proj"}})["reinitialized"].get<bool>());
}

}  // namespace
}  // namespace weft::venoms
