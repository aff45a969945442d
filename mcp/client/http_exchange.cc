// HttpConnection's HTTP side: the headers of each exchange, one call with its
// reply streamed into Read(), and what each outcome becomes for the client
// (reference/mcp.md §1.4, §1.9).
#include <httplib.h>

#include <algorithm>
#include <cctype>

#include "core/base/log.h"
#include "mcp/client/http_connection_impl.h"
#include "mcp/client/sse_parser.h"
#include "mcp/transport/http_status.h"

namespace weft::mcp {
namespace {

// Bodies of non-2xx replies are kept up to this size, for their message.
constexpr size_t kMaxErrorBody = 64u << 10;
// Idle keep-alive clients kept for reuse.
constexpr size_t kMaxPooledClients = 8;
// Reconnection delay when the server named none with "retry:".
constexpr int64_t kDefaultRetryMs = 1000;
constexpr const char* kPostAccept = "application/json, text/event-stream";

std::string MediaType(std::string value) {
  value = value.substr(0, value.find(';'));
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  value.erase(0, value.find_first_not_of(" \t"));
  value.erase(value.find_last_not_of(" \t") + 1);
  return value;
}

// The first characters of a body, on one line, for a message.
std::string Snippet(std::string_view body) {
  constexpr size_t kMax = 200;
  std::string out;
  for (char c : body.substr(0, kMax)) out += (static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  out.erase(0, out.find_first_not_of(' '));
  out.erase(out.find_last_not_of(' ') + 1);
  if (body.size() > kMax) out += "…";
  return out;
}

std::string StatusLine(int status) {
  std::string reason(HttpReasonPhrase(status));
  return "HTTP " + std::to_string(status) + (reason.empty() ? "" : " " + reason);
}

bool IsJsonRpcMessage(const Json& body) {
  return body.is_object() && body.value("jsonrpc", Json()) == "2.0" &&
         ((body.contains("error") && body["error"].is_object()) || body.contains("result"));
}

// An error reply without an id, to a POSTed request, is that request's: the
// HTTP exchange ties them together.
bool TieErrorToRequest(Json& body, const Json& id) {
  if (!body.is_object() || !body.contains("error") || (body.contains("id") && !body["id"].is_null())) return false;
  body["id"] = id;
  return true;
}

bool VisibleAscii(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

HttpReply::Failure Classify(httplib::Error error) {
  switch (error) {
    case httplib::Error::Success: return HttpReply::kNone;
    case httplib::Error::Connection: return HttpReply::kConnect;
    case httplib::Error::ConnectionTimeout: return HttpReply::kConnectTimeout;
    case httplib::Error::Read: return HttpReply::kRead;
    case httplib::Error::Write: return HttpReply::kWrite;
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification: return HttpReply::kTls;
    case httplib::Error::Canceled: return HttpReply::kCancelled;
    default: return HttpReply::kOther;
  }
}

}  // namespace

using Impl = HttpConnection::Impl;

namespace {

httplib::Headers BaseHeaders(const HttpConnectionOptions& options, const char* accept) {
  httplib::Headers h;
  h.emplace("Accept", accept);
  for (const auto& [name, value] : options.headers) h.emplace(name, value);
  if (!options.bearer_token.empty()) h.emplace("Authorization", "Bearer " + options.bearer_token);
  return h;
}

}  // namespace

std::shared_ptr<httplib::ClientImpl> Impl::NewClient(std::chrono::milliseconds connect_timeout,
                                                     std::chrono::milliseconds read_timeout) const {
  std::shared_ptr<httplib::ClientImpl> client;
  if (url_.scheme == "https") {
    auto tls = std::make_shared<httplib::SSLClient>(url_.host, url_.port);
    tls->enable_server_certificate_verification(true);
    client = std::move(tls);
  } else {
    client = std::make_shared<httplib::ClientImpl>(url_.host, url_.port);
  }
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_follow_location(false);
  client->set_connection_timeout(connect_timeout);
  // Per receive: an event stream lives as long as events or keep-alive
  // comments keep coming.
  client->set_read_timeout(read_timeout);
  client->set_write_timeout(read_timeout);
  return client;
}

HttpReply Impl::Perform(const std::shared_ptr<HttpExchange>& ex, httplib::Request& req, bool initialize) {
  HttpReply r;
  std::shared_ptr<httplib::ClientImpl> client;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || ex->aborted) return r;
    if (!pool_.empty()) {
      client = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  if (!client) client = NewClient(options_.connect_timeout, options_.read_timeout);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || ex->aborted) return r;
    ex->client = client;
    active_.insert(ex);
  }
  r.started = true;
  SseParser parser(options_.max_frame_bytes);
  req.response_handler = [&](const httplib::Response& res) {
    OnHeaders(res, initialize, r);
    return !ex->aborted.load();
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    return !ex->aborted && OnBody(*ex, std::string_view(data, n), parser, r);
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  bool ok = false;
  try {
    ok = client->send(req, res, error);
  } catch (const std::exception& e) {
    error = httplib::Error::Unknown;
    r.failure_detail = e.what();
  }
  if (!ok && !r.body_truncated) {
    r.failure = Classify(error);
    if (r.failure == HttpReply::kNone) r.failure = HttpReply::kOther;
    if (r.failure_detail.empty()) r.failure_detail = httplib::to_string(error);
  }
  r.last_event_id = parser.last_event_id();
  r.retry_ms = parser.retry_ms();
  {
    std::lock_guard<std::mutex> lock(mu_);
    ex->client.reset();
    active_.erase(ex);
    if (ok && !ex->aborted && !closed_ && pool_.size() < kMaxPooledClients) pool_.push_back(std::move(client));
  }
  done_cv_.notify_all();
  return r;
}

void Impl::OnHeaders(const httplib::Response& res, bool initialize, HttpReply& r) {
  r.status = res.status;
  r.content_type = MediaType(res.get_header_value("Content-Type"));
  r.session_id = res.get_header_value("Mcp-Session-Id");
  r.location = res.get_header_value("Location");
  r.sse = res.status / 100 == 2 && r.content_type == "text/event-stream";
  // Taken before the body is read, so it is known before the client sees the
  // initialize result and sends anything else.
  if (initialize && res.status / 100 == 2 && !r.session_id.empty()) {
    if (VisibleAscii(r.session_id)) {
      std::lock_guard<std::mutex> lock(mu_);
      session_id_ = r.session_id;
    } else {
      WEFT_LOG(kWarning) << "mcp http: ignoring a session id with characters outside 0x21-0x7E";
    }
  }
}

bool Impl::OnBody(HttpExchange& ex, std::string_view data, SseParser& parser, HttpReply& r) {
  if (r.sse) {
    return parser.Feed(data, [&](const SseEvent& event) {
      if (!event.type.empty() && event.type != "message") return true;
      ++r.events;
      if (event.oversized) {
        PushOversized();
        return true;
      }
      return Deliver(ex, event.data);
    });
  }
  size_t limit = r.status / 100 == 2 ? options_.max_frame_bytes : kMaxErrorBody;
  if (r.body.size() + data.size() > limit) {
    r.body.append(data.substr(0, limit - r.body.size()));
    r.body_truncated = true;
    return false;
  }
  r.body.append(data);
  return true;
}

bool Impl::Deliver(HttpExchange& ex, std::string frame) {
  if (ex.frame.kind == ClientFrame::kRequest) {
    Json parsed = Json::parse(frame, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_array()) {
      for (const auto& m : parsed) Observe(ex, m);
    } else if (!parsed.is_discarded()) {
      Observe(ex, parsed);
    }
  }
  return Push(std::move(frame), &ex);
}

void Impl::Observe(HttpExchange& ex, const Json& message) {
  if (!message.is_object() || message.contains("method")) return;
  auto id = message.find("id");
  if (id == message.end() || *id != ex.frame.id) return;
  auto result = message.find("result");
  if (result == message.end() && !message.contains("error")) return;
  ex.replied = true;
  if (result == message.end() || !result->is_object()) return;
  if (ex.frame.method == "initialize") {
    // MCP-Protocol-Version on every later request (2025-06-18 basic/transports).
    std::string version = StringOr(*result, "protocolVersion");
    if (VisibleAscii(version)) {
      std::lock_guard<std::mutex> lock(mu_);
      legacy_version_ = version;
    }
  } else if (ex.frame.method == "tools/list") {
    std::lock_guard<std::mutex> lock(mu_);
    LearnParamHeaders(*result, param_headers_);
  }
}

namespace {

// The headers of a POST of `frame`; sets *sent_session when it carries the
// session id.
httplib::Headers FrameHeaders(const HttpConnectionOptions& options, const ClientFrame& frame,
                              const std::string& session_id, const std::string& legacy_version,
                              const ParamHeaderMap& param_headers, bool* sent_session) {
  httplib::Headers h = BaseHeaders(options, kPostAccept);
  h.emplace("Content-Type", "application/json");
  if (!frame.modern_version.empty() && frame.kind != ClientFrame::kResponse) {
    h.emplace("MCP-Protocol-Version", EncodeHeaderValue(frame.modern_version));
    h.emplace("Mcp-Method", EncodeHeaderValue(frame.method));
    if (frame.name) h.emplace("Mcp-Name", EncodeHeaderValue(*frame.name));
    if (frame.method == "tools/call") {
      for (auto& [name, value] : ParamHeadersFor(param_headers, frame.params)) h.emplace(name, value);
    }
    return h;
  }
  if (!session_id.empty()) {
    h.emplace("Mcp-Session-Id", session_id);
    *sent_session = true;
  }
  if (!legacy_version.empty() && frame.method != "initialize") h.emplace("MCP-Protocol-Version", legacy_version);
  return h;
}

}  // namespace

httplib::Request Impl::PostFor(const HttpExchange& ex, bool* sent_session) {
  httplib::Request req;
  req.method = "POST";
  req.path = url_.path;
  {
    std::lock_guard<std::mutex> lock(mu_);
    req.headers = FrameHeaders(options_, ex.frame, session_id_, legacy_version_, param_headers_, sent_session);
  }
  req.body = ex.body;
  return req;
}

void Impl::RunRequest(std::shared_ptr<HttpExchange> ex) {
  bool sent_session = false;
  httplib::Request req = PostFor(*ex, &sent_session);
  HttpReply r = Perform(ex, req, ex->frame.method == "initialize");
  Conclude(ex, r, sent_session);
}

void Impl::PostMessage(const std::shared_ptr<HttpExchange>& ex) {
  bool sent_session = false;
  httplib::Request req = PostFor(*ex, &sent_session);
  HttpReply r = Perform(ex, req, false);
  if (ex->cancels) Abort(*ex->cancels);
  if (!r.started) return;
  if (r.status / 100 == 2) {
    if (ex->frame.method == "notifications/initialized") MaybeOpenStandaloneStream();
    return;
  }
  std::string what = ex->frame.kind == ClientFrame::kResponse ? "the reply to server request " + ex->frame.id.dump()
                                                               : ex->frame.method;
  std::string why = r.status == 0 ? FailureText(r) : StatusLine(r.status);
  if (r.status != 0 && !r.body.empty()) why += " (server: " + Snippet(r.body) + ")";
  WEFT_LOG(kError) << "mcp http: sending " << what << " to " << url_.ToString() << " failed: " << why;
}

void Impl::MaybeOpenStandaloneStream() {
  if (!options_.standalone_stream) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stream_opened_ || closed_) return;
    stream_opened_ = true;
  }
  StartThread(std::make_shared<HttpExchange>(), &Impl::RunStandaloneStream);
}

