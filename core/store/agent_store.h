// AgentStore: the agents table and its append-only event log in weft.db
// (docs/store.md, docs/agents.md). Every weft process that spawns, watches
// or reconciles agents goes through it; the agent runner (one per agent)
// records what happens to its agent here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/store/store.h"

namespace weft::store {

// The lifecycle (docs/agents.md): starting → running → exited | failed |
// killed | timed_out, and lost for an agent found without its runner after
// a restart. Only starting and running are live.
enum class AgentState { kStarting, kRunning, kExited, kFailed, kKilled, kTimedOut, kLost };
std::string_view AgentStateName(AgentState state);  // "starting", …, "timed_out", "lost"
std::optional<AgentState> ParseAgentState(std::string_view name);
inline bool IsLive(AgentState s) { return s == AgentState::kStarting || s == AgentState::kRunning; }

struct AgentRecord {
  std::string id;            // "ag_" + 12 lowercase hex
  std::string name;          // caller's label; defaults to the program's base name
  std::string workspace_id;
  std::string command;       // JSON array of argv strings
  std::string cwd;           // namespace path of the working directory
  std::string host_cwd;      // where that is on the host (through the mount when one was up)
  std::string profile;       // confinement asked for: none | workspace | strict
  std::string confinement;   // JSON: what applied ({profile, dropped[], limits[], landlock_abi}); {} until running
  std::string limits;        // JSON object of the limits asked for
  std::string grant_id;      // the grant handed to the agent ("" when none)
  std::string home_dir;      // host path of the agent's durable home
  std::string log_dir;       // host path of its log segments
  AgentState state = AgentState::kStarting;
  int64_t runner_pid = 0;    // the weft process supervising it
  int64_t runner_start = 0;  // its start time (clock ticks since boot, /proc/PID/stat field 22)
  int64_t pid = 0;           // the agent's top process as weft sees it
  int64_t pid_start = 0;
  std::optional<int64_t> exit_code;
  std::optional<int64_t> exit_signal;
  std::string limit;         // the limit that fired ("" when none): wall_seconds, cpu_seconds, output_bytes, …
  std::string error;         // why it failed or was lost
  int64_t created_ms = 0;    // unix milliseconds
  int64_t started_ms = 0;    // 0 until running
  int64_t ended_ms = 0;      // 0 while live
};

struct AgentEvent {
  int64_t seq = 0;     // increasing across all agents
  std::string agent_id;
  int64_t at_ms = 0;
  std::string kind;    // created, started, signal, stopping, exited, failed, killed, timed_out, limit, lost, adopted
  std::string detail;  // one human sentence
};

// How an agent ended, as its runner records it.
struct AgentEnd {
  AgentState state = AgentState::kExited;
  std::optional<int64_t> exit_code;
  std::optional<int64_t> exit_signal;
  std::string limit;
  std::string error;
  std::string detail;  // the event's sentence
};

// The kNotFound for an id that names no agent (or none the caller may see).
Status NoSuchAgent(std::string_view id);

// Thread-safe (the Store serialises); every change is one transaction that
// also appends its event.
class AgentStore {
 public:
  explicit AgentStore(Store& store) : store_(store) {}

  // Inserts `record` with a fresh id (returned in the copy), state starting,
  // created_ms now, and a "created" event. `complete`, when given, fills in
  // what depends on the id (home_dir, log_dir) before the insert.
  Result<AgentRecord> Create(AgentRecord record, const std::function<void(AgentRecord&)>& complete = nullptr);
  // kNotFound naming the id.
  Result<AgentRecord> Get(std::string_view id) const;
  // Newest first; only those in `states` when given, only `workspace_id`'s when not empty.
  Result<std::vector<AgentRecord>> List(const std::vector<AgentState>& states = {},
                                        std::string_view workspace_id = {}) const;
  // The runner took charge (starting, pid of the runner).
  Status SetRunner(std::string_view id, int64_t runner_pid, int64_t runner_start);
  // The agent runs: its pid and what confinement applied. Refused unless starting.
  Status SetRunning(std::string_view id, int64_t pid, int64_t pid_start, std::string confinement);
  // Final state; refused (kFailedPrecondition) when it has already ended, so
  // the first ending wins (a runner and a reconciler racing).
  Status SetEnded(std::string_view id, const AgentEnd& end);
  Status AddEvent(std::string_view id, std::string_view kind, std::string_view detail);
  // The grant handed to the agent.
  Status SetGrant(std::string_view id, std::string_view grant_id);
  // Events after `after_seq`, oldest first, at most `limit`.
  Result<std::vector<AgentEvent>> Events(std::string_view id, int64_t after_seq = 0, int limit = 1000) const;
  // Deletes the record and its events. kFailedPrecondition while live.
  Status Remove(std::string_view id);
  // Unix milliseconds by the store's clock.
  int64_t clock_ms() const { return NowMs(); }

 private:
  int64_t NowMs() const { return store_.clock().WallMillis(); }
  Store& store_;
};

}  // namespace weft::store
