// git_branch_list/create/delete, git_checkout and the stash ops over real
// repositories.
#include <string>

#include "tests/core/venoms/git/git_fixture.h"

namespace weft::venoms {
namespace {

using GitBranchTest = GitVenomTest;

TEST_F(GitBranchTest, CreateListAndDeleteBranches) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  Json created = Data("branch_create", {{"name", "feature"}});
  EXPECT_EQ(created["commit"], Head());
  Json list = Data("branch_list", Json::object());
  EXPECT_EQ(list["current"], "main");
  ASSERT_EQ(list["branches"].size(), 2u);
  EXPECT_EQ(list["branches"][0]["name"], "feature");
  EXPECT_FALSE(list["branches"][0]["current"].get<bool>());
  EXPECT_TRUE(list["branches"][1]["current"].get<bool>());
  EXPECT_EQ(list["branches"][1]["subject"], "first");

  Json deleted = Data("branch_delete", {{"name", "feature"}});
  EXPECT_EQ(deleted["commit"], Head());
  EXPECT_EQ(Data("branch_list", Json::object())["branches"].size(), 1u);
  Status again = Error("branch_delete", {{"name", "feature"}});
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
}

TEST_F(GitBranchTest, DeletingAnUnmergedBranchNeedsForce) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  Git("ws", {"switch", "-q", "-c", "topic"});
  CommitFile("b", "2\n", "on topic");
  Git("ws", {"switch", "-q", "main"});
  Status s = Error("branch_delete", {{"name", "topic"}});
  EXPECT_NE(s.message().find("force: true"), std::string::npos) << s;
  Data("branch_delete", {{"name", "topic"}, {"force", true}});
}

TEST_F(GitBranchTest, CheckoutSwitchesCreatesAndDetaches) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  std::string first = Head();
  CommitFile("a", "2\n", "second");
  Json created = Data("checkout", {{"target", "old"}, {"create", true}, {"start_point", "HEAD~1"}});
  EXPECT_EQ(created["branch"]["name"], "old");
  EXPECT_EQ(created["branch"]["commit"], first);
  EXPECT_EQ(Read("a"), "1\n");
  Json back = Data("checkout", {{"target", "main"}});
  EXPECT_EQ(back["branch"]["name"], "main");
  Json detached = Data("checkout", {{"target", first}, {"detach", true}});
  EXPECT_TRUE(detached["branch"]["detached"].get<bool>());
  EXPECT_TRUE(detached["branch"]["name"].is_null());
  Status not_branch = Error("checkout", {{"target", first}});
  EXPECT_NE(not_branch.message().find("detach: true"), std::string::npos) << not_branch;
}

TEST_F(GitBranchTest, CheckoutRefusesToOverwriteLocalChangesUnlessForced) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  Git("ws", {"branch", "other"});
  CommitFile("a", "2\n", "second");
  Write("a", "local edit\n");
  Status s = Error("checkout", {{"target", "other"}});
  EXPECT_NE(s.message().find("force: true"), std::string::npos) << s;
  EXPECT_EQ(Read("a"), "local edit\n");
  Data("checkout", {{"target", "other"}, {"force", true}});
  EXPECT_EQ(Read("a"), "1\n");
}

TEST_F(GitBranchTest, StashPushListAndPop) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  Json nothing = Data("stash_push", Json::object());
  EXPECT_FALSE(nothing["stashed"].get<bool>());

  Write("a", "changed\n");
  Json pushed = Data("stash_push", {{"message", "wip on a"}});
  EXPECT_TRUE(pushed["stashed"].get<bool>());
  EXPECT_EQ(pushed["stash"]["ref"], "stash@{0}");
  EXPECT_NE(pushed["stash"]["message"].get<std::string>().find("wip on a"), std::string::npos);
  EXPECT_EQ(Read("a"), "1\n");

  Json list = Data("stash_list", Json::object());
  ASSERT_EQ(list["stashes"].size(), 1u);

  Json applied = Data("stash_pop", {{"keep", true}});
  EXPECT_FALSE(applied["dropped"].get<bool>());
  EXPECT_EQ(Read("a"), "changed\n");
  EXPECT_EQ(Data("stash_list", Json::object())["stashes"].size(), 1u);
  Git("ws", {"checkout", "--", "a"});
  Json popped = Data("stash_pop", Json::object());
  EXPECT_TRUE(popped["dropped"].get<bool>());
  EXPECT_EQ(popped["changed"], Json::array({"/a"}));
  EXPECT_EQ(Data("stash_list", Json::object())["stashes"].size(), 0u);
}

TEST_F(GitBranchTest, StashIncludesUntrackedFilesWhenAsked) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  Write("new.txt", "n\n");
  Data("stash_push", {{"include_untracked", true}});
  EXPECT_FALSE(Exists(tmp_.Join("ws/new.txt")));
  Data("stash_pop", Json::object());
  EXPECT_EQ(Read("new.txt"), "n\n");
}

}  // namespace
}  // namespace weft::venoms
