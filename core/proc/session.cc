// Session: the pump thread (poll over the output descriptors, the pidfd and
// a wake-up eventfd), the stop ladder, and the calls other threads make.
#include "core/proc/session.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "core/base/strings.h"
#include "core/proc/io.h"

namespace weft::proc {
namespace {

constexpr size_t kReadChunk = 64 << 10;
// A bounded number of reads per wake-up keeps the streams fair.
constexpr int kReadRounds = 16;
// How often a pump without a pidfd looks at its child, and how often a
// waiter with a cancellation token (which has no descriptor) looks at it.
constexpr std::chrono::milliseconds kSlice{25};
// How long a blocked Write waits at a time before it looks for a stop.
constexpr std::chrono::milliseconds kWriteSlice{50};

}  // namespace

std::string_view StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kNone: return "none";
    case StopReason::kTimeout: return "timeout";
    case StopReason::kRequested: return "stopped";
    case StopReason::kCancelled: return "cancelled";
  }
  return "none";
}

Result<std::unique_ptr<Session>> Session::Start(const SessionSpec& spec) {
  LaunchSpec launch = spec;
  launch.stdin_pipe = !spec.pty.has_value();
  launch.stdin_fd = -1;
  UniqueFd wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake) return Status::ResourceExhausted(Status::FromErrno(errno, "eventfd").message());
  WEFT_ASSIGN_OR_RETURN(Process proc, Process::Start(launch));
  std::unique_ptr<Session> session(new Session(spec, std::move(proc)));
  session->wake_ = std::move(wake);
  session->pump_ = std::thread(&Session::Pump, session.get());
  return session;
}

Session::Session(const SessionSpec& spec, Process proc)
    : spec_(spec),
      pid_(proc.pid()),
      on_terminal_(proc.on_terminal()),
      has_stderr_(proc.stderr_fd() >= 0),
      started_(Clock::now()),
      proc_(std::move(proc)),
      out_(spec.retain_head, spec.retain_tail),
      err_(spec.retain_head, spec.retain_tail) {
  for (int fd : {proc_.stdin_fd(), proc_.stdout_fd(), proc_.stderr_fd(), proc_.terminal_fd()}) {
    if (fd >= 0) SetNonBlocking(fd);
  }
  state_.pid = pid_;
  state_.started = started_;
  if (spec_.timeout.count() > 0) deadline_ = started_ + spec_.timeout;
}

Session::~Session() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Not reaped yet (the pump records the status under mu_), so the group is still ours.
    if (!state_.status) proc_.SignalAll(SIGKILL);
  }
  destroying_ = true;
  stopping_ = true;
  Wake();
  if (pump_.joinable()) pump_.join();
}

void Session::Wake() {
  uint64_t one = 1;
  if (wake_) (void)!write(wake_.get(), &one, sizeof(one));
}

// ---------------------------------------------------------------------------
// The pump

