// POST /mcp: content checks, era detection, and dispatch of a message to a
// legacy session or to a one-request 2026-07-28 session.
#include <algorithm>
#include <cctype>

#include "core/base/log.h"
#include "core/base/random.h"
#include "mcp/http/header_check.h"
#include "mcp/http/http_internal.h"
#include "mcp/protocol/versions.h"

namespace weft::mcp {
namespace {

// The engine side of one 2026-07-28 request: everything written belongs to
// that request's stream (its notifications, then its reply).
class RequestStreamConnection final : public Connection {
 public:
  explicit RequestStreamConnection(std::shared_ptr<EventStream> stream) : stream_(std::move(stream)) {}
  Result<std::string> Read() override { return Status::Unavailable("HTTP requests are fed by push"); }
  Status Write(std::string_view frame, const WriteRoute& route) override {
    stream_->Push(std::string(frame), route.final_response, route.error_code);
    return Status::Ok();
  }
  void Close() override { stream_->Close(); }
  void Abandon(const nlohmann::json&) override { stream_->Close(); }

 private:
  std::shared_ptr<EventStream> stream_;
};

bool IsJsonContentType(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  return value.rfind("application/json", 0) == 0;
}

}  // namespace

void HttpServer::Impl::HandlePost(const httplib::Request& req, httplib::Response& res) {
  if (!IsJsonContentType(req.get_header_value("Content-Type"))) {
    Fail(res, 415, rpc::kInvalidRequest,
         "Unsupported Media Type: POST one JSON-RPC message with Content-Type: application/json");
    return;
  }
  if (!AcceptsType(req, "application/json") || !AcceptsType(req, "text/event-stream")) {
    Fail(res, 406, rpc::kInvalidRequest,
         "Not Acceptable: the Accept header must list both application/json and text/event-stream");
    return;
  }
  DecodeOutcome decoded = Decode(req.body);
  if (auto* failure = std::get_if<DecodeFailure>(&decoded)) {
    SendJson(res, 400, failure->reply.Serialize());
    return;
  }
  std::string sid = req.get_header_value("Mcp-Session-Id");
  if (auto* batch = std::get_if<std::vector<Json>>(&decoded)) {
    TraceMethod("batch");
    if (sid.empty()) {
      Fail(res, 400, rpc::kInvalidRequest,
           "Invalid Request: JSON-RPC batches are accepted only inside a 2025-03-26 session");
      return;
    }
    PostLegacy(req, res, std::nullopt, std::move(*batch));
    return;
  }
  Message msg = std::get<Message>(std::move(decoded));
  TraceMethod(msg.kind == MessageKind::kRequest || msg.kind == MessageKind::kNotification ? msg.method : "response");
  std::optional<std::string> version;
  if (req.has_header("MCP-Protocol-Version")) version = req.get_header_value("MCP-Protocol-Version");
  if (sid.empty() && IsModernPost(msg, version)) {
    PostModern(req, res, std::move(msg));
  } else {
    PostLegacy(req, res, std::move(msg), {});
  }
}

void HttpServer::Impl::PostModern(const httplib::Request& req, httplib::Response& res, Message msg) {
  if (msg.kind == MessageKind::kResponse || msg.kind == MessageKind::kError) {
    Fail(res, 400, rpc::kInvalidRequest,
         "Invalid Request: in protocol 2026-07-28 the server sends no requests, so clients send no responses");
    return;
  }
  HeaderLookup headers = [&req](const std::string& name) -> std::optional<std::string> {
    if (!req.has_header(name)) return std::nullopt;
    return req.get_header_value(name);
  };
  if (auto err = CheckModernRequest(msg, headers, mcp.tools())) {
    SendJson(res, err->status, Message::Error(msg.id, std::move(err->error)).Serialize());
    return;
  }
  if (msg.method == "initialize") {
    // On stdio an initialize always opens the legacy era; here the headers
    // already chose 2026-07-28, where the method does not exist.
    Fail(res, 404, rpc::kMethodNotFound,
         "Method not found: initialize does not exist in protocol 2026-07-28 (send it without "
         "MCP-Protocol-Version: 2026-07-28 and params._meta to open a legacy session)",
         msg.id);
    return;
  }
  if (msg.kind == MessageKind::kNotification) {
    // Cancellation in this era is closing the request's stream; other
    // notifications need no action.
    res.status = 202;
    return;
  }
  bool listen = msg.method == "subscriptions/listen";
  if (listen && !TakeStreamSlot()) {
    Fail(res, 503, rpc::kInternalError,
         "Service Unavailable: " + std::to_string(options.max_streams) + " event streams are open; close one first",
         msg.id);
    return;
  }
  auto stream = std::make_shared<EventStream>("", options.retained_events);
  auto conn = std::make_shared<RequestStreamConnection>(stream);
  std::shared_ptr<SessionHandle> handle = mcp.OpenSession(*conn, /*watch_changes=*/listen, RequestGate());
  std::optional<Message> reply = handle->Deliver(std::move(msg));
  Answer(res, stream, std::move(reply), true, [this, conn, handle, listen](Exchange) {
    handle->Abort();  // a closed stream cancels its request (2026-07-28)
    if (listen) ReleaseStreamSlot();
  });
}

void HttpServer::Impl::Initialize(httplib::Response& res, Message msg) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stopping) {
      Fail(res, 503, rpc::kInternalError, "Service Unavailable: the server is shutting down", msg.id);
      return;
    }
  }
  if (metrics.open_sessions() >= static_cast<int64_t>(options.max_sessions)) ReapIdleSessions();
  Json id = msg.id;
  std::string sid = RandomHex(16);
  std::shared_ptr<Gate> gate = GateFor("http session " + sid);
  if (gate == nullptr && !CurrentCaller().owner && options.token_gate) {
    Fail(res, 401, rpc::kInvalidRequest, "Unauthorized: the bearer token stands for no grant", id);
    return;
  }
  auto session = std::make_shared<LegacySession>(sid, mcp, options.retained_events, std::move(gate),
                                                 CurrentCaller().credential);
  std::optional<Message> reply = session->engine().Deliver(std::move(msg));
  if (!reply || reply->kind != MessageKind::kResponse) {
    session->End();
    if (reply) {
      SendJson(res, 400, reply->Serialize());
    } else {
      Fail(res, 500, rpc::kInternalError, "Internal error: initialize produced no reply", id);
    }
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    if (sessions.size() >= options.max_sessions || stopping) {
      session->End();
      Fail(res, 503, rpc::kInternalError,
           "Service Unavailable: " + std::to_string(options.max_sessions) +
               " sessions are open; end one (DELETE /mcp) or wait for idle ones to expire",
           id);
      return;
    }
    sessions[sid] = session;
  }
  metrics.SessionOpened();
  session->set_version(StringOr(reply->result, "protocolVersion"));
  WEFT_LOG(kInfo) << "session " << sid << " opened at protocol " << session->version();
  res.set_header("Mcp-Session-Id", sid);
  SendJson(res, 200, reply->Serialize());
}

