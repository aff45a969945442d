// terminal_exec (run, wait a while, then hand back a session) and
// terminal_start (a session from the start).
#include <chrono>

#include "core/base/clock.h"
#include "core/base/strings.h"
#include "core/venoms/args.h"
#include "core/venoms/terminal/terminal_ops.h"

namespace weft::venoms::terminal {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kDefaultExecWaitMs = 5000;
constexpr int64_t kDefaultOutputBytes = 32 << 10;
// How long a cancelled exec waits for the stop ladder before it answers.
constexpr std::chrono::seconds kStopWait{30};

std::shared_ptr<Entry> NewEntry(const Launch& launch, std::shared_ptr<proc::Session> session) {
  auto entry = std::make_shared<Entry>();
  entry->session = std::move(session);
  entry->command = launch.command;
  entry->workspace = launch.workspace;
  entry->cwd = launch.cwd;
  if (launch.spec.pty) {
    entry->cols = launch.spec.pty->cols;
    entry->rows = launch.spec.pty->rows;
  }
  entry->started_ms = SystemClock::Get().WallMillis();
  return entry;
}

// Waits for the session to end until `deadline`, reporting progress; false
// at the deadline or when the call is cancelled.
bool WaitWithProgress(const TerminalState& state, Context& ctx, const proc::Session& session,
                      const std::string& command, Clock::time_point begin, Clock::time_point deadline) {
  while (true) {
    Clock::time_point now = Clock::now();
    if (now >= deadline) return false;
    if (session.WaitForEnd(std::min(deadline, now + state.options().progress_interval), &ctx.cancellation())) {
      return true;
    }
    if (ctx.cancelled()) return false;
    now = Clock::now();
    if (now >= deadline) return false;
    proc::SessionState st = session.state();
    double elapsed = std::chrono::duration<double>(now - begin).count();
    ctx.Progress(elapsed, std::chrono::duration<double>(deadline - begin).count(),
                 StrCat({"running `", command, "`: ", std::to_string(st.stdout_bytes + st.stderr_bytes),
                         " bytes of output so far"}));
  }
}

std::string StreamText(const Json& data) {
  std::string out = data["stdout"]["text"].get<std::string>();
  if (data.contains("stderr") && !data["stderr"]["text"].get<std::string>().empty()) {
    if (!out.empty() && out.back() != '\n') out += "\n";
    out += "[stderr]\n";
    out += data["stderr"]["text"].get<std::string>();
  }
  if (out.empty()) out = "(no output)";
  if (out.back() != '\n') out += "\n";
  return out;
}

}  // namespace

Result<Reply> Exec(TerminalState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Launch launch, PrepareLaunch(state, ctx, args, {.pty = false, .shell = false,
                                                                   .timeout = state.options().exec_timeout}));
  std::chrono::milliseconds wait = WaitArg(args, "wait_ms", kDefaultExecWaitMs);
  size_t max_output = static_cast<size_t>(IntArg(args, "max_output_bytes", kDefaultOutputBytes));
  if (ctx.cancelled()) return Status::Cancelled("terminal_exec was cancelled before it started anything");
  WEFT_ASSIGN_OR_RETURN(Slot slot, state.Reserve());
  Result<std::unique_ptr<proc::Session>> started = state.launcher().Start(launch.spec);
  if (!started.ok()) return StartFailure(started.status(), launch.command);
  std::shared_ptr<proc::Session> session = std::move(started).value();
  Clock::time_point begin = Clock::now();
  Clock::time_point deadline = begin + wait;

  std::string note;
  if (args.contains("stdin")) {
    std::string input = StringArg(args, "stdin");
    Result<size_t> written = session->Write(input, deadline);
    size_t n = written.ok() ? *written : 0;
    if (n < input.size()) {
      note = StrCat({"Only ", std::to_string(n), " of the ", std::to_string(input.size()),
                     " stdin bytes were taken: the process stopped reading its input.\n"});
    }
    (void)session->CloseStdin();
  } else if (!launch.spec.pty) {
    (void)session->CloseStdin();  // a command that reads stdin gets end-of-file, not a wait
  }

  WaitWithProgress(state, ctx, *session, launch.command, begin, deadline);
  if (ctx.cancelled()) {
    session->Stop(proc::StopReason::kCancelled);
    session->WaitForEnd(Clock::now() + kStopWait, nullptr);
    return Status::Cancelled(StrCat({"terminal_exec was cancelled; `", launch.command,
                                     "` and its process group were stopped"}));
  }
  proc::SessionState st = session->state();
  Json data = Json::object();
  AddStatusFields(st, &data);
  data["command"] = ValidUtf8(launch.command);
  data["elapsed_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
      (st.running ? Clock::now() : st.ended) - st.started).count();
  data["stdout"] = ViewJson(*session, proc::Stream::kStdout, max_output);
  if (session->has_stderr()) data["stderr"] = ViewJson(*session, proc::Stream::kStderr, max_output);
  std::string text = StrCat({note, StreamText(data)});
  if (st.running) {
    auto entry = NewEntry(launch, session);
    entry->stdout_cursor = data["stdout"]["next_offset"].get<uint64_t>();
    if (data.contains("stderr")) entry->stderr_cursor = data["stderr"]["next_offset"].get<uint64_t>();
    std::string id = state.Adopt(std::move(slot), entry);
    data["session"] = id;
    text += StrCat({"[", StatusLine(st), "; it keeps running as session ", id,
                    ". terminal_read with session \"", id,
                    "\" returns its further output (until: \"exit\" waits for the end), terminal_write sends it "
                    "input, terminal_remove stops it.]"});
  } else {
    text += StrCat({"[", StatusLine(st), "]"});
  }
  return Reply::WithText(std::move(data), std::move(text));
}

Result<Reply> Start(TerminalState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Launch launch, PrepareLaunch(state, ctx, args, {.pty = true, .shell = true}));
  if (ctx.cancelled()) return Status::Cancelled("terminal_start was cancelled before it started anything");
  WEFT_ASSIGN_OR_RETURN(Slot slot, state.Reserve());
  Result<std::unique_ptr<proc::Session>> started = state.launcher().Start(launch.spec);
  if (!started.ok()) return StartFailure(started.status(), launch.command);
  std::shared_ptr<proc::Session> session = std::move(started).value();
  auto entry = NewEntry(launch, session);
  std::string id = state.Adopt(std::move(slot), entry);
  Json data = {{"session", id},
               {"pid", session->pid()},
               {"command", ValidUtf8(launch.command)},
               {"workspace", launch.workspace},
               {"cwd", launch.cwd},
               {"pty", session->on_terminal()}};
  std::string where = "on pipes (stdout and stderr apart)";
  if (launch.spec.pty) {
    data["cols"] = launch.spec.pty->cols;
    data["rows"] = launch.spec.pty->rows;
    where = StrCat({"on a ", std::to_string(launch.spec.pty->cols), "x", std::to_string(launch.spec.pty->rows),
                    " terminal"});
  }
  std::string text = StrCat({"Started session ", id, ": `", data["command"].get<std::string>(), "` ", where,
                             " in ", launch.cwd, " (pid ", std::to_string(session->pid()),
                             "). Send input with terminal_write (end a command with \"\\n\"), read what it "
                             "prints with terminal_read, stop it with terminal_remove."});
  return Reply::WithText(std::move(data), std::move(text));
}

}  // namespace weft::venoms::terminal
