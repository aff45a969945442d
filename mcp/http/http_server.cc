// HttpServer: listener, thread pool, security checks, GET/DELETE, streams,
// health and metrics. POST /mcp is in mcp_post.cc.
#include "mcp/http/http_server.h"

#include <deque>

#include "core/base/log.h"
#include "core/base/sha256.h"
#include "mcp/http/header_check.h"
#include "mcp/http/http_internal.h"
#include "mcp/http/security.h"
#include "mcp/protocol/versions.h"
#include "mcp/transport/http_status.h"

namespace weft::mcp {
namespace {

using Clock = std::chrono::steady_clock;

// What the logger needs about the exchange on this connection thread: httplib
// runs pre-routing, the handler, the response (streams included) and the
// logger on one thread, in that order.
struct Trace {
  Clock::time_point start;
  std::string rpc_method;
  bool stream = false;
};
thread_local Trace t_trace;
// Who sent the request this thread serves (PreRoute sets it).
thread_local HttpServer::Impl::CallerState t_caller;

// httplib's TaskQueue with threads started on demand up to `max` and kept
// for reuse: a connection never waits behind a stream while the budget lasts,
// and an idle server holds only the threads it has needed.
class ElasticPool final : public httplib::TaskQueue {
 public:
  explicit ElasticPool(size_t max) : max_(max) {}
  ~ElasticPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(fn));
    if (jobs_.size() <= idle_ || threads_.size() >= max_) {
      cv_.notify_one();
      return;
    }
    threads_.emplace_back([this] { Work(); });
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      ++idle_;
      cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
      --idle_;
      if (jobs_.empty()) return;  // stopping, nothing left
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }

  const size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  std::vector<std::thread> threads_;        // guarded by mu_ (joined at shutdown)
  size_t idle_ = 0;                         // guarded by mu_
  bool stop_ = false;                       // guarded by mu_
};

}  // namespace

HttpServer::Impl::Impl(Server& server, HttpOptions opts)
    : mcp(server), options(std::move(opts)), metrics(server.tools()) {}

bool HttpServer::Impl::AcceptsType(const httplib::Request& req, std::string_view type) {
  std::string accept = req.get_header_value("Accept");
  return accept.find(type) != std::string::npos || accept.find("*/*") != std::string::npos;
}

void HttpServer::Impl::TraceMethod(std::string method) { t_trace.rpc_method = std::move(method); }

const Caller& HttpServer::Impl::CurrentCaller() { return t_caller.caller; }

std::shared_ptr<Gate> HttpServer::Impl::GateFor(const std::string& subject) const {
  if (t_caller.caller.owner) return options.owner_gate ? options.owner_gate(subject) : nullptr;
  return options.token_gate ? options.token_gate(t_caller.caller.token, subject) : nullptr;
}

std::shared_ptr<Gate> HttpServer::Impl::RequestGate() const {
  return t_caller.request_gate ? t_caller.request_gate : GateFor("http");
}

bool HttpServer::Impl::Authenticate(const httplib::Request& req) {
  t_caller = CallerState{};
  if (options.token.empty()) {
    t_caller.caller.owner = true;
    return true;
  }
  std::string authorization = req.get_header_value("Authorization");
  if (BearerMatches(authorization, options.token)) {
    t_caller.caller.owner = true;
    t_caller.caller.credential = "owner";
    return true;
  }
  std::string_view token = BearerToken(authorization);
  // Other tokens stand for grants (`weft grant create`, agents' tokens), on /mcp only.
  if (token.empty() || req.path != "/mcp" || !options.token_gate) return false;
  std::shared_ptr<Gate> gate = options.token_gate(std::string(token), "http");
  if (gate == nullptr) return false;
  t_caller.caller.token = std::string(token);
  t_caller.caller.credential = HexDigest(Sha256Of(token));
  t_caller.request_gate = std::move(gate);
  return true;
}

void HttpServer::Impl::SendJson(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_content(std::move(body), "application/json");
}

