// ConfinedProcess after Launch: signals, killing everything, reaping through
// the init's report, and which limit fired.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

#include "core/agents/agent_child.h"
#include "core/agents/confine.h"
#include "core/base/strings.h"
#include "core/proc/session_members.h"

namespace weft::agents {
namespace {

// Cleanup after the agent gives its cgroups this long to empty (killed
// orphans are reaped by the host's init); later spawns remove the rest.
constexpr std::chrono::milliseconds kCgroupRemoveWait(50);

proc::ExitStatus FromWaitStatus(int status) {
  proc::ExitStatus s;
  if (WIFSIGNALED(status)) {
    s.signaled = true;
    s.signal = WTERMSIG(status);
  } else {
    s.code = WEXITSTATUS(status);
  }
  return s;
}

int64_t CpuMicros(const rusage& ru) {
  return ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec;
}

}  // namespace

ConfinedProcess::ConfinedProcess(ConfinedProcess&& other) noexcept { *this = std::move(other); }

ConfinedProcess& ConfinedProcess::operator=(ConfinedProcess&& other) noexcept {
  if (this == &other) return *this;
  KillAndReap();
  pid_ = std::exchange(other.pid_, -1);
  pidfd_ = std::move(other.pidfd_);
  stdin_ = std::move(other.stdin_);
  stdout_ = std::move(other.stdout_);
  stderr_ = std::move(other.stderr_);
  terminal_ = std::move(other.terminal_);
  exit_report_ = std::move(other.exit_report_);
  namespaced_ = other.namespaced_;
  carrier_signal_ = other.carrier_signal_;
  profile_ = other.profile_;
  dropped_ = std::move(other.dropped_);
  limit_reports_ = std::move(other.limit_reports_);
  landlock_abi_ = other.landlock_abi_;
  seccomp_applied_ = other.seccomp_applied_;
  kill_mechanism_ = std::move(other.kill_mechanism_);
  cpu_limit_ = other.cpu_limit_;
  cgroup_ = std::move(other.cgroup_);
  killed_ = other.killed_;
  status_ = std::move(other.status_);
  fired_limit_ = std::move(other.fired_limit_);
  return *this;
}

ConfinedProcess::~ConfinedProcess() { KillAndReap(); }

void ConfinedProcess::KillAndReap() {
  if (pid_ <= 0 || status_.has_value()) return;
  KillAll();
  Reap();
}

void ConfinedProcess::Signal(int sig) {
  if (pid_ <= 0 || status_.has_value()) return;
  if (!namespaced_) {
    ::kill(-pid_, sig);
    return;
  }
  // The init forwards the signal named in si_value to the agent's group:
  // the carrier reaches it from outside its namespace whatever `sig` is.
  siginfo_t info{};
  info.si_signo = carrier_signal_;
  info.si_code = SI_QUEUE;
  info.si_pid = getpid();
  info.si_uid = getuid();
  info.si_value.sival_int = sig;
  syscall(SYS_pidfd_send_signal, pidfd_.get(), carrier_signal_, &info, 0);
}

void ConfinedProcess::KillAll() {
  killed_ = true;
  if (pid_ > 0 && !status_.has_value()) {
    if (namespaced_) {
      // The kernel kills every process of a pid namespace whose init dies.
      syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
    } else {
      // Safe while the leader is unreaped: its pid (the group and session
      // id) cannot be reused.
      ::kill(-pid_, SIGKILL);
      if (terminal_) {
        for (pid_t member : proc::SessionMembers(pid_)) ::kill(member, SIGKILL);
      }
    }
  }
  cgroup_.KillAll();
}

std::optional<proc::ExitStatus> ConfinedProcess::TryReap() {
  if (status_.has_value() || pid_ <= 0) return status_;
  siginfo_t info{};
  int rc;
  do {
    rc = waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | WNOHANG | WNOWAIT);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0 || info.si_pid == 0) return std::nullopt;
  // Exited, not yet reaped: what it left behind goes while its pid (the
  // process group id) is still reserved.
  if (!namespaced_) {
    ::kill(-pid_, SIGKILL);
    if (terminal_) {
      for (pid_t member : proc::SessionMembers(pid_)) ::kill(member, SIGKILL);
    }
  }
  int wait_status = 0;
  rusage usage{};
  pid_t reaped;
  do {
    reaped = wait4(pid_, &wait_status, 0, &usage);
  } while (reaped < 0 && errno == EINTR);
  // ECHILD means someone else reaped it (a broken precondition): record a kill.
  Finish(reaped == pid_ ? wait_status : SIGKILL, CpuMicros(usage));
  return status_;
}

proc::ExitStatus ConfinedProcess::Reap() {
  while (!status_.has_value() && pid_ > 0) {
    pollfd p{pidfd_.get(), POLLIN, 0};
    if (poll(&p, 1, -1) < 0 && errno != EINTR) break;
    TryReap();
  }
  return status_.value_or(proc::ExitStatus{true, 0, SIGKILL});
}

void ConfinedProcess::Finish(int wait_status, int64_t cpu_us) {
  proc::ExitStatus s = FromWaitStatus(wait_status);
  if (namespaced_) {
    // The init wrote the agent's own status before exiting; without it the
    // init itself was killed (KillAll), and its status is the answer.
    AgentExit agent;
    if (exit_report_ && ::read(exit_report_.get(), &agent, sizeof(agent)) == static_cast<ssize_t>(sizeof(agent))) {
      s = FromWaitStatus(agent.wait_status);
      cpu_us = agent.cpu_us;
    }
  }
  if (s.signaled && s.signal == SIGXCPU) {
    fired_limit_ = "cpu_seconds";
  } else if (cgroup_.OomKilled()) {
    fired_limit_ = "memory";
  } else if (s.signaled && s.signal == SIGKILL && cpu_limit_ &&
             cpu_us >= static_cast<int64_t>(*cpu_limit_) * 1000000) {
    fired_limit_ = "cpu_seconds";
  } else if (cgroup_.PidsLimitHit()) {
    fired_limit_ = "processes";
  }
  cgroup_.Remove(kCgroupRemoveWait);  // kills what is left first
  exit_report_.Reset();
  pidfd_.Reset();
  status_ = s;
}

}  // namespace weft::agents
