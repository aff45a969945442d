// Bad input and hostile repositories: option-like refs and paths,
// repositories outside the workspace (by '..', symlink, .git file,
// core.worktree, alternates, or git's upward search), read-only binds, and
// repository or user config that would run programs or wait (hooks,
// editors, fsmonitor, filters, textconv, gpg, the user's global config).
// Each gets a clear error or a bounded result, and no program runs.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "tests/core/venoms/git/git_fixture.h"

namespace weft::venoms {
namespace {

class GitSafetyTest : public GitVenomTest {
 protected:
  // tmp_/<name>: a script that leaves tmp_/marker behind when run, then
  // does `tail` (e.g. "cat" for a filter, "sleep 600" to hang).
  std::string Script(const std::string& name, const std::string& tail = "exit 0") {
    tmp_.WriteFile(name, "#!/bin/sh\ntouch '" + Marker() + "'\n" + tail + "\n");
    chmod(tmp_.Join(name).c_str(), 0755);
    return tmp_.Join(name);
  }
  std::string Marker() { return tmp_.Join("marker"); }
  bool Ran() { return Exists(Marker()); }
};

TEST_F(GitSafetyTest, RefsThatLookLikeOptionsAreRefusedEverywhere) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  std::string evil = "--output=" + tmp_.Join("written");
  struct Case {
    const char* op;
    Json args;
  };
  const Case cases[] = {
      {"diff", {{"from", evil}}},
      {"diff", {{"from", "HEAD"}, {"to", evil}}},
      {"log", {{"rev", evil}}},
      {"show", {{"rev", evil}}},
      {"blame", {{"file", "/a"}, {"rev", evil}}},
      {"branch_create", {{"name", evil}}},
      {"branch_create", {{"name", "ok"}, {"start_point", evil}}},
      {"branch_delete", {{"name", evil}}},
      {"checkout", {{"target", evil}}},
      {"checkout", {{"target", "ok"}, {"create", true}, {"start_point", evil}}},
      {"restore", {{"paths", {"a"}}, {"source", evil}}},
      {"init", {{"initial_branch", evil}}},
  };
  for (const Case& c : cases) {
    Status s = Error(c.op, c.args);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.op << " " << c.args.dump() << ": " << s;
    EXPECT_NE(s.message().find("begins with '-'"), std::string::npos) << c.op << ": " << s;
  }
  EXPECT_FALSE(Exists(tmp_.Join("written")));
}

TEST_F(GitSafetyTest, PathsThatBeginWithADashAreRefusedAndDotSlashWorks) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  Write("-rf", "not an option\n");
  for (const char* op : {"add", "restore", "status", "diff", "log", "stash_push"}) {
    Status s = Error(op, {{"paths", {"-rf"}}});
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << op << ": " << s;
    EXPECT_NE(s.message().find("./-rf"), std::string::npos) << op << ": " << s;
  }
  EXPECT_EQ(Error("blame", {{"file", "--help"}}).code(), StatusCode::kInvalidArgument);
  Json staged = Data("add", {{"paths", {"./-rf"}}});
  ASSERT_EQ(staged["staged"].size(), 1u);
  EXPECT_EQ(staged["staged"][0]["path"], "/-rf");
  EXPECT_TRUE(Exists(tmp_.Join("ws/a")));
}

TEST_F(GitSafetyTest, RepositoryPathsOutsideTheWorkspaceAreRefused) {
  InitRepo("outside");
  CommitFile("secret.txt", "secret\n", "outside", "outside");
  InitRepo();
  Status dotdot = Error("status", {{"path", "/../outside"}});
  EXPECT_EQ(dotdot.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dotdot.message().find("'..'"), std::string::npos) << dotdot;

  Status host = Error("log", {{"path", tmp_.Join("outside")}});
  EXPECT_EQ(host.message().find("secret"), std::string::npos) << host;

  ASSERT_EQ(symlink(tmp_.Join("outside").c_str(), tmp_.Join("ws/link").c_str()), 0);
  Status link = Error("log", {{"path", "/link"}});
  EXPECT_EQ(link.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(link.message().find("escapes the workspace"), std::string::npos) << link;

  Status file_outside = Error("show", {{"file", "/../outside/secret.txt"}});
  EXPECT_EQ(file_outside.code(), StatusCode::kInvalidArgument);
}

TEST_F(GitSafetyTest, GitsUpwardSearchStopsAtTheBindRoot) {
  // tmp_ itself is a repository; the workspace's bind (tmp_/ws) is not.
  Git("", {"init", "-q"});
  Status s = Error("status", Json::object());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("not in a git repository"), std::string::npos) << s;
  EXPECT_NE(s.message().find("git_init"), std::string::npos) << s;
  EXPECT_EQ(s.message().find(tmp_.path()), std::string::npos) << "host paths leak: " << s;
}

