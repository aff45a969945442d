// The terminal venom: run commands (exec, which waits a while and then hands
// back a session) and keep processes running as sessions on pipes or a
// pseudo-terminal (start, read, write, resize, signal, list, remove).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/ns/workspace.h"
#include "core/venoms/registry.h"

namespace weft::proc {
class SessionLauncher;
}

namespace weft::venoms {

// Limits and seams; the defaults suit a server.
struct TerminalOptions {
  // Starts the processes; null means proc::SystemSessionLauncher(). Not
  // owned; must outlive the registry.
  proc::SessionLauncher* launcher = nullptr;
  // Processes running at once: sessions plus execs still within their wait.
  // A call that would start one more is refused, naming the running ones.
  size_t max_running = 16;
  // Sessions kept, running or finished (finished ones stay readable until
  // removed). When a new session needs room, the oldest finished one is
  // dropped. Never less than max_running.
  size_t max_sessions = 32;
  // Output kept per stream of a session: the first and the last bytes; what
  // lies between is dropped and its size reported.
  size_t retain_head_bytes = 64 << 10;
  size_t retain_tail_bytes = 1 << 20;
  // How often exec reports progress while it waits.
  std::chrono::milliseconds progress_interval{1000};
  // The time limit of an exec'd command when the call names none.
  std::chrono::milliseconds exec_timeout{10 * 60 * 1000};
  // The stop ladder (proc::SessionSpec): close stdin (or hang up the
  // terminal) → first_grace → SIGTERM → term_grace → SIGKILL.
  std::chrono::milliseconds first_grace{200};
  std::chrono::milliseconds term_grace{2000};
  // Runs `command` strings (`<shell> -c`) and is the default program of
  // terminal_start; empty means bash when it is on PATH, else sh.
  std::string shell;
};

// Registers terminal_exec, start, read, write, resize, signal, list and
// remove, in that order. Handlers keep a reference to `workspaces`, which
// must outlive the registry's use; the sessions live as long as the
// handlers, and destroying the registry kills whatever still runs.
void RegisterTerminalVenom(Registry& registry, const ns::Workspaces& workspaces);
void RegisterTerminalVenom(Registry& registry, const ns::Workspaces& workspaces, TerminalOptions options);

}  // namespace weft::venoms
