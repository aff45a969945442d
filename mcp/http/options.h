// HttpOptions: how `weft serve --http` listens and the limits it enforces.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mcp/server/gate.h"

namespace weft::mcp {

struct HttpOptions {
  // Where to listen. Port 0 picks a free port (HttpServer::port() tells which).
  std::string host = "127.0.0.1";
  int port = 0;
  // Bearer token every /mcp and /metrics request must carry; empty disables
  // authentication (allowed only on a loopback address; see Validate()).
  std::string token;
  // Where the token lives, for error messages ("print it with weft token").
  std::string token_hint;
  // Extra Host/Origin host names accepted besides loopback names and `host`.
  std::vector<std::string> allowed_hosts;

  // Grants (docs/grants.md). The gate of a session opened with the owner
  // token `token` (or of every session, with authentication off), and of
  // one opened with any other bearer token: null for a token that stands
  // for no grant, which gets 401. A known token whose grant is revoked or
  // expired still opens sessions; their calls are refused one by one.
  // `subject` names the session in the audit log. Unset: sessions are
  // unrestricted and only `token` is accepted.
  std::function<std::shared_ptr<Gate>(const std::string& subject)> owner_gate;
  std::function<std::shared_ptr<Gate>(const std::string& token, const std::string& subject)> token_gate;

  size_t max_body_bytes = 16u << 20;
  // Header fields per request; more get 431. (Each header line is limited to
  // 8 KiB by cpp-httplib itself.)
  size_t max_headers = 100;
  // Legacy-era sessions open at once; a new initialize beyond it gets 503.
  size_t max_sessions = 256;
  // Long-lived SSE streams (legacy GET streams, subscriptions/listen) open at
  // once; more get 503. Every open stream holds one HTTP thread, so the
  // thread budget is max_streams + request_threads: streams can never take
  // the threads that serve requests.
  size_t max_streams = 128;
  size_t request_threads = 64;
  // A legacy session with no request and no open stream for this long ends.
  std::chrono::seconds session_idle_timeout{30 * 60};
  // Per-receive read timeout (slow or stalled request lines, headers, bodies)
  // and the keep-alive idle timeout.
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds keep_alive_timeout{5};
  // Requests answered within this window with nothing to stream before the
  // reply get a plain JSON response; longer ones become an SSE stream.
  std::chrono::milliseconds json_window{1000};
  // SSE keep-alive comment period: legacy GET streams; and 2026-07-28
  // request and listen streams, where a failed write is how a closed stream
  // (= cancellation) is noticed.
  std::chrono::milliseconds legacy_ping{15000};
  std::chrono::milliseconds modern_ping{1000};
  // Events a legacy stream keeps for Last-Event-ID resumption.
  size_t retained_events = 1024;
};

}  // namespace weft::mcp