void Session::Pump() {
  std::vector<char> buf(kReadChunk);
  const int out_fd = on_terminal_ ? proc_.terminal_fd() : proc_.stdout_fd();
  const int err_fd = proc_.stderr_fd();
  bool out_open = out_fd >= 0;
  bool err_open = err_fd >= 0;
  while (true) {
    Clock::time_point now = Clock::now();
    if (!reaped_ && proc_.HasExited()) Reaped(now);
    if (reaped_ && ((!out_open && !err_open) || now >= *drain_until_ || destroying_)) break;
    if (!reaped_) {
      if (deadline_ && now >= *deadline_) Stop(StopReason::kTimeout);
      StepLadder(now);
    }
    std::array<pollfd, 4> fds{};
    size_t n = 0;
    int out_slot = -1, err_slot = -1;
    if (out_open) {
      out_slot = static_cast<int>(n);
      fds[n++] = {out_fd, POLLIN, 0};
    }
    if (err_open) {
      err_slot = static_cast<int>(n);
      fds[n++] = {err_fd, POLLIN, 0};
    }
    if (!reaped_ && proc_.pidfd() >= 0) fds[n++] = {proc_.pidfd(), POLLIN, 0};
    fds[n++] = {wake_.get(), POLLIN, 0};
    int rc = poll(fds.data(), n, PollTimeoutMs(now));
    if (rc < 0 && errno != EINTR) {
      // poll itself failed (out of memory): the child cannot be watched, so it is not left running.
      std::lock_guard<std::mutex> lock(mu_);
      proc_.SignalAll(SIGKILL);
      state_.killed = true;
      state_.status = proc_.Reap();
      break;
    }
    if (rc <= 0) continue;
    if (fds[n - 1].revents != 0) {
      uint64_t count;
      (void)!read(wake_.get(), &count, sizeof(count));
    }
    if (out_slot >= 0 && fds[static_cast<size_t>(out_slot)].revents != 0 && !Drain(out_fd, Stream::kStdout, &buf)) {
      out_open = false;
    }
    if (err_slot >= 0 && fds[static_cast<size_t>(err_slot)].revents != 0 && !Drain(err_fd, Stream::kStderr, &buf)) {
      err_open = false;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  // Pipes a departed descendant still holds: closing our ends gives it EPIPE.
  proc_.CloseStdout();
  proc_.CloseStderr();
  state_.running = false;
  state_.ended = Clock::now();
  changed_.notify_all();
}

bool Session::Drain(int fd, Stream stream, std::vector<char>* buf) {
  for (int round = 0; round < kReadRounds; ++round) {
    ssize_t n = read(fd, buf->data(), buf->size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    // 0 is the end of a pipe; a terminal's master reads EIO once no process has the terminal open.
    if (n <= 0) return false;
    std::lock_guard<std::mutex> lock(mu_);
    (stream == Stream::kStdout ? out_ : err_).Append(std::string_view(buf->data(), static_cast<size_t>(n)));
    changed_.notify_all();
  }
  return true;
}

void Session::Reaped(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  // The leader is a zombie, so its pid (the group and session id) cannot be
  // reused yet: the last moment the rest of the group can be killed safely.
  proc_.SignalAll(SIGKILL);
  state_.status = proc_.TryReap();
  if (!state_.status) state_.status = proc_.Reap();  // exited, so this does not block
  reaped_ = true;
  drain_until_ = now + spec_.drain_grace;
  changed_.notify_all();
}

void Session::StepLadder(Clock::time_point now) {
  if (ladder_ == Ladder::kNone) {
    if (!stopping_) return;
    if (on_terminal_) {
      std::lock_guard<std::mutex> lock(mu_);
      proc_.SignalAll(SIGHUP);
      proc_.SignalAll(SIGCONT);  // a stopped job cannot act on it otherwise
    } else {
      std::lock_guard<std::mutex> in_lock(stdin_mu_);
      std::lock_guard<std::mutex> lock(mu_);
      proc_.CloseStdin();
    }
    ladder_ = Ladder::kFirst;
    ladder_at_ = now + spec_.first_grace;
    return;
  }
  if (now < ladder_at_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (ladder_ == Ladder::kFirst) {
    proc_.SignalAll(SIGTERM);
    proc_.SignalAll(SIGCONT);
    ladder_ = Ladder::kTerm;
    ladder_at_ = now + spec_.term_grace;
  } else if (ladder_ == Ladder::kTerm) {
    proc_.SignalAll(SIGKILL);
    state_.killed = true;
    ladder_ = Ladder::kKill;
  }
}

int Session::PollTimeoutMs(Clock::time_point now) const {
  std::optional<Clock::time_point> wake;
  auto consider = [&wake](Clock::time_point t) { wake = wake ? std::min(*wake, t) : t; };
  if (!reaped_) {
    if (deadline_ && !stopping_) consider(*deadline_);
    if (ladder_ == Ladder::kFirst || ladder_ == Ladder::kTerm) consider(ladder_at_);
    if (stopping_ && ladder_ == Ladder::kNone) consider(now);
    if (proc_.pidfd() < 0) consider(now + kSlice);
  } else {
    consider(*drain_until_);
  }
  if (!wake) return -1;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*wake - now).count();
  return static_cast<int>(std::clamp<int64_t>(ms + 1, 0, 60'000));
}

// ---------------------------------------------------------------------------
// Calls from other threads

Result<size_t> Session::Write(std::string_view data, Clock::time_point deadline) {
  std::lock_guard<std::mutex> in_lock(stdin_mu_);
  int fd = on_terminal_ ? proc_.terminal_fd() : proc_.stdin_fd();
  if (stopping_ || !state().running) return Status::FailedPrecondition("the process has ended or is being stopped");
  if (fd < 0) return Status::FailedPrecondition("the process's stdin is closed");
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = WriteNoSigpipe(fd, data.data() + written, data.size() - written);
    if (n > 0) {
      written += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      Clock::time_point now = Clock::now();
      if (now >= deadline || stopping_) break;
      auto slice = std::min<Clock::duration>(deadline - now, kWriteSlice);
      pollfd pfd{fd, POLLOUT, 0};
      poll(&pfd, 1, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(slice).count()) + 1);
      continue;
    }
    // EPIPE (nobody reads stdin any more) or EIO (the terminal's last reader left).
    if (written == 0) {
      return Status::FailedPrecondition("nobody reads the process's input any more (it closed stdin or ended)");
    }
    break;
  }
  return written;
}

Status Session::CloseStdin() {
  if (on_terminal_) {
    termios attrs{};
    char eof = 4;  // ^D, unless the terminal says otherwise
    if (tcgetattr(proc_.terminal_fd(), &attrs) == 0 && attrs.c_cc[VEOF] != 0) eof = static_cast<char>(attrs.c_cc[VEOF]);
    Result<size_t> n = Write(std::string_view(&eof, 1), Clock::now() + std::chrono::seconds(1));
    return n.ok() ? Status::Ok() : n.status();
  }
  std::lock_guard<std::mutex> in_lock(stdin_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  proc_.CloseStdin();
  return Status::Ok();
}

Status Session::Resize(TerminalSize size) {
  if (!on_terminal_) return Status::FailedPrecondition("the process runs on pipes, not on a terminal: there is no size");
  if (size.cols == 0 || size.rows == 0) return Status::InvalidArgument("a terminal needs at least 1 column and 1 row");
  std::lock_guard<std::mutex> lock(mu_);
  if (state_.status) return Status::FailedPrecondition("the process has exited");
  winsize ws{};
  ws.ws_col = size.cols;
  ws.ws_row = size.rows;
  if (ioctl(proc_.terminal_fd(), TIOCSWINSZ, &ws) != 0) return Status::FromErrno(errno, "TIOCSWINSZ");
  return Status::Ok();
}

Result<pid_t> Session::Signal(int sig) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_.status) {
    return Status::FailedPrecondition(StrCat({"the process has already exited (", state_.status->ToString(), ")"}));
  }
  pid_t target = pid_;
  // The foreground job's group: it belongs to this terminal, hence to our session.
  if (on_terminal_) {
    pid_t fg = tcgetpgrp(proc_.terminal_fd());
    if (fg > 0) target = fg;
  }
  if (target == pid_) {
    proc_.SignalGroup(sig);
  } else if (::kill(-target, sig) != 0) {
    return Status::FromErrno(errno, "kill");
  }
  return target;
}

void Session::Stop(StopReason reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_.status || state_.stop != StopReason::kNone) return;
    state_.stop = reason;
  }
  stopping_ = true;
  Wake();
}

