// The system Spawner: one poll loop per Run over the child's pipes and its
// pidfd, with the stop ladder for timeouts, cancellation and callbacks.
#include "core/proc/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cassert>

#include "core/proc/io.h"

namespace weft::proc {
namespace {

using Clock = std::chrono::steady_clock;

// How often a Run without a pidfd, or with a cancellation token (which has
// no descriptor to poll), looks again.
constexpr std::chrono::milliseconds kPollSlice{25};
constexpr size_t kReadChunk = 64 << 10;

class Runner {
 public:
  Runner(const ProcessSpec& spec, Process proc) : spec_(spec), proc_(std::move(proc)) {
    result_.pid = proc_.pid();
    if (spec_.on_stdout_line) {
      splitter_.emplace(spec_.max_line_bytes, spec_.on_stdout_line);
    }
  }

  ProcessResult Run();

 private:
  enum class Ladder { kNone, kStdinClosed, kTermSent, kKillSent };

  void BeginStop(ProcessResult::Stop why, Clock::time_point now);
  void StepLadder(Clock::time_point now);
  void CheckExit(Clock::time_point now);
  // Cancellation, the deadline and ticks, while the child runs.
  void CheckStops(Clock::time_point now);
  // Waits for the pipes or the pidfd (or the next due time) and serves
  // them; false when poll itself failed.
  bool PollOnce(Clock::time_point now);
  void WriteStdin();
  // Reads what one readable pipe has; closes it at EOF.
  void ReadPipe(bool is_stdout);
  void DeliverStdout(std::string_view chunk);
  int PollTimeoutMs(Clock::time_point now) const;

