// The agent venom's ops.
#include "core/venoms/agent/agent_venom.h"

#include <signal.h>

#include <array>
#include <ctime>
#include <utility>

#include "core/base/strings.h"
#include "core/base/utf8.h"
#include "core/venoms/agent/agent_logs.h"
#include "core/venoms/args.h"

namespace weft::venoms {
namespace {

using agent::AgentHost;
using store::AgentRecord;
using store::AgentState;

constexpr const char* kSpawnDescription =
    "Start a program as an agent that works in the workspace on its own: a coding agent CLI (claude -p …, codex "
    "exec …), a build, a test watcher, any long job. It runs in the background under its own supervisor, with the "
    "workspace as its working directory (through the FUSE mount when one is up, so it sees /.weft), a durable "
    "home directory of its own, logs kept on disk, and a record that outlives this server. Confinement (profile) "
    "and limits say what it may do and for how long. Returns at once with the agent's id and state (running, or "
    "failed with the reason). Follow it with agent_logs, agent_wait and agent_status; stop it with agent_signal "
    "or agent_remove.";
constexpr const char* kListDescription =
    "List agents, newest first, with id, name, command, state (starting, running, exited, failed, killed, "
    "timed_out, lost), pid and times. Filter by workspace or state (live = starting or running). An agent "
    "calling back sees only the agents spawned under its own grant.";
constexpr const char* kStatusDescription =
    "One agent in full: its command, working directory, confinement asked for and what applied, limits and the "
    "one that fired, state, exit code or signal, times, its home, how much output it has written, and its "
    "latest events (created, started, signal, stopping, exited, …).";
constexpr const char* kLogsDescription =
    "Read an agent's stdout or stderr from an offset. Pass next_offset back as offset to follow it; with wait_ms "
    "the call waits for new output while the agent runs. Each stream keeps its latest 8 MiB: when older bytes "
    "were dropped, offset moves forward and dropped says how many.";
constexpr const char* kWaitDescription =
    "Wait until an agent ends (or timeout_ms passes), with progress notifications while it runs; returns the agent "
    "with its final state, exit code or signal, and the limit that stopped it if one did.";
constexpr const char* kSignalDescription =
    "Send a signal to an agent's processes: INT to interrupt, TERM to ask it to end, KILL to end it at once, STOP "
    "and CONT to pause and resume. Fails when the agent has already ended.";
constexpr const char* kRemoveDescription =
    "Forget an agent: stop it first when it is live (TERM, then KILL after 2 s; nothing it started survives), then "
    "delete its record, its logs and its home directory.";

constexpr const char* kNoAgentsHere =
    "this weft process does not run agents (weft serve, weft call and weft spawn do; a mount's call files do not)";

constexpr Annotations kSpawn{.read_only = false, .destructive = false, .idempotent = false, .open_world = true};
constexpr Annotations kRead{.read_only = true, .destructive = false, .idempotent = true, .open_world = false};
constexpr Annotations kWaitish{.read_only = true, .destructive = false, .idempotent = true, .open_world = false};
constexpr Annotations kSignal{.read_only = false, .destructive = true, .idempotent = false, .open_world = false};
constexpr Annotations kRemove{.read_only = false, .destructive = true, .idempotent = false, .open_world = false};

constexpr std::array<std::pair<const char*, int>, 10> kSignals = {{{"TERM", SIGTERM},
                                                                   {"KILL", SIGKILL},
                                                                   {"INT", SIGINT},
                                                                   {"HUP", SIGHUP},
                                                                   {"QUIT", SIGQUIT},
                                                                   {"USR1", SIGUSR1},
                                                                   {"USR2", SIGUSR2},
                                                                   {"STOP", SIGSTOP},
                                                                   {"CONT", SIGCONT},
                                                                   {"WINCH", SIGWINCH}}};

std::string IsoMillis(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  tm utc{};
  gmtime_r(&secs, &utc);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
  return std::string(buf, n) + frac;
}

Json ParsedOr(const std::string& text, Json fallback) {
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

Result<AgentHost*> Host(AgentHost* host) {
  if (host == nullptr) return Status::FailedPrecondition(kNoAgentsHere);
  return host;
}

Result<Reply> Spawn(const ns::Workspaces& workspaces, AgentHost* host_or_null, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(AgentHost * host, Host(host_or_null));
  if (std::string node = StringArg(args, "node"); !node.empty()) {
    return Status::NotFound(StrCat({"no such node '", node, "': this weft host is federated with no other nodes, so "
                                    "agents run here only; leave node out"}));
  }
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  agent::SpawnRequest req;
  req.argv = args.at("command").get<std::vector<std::string>>();
  req.name = StringArg(args, "name");
  req.cwd = StringArg(args, "cwd", "/");
  if (args.contains("env")) {
    for (const auto& [k, v] : args["env"].items()) req.env.emplace_back(k, v.get<std::string>());
  }
  if (BoolArg(args, "pty", false)) req.pty = proc::TerminalSize{};
  req.profile = StringArg(args, "profile");
  req.network = BoolArg(args, "network", false);
  req.best_effort = BoolArg(args, "best_effort", false);
  req.limits = args.value("limits", Json::object());
  req.detach = BoolArg(args, "detach", false);
  req.parent = ctx.grant();
  if (args.contains("grant")) {
    WEFT_ASSIGN_OR_RETURN(req.grant, grants::GrantRequestFromJson(args["grant"]));
  }
  WEFT_ASSIGN_OR_RETURN(AgentRecord record, host->Spawn(*ws, req));
  Json agent = AgentJson(record, host->agents().clock_ms());
  std::string text = StrCat({"agent ", record.id, " (", record.name, ") is ", AgentStateName(record.state),
                             " as pid ", std::to_string(record.pid), " in ", record.cwd,
                             "; follow it with agent_logs, agent_wait or agent_status"});
  return Reply::WithText({{"agent", std::move(agent)}}, std::move(text));
}

Result<Reply> List(const ns::Workspaces& workspaces, AgentHost* host_or_null, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(AgentHost * host, Host(host_or_null));
  std::string ws_id;
  if (args.contains("workspace")) {
    WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
    ws_id = ws->id();
  }
  WEFT_RETURN_IF_ERROR(host->Reconcile().status());
  std::string state = StringArg(args, "state");
  std::vector<AgentState> states;
  if (state == "live") states = {AgentState::kStarting, AgentState::kRunning};
  else if (state == "ended") states = {AgentState::kExited, AgentState::kFailed, AgentState::kKilled,
                                       AgentState::kTimedOut, AgentState::kLost};
  else if (!state.empty()) states = {*store::ParseAgentState(state)};
  WEFT_ASSIGN_OR_RETURN(std::vector<AgentRecord> records, host->agents().List(states, ws_id));
  Json agents = Json::array();
  std::string text;
  int64_t now = host->agents().clock_ms();
  for (const AgentRecord& r : records) {
    WEFT_ASSIGN_OR_RETURN(bool visible, host->Visible(ctx.grant(), r));
    if (!visible) continue;
    agents.push_back(AgentJson(r, now));
    text += StrCat({text.empty() ? "" : "\n", r.id, "  ", AgentStateName(r.state), "  ", r.name, "  ",
                    ParsedOr(r.command, Json::array()).dump()});
  }
  if (agents.empty()) text = "no agents";
  return Reply::WithText({{"agents", std::move(agents)}}, std::move(text));
}

Result<Reply> StatusOp(AgentHost* host_or_null, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(AgentHost * host, Host(host_or_null));
  std::string id = StringArg(args, "id");
  WEFT_RETURN_IF_ERROR(host->Reconcile().status());
  WEFT_ASSIGN_OR_RETURN(AgentRecord record, host->GetFor(ctx.grant(), id));
  WEFT_ASSIGN_OR_RETURN(std::vector<store::AgentEvent> all, host->agents().Events(id));
  size_t keep = static_cast<size_t>(IntArg(args, "events", 20));
  Json events = Json::array();
  for (size_t i = all.size() > keep ? all.size() - keep : 0; i < all.size(); ++i) {
    events.push_back({{"at", IsoMillis(all[i].at_ms)}, {"kind", all[i].kind}, {"detail", all[i].detail}});
  }
  Json logs = Json::object();
  for (const char* stream : {"stdout", "stderr"}) {
    Result<agent::LogChunk> chunk = agent::ReadLog(record.log_dir, stream, 0, 0);
    if (!chunk.ok()) continue;
    logs[StrCat({stream, "_bytes"})] = chunk->end;
    logs[StrCat({stream, "_dropped"})] = chunk->dropped;
  }
  Json agent = AgentJson(record, host->agents().clock_ms());
  std::string text = agent.dump(2);
  return Reply::WithText({{"agent", std::move(agent)}, {"events", std::move(events)}, {"logs", std::move(logs)}},
                         std::move(text));
}

Result<Reply> Logs(AgentHost* host_or_null, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(AgentHost * host, Host(host_or_null));
  std::string id = StringArg(args, "id");
  std::string stream = StringArg(args, "stream", "stdout");
  uint64_t offset = static_cast<uint64_t>(IntArg(args, "offset", 0));
  uint64_t max_bytes = static_cast<uint64_t>(IntArg(args, "max_bytes", 65536));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(IntArg(args, "wait_ms", 0));
  WEFT_RETURN_IF_ERROR(host->GetFor(ctx.grant(), id).status());
  while (true) {
    WEFT_ASSIGN_OR_RETURN(AgentRecord record, host->agents().Get(id));
    WEFT_ASSIGN_OR_RETURN(agent::LogChunk chunk, agent::ReadLog(record.log_dir, stream, offset, max_bytes));
    bool live = store::IsLive(record.state);
    if (!chunk.data.empty() || !live || std::chrono::steady_clock::now() >= deadline || ctx.cancelled()) {
      std::string text = ValidUtf8(chunk.data);
      Json data = {{"text", text},
                   {"offset", chunk.offset},
                   {"next_offset", chunk.next},
                   {"end", chunk.end},
                   {"dropped", chunk.dropped},
                   {"state", std::string(AgentStateName(record.state))}};
      return Reply::WithText(std::move(data), std::move(text));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Result<Reply> Wait(AgentHost* host_or_null, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(AgentHost * host, Host(host_or_null));
  std::string id = StringArg(args, "id");
  auto timeout = std::chrono::milliseconds(IntArg(args, "timeout_ms", 60000));
  WEFT_RETURN_IF_ERROR(host->GetFor(ctx.grant(), id).status());
  WEFT_ASSIGN_OR_RETURN(
      AgentRecord record,
      host->Wait(id, timeout, &ctx.cancellation(), [&](const AgentRecord& r, std::chrono::milliseconds waited) {
        ctx.Progress(static_cast<double>(waited.count()), static_cast<double>(timeout.count()),
                     StrCat({"agent ", r.id, " still ", AgentStateName(r.state), " after ",
                             std::to_string(waited.count() / 1000), " s"}));
      }));
  bool ended = !store::IsLive(record.state);
  Json agent = AgentJson(record, host->agents().clock_ms());
  std::string text = ended ? StrCat({"agent ", id, " ", AgentStateName(record.state), ": ",
                                     agent.value("error", std::string())})
                           : StrCat({"agent ", id, " is still ", AgentStateName(record.state), " (timed out waiting)"});
  return Reply::WithText({{"agent", std::move(agent)}, {"ended", ended}}, std::move(text));
}

Result<Reply> SignalOp(AgentHost* host_or_null, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(AgentHost * host, Host(host_or_null));
  std::string id = StringArg(args, "id");
  WEFT_RETURN_IF_ERROR(host->GetFor(ctx.grant(), id).status());
  std::string name = StringArg(args, "signal");
  int sig = 0;
  for (const auto& [n, s] : kSignals) {
    if (name == n) sig = s;
  }
  WEFT_RETURN_IF_ERROR(host->Signal(id, sig));
  WEFT_ASSIGN_OR_RETURN(AgentRecord record, host->agents().Get(id));
  return Reply::WithText({{"agent", AgentJson(record, host->agents().clock_ms())}},
                         StrCat({"sent SIG", name, " to agent ", id}));
}

Result<Reply> Remove(AgentHost* host_or_null, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(AgentHost * host, Host(host_or_null));
  std::string id = StringArg(args, "id");
  WEFT_ASSIGN_OR_RETURN(AgentRecord record, host->GetFor(ctx.grant(), id));
  WEFT_RETURN_IF_ERROR(host->Remove(id));
  std::string was(AgentStateName(record.state));
  return Reply::WithText({{"removed", id}, {"was", was}}, StrCat({"removed agent ", id, " (it was ", was, ")"}));
}

}  // namespace

Json AgentJson(const AgentRecord& r, int64_t now_ms) {
  Json j = {{"id", r.id},
            {"name", r.name},
            {"workspace", r.workspace_id},
            {"command", ParsedOr(r.command, Json::array())},
            {"cwd", r.cwd},
            {"host_cwd", r.host_cwd},
            {"profile", r.profile},
            {"confinement", ParsedOr(r.confinement, Json::object())},
            {"limits", ParsedOr(r.limits, Json::object())},
            {"state", std::string(AgentStateName(r.state))},
            {"pid", r.pid},
            {"home", r.home_dir},
            {"created_at", IsoMillis(r.created_ms)}};
  if (r.exit_code) j["exit_code"] = *r.exit_code;
  if (r.exit_signal) j["exit_signal"] = *r.exit_signal;
  if (!r.limit.empty()) j["limit"] = r.limit;
  if (!r.error.empty()) j["error"] = r.error;
  if (!r.grant_id.empty()) j["grant"] = r.grant_id;
  if (r.started_ms != 0) {
    j["started_at"] = IsoMillis(r.started_ms);
    j["runtime_ms"] = (r.ended_ms != 0 ? r.ended_ms : now_ms) - r.started_ms;
  }
  if (r.ended_ms != 0) j["ended_at"] = IsoMillis(r.ended_ms);
  return j;
}

void RegisterAgentVenom(Registry& registry, const ns::Workspaces& workspaces, agent::AgentHost* host) {
  // A process can touch any file of the workspace, and steering one is as
  // good as starting one: spawn, signal and remove need write of "/"; the
  // rest read of "/" (docs/grants.md).
  const ns::Workspaces* ws = &workspaces;
  registry.AddOrDie(WithPaths({"agent", "spawn", "Start an agent", kSpawnDescription, kSpawn, Right::kAgentSpawn,
                     [ws, host](Context& ctx, const Json& args) { return Spawn(*ws, host, ctx, args); }}, {PathUse::Whole(PathAccess::kWrite)}));
  registry.AddOrDie(WithPaths({"agent", "list", "List agents", kListDescription, kRead, Right::kFsRead,
                     [ws, host](Context& ctx, const Json& args) { return List(*ws, host, ctx, args); }}, {PathUse::Whole(PathAccess::kRead)}));
  registry.AddOrDie(WithPaths({"agent", "status", "An agent's status", kStatusDescription, kRead, Right::kFsRead,
                     [host](Context& ctx, const Json& args) { return StatusOp(host, ctx, args); }}, {PathUse::Whole(PathAccess::kRead)}));
  registry.AddOrDie(WithPaths({"agent", "logs", "Read an agent's output", kLogsDescription, kRead, Right::kFsRead,
                     [host](Context& ctx, const Json& args) { return Logs(host, ctx, args); }}, {PathUse::Whole(PathAccess::kRead)}));
  registry.AddOrDie(WithPaths({"agent", "wait", "Wait for an agent", kWaitDescription, kWaitish, Right::kFsRead,
                     [host](Context& ctx, const Json& args) { return Wait(host, ctx, args); }}, {PathUse::Whole(PathAccess::kRead)}));
  registry.AddOrDie(WithPaths({"agent", "signal", "Signal an agent", kSignalDescription, kSignal, Right::kAgentSpawn,
                     [host](Context& ctx, const Json& args) { return SignalOp(host, ctx, args); }}, {PathUse::Whole(PathAccess::kWrite)}));
  registry.AddOrDie(WithPaths({"agent", "remove", "Remove an agent", kRemoveDescription, kRemove, Right::kAgentSpawn,
                     [host](Context& ctx, const Json& args) { return Remove(host, ctx, args); }}, {PathUse::Whole(PathAccess::kWrite)}));
}

}  // namespace weft::venoms
