// The child side of ConfinedProcess::Launch: everything the clone runs, as
// one plan prepared in weft. Under the profile none the child is the agent
// (a vfork-like clone that execs). Under workspace and strict it is the
// init of new user, mount, pid, ipc, uts (and network) namespaces: it joins
// the cgroups, maps ids, assembles the root, then starts the agent (again
// vfork-like) and stays as pid 1, forwarding signals and reaping, and exits
// with the agent's status.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/agents/landlock.h"
#include "core/agents/sandbox_fs.h"
#include "core/agents/seccomp_filter.h"

namespace weft::agents {

// Where a child failed; reported with its errno through ChildPlan::error_fd.
enum class ChildStage : int {
  kCgroup = 1,
  kIdMaps,
  kHostname,
  kLoopback,
  kMounts,
  kAgentClone,
  kSession,
  kStdio,
  kCwd,
  kRlimit,
  kCapabilities,
  kNoNewPrivs,
  kLandlock,
  kSeccomp,
  kExec,
};

struct ChildError {
  int stage = 0;
  int err = 0;
  int detail = 0;  // kMounts: AssembleRoot's *failed; kLandlock: the rule index
};

// What the init sends when the agent has exited, just before it exits.
struct AgentExit {
  int wait_status = 0;
  int64_t cpu_us = 0;  // the agent's user + system CPU time
};

struct ChildPlan {
  // Descriptors open in weft, each ≥ 3, dup'ed onto 0, 1, 2 in the agent.
  // On a terminal all three are the pseudo-terminal's slave side.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  bool terminal = false;  // setsid and make stdin the controlling terminal

  std::string program;  // a path
  std::vector<char*> argv;  // NULL-terminated, pointing into strings that outlive the clone
  std::vector<char*> envp;
  std::string cwd;   // a path; empty: cwd_fd, or stay
  int cwd_fd = -1;

  std::vector<std::pair<int, rlimit>> rlimits;
  std::vector<int> cgroup_fds;  // cgroup.procs of each leaf: the child writes "0"

  bool namespaced = false;
  std::string uid_map, gid_map;
  bool loopback = false;  // a new network namespace: bring lo up
  MountPlan* mounts = nullptr;
  int cap_last_cap = 40;  // the bounding set is dropped up to this

  const landlock::Plan* landlock = nullptr;
  const seccomp::Program* seccomp = nullptr;

  int error_fd = -1;   // write end, close-on-exec: a ChildError on failure, EOF once exec'd
  int status_fd = -1;  // write end: the init's AgentExit
  int carrier_signal = 0;  // weft → init: si_value is the signal to forward
  void* agent_stack = nullptr;  // the init starts the agent on it (vfork-like: no copy of the init's memory)
  size_t agent_stack_size = 0;
  std::vector<int> init_keep_fds;  // sorted: what the init keeps open while setting up
};

// The clone entry point; `arg` is a ChildPlan*. Returns only on failure
// (the exit code) after reporting on error_fd.
int RunConfinedChild(void* arg);

// Signals the init forwards to the agent's process group when it receives
// them itself (besides the carrier signal, which forwards any).
inline constexpr int kForwardedSignals[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGCONT, SIGWINCH};

}  // namespace weft::agents
