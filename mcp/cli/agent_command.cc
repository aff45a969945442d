// weft spawn, weft agents, and the hidden weft __agent-run (the runner of one
// agent, started by whichever weft process spawns it). spawn and agents are
// thin clients of the agent venom, called in-process like `weft call`.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/base/log.h"
#include "core/base/state_dir.h"
#include "core/base/strings.h"
#include "core/venoms/agent/agent_runner.h"
#include "core/weftdir/call_session.h"
#include "mcp/cli/agent_callbacks.h"
#include "mcp/cli/commands.h"
#include "mcp/cli/flags.h"
#include "mcp/cli/workspace_setup.h"

namespace weft::cli {
namespace {

constexpr const char kSpawnUsage[] =
    "Usage: weft spawn [options] -- COMMAND [ARG…]\n"
    "\n"
    "Starts COMMAND as an agent working in this directory's workspace and prints\n"
    "its id. It keeps running after weft spawn returns; follow it with\n"
    "`weft agents logs ID --follow`, stop it with `weft agents signal ID TERM`.\n"
    "\n"
    "Options:\n"
    "  --workspace DIR        the workspace's directory (default: the current one)\n"
    "  --cwd PATH             working directory in the workspace (default /)\n"
    "  --name NAME            a label for `weft agents`\n"
    "  --env NAME=VALUE       set a variable (repeatable)\n"
    "  --profile P            none | workspace | strict (default: workspace where available)\n"
    "  --network              keep the network under workspace/strict\n"
    "  --best-effort          run with a weaker profile when the host lacks one, saying what was dropped\n"
    "  --pty                  run on a pseudo-terminal\n"
    "  --wall SECONDS         stop it after this long (timed_out)\n"
    "  --cpu SECONDS          CPU time limit\n"
    "  --processes N          process count limit\n"
    "  --open-files N         open files limit\n"
    "  --memory BYTES         memory limit (cgroups only)\n"
    "  --output BYTES         stop it once it has written this much\n"
    "  --node NODE            run it on another weft node (none are federated yet: refused)\n"
    "  --wait                 wait for it to end, print its output, exit with its exit code\n"
    "  --json                 print the agent record as JSON\n"
    "  --state DIR            state directory (default $XDG_STATE_HOME/weft)\n";

constexpr const char kAgentsUsage[] =
    "Usage: weft agents [list] [--state-filter S]   the agents, newest first\n"
    "       weft agents status ID                 one agent in full, with its events\n"
    "       weft agents logs ID [--stderr] [--follow]\n"
    "       weft agents wait ID [--timeout SECONDS]\n"
    "       weft agents signal ID SIGNAL          TERM, KILL, INT, HUP, QUIT, USR1, USR2, STOP, CONT\n"
    "       weft agents remove ID                 stop it if live, forget it, delete its logs and home\n"
    "\n"
    "Options: --json (print the op's JSON answer), --workspace DIR, --state DIR\n";

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

int Usage(const char* command, const std::string& message) {
  std::fprintf(stderr, "weft %s: %s\n", command, message.c_str());
  return kExitUsage;
}

// One in-process session over this directory's workspace.
class AgentClient {
 public:
  static Result<AgentClient> Open(const Flags& flags) {
    WorkspaceFlags ws;
    if (flags.Has("workspace")) ws.dirs = flags.GetAll("workspace");
    WEFT_ASSIGN_OR_RETURN(ws.state_dir, StateDir(flags.Get("state").value_or("")));
    AgentClient c;
    c.tools_ = std::make_unique<mcp::ToolRegistry>();
    c.resources_ = std::make_unique<mcp::ResourceRegistry>();
    c.prompts_ = std::make_unique<mcp::PromptRegistry>();
    WEFT_ASSIGN_OR_RETURN(c.host_, SetUpWorkspaces(ws, *c.tools_, *c.resources_, *c.prompts_));
    return c;
  }

  // The op's data, or its error message.
  Result<Json> Call(const std::string& op, const Json& args) {
    const venoms::Registry& registry = host_->surface->venoms();
    const venoms::Op* found = registry.Find("agent", op);
    if (found == nullptr) return Status::Internal(StrCat({"no op agent.", op}));
    std::unique_ptr<weftdir::CallSession> session = weftdir::NewOpCallSession(registry, *found);
    WEFT_ASSIGN_OR_RETURN(std::string response, weftdir::RunCall(*session, args.dump()));
    Json parsed = Json::parse(response, nullptr, false);
    if (!parsed.is_object()) return Status::Internal("the op's answer is not JSON");
    if (parsed.contains("error") && parsed["error"].is_object()) {
      return Status::FailedPrecondition(parsed["error"].value("message", "failed"));
    }
    return parsed;
  }

