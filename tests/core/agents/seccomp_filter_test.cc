// The strict profile's seccomp filter: built once, and refusing for real.
#include "core/agents/seccomp_filter.h"

#include <errno.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/agents/host_probe.h"

namespace weft::agents::seccomp {
namespace {

TEST(Seccomp, ProgramIsBuiltOnce) {
  Result<const Program*> first = StrictProgram();
  ASSERT_TRUE(first.ok()) << first.status();
  Result<const Program*> second = StrictProgram();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_GT((*first)->code.size(), DeniedSyscalls().size());
  EXPECT_EQ((*first)->fprog.len, (*first)->code.size());
  EXPECT_EQ((*first)->fprog.filter, (*first)->code.data());
}

// In a child: what the filter refuses fails with EPERM (clone3 with ENOSYS,
// so C libraries fall back to clone), the rest works.
TEST(Seccomp, InstalledFilterRefusesWithEperm) {
  const HostSupport& host = ProbeHost();
  if (!host.seccomp.ok) GTEST_SKIP() << host.seccomp.why;
  Result<const Program*> program = StrictProgram();
  ASSERT_TRUE(program.ok()) << program.status();
  pid_t child = fork();
  if (child == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || InstallInChild(**program) != 0) _exit(10);
    if (umount2("/weft-no-such-mount", 0) == 0 || errno != EPERM) _exit(11);
    if (unshare(CLONE_NEWUSER) == 0 || errno != EPERM) _exit(12);
    if (syscall(SYS_clone3, nullptr, 0) != -1 || errno != ENOSYS) _exit(13);
    if (syscall(SYS_bpf, 0, nullptr, 0) != -1 || errno != EPERM) _exit(14);
    if (getpid() <= 0) _exit(15);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: install, 11: umount2, 12: unshare(CLONE_NEWUSER), 13: clone3, 14: bpf, "
                                       "15: getpid";
}

}  // namespace
}  // namespace weft::agents::seccomp