namespace {

httplib::Request StreamRequest(const HttpConnectionOptions& options, const std::string& path,
                               const std::string& session_id, const std::string& version,
                               const std::string& last_event_id) {
  httplib::Request req;
  req.method = "GET";
  req.path = path;
  req.headers = BaseHeaders(options, "text/event-stream");
  if (!session_id.empty()) req.headers.emplace("Mcp-Session-Id", session_id);
  if (!version.empty()) req.headers.emplace("MCP-Protocol-Version", version);
  if (!last_event_id.empty()) req.headers.emplace("Last-Event-ID", last_event_id);
  return req;
}

}  // namespace

void Impl::RunStandaloneStream(std::shared_ptr<HttpExchange> ex) {
  std::string last_id;
  int64_t retry = kDefaultRetryMs;
  for (int failures = 0;;) {
    httplib::Request req;
    {
      std::lock_guard<std::mutex> lock(mu_);
      req = StreamRequest(options_, url_.path, session_id_, legacy_version_, last_id);
    }
    HttpReply g = Perform(ex, req, false);
    if (!g.started || ex->aborted) return;
    if (g.status == 405) {
      WEFT_LOG(kInfo) << "mcp http: " << url_.ToString() << " offers no GET stream (HTTP 405)";
      return;
    }
    if (g.status / 100 == 2 && g.sse) {
      failures = 0;  // it ended or went silent; open it again
    } else if (g.status == 0) {
      ++failures;
    } else {
      WEFT_LOG(kWarning) << "mcp http: the GET stream of " << url_.ToString() << " was refused: "
                         << StatusLine(g.status) << (g.body.empty() ? "" : " (" + Snippet(g.body) + ")");
      return;
    }
    if (failures >= options_.max_stream_retries) {
      WEFT_LOG(kWarning) << "mcp http: giving up on the GET stream of " << url_.ToString() << ": "
                         << FailureText(g);
      return;
    }
    if (!g.last_event_id.empty()) last_id = g.last_event_id;
    if (g.retry_ms) retry = *g.retry_ms;
    if (!Sleep(*ex, retry)) return;
  }
}

