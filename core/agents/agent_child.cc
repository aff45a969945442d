// The confined child: the init of the agent's namespaces and the agent's
// last steps before exec. System calls only (see clone.h).
#include "core/agents/agent_child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "core/agents/clone.h"

namespace weft::agents {
namespace {

constexpr char kHostname[] = "weft-agent";

[[noreturn]] void Fail(const ChildPlan& p, ChildStage stage, int err, int detail = 0) {
  ChildError e{static_cast<int>(stage), err, detail};
  child::WriteAll(p.error_fd, &e, sizeof(e));
  _exit(127);
}

void DropCapabilities(const ChildPlan& p) {
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    Fail(p, ChildStage::kCapabilities, errno);
  }
  for (int cap = 0; cap <= p.cap_last_cap; ++cap) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) Fail(p, ChildStage::kCapabilities, errno);
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &header, data) != 0) Fail(p, ChildStage::kCapabilities, errno);
}

// The agent: its own process group (a session of its own when namespaced
// or on a terminal), stdio,
// working directory, limits, then (namespaced) no capabilities, Landlock and
// seccomp, then exec.
[[noreturn]] void RunAgent(const ChildPlan& p) {
  // A confined agent always leads a session of its own: it keeps no
  // controlling terminal of weft's, which /dev/tty would otherwise reach
  // (and TIOCSTI write into).
  if (p.terminal || p.namespaced) {
    if (setsid() < 0) Fail(p, ChildStage::kSession, errno);
    if (p.terminal && ioctl(p.stdin_fd, TIOCSCTTY, 0) != 0) Fail(p, ChildStage::kSession, errno);
  } else if (setpgid(0, 0) != 0) {
    Fail(p, ChildStage::kSession, errno);
  }
  if (dup2(p.stdin_fd, 0) < 0 || dup2(p.stdout_fd, 1) < 0 || dup2(p.stderr_fd, 2) < 0) {
    Fail(p, ChildStage::kStdio, errno);
  }
  if (!p.cwd.empty()) {
    if (chdir(p.cwd.c_str()) != 0) Fail(p, ChildStage::kCwd, errno);
  } else if (p.cwd_fd >= 0 && fchdir(p.cwd_fd) != 0) {
    Fail(p, ChildStage::kCwd, errno);
  }
  for (const auto& [resource, value] : p.rlimits) {
    if (setrlimit(static_cast<__rlimit_resource>(resource), &value) != 0) {
      Fail(p, ChildStage::kRlimit, errno, resource);
    }
  }
  if (p.namespaced) {
    DropCapabilities(p);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) Fail(p, ChildStage::kNoNewPrivs, errno);
  }
  if (p.landlock != nullptr) {
    int rule = -1;
    if (int err = landlock::ApplyInChild(*p.landlock, &rule); err != 0) Fail(p, ChildStage::kLandlock, err, rule);
  }
  if (p.seccomp != nullptr) {
    if (int err = seccomp::InstallInChild(*p.seccomp); err != 0) Fail(p, ChildStage::kSeccomp, err);
  }
  child::ResetSignals();
  syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  execve(p.program.c_str(), p.argv.data(), p.envp.data());
  Fail(p, ChildStage::kExec, errno);
}

int AgentEntry(void* arg) { RunAgent(*static_cast<const ChildPlan*>(arg)); }

void IgnoreSignal(int) {}

// pid 1 of the agent's namespaces once the agent runs: forwards signals,
// reaps every orphan, and exits with the agent's status (writing it first
// to status_fd, since an init cannot die of a signal it sends itself).
[[noreturn]] void RunInit(const ChildPlan& p, pid_t agent) {
  sigset_t wait_set;
  sigemptyset(&wait_set);
  sigaddset(&wait_set, SIGCHLD);
  sigaddset(&wait_set, p.carrier_signal);
  for (int sig : kForwardedSignals) sigaddset(&wait_set, sig);
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&wait_set, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      int forward = sig == p.carrier_signal ? info.si_value.sival_int : sig;
      if (kill(-agent, forward) != 0) kill(agent, forward);
      continue;
    }
    for (;;) {
      int status = 0;
      rusage usage{};
      pid_t reaped = wait4(-1, &status, WNOHANG, &usage);
      if (reaped <= 0) break;
      if (reaped != agent) continue;
      AgentExit exit_record{status, usage.ru_utime.tv_sec * 1000000LL + usage.ru_utime.tv_usec +
                                        usage.ru_stime.tv_sec * 1000000LL + usage.ru_stime.tv_usec};
      child::WriteAll(p.status_fd, &exit_record, sizeof(exit_record));
      _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
  }
}

}  // namespace

int RunConfinedChild(void* arg) {
  ChildPlan& p = *static_cast<ChildPlan*>(arg);
  for (int fd : p.cgroup_fds) {
    if (int err = child::WriteAll(fd, "0", 1); err != 0) Fail(p, ChildStage::kCgroup, err);
  }
  if (!p.namespaced) RunAgent(p);

  // Nothing of weft's stays open in its init (listening sockets, database,
  // FUSE channels): only what the agent and the reports need.
  child::CloseAllExcept(p.init_keep_fds.data(), p.init_keep_fds.size());
  if (int err = child::WriteIdMaps(p.uid_map.c_str(), p.gid_map.c_str()); err != 0) Fail(p, ChildStage::kIdMaps, err);
  if (sethostname(kHostname, sizeof(kHostname) - 1) != 0) Fail(p, ChildStage::kHostname, errno);
  if (p.loopback) {
    if (int err = child::BringLoopbackUp(); err != 0) Fail(p, ChildStage::kLoopback, err);
  }
  int failed = 0;
  if (int err = AssembleRoot(p.mounts, &failed); err != 0) Fail(p, ChildStage::kMounts, err, failed);

  // Signals from outside reach an init only when it handles them; blocked
  // (as every signal is since the clone) they wait for sigwaitinfo.
  struct sigaction handled {};
  handled.sa_handler = IgnoreSignal;
  for (int sig : kForwardedSignals) sigaction(sig, &handled, nullptr);
  sigaction(p.carrier_signal, &handled, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGCHLD, &dfl, nullptr);

  // The init is suspended until the agent has exec'd (or failed), so the
  // agent may run on the init's memory.
  long agent = Clone3OnStack(CLONE_VM | CLONE_VFORK, AgentEntry, &p, p.agent_stack, p.agent_stack_size, -1, nullptr);
  if (agent < 0) Fail(p, ChildStage::kAgentClone, static_cast<int>(-agent));
  int keep[] = {p.status_fd};
  child::CloseAllExcept(keep, 1);
  RunInit(p, static_cast<pid_t>(agent));
}

}  // namespace weft::agents