TEST_F(GitSafetyTest, AGitFileOrWorktreeOutsideTheWorkspaceIsRefused) {
  InitRepo("outside");
  CommitFile("secret.txt", "secret\n", "outside", "outside");
  Write(".git", "gitdir: " + tmp_.Join("outside/.git") + "\n");
  Status gitfile = Error("log", Json::object());
  EXPECT_EQ(gitfile.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(gitfile.message().find("outside the workspace"), std::string::npos) << gitfile;

  std::filesystem::remove(tmp_.Join("ws/.git"));
  InitRepo();
  Git("ws", {"config", "core.worktree", tmp_.Join("outside")});
  Status worktree = Error("status", Json::object());
  EXPECT_EQ(worktree.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(worktree.message().find("work tree"), std::string::npos) << worktree;
}

TEST_F(GitSafetyTest, ObjectsBorrowedFromOutsideTheWorkspaceAreRefused) {
  InitRepo("outside");
  CommitFile("secret.txt", "secret\n", "outside", "outside");
  InitRepo();
  tmp_.WriteFile("ws/.git/objects/info/alternates", tmp_.Join("outside/.git/objects") + "\n");
  Status s = Error("show", {{"rev", Head("outside")}});
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("alternates"), std::string::npos) << s;
}

TEST_F(GitSafetyTest, MutatingOpsOnAReadOnlyBindAreRefused) {
  InitRepo();
  CommitFile("a", "1\n", "first");
  Write("a", "2\n");
  Rebind({{"/", tmp_.Join("ws") + ":ro"}});
  EXPECT_EQ(Data("status", Json::object())["counts"]["unstaged"], 1);
  for (const char* op : {"add", "commit", "restore", "stash_push", "branch_create", "init"}) {
    Json args = {{"paths", {"a"}}, {"message", "m"}, {"name", "b"}};
    if (std::string(op) == "init" || std::string(op) == "stash_push" || std::string(op) == "commit") {
      args = std::string(op) == "commit" ? Json{{"message", "m"}} : Json::object();
    }
    if (std::string(op) == "branch_create") args = {{"name", "b"}};
    if (std::string(op) == "add" || std::string(op) == "restore") args = {{"paths", {"a"}}};
    Status s = Error(op, args);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << op << ": " << s;
    EXPECT_NE(s.message().find("read-only"), std::string::npos) << op << ": " << s;
  }
  EXPECT_EQ(Read("a"), "2\n");
}

TEST_F(GitSafetyTest, HooksNeverRunByDefaultSoAHangingHookCannotHang) {
  InitRepo();
  Write("a", "1\n");
  Git("ws", {"add", "a"});
  std::string hook = Script("ws/.git/hooks/pre-commit", "sleep 600");
  Script("ws/.git/hooks/post-checkout", "sleep 600");
  Script("ws/.git/hooks/reference-transaction", "sleep 600");
  Data("commit", {{"message", "m"}});
  Data("checkout", {{"target", "x"}, {"create", true}});
  EXPECT_FALSE(Ran());

  Status refused = Error("commit", {{"message", "m"}, {"allow_empty", true}, {"run_hooks", true}});
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.message().find("hooks"), std::string::npos) << refused;
  EXPECT_FALSE(Ran());
}

TEST_F(GitSafetyTest, AllowedHooksRunWithoutATerminalAndTheirFailureIsAnError) {
  InitRepo();
  GitOptions options = DefaultOptions();
  options.allow_hooks = true;
  Rebind({{"/", tmp_.Join("ws")}}, options);
  // Reading stdin gets end-of-file at once: nothing waits for input.
  Script("ws/.git/hooks/pre-commit", "read line; echo 'lint failed: tabs' >&2; exit 1");
  Status failed = Error("commit", {{"message", "m"}, {"allow_empty", true}, {"run_hooks", true}});
  EXPECT_TRUE(Ran());
  EXPECT_NE(failed.message().find("lint failed: tabs"), std::string::npos) << failed;

  Script("ws/.git/hooks/pre-commit", "read line; exit 0");
  Data("commit", {{"message", "m"}, {"allow_empty", true}, {"run_hooks", true}});
}

