// Process: one started child in its own process group, with the parent's
// ends of its pipes (or the master side of its pseudo-terminal) and a pidfd
// to reap it exactly once. The layer that Spawner::Run (spawn.h) and
// Session (session.h) build on.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
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

// A terminal's size in character cells.
struct TerminalSize {
  uint16_t cols = 80;
  uint16_t rows = 24;
};

// What to start. argv only, never a shell string (a caller that wants a
// shell says so: {"sh", "-c", script}).
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
  // Run on a new pseudo-terminal of this size instead of pipes: the child
  // leads a new session (setsid) whose controlling terminal it is, with
  // stdin, stdout and stderr all on it (Process::terminal_fd is the master
  // side; stdin_pipe and stdin_fd are ignored). nullopt: pipes.
  std::optional<TerminalSize> pty;
  // Pipes only: stderr goes into the stdout pipe (2>&1), so the two arrive in
  // the order they were written; Process::stderr_fd is then -1.
  bool merge_stderr = false;
};

// The child's environment: GIT_TERMINAL_PROMPT=0, PAGER=cat and
// GIT_PAGER=cat (so nothing waits for a person at a prompt or a pager), then
// only PATH, HOME, LANG, LC_* and TERM from `parent` (a NULL-terminated "K=V"
// array like environ) plus the names in spec.inherit_env, then spec.env on
// top (which may override any of them). "K=V" strings.
std::vector<std::string> CuratedEnvironment(const char* const* parent, const LaunchSpec& spec);

// Resolves a program name the way execvp would, against `path_list` (a
// colon-separated PATH; empty means "/usr/local/bin:/usr/bin:/bin").
// kNotFound names the program and where it looked; a name with '/' is
// checked to exist and be executable.
Result<std::string> FindProgram(const std::string& name, const std::string& path_list);

// A program weft runs on demand (rg, git): `configured` when set, else the
// value of the environment variable `env_override` when set, else `name`,
// resolved with FindProgram against this process's PATH. Found once and
// remembered; a failure is looked up again on the next call. Thread-safe.
class ProgramCache {
 public:
  ProgramCache(std::string name, std::string configured, std::string env_override)
      : name_(std::move(name)), configured_(std::move(configured)), env_override_(std::move(env_override)) {}

  // The program's path, or FindProgram's kNotFound naming where it looked.
  Result<std::string> Find();
  // Forgets a remembered path that turned out to be gone.
  void Forget();

 private:
  const std::string name_, configured_, env_override_;
  std::mutex mu_;
  std::string found_;  // guarded by mu_
};

// A running (or exited, not yet reaped) child. The child is the leader of a
// new process group whose id is its pid. Move-only; not thread-safe (one
// owner drives it). Destroying a Process that was not reaped kills its group
// with SIGKILL and reaps it, so no child outlives its owner.
//
// Every descriptor of this process is closed in the child except its stdin,
// stdout and stderr; signal dispositions and the signal mask are reset. On a
// pseudo-terminal (LaunchSpec::pty) the child leads its own session instead,
// which is also its process group.
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
  // The master side of the pseudo-terminal (LaunchSpec::pty), else -1.
  int terminal_fd() const { return terminal_.get(); }
  bool on_terminal() const { return terminal_.valid(); }
  void CloseStdin() { stdin_.Reset(); }
  void CloseStdout() { stdout_.Reset(); }
  void CloseStderr() { stderr_.Reset(); }

  // Sends `sig` to the whole group. Refused (a no-op) once reaped: the pid
  // may belong to someone else by then.
  void SignalGroup(int sig);
  // SignalGroup, and on a pseudo-terminal also every process of the child's
  // session (an interactive shell puts each job in a process group of its
  // own). Refused once reaped, like SignalGroup.
  void SignalAll(int sig);
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
  UniqueFd terminal_;
  std::optional<ExitStatus> status_;
};

}  // namespace weft::proc