 private:
  std::unique_ptr<mcp::ToolRegistry> tools_;
  std::unique_ptr<mcp::ResourceRegistry> resources_;
  std::unique_ptr<mcp::PromptRegistry> prompts_;
  std::unique_ptr<WorkspaceHost> host_;
};

void PrintJson(const Json& j) { std::printf("%s\n", j.dump(2).c_str()); }

std::string Describe(const Json& agent) {
  std::string out = StrCat({agent.value("id", ""), "  ", agent.value("state", ""), "  ", agent.value("name", "")});
  if (agent.contains("exit_code")) out += StrCat({"  exit ", std::to_string(agent["exit_code"].get<int64_t>())});
  if (agent.contains("exit_signal")) out += StrCat({"  signal ", std::to_string(agent["exit_signal"].get<int64_t>())});
  if (agent.contains("limit")) out += StrCat({"  limit ", agent["limit"].get<std::string>()});
  if (agent.contains("error")) out += StrCat({"  (", agent["error"].get<std::string>(), ")"});
  return out;
}

Status SetLimit(const Flags& flags, const char* flag, const char* key, Json* limits) {
  std::optional<std::string> v = flags.Get(flag);
  if (!v) return Status::Ok();
  char* end = nullptr;
  unsigned long long n = std::strtoull(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || n == 0) {
    return Status::InvalidArgument(StrCat({"--", flag, " takes a positive whole number, not '", *v, "'"}));
  }
  (*limits)[key] = static_cast<uint64_t>(n);
  return Status::Ok();
}

// Prints a stream from `offset` until the agent has ended and it is drained.
Status FollowLogs(AgentClient& client, const std::string& id, const std::string& stream, bool follow) {
  uint64_t offset = 0;
  while (true) {
    WEFT_ASSIGN_OR_RETURN(Json chunk, client.Call("logs", {{"id", id},
                                                           {"stream", stream},
                                                           {"offset", offset},
                                                           {"max_bytes", 1 << 20},
                                                           {"wait_ms", follow ? 1000 : 0}}));
    std::string text = chunk.value("text", "");
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    offset = chunk.value("next_offset", offset);
    bool live = chunk.value("state", "") == "starting" || chunk.value("state", "") == "running";
    if (text.empty() && (!follow || !live)) return Status::Ok();
  }
}

}  // namespace

int RunAgentRun(const std::vector<std::string>& args) {
  Result<Flags> flags = Flags::Parse(args, {}, {"state"});
  if (!flags.ok() || !flags->Has("state") || flags->positional().size() != 1) {
    return Usage("__agent-run", "internal: weft __agent-run --state DIR AGENT_ID (weft starts it itself)");
  }
  // The agent's sessions on its callback socket; ended (and what they
  // spawned stopped) once the agent has.
  AgentCallbacks callbacks(*flags->Get("state"), flags->positional()[0]);
  return venoms::agent::RunAgentRunner(*flags->Get("state"), flags->positional()[0],
                                       [&callbacks](int fd) { callbacks.Serve(fd); });
}

int RunSpawn(const std::vector<std::string>& args) {
  Flags flags;
  if (auto exit_code = ParseSubcommandFlags(
          "spawn", args, {"network", "best-effort", "pty", "wait", "json"},
          {"workspace", "cwd", "name", "env", "profile", "wall", "cpu", "processes", "open-files", "memory", "output",
           "state", "node"},
          kSpawnUsage, &flags)) {
    return *exit_code;
  }
  if (flags.positional().empty()) return Usage("spawn", StrCat({"give the command after --\n\n", kSpawnUsage}));
  SetLogLevel(LogLevel::kWarning);
  Json req = {{"command", flags.positional()}};
  if (auto v = flags.Get("cwd")) req["cwd"] = *v;
  if (auto v = flags.Get("name")) req["name"] = *v;
  if (auto v = flags.Get("profile")) req["profile"] = *v;
  if (auto v = flags.Get("node")) req["node"] = *v;
  if (flags.Has("network")) req["network"] = true;
  if (flags.Has("best-effort")) req["best_effort"] = true;
  if (flags.Has("pty")) req["pty"] = true;
  Json env = Json::object();
  for (const std::string& kv : flags.GetAll("env")) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return Usage("spawn", StrCat({"--env takes NAME=VALUE, not '", kv, "'"}));
    env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (!env.empty()) req["env"] = env;
  Json limits = Json::object();
  for (const auto& [flag, key] : std::vector<std::pair<const char*, const char*>>{{"wall", "wall_seconds"},
                                                                                 {"cpu", "cpu_seconds"},
                                                                                 {"processes", "processes"},
                                                                                 {"open-files", "open_files"},
                                                                                 {"memory", "memory_bytes"},
                                                                                 {"output", "output_bytes"}}) {
    Status st = SetLimit(flags, flag, key, &limits);
    if (!st.ok()) return Usage("spawn", st.message());
  }
  if (!limits.empty()) req["limits"] = limits;
  Result<AgentClient> client = AgentClient::Open(flags);
  if (!client.ok()) return Usage("spawn", StrCat({"cannot open the workspace: ", client.status().message()}));
  Result<Json> spawned = client->Call("spawn", req);
  if (!spawned.ok()) {
    std::fprintf(stderr, "weft spawn: %s\n", spawned.status().message().c_str());
    return kExitFailed;
  }
  std::string id = (*spawned)["agent"].value("id", "");
  if (!flags.Has("wait")) {
    if (flags.Has("json")) {
      PrintJson(*spawned);
    } else {
      std::printf("%s\n", id.c_str());
    }
    return kExitOk;
  }
  Status followed = FollowLogs(*client, id, "stdout", true);
  Result<Json> ended = client->Call("wait", {{"id", id}, {"timeout_ms", 3600000}});
  if (!followed.ok() || !ended.ok()) {
    std::fprintf(stderr, "weft spawn: %s\n", (!followed.ok() ? followed : ended.status()).message().c_str());
    return kExitFailed;
  }
  const Json& agent = (*ended)["agent"];
  if (flags.Has("json")) PrintJson(agent);
  if (agent.contains("exit_code")) return static_cast<int>(agent["exit_code"].get<int64_t>());
  std::fprintf(stderr, "weft spawn: %s\n", Describe(agent).c_str());
  return agent.contains("exit_signal") ? 128 + static_cast<int>(agent["exit_signal"].get<int64_t>()) : kExitFailed;
}

int RunAgents(const std::vector<std::string>& args) {
  Flags flags;
  if (auto exit_code = ParseSubcommandFlags("agents", args, {"json", "stderr", "follow"},
                                            {"workspace", "state", "state-filter", "timeout"}, kAgentsUsage,
                                            &flags)) {
    return *exit_code;
  }
  const std::vector<std::string>& pos = flags.positional();
  std::string sub = pos.empty() ? "list" : pos[0];
  size_t want = sub == "list" ? 1 : sub == "signal" ? 3 : 2;
  if (pos.size() > want || (sub != "list" && pos.size() != want)) return Usage("agents", kAgentsUsage);
  SetLogLevel(LogLevel::kWarning);
  Result<AgentClient> client = AgentClient::Open(flags);
  if (!client.ok()) return Usage("agents", StrCat({"cannot open the workspace: ", client.status().message()}));
  Json req = Json::object();
  if (sub != "list") req["id"] = pos[1];
  std::string op = sub;
  if (sub == "list" && flags.Has("state-filter")) req["state"] = *flags.Get("state-filter");
  if (sub == "signal") req["signal"] = pos[2];
  if (sub == "wait") {
    req["timeout_ms"] = 1000 * std::strtoll(flags.Get("timeout").value_or("3600").c_str(), nullptr, 10);
  }
  if (sub == "logs") {
    if (flags.Has("json")) {
      req["stream"] = flags.Has("stderr") ? "stderr" : "stdout";
    } else {
      Status st = FollowLogs(*client, pos[1], flags.Has("stderr") ? "stderr" : "stdout", flags.Has("follow"));
      if (!st.ok()) std::fprintf(stderr, "weft agents: %s\n", st.message().c_str());
      return st.ok() ? kExitOk : kExitFailed;
    }
  }
  if (sub != "list" && sub != "status" && sub != "logs" && sub != "wait" && sub != "signal" && sub != "remove") {
    return Usage("agents", StrCat({"unknown subcommand '", sub, "'\n\n", kAgentsUsage}));
  }
  Result<Json> answer = client->Call(op, req);
  if (!answer.ok()) {
    std::fprintf(stderr, "weft agents: %s\n", answer.status().message().c_str());
    return kExitFailed;
  }
  if (flags.Has("json")) {
    PrintJson(*answer);
  } else if (sub == "list") {
    for (const Json& a : (*answer)["agents"]) std::printf("%s\n", Describe(a).c_str());
  } else if (sub == "remove") {
    std::printf("removed %s\n", pos[1].c_str());
  } else if (sub == "status") {
    PrintJson(*answer);
  } else {
    std::printf("%s\n", Describe((*answer)["agent"]).c_str());
  }
  return kExitOk;
}

}  // namespace weft::cli
