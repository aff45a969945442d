// Client, wire side: the reader and responder threads, routing replies to
// waiting calls, timeouts and cancellation.
#include "mcp/client/client.h"

#include "core/base/log.h"

#ifndef WEFT_VERSION
#error "WEFT_VERSION must be defined by the build"
#endif

namespace weft::mcp {
namespace {

using std::chrono::steady_clock;

// Server requests queued for the responder beyond this are refused at once,
// so a flooding server cannot grow our memory without bound.
constexpr size_t kMaxQueuedServerRequests = 64;
// Wire problems kept; later ones are only logged.
constexpr size_t kMaxWireProblems = 100;

std::string Snippet(std::string_view frame) {
  constexpr size_t kMax = 120;
  std::string s(frame.substr(0, kMax));
  if (frame.size() > kMax) s += "…";
  return s;
}

bool IsInputMethod(const std::string& method) {
  return method == "roots/list" || method == "elicitation/create" ||
         method == "sampling/createMessage";
}

}  // namespace

struct Client::Pending {
  std::condition_variable cv;
  bool done = false;       // a reply arrived, or `failure` is set
  Message reply;           // valid when done and failure is ok
  Status failure;          // connection lost or cancelled
  std::function<void(const Json&)> on_progress;
};

std::string_view EraModeName(EraMode mode) {
  switch (mode) {
    case EraMode::kLegacy: return "legacy";
    case EraMode::kModern: return "modern";
    case EraMode::kAuto: return "auto";
  }
  return "auto";
}

bool ParseEraMode(std::string_view text, EraMode* out) {
  for (EraMode m : {EraMode::kLegacy, EraMode::kModern, EraMode::kAuto}) {
    if (text == EraModeName(m)) {
      *out = m;
      return true;
    }
  }
  return false;
}

std::string_view EraName(Era era) { return era == Era::kModern ? "modern" : "legacy"; }

void CallCanceller::Cancel(std::string reason) {
  std::function<void()> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return;
    cancelled_ = true;
    reason_ = std::move(reason);
    wake = wake_;
  }
  if (wake) wake();
}

bool CallCanceller::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

Client::Client(Connection& connection, ClientOptions options)
    : connection_(connection), options_(std::move(options)) {
  if (options_.client_info.is_null()) {
    options_.client_info = {{"name", "weft-mcp-client"}, {"version", WEFT_VERSION}};
  }
  handler_ = options_.input_handler ? options_.input_handler : std::make_shared<DefaultInputHandler>();
  client_capabilities_ = handler_->Capabilities();
  reader_ = std::thread([this] { ReadLoop(); });
  responder_ = std::thread([this] { RespondLoop(); });
}

Client::~Client() { Close(); }

void Client::Close() {
  std::lock_guard<std::mutex> close_lock(close_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  connection_.Close();
  if (reader_.joinable()) reader_.join();
  inbox_cv_.notify_all();
  if (responder_.joinable()) responder_.join();
}

std::vector<std::string> Client::wire_problems() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wire_problems_;
}

void Client::AddWireProblem(std::string problem) {
  WEFT_LOG(kWarning) << "mcp client: " << problem;
  std::lock_guard<std::mutex> lock(mu_);
  if (wire_problems_.size() < kMaxWireProblems) wire_problems_.push_back(std::move(problem));
}

void Client::FailAll(const Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_.ok()) closed_ = status;
  for (auto& [id, p] : pending_) {
    p->done = true;
    p->failure = status;
    p->cv.notify_all();
  }
  pending_.clear();
}