void HttpServer::Impl::PostLegacy(const httplib::Request& req, httplib::Response& res, std::optional<Message> msg,
                                  std::vector<Json> batch) {
  std::string sid = req.get_header_value("Mcp-Session-Id");
  Json id = msg && msg->kind == MessageKind::kRequest ? msg->id : Json();
  if (sid.empty()) {
    if (msg && msg->kind == MessageKind::kRequest && msg->method == "initialize") {
      Initialize(res, std::move(*msg));
      return;
    }
    Fail(res, 400, rpc::kInvalidRequest,
         "Bad Request: the Mcp-Session-Id header is required (initialize returns one); protocol 2026-07-28 "
         "requests instead carry MCP-Protocol-Version and params._meta",
         id);
    return;
  }
  auto session = FindSession(sid);
  if (!session) {
    Fail(res, 404, rpc::kInvalidRequest, "Session not found: it ended or expired; send initialize again", id);
    return;
  }
  if (req.has_header("MCP-Protocol-Version") &&
      !IsSupportedLegacyVersion(req.get_header_value("MCP-Protocol-Version"))) {
    Fail(res, 400, rpc::kInvalidRequest,
         "Bad Request: unsupported MCP-Protocol-Version " + req.get_header_value("MCP-Protocol-Version") +
             " (this session speaks " + session->version() + ")",
         id);
    return;
  }
  session->Touch();
  if (!msg) {
    std::optional<std::string> reply = session->engine().DeliverBatch(std::move(batch));
    if (reply) {
      SendJson(res, 200, std::move(*reply));
    } else {
      res.status = 202;
    }
    return;
  }
  if (msg->kind != MessageKind::kRequest) {
    session->engine().Deliver(std::move(*msg));
    res.status = 202;
    return;
  }
  std::string key = msg->id.dump();
  auto stream = session->OpenRequestStream(key);
  if (!stream) {
    Fail(res, 400, rpc::kInvalidRequest,
         "Invalid Request: id " + key + " is already in use by a request in progress", id);
    return;
  }
  session->StreamOpened();  // a request in progress keeps the session alive
  std::optional<Message> reply = session->engine().Deliver(std::move(*msg));
  Answer(res, stream, std::move(reply), false, [session, stream, key](Exchange ex) {
    if (!ex.streamed) {
      session->DropRequestStream(key);
    } else if (ex.delivered || stream->finished()) {
      session->RetireRequestStream(key);
    }
    session->StreamClosed();
  });
}

}  // namespace weft::mcp