void Impl::Resume(const std::shared_ptr<HttpExchange>& ex, const HttpReply& first) {
  // 2025-11-25 basic/transports: a server may close a request's stream after
  // an event id; the client resumes it with GET and Last-Event-ID.
  std::string last_id = first.last_event_id;
  int64_t retry = first.retry_ms.value_or(kDefaultRetryMs);
  for (int failures = 0; failures < options_.max_stream_retries && !ex->replied;) {
    if (!Sleep(*ex, retry)) return;
    httplib::Request req;
    {
      std::lock_guard<std::mutex> lock(mu_);
      req = StreamRequest(options_, url_.path, session_id_, legacy_version_, last_id);
    }
    HttpReply g = Perform(ex, req, false);
    if (!g.started || ex->aborted) return;
    if (g.status / 100 == 2 && g.sse) {
      failures = g.events > 0 ? 0 : failures + 1;
    } else if (g.status == 0) {
      ++failures;
    } else {
      return;  // the server cannot resume it
    }
    if (!g.last_event_id.empty()) last_id = g.last_event_id;
    if (g.retry_ms) retry = *g.retry_ms;
  }
}

void Impl::Conclude(const std::shared_ptr<HttpExchange>& ex, HttpReply& r, bool sent_session) {
  if (!r.started || ex->aborted || ex->replied) return;
  const std::string& method = ex->frame.method;
  const int s = r.status;
  if (s == 0) {
    Synthesize(*ex, FailureText(r), 0);
    return;
  }
  if (s / 100 != 2) {
    ConcludeFailureStatus(*ex, r, sent_session);
    return;
  }
  if (r.sse) {
    bool legacy = ex->frame.modern_version.empty();
    if (legacy && !r.last_event_id.empty()) {
      Resume(ex, r);
      if (ex->aborted || ex->replied) return;
    }
    std::string why = r.failure == HttpReply::kNone ? "the server ended the event stream"
                                                    : "the event stream broke (" + FailureText(r) + ")";
    Synthesize(*ex,
               why + " before replying to " + method +
                   (legacy ? "" : "; in protocol 2026-07-28 a lost stream loses the request: send it again"),
               s);
    return;
  }
  if (r.failure != HttpReply::kNone) {
    Synthesize(*ex, "the connection broke while reading the reply to " + method + " (" + FailureText(r) + ")", s);
    return;
  }
  if (r.body_truncated) {
    Synthesize(*ex,
               "the reply to " + method + " is larger than " + std::to_string(options_.max_frame_bytes) +
                   " bytes and was dropped",
               s);
    return;
  }
  if (r.body.empty()) {
    Synthesize(*ex,
               "the server answered " + method + " with " + StatusLine(s) +
                   " and no body; a request needs a JSON or text/event-stream reply",
               s);
    return;
  }
  if (r.content_type != "application/json") {
    Synthesize(*ex,
               "the server answered " + method + " with Content-Type \"" + r.content_type +
                   "\"; a request needs application/json or text/event-stream",
               s);
    return;
  }
  Json body = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    Synthesize(*ex, "the server's reply to " + method + " is not JSON: " + Snippet(r.body), s);
    return;
  }
  if (!Deliver(*ex, TieErrorToRequest(body, ex->frame.id) ? SerializeJson(body) : std::move(r.body))) return;
  if (!ex->replied) {
    Synthesize(*ex, "the server's " + StatusLine(s) + " reply holds no JSON-RPC reply to " + method, s);
  }
}