void Client::ReadLoop() {
  for (;;) {
    Result<std::string> frame = connection_.Read();
    if (!frame.ok()) {
      if (frame.status().code() == StatusCode::kResourceExhausted) {
        AddWireProblem("the server sent an oversized message: " + frame.status().message());
        continue;
      }
      break;
    }
    DecodeOutcome decoded = Decode(*frame);
    if (auto* m = std::get_if<Message>(&decoded)) {
      Dispatch(std::move(*m));
    } else if (auto* batch = std::get_if<std::vector<Json>>(&decoded)) {
      if (!batches_allowed_.load()) {
        AddWireProblem("the server sent a JSON-RPC batch, which this protocol revision does not allow");
      }
      for (auto& element : *batch) {
        auto one = DecodeValue(std::move(element));
        if (auto* bm = std::get_if<Message>(&one)) {
          Dispatch(std::move(*bm));
        } else {
          AddWireProblem("a batch element is not JSON-RPC: " +
                         std::get<DecodeFailure>(one).reply.error.message);
        }
      }
    } else {
      const RpcError& why = std::get<DecodeFailure>(decoded).reply.error;
      AddWireProblem(why.code == rpc::kParseError
                         ? "the server sent a line that is not JSON: " + Snippet(*frame)
                         : "the server sent a message that is not JSON-RPC (" + why.message + "): " +
                               Snippet(*frame));
    }
  }
  bool stopping;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping = stopping_;
  }
  FailAll(stopping ? Status::Unavailable("the client was closed")
                   : Status::Unavailable("the server closed the connection"));
}

void Client::Dispatch(Message message) {
  switch (message.kind) {
    case MessageKind::kResponse:
    case MessageKind::kError:
      DispatchReply(std::move(message));
      return;
    case MessageKind::kRequest:
      DispatchRequest(std::move(message));
      return;
    case MessageKind::kNotification:
      break;
  }
  const Json params = message.has_params() ? message.params : Json::object();
  if (message.method == "notifications/progress") {
    const Json* token = params.is_object() && params.contains("progressToken")
                            ? &params["progressToken"] : nullptr;
    if (!token || !token->is_number_integer()) return;  // not a token we issued
    std::function<void(const Json&)> on_progress;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = pending_.find(token->get<int64_t>());
      if (it != pending_.end()) on_progress = it->second->on_progress;
    }
    if (on_progress) on_progress(params);
    return;
  }
  if (options_.on_notification) options_.on_notification(message.method, params);
}

void Client::DispatchReply(Message message) {
  if (message.id.is_null() && message.kind == MessageKind::kError) {
    AddWireProblem("the server reported an error it could not tie to a request: " +
                   std::to_string(message.error.code) + " " + message.error.message);
    return;
  }
  if (!message.id.is_number_integer()) {
    AddWireProblem("the server replied to id " + message.id.dump() + ", which this client never used");
    return;
  }
  int64_t id = message.id.get<int64_t>();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(id);
  if (it == pending_.end()) {
    if ((id <= 0 || id >= next_id_) && wire_problems_.size() < kMaxWireProblems) {
      wire_problems_.push_back("the server replied to id " + std::to_string(id) +
                               ", which this client never used");
    }
    return;  // otherwise a late reply to a call that timed out or was cancelled
  }
  it->second->reply = std::move(message);
  it->second->done = true;
  it->second->cv.notify_all();
  pending_.erase(it);
}