void HttpServer::Impl::Fail(httplib::Response& res, int status, int code, std::string message, const Json& id,
                            Json data) {
  SendJson(res, status, Message::Error(id, RpcError{code, std::move(message), std::move(data)}).Serialize());
}

httplib::Server::HandlerResponse HttpServer::Impl::PreRoute(const httplib::Request& req, httplib::Response& res) {
  t_trace = Trace{Clock::now(), {}, false};
  using R = httplib::Server::HandlerResponse;
  if (req.headers.size() > options.max_headers) {
    Fail(res, 431, rpc::kInvalidRequest,
         "Request Header Fields Too Large: " + std::to_string(req.headers.size()) + " headers (the limit is " +
             std::to_string(options.max_headers) + ")");
    return R::Handled;
  }
  // DNS rebinding protection (2025-11-25 basic/transports §security): a
  // page on a foreign site must not reach us through a name that resolves
  // to 127.0.0.1. An absent Origin (non-browser clients) is fine.
  if (req.has_header("Host") && !HostAllowed(req.get_header_value("Host"), options)) {
    Fail(res, 403, rpc::kInvalidRequest, "Forbidden: Host " + req.get_header_value("Host") + " is not this server");
    return R::Handled;
  }
  if (req.has_header("Origin") && !OriginAllowed(req.get_header_value("Origin"), options)) {
    Fail(res, 403, rpc::kInvalidRequest,
         "Forbidden: requests from origin " + req.get_header_value("Origin") + " are not accepted");
    return R::Handled;
  }
  bool guarded = req.path == "/mcp" || req.path == "/metrics";
  if (guarded && !Authenticate(req)) {
    bool given = req.has_header("Authorization");
    res.set_header("WWW-Authenticate", given ? "Bearer realm=\"weft\", error=\"invalid_token\"" : "Bearer realm=\"weft\"");
    std::string where = options.token_hint.empty() ? "" : " (the token is in " + options.token_hint + "; `weft token` prints it)";
    Fail(res, 401, rpc::kInvalidRequest,
         std::string(given ? "Unauthorized: the bearer token is wrong" : "Unauthorized: send Authorization: Bearer <token>") +
             where);
    return R::Handled;
  }
  return R::Unhandled;
}

void HttpServer::Impl::Stream(httplib::Response& res, const std::shared_ptr<EventStream>& stream, uint64_t after,
                              std::chrono::milliseconds ping, std::function<void(Exchange)> on_end) {
  {
    std::lock_guard<std::mutex> lock(mu);
    streaming.insert(stream);
    if (stopping) stream->Close();
  }
  metrics.StreamOpened();
  t_trace.stream = true;
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  struct State {
    uint64_t cursor;
    bool delivered = false;
  };
  auto state = std::make_shared<State>(State{after});
  res.set_chunked_content_provider(
      "text/event-stream",
      [stream, state, ping](size_t, httplib::DataSink& sink) {
        EventStream::Event ev;
        switch (stream->Next(state->cursor, &ev, Clock::now() + ping)) {
          case EventStream::Wait::kEvent: {
            state->cursor = ev.seq;
            std::string text = stream->Format(ev);
            if (!sink.write(text.data(), text.size())) return false;
            if (ev.final) {
              state->delivered = true;
              sink.done();
            }
            return true;
          }
          case EventStream::Wait::kTimeout: {
            static constexpr char kPing[] = ": keep-alive\n\n";
            return sink.write(kPing, sizeof kPing - 1);
          }
          case EventStream::Wait::kEnd:
            sink.done();
            return true;
        }
        return false;
      },
      [this, stream, state, on_end = std::move(on_end)](bool) {
        stream->Detach();
        {
          std::lock_guard<std::mutex> lock(mu);
          streaming.erase(stream);
        }
        metrics.StreamClosed();
        on_end(Exchange{true, state->delivered});
      });
}

