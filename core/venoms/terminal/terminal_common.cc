// The terminal ops' shared pieces: the session table and its limits, launch
// preparation, and how streams and statuses read.
#include "core/venoms/terminal/terminal_common.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <utility>

#include "core/base/strings.h"
#include "core/ns/resolve.h"
#include "core/venoms/args.h"

namespace weft::venoms::terminal {
namespace {

constexpr int64_t kMaxWaitMs = 50'000;  // replies come well before a client's 60 s tool timeout

struct SignalNameEntry {
  const char* name;
  int number;
};
constexpr std::array<SignalNameEntry, 11> kSignals = {{
    {"INT", SIGINT}, {"TERM", SIGTERM}, {"KILL", SIGKILL}, {"HUP", SIGHUP}, {"QUIT", SIGQUIT}, {"USR1", SIGUSR1},
    {"USR2", SIGUSR2}, {"STOP", SIGSTOP}, {"CONT", SIGCONT}, {"WINCH", SIGWINCH}, {"ALRM", SIGALRM},
}};

std::string FindShell(const std::string& wanted) {
  if (!wanted.empty()) return wanted;
  const char* path = getenv("PATH");
  std::string path_list = path != nullptr ? path : "";
  for (const char* name : {"bash", "sh"}) {
    Result<std::string> found = proc::FindProgram(name, path_list);
    if (found.ok()) return *found;
  }
  return "/bin/sh";
}

bool IsBash(const std::string& shell) {
  size_t slash = shell.rfind('/');
  return shell.substr(slash == std::string::npos ? 0 : slash + 1) == "bash";
}

// An argv word as a shell would need it written, for showing a command.
std::string ShellWord(const std::string& word) {
  bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || strchr("-_./=:,+@%", c) != nullptr;
  });
  if (plain) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool ValidEnvName(std::string_view name) {
  if (name.empty() || isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string Duration(std::chrono::steady_clock::duration d) {
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms < 1000) return StrCat({std::to_string(ms), " ms"});
  if (ms < 60'000) {
    char buf[32];
    snprintf(buf, sizeof(buf), "%.1f s", static_cast<double>(ms) / 1000.0);
    return buf;
  }
  return StrCat({std::to_string(ms / 60'000), " min ", std::to_string(ms % 60'000 / 1000), " s"});
}

}  // namespace

// ---------------------------------------------------------------------------
// The table

Slot::~Slot() {
  if (state_ == nullptr) return;
  std::lock_guard<std::mutex> lock(state_->mu_);
  --state_->pending_;
}

TerminalState::TerminalState(const ns::Workspaces& workspaces, TerminalOptions options)
    : workspaces_(workspaces),
      options_(std::move(options)),
      launcher_(options_.launcher != nullptr ? options_.launcher : &proc::SystemSessionLauncher()),
      shell_(FindShell(options_.shell)) {
  options_.max_running = std::max<size_t>(options_.max_running, 1);
  options_.max_sessions = std::max(options_.max_sessions, options_.max_running);
}

size_t TerminalState::RunningLocked() const {
  size_t n = 0;
  for (const auto& [id, entry] : entries_) n += entry->session->state().running ? 1 : 0;
  return n;
}

size_t TerminalState::Running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return RunningLocked();
}

Result<Slot> TerminalState::Reserve() {
  std::lock_guard<std::mutex> lock(mu_);
  if (RunningLocked() + pending_ < options_.max_running) {
    ++pending_;
    return Slot(this);
  }
  std::string running;
  for (const auto& [id, entry] : entries_) {
    if (entry->session->state().running) running += StrCat({running.empty() ? "" : ", ", Describe(*entry)});
  }
  std::string waiting =
      pending_ > 0 ? StrCat({std::to_string(pending_), " more being started or waited for by terminal_exec"}) : "";
  return Status::ResourceExhausted(StrCat(
      {"already ", std::to_string(options_.max_running), " processes are running, the most this server allows (",
       running, running.empty() || waiting.empty() ? "" : "; ", waiting,
       "). Stop one with terminal_remove, or wait for one to finish with terminal_read (until: \"exit\"), "
       "then try again."}));
}

