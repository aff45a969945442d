// HttpConnection: the client side of MCP's Streamable HTTP transport
// (reference/mcp.md §1.4) as a Connection. Every frame written is one POST to
// the endpoint; what the server answers (a JSON body, or an event stream read
// as it arrives) comes out of Read(), in both protocol eras.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/base/result.h"
#include "mcp/client/http_wire.h"
#include "mcp/transport/connection.h"

namespace weft::mcp {

struct HttpConnectionOptions {
  // http://host[:port]/path or https://… (the server's certificate is checked
  // against the system's trusted CAs).
  std::string url;
  // Sent as "Authorization: Bearer <token>" when not empty.
  std::string bearer_token;
  // Extra headers on every request, e.g. {"Origin", "http://localhost"}.
  // Transport headers (IsTransportHeader) are refused by Open().
  std::vector<std::pair<std::string, std::string>> headers;
  // What a user should do about an HTTP 401, ending that error's message.
  std::string token_hint = "configure a bearer token for this server";

  std::chrono::milliseconds connect_timeout{10000};
  // Per receive: how long a reply or an event stream may stay silent (SSE
  // keep-alive comments count as activity) before the exchange fails.
  std::chrono::milliseconds read_timeout{300000};
  // Connect and read timeout of the DELETE that ends a session on Close().
  std::chrono::milliseconds close_timeout{2000};
  // Requests written and not yet answered; Write() refuses more.
  size_t max_requests_in_flight = 16;
  // A message larger than this is skipped (Read() reports kResourceExhausted).
  size_t max_frame_bytes = 32u << 20;
  // Legacy era: open the GET stream for server messages unrelated to a request.
  bool standalone_stream = true;
  // Consecutive failed attempts to (re)open an event stream before giving up.
  int max_stream_retries = 3;
};

// What goes on the wire (2025-11-25 and 2026-07-28 basic/transports):
//  - Every POST carries Content-Type: application/json, Accept: application/json,
//    text/event-stream, the configured headers and the bearer token.
//  - Legacy era (frames without a 2026-07-28 params._meta): the Mcp-Session-Id
//    of the initialize response goes on every later request, and
//    MCP-Protocol-Version with the version the initialize result negotiated.
//    After notifications/initialized the GET stream is opened (405 means the
//    server has none). A stream that ends before the reply is resumed with
//    GET + Last-Event-ID when the server gave event ids. Close() sends
//    DELETE with the session id.
//  - Modern era (a request whose params._meta names protocolVersion):
//    MCP-Protocol-Version, Mcp-Method, Mcp-Name for tools/call,
//    resources/read and prompts/get, and Mcp-Param-* for the x-mcp-header
//    arguments of tools learnt from tools/list replies; values are encoded by
//    EncodeHeaderValue(). No session. notifications/cancelled for a request
//    in flight is not sent: closing its stream is the cancellation.
//  - Failures that carry no JSON-RPC answer (no connection, HTTP 401/403,
//    404 for a session, 5xx, a stream ending without the reply) become an
//    error reply to the request from TransportErrorFrame(); IsTransportError()
//    recognises them. A non-2xx reply whose body is a JSON-RPC message is
//    passed on (an error without an id gets the request's id: HTTP ties it
//    to that request).
//
// Threads: a sender thread POSTs notifications and responses in the order
// written and starts one thread per request, so Write() never waits for the
// network and requests run concurrently; another thread reads the GET
// stream. Frames are queued for Read() as they arrive; a full queue makes the
// producers wait (TCP back-pressure) rather than grow. The Connection
// threading contract holds; Close() aborts every exchange, joins every thread
// and then ends the session.
class HttpConnection final : public Connection {
 public:
  // Checks the options (URL, headers); does not connect.
  static Result<std::unique_ptr<HttpConnection>> Open(HttpConnectionOptions options);
  // Close()s.
  ~HttpConnection() override;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  Result<std::string> Read() override;
  // Requests beyond max_requests_in_flight fail with kResourceExhausted; a
  // frame that is not a JSON-RPC message with kInvalidArgument.
  Status Write(std::string_view frame, const WriteRoute& route = {}) override;
  void Close() override;
  // Stops waiting for the reply to `request_id`: its exchange is aborted.
  void Abandon(const nlohmann::json& request_id) override;

  // The legacy session id the server assigned; empty before initialize or
  // when the server assigns none.
  std::string session_id() const;

  struct Impl;

 private:
  explicit HttpConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::mcp