void HttpServer::Impl::Answer(httplib::Response& res, const std::shared_ptr<EventStream>& stream,
                              std::optional<Message> inline_reply, bool modern,
                              std::function<void(Exchange)> on_end) {
  auto status_of = [modern](int code) { return modern ? ModernErrorStatus(code) : 200; };
  if (inline_reply) {
    int code = inline_reply->kind == MessageKind::kError ? inline_reply->error.code : 0;
    EventStream::Event first;
    if (stream->Next(0, &first, Clock::now()) != EventStream::Wait::kEvent) {
      SendJson(res, status_of(code), inline_reply->Serialize());
      on_end(Exchange{false, true});
      return;
    }
    stream->Push(inline_reply->Serialize(), true, code);
  } else {
    EventStream::Event first;
    auto wait = stream->Next(0, &first, Clock::now() + options.json_window);
    if (wait == EventStream::Wait::kEvent && first.final && first.seq == 1) {
      SendJson(res, status_of(first.error_code), std::move(first.data));
      on_end(Exchange{false, true});
      return;
    }
  }
  stream->Attach();
  Stream(res, stream, 0, modern ? options.modern_ping : options.legacy_ping, std::move(on_end));
}

std::shared_ptr<LegacySession> HttpServer::Impl::FindSession(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = sessions.find(id);
  // A session belongs to the token that opened it: to any other it does not exist.
  if (it == sessions.end() || it->second->credential() != CurrentCaller().credential) return nullptr;
  return it->second;
}

void HttpServer::Impl::EndSession(const std::string& id) {
  std::shared_ptr<LegacySession> session;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = sessions.find(id);
    if (it == sessions.end()) return;
    session = it->second;
    sessions.erase(it);
  }
  session->End();
  metrics.SessionClosed();
}

void HttpServer::Impl::ReapIdleSessions() {
  std::vector<std::string> idle;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [id, s] : sessions) {
      if (s->IdleLongerThan(options.session_idle_timeout)) idle.push_back(id);
    }
  }
  for (const auto& id : idle) {
    WEFT_LOG(kInfo) << "session " << id << " expired after " << options.session_idle_timeout.count()
                    << " s without activity";
    EndSession(id);
  }
}

bool HttpServer::Impl::TakeStreamSlot() {
  size_t n = long_streams.load();
  do {
    if (n >= options.max_streams) return false;
  } while (!long_streams.compare_exchange_weak(n, n + 1));
  return true;
}

void HttpServer::Impl::ReleaseStreamSlot() { --long_streams; }

void HttpServer::Impl::HandleGet(const httplib::Request& req, httplib::Response& res) {
  std::string sid = req.get_header_value("Mcp-Session-Id");
  if (sid.empty()) {
    if (req.get_header_value("MCP-Protocol-Version") == kModernVersion) {
      res.set_header("Allow", "POST");
      Fail(res, 405, rpc::kInvalidRequest,
           "Method Not Allowed: protocol 2026-07-28 uses POST only (listen with subscriptions/listen)");
    } else {
      Fail(res, 400, rpc::kInvalidRequest,
           "Bad Request: GET opens a session's event stream and needs the Mcp-Session-Id header");
    }
    return;
  }
  if (!AcceptsType(req, "text/event-stream")) {
    Fail(res, 406, rpc::kInvalidRequest, "Not Acceptable: GET /mcp answers text/event-stream; put it in Accept");
    return;
  }
  auto session = FindSession(sid);
  if (!session) {
    Fail(res, 404, rpc::kInvalidRequest, "Session not found: it ended or expired; send initialize again");
    return;
  }
  session->Touch();
  // Without Last-Event-ID the standalone stream starts with what is waiting
  // for it: messages that arrived while none was open.
  std::shared_ptr<EventStream> stream = session->standalone();
  uint64_t after = 0;
  if (req.has_header("Last-Event-ID")) {
    stream = session->FindForResume(req.get_header_value("Last-Event-ID"), &after);
    if (!stream) {
      Fail(res, 404, rpc::kInvalidRequest,
           "Not Found: no stream to resume for Last-Event-ID " + req.get_header_value("Last-Event-ID"));
      return;
    }
  }
  if (!TakeStreamSlot()) {
    Fail(res, 503, rpc::kInternalError,
         "Service Unavailable: " + std::to_string(options.max_streams) + " event streams are open; close one first");
    return;
  }
  if (!stream->Attach()) {
    ReleaseStreamSlot();
    Fail(res, 409, rpc::kInvalidRequest, "Conflict: this session's event stream is already open on another connection");
    return;
  }
  session->StreamOpened();
  Stream(res, stream, after, options.legacy_ping, [this, session](Exchange) {
    session->StreamClosed();
    ReleaseStreamSlot();
  });
}

