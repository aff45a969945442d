// Session: a started process that outlives the call that started it. A pump
// thread reads its output (pipes or a pseudo-terminal) into bounded buffers
// that stay readable by offset after it exits, reaps it exactly once, and
// runs the stop ladder on request or at its time limit. The terminal venom's
// exec and sessions are built on it; SessionLauncher is the seam tests fake.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "core/base/cancellation.h"
#include "core/base/fd.h"
#include "core/base/result.h"
#include "core/proc/output_buffer.h"
#include "core/proc/process.h"

namespace weft::proc {

// What to start (LaunchSpec: argv, environment, cwd, pipes or a terminal)
// and how to keep it. stdin is always a pipe (or the terminal): see Write.
struct SessionSpec : LaunchSpec {
  // Output kept per stream: the first retain_head bytes and the last
  // retain_tail bytes; what lies between is dropped and counted.
  size_t retain_head = 64 << 10;
  size_t retain_tail = 1 << 20;
  // Wall-clock limit from the start; 0 means none. Reaching it runs the
  // stop ladder (StopReason::kTimeout).
  std::chrono::milliseconds timeout{0};
  // The stop ladder: first rung → wait first_grace → SIGTERM → wait
  // term_grace → SIGKILL, each signal to the process group (on a terminal,
  // to every process of the session). The first rung closes stdin on pipes
  // and sends SIGHUP on a terminal (what closing a terminal window does;
  // interactive shells ignore SIGTERM but not SIGHUP).
  std::chrono::milliseconds first_grace{200};
  std::chrono::milliseconds term_grace{1000};
  // When the leader exits, whatever is left of its group (or session) is
  // killed, then output still in the pipes is read for up to drain_grace (a
  // descendant that left the group may hold them open).
  std::chrono::milliseconds drain_grace{200};
};

enum class Stream { kStdout, kStderr };

// Why a session was stopped, if it was.
enum class StopReason {
  kNone,       // it exited by itself (or still runs)
  kTimeout,    // SessionSpec::timeout elapsed
  kRequested,  // Stop(kRequested): removed, or the server shut it down
  kCancelled,  // Stop(kCancelled): the request that waited for it was cancelled
};
std::string_view StopReasonName(StopReason reason);  // "none", "timeout", "stopped", "cancelled"

struct SessionState {
  pid_t pid = -1;  // also the process group id (and session id on a terminal)
  // True until the leader was reaped and its output drained: only then is
  // the output complete.
  bool running = true;
  std::optional<ExitStatus> status;  // once reaped
  StopReason stop = StopReason::kNone;
  bool killed = false;  // the ladder went as far as SIGKILL
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point ended;  // when !running
  uint64_t stdout_bytes = 0;
  uint64_t stderr_bytes = 0;
};

// Thread-safe: any number of threads may read, wait, write and signal at
// once. Destroying a session that still runs kills its group (session on a
// terminal) with SIGKILL, reaps it and joins the pump; nothing outlives it.
class Session {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts the child and its pump. Errors as Process::Start (kNotFound
  // naming a missing program, …).
  static Result<std::unique_ptr<Session>> Start(const SessionSpec& spec);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  pid_t pid() const { return pid_; }
  bool on_terminal() const { return on_terminal_; }
  // False on a terminal or with merge_stderr: everything is on stdout.
  bool has_stderr() const { return has_stderr_; }

  // Writes `data` to the child's stdin (the terminal's input on a PTY, where
  // control characters act as typed: "\x03" is Ctrl-C), waiting while the
  // pipe is full until `deadline`. Returns how much was written, which is
  // less than asked only at the deadline or when the reader went away after
  // part of it. kFailedPrecondition when stdin is closed, nobody reads it,
  // or the session ended.
  Result<size_t> Write(std::string_view data, Clock::time_point deadline);
  // End of input: closes stdin (pipes), or types the terminal's EOF
  // character (Ctrl-D, as a person would).
  Status CloseStdin();
  // kFailedPrecondition unless on a terminal that still runs; the kernel
  // sends SIGWINCH to its foreground job.
  Status Resize(TerminalSize size);
  // Sends `sig` to the process group; on a terminal, to its foreground job
  // (a job started by an interactive shell is a group of its own), which is
  // the shell itself at a prompt. Returns the group signalled.
  // kFailedPrecondition once the leader was reaped.
  Result<pid_t> Signal(int sig);
  // Starts the stop ladder (see SessionSpec); later calls change nothing.
  // Does not wait: see WaitForEnd.
  void Stop(StopReason reason);

  SessionState state() const;
  // Output by stream offset (OutputBuffer::Read), with the state read at
  // the same moment: when !state.running, the page's stream is complete.
  OutputBuffer::Page Read(Stream stream, uint64_t offset, size_t max, SessionState* state = nullptr) const;
  OutputBuffer::View HeadAndTail(Stream stream, size_t max) const;
  // Bytes dropped from the middle of a stream (retain_head/retain_tail).
  uint64_t dropped(Stream stream) const;

  // Blocks until the session ended (not running), `deadline` passed or
  // `cancel` (may be null) was cancelled; true when it ended.
  bool WaitForEnd(Clock::time_point deadline, const CancellationToken* cancel) const;
  // Blocks until a stream holds bytes beyond the given offset, the
  // session ended, `deadline` passed or `cancel` was cancelled; true unless
  // it returned for the deadline or the cancellation.
  bool WaitForOutput(uint64_t stdout_offset, uint64_t stderr_offset, Clock::time_point deadline,
                     const CancellationToken* cancel) const;

 private:
  explicit Session(const SessionSpec& spec, Process proc);
  enum class Ladder { kNone, kFirst, kTerm, kKill };

  void Pump();
  // One read of a ready output descriptor; false at end of file.
  bool Drain(int fd, Stream stream, std::vector<char>* buf);
  void Reaped(Clock::time_point now);
  void StepLadder(Clock::time_point now);
  int PollTimeoutMs(Clock::time_point now) const;
  void Wake();
  bool WaitUntil(Clock::time_point deadline, const CancellationToken* cancel,
                 const std::function<bool()>& ready) const;

  const SessionSpec spec_;
  const pid_t pid_;
  const bool on_terminal_;
  const bool has_stderr_;
  const Clock::time_point started_;
  UniqueFd wake_;  // eventfd: Stop and the destructor wake the pump

  // Lock order: stdin_mu_ before mu_.
  std::mutex stdin_mu_;  // writes to and closing of stdin
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // output arrived, or the state changed
  Process proc_;  // signals and reaping under mu_; output fds by the pump alone
  OutputBuffer out_;  // guarded by mu_
  OutputBuffer err_;  // guarded by mu_
  SessionState state_;  // guarded by mu_
  std::atomic<bool> stopping_{false};    // Stop was called (or the time limit hit)
  std::atomic<bool> destroying_{false};  // nobody will read the rest: skip the drain

  // The pump's own.
  bool reaped_ = false;
  Ladder ladder_ = Ladder::kNone;
  Clock::time_point ladder_at_;
  std::optional<Clock::time_point> deadline_;
  std::optional<Clock::time_point> drain_until_;
  std::thread pump_;
};

// Starts sessions: the system one, or a fake/recording one in tests.
class SessionLauncher {
 public:
  virtual ~SessionLauncher() = default;
  // Session::Start, or what a test wants instead. Thread-safe.
  virtual Result<std::unique_ptr<Session>> Start(const SessionSpec& spec) = 0;
};

// Session::Start. Process-wide and stateless.
SessionLauncher& SystemSessionLauncher();

}  // namespace weft::proc