std::string TerminalState::Adopt(Slot slot, std::shared_ptr<Entry> entry) {
  std::vector<std::shared_ptr<Entry>> dropped;  // destroyed after the lock is let go
  std::lock_guard<std::mutex> lock(mu_);
  entry->seq = next_seq_++;
  entry->id = StrCat({"t", std::to_string(entry->seq)});
  while (entries_.size() >= options_.max_sessions) {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second->session->state().running) continue;
      if (oldest == entries_.end() || it->second->seq < oldest->second->seq) oldest = it;
    }
    if (oldest == entries_.end()) break;
    dropped.push_back(std::move(oldest->second));
    entries_.erase(oldest);
  }
  entries_.emplace(entry->id, entry);
  --pending_;
  slot.state_ = nullptr;
  return entry->id;
}

Result<std::shared_ptr<Entry>> TerminalState::Find(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it != entries_.end()) return it->second;
  if (entries_.empty()) {
    return Status::NotFound(StrCat({"there is no terminal session '", id,
                                    "' (there are none now: it may have been removed, or dropped to make room "
                                    "after it finished). terminal_exec and terminal_start hand out session ids."}));
  }
  std::string ids;
  for (const auto& [known, entry] : entries_) ids += StrCat({ids.empty() ? "" : ", ", known});
  return Status::NotFound(StrCat({"there is no terminal session '", id, "'; the sessions are ", ids,
                                  " (terminal_list describes them)"}));
}

std::shared_ptr<Entry> TerminalState::Take(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return nullptr;
  std::shared_ptr<Entry> entry = std::move(it->second);
  entries_.erase(it);
  return entry;
}

std::vector<std::shared_ptr<Entry>> TerminalState::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Entry>> out;
  for (const auto& [id, entry] : entries_) out.push_back(entry);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->seq < b->seq; });
  return out;
}

// ---------------------------------------------------------------------------
// Launching

namespace {

Status SetProgram(const TerminalState& state, const Json& args, bool pty, const LaunchDefaults& defaults,
                  Launch* out) {
  bool has_command = args.contains("command");
  bool has_argv = args.contains("argv");
  if (has_command && has_argv) {
    return Status::InvalidArgument(
        "give either command (a shell command line) or argv (a program and its arguments), not both");
  }
  if (has_command) {
    out->command = StringArg(args, "command");
    out->spec.argv = {state.shell(), "-c", out->command};
    return Status::Ok();
  }
  if (has_argv) {
    for (const Json& word : args["argv"]) out->spec.argv.push_back(word.get<std::string>());
    if (out->spec.argv.front().empty()) return Status::InvalidArgument("argv[0], the program to run, is empty");
    for (const std::string& word : out->spec.argv) {
      out->command += StrCat({out->command.empty() ? "" : " ", ShellWord(word)});
    }
    return Status::Ok();
  }
  if (!defaults.shell) {
    return Status::InvalidArgument(
        "nothing to run: give command (a shell command line, e.g. \"make test\") or argv (e.g. [\"make\", \"test\"])");
  }
  out->spec.argv = {state.shell()};
  // Without the user's rc files the shell behaves the same for every caller.
  if (IsBash(state.shell())) out->spec.argv.insert(out->spec.argv.end(), {"--noprofile", "--norc"});
  out->command = StrCat({ShellWord(state.shell()), pty ? " (interactive)" : ""});
  return Status::Ok();
}

Result<UniqueFd> OpenCwd(const ns::Workspace& ws, const std::string& cwd, std::string* ns_path) {
  Result<ns::Place> place = ws.Locate(cwd, ns::Access::kRead);
  if (!place.ok()) return place.status().WithContext("cwd");
  Result<UniqueFd> fd = ns::OpenBeneathAs(place->root_fd, place->rest, place->path, O_PATH);
  if (!fd.ok()) return fd.status().WithContext("cwd");
  struct stat st;
  if (fstat(fd->get(), &st) != 0) return Status::FromErrno(errno, StrCat({"cwd ", place->path}));
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(StrCat({"cwd ", place->path, " is not a directory; pass the directory to run in"}));
  }
  *ns_path = place->path;
  return std::move(fd).value();
}

}  // namespace

