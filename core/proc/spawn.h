// Spawner: run a program to completion (or until stopped) with capped or
// streamed output, a timeout and cancellation. The OS seam for everything
// that runs processes (search, git, terminal exec); tests fake it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/cancellation.h"
#include "core/base/result.h"
#include "core/proc/process.h"

namespace weft::proc {

// What to run (LaunchSpec: argv, environment, cwd) and how to watch it.
struct ProcessSpec : LaunchSpec {
  // Written to the child's stdin, which is then closed. nullopt: stdin is
  // LaunchSpec::stdin_fd when set, else /dev/null (Run sets stdin_pipe).
  std::optional<std::string> stdin_data;

  // Collected output keeps the first *_cap bytes; the rest is counted in
  // ProcessResult::*_dropped.
  size_t stdout_cap = 1 << 20;
  size_t stderr_cap = 64 << 10;

  // Streaming. When on_stdout is set, every stdout chunk goes to it as read
  // (nothing is collected). When on_stdout_line is set, complete lines go to
  // it without their '\n' (a last line without one at EOF too); lines over
  // max_line_bytes are dropped and counted in stdout_dropped. Returning false
  // stops the child (the stop ladder below, stop = kCallback). Once the
  // child is being stopped, for whatever reason, the callbacks get nothing
  // more (collected output is still collected). At most one may be set.
  std::function<bool(std::string_view chunk)> on_stdout;
  std::function<bool(std::string_view line)> on_stdout_line;
  size_t max_line_bytes = 16 << 20;

  // Called every tick_interval while the child runs (for progress reports);
  // returning false stops the child (stop = kCallback).
  std::function<bool()> on_tick;
  std::chrono::milliseconds tick_interval{1000};

  // Wall-clock limit from the start; 0 means none. Reaching it stops the
  // child (stop = kTimeout).
  std::chrono::milliseconds timeout{0};
  // Cancelling stops the child (stop = kCancelled). Not owned; may be null.
  const CancellationToken* cancel = nullptr;

  // The stop ladder: close stdin → wait stdin_grace → SIGTERM to the group
  // → wait term_grace → SIGKILL to the group.
  std::chrono::milliseconds stdin_grace{0};
  std::chrono::milliseconds term_grace{1000};
  // When the child exits by itself, SIGKILL whatever is left of its process
  // group (background children), then read what is already in the pipes for
  // up to drain_grace (a descendant that left the group may hold them open).
  bool kill_group_on_exit = true;
  std::chrono::milliseconds drain_grace{200};
};

struct ProcessResult {
  enum class Stop {
    kNone,       // ran until it exited by itself
    kTimeout,    // spec.timeout elapsed
    kCancelled,  // spec.cancel was cancelled
    kCallback,   // a callback returned false
  };

  ExitStatus status;
  pid_t pid = -1;  // also its process group id; reaped by the time Run returns
  std::string stdout_data;  // the first stdout_cap bytes (empty when streamed)
  std::string stderr_data;  // the first stderr_cap bytes
  uint64_t stdout_bytes = 0;  // everything read, kept or not
  uint64_t stderr_bytes = 0;
  uint64_t stdout_dropped = 0;  // bytes beyond the cap (collected) or in over-long lines (streamed)
  uint64_t stderr_dropped = 0;
  Stop stop = Stop::kNone;
  bool killed = false;  // the ladder went as far as SIGKILL
  std::chrono::milliseconds elapsed{0};

  bool exited_ok() const { return !status.signaled && status.code == 0 && stop == Stop::kNone; }
};

std::string_view StopName(ProcessResult::Stop stop);

class Spawner {
 public:
  virtual ~Spawner() = default;
  // Starts spec.argv (Process::Start), feeds stdin, collects or streams its
  // output and blocks until it exits or is stopped and reaped. An error only
  // when it could not start (kNotFound naming a missing program, …); a
  // non-zero exit, a signal, a timeout or a cancellation are results.
  // Callbacks run on the calling thread. Thread-safe: concurrent Runs are
  // independent.
  virtual Result<ProcessResult> Run(const ProcessSpec& spec) = 0;
};

// The real spawner (posix_spawn, pidfd, poll). Process-wide and stateless.
Spawner& SystemSpawner();

// Splits a byte stream into lines (or '\0'-separated records, as from
// `find -print0`) for ProcessSpec::on_stdout_line and the like.
class LineSplitter {
 public:
  // `on_line` gets each line without its `delimiter`; returning false stops
  // the split. Lines over `max_line_bytes` are dropped and counted.
  LineSplitter(size_t max_line_bytes, std::function<bool(std::string_view)> on_line, char delimiter = '\n')
      : max_(max_line_bytes), on_line_(std::move(on_line)), delimiter_(delimiter) {}
  // False once on_line has returned false.
  bool Feed(std::string_view chunk);
  // Delivers a last line that had no delimiter.
  bool Finish();
  uint64_t dropped_bytes() const { return dropped_; }

 private:
  size_t max_;
  std::function<bool(std::string_view)> on_line_;
  char delimiter_;
  std::string partial_;
  bool overlong_ = false;  // dropping the rest of a line that went over max_
  bool stopped_ = false;   // on_line_ returned false
  uint64_t dropped_ = 0;
};

}  // namespace weft::proc