void HttpServer::Impl::HandleDelete(const httplib::Request& req, httplib::Response& res) {
  std::string sid = req.get_header_value("Mcp-Session-Id");
  if (sid.empty()) {
    if (req.get_header_value("MCP-Protocol-Version") == kModernVersion) {
      res.set_header("Allow", "POST");
      Fail(res, 405, rpc::kInvalidRequest, "Method Not Allowed: protocol 2026-07-28 has no sessions to delete");
    } else {
      Fail(res, 400, rpc::kInvalidRequest, "Bad Request: DELETE ends a session and needs the Mcp-Session-Id header");
    }
    return;
  }
  if (!FindSession(sid)) {
    Fail(res, 404, rpc::kInvalidRequest, "Session not found: it already ended or expired");
    return;
  }
  EndSession(sid);
  WEFT_LOG(kInfo) << "session " << sid << " ended by the client";
  res.status = 200;
}

HttpServer::HttpServer(Server& server, HttpOptions options)
    : impl_(std::make_unique<Impl>(server, std::move(options))) {
  Impl* impl = impl_.get();
  server.AddObserver([impl](const RequestRecord& r) { impl->metrics.Observe(r); });
  httplib::Server& http = impl->http;
  size_t threads = impl->options.max_streams + impl->options.request_threads;
  http.new_task_queue = [threads] { return new ElasticPool(threads); };
  http.set_tcp_nodelay(true);  // else Nagle holds each small reply ≈40 ms
  // httplib's default also sets SO_REUSEPORT, which lets a second server
  // share a busy port silently; SO_REUSEADDR alone allows quick restarts.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http.set_keep_alive_max_count(1'000'000);
  http.set_keep_alive_timeout(impl->options.keep_alive_timeout.count());
  http.set_read_timeout(impl->options.read_timeout.count(), 0);
  http.set_write_timeout(impl->options.read_timeout.count(), 0);
  http.set_payload_max_length(impl->options.max_body_bytes);
  http.set_pre_routing_handler([impl](const httplib::Request& req, httplib::Response& res) {
    return impl->PreRoute(req, res);
  });
  http.Post("/mcp", [impl](const httplib::Request& req, httplib::Response& res) { impl->HandlePost(req, res); });
  http.Get("/mcp", [impl](const httplib::Request& req, httplib::Response& res) { impl->HandleGet(req, res); });
  http.Delete("/mcp", [impl](const httplib::Request& req, httplib::Response& res) { impl->HandleDelete(req, res); });
  auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Allow", "GET, POST, DELETE");
    Impl::Fail(res, 405, rpc::kInvalidRequest, "Method Not Allowed: /mcp takes POST (and GET, DELETE for sessions)");
  };
  http.Put("/mcp", not_allowed);
  http.Patch("/mcp", not_allowed);
  http.Options("/mcp", not_allowed);
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  http.Get("/metrics", [impl](const httplib::Request&, httplib::Response& res) {
    res.set_content(impl->metrics.Render(), "text/plain; version=0.0.4");
  });
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty() || res.is_chunked_content_provider_) return httplib::Server::HandlerResponse::Unhandled;
    std::string message;
    switch (res.status) {
      case 404: message = "Not Found: " + req.path + " is not served here; MCP is at /mcp"; break;
      case 413: message = "Payload Too Large: the request body exceeds the limit of this server"; break;
      case 414: message = "URI Too Long: the request line is limited to 8 KiB"; break;
      case 400:
        message = "Bad Request: malformed request line or headers (each header line is limited to 8 KiB)";
        break;
      default: message = std::string(HttpReasonPhrase(res.status)); break;
    }
    Impl::Fail(res, res.status, rpc::kInvalidRequest, message);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    WEFT_LOG(kError) << "HTTP handler failed: " << what;
    Impl::Fail(res, 500, rpc::kInternalError, "Internal error: " + what);
  });
  http.set_logger([impl](const httplib::Request& req, const httplib::Response& res) {
    double seconds = std::chrono::duration<double>(Clock::now() - t_trace.start).count();
    impl->metrics.CountRequest(req.method, t_trace.rpc_method, res.status, seconds, t_trace.stream);
    WEFT_LOG(kDebug) << req.method << " " << req.path << " " << t_trace.rpc_method << " → " << res.status << " ("
                     << static_cast<int64_t>(seconds * 1e6) << " µs)";
  });
}