TEST_F(GitSafetyTest, AHookThatHangsIsStoppedAtTheTimeLimit) {
  InitRepo();
  GitOptions options = DefaultOptions();
  options.allow_hooks = true;
  options.timeout = std::chrono::milliseconds(1500);
  Rebind({{"/", tmp_.Join("ws")}}, options);
  Script("ws/.git/hooks/pre-commit", "exec sleep 600");
  Status s = Error("commit", {{"message", "m"}, {"allow_empty", true}, {"run_hooks", true}});
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(s.message().find("hook"), std::string::npos) << s;
}

TEST_F(GitSafetyTest, RepositoryConfigCannotRunEditorsFsmonitorFiltersTextconvOrGpg) {
  InitRepo();
  CommitFile("a.txt", "1\n", "first");
  std::string evil = Script("evil.sh", "cat");
  Git("ws", {"config", "core.editor", evil});
  Git("ws", {"config", "sequence.editor", evil});
  Git("ws", {"config", "core.fsmonitor", evil});
  Git("ws", {"config", "core.pager", evil});
  Git("ws", {"config", "filter.evil.clean", evil});
  Git("ws", {"config", "filter.evil.smudge", evil});
  Git("ws", {"config", "filter.evil.required", "true"});
  Git("ws", {"config", "diff.evil.textconv", evil});
  Git("ws", {"config", "diff.external", evil});
  Git("ws", {"config", "commit.gpgSign", "true"});
  Git("ws", {"config", "gpg.program", evil});
  Write(".gitattributes", "*.txt filter=evil diff=evil\n");
  Write("a.txt", "2\n");
  Write("b.txt", "b\n");
  Data("status", Json::object());
  Data("diff", Json::object());
  Data("add", {{"all", true}});
  Data("commit", {{"message", "m"}});
  Data("show", Json::object());
  Data("log", Json::object());
  Data("blame", {{"file", "a.txt"}});
  Write("a.txt", "3\n");
  Data("stash_push", Json::object());
  Data("stash_pop", Json::object());
  Data("restore", {{"paths", {"a.txt"}}});
  Data("checkout", {{"target", "HEAD~1"}, {"detach", true}});
  EXPECT_FALSE(Ran());
  EXPECT_EQ(Git("ws", {"show", "-s", "--format=%G?", "main"}), "N\n");  // not signed
}

TEST_F(GitSafetyTest, TheUsersGlobalConfigIsNotAppliedOnlyItsIdentityIsRead) {
  std::filesystem::create_directories(tmp_.Join("ws"));
  Git("ws", {"init", "-q", "-b", "main"});
  std::string evil = Script("evil.sh");
  tmp_.WriteFile("home/.gitconfig", "[user]\n\tname = Global User\n\temail = global@example.net\n[core]\n\thooksPath = " +
                                        tmp_.Join("globalhooks") + "\n\tfsmonitor = " + evil + "\n\tpager = " + evil +
                                        "\n[commit]\n\tgpgSign = true\n[gpg]\n\tprogram = " + evil + "\n");
  Script("globalhooks/pre-commit");
  const char* old_home = getenv("HOME");
  std::string saved = old_home != nullptr ? old_home : "";
  setenv("HOME", tmp_.Join("home").c_str(), 1);
  GitOptions options = DefaultOptions();
  options.identity_config = "";  // the user's own files under $HOME
  Rebind({{"/", tmp_.Join("ws")}}, options);
  Write("a", "1\n");
  Data("add", {{"paths", {"a"}}});
  Result<Reply> r = Call("commit", {{"message", "m"}});
  if (old_home != nullptr) setenv("HOME", saved.c_str(), 1); else unsetenv("HOME");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["commit"]["author"]["name"], "Global User");
  EXPECT_EQ(r->data["commit"]["committer"]["email"], "global@example.net");
  EXPECT_FALSE(Ran());
}

}  // namespace
}  // namespace weft::venoms
