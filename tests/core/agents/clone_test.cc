// CloneChild: fork-like and vfork-like children on their own stacks, and the
// child-side descriptor sweep.
#include "core/agents/clone.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace weft::agents {
namespace {

int g_value = 0;

int SetValue(void* arg) {
  g_value = *static_cast<int*>(arg);
  return 7;
}

siginfo_t Wait(const UniqueFd& pidfd) {
  siginfo_t info{};
  EXPECT_EQ(waitid(P_PIDFD, static_cast<id_t>(pidfd.get()), &info, WEXITED), 0);
  return info;
}

TEST(CloneChild, ForkLikeChildRunsOnACopy) {
  g_value = 1;
  int two = 2;
  UniqueFd pidfd;
  Result<pid_t> pid = CloneChild(0, SetValue, &two, -1, &pidfd);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_GE(pidfd.get(), 0);
  siginfo_t info = Wait(pidfd);
  EXPECT_EQ(info.si_pid, *pid);
  EXPECT_EQ(info.si_code, CLD_EXITED);
  EXPECT_EQ(info.si_status, 7);
  EXPECT_EQ(g_value, 1);
}

TEST(CloneChild, VforkLikeChildSharesMemoryAndIsDoneWhenCloneReturns) {
  g_value = 1;
  int three = 3;
  UniqueFd pidfd;
  Result<pid_t> pid = CloneChild(CLONE_VM | CLONE_VFORK, SetValue, &three, -1, &pidfd);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(g_value, 3);
  EXPECT_EQ(Wait(pidfd).si_status, 7);
}

int SweepDescriptors(void* arg) {
  const int* fds = static_cast<const int*>(arg);  // {keep, drop_low, drop_high}
  child::CloseAllExcept(fds, 1);
  bool kept = fcntl(fds[0], F_GETFD) >= 0;
  bool dropped = fcntl(fds[1], F_GETFD) < 0 && fcntl(fds[2], F_GETFD) < 0;
  bool stdio = fcntl(2, F_GETFD) >= 0;
  return kept && dropped && stdio ? 0 : 1;
}

TEST(ChildSteps, CloseAllExceptKeepsOnlyWhatIsListedAndStdio) {
  UniqueFd low(open("/dev/null", O_RDONLY | O_CLOEXEC));
  UniqueFd keep(open("/dev/null", O_RDONLY | O_CLOEXEC));
  UniqueFd high(fcntl(keep.get(), F_DUPFD_CLOEXEC, 200));
  ASSERT_LT(low.get(), keep.get());
  int fds[3] = {keep.get(), low.get(), high.get()};
  UniqueFd pidfd;
  Result<pid_t> pid = CloneChild(0, SweepDescriptors, fds, -1, &pidfd);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(Wait(pidfd).si_status, 0);
}

}  // namespace
}  // namespace weft::agents