HttpServer::~HttpServer() {
  Stop();
  // Session workers report to our metrics (an observer) and write to our
  // streams until they end; Stop() ended every session, so this is short.
  impl_->mcp.WaitForWorkers();
}

Status HttpServer::Bind() {
  Impl& impl = *impl_;
  if (impl.options.token.empty() && !IsLoopbackAddress(impl.options.host)) {
    return Status::FailedPrecondition("refusing to serve without a token on " + impl.options.host +
                                      ", which other machines can reach; drop --no-auth or bind 127.0.0.1");
  }
  if (impl.options.port < 0 || impl.options.port > 65535) {
    return Status::InvalidArgument("port " + std::to_string(impl.options.port) + " is out of range");
  }
  if (impl.options.port == 0) {
    impl.port = impl.http.bind_to_any_port(impl.options.host);
    if (impl.port <= 0) return Status::Unavailable("cannot listen on " + impl.options.host);
  } else {
    if (!impl.http.bind_to_port(impl.options.host, impl.options.port)) {
      return Status::Unavailable("cannot listen on " + impl.options.host + ":" + std::to_string(impl.options.port) +
                                 " (in use, or not an address of this machine)");
    }
    impl.port = impl.options.port;
  }
  return Status::Ok();
}

int HttpServer::port() const { return impl_->port; }

std::string HttpServer::url() const {
  std::string host = impl_->options.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(impl_->port) + "/mcp";
}

Status HttpServer::Run() {
  Impl& impl = *impl_;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    if (impl.stopping) return Status::Ok();
  }
  impl.reaper = std::thread([&impl] {
    auto period = std::min<std::chrono::steady_clock::duration>(std::chrono::seconds(30),
                                                               impl.options.session_idle_timeout / 4);
    std::unique_lock<std::mutex> lock(impl.mu);
    while (!impl.stopping) {
      impl.reaper_cv.wait_for(lock, period);
      if (impl.stopping) break;
      lock.unlock();
      impl.ReapIdleSessions();
      lock.lock();
    }
  });
  bool ok = impl.http.listen_after_bind();
  Stop();
  if (impl.reaper.joinable()) impl.reaper.join();
  return ok ? Status::Ok() : Status::Unavailable("the HTTP listener failed");
}

void HttpServer::Stop() {
  Impl& impl = *impl_;
  // Held throughout, so that Run() (which calls Stop() last) cannot return,
  // and the server be destroyed, while a Stop() from another thread still runs.
  std::lock_guard<std::mutex> stop_lock(impl.stop_mu);
  std::map<std::string, std::shared_ptr<LegacySession>> sessions;
  std::set<std::shared_ptr<EventStream>> streams;
  bool first;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    first = !impl.stopping;
    impl.stopping = true;
    sessions.swap(impl.sessions);
    streams = impl.streaming;
  }
  impl.reaper_cv.notify_all();
  if (first) impl.http.stop();  // once: httplib asserts on a second stop
  for (auto& [id, s] : sessions) {
    s->End();
    impl.metrics.SessionClosed();
  }
  for (auto& s : streams) s->Close();
}

}  // namespace weft::mcp
