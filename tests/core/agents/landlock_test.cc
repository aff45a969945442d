// Landlock: rights per ABI, the /etc secrets left out of the plan, and a
// plan applied for real in a child.
#include "core/agents/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "core/agents/host_probe.h"
#include "tests/support/temp_dir.h"

namespace weft::agents::landlock {
namespace {

std::vector<std::string> Paths(const std::vector<Plan::Rule>& rules) {
  std::vector<std::string> out;
  for (const Plan::Rule& r : rules) out.push_back(r.path);
  return out;
}

const Plan::Rule* RuleFor(const Plan& plan, const std::string& path) {
  for (const Plan::Rule& r : plan.rules) {
    if (r.path == path) return &r;
  }
  return nullptr;
}

TEST(Landlock, FsRightsGrowWithTheAbi) {
  EXPECT_EQ(FsRights(0), 0u);
  EXPECT_EQ(FsRights(1), (1ULL << 13) - 1);
  EXPECT_EQ(FsRights(2), FsRights(1) | kRefer);
  EXPECT_EQ(FsRights(3), FsRights(2) | kTruncate);
  EXPECT_EQ(FsRights(4), FsRights(3));  // ABI 4 added network rights only
  EXPECT_EQ(FsRights(5), FsRights(4) | kIoctlDev);
  EXPECT_EQ(FsRights(7), FsRights(5));
}

TEST(Landlock, ReadRulesLeaveOutTheDeniedEntries) {
  weft::testing::ScopedTempDir dir;
  for (const char* f : {"a", "b", "secret", "keys/host_key", "keys/host_key.pub", "keys/config"}) dir.WriteFile(f, "x");
  std::vector<std::string> got = Paths(ReadRulesExcept(dir.path(), {"secret", "keys/host_*"}));
  EXPECT_EQ(got, (std::vector<std::string>{dir.Join("a"), dir.Join("b"), dir.Join("keys/config")}));
}

TEST(Landlock, PlanGrantsReadingTheSystemAndWritingItsPaths) {
  weft::testing::ScopedTempDir ws;
  ws.WriteFile("file.txt", "x");
  Plan plan = BuildPlan(7, {"/usr", "/etc", "/weft-no-such-dir"}, {ws.path(), ws.Join("file.txt")}, false);
  EXPECT_EQ(plan.handled_fs, FsRights(7));
  EXPECT_EQ(plan.handled_net, kNetBindTcp | kNetConnectTcp);
  EXPECT_EQ(plan.scoped, kScopeAbstractUnixSocket | kScopeSignal);
  ASSERT_NE(RuleFor(plan, "/"), nullptr);
  EXPECT_EQ(RuleFor(plan, "/")->rights, kReadDir);
  ASSERT_NE(RuleFor(plan, "/usr"), nullptr);
  EXPECT_EQ(RuleFor(plan, "/usr")->rights, kReadRights);
  ASSERT_NE(RuleFor(plan, ws.path()), nullptr);
  EXPECT_EQ(RuleFor(plan, ws.path())->rights, FsRights(7));
  // Directory-only rights are not asked for on a file.
  ASSERT_NE(RuleFor(plan, ws.Join("file.txt")), nullptr);
  EXPECT_EQ(RuleFor(plan, ws.Join("file.txt"))->rights, kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev);
  EXPECT_EQ(RuleFor(plan, "/weft-no-such-dir"), nullptr);
  // /etc is granted entry by entry, its secrets left out.
  EXPECT_EQ(RuleFor(plan, "/etc"), nullptr);
  EXPECT_EQ(RuleFor(plan, "/etc/shadow"), nullptr);
  EXPECT_EQ(RuleFor(plan, "/etc/gshadow"), nullptr);
  if (access("/etc/hostname", F_OK) == 0) {
    EXPECT_NE(RuleFor(plan, "/etc/hostname"), nullptr);
  }

  Plan older = BuildPlan(3, {"/usr"}, {}, false);
  EXPECT_EQ(older.handled_net, 0u);  // no TCP rules before ABI 4
  EXPECT_EQ(older.scoped, 0u);
  Plan networked = BuildPlan(7, {"/usr"}, {}, true);
  EXPECT_EQ(networked.handled_net, 0u);
}

// In a child: restricted to reading /usr and writing one directory.
TEST(Landlock, AppliedPlanAllowsItsPathsAndRefusesTheRest) {
  const HostSupport& host = ProbeHost();
  if (!host.landlock.ok) GTEST_SKIP() << host.landlock.why;
  weft::testing::ScopedTempDir ws;
  Plan plan = BuildPlan(host.landlock_abi, {"/usr"}, {ws.path()}, false);
  pid_t child = fork();
  if (child == 0) {
    int rule = -1;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ApplyInChild(plan, &rule) != 0) _exit(10);
    int w = open((ws.path() + "/ok").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (w < 0) _exit(11);
    int r = open("/usr/bin/true", O_RDONLY | O_CLOEXEC);
    if (r < 0) _exit(12);
    if (open("/etc/hostname", O_RDONLY | O_CLOEXEC) >= 0 || errno != EACCES) _exit(13);
    if (open("/var/tmp/weft-landlock-test", O_WRONLY | O_CREAT | O_CLOEXEC, 0644) >= 0 || errno != EACCES) _exit(14);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: apply, 11: write in the workspace, 12: read /usr, 13: /etc readable, "
                                       "14: /var/tmp writable";
}

}  // namespace
}  // namespace weft::agents::landlock
