// The terminal venom's registration, in the order tools/list shows the ops.
#include "core/venoms/terminal/terminal_venom.h"

#include <memory>

#include "core/venoms/terminal/terminal_common.h"
#include "core/venoms/terminal/terminal_ops.h"

namespace weft::venoms {
namespace {

constexpr const char* kExecDescription =
    "Run a command in the workspace and get its result: exit code (or the signal that killed it), stdout and "
    "stderr. `command` is a shell command line (run with bash -c, or sh -c where bash is missing: pipes, "
    "redirections, && and globs work); `argv` runs one program directly with exactly these arguments, no shell. "
    "Runs in `cwd` (a workspace directory, default the root) with a clean environment (PATH, HOME, LANG, LC_*, "
    "plus `env`; pagers are cat, git never prompts) and stdin closed unless you pass `stdin`. Waits up to "
    "`wait_ms` (default 5000, at most 50000): if the command ends by then you get everything; if not, it keeps "
    "running in the background as a session and you get its id (`session`) and the output so far, then call "
    "terminal_read with that session to wait for more output or the end (until: \"exit\"), terminal_write to "
    "answer a prompt, terminal_remove to stop it. Use wait_ms 0 to start something long-running (a dev server, "
    "a watcher) and carry on. Output in the reply is capped at `max_output_bytes` per stream (default 32 KiB): "
    "the start and the end are kept and a line `[… N bytes omitted …]` marks the cut; total_bytes counts "
    "everything. The command is stopped at `timeout_ms` (default 10 minutes). Each call is a fresh process: "
    "`cd` or `export` do not carry over to the next call; use terminal_start for a shell that keeps its state. "
    "Set pty: true for programs that need a terminal (stdout and stderr then arrive together).";

constexpr const char* kStartDescription =
    "Start a long-lived session: by default an interactive shell (bash, without rc files) on a pseudo-terminal, "
    "or a given `command` (shell command line) or `argv`. It is one real process that keeps its state: `cd`, "
    "exported variables, shell history and running jobs persist between the commands you send, so use it for "
    "multi-step work in one shell, REPLs, and interactive programs. Returns the session id at once; nothing "
    "waits. Drive it with terminal_write (send text; end a command with \"\\n\"; control characters act as "
    "typed, \"\\u0003\" is Ctrl-C) and terminal_read (output by offset, waits for new output). On a terminal "
    "(pty, the default) output carries what a terminal shows, echo and colour codes included; pty: false uses "
    "pipes with stdout and stderr apart. The session stays readable after it exits until terminal_remove. "
    "timeout_ms (default none) stops it after that long. A server runs a limited number of processes at once "
    "(see terminal_list); remove sessions you are done with. For one command and its result, use terminal_exec.";

constexpr const char* kReadDescription =
    "Read a session's output (from terminal_exec or terminal_start) by byte offset, and its state: running, or "
    "exited with exit_code or signal. Without `offset` it goes on where the previous read (or the exec reply) "
    "ended, so calling it repeatedly follows the output. Waits up to `wait_ms` (default 2000, at most 50000) "
    "for new output, returning soon after some arrives; with until: \"exit\" it waits for the process to end "
    "instead, which is how to wait for a long command's result. Returns at most `max_bytes` per stream "
    "(default 32 KiB); when next_offset is below total_bytes there is more: read again. Output stays readable "
    "after the process exits, until terminal_remove. A session keeps the first 64 KiB and the last 1 MiB of "
    "each stream; asking for bytes that were dropped in between starts at the oldest byte still kept, with a "
    "line `[… N bytes no longer kept …]` and omitted_bytes saying how many were skipped.";

constexpr const char* kWriteDescription =
    "Send input to a session's stdin (on a terminal: type it). `data` is sent as given: end a line or command "
    "with \"\\n\"; control characters act as typed on a terminal (\"\\u0003\" Ctrl-C interrupts the running "
    "program, \"\\u0004\" Ctrl-D ends input, \"\\u001b\" is Escape). eof: true ends the input after data (closes "
    "stdin on pipes; types Ctrl-D on a terminal). Waits up to 5 s if the process is slow to take input and says "
    "how much was sent. Does not return output: call terminal_read next.";

constexpr const char* kResizeDescription =
    "Change the size (columns and rows) of a session's terminal; the program in the foreground is told "
    "(SIGWINCH) and redraws for the new size. Only for sessions on a terminal (pty).";

constexpr const char* kSignalDescription =
    "Send a signal to a session: on pipes to its whole process group, on a terminal to the foreground job (the "
    "program running at the shell's prompt, or the shell itself when idle). INT interrupts (like Ctrl-C), TERM "
    "asks to stop, KILL stops at once, HUP hangs up, STOP/CONT pause and resume, USR1/USR2/WINCH/ALRM/QUIT as "
    "the program defines. The session stays in the list: use terminal_read to see the effect, terminal_remove "
    "to stop it for good and forget it.";

constexpr const char* kListDescription =
    "List the terminal sessions this server holds: id, command, working directory, state (running or exited, "
    "with exit code or signal), bytes of output and how many are unread, and the limits (how many processes "
    "may run at once, how many sessions are kept). Finished sessions stay until removed, or until room is "
    "needed for new ones (the oldest finished go first).";

constexpr const char* kRemoveDescription =
    "Stop a session if it still runs and forget it with its output. Stopping climbs a ladder: stdin is closed "
    "(a terminal is hung up), then SIGTERM, then SIGKILL, each to the whole process group, so nothing it "
    "started keeps running. Returns how it ended. Use it for sessions you are done with: running sessions count "
    "against the server's limit.";

}  // namespace

void RegisterTerminalVenom(Registry& registry, const ns::Workspaces& workspaces) {
  RegisterTerminalVenom(registry, workspaces, TerminalOptions{});
}

void RegisterTerminalVenom(Registry& registry, const ns::Workspaces& workspaces, TerminalOptions options) {
  auto state = std::make_shared<terminal::TerminalState>(workspaces, std::move(options));
  using OpHandler = Result<Reply> (*)(terminal::TerminalState&, Context&, const Json&);
  struct OpRow {
    const char* op;
    const char* title;
    const char* description;
    Annotations annotations;
    OpHandler handler;
    size_t max_result_chars;
  };
  // exec and start run programs (anything at all); write and signal change
  // what a program does; remove kills. read and list only look.
  const Annotations runs{.read_only = false, .destructive = true, .idempotent = false, .open_world = false};
  const Annotations looks{.read_only = true, .destructive = false, .idempotent = true, .open_world = false};
  const Annotations resizes{.read_only = false, .destructive = false, .idempotent = true, .open_world = false};
  const OpRow ops[] = {
      {"exec", "Run a command", kExecDescription, runs, terminal::Exec, 200'000},
      {"start", "Start a terminal session", kStartDescription, runs, terminal::Start, 0},
      {"read", "Read a session's output", kReadDescription, looks, terminal::Read, 200'000},
      {"write", "Send input to a session", kWriteDescription, runs, terminal::Write, 0},
      {"resize", "Resize a session's terminal", kResizeDescription, resizes, terminal::Resize, 0},
      {"signal", "Signal a session", kSignalDescription, runs, terminal::Signal, 0},
      {"list", "List terminal sessions", kListDescription, looks, terminal::List, 0},
      {"remove", "Stop and remove a session", kRemoveDescription, runs, terminal::Remove, 0},
  };
  for (const OpRow& e : ops) {
    OpHandler handler = e.handler;
    registry.AddOrDie({
        .venom = "terminal",
        .op = e.op,
        .title = e.title,
        .description = e.description,
        .annotations = e.annotations,
        .right = Right::kExec,
        .handler = [state, handler](Context& ctx, const Json& args) { return handler(*state, ctx, args); },
        // Every op but list may wait on a process (a full pipe, a stop ladder, a read's wait).
        .nonblocking = std::string_view(e.op) == "list",
        .max_result_chars = e.max_result_chars,
        // A process can read and change any file of the workspace, and every
        // session is reachable by its id: all of them need write on "/".
        .paths = {PathUse::Whole(PathAccess::kWrite)},
    });
  }
}

}  // namespace weft::venoms
