// The session ops: read (by offset, waiting for output or the end), write,
// resize, signal, list and remove.
#include <time.h>

#include <chrono>

#include "core/base/strings.h"
#include "core/venoms/args.h"
#include "core/venoms/terminal/terminal_ops.h"

namespace weft::venoms::terminal {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kDefaultReadWaitMs = 2000;
constexpr int64_t kDefaultReadBytes = 32 << 10;
// Once output arrives, a read lingers this long for more, so a busy process
// is not read a few bytes at a time.
constexpr std::chrono::milliseconds kSettle{100};
// How long a write waits for a process that is slow to read its input.
constexpr std::chrono::seconds kWriteWait{5};

std::string Rfc3339Utc(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<uint64_t> OffsetArg(const Json& args, const char* key, uint64_t fallback, uint64_t total) {
  if (!args.contains(key)) return fallback;
  uint64_t offset = static_cast<uint64_t>(IntArg(args, key, 0));
  if (offset > total) {
    return Status::OutOfRange(StrCat({key, " ", std::to_string(offset), " is past the end of the output (",
                                      std::to_string(total), " bytes so far); pass a next_offset from an earlier "
                                      "reply, or leave it out to go on where the last read ended"}));
  }
  return offset;
}

}  // namespace

Result<Reply> Read(TerminalState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(std::shared_ptr<Entry> entry, state.Find(StringArg(args, "session")));
  proc::Session& session = *entry->session;
  proc::SessionState before = session.state();
  WEFT_ASSIGN_OR_RETURN(uint64_t offset, OffsetArg(args, "offset", entry->stdout_cursor, before.stdout_bytes));
  WEFT_ASSIGN_OR_RETURN(uint64_t err_offset,
                        OffsetArg(args, "stderr_offset", entry->stderr_cursor, before.stderr_bytes));
  std::chrono::milliseconds wait = WaitArg(args, "wait_ms", kDefaultReadWaitMs);
  size_t max = static_cast<size_t>(IntArg(args, "max_bytes", kDefaultReadBytes));
  Clock::time_point deadline = Clock::now() + wait;
  if (StringArg(args, "until", "output") == "exit") {
    session.WaitForEnd(deadline, &ctx.cancellation());
  } else if (session.WaitForOutput(offset, err_offset, deadline, &ctx.cancellation())) {
    session.WaitForEnd(std::min(deadline, Clock::now() + kSettle), &ctx.cancellation());
  }
  if (ctx.cancelled()) {
    return Status::Cancelled(StrCat({"terminal_read was cancelled; ", Describe(*entry), " goes on as it was"}));
  }

  proc::SessionState st;
  proc::OutputBuffer::Page out = session.Read(proc::Stream::kStdout, offset, max, &st);
  Json data = {{"session", entry->id}};
  AddStatusFields(st, &data);
  data["stdout"] = PageJson(out, st.stdout_bytes, !st.running);
  if (session.has_stderr()) {
    data["stderr"] = PageJson(session.Read(proc::Stream::kStderr, err_offset, max), st.stderr_bytes, !st.running);
  }
  entry->stdout_cursor = data["stdout"]["next_offset"].get<uint64_t>();
  if (data.contains("stderr")) entry->stderr_cursor = data["stderr"]["next_offset"].get<uint64_t>();

  std::string text = data["stdout"]["text"].get<std::string>();
  if (data.contains("stderr") && !data["stderr"]["text"].get<std::string>().empty()) {
    if (!text.empty() && text.back() != '\n') text += "\n";
    text += StrCat({"[stderr]\n", data["stderr"]["text"].get<std::string>()});
  }
  if (text.empty()) text = st.running ? "(no new output)" : "(no more output)";
  if (text.back() != '\n') text += "\n";
  bool more = data["stdout"]["next_offset"].get<uint64_t>() < st.stdout_bytes ||
              (data.contains("stderr") && data["stderr"]["next_offset"].get<uint64_t>() < st.stderr_bytes);
  text += StrCat({"[", entry->id, ": ", StatusLine(st),
                  more ? "; more output is waiting: read again" : "",
                  st.running && !more ? "; read again for what it prints next" : "", "]"});
  return Reply::WithText(std::move(data), std::move(text));
}

Result<Reply> Write(TerminalState& state, Context&, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(std::shared_ptr<Entry> entry, state.Find(StringArg(args, "session")));
  std::string input = StringArg(args, "data");
  bool eof = BoolArg(args, "eof", false);
  if (input.empty() && !eof) return Status::InvalidArgument("nothing to write: give data, eof: true, or both");
  size_t written = 0;
  if (!input.empty()) {
    Result<size_t> n = entry->session->Write(input, Clock::now() + kWriteWait);
    if (!n.ok()) return n.status().WithContext(StrCat({"cannot write to ", Describe(*entry)}));
    written = *n;
  }
  if (eof && written == input.size()) {
    Status closed = entry->session->CloseStdin();
    if (!closed.ok()) return closed.WithContext(StrCat({"cannot end the input of ", Describe(*entry)}));
  }
  Json data = {{"session", entry->id}, {"bytes_written", written}, {"eof", eof && written == input.size()}};
  std::string text = StrCat({"Wrote ", std::to_string(written), written == 1 ? " byte" : " bytes", " to ",
                             entry->id});
  if (written < input.size()) {
    text += StrCat({" of ", std::to_string(input.size()), ": the process is not reading its input, so the rest "
                    "was not sent (nor the end of input)"});
  } else if (eof) {
    text += entry->session->on_terminal() ? " and typed the end-of-input character (Ctrl-D)" : " and closed its stdin";
  }
  text += ". terminal_read shows what it prints.";
  return Reply::WithText(std::move(data), std::move(text));
}

Result<Reply> Resize(TerminalState& state, Context&, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(std::shared_ptr<Entry> entry, state.Find(StringArg(args, "session")));
  proc::TerminalSize size{.cols = static_cast<uint16_t>(IntArg(args, "cols", 80)),
                          .rows = static_cast<uint16_t>(IntArg(args, "rows", 24))};
  Status resized = entry->session->Resize(size);
  if (!resized.ok()) return resized.WithContext(StrCat({"cannot resize ", Describe(*entry)}));
  entry->cols = size.cols;
  entry->rows = size.rows;
  Json data = {{"session", entry->id}, {"cols", size.cols}, {"rows", size.rows}};
  return Reply::WithText(std::move(data), StrCat({"Resized ", entry->id, " to ", std::to_string(size.cols), "x",
                                                  std::to_string(size.rows), "."}));
}

Result<Reply> Signal(TerminalState& state, Context&, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(std::shared_ptr<Entry> entry, state.Find(StringArg(args, "session")));
  int sig = SignalNumber(StringArg(args, "signal"));
  if (sig == 0) return Status::InvalidArgument(StrCat({"unknown signal '", StringArg(args, "signal"), "'"}));
  Result<pid_t> group = entry->session->Signal(sig);
  if (!group.ok()) return group.status().WithContext(StrCat({"cannot signal ", Describe(*entry)}));
  Json data = {{"session", entry->id}, {"signal", SignalName(sig)}, {"process_group", *group}};
  return Reply::WithText(std::move(data),
                         StrCat({"Sent ", SignalName(sig), " to process group ", std::to_string(*group), " of ",
                                 entry->id, ". terminal_read shows what came of it."}));
}

Result<Reply> List(TerminalState& state, Context&, const Json&) {
  Json sessions = Json::array();
  std::string text;
  size_t running = 0;
  for (const std::shared_ptr<Entry>& entry : state.List()) {
    proc::SessionState st = entry->session->state();
    running += st.running ? 1 : 0;
    Json s = {{"session", entry->id},
              {"command", ValidUtf8(entry->command)},
              {"workspace", entry->workspace},
              {"cwd", entry->cwd},
              {"pty", entry->session->on_terminal()},
              {"started_at", Rfc3339Utc(entry->started_ms)},
              {"stdout_bytes", st.stdout_bytes},
              {"stderr_bytes", st.stderr_bytes},
              {"unread_bytes", st.stdout_bytes - std::min<uint64_t>(st.stdout_bytes, entry->stdout_cursor) +
                                   st.stderr_bytes - std::min<uint64_t>(st.stderr_bytes, entry->stderr_cursor)}};
    if (entry->session->on_terminal()) {
      s["cols"] = entry->cols.load();
      s["rows"] = entry->rows.load();
    }
    AddStatusFields(st, &s);
    text += StrCat({entry->id, "  ", StatusLine(st), "  `", s["command"].get<std::string>(), "` in ", entry->cwd,
                    "\n"});
    sessions.push_back(std::move(s));
  }
  const TerminalOptions& o = state.options();
  Json data = {{"sessions", std::move(sessions)},
               {"running", running},
               {"max_running", o.max_running},
               {"max_sessions", o.max_sessions}};
  if (text.empty()) text = "No terminal sessions.\n";
  text += StrCat({std::to_string(running), " running of at most ", std::to_string(o.max_running), "."});
  return Reply::WithText(std::move(data), std::move(text));
}

Result<Reply> Remove(TerminalState& state, Context&, const Json& args) {
  std::string id = StringArg(args, "session");
  std::shared_ptr<Entry> entry = state.Take(id);
  if (entry == nullptr) return state.Find(id).status();
  proc::Session& session = *entry->session;
  bool was_running = session.state().running;
  session.Stop(proc::StopReason::kRequested);
  const TerminalOptions& o = state.options();
  session.WaitForEnd(Clock::now() + o.first_grace + o.term_grace + std::chrono::seconds(10), nullptr);
  proc::SessionState st = session.state();
  Json data = {{"session", entry->id}, {"was_running", was_running}};
  AddStatusFields(st, &data);
  std::string text = StrCat({"Removed ", Describe(*entry), was_running ? ", which was still running: " : ": ",
                             StatusLine(st), ". Its output is gone."});
  return Reply::WithText(std::move(data), std::move(text));
}

}  // namespace weft::venoms::terminal
