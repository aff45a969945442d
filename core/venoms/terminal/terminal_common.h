// What the terminal ops share: the session table with its limits, turning
// arguments into a SessionSpec (program, cwd beneath a bind, environment),
// and rendering output streams and exit statuses for a model.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/fd.h"
#include "core/base/json.h"
#include "core/base/result.h"
#include "core/base/utf8.h"
#include "core/ns/workspace.h"
#include "core/proc/session.h"
#include "core/venoms/registry.h"
#include "core/venoms/terminal/terminal_venom.h"

namespace weft::venoms::terminal {

// One session in the table. The fields are fixed once adopted, except the
// atomic ones.
struct Entry {
  std::string id;  // "t1", "t2", …
  std::shared_ptr<proc::Session> session;
  std::string command;    // what was run, for people
  std::string workspace;  // id
  std::string cwd;        // namespace path
  std::atomic<uint16_t> cols{0};  // the terminal's size (0 on pipes)
  std::atomic<uint16_t> rows{0};
  int64_t started_ms = 0;   // wall clock, ms since the epoch
  uint64_t seq = 0;         // adoption order
  // Where the last reply's output ended: the default offsets of the next read.
  std::atomic<uint64_t> stdout_cursor{0};
  std::atomic<uint64_t> stderr_cursor{0};
};

class TerminalState;

// A place among the running processes, held from before a start until the
// session is adopted or the call ends (then it is given back).
class Slot {
 public:
  Slot(Slot&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  Slot& operator=(Slot&&) = delete;
  ~Slot();

 private:
  friend class TerminalState;
  explicit Slot(TerminalState* state) : state_(state) {}
  TerminalState* state_;
};

// Shared by the ops of one registration; lives as long as the handlers.
// Thread-safe. Destroying it kills every session that still runs.
class TerminalState {
 public:
  TerminalState(const ns::Workspaces& workspaces, TerminalOptions options);

  const ns::Workspaces& workspaces() const { return workspaces_; }
  const TerminalOptions& options() const { return options_; }
  proc::SessionLauncher& launcher() const { return *launcher_; }
  // options.shell, else bash on PATH, else sh (found once).
  const std::string& shell() const { return shell_; }

  // A slot for one more running process; kResourceExhausted naming the
  // running sessions when max_running are running already.
  Result<Slot> Reserve();
  // Puts a started session in the table under a new id (returned), giving
  // back the slot; drops the oldest finished sessions beyond max_sessions.
  std::string Adopt(Slot slot, std::shared_ptr<Entry> entry);
  // kNotFound naming the sessions there are.
  Result<std::shared_ptr<Entry>> Find(std::string_view id) const;
  // Takes a session out of the table (nullptr when absent).
  std::shared_ptr<Entry> Take(std::string_view id);
  // In adoption order.
  std::vector<std::shared_ptr<Entry>> List() const;
  size_t Running() const;

 private:
  friend class Slot;
  size_t RunningLocked() const;

  const ns::Workspaces& workspaces_;
  TerminalOptions options_;
  proc::SessionLauncher* launcher_;
  std::string shell_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>, std::less<>> entries_;  // guarded by mu_
  size_t pending_ = 0;                                                  // guarded by mu_
  uint64_t next_seq_ = 1;                                               // guarded by mu_
};

// A start prepared from the arguments (exec and start share them).
struct Launch {
  proc::SessionSpec spec;
  UniqueFd cwd_fd;  // spec.cwd_fd points here
  std::string command;
  std::string workspace;
  std::string cwd;
};

// What an op assumes when the call leaves it out.
struct LaunchDefaults {
  bool pty = false;
  bool shell = false;  // no command and no argv: the shell itself (else an error)
  std::chrono::milliseconds timeout{0};
};

// `command` (run by the shell), `argv`, or neither (see LaunchDefaults);
// `cwd` opened beneath its bind; `env` checked and added; pty/cols/rows;
// timeout_ms; output retention and the stop ladder from the options. Errors
// name the argument.
Result<Launch> PrepareLaunch(const TerminalState& state, const Context& ctx, const Json& args,
                             const LaunchDefaults& defaults);

// Session::Start's failure as a message for the model (a missing program
// says how to run a shell command instead).
Status StartFailure(const Status& status, const std::string& command);
// The length of `bytes` without a UTF-8 sequence cut off at its end.
size_t CompleteUtf8Prefix(std::string_view bytes);

// The stream as exec shows it: the whole output when it fits `max`, else
// its head and tail with a marker line in between.
Json ViewJson(const proc::Session& session, proc::Stream stream, size_t max);
// A page of the stream from `offset` (see schemas/terminal/read.output.json).
// `complete`: the stream has ended, so a cut UTF-8 sequence at its end is
// shown rather than held back for the next read.
Json PageJson(const proc::OutputBuffer::Page& page, uint64_t total, bool complete);

// state, pid, exit_code / signal, stop reason: the fields every reply about a
// session shares.
void AddStatusFields(const proc::SessionState& state, Json* data);
// "exit code 0 after 1.2 s", "killed by SIGKILL after 10 min (its time limit)".
std::string StatusLine(const proc::SessionState& state);
// "t3" → "session t3 (`make -j8`)".
std::string Describe(const Entry& entry);

// How long an op may block: `key` in ms, default and ceiling.
std::chrono::milliseconds WaitArg(const Json& args, const char* key, int64_t fallback_ms);

// SIGINT ↔ "INT" for the signals the schema offers.
int SignalNumber(std::string_view name);
std::string SignalName(int sig);  // "SIGKILL"

}  // namespace weft::venoms::terminal