void Client::DispatchRequest(Message message) {
  if (message.method == "ping") {
    (void)connection_.Write(Message::Response(message.id, Json::object()).Serialize());
    return;
  }
  if (modern_.load()) {
    // 2026-07-28 basic/transports: a stdio server MUST NOT send requests; it
    // asks for input with input_required results instead.
    AddWireProblem("the server sent a " + message.method +
                   " request, which servers may not send in protocol 2026-07-28");
  }
  if (modern_.load() || !IsInputMethod(message.method)) {
    RpcError e{rpc::kMethodNotFound, "Method not found: " + message.method, nullptr};
    (void)connection_.Write(Message::Error(message.id, std::move(e)).Serialize());
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (inbox_.size() >= kMaxQueuedServerRequests) {
    lock.unlock();
    RpcError e{rpc::kInternalError, "client busy: too many outstanding server requests", nullptr};
    (void)connection_.Write(Message::Error(message.id, std::move(e)).Serialize());
    return;
  }
  inbox_.push_back(std::move(message));
  inbox_cv_.notify_one();
}

void Client::RespondLoop() {
  for (;;) {
    Message request;
    {
      std::unique_lock<std::mutex> lock(mu_);
      inbox_cv_.wait(lock, [&] { return stopping_ || !inbox_.empty(); });
      if (stopping_) return;
      request = std::move(inbox_.front());
      inbox_.pop_front();
    }
    Json params = request.has_params() && request.params.is_object() ? request.params : Json::object();
    InputReply reply = handler_->Handle(request.method, params);
    Message out = std::holds_alternative<Json>(reply)
                      ? Message::Response(request.id, std::get<Json>(std::move(reply)))
                      : Message::Error(request.id, std::get<RpcError>(std::move(reply)));
    (void)connection_.Write(out.Serialize());
  }
}

CallResult Client::RoundTrip(const std::string& method, Json params, const CallOptions& options,
                             Era era, const std::string& version) {
  auto pending = std::make_shared<Pending>();
  pending->on_progress = options.on_progress;
  int64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_.ok()) return closed_;
    id = next_id_++;
    pending_[id] = pending;
  }
  if (options.on_progress) {
    Json& request_meta = params["_meta"];
    if (!request_meta.is_object()) request_meta = Json::object();
    request_meta["progressToken"] = id;
  }
  Status written = connection_.Write(Message::Request(id, method, std::move(params)).Serialize());
  if (!written.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.erase(id);
    if (!closed_.ok()) return closed_;
    return Status::Unavailable("cannot send " + method + ": " + written.message());
  }
  CallResult result = Await(id, method, std::move(pending), options);
  if (!result.ok()) return result;
  if (options_.on_result) options_.on_result(ResultEvent{method, *result, era, version});
  if (!result->is_object()) {
    return Status::IoError("malformed reply to " + method + ": the result is not a JSON object");
  }
  return result;
}

CallResult Client::Await(int64_t id, const std::string& method, std::shared_ptr<Pending> pending,
                         const CallOptions& options) {
  CallCanceller* canceller = options.canceller;
  if (canceller) {
    std::lock_guard<std::mutex> lock(canceller->mu_);
    canceller->wake_ = [this, pending] {
      std::lock_guard<std::mutex> inner(mu_);
      if (pending->done) return;
      pending->done = true;
      pending->failure = Status::Cancelled("cancelled");
      pending->cv.notify_all();
    };
    if (canceller->cancelled_) canceller->wake_();
  }
  auto timeout = options.timeout.count() > 0 ? options.timeout : options_.timeout;
  bool in_time;
  {
    std::unique_lock<std::mutex> lock(mu_);
    in_time = pending->cv.wait_until(lock, steady_clock::now() + timeout, [&] { return pending->done; });
    pending_.erase(id);
  }
  std::string reason;
  if (canceller) {
    std::lock_guard<std::mutex> lock(canceller->mu_);
    canceller->wake_ = nullptr;
    reason = canceller->reason_;
  }
  bool cancelled = pending->failure.code() == StatusCode::kCancelled;
  if (!in_time || cancelled) {
    std::string why = cancelled ? reason
                                : "timed out after " + std::to_string(timeout.count()) + " ms";
    // The client MUST NOT cancel initialize (basic/utilities/cancellation).
    if (method != "initialize") {
      (void)Notify("notifications/cancelled", {{"requestId", id}, {"reason", why}});
    }
    if (cancelled) return Status::Cancelled(method + ": " + why);
    return Status::DeadlineExceeded("no reply to " + method + " within " +
                                    std::to_string(timeout.count()) + " ms");
  }
  if (!pending->failure.ok()) return pending->failure.WithContext(method);
  if (pending->reply.kind == MessageKind::kError) return CallResult::FromRpcError(pending->reply.error);
  return std::move(pending->reply.result);
}

Status Client::Notify(const std::string& method, Json params) {
  return connection_.Write(Message::Notification(method, std::move(params)).Serialize());
}

}  // namespace weft::mcp