void Impl::ConcludeFailureStatus(HttpExchange& ex, const HttpReply& r, bool sent_session) {
  const int s = r.status;
  Json body = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  bool rpc = !r.body_truncated && IsJsonRpcMessage(body);
  std::string server_says = rpc && body.contains("error") ? StringOr(body["error"], "message") : Snippet(r.body);
  std::string message = StatusLine(s) + ": ";
  if (s == 401) {
    // Reported by the transport even with a JSON-RPC body: HTTP refused the
    // client, whatever the message was.
    bool credentials = !options_.bearer_token.empty() ||
                       std::any_of(options_.headers.begin(), options_.headers.end(),
                                   [](const auto& h) { return SameHeaderName(h.first, "Authorization"); });
    message += (credentials ? "the server refused the credentials: " : "the server requires a bearer token: ") +
               options_.token_hint;
  } else if (s == 403) {
    message += "the server refused this client: its Host or Origin header is not one the server accepts "
               "(DNS-rebinding protection), or the token lacks a scope it needs";
  } else if (s == 404 && sent_session) {
    std::string sid;
    {
      std::lock_guard<std::mutex> lock(mu_);
      sid = session_id_;
    }
    message += "the server no longer knows session " + sid +
               " (it expired, was deleted, or the server restarted); start a new session";
  } else if (rpc) {
    TieErrorToRequest(body, ex.frame.id);
    if (!Deliver(ex, SerializeJson(body)) || ex.replied) return;
    message += "the server's reply holds no JSON-RPC reply to " + ex.frame.method;
  } else if (s == 404) {
    message += "there is no MCP endpoint at " + url_.ToString() + " (check the path)";
  } else if (s == 405) {
    message += url_.ToString() + " does not take POST; is it an MCP endpoint?";
  } else if (s / 100 == 3 && !r.location.empty()) {
    message += "the endpoint redirects to " + Snippet(r.location) + "; give that URL instead";
  } else if (s >= 500) {
    message += "the server failed; its log may say why";
  } else {
    message += "the server refused " + ex.frame.method;
  }
  if (!server_says.empty()) message += " (server: " + server_says + ")";
  Synthesize(ex, message, s);
}

