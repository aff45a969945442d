// Confined agent processes: a program started under a confinement profile
// (none, workspace, strict) and resource limits, in its own process group,
// killed as a whole. What each profile promises, and how, is in
// docs/agents.md; what the host offers comes from ProbeHost (host_probe.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/agents/cgroup.h"
#include "core/agents/host_probe.h"
#include "core/base/fd.h"
#include "core/base/result.h"
#include "core/proc/process.h"

namespace weft::agents {

enum class Profile {
  kNone,       // an ordinary process with the caller's rights
  kWorkspace,  // namespaces: read-only system, writable workspace and home, private /tmp, no network
  kStrict,     // workspace plus Landlock and a seccomp filter
};

// "none", "workspace", "strict".
std::string_view ProfileName(Profile profile);
// kInvalidArgument listing the names.
Result<Profile> ParseProfile(std::string_view name);

// Resource limits; unset means no limit.
struct Limits {
  // RLIMIT_CPU, per process: SIGXCPU after this many seconds of CPU time,
  // SIGKILL one second later (for a process that ignores SIGXCPU).
  std::optional<uint64_t> cpu_seconds;
  // Processes the agent may have at once, itself included: cgroup pids.max
  // where the host delegates the controller, else RLIMIT_NPROC (which counts
  // every process of the uid, and does not apply to root).
  std::optional<uint64_t> processes;
  // RLIMIT_NOFILE.
  std::optional<uint64_t> open_files;
  // Memory of the agent and everything it starts: cgroup v2 memory.max or
  // v1 memory.limit_in_bytes. There is no rlimit fallback: RLIMIT_AS breaks
  // Node-based agents, which reserve far more address space than they use.
  std::optional<uint64_t> memory_bytes;
};

struct ConfineSpec {
  Profile profile = Profile::kWorkspace;
  // workspace/strict: keep the host network (else an empty network
  // namespace with only loopback).
  bool network = false;
  // When the host lacks something the profile or a limit needs: run with
  // what it has and list what was dropped (ConfinedProcess::dropped).
  // Otherwise Launch fails with kFailedPrecondition.
  bool best_effort = false;
  // Host directory (a bind root or a FUSE mount point), writable inside at
  // the same path. Required for workspace and strict.
  std::string workspace_dir;
  // Host directory, writable inside at the same path; HOME in the agent's
  // environment when set.
  std::string home_dir;
  // More host paths writable inside (e.g. a directory holding a unix socket).
  std::vector<std::string> writable_paths;
  // More host paths visible read-only inside (e.g. where the agent's own
  // program is installed, when that is outside /usr and /opt).
  std::vector<std::string> readable_paths;
  // The agent's working directory, an absolute path (inside the sandbox the
  // same path shows the same place). Empty: workspace_dir; for profile none
  // with no workspace_dir, LaunchSpec::cwd_fd or weft's own.
  std::string cwd;
};

// How one requested limit is enforced: {"memory", "268435456",
// "cgroup v1 memory.limit_in_bytes"}; mechanism "unavailable: <why>" when
// best_effort ran without it.
struct LimitReport {
  std::string name;
  std::string value;
  std::string mechanism;
};

// A started confined agent. Move-only; one owner drives it (not
// thread-safe). Destroying one that is still running kills everything it
// started and reaps it. When the agent exits, whatever it started that is
// still running is killed with it (in a pid namespace by the kernel, else
// through its cgroup or process group), so nothing outlives it.
//
// Requires that nobody else reaps weft's children (as proc::Process does).
class ConfinedProcess {
 public:
  // Starts spec.argv under `confine` and `limits`, with the curated
  // environment (proc::CuratedEnvironment; HOME = home_dir when set), its
  // own process group, and stdin/stdout/stderr as pipes or a pseudo-terminal
  // exactly as proc::LaunchSpec says. spec.cwd_fd is honoured only by the
  // profile none (a descriptor would reach past a sandbox's root); use
  // ConfineSpec::cwd. Safe to call from any thread: the child only makes
  // system calls on what was prepared before it was cloned.
  // Errors: kFailedPrecondition whose message starts "profile_unavailable: "
  // (or "limit_unavailable: ") naming what the host lacks and how to fix it,
  // unless best_effort; kNotFound for a program or working directory that
  // does not exist (inside the sandbox); kInvalidArgument for bad paths;
  // kIoError when setting up the sandbox failed, naming the step.
  static Result<ConfinedProcess> Launch(const proc::LaunchSpec& spec, const ConfineSpec& confine,
                                        const Limits& limits);
  // The same against a given host description (a test seam: hosts that lack
  // a feature are simulated by clearing it).
  static Result<ConfinedProcess> Launch(const proc::LaunchSpec& spec, const ConfineSpec& confine, const Limits& limits,
                                        const HostSupport& host);

