// ChildProcess: an MCP server started from an argv and spoken to over its
// stdin/stdout (the stdio transport), stopped with the spec's shutdown ladder.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/base/fd.h"
#include "core/base/result.h"
#include "mcp/transport/connection.h"

namespace weft::mcp {

// How a process ended.
struct ExitStatus {
  bool exited = false;  // true: returned `code`; false: killed by `signal`
  int code = 0;
  int signal = 0;

  bool success() const { return exited && code == 0; }
  // "exit status 3" or "killed by SIGTERM".
  std::string ToString() const;
  // Decodes a waitpid() status word.
  static ExitStatus FromWaitStatus(int status);
};

enum class StderrMode {
  kInherit,  // the server writes to our stderr
  kFile,     // appended to SpawnOptions::stderr_path (created 0600 if missing)
  kDiscard,  // /dev/null
};

struct SpawnOptions {
  // The server command line. argv[0] is searched on the child's PATH unless it
  // contains a '/'. Never interpreted by a shell.
  std::vector<std::string> argv;
  // "KEY=VALUE" entries set in the child's environment, on top of ours.
  std::vector<std::string> env;
  // Working directory of the child; empty keeps ours.
  std::string cwd;
  StderrMode stderr_mode = StderrMode::kInherit;
  std::string stderr_path;
  // The shutdown ladder (MCP basic/transports, stdio): close stdin, wait
  // `stdin_grace`; SIGTERM the process group, wait `term_grace`; SIGKILL.
  std::chrono::milliseconds stdin_grace{2000};
  std::chrono::milliseconds term_grace{2000};
};

// A running server. The child is the leader of its own process group; it
// inherits only stdin (our pipe), stdout (our pipe) and stderr: every other
// descriptor is closed on exec, and signal dispositions are reset to default.
//
// A watcher thread reaps the server as soon as it exits and kills whatever it
// left in its process group, so a server that dies is seen as end-of-file on
// connection() even when a grandchild inherited its stdout.
//
// Thread-safety: connection() follows the Connection contract. Poll(),
// WaitFor() and Shutdown() may be called from any thread; the child is reaped
// exactly once, and every caller sees the same ExitStatus.
class ChildProcess {
 public:
  // Starts the server. Fails with kNotFound when the command is not on PATH,
  // kInvalidArgument for an empty argv, or the exec error (kIoError).
  //
  // Process-wide effect: SIGPIPE is set to ignored if it is at its default
  // disposition, so that writing to a server that has exited returns EPIPE
  // instead of killing this process.
  static Result<std::unique_ptr<ChildProcess>> Spawn(SpawnOptions options);

  // Runs Shutdown() if the child has not been reaped yet.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The stdio transport over the child's stdin/stdout. Valid until destruction.
  Connection& connection() { return *connection_; }

  // The exit status if the child has exited (reaping it), without blocking.
  std::optional<ExitStatus> Poll();
  // Waits up to `timeout` for the child to exit on its own.
  std::optional<ExitStatus> WaitFor(std::chrono::milliseconds timeout);

  // Stops the server: closes the connection and the child's stdin, then
  // escalates to SIGTERM and SIGKILL of the process group as the graces run
  // out. Whatever the server still writes to stdout meanwhile is discarded, so
  // it cannot block on a full pipe. Idempotent: later calls return the same
  // status. Call it after whatever reads connection() has stopped.
  ExitStatus Shutdown();
  // True when Shutdown() had to signal the server: it did not exit within
  // stdin_grace of its stdin closing (servers SHOULD exit on EOF).
  bool shutdown_forced();

 private:
  ChildProcess(pid_t pid, UniqueFd pidfd, UniqueFd stdin_w, UniqueFd stdout_r,
               SpawnOptions options);
  // Poll() with reap_mu_ held. Reaping kills what is left in the group.
  std::optional<ExitStatus> PollLocked();
  void Watch();
  // Waits for exit up to `timeout` (negative: forever), draining stdout.
  std::optional<ExitStatus> WaitDraining(std::chrono::milliseconds timeout);
  void SignalGroup(int sig);

  const pid_t pid_;
  UniqueFd pidfd_;     // -1 when the kernel lacks pidfd_open
  UniqueFd stdin_w_;   // our end of the child's stdin; reset to send EOF
  UniqueFd stdout_r_;  // our end of the child's stdout
  const SpawnOptions options_;
  std::unique_ptr<Connection> connection_;

  std::mutex reap_mu_;               // serialises reaping and shutdown
  std::optional<ExitStatus> status_;  // set once, when reaped; guarded by reap_mu_
  bool shut_down_ = false;            // guarded by reap_mu_
  bool forced_ = false;               // guarded by reap_mu_
  std::thread watcher_;               // waits on pidfd_; ends once the child is reaped
};

// Finds `name` on the colon-separated `path_env` ("" means /usr/bin:/bin) the
// way execvp does; a name containing '/' is returned as is if executable.
Result<std::string> FindExecutable(const std::string& name, const std::string& path_env);

}  // namespace weft::mcp
