// Process: starting into a new group, reaping once, and cleanup on destruction.
#include "core/proc/process.h"

#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/core/proc/proc_test_util.h"

namespace weft::proc {
namespace {

TEST(Process, LeadsItsOwnProcessGroup) {
  LaunchSpec spec;
  spec.argv = {"sleep", "100"};
  Result<Process> p = Process::Start(spec);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(getpgid(p->pid()), p->pid());
  EXPECT_NE(getpgid(p->pid()), getpgrp());
  EXPECT_GE(p->pidfd(), 0);
  p->SignalGroup(SIGKILL);
  ExitStatus s = p->Reap();
  EXPECT_TRUE(s.signaled);
  EXPECT_EQ(s.signal, SIGKILL);
}

TEST(Process, ReapsExactlyOnce) {
  LaunchSpec spec;
  spec.argv = {"sh", "-c", "exit 7"};
  Result<Process> p = Process::Start(spec);
  ASSERT_TRUE(p.ok()) << p.status();
  ExitStatus first = p->Reap();
  EXPECT_EQ(first.code, 7);
  EXPECT_TRUE(p->reaped());
  std::optional<ExitStatus> again = p->TryReap();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->code, 7);
  EXPECT_TRUE(p->HasExited());
}

TEST(Process, HasExitedLeavesTheChildToReap) {
  LaunchSpec spec;
  spec.argv = {"true"};
  Result<Process> p = Process::Start(spec);
  ASSERT_TRUE(p.ok()) << p.status();
  while (!p->HasExited()) usleep(1000);
  EXPECT_FALSE(p->reaped());
  EXPECT_EQ(p->Reap().code, 0);
}

TEST(Process, DestructionKillsTheGroup) {
  pid_t pgid = -1;
  {
    LaunchSpec spec;
    spec.argv = {"sh", "-c", "sleep 100 & sleep 100"};
    Result<Process> p = Process::Start(spec);
    ASSERT_TRUE(p.ok()) << p.status();
    pgid = p->pgid();
  }
  EXPECT_TRUE(testing::GroupGone(pgid));
}

}  // namespace
}  // namespace weft::proc