SessionState Session::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  SessionState s = state_;
  s.stdout_bytes = out_.total();
  s.stderr_bytes = err_.total();
  return s;
}

OutputBuffer::Page Session::Read(Stream stream, uint64_t offset, size_t max, SessionState* state) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (state != nullptr) {
    *state = state_;
    state->stdout_bytes = out_.total();
    state->stderr_bytes = err_.total();
  }
  return (stream == Stream::kStdout ? out_ : err_).Read(offset, max);
}

OutputBuffer::View Session::HeadAndTail(Stream stream, size_t max) const {
  std::lock_guard<std::mutex> lock(mu_);
  return (stream == Stream::kStdout ? out_ : err_).HeadAndTail(max);
}

uint64_t Session::dropped(Stream stream) const {
  std::lock_guard<std::mutex> lock(mu_);
  return (stream == Stream::kStdout ? out_ : err_).dropped();
}

bool Session::WaitUntil(Clock::time_point deadline, const CancellationToken* cancel,
                        const std::function<bool()>& ready) const {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (ready()) return true;
    if (cancel != nullptr && cancel->cancelled()) return false;
    Clock::time_point now = Clock::now();
    if (now >= deadline) return false;
    changed_.wait_until(lock, cancel != nullptr ? std::min(deadline, now + kSlice) : deadline);
  }
}

bool Session::WaitForEnd(Clock::time_point deadline, const CancellationToken* cancel) const {
  return WaitUntil(deadline, cancel, [this] { return !state_.running; });
}

bool Session::WaitForOutput(uint64_t stdout_offset, uint64_t stderr_offset, Clock::time_point deadline,
                            const CancellationToken* cancel) const {
  return WaitUntil(deadline, cancel, [&] {
    return !state_.running || out_.total() > stdout_offset || err_.total() > stderr_offset;
  });
}

// ---------------------------------------------------------------------------

namespace {

class SystemSessionLauncherImpl : public SessionLauncher {
 public:
  Result<std::unique_ptr<Session>> Start(const SessionSpec& spec) override { return Session::Start(spec); }
};

}  // namespace

SessionLauncher& SystemSessionLauncher() {
  static SystemSessionLauncherImpl launcher;
  return launcher;
}

}  // namespace weft::proc
