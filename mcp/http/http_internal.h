// HttpServer::Impl, shared by the files of mcp/http that speak httplib.
// Internal to mcp/http.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "mcp/http/event_stream.h"
#include "mcp/http/http_server.h"
#include "mcp/http/legacy_session.h"
#include "mcp/http/metrics.h"
#include "mcp/jsonrpc/message.h"

namespace weft::mcp {

// Who sent the request this thread serves, as PreRoute found from its bearer
// token (httplib runs pre-routing and the handler on one thread).
struct Caller {
  bool owner = false;        // the owner token, or authentication is off
  std::string token;         // the bearer token presented (empty for the owner)
  std::string credential;    // a digest naming the token, for binding sessions to it
};

// How one answered request ended, for its owner's bookkeeping.
struct Exchange {
  bool streamed = false;   // went out as SSE (else plain JSON or nothing)
  bool delivered = false;  // the final reply reached the client's socket
};

struct HttpServer::Impl {
  Impl(Server& server, HttpOptions opts);

  // --- handlers (http_server.cc / mcp_post.cc) ---
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res);
  void HandlePost(const httplib::Request& req, httplib::Response& res);
  void HandleGet(const httplib::Request& req, httplib::Response& res);
  void HandleDelete(const httplib::Request& req, httplib::Response& res);
  void PostModern(const httplib::Request& req, httplib::Response& res, Message msg);
  void PostLegacy(const httplib::Request& req, httplib::Response& res, std::optional<Message> msg,
                  std::vector<Json> batch);
  void Initialize(httplib::Response& res, Message msg);

  // Answers a delivered request: plain JSON when its reply comes first (at
  // once or within json_window), else an SSE stream of everything the engine
  // writes for it. `on_end` runs exactly once, when the exchange is over.
  void Answer(httplib::Response& res, const std::shared_ptr<EventStream>& stream,
              std::optional<Message> inline_reply, bool modern, std::function<void(Exchange)> on_end);
  // Streams `stream` as SSE from after event `after` until its end.
  void Stream(httplib::Response& res, const std::shared_ptr<EventStream>& stream, uint64_t after,
              std::chrono::milliseconds ping, std::function<void(Exchange)> on_end);

  static bool AcceptsType(const httplib::Request& req, std::string_view type);
  // Checks the bearer token of a guarded request and records who sent it
  // (CurrentCaller); false when the token is missing or unknown (401).
  bool Authenticate(const httplib::Request& req);
  // The caller of this thread's exchange (set by PreRoute).
  static const Caller& CurrentCaller();
  // A new gate for a session of the current caller, named `subject` in the
  // audit log (null: unrestricted).
  std::shared_ptr<Gate> GateFor(const std::string& subject) const;
  // The gate of a one-request (2026-07-28) session of the current caller:
  // the one Authenticate made for a grant token, else GateFor("http").
  std::shared_ptr<Gate> RequestGate() const;
  struct CallerState {
    Caller caller;
    std::shared_ptr<Gate> request_gate;  // made while authenticating a grant token
  };
  // Names the JSON-RPC method of this thread's exchange for the metrics.
  static void TraceMethod(std::string method);
  // A JSON-RPC error body with `status`.
  static void Fail(httplib::Response& res, int status, int code, std::string message,
                   const Json& id = nullptr, Json data = nullptr);
  static void SendJson(httplib::Response& res, int status, std::string body);

  // Legacy sessions. FindSession finds only sessions the current caller's
  // token opened.
  std::shared_ptr<LegacySession> FindSession(const std::string& id);
  void EndSession(const std::string& id);
  void ReapIdleSessions();

  // Long-lived stream slots (GET streams, listen streams).
  bool TakeStreamSlot();
  void ReleaseStreamSlot();

  Server& mcp;
  const HttpOptions options;
  HttpMetrics metrics;
  httplib::Server http;
  int port = 0;

  std::mutex mu;
  std::map<std::string, std::shared_ptr<LegacySession>> sessions;  // guarded by mu
  std::set<std::shared_ptr<EventStream>> streaming;               // attached streams; guarded by mu
  bool stopping = false;                                           // guarded by mu
  std::mutex stop_mu;  // serialises Stop()
  std::condition_variable reaper_cv;
  std::thread reaper;
  std::atomic<size_t> long_streams{0};
};

}  // namespace weft::mcp
