// What the git ops share: argument checks, UTF-8 and caps, the isolation
// environment, and the error for a missing git binary.
#include "core/venoms/git/git_run.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "tests/core/venoms/git/git_fixture.h"

namespace weft::venoms {
namespace {

using git::CheckRevision;

bool HasEnv(const git::EnvList& env, const std::string& key, const std::string& value) {
  return std::find(env.begin(), env.end(), std::make_pair(key, value)) != env.end();
}
// The value of config `key` set through GIT_CONFIG_KEY_n/VALUE_n, or "<unset>".
std::string ConfigValue(const git::EnvList& env, const std::string& key) {
  for (const auto& [k, v] : env) {
    if (k.rfind("GIT_CONFIG_KEY_", 0) == 0 && v == key) {
      std::string value_key = "GIT_CONFIG_VALUE_" + k.substr(15);
      for (const auto& [k2, v2] : env) {
        if (k2 == value_key) return v2;
      }
    }
  }
  return "<unset>";
}

TEST(CheckRevision, RefusesOptionLikeValues) {
  Status s = CheckRevision("from", "--output=/tmp/x");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("begins with '-'"), std::string::npos) << s;
  EXPECT_EQ(CheckRevision("rev", "-n").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckRevision("rev", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckRevision("rev", std::string("a\0b", 3)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckRevision("rev", "main\n--x").code(), StatusCode::kInvalidArgument);
}

TEST(CheckRevision, AcceptsRefsRangesAndExpressions) {
  for (const char* ok : {"main", "HEAD~2", "v1.0^{commit}", "main..feature", "a1b2c3d", "refs/heads/-odd", "@{u}"}) {
    EXPECT_TRUE(CheckRevision("rev", ok).ok()) << ok;
  }
}

TEST(CapText, CutsAtALineEndAndSaysSo) {
  bool cut = false;
  EXPECT_EQ(git::CapText("one\ntwo\nthree\n", 100, &cut), "one\ntwo\nthree\n");
  EXPECT_FALSE(cut);
  EXPECT_EQ(git::CapText("one\ntwo\nthree\n", 10, &cut), "one\ntwo\n");
  EXPECT_TRUE(cut);
}

TEST(GitEnvironment, IsolatesFromUserConfigAndDisablesHooksAndPrompts) {
  git::Repo repo;
  repo.bind_real = "/home/me/proj";
  git::EnvList env = git::GitEnvironment(repo);
  EXPECT_TRUE(HasEnv(env, "GIT_CONFIG_GLOBAL", "/dev/null"));
  EXPECT_TRUE(HasEnv(env, "GIT_CONFIG_NOSYSTEM", "1"));
  EXPECT_TRUE(HasEnv(env, "GIT_TERMINAL_PROMPT", "0"));
  EXPECT_TRUE(HasEnv(env, "GIT_EDITOR", ":"));
  EXPECT_TRUE(HasEnv(env, "GIT_PAGER", "cat"));
  EXPECT_TRUE(HasEnv(env, "GIT_CEILING_DIRECTORIES", "/home/me"));
  EXPECT_TRUE(HasEnv(env, "GIT_OPTIONAL_LOCKS", "0"));  // a read op
  EXPECT_EQ(ConfigValue(env, "core.hooksPath"), "/dev/null");
  EXPECT_EQ(ConfigValue(env, "core.fsmonitor"), "false");
  EXPECT_EQ(ConfigValue(env, "protocol.allow"), "never");
  EXPECT_EQ(ConfigValue(env, "commit.gpgSign"), "false");

  repo.write = true;
  repo.hooks = true;
  env = git::GitEnvironment(repo);
  EXPECT_FALSE(HasEnv(env, "GIT_OPTIONAL_LOCKS", "0"));
  EXPECT_EQ(ConfigValue(env, "core.hooksPath"), "<unset>");
}

using GitRunTest = GitVenomTest;

TEST_F(GitRunTest, MissingGitIsAClearErrorSayingHowToInstallIt) {
  InitRepo();
  GitOptions options = DefaultOptions();
  options.git = tmp_.Join("no/such/git");
  Rebind({{"/", tmp_.Join("ws")}}, options);
  Status s = Error("status", Json::object());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("apt-get install git"), std::string::npos) << s;
  EXPECT_NE(s.message().find("WEFT_GIT"), std::string::npos) << s;
}

}  // namespace
}  // namespace weft::venoms