  ConfinedProcess(ConfinedProcess&& other) noexcept;
  ConfinedProcess& operator=(ConfinedProcess&& other) noexcept;
  ~ConfinedProcess();

  // As seen from weft. Under workspace and strict this is weft's init in the
  // agent's pid namespace, which runs the agent as its only child, forwards
  // signals to it and exits with its status.
  pid_t pid() const { return pid_; }
  // Readable once pid() has exited.
  int pidfd() const { return pidfd_.get(); }
  int stdin_fd() const { return stdin_.get(); }
  int stdout_fd() const { return stdout_.get(); }
  int stderr_fd() const { return stderr_.get(); }
  int terminal_fd() const { return terminal_.get(); }
  void CloseStdin() { stdin_.Reset(); }

  // What actually applies: the strongest profile whose every promise holds
  // (kStrict needs Landlock and seccomp, kWorkspace the namespaces).
  Profile profile() const { return profile_; }
  // What best_effort dropped, one sentence each (empty otherwise).
  const std::vector<std::string>& dropped() const { return dropped_; }
  // One report per requested limit.
  const std::vector<LimitReport>& limits() const { return limit_reports_; }
  // The Landlock ABI the agent runs under; 0 when Landlock is not applied.
  int landlock_abi() const { return landlock_abi_; }
  bool seccomp_applied() const { return seccomp_applied_; }
  // How KillAll reaches everything: "pid namespace", "cgroup.kill",
  // "process group" (joined with " + ").
  const std::string& kill_mechanism() const { return kill_mechanism_; }

  // Sends `sig` to the agent's process group (through the init under
  // workspace and strict). A no-op once reaped.
  void Signal(int sig);
  // SIGKILL to everything the agent started, including processes that left
  // its process group or session. Safe to call repeatedly and after reaping.
  void KillAll();
  // Non-blocking: the agent's exit status once it has exited (reaping it
  // then); the same status on later calls. A signal death is reported as
  // such, even through the init.
  std::optional<proc::ExitStatus> TryReap();
  // Blocks until the agent exits; reaps it.
  proc::ExitStatus Reap();
  bool reaped() const { return status_.has_value(); }

  // The limit that ended or hobbled the agent, known once reaped:
  // "cpu_seconds" (SIGXCPU, or SIGKILL at the CPU limit), "memory" (an OOM
  // kill in its cgroup), "processes" (a fork refused by pids.max).
  // nullopt when none fired, or before the agent is reaped.
  std::optional<std::string> FiredLimit() const { return fired_limit_; }

 private:
  ConfinedProcess() = default;
  // After the agent (or its init) has exited and before it is reaped: the
  // status record, the fired limit, and whatever is left is killed.
  void Finish(int wait_status, int64_t cpu_us);
  void KillAndReap();

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd stdin_, stdout_, stderr_, terminal_;
  UniqueFd exit_report_;  // init → weft: the agent's AgentExit (namespaced profiles)
  bool namespaced_ = false;
  int carrier_signal_ = 0;
  Profile profile_ = Profile::kNone;
  std::vector<std::string> dropped_;
  std::vector<LimitReport> limit_reports_;
  int landlock_abi_ = 0;
  bool seccomp_applied_ = false;
  std::string kill_mechanism_;
  std::optional<uint64_t> cpu_limit_;
  AgentCgroup cgroup_;
  bool killed_ = false;
  std::optional<proc::ExitStatus> status_;
  std::optional<std::string> fired_limit_;
};

}  // namespace weft::agents
