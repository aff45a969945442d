// Server: the MCP protocol engine. Owns nothing but options; serves any number
// of connections at once over shared registries, in whichever protocol era each
// client opens with (legacy `initialize` or modern per-request `_meta`).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "mcp/jsonrpc/message.h"
#include "mcp/registry/prompt_registry.h"
#include "mcp/registry/resource_registry.h"
#include "mcp/registry/tool_registry.h"
#include "mcp/server/gate.h"
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
  // Ask initialize-era clients that declare `roots` for them (roots/list)
  // and offer them to handlers (RequestContext::ClientRoots).
  bool client_roots = true;
};

class Session;

// What happened to one request, reported to observers after its handler ran
// (logging now; metrics and the audit log build on the same seam).
struct RequestRecord {
  std::string method;
  Era era = Era::kLegacy;
  std::string target;  // tool or prompt name, resource URI; empty otherwise
  std::chrono::microseconds duration{0};
  int error_code = 0;          // JSON-RPC error code, 0 when answered with a result
  bool tool_error = false;     // a result with isError: true
  bool input_required = false; // an MRTR input_required result
  bool cancelled = false;      // the client cancelled it while it ran
};
using RequestObserver = std::function<void(const RequestRecord&)>;

// A session fed by a transport that receives messages itself (Streamable
// HTTP) instead of being read from a Connection. Replies and notifications
// leave through the Connection given to Server::OpenSession, each with its
// WriteRoute; a request answered on the delivering thread is returned instead.
// Deliver may be called from several threads at once. Destroying an open
// handle aborts it.
class SessionHandle {
 public:
  explicit SessionHandle(std::shared_ptr<Session> session);
  ~SessionHandle();
  SessionHandle(const SessionHandle&) = delete;
  SessionHandle& operator=(const SessionHandle&) = delete;

  // The reply to a request answered on this thread; nullopt when it will be
  // written to the connection later (or never: notifications, responses,
  // listen streams, cancelled requests).
  std::optional<Message> Deliver(Message msg);
  // A batch (2025-03-26 sessions only); the serialised reply, if any.
  std::optional<std::string> DeliverBatch(std::vector<nlohmann::json> elements);
  // Graceful end, as at end of input: requests in flight get a short grace
  // to finish, then are cancelled. Blocks (bounded).
  void End();
  // Immediate end: cancels everything, writes nothing more. Does not block.
  void Abort();

 private:
  std::shared_ptr<Session> session_;
  std::atomic<bool> ended_{false};
};

// Thread-safe: Serve() may run on many threads for many connections.
class Server {
 public:
  Server(ServerOptions options, ToolRegistry& tools, ResourceRegistry& resources,
         PromptRegistry& prompts);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves `conn` until the peer closes it (or Close() is called on it), then
  // lets requests in progress finish briefly, cancels the rest and returns.
  // The session runs under `gate` (null: unrestricted).
  void Serve(Connection& conn, std::shared_ptr<Gate> gate = nullptr);

  // Opens a push-mode session writing to `out`, which must outlive the
  // handle's End() or Abort() (or its destruction). `watch_changes` false
  // skips registry change notifications: for a one-request session that is
  // not a subscriptions/listen stream they could never be sent anyway.
  std::unique_ptr<SessionHandle> OpenSession(Connection& out, bool watch_changes = true,
                                             std::shared_ptr<Gate> gate = nullptr);

  // Adds an observer of every dispatched request. Call before serving;
  // observers run on the request's thread and must be cheap and thread-safe.
  void AddObserver(RequestObserver observer) { observers_.push_back(std::move(observer)); }
  void Observe(const RequestRecord& record) const;

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

  // Blocks until no session worker thread is left. A transport whose
  // observers or connections workers may still use calls it when it shuts
  // down, after ending its sessions; ~Server calls it too.
  void WaitForWorkers();

  // Held by each session worker thread for its whole life. A worker may
  // outlive its transport (a handler slow to notice cancellation), and it
  // uses the server and its registries until it ends — its session may even
  // be destroyed on it — so ~Server waits until no worker is left.
  class WorkerLease {
   public:
    explicit WorkerLease(Server& server);
    ~WorkerLease();
    WorkerLease(const WorkerLease&) = delete;
    WorkerLease& operator=(const WorkerLease&) = delete;

   private:
    Server& server_;
  };

 private:
  ServerOptions options_;
  ToolRegistry& tools_;
  ResourceRegistry& resources_;
  PromptRegistry& prompts_;
  std::string hmac_key_;  // 32 random bytes, fixed for the process
  std::vector<RequestObserver> observers_;  // fixed once serving starts
  std::mutex live_mu_;
  std::condition_variable live_cv_;  // live_workers_ reached 0
  int live_workers_ = 0;             // guarded by live_mu_
};

}  // namespace weft::mcp
