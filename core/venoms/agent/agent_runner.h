// The agent runner: one weft process per agent (`weft __agent-run`), which
// starts the agent under its confinement, copies its output into capped logs,
// enforces the wall-clock and output limits, forwards signals, and records
// everything in weft.db. It outlives whoever spawned it, so an agent started
// by `weft spawn` keeps running after the command returns; a weft process
// that starts later finds it through its record (reconciliation).
//
// Control is by signal, so any weft process may steer any agent after
// checking the runner's pid and start time:
//   SIGTERM, SIGINT, SIGHUP  stop the agent (TERM to its group, then KILL)
//   SIGUSR1 with a value     sigqueue value = a signal to forward to the agent
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/base/json.h"
#include "core/base/result.h"

namespace weft::venoms::agent {

// The signal whose sigqueue value names the signal to forward.
inline constexpr int kForwardSignal = 10;  // SIGUSR1

// Serves one connection to the agent's callback socket until the peer closes
// it or the descriptor is shut down (the runner shuts it down when the agent
// has ended). Runs on a thread of its own; must not close `fd`.
using CallbackHandler = std::function<void(int fd)>;

// What a runner is told on its stdin (one JSON object, docs/agents.md):
// argv, env (the whole environment), pty, profile, network, best_effort,
// workspace_dir, home_dir, host_cwd, readable_paths, writable_paths, limits
// {cpu_seconds, processes, open_files, memory_bytes, wall_seconds,
// output_bytes}, log_cap, callback_socket.
//
// Runs the runner for agent `id` in `state_dir`: detaches (forks, the parent
// exits at once, the child leads a new session), reads the spec, listens on
// callback_socket when the spec names one and `callbacks` is set (the agent's
// way back into weft, which works without network: docs/agents.md), launches,
// reports {"ok":true,"pid":N} or {"ok":false,"error":"…"} as one line on
// stdout and closes it, then supervises until the agent ends; each
// connection to the socket is served by `callbacks` on a thread, and all are
// shut down and joined before this returns. The process exit code is 0 when
// the agent's end was recorded.
int RunAgentRunner(const std::string& state_dir, const std::string& id, CallbackHandler callbacks = {});

// The start time of `pid` (clock ticks since boot, /proc/PID/stat field 22);
// nullopt when there is no such process or it is a zombie.
std::optional<int64_t> ProcessStartTime(pid_t pid);

}  // namespace weft::venoms::agent
