// The agent's callback service and its wire (see agent_callbacks.h).
#include "mcp/cli/agent_callbacks.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <utility>

#include "core/base/json.h"
#include "core/base/line_read.h"
#include "core/base/log.h"
#include "core/base/strings.h"
#include "core/proc/io.h"
#include "core/store/agent_store.h"
#include "mcp/cli/commands.h"
#include "mcp/transport/stdio_connection.h"

namespace weft::cli {
namespace {

constexpr int kHelloTimeoutMs = 10'000;

void Answer(int fd, const Json& line) {
  std::string text = line.dump() + "\n";
  (void)proc::WriteNoSigpipe(fd, text.data(), text.size());
}

}  // namespace

Result<std::string> ReadHelloLine(int fd, int timeout_ms) {
  Result<LineRead> line = ReadLineWithin(fd, std::chrono::milliseconds(timeout_ms), kMaxHelloBytes);
  if (!line.ok()) {
    switch (line.status().code()) {
      case StatusCode::kDeadlineExceeded: return Status::DeadlineExceeded("no hello line in time");
      case StatusCode::kResourceExhausted: return Status::InvalidArgument("the hello line is too long");
      default: return line.status();
    }
  }
  if (line->closed) return Status::Unavailable("the connection closed before its hello line");
  return std::move(line->text);
}

AgentCallbacks::AgentCallbacks(std::string state_dir, std::string agent_id)
    : state_dir_(std::move(state_dir)), agent_id_(std::move(agent_id)) {}

AgentCallbacks::~AgentCallbacks() {
  server_.reset();
  grants_.reset();
  host_.reset();
}

Status AgentCallbacks::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return start_error_;
  started_ = true;
  start_error_ = [&]() -> Status {
    Result<std::unique_ptr<store::Store>> db = store::Store::Open(store::Store::PathIn(state_dir_));
    if (!db.ok()) return db.status();
    Result<store::AgentRecord> agent = store::AgentStore(**db).Get(agent_id_);
    if (!agent.ok()) return agent.status();
    // What the agent spawns through its sessions stops with it unless
    // detached, as with `weft serve`.
    WEFT_ASSIGN_OR_RETURN(host_, SetUpRecordedWorkspace(state_dir_, agent->workspace_id, /*own_agents=*/true, tools_,
                                                        resources_, prompts_));
    WEFT_ASSIGN_OR_RETURN(grants_, GrantHost::ForTokens(*host_->store));
    grants_->SetSurface(&host_->surface->venoms(), &host_->workspaces);
    mcp::ServerOptions options;
    options.version = kVersion;
    options.instructions = ServerInstructions(host_->workspaces);
    server_ = std::make_unique<mcp::Server>(options, tools_, resources_, prompts_);
    return Status::Ok();
  }();
  if (!start_error_.ok()) {
    WEFT_LOG(kError) << "callback service: " << start_error_;
  }
  return start_error_;
}

void AgentCallbacks::Serve(int fd) {
  Result<std::string> hello = ReadHelloLine(fd, kHelloTimeoutMs);
  if (!hello.ok()) {
    Answer(fd, {{"ok", false}, {"error", hello.status().message()}});
    return;
  }
  Json parsed = Json::parse(*hello, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("token") || !parsed["token"].is_string()) {
    Answer(fd, {{"ok", false}, {"error", "the hello line must be {\"token\":\"…\"} (what weft connect sends)"}});
    return;
  }
  std::string token = parsed["token"].get<std::string>();
  if (Status started = Start(); !started.ok()) {
    Answer(fd, {{"ok", false}, {"error", StrCat({"weft cannot serve this agent: ", started.message()})}});
    return;
  }
  Result<grants::Grant> grant = grants_->grants().Authenticate(token);
  std::shared_ptr<mcp::Gate> gate =
      grant.ok() ? grants_->TokenGate(token, StrCat({"agent ", agent_id_, " (socket)"})) : nullptr;
  if (gate == nullptr) {
    std::string why = grant.ok() ? "the token stands for no grant" : grant.status().message();
    Answer(fd, {{"ok", false}, {"error", why}});
    return;
  }
  Answer(fd, {{"ok", true}});
  mcp::StdioConnection conn(fd, fd);
  server_->Serve(conn, std::move(gate));
}

}  // namespace weft::cli