void Impl::Synthesize(HttpExchange& ex, const std::string& message, int http_status) {
  ex.replied = true;
  Push(TransportErrorFrame(ex.frame.id, message, url_.ToString(), http_status), &ex);
}

std::string Impl::FailureText(const HttpReply& r) const {
  const std::string where = url_.ToString();
  switch (r.failure) {
    case HttpReply::kConnect:
      return "cannot connect to " + where + ": nothing is listening there, or the host is unreachable";
    case HttpReply::kConnectTimeout:
      return "cannot connect to " + where + " within " + std::to_string(options_.connect_timeout.count()) + " ms";
    case HttpReply::kRead:
      return "reading from " + where + " failed: the connection broke, or nothing arrived for " +
             std::to_string(options_.read_timeout.count()) + " ms";
    case HttpReply::kWrite:
      return "sending to " + where + " failed: the connection broke";
    case HttpReply::kTls:
      return "the TLS connection to " + where + " failed (" + r.failure_detail +
             "): does the server speak https, with a certificate this system trusts?";
    case HttpReply::kCancelled:
      return "the exchange with " + where + " was cancelled";
    case HttpReply::kNone:
    case HttpReply::kOther:
      break;
  }
  return "the HTTP exchange with " + where + " failed (" + r.failure_detail + ")";
}

void Impl::DeleteSession() {
  std::string sid, version;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sid = session_id_;
    version = legacy_version_;
  }
  if (sid.empty()) return;
  // 2025-11-25 basic/transports: a client that no longer needs the session
  // SHOULD end it with DELETE. Best effort: a 405 or no answer is fine.
  httplib::Request req;
  req.method = "DELETE";
  req.path = url_.path;
  req.headers = BaseHeaders(options_, kPostAccept);
  req.headers.emplace("Mcp-Session-Id", sid);
  if (!version.empty()) req.headers.emplace("MCP-Protocol-Version", version);
  try {
    std::shared_ptr<httplib::ClientImpl> client = NewClient(options_.close_timeout, options_.close_timeout);
    client->set_keep_alive(false);
    httplib::Response res;
    httplib::Error error = httplib::Error::Success;
    if (!client->send(req, res, error)) {
      WEFT_LOG(kInfo) << "mcp http: DELETE of session " << sid << " failed: " << httplib::to_string(error);
    } else if (res.status / 100 != 2 && res.status != 405) {
      WEFT_LOG(kInfo) << "mcp http: DELETE of session " << sid << ": " << StatusLine(res.status);
    }
  } catch (const std::exception& e) {
    WEFT_LOG(kInfo) << "mcp http: DELETE of session " << sid << " failed: " << e.what();
  }
}

}  // namespace weft::mcp
