// Process: one started child in its own process group, with the parent's
// ends of its pipes and a pidfd to reap it exactly once. The layer that
// Spawner::Run (spawn.h) and, later, PTY sessions build on.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/fd.h"
#include "core/base/result.h"

namespace weft::proc {

// How a child ended.
struct ExitStatus {
  bool signaled = false;
  int code = 0;    // the exit code when !signaled
  int signal = 0;  // the terminating signal when signaled
  // "exit code 2", "killed by signal 9 (SIGKILL)".
  std::string ToString() const;
};

// What to start. argv only, never a shell string.
struct LaunchSpec {
  // argv[0] names the program: a path when it holds '/', else a name looked
  // up on the PATH of the child's environment. Must not be empty.
  std::vector<std::string> argv;
  // Added to (or replacing in) the curated environment: see CuratedEnvironment.
  std::vector<std::pair<std::string, std::string>> env;
  // Names inherited from this process's environment beyond the allowlist.
  std::vector<std::string> inherit_env;
  // The child's working directory, as an open directory fd (fchdir in the
  // child, so no path string is resolved again). Not owned; only needs to
  // stay open until Start returns. -1: this process's working directory.
  int cwd_fd = -1;
  // The child's stdin: a pipe (Process::stdin_fd) when stdin_pipe, else a
  // dup of stdin_fd when that is set (not owned; only needs to stay open
  // until Start returns), else /dev/null.
  bool stdin_pipe = false;
  int stdin_fd = -1;
};

// The child's environment: only PATH, HOME, LANG, LC_* and TERM from
// `parent` (a NULL-terminated "K=V" array like environ), plus the names in
// spec.inherit_env, then spec.env on top. "K=V" strings.
std::vector<std::string> CuratedEnvironment(const char* const* parent, const LaunchSpec& spec);

// Resolves a program name the way execvp would, against `path_list` (a
// colon-separated PATH; empty means "/usr/local/bin:/usr/bin:/bin").
// kNotFound names the program and where it looked; a name with '/' is
// checked to exist and be executable.
Result<std::string> FindProgram(const std::string& name, const std::string& path_list);

// A running (or exited, not yet reaped) child. The child is the leader of a
// new process group whose id is its pid. Move-only; not thread-safe (one
// owner drives it). Destroying a Process that was not reaped kills its group
// with SIGKILL and reaps it, so no child outlives its owner.
//
// Every descriptor of this process is closed in the child except its stdin,
// stdout and stderr; signal dispositions and the signal mask are reset.
// Requires that nobody else reaps children (no SIGCHLD set to SIG_IGN, no
// waitpid(-1)): the pid stays ours until Reap.
class Process {
 public:
  // Starts the child. kNotFound: no such program (named); kPermissionDenied:
  // not executable; kIoError/kResourceExhausted: pipes, fds or fork failed.
  static Result<Process> Start(const LaunchSpec& spec);

  Process(Process&&) noexcept;
  Process& operator=(Process&&) noexcept;
  ~Process();

  pid_t pid() const { return pid_; }
  // Also the process group id.
  pid_t pgid() const { return pid_; }
  // The pidfd (readable once the child has exited); -1 on kernels without
  // pidfd_open (callers then poll TryReap).
  int pidfd() const { return pidfd_.get(); }
  // Parent ends (-1 once closed or, for stdin, when there is no pipe).
  int stdin_fd() const { return stdin_.get(); }
  int stdout_fd() const { return stdout_.get(); }
  int stderr_fd() const { return stderr_.get(); }
  void CloseStdin() { stdin_.Reset(); }
  void CloseStdout() { stdout_.Reset(); }
  void CloseStderr() { stderr_.Reset(); }

  // Sends `sig` to the whole group. Refused (a no-op) once reaped: the pid
  // may belong to someone else by then.
  void SignalGroup(int sig);
  // Non-blocking and without reaping: whether the child has exited (its
  // pid, hence the group id, stays reserved until it is reaped, so the group
  // can still be signalled safely).
  bool HasExited();
  // Non-blocking: the status when the child has exited (reaping it then);
  // the same status on later calls.
  std::optional<ExitStatus> TryReap();
  // Blocks until the child exits; reaps it.
  ExitStatus Reap();
  bool reaped() const { return status_.has_value(); }

 private:
  Process() = default;
  void KillAndReap();

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd stdin_;
  UniqueFd stdout_;
  UniqueFd stderr_;
  std::optional<ExitStatus> status_;
};

}  // namespace weft::proc