Result<Launch> PrepareLaunch(const TerminalState& state, const Context& ctx, const Json& args,
                             const LaunchDefaults& defaults) {
  Launch out;
  WEFT_ASSIGN_OR_RETURN(ns::Workspace* ws, WorkspaceArg(ctx, state.workspaces(), args));
  out.workspace = ws->id();
  bool pty = BoolArg(args, "pty", defaults.pty);
  WEFT_RETURN_IF_ERROR(SetProgram(state, args, pty, defaults, &out));
  WEFT_ASSIGN_OR_RETURN(out.cwd_fd, OpenCwd(*ws, StringArg(args, "cwd", ws->DefaultDir()), &out.cwd));
  proc::SessionSpec& spec = out.spec;
  spec.cwd_fd = out.cwd_fd.get();
  // A terminal that programs can drive; on pipes, one that asks them for plain text.
  spec.env.push_back({"TERM", pty ? "xterm-256color" : "dumb"});
  auto env = args.find("env");
  if (env != args.end() && env->is_object()) {
    for (const auto& [name, value] : env->items()) {
      if (!ValidEnvName(name)) {
        return Status::InvalidArgument(StrCat({"env: '", name, "' is not a variable name (letters, digits and _, "
                                               "not starting with a digit)"}));
      }
      std::string text = value.get<std::string>();
      if (text.find('\0') != std::string::npos) {
        return Status::InvalidArgument(StrCat({"env: the value of ", name, " holds a NUL byte"}));
      }
      spec.env.push_back({name, std::move(text)});
    }
  }
  if (pty) {
    spec.pty = proc::TerminalSize{.cols = static_cast<uint16_t>(IntArg(args, "cols", 80)),
                                  .rows = static_cast<uint16_t>(IntArg(args, "rows", 24))};
  }
  spec.retain_head = state.options().retain_head_bytes;
  spec.retain_tail = state.options().retain_tail_bytes;
  spec.first_grace = state.options().first_grace;
  spec.term_grace = state.options().term_grace;
  spec.timeout = std::chrono::milliseconds(IntArg(args, "timeout_ms", defaults.timeout.count()));
  return out;
}

Status StartFailure(const Status& status, const std::string& command) {
  if (status.code() == StatusCode::kNotFound) {
    return Status::NotFound(StrCat({status.message(),
                                    ". Check the program's name (it is looked up on the server's PATH), or pass "
                                    "command instead of argv to run a shell command line."}));
  }
  return status.WithContext(StrCat({"cannot start `", command, "`"}));
}

// ---------------------------------------------------------------------------
// Rendering

size_t CompleteUtf8Prefix(std::string_view bytes) {
  // A sequence is at most 4 bytes: only the last 3 can start a cut one.
  for (size_t back = 1; back <= std::min<size_t>(3, bytes.size()); ++back) {
    size_t at = bytes.size() - back;
    unsigned char c = static_cast<unsigned char>(bytes[at]);
    if (c < 0x80) return bytes.size();
    if (c >= 0xC0) {
      std::string_view rest = bytes.substr(at);
      size_t whole = Utf8SequenceLength(rest, 0);
      bool cut = whole == 0 && Utf8SequenceLength(rest, 0, /*partial=*/true) == rest.size();
      return cut ? at : bytes.size();
    }
  }
  return bytes.size();
}

