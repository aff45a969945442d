// HttpConnection's state, shared by http_connection.cc (queues, threads,
// Close) and http_exchange.cc (the HTTP exchanges themselves). Internal to
// mcp/client; httplib types appear only as forward declarations.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mcp/client/http_connection.h"
#include "mcp/client/http_wire.h"

namespace httplib {
class ClientImpl;
struct Request;
struct Response;
}  // namespace httplib

namespace weft::mcp {

class SseParser;

// One HTTP exchange that another thread may abort: a request's POST (with the
// GETs resuming its stream), a notification's or response's POST, or the
// standalone GET stream.
struct HttpExchange {
  ClientFrame frame;  // kInvalid for the standalone stream
  std::string body;   // the frame as written
  std::atomic<bool> aborted{false};
  // The request this notifications/cancelled cancels (legacy era): its
  // stream is aborted once the cancellation is sent.
  std::shared_ptr<HttpExchange> cancels;
  // Its reply came through (the exchange's own thread only).
  bool replied = false;

  // Guarded by Impl::mu_.
  std::shared_ptr<httplib::ClientImpl> client;  // set while an HTTP call is in flight
  bool finished = false;                         // its thread has nothing left to do
  std::thread thread;                            // requests and the standalone stream
};

// How one HTTP call ended.
struct HttpReply {
  enum Failure { kNone, kConnect, kConnectTimeout, kRead, kWrite, kTls, kCancelled, kOther };
  Failure failure = kNone;     // why the call did not complete
  std::string failure_detail;  // httplib's error name or an exception's text
  bool started = false;        // false: aborted (or closed) before anything was sent
  int status = 0;              // 0: no HTTP response
  std::string content_type;    // lower-case media type, no parameters
  std::string session_id;      // the Mcp-Session-Id response header
  std::string location;        // the Location header of a redirect
  std::string body;            // the body of a reply that is not an event stream
  bool body_truncated = false;
  bool sse = false;            // a 2xx text/event-stream reply
  size_t events = 0;           // events delivered from it
  std::string last_event_id;
  std::optional<int64_t> retry_ms;
};

struct HttpConnection::Impl {
  Impl(HttpConnectionOptions o, HttpUrl u) : options_(std::move(o)), url_(std::move(u)) {}

  // http_connection.cc: the Connection operations and the threads.
  Result<std::string> Read();
  Status Write(std::string_view frame);
  void Close();
  void Abandon(const Json& request_id);
  void SendLoop();
  void StartThread(const std::shared_ptr<HttpExchange>& ex, void (Impl::*run)(std::shared_ptr<HttpExchange>));
  void ReapThreads();
  void FinishThread(const std::shared_ptr<HttpExchange>& ex);
  void Abort(HttpExchange& ex);
  // Waits up to `ms` unless the connection closes or `ex` is aborted; false then.
  bool Sleep(HttpExchange& ex, int64_t ms);
  // Queues a frame for Read(), waiting while the queue is full; false when
  // the connection closed or `ex` was aborted meanwhile.
  bool Push(std::string frame, HttpExchange* ex);
  void PushOversized();

  // http_exchange.cc: the HTTP side.
  // The POST carrying `ex`'s frame, with the era's headers; `sent_session`
  // tells whether it carries the session id.
  httplib::Request PostFor(const HttpExchange& ex, bool* sent_session);
  void RunRequest(std::shared_ptr<HttpExchange> ex);
  void RunStandaloneStream(std::shared_ptr<HttpExchange> ex);
  void PostMessage(const std::shared_ptr<HttpExchange>& ex);
  void MaybeOpenStandaloneStream();
  void DeleteSession();
  // Performs `req` on a pooled client, streaming an event-stream reply into
  // Read() as it arrives. `initialize`: take the session id from a 2xx reply.
  HttpReply Perform(const std::shared_ptr<HttpExchange>& ex, httplib::Request& req, bool initialize);
  // Perform()'s callbacks: the reply's status and headers, then each piece
  // of its body (false stops reading).
  void OnHeaders(const httplib::Response& res, bool initialize, HttpReply& r);
  bool OnBody(HttpExchange& ex, std::string_view data, SseParser& parser, HttpReply& r);
  std::shared_ptr<httplib::ClientImpl> NewClient(std::chrono::milliseconds connect_timeout,
                                                 std::chrono::milliseconds read_timeout) const;
  // An event or body from the server for `ex`: notes the reply, the
  // negotiated version and tool header declarations, then queues it.
  bool Deliver(HttpExchange& ex, std::string frame);
  void Observe(HttpExchange& ex, const Json& message);
  // GET + Last-Event-ID until the reply arrives or resuming fails.
  void Resume(const std::shared_ptr<HttpExchange>& ex, const HttpReply& first);
  void Conclude(const std::shared_ptr<HttpExchange>& ex, HttpReply& r, bool sent_session);
  void ConcludeFailureStatus(HttpExchange& ex, const HttpReply& r, bool sent_session);
  void Synthesize(HttpExchange& ex, const std::string& message, int http_status);
  std::string FailureText(const HttpReply& r) const;

  const HttpConnectionOptions options_;
  const HttpUrl url_;

  mutable std::mutex mu_;
  std::condition_variable read_cv_;   // Read(): a frame arrived, or closed
  std::condition_variable space_cv_;  // Push(): room in the inbox, closed, or aborted
  std::condition_variable send_cv_;   // the sender: work, or closed
  std::condition_variable wake_cv_;   // Sleep(): closed or aborted
  std::condition_variable done_cv_;   // Close(): an HTTP call finished

  // All guarded by mu_.
  bool closed_ = false;
  struct Inbound {
    std::string frame;
    bool oversized = false;
  };
  std::deque<Inbound> inbox_;
  std::deque<std::shared_ptr<HttpExchange>> outbox_;
  std::map<std::string, std::shared_ptr<HttpExchange>> requests_;  // by id.dump(), until answered
  std::set<std::shared_ptr<HttpExchange>> active_;                 // HTTP calls in flight
  std::list<std::shared_ptr<HttpExchange>> threads_;               // exchanges with a thread
  std::vector<std::shared_ptr<httplib::ClientImpl>> pool_;         // idle keep-alive clients
  std::string session_id_;
  std::string legacy_version_;  // negotiated by initialize
  ParamHeaderMap param_headers_;
  bool stream_opened_ = false;

  std::mutex close_mu_;  // serialises Close()
  std::thread sender_;
};

}  // namespace weft::mcp
