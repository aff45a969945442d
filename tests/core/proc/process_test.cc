// Process: starting into a new group, reaping once, and cleanup on destruction.
#include "core/proc/process.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <string>

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

// Everything readable from `fd` until end of file (EIO on a terminal's master).
std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

TEST(Process, OnATerminalLeadsASessionWithItAsControllingTerminal) {
  LaunchSpec spec;
  // /dev/tty opens only for a process with a controlling terminal.
  spec.argv = {"sh", "-c", "stty size; echo via-tty >/dev/tty"};
  spec.pty = TerminalSize{.cols = 101, .rows = 33};
  Result<Process> p = Process::Start(spec);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_GE(p->terminal_fd(), 0);
  EXPECT_EQ(p->stdout_fd(), -1);
  EXPECT_EQ(p->stdin_fd(), -1);
  EXPECT_EQ(getsid(p->pid()), p->pid());
  std::string out = ReadAll(p->terminal_fd());
  EXPECT_EQ(p->Reap().code, 0) << out;
  EXPECT_NE(out.find("33 101"), std::string::npos) << out;
  EXPECT_NE(out.find("via-tty"), std::string::npos) << out;
}

TEST(Process, MergedStderrArrivesInOrderOnStdout) {
  LaunchSpec spec;
  spec.argv = {"sh", "-c", "echo one; echo two >&2; echo three"};
  spec.merge_stderr = true;
  Result<Process> p = Process::Start(spec);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->stderr_fd(), -1);
  EXPECT_EQ(ReadAll(p->stdout_fd()), "one\ntwo\nthree\n");
  EXPECT_EQ(p->Reap().code, 0);
}

TEST(Process, SignalAllReachesJobsInOtherGroupsOfTheSession) {
  LaunchSpec spec;
  // setsid-less job control by hand: the background job moves to a group of its own.
  spec.argv = {"sh", "-c", "set -m; sleep 100 & echo started; wait"};
  spec.pty = TerminalSize{};
  Result<Process> p = Process::Start(spec);
  ASSERT_TRUE(p.ok()) << p.status();
  std::string seen;
  char buf[256];
  while (seen.find("started") == std::string::npos) {
    ssize_t n = read(p->terminal_fd(), buf, sizeof(buf));
    ASSERT_GT(n, 0);
    seen.append(buf, static_cast<size_t>(n));
  }
  pid_t sid = p->pid();
  bool other_group = false;
  for (int i = 0; i < 1000 && !other_group; ++i) {
    for (pid_t member : testing::LiveSessionMembers(sid)) other_group = other_group || getpgid(member) != sid;
    if (!other_group) usleep(10'000);
  }
  ASSERT_TRUE(other_group) << "the job should lead a group of its own";
  p->SignalAll(SIGKILL);
  p->Reap();
  EXPECT_TRUE(testing::SessionGone(sid));
}

}  // namespace
}  // namespace weft::proc
