// AgentCgroup: leaves with their limits, joining at clone time, killing a
// whole tree, removal, and stale leaves of weft processes that are gone.
#include "core/agents/cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/agents/clone.h"
#include "core/base/files.h"
#include "tests/core/agents/agent_test_util.h"

namespace weft::agents {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string Trimmed(const std::string& path) {
  Result<std::string> text = ReadWholeFile(path);
  std::string s = text.ok() ? *text : "";
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// A child that leaves its process group and session, then sleeps.
int SetsidAndSleep(void*) {
  setsid();
  char* const argv[] = {const_cast<char*>("sleep"), const_cast<char*>("600"), nullptr};
  char* const envp[] = {nullptr};
  execve("/bin/sleep", argv, envp);
  return 127;
}

TEST(AgentCgroup, WritesTheLimitsAndRemovesItsLeaves) {
  const CgroupSupport& host = ProbeHost().cgroup;
  if (host.MemoryMechanism().empty() || host.PidsMechanism().empty()) GTEST_SKIP() << host.why;
  std::string memory, pids;
  Result<AgentCgroup> cg = AgentCgroup::Create(host, {64 << 20, 10}, &memory, &pids);
  ASSERT_TRUE(cg.ok()) << cg.status();
  EXPECT_EQ(memory, host.MemoryMechanism());
  EXPECT_EQ(pids, host.PidsMechanism());
  std::vector<std::string> dirs = cg->Dirs();
  ASSERT_FALSE(dirs.empty());
  bool saw_memory = false, saw_pids = false;
  for (const std::string& dir : dirs) {
    EXPECT_NE(dir.find("/weft-agent-" + std::to_string(getpid()) + "-"), std::string::npos) << dir;
    if (Exists(dir + "/memory.limit_in_bytes") && dir.rfind(host.v1_memory_dir, 0) == 0) {
      EXPECT_EQ(Trimmed(dir + "/memory.limit_in_bytes"), std::to_string(64 << 20));
      saw_memory = true;
    }
    if (Exists(dir + "/memory.max")) {
      EXPECT_EQ(Trimmed(dir + "/memory.max"), std::to_string(64 << 20));
      saw_memory = true;
    }
    if (Exists(dir + "/pids.max")) {
      EXPECT_EQ(Trimmed(dir + "/pids.max"), "10");
      saw_pids = true;
    }
  }
  EXPECT_TRUE(saw_memory && saw_pids);
  EXPECT_TRUE(cg->Unpopulated());
  EXPECT_FALSE(cg->OomKilled());
  EXPECT_FALSE(cg->PidsLimitHit());
  cg->Remove(std::chrono::milliseconds(1000));
  for (const std::string& dir : dirs) EXPECT_FALSE(Exists(dir)) << dir;
}

TEST(AgentCgroup, KillAllReachesAProcessThatLeftItsSession) {
  const CgroupSupport& host = ProbeHost().cgroup;
  if (host.v2_dir.empty() || !host.kill) GTEST_SKIP() << "no cgroup v2 leaf with cgroup.kill: " << host.why;
  std::string memory, pids;
  Result<AgentCgroup> cg = AgentCgroup::Create(host, {}, &memory, &pids);
  ASSERT_TRUE(cg.ok()) << cg.status();
  ASSERT_TRUE(cg->can_kill());
  std::vector<std::string> dirs = cg->Dirs();
  UniqueFd pidfd;
  Result<pid_t> child = host.clone_into ? CloneChild(0, SetsidAndSleep, nullptr, cg->clone_into_fd(), &pidfd)
                                        : Status::Unimplemented("no CLONE_INTO_CGROUP");
  if (!child.ok()) {
    // Join by writing to cgroup.procs instead (older kernels).
    child = CloneChild(0, SetsidAndSleep, nullptr, -1, &pidfd);
    ASSERT_TRUE(child.ok()) << child.status();
    int procs = open((dirs[0] + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(procs, 0);
    std::string pid = std::to_string(*child);
    ASSERT_EQ(write(procs, pid.data(), pid.size()), static_cast<ssize_t>(pid.size()));
    close(procs);
  }
  EXPECT_TRUE(testing::Eventually([&] { return !cg->Unpopulated(); }));
  cg->KillAll();
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PIDFD, static_cast<id_t>(pidfd.get()), &info, WEXITED), 0);
  EXPECT_EQ(info.si_code, CLD_KILLED);
  EXPECT_EQ(info.si_status, SIGKILL);
  EXPECT_TRUE(cg->Unpopulated());
  cg->Remove(std::chrono::milliseconds(1000));
  for (const std::string& dir : dirs) EXPECT_FALSE(Exists(dir)) << dir;
}

TEST(AgentCgroup, StaleLeavesOfGoneWeftProcessesAreRemoved) {
  const CgroupSupport& host = ProbeHost().cgroup;
  if (host.v2_dir.empty()) GTEST_SKIP() << "no cgroup v2 directory weft can write: " << host.why;
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  ASSERT_GT(gone, 0);
  waitpid(gone, nullptr, 0);
  std::string stale = host.v2_dir + "/weft-agent-" + std::to_string(gone) + "-1";
  std::string ours = host.v2_dir + "/weft-agent-" + std::to_string(getpid()) + "-999999";
  ASSERT_EQ(mkdir(stale.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(ours.c_str(), 0755), 0);
  EXPECT_GE(RemoveStaleAgentCgroups(host), 1);
  EXPECT_FALSE(Exists(stale));
  EXPECT_TRUE(Exists(ours)) << "a live weft's leaf was removed";
  rmdir(ours.c_str());
}

}  // namespace
}  // namespace weft::agents