  const ProcessSpec& spec_;
  Process proc_;
  ProcessResult result_;
  std::optional<LineSplitter> splitter_;
  size_t stdin_written_ = 0;
  bool delivering_ = true;  // stdout callbacks still wanted
  Ladder ladder_ = Ladder::kNone;
  Clock::time_point start_ = Clock::now();
  std::optional<Clock::time_point> deadline_;
  std::optional<Clock::time_point> next_tick_;
  Clock::time_point ladder_at_;  // when the next ladder step is due
  std::optional<Clock::time_point> drain_until_;
};

void Runner::BeginStop(ProcessResult::Stop why, Clock::time_point now) {
  delivering_ = false;
  // A child that already exited by itself keeps Stop::kNone: only the rest
  // of its output is unwanted.
  if (result_.stop != ProcessResult::Stop::kNone || proc_.reaped()) return;
  result_.stop = why;
  proc_.CloseStdin();
  ladder_ = Ladder::kStdinClosed;
  ladder_at_ = now + spec_.stdin_grace;
  StepLadder(now);
}

void Runner::StepLadder(Clock::time_point now) {
  if (proc_.reaped() || now < ladder_at_) return;
  if (ladder_ == Ladder::kStdinClosed) {
    proc_.SignalGroup(SIGTERM);
    ladder_ = Ladder::kTermSent;
    ladder_at_ = now + spec_.term_grace;
  } else if (ladder_ == Ladder::kTermSent) {
    proc_.SignalGroup(SIGKILL);
    result_.killed = true;
    ladder_ = Ladder::kKillSent;
  }
}

void Runner::CheckExit(Clock::time_point now) {
  if (proc_.reaped() || !proc_.HasExited()) return;
  // The leader is a zombie, so its pid (the group id) cannot be reused yet:
  // the last moment the group can be signalled safely.
  if (spec_.kill_group_on_exit || result_.stop != ProcessResult::Stop::kNone) proc_.SignalGroup(SIGKILL);
  result_.status = proc_.TryReap().value_or(ExitStatus{});
  drain_until_ = now + spec_.drain_grace;
}

void Runner::WriteStdin() {
  const std::string& data = *spec_.stdin_data;
  while (stdin_written_ < data.size()) {
    ssize_t n = WriteNoSigpipe(proc_.stdin_fd(), data.data() + stdin_written_, data.size() - stdin_written_);
    if (n > 0) {
      stdin_written_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    break;  // EPIPE or another error: the child does not want the rest
  }
  proc_.CloseStdin();
}

void Runner::DeliverStdout(std::string_view chunk) {
  if (spec_.on_stdout) {
    if (delivering_ && !spec_.on_stdout(chunk)) BeginStop(ProcessResult::Stop::kCallback, Clock::now());
    return;
  }
  if (splitter_) {
    if (delivering_ && !splitter_->Feed(chunk)) BeginStop(ProcessResult::Stop::kCallback, Clock::now());
    return;
  }
  size_t keep = std::min(chunk.size(), spec_.stdout_cap - std::min(spec_.stdout_cap, result_.stdout_data.size()));
  result_.stdout_data.append(chunk.substr(0, keep));
  result_.stdout_dropped += chunk.size() - keep;
}

void Runner::ReadPipe(bool is_stdout) {
  int fd = is_stdout ? proc_.stdout_fd() : proc_.stderr_fd();
  std::array<char, kReadChunk> buf;
  // A bounded number of reads per wakeup keeps stdout and stderr fair.
  for (int round = 0; round < 16; ++round) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      if (is_stdout) {
        if (splitter_ && delivering_ && !splitter_->Finish()) delivering_ = false;
        proc_.CloseStdout();
      } else {
        proc_.CloseStderr();
      }
      return;
    }
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    if (is_stdout) {
      result_.stdout_bytes += chunk.size();
      DeliverStdout(chunk);
    } else {
      result_.stderr_bytes += chunk.size();
      size_t keep = std::min(chunk.size(), spec_.stderr_cap - std::min(spec_.stderr_cap, result_.stderr_data.size()));
      result_.stderr_data.append(chunk.substr(0, keep));
      result_.stderr_dropped += chunk.size() - keep;
    }
  }
}

int Runner::PollTimeoutMs(Clock::time_point now) const {
  std::optional<Clock::time_point> wake;
  auto consider = [&wake](Clock::time_point t) { wake = wake ? std::min(*wake, t) : t; };
  if (!proc_.reaped()) {
    if (deadline_ && result_.stop == ProcessResult::Stop::kNone) consider(*deadline_);
    if (next_tick_ && result_.stop == ProcessResult::Stop::kNone) consider(*next_tick_);
    if (ladder_ == Ladder::kStdinClosed || ladder_ == Ladder::kTermSent) consider(ladder_at_);
    if (spec_.cancel != nullptr || proc_.pidfd() < 0) consider(now + kPollSlice);
  } else if (drain_until_) {
    consider(*drain_until_);
  }
  if (!wake) return -1;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*wake - now).count();
  return static_cast<int>(std::clamp<int64_t>(ms + 1, 0, 60'000));
}

void Runner::CheckStops(Clock::time_point now) {
  if (proc_.reaped() || result_.stop != ProcessResult::Stop::kNone) return;
  if (spec_.cancel != nullptr && spec_.cancel->cancelled()) {
    BeginStop(ProcessResult::Stop::kCancelled, now);
  } else if (deadline_ && now >= *deadline_) {
    BeginStop(ProcessResult::Stop::kTimeout, now);
  } else if (next_tick_ && now >= *next_tick_) {
    next_tick_ = now + spec_.tick_interval;
    if (!spec_.on_tick()) BeginStop(ProcessResult::Stop::kCallback, now);
  }
}

bool Runner::PollOnce(Clock::time_point now) {
  std::array<pollfd, 4> fds{};
  size_t n = 0;
  int in_slot = -1, out_slot = -1, err_slot = -1;
  auto watch = [&fds, &n](int fd, short events, int* slot) {
    if (fd < 0) return;
    if (slot != nullptr) *slot = static_cast<int>(n);
    fds[n++] = {fd, events, 0};
  };
  watch(proc_.stdin_fd(), POLLOUT, &in_slot);
  watch(proc_.stdout_fd(), POLLIN, &out_slot);
  watch(proc_.stderr_fd(), POLLIN, &err_slot);
  if (!proc_.reaped()) watch(proc_.pidfd(), POLLIN, nullptr);
  int rc = poll(fds.data(), n, PollTimeoutMs(now));
  if (rc < 0) return errno == EINTR;
  auto ready = [&fds](int slot) { return slot >= 0 && fds[static_cast<size_t>(slot)].revents != 0; };
  if (ready(in_slot)) WriteStdin();
  if (ready(out_slot)) ReadPipe(true);
  if (ready(err_slot)) ReadPipe(false);
  return true;
}

ProcessResult Runner::Run() {
  if (spec_.timeout.count() > 0) deadline_ = start_ + spec_.timeout;
  if (spec_.on_tick) next_tick_ = start_ + spec_.tick_interval;
  for (int fd : {proc_.stdin_fd(), proc_.stdout_fd(), proc_.stderr_fd()}) {
    if (fd >= 0) SetNonBlocking(fd);
  }
  if (proc_.stdin_fd() >= 0 && (!spec_.stdin_data || spec_.stdin_data->empty())) proc_.CloseStdin();

  while (true) {
    Clock::time_point now = Clock::now();
    CheckExit(now);
    bool pipes_open = proc_.stdout_fd() >= 0 || proc_.stderr_fd() >= 0;
    if (proc_.reaped() && (!pipes_open || now >= *drain_until_)) break;
    CheckStops(now);
    StepLadder(now);
    if (!PollOnce(now)) {
      // poll itself failed (out of memory): the child cannot be watched, so
      // it is not left running either.
      if (!proc_.reaped()) {
        BeginStop(ProcessResult::Stop::kCancelled, Clock::now());
        proc_.SignalGroup(SIGKILL);
        result_.killed = true;
        result_.status = proc_.Reap();
      }
      break;
    }
  }
  if (splitter_) result_.stdout_dropped += splitter_->dropped_bytes();
  result_.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_);
  return std::move(result_);
}

class SystemSpawnerImpl : public Spawner {
 public:
  Result<ProcessResult> Run(const ProcessSpec& spec) override {
    assert(!(spec.on_stdout && spec.on_stdout_line) && "set at most one stdout callback");
    assert(!(spec.stdin_data && spec.stdin_fd >= 0) && "stdin is data or a descriptor, not both");
    if (spec.pty) return Status::InvalidArgument("Spawner::Run takes pipes only; start a Session for a terminal");
    LaunchSpec launch = spec;
    launch.stdin_pipe = spec.stdin_data.has_value();
    WEFT_ASSIGN_OR_RETURN(Process proc, Process::Start(launch));
    Runner runner(spec, std::move(proc));
    return runner.Run();
  }
};

}  // namespace

