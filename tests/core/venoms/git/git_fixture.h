// A temporary workspace (tmp_/ws bound at "/") with the git venom
// registered over the real git, helpers that set up repositories with git
// itself, and helpers to call the ops through the registry's checked Call
// (input and output schemas enforced).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/base/fd.h"
#include "core/proc/spawn.h"
#include "core/venoms/git/git_venom.h"
#include "tests/core/venoms/venom_fixture.h"

namespace weft::venoms {

class GitVenomTest : public VenomTest {
 protected:
  GitVenomTest() : VenomTest("git") {}

  void SetUp() override {
    if (!HaveGit()) GTEST_SKIP() << "git is not installed";
    std::filesystem::create_directories(tmp_.Join("ws"));
    Rebind({{"/", tmp_.Join("ws")}});
  }

  static bool HaveGit() { return proc::FindProgram("git", getenv("PATH") ? getenv("PATH") : "").ok(); }

  // Options every test starts from: no user identity to fall back on
  // (identity_config is an empty file), so results never depend on the
  // machine's ~/.gitconfig.
  static GitOptions DefaultOptions() {
    GitOptions options;
    options.identity_config = "/dev/null";
    return options;
  }

  // Replaces the workspace (binds: namespace path → "/abs/dir[:ro]").
  void Rebind(const std::vector<std::pair<std::string, std::string>>& binds, GitOptions options = DefaultOptions(),
              bool read_only = false) {
    MakeWorkspace(binds, read_only);
    RegisterGitVenom(*registry_, *workspaces_, std::move(options));
  }

  // Runs git itself (isolated from the user's config) in tmp_/<dir> to set
  // up a fixture; the test fails when it does.
  std::string Git(const std::string& dir, std::vector<std::string> args) {
    UniqueFd fd(open(tmp_.Join(dir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    EXPECT_TRUE(fd.valid()) << dir;
    proc::ProcessSpec spec;
    spec.argv = {"git"};
    for (std::string& a : args) spec.argv.push_back(std::move(a));
    spec.env = {{"GIT_CONFIG_GLOBAL", "/dev/null"}, {"GIT_CONFIG_NOSYSTEM", "1"}, {"LC_ALL", "C"}};
    spec.cwd_fd = fd.get();
    spec.timeout = std::chrono::milliseconds(60'000);
    Result<proc::ProcessResult> r = proc::SystemSpawner().Run(spec);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "";
    EXPECT_TRUE(r->exited_ok()) << "git " << spec.argv[1] << ": " << r->stderr_data;
    return r->stdout_data;
  }

  // tmp_/<dir> as a repository on branch main with an identity in its config.
  void InitRepo(const std::string& dir = "ws") {
    std::filesystem::create_directories(tmp_.Join(dir));
    Git(dir, {"init", "-q", "-b", "main"});
    Git(dir, {"config", "user.name", "Test User"});
    Git(dir, {"config", "user.email", "test@example.com"});
  }
  // Writes tmp_/<dir>/<rel> and commits it.
  void CommitFile(const std::string& rel, const std::string& content, const std::string& message,
                  const std::string& dir = "ws") {
    tmp_.WriteFile(dir + "/" + rel, content);
    Git(dir, {"add", "--", rel});
    Git(dir, {"commit", "-q", "-m", message});
  }
  std::string Head(const std::string& dir = "ws") {
    std::string out = Git(dir, {"rev-parse", "HEAD"});
    return out.substr(0, out.find('\n'));
  }

  void Write(const std::string& rel, const std::string& content) { tmp_.WriteFile("ws/" + rel, content); }
  std::string Read(const std::string& rel) { return weft::testing::ReadFileOrDie(tmp_.Join("ws/" + rel)); }
  bool Exists(const std::string& abs) {
    struct stat st;
    return lstat(abs.c_str(), &st) == 0;
  }
};

}  // namespace weft::venoms