namespace {

std::string OmittedLine(uint64_t n, std::string_view how) {
  return StrCat({"[… ", std::to_string(n), n == 1 ? " byte " : " bytes ", how, " …]"});
}

}  // namespace

Json ViewJson(const proc::Session& session, proc::Stream stream, size_t max) {
  proc::OutputBuffer::View view = session.HeadAndTail(stream, max);
  uint64_t total = view.head.size() + view.omitted + view.tail.size();
  std::string text = ValidUtf8(view.head);
  if (view.omitted > 0) {
    if (!text.empty() && text.back() != '\n') text += "\n";
    text += OmittedLine(view.omitted, "omitted");
    text += "\n";
  }
  text += ValidUtf8(view.tail);
  return {{"text", std::move(text)},
          {"offset", 0},
          {"next_offset", total},
          {"total_bytes", total},
          {"omitted_bytes", view.omitted}};
}

Json PageJson(const proc::OutputBuffer::Page& page, uint64_t total, bool complete) {
  std::string_view bytes = page.bytes;
  bool at_end = page.offset + bytes.size() == total;
  size_t keep = complete && at_end ? bytes.size() : CompleteUtf8Prefix(bytes);
  std::string text = page.skipped > 0 ? StrCat({OmittedLine(page.skipped, "no longer kept"), "\n"}) : "";
  text += ValidUtf8(bytes.substr(0, keep));
  return {{"text", std::move(text)},
          {"offset", page.offset - page.skipped},
          {"next_offset", page.offset + keep},
          {"total_bytes", total},
          {"omitted_bytes", page.skipped}};
}

void AddStatusFields(const proc::SessionState& state, Json* data) {
  (*data)["state"] = state.running ? "running" : "exited";
  (*data)["pid"] = state.pid;
  if (!state.running && state.status) {
    if (state.status->signaled) {
      (*data)["signal"] = SignalName(state.status->signal);
    } else {
      (*data)["exit_code"] = state.status->code;
    }
  }
  if (state.stop != proc::StopReason::kNone) (*data)["stopped_by"] = std::string(proc::StopReasonName(state.stop));
}

std::string StatusLine(const proc::SessionState& state) {
  if (state.running) {
    return StrCat({"still running (pid ", std::to_string(state.pid), ") after ",
                   Duration(std::chrono::steady_clock::now() - state.started)});
  }
  std::string how = !state.status ? "ended"
                    : state.status->signaled
                        ? StrCat({"killed by ", SignalName(state.status->signal)})
                        : StrCat({"exit code ", std::to_string(state.status->code)});
  std::string why;
  if (state.stop == proc::StopReason::kTimeout) why = " (it reached its time limit, timeout_ms)";
  if (state.stop == proc::StopReason::kRequested) why = " (stopped on request)";
  if (state.stop == proc::StopReason::kCancelled) why = " (stopped: the call was cancelled)";
  return StrCat({how, " after ", Duration(state.ended - state.started), why});
}

std::string Describe(const Entry& entry) {
  constexpr size_t kShown = 60;
  std::string command = entry.command.size() > kShown ? StrCat({entry.command.substr(0, kShown), "…"}) : entry.command;
  return StrCat({entry.id, " (`", ValidUtf8(command), "`)"});
}

std::chrono::milliseconds WaitArg(const Json& args, const char* key, int64_t fallback_ms) {
  return std::chrono::milliseconds(std::clamp<int64_t>(IntArg(args, key, fallback_ms), 0, kMaxWaitMs));
}

int SignalNumber(std::string_view name) {
  if (name.substr(0, 3) == "SIG") name.remove_prefix(3);
  for (const SignalNameEntry& s : kSignals) {
    if (name == s.name) return s.number;
  }
  return 0;
}

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev != nullptr ? StrCat({"SIG", abbrev}) : StrCat({"signal ", std::to_string(sig)});
}

}  // namespace weft::venoms::terminal