std::string_view StopName(ProcessResult::Stop stop) {
  switch (stop) {
    case ProcessResult::Stop::kNone: return "none";
    case ProcessResult::Stop::kTimeout: return "timeout";
    case ProcessResult::Stop::kCancelled: return "cancelled";
    case ProcessResult::Stop::kCallback: return "stopped";
  }
  return "none";
}

Spawner& SystemSpawner() {
  static SystemSpawnerImpl spawner;
  return spawner;
}

bool LineSplitter::Feed(std::string_view chunk) {
  if (stopped_) return false;
  while (!chunk.empty()) {
    size_t nl = chunk.find(delimiter_);
    std::string_view piece = chunk.substr(0, nl);  // the whole chunk when there is no '\n'
    if (overlong_) {
      dropped_ += piece.size();
    } else if (partial_.size() + piece.size() > max_) {
      dropped_ += partial_.size() + piece.size();
      partial_.clear();
      overlong_ = true;
    } else if (nl != std::string_view::npos && partial_.empty()) {
      // The common case: a whole line inside the chunk, delivered without a copy.
      if (!on_line_(piece)) return !(stopped_ = true);
      chunk.remove_prefix(nl + 1);
      continue;
    } else {
      partial_.append(piece);
    }
    if (nl == std::string_view::npos) break;
    if (!overlong_) {
      bool more = on_line_(partial_);
      partial_.clear();
      if (!more) return !(stopped_ = true);
    }
    overlong_ = false;
    chunk.remove_prefix(nl + 1);
  }
  return true;
}

bool LineSplitter::Finish() {
  if (stopped_) return false;
  bool more = true;
  if (!partial_.empty() && !overlong_) more = on_line_(partial_);
  partial_.clear();
  overlong_ = false;
  if (!more) stopped_ = true;
  return more;
}

}  // namespace weft::proc
