// AgentHost: starting agents and steering them, for any weft process (weft
// serve, weft spawn, weft call). Each agent runs under its own runner process
// (agent_runner.h); the host talks to runners by signal and reads what they
// record in weft.db, so a host can steer agents another process started.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/base/cancellation.h"
#include "core/base/json.h"
#include "core/base/result.h"
#include "core/grants/grant.h"
#include "core/grants/grant_store.h"
#include "core/ns/workspace.h"
#include "core/proc/process.h"
#include "core/store/agent_store.h"
#include "core/venoms/workspace/hosted_mounts.h"

namespace weft::venoms::agent {

struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up on PATH
  std::string name;               // a label ("" = argv[0]'s base name)
  std::string cwd = "/";          // namespace path of an existing directory
  std::vector<std::pair<std::string, std::string>> env;  // added to the curated environment
  std::optional<proc::TerminalSize> pty;
  std::string profile;            // none | workspace | strict; "" = the host's default (DefaultProfile)
  bool network = false;
  bool best_effort = false;
  Json limits = Json::object();   // {wall_seconds, cpu_seconds, processes, open_files, memory_bytes, output_bytes}
  bool detach = false;            // keep running when this host stops
  // The agent's grant: derived from `parent` (the spawner's; null for an
  // unrestricted in-process caller, whose agents get a root grant) with
  // `grant` (what to narrow it to). Never wider than the parent.
  const grants::Grant* parent = nullptr;
  grants::GrantRequest grant;
};

// Called about once a second while Wait waits.
using WaitProgress = std::function<void(const store::AgentRecord&, std::chrono::milliseconds waited)>;

// Thread-safe.
class AgentHost {
 public:
  // `store` must outlive the host. `weft_exe` is the weft binary that runs
  // `__agent-run`; `state_dir` holds weft.db and agents/<id>/{home,logs}.
  // With `own_agents` (weft serve), the agents it starts without `detach`
  // are stopped with it; without (weft call, weft spawn), every agent is
  // left running.
  AgentHost(store::Store& store, std::string state_dir, std::string weft_exe, bool own_agents);
  // StopOwned.
  ~AgentHost();

  // The mounts this process hosts (may be null): an agent of a mounted
  // workspace works through the mount. Set before the first Spawn.
  void set_mounts(const HostedMounts* mounts) { mounts_ = mounts; }
  // The MCP endpoint agents call back into (WEFT_URL), when this process
  // serves Streamable HTTP: "http://127.0.0.1:PORT/mcp". Set before the first
  // Spawn; empty: agents get a stdio config instead (docs/agents.md).
  void set_callback_url(std::string url) { callback_url_ = std::move(url); }
  // Stops the live agents this host owns and waits (up to 5 s) for their
  // ends to be recorded. Call before taking down what they work in.
  void StopOwned();

  store::AgentStore& agents() { return agents_; }

  // Records the agent, starts its runner and waits until the agent runs (or
  // could not start: then the record says failed and why, and so does the
  // error). Refuses an unknown profile, a cwd that is not a directory, a
  // profile the host cannot give (unless best_effort).
  Result<store::AgentRecord> Spawn(const ns::Workspace& ws, const SpawnRequest& request);
  // Forwards `sig` to the agent. kFailedPrecondition once it has ended.
  Status Signal(std::string_view id, int sig);
  // Stops the agent (SIGTERM to its group, SIGKILL after a grace). No-op
  // when it has ended.
  Status Stop(std::string_view id);
  // Until the agent has ended or `timeout` passed (then the live record),
  // or `cancel` fires (kCancelled).
  Result<store::AgentRecord> Wait(std::string_view id, std::chrono::milliseconds timeout,
                                  const CancellationToken* cancel = nullptr, const WaitProgress& progress = nullptr);
  // Stops it when live (waiting up to a few seconds), then deletes its
  // record, events, logs and home.
  Status Remove(std::string_view id);
  // Marks lost every live record whose runner is gone (pid dead or reused).
  // Returns how many; called when a host starts and before listings.
  Result<int> Reconcile();

  // The host's default profile: workspace when this host can confine so,
  // else none (and `why_not` says why).
  std::string DefaultProfile(std::string* why_not = nullptr) const;
  // Whether a session under `caller` may see and steer `record`: every
  // agent for no grant or a root grant (weft serve's own sessions, the CLI);
  // for a derived grant (an agent calling back, a token from `weft grant
  // derive`) only the agents spawned under it or under grants derived from it.
  Result<bool> Visible(const grants::Grant* caller, const store::AgentRecord& record);
  // The record of `id` when `caller` may see it; store::NoSuchAgent when not,
  // as for an unknown id.
  Result<store::AgentRecord> GetFor(const grants::Grant* caller, std::string_view id);

  // The agent's home and log directories.
  std::string AgentDir(std::string_view id) const;
  // Where the agent's runner listens for its MCP sessions (`weft connect`):
  // <home>/.weft-mcp.sock.
  static std::string CallbackSocket(const store::AgentRecord& record);

 private:
  Result<std::string> HostDirOf(const ns::Workspace& ws, const std::string& ns_path) const;
  Status StartRunner(const store::AgentRecord& record, const Json& spec);
  // Signals the runner of a live record after checking it is the same
  // process; kFailedPrecondition when the agent has ended, and a lost
  // runner is recorded as such.
  Status SignalRunner(const store::AgentRecord& record, int sig, int value);
  Status MarkLost(const store::AgentRecord& record, const std::string& why);
  // Issues the agent's grant and writes the MCP config its client can use;
  // the variables to add to its environment.
  Result<Json> HandDownGrant(const store::AgentRecord& record, const SpawnRequest& request);

  store::AgentStore agents_;
  grants::GrantStore grants_;
  std::string callback_url_;
  const std::string state_dir_;
  const std::string weft_exe_;
  const bool own_agents_;
  const HostedMounts* mounts_ = nullptr;
  std::mutex mu_;
  std::set<std::string> owned_;  // GUARDED_BY(mu_): spawned here without detach
};

}  // namespace weft::venoms::agent
