// Server: the MCP protocol engine. Owns nothing but options; serves any number
// of connections at once over shared registries, in whichever protocol era each
// client opens with (legacy `initialize` or modern per-request `_meta`).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "mcp/registry/prompt_registry.h"
#include "mcp/registry/resource_registry.h"
#include "mcp/registry/tool_registry.h"
#include "mcp/transport/connection.h"

namespace weft::mcp {

struct ServerOptions {
  std::string name = "weft";
  std::string title = "weft";
  std::string version = "0.0.0";
  std::string instructions;  // returned by initialize and server/discover
  // Page size for tools/list, resources/list, templates/list and prompts/list.
  size_t page_size = 100;
  // Requests a session may have running at once; more get -32603 "busy".
  size_t max_in_flight = 64;
  // Cache hints on modern cacheable results (2026-07-28 server/utilities/caching).
  int64_t list_ttl_ms = 60'000;
  int64_t read_ttl_ms = 0;
  // Whether resources/list etc. are advertised and served.
  bool resources = true;
  bool prompts = true;
};

class Session;

// Thread-safe: Serve() may run on many threads for many connections.
class Server {
 public:
  Server(ServerOptions options, ToolRegistry& tools, ResourceRegistry& resources,
         PromptRegistry& prompts);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves `conn` until the peer closes it (or Close() is called on it), then
  // cancels the session's requests, waits for its handlers and returns.
  void Serve(Connection& conn);

  const ServerOptions& options() const { return options_; }
  ToolRegistry& tools() { return tools_; }
  ResourceRegistry& resources() { return resources_; }
  PromptRegistry& prompts() { return prompts_; }

  // The ServerCapabilities object advertised in both eras.
  nlohmann::json Capabilities() const;
  // The Implementation object ({name, title, version}).
  nlohmann::json Implementation() const;

  // MRTR requestState sealing with this process's random HMAC key: the state
  // a client echoes back is accepted only if this process issued it.
  std::string SealState(const nlohmann::json& state) const;
  Result<nlohmann::json> UnsealState(const std::string& sealed) const;

 private:
  ServerOptions options_;
  ToolRegistry& tools_;
  ResourceRegistry& resources_;
  PromptRegistry& prompts_;
  std::string hmac_key_;  // 32 random bytes, fixed for the process
};

}  // namespace weft::mcp
