// The MCP service an agent's runner offers the agent on its callback socket
// (<home>/.weft-mcp.sock), and `weft connect`, the client its MCP config
// names. Together they are the agent's way back into weft: a unix socket in
// the agent's home reaches the runner from inside any sandbox, network or
// not (docs/agents.md, "Calling back").
//
// The wire: the client sends one line, {"token":"…"} (the agent's
// $WEFT_TOKEN); the service answers one line, {"ok":true} or
// {"ok":false,"error":"…"}; then the connection carries newline-delimited
// JSON-RPC, the MCP stdio transport, for a session under the grant the token
// stands for (checked and audited on every call like any other session).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/base/result.h"
#include "mcp/cli/grant_setup.h"
#include "mcp/cli/workspace_setup.h"
#include "mcp/registry/prompt_registry.h"
#include "mcp/registry/resource_registry.h"
#include "mcp/registry/tool_registry.h"
#include "mcp/server/server.h"

namespace weft::cli {

// The largest hello line either side reads.
inline constexpr size_t kMaxHelloBytes = 8192;

class AgentCallbacks {
 public:
  // For agent `agent_id` recorded in <state_dir>/weft.db. Nothing is opened
  // until the first connection.
  AgentCallbacks(std::string state_dir, std::string agent_id);
  // Stops what its sessions spawned (unless detached); destroy after every
  // Serve() has returned.
  ~AgentCallbacks();
  AgentCallbacks(const AgentCallbacks&) = delete;
  AgentCallbacks& operator=(const AgentCallbacks&) = delete;

  // Serves one connection (the hello, then the session) until it closes.
  // Thread-safe.
  void Serve(int fd);

 private:
  // Opens the store, the agent's workspace, its tools and the grants, once.
  Status Start();

  const std::string state_dir_;
  const std::string agent_id_;
  std::mutex mu_;
  bool started_ = false;  // GUARDED_BY(mu_)
  Status start_error_;    // GUARDED_BY(mu_)
  // Destroyed in reverse: the server, then the grants (flushing the audit
  // log), then the workspace host, then the registries it registered into.
  mcp::ToolRegistry tools_;
  mcp::ResourceRegistry resources_;
  mcp::PromptRegistry prompts_;
  std::unique_ptr<WorkspaceHost> host_;
  std::unique_ptr<GrantHost> grants_;
  std::unique_ptr<mcp::Server> server_;
};

// Reads one '\n'-terminated line of at most kMaxHelloBytes from `fd`
// (ReadLineWithin: nothing after it is consumed), waiting at most
// `timeout_ms`.
Result<std::string> ReadHelloLine(int fd, int timeout_ms);

}  // namespace weft::cli
