// FakeHttpServer: a scripted Streamable HTTP MCP server on 127.0.0.1 for
// driving HttpConnection and mcp-inspect. It checks the headers it gets the
// way the 2025-11-25 and 2026-07-28 transports require, records every
// request, and answers in JSON or as an event stream.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace weft::mcp::testing {

// Tools (both eras; modern results carry resultType, ttlMs and cacheScope):
//   echo {text, region}  JSON reply with the text; `region` is an x-mcp-header
//                        parameter (Mcp-Param-Region must match it).
//   progress {gate?}     event stream: notifications/progress 1/2 and 2/2 (when
//                        the request has a progressToken), then "done". With
//                        gate: true the reply waits for Release().
//   drop                 event stream: progress with event id "ev-1" and
//                        retry 0, then the stream ends without the reply. A
//                        legacy GET with Last-Event-ID: ev-1 gets the reply
//                        ("resumed"); a modern client gets nothing more.
//   hold                 event stream with keep-alive comments only, until the
//                        client goes away (hold_ended() then becomes true).
// Other tools: -32602 "Unknown tool". Other methods: -32601.
// Every request: an Origin other than http://localhost gets 403 (with a
// JSON-RPC error body without id); a missing or wrong token 401 (no body).
// Legacy: initialize answers protocol 2025-06-18 and session id "session-N";
// later requests need that session (missing: 400, unknown: 404 without a
// body) and MCP-Protocol-Version: 2025-06-18 (else 400). Notifications and
// responses: 202. Modern: the headers must match the body (else 400 with a
// JSON-RPC -32020 error whose id is null).
class FakeHttpServer {
 public:
  struct Options {
    std::string token;               // required bearer token; empty: none
    bool standalone_stream = false;  // GET opens an event stream (otherwise 405)
    bool sse_replies = false;        // echo answers as an event stream too
    bool discover = true;            // server/discover offers 2026-07-28 (otherwise -32601)
  };

  struct Recorded {
    std::string verb;  // GET, POST, DELETE
    std::multimap<std::string, std::string> headers;  // names lower-cased
    std::string body;
    int status = 0;  // the status answered (for streams: 200)

    bool has(const std::string& name) const;
    // The header's value ("" when absent); Mcp-* values are decoded from
    // their =?base64?…?= form when `decode`.
    std::string header(const std::string& name, bool decode = false) const;
    // The JSON-RPC method of a POST body ("" for responses).
    std::string rpc_method() const;
  };

  explicit FakeHttpServer(Options options);
  FakeHttpServer() : FakeHttpServer(Options{}) {}
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  int port() const;
  std::string url() const;  // http://127.0.0.1:PORT/mcp

  // Every request so far, in the order they arrived.
  std::vector<Recorded> requests() const;
  // Waits up to 10 s for a request matching `match`.
  std::optional<Recorded> WaitFor(const std::function<bool(const Recorded&)>& match);
  // Lets the held-back replies of gated `progress` calls go.
  void Release();
  // Whether a gated reply was released by Release() (not by its 10 s limit).
  bool released_in_time() const;
  // Whether a `hold` stream saw its client go away.
  bool hold_ended() const;
  bool WaitHoldEnded();
  // Forgets every legacy session (the next request with one gets 404).
  void ForgetSessions();
  // Queues a message for the GET stream.
  void SendOnStream(std::string frame);
  // Stops serving; idempotent.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::mcp::testing
