// Session: frame decoding, era admission, worker pool and routing of responses.
#include "mcp/server/session.h"

#include <chrono>

#include "core/base/log.h"
#include "mcp/protocol/versions.h"
#include "mcp/server/call.h"

namespace weft::mcp {
namespace {

// When the client stops sending (stdin EOF), requests already in progress may
// still finish and be answered for this long; then they are cancelled, and
// get kShutdownGrace more to return before their results are dropped.
constexpr auto kDrainGrace = std::chrono::seconds(2);
constexpr auto kShutdownGrace = std::chrono::seconds(5);
// A client answers roots/list from what it knows, without asking anyone.
constexpr auto kRootsTimeout = std::chrono::seconds(10);

// The root URIs of a roots/list result; nullopt when it is malformed.
std::optional<std::vector<std::string>> ParseRoots(const Json& result) {
  if (!result.is_object() || !result.contains("roots") || !result["roots"].is_array()) return std::nullopt;
  std::vector<std::string> uris;
  for (const Json& root : result["roots"]) {
    if (!root.is_object() || !root.contains("uri") || !root["uri"].is_string()) return std::nullopt;
    uris.push_back(root["uri"].get<std::string>());
  }
  return uris;
}


}  // namespace

WriteRoute FinalRoute(const Message& reply) {
  return WriteRoute{reply.id, true, reply.kind == MessageKind::kError ? reply.error.code : 0};
}

struct Session::Pending {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;           // guarded by mu
  std::optional<Message> reply;  // guarded by mu
};

bool Outbox::Send(const Message& msg, const WriteRoute& route) {
  return SendRaw(msg.Serialize(), route);
}

bool Outbox::SendRaw(const std::string& frame, const WriteRoute& route) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_) return false;
  Status s = conn_.Write(frame, route);
  if (!s.ok()) {
    WEFT_LOG(kDebug) << "write failed: " << s;
    return false;
  }
  return true;
}

void Outbox::Abandon(const Json& request_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!shut_) conn_.Abandon(request_id);
}

void Outbox::Shut() {
  std::lock_guard<std::mutex> lock(mu_);
  shut_ = true;
}

Session::Session(Server& server, Connection& conn, std::shared_ptr<Gate> gate)
    : server_(server), conn_(conn), gate_(std::move(gate)), outbox_(std::make_shared<Outbox>(conn)) {}

Session::~Session() = default;

void Session::Run() {
  Open();
  for (;;) {
    Result<std::string> frame = conn_.Read();
    if (!frame.ok()) {
      if (frame.status().code() == StatusCode::kResourceExhausted) {
        outbox_->Send(Message::Error(nullptr, RpcError{rpc::kInvalidRequest,
                                                       "Invalid Request: " + frame.status().message(),
                                                       nullptr}));
        continue;
      }
      break;
    }
    HandleFrame(std::move(frame).value());
  }
  Close();
}

void Session::Open() {
  auto listener = [weak = weak_from_this()](const ChangeEvent& e) {
    if (auto self = weak.lock()) self->OnChange(e);
  };
  change_subs_[0] = server_.tools().changes().Subscribe(listener);
  change_subs_[1] = server_.resources().changes().Subscribe(listener);
  change_subs_[2] = server_.prompts().changes().Subscribe(listener);
  watching_ = true;
}

void Session::StopWatching() {
  if (!watching_) return;
  watching_ = false;
  server_.tools().changes().Unsubscribe(change_subs_[0]);
  server_.resources().changes().Unsubscribe(change_subs_[1]);
  server_.prompts().changes().Unsubscribe(change_subs_[2]);
}

void Session::Close() {
  StopWatching();
  std::unique_lock<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<ListenStream>> ended;
  for (auto& [key, stream] : listens_) {
    in_flight_.erase(key);  // streams never finish on their own
    ended.push_back(stream);
  }
  listens_.clear();
  std::set<std::string> subscriptions = std::move(subscribed_uris_);
  subscribed_uris_.clear();
  idle_cv_.wait_for(lock, kDrainGrace, [&] { return in_flight_.empty(); });
  lock.unlock();
  ReleaseInterest(ended, subscriptions);
  CancelAll();
  lock.lock();
  stopping_ = true;
  work_cv_.notify_all();
  if (!idle_cv_.wait_for(lock, kShutdownGrace, [&] { return running_jobs_ == 0 && jobs_.empty(); })) {
    WEFT_LOG(kWarning) << running_jobs_ << " request(s) still running after the client left; "
                       << "their results will be dropped";
  }
  lock.unlock();
  outbox_->Shut();
}

void Session::Abort() {
  StopWatching();
  CancelAll();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    work_cv_.notify_all();
  }
  outbox_->Shut();
}

void Session::HandleFrame(std::string frame) {
  DecodeOutcome decoded = Decode(frame);
  if (auto* failure = std::get_if<DecodeFailure>(&decoded)) {
    outbox_->Send(failure->reply);
    return;
  }
  if (auto* batch = std::get_if<std::vector<Json>>(&decoded)) {
    if (auto reply = HandleBatch(std::move(*batch))) outbox_->SendRaw(*reply);
    return;
  }
  if (auto reply = HandleMessage(std::get<Message>(std::move(decoded)), false)) {
    outbox_->Send(*reply, FinalRoute(*reply));
  }
}

std::optional<std::string> Session::HandleBatch(std::vector<Json> elements) {
  std::string version;
  bool initialized;
  {
    std::lock_guard<std::mutex> lock(mu_);
    version = legacy_version_;
    initialized = initialized_;
  }
  // Batches existed only in 2025-03-26 (and were tolerated by 2024-11-05
  // peers); 2025-06-18 removed them, and initialize may never be batched.
  if (!initialized || !AllowsBatches(version)) {
    std::string why = initialized ? "JSON-RPC batches are not supported in protocol version " + version
                                  : "JSON-RPC batches are not accepted before initialize";
    return Message::Error(nullptr, RpcError{rpc::kInvalidRequest, "Invalid Request: " + why, nullptr})
        .Serialize();
  }
  // One array frame answers the batch.
  std::string replies;
  auto add = [&replies](const Message& reply) {
    replies += replies.empty() ? '[' : ',';
    replies += reply.Serialize();
  };
  for (Json& element : elements) {
    auto decoded = DecodeValue(std::move(element));
    if (auto* failure = std::get_if<DecodeFailure>(&decoded)) {
      add(failure->reply);
      continue;
    }
    if (auto reply = HandleMessage(std::get<Message>(std::move(decoded)), true)) add(*reply);
  }
  if (replies.empty()) return std::nullopt;
  replies += ']';
  return replies;
}

std::optional<Message> Session::HandleMessage(Message msg, bool in_batch) {
  switch (msg.kind) {
    case MessageKind::kRequest:
      return HandleRequest(std::move(msg), in_batch);
    case MessageKind::kNotification:
      HandleNotification(msg);
      return std::nullopt;
    case MessageKind::kResponse:
    case MessageKind::kError:
      HandleResponse(msg);
      return std::nullopt;
  }
  return std::nullopt;
}

void Session::HandleNotification(const Message& msg) {
  if (msg.method == "notifications/cancelled") {
    if (!msg.params.is_object() || !msg.params.contains("requestId")) return;
    std::string key = msg.params["requestId"].dump();
    std::shared_ptr<Call> call;
    std::vector<std::shared_ptr<ListenStream>> ended;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = in_flight_.find(key);
      if (it != in_flight_.end()) call = it->second;
      // A listen stream has no worker: cancelling it is its whole ending.
      if (auto ls = listens_.find(key); ls != listens_.end()) {
        ended.push_back(ls->second);
        listens_.erase(ls);
        in_flight_.erase(key);
      }
    }
    ReleaseInterest(ended, {});
    if (call) {
      WEFT_LOG(kDebug) << "cancelled request " << key << ": "
                       << StringOr(msg.params, "reason", "no reason given");
      call->token().Cancel();
    }
    return;
  }
  if (msg.method == "notifications/roots/list_changed") {
    std::lock_guard<std::mutex> lock(mu_);
    ++roots_epoch_;
    if (roots_state_ == RootsState::kKnown) roots_state_ = RootsState::kUnknown;
    return;
  }
  // notifications/initialized, progress and anything unknown need no action
  // (notifications never get replies).
}

void Session::HandleResponse(const Message& msg) {
  if (!msg.id.is_number_integer()) {
    WEFT_LOG(kDebug) << "response with an id we never issued: " << msg.id.dump();
    return;
  }
  std::shared_ptr<Pending> pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(msg.id.get<int64_t>());
    if (it == pending_.end()) {
      WEFT_LOG(kDebug) << "response to unknown request " << msg.id.dump();
      return;
    }
    pending = it->second;
    pending_.erase(it);
  }
  std::lock_guard<std::mutex> lock(pending->mu);
  pending->reply = msg;
  pending->done = true;
  pending->cv.notify_all();
}

Result<Json> Session::RequestFromClient(const std::string& method, const Json& params,
                                        const CancellationToken& cancel, const Json& related,
                                        std::chrono::milliseconds timeout) {
  auto pending = std::make_shared<Pending>();
  int64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Unavailable("the client disconnected");
    id = next_outgoing_id_++;
    pending_[id] = pending;
  }
  if (!outbox_->Send(Message::Request(id, method, params), WriteRoute{related, false})) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.erase(id);
    return Status::Unavailable("could not send " + method + " to the client");
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock(pending->mu);
  while (!pending->done) {
    if (cancel.cancelled() || std::chrono::steady_clock::now() >= deadline) break;
    pending->cv.wait_for(lock, std::chrono::milliseconds(50));
  }
  if (!pending->done) {
    lock.unlock();
    std::lock_guard<std::mutex> session_lock(mu_);
    pending_.erase(id);
    if (cancel.cancelled()) return Status::Cancelled("request cancelled");
    return Status::DeadlineExceeded("the client did not answer " + method + " in time");
  }
  const Message& reply = *pending->reply;
  if (reply.kind == MessageKind::kError) {
    return Status::Unavailable("the client answered " + method + " with error " +
                               std::to_string(reply.error.code) + ": " + reply.error.message);
  }
  return reply.result;
}

bool Session::UsesClientRoots() const {
  return server_.options().client_roots && initialized_ && legacy_client_caps_.is_object() &&
         legacy_client_caps_.contains("roots");
}

std::optional<std::vector<std::string>> Session::ClientRoots(Call& call) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!UsesClientRoots()) return std::nullopt;
  while (true) {
    if (roots_state_ == RootsState::kKnown || call.on_reader_thread()) return roots_;
    if (roots_state_ == RootsState::kAsking) {
      if (call.token().cancelled()) return std::nullopt;
      roots_cv_.wait_for(lock, std::chrono::milliseconds(50));
      continue;
    }
    roots_state_ = RootsState::kAsking;
    uint64_t epoch = roots_epoch_;
    lock.unlock();
    Result<Json> answer = RequestFromClient("roots/list", Json::object(), call.token(), call.request().id,
                                            std::chrono::duration_cast<std::chrono::milliseconds>(kRootsTimeout));
    std::optional<std::vector<std::string>> roots;
    if (answer.ok()) roots = ParseRoots(*answer);
    if (!answer.ok()) {
      WEFT_LOG(kWarning) << "client roots unknown, serving the whole workspace: " << answer.status().message();
    } else if (!roots) {
      WEFT_LOG(kWarning) << "client answered roots/list with a malformed result, serving the whole workspace";
    }
    lock.lock();
    bool cancelled = !answer.ok() && answer.status().code() == StatusCode::kCancelled;
    // A newer list_changed, or a cancelled question, leaves the roots to ask for again.
    roots_state_ = (cancelled || roots_epoch_ != epoch) ? RootsState::kUnknown : RootsState::kKnown;
    if (roots_state_ == RootsState::kKnown) roots_ = roots;
    roots_cv_.notify_all();
    return roots;
  }
}

int Session::legacy_log_threshold() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_threshold_;
}

std::optional<Message> Session::HandleRequest(Message msg, bool in_batch) {
  Json id = msg.id;
  auto admitted = Admit(msg);
  if (auto* err = std::get_if<RpcError>(&admitted)) return Message::Error(id, std::move(*err));
  auto call = std::get<std::shared_ptr<Call>>(std::move(admitted));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (in_flight_.count(call->key())) {
      return Message::Error(id, RpcError{rpc::kInvalidRequest,
                                         "Invalid Request: id " + call->key() + " is already in use by a request in progress",
                                         nullptr});
    }
    if (in_flight_.size() >= server_.options().max_in_flight) {
      return Message::Error(id, RpcError{rpc::kInternalError,
                                         "Server busy: " + std::to_string(in_flight_.size()) +
                                             " requests already in progress on this connection",
                                         nullptr});
    }
    in_flight_[call->key()] = call;
  }
  const MethodInfo* info = FindMethod(call->method());
  if (in_batch || info == nullptr || !info->worker || RunsInline(*call)) {
    RpcOutcome outcome = Dispatch(*call);
    if (outcome.keep_open) return std::nullopt;  // subscriptions/listen: answered when it ends
    Message reply = Finish(*call, std::move(outcome));
    if (call->token().cancelled()) {
      outbox_->Abandon(id);
      return std::nullopt;
    }
    return reply;
  }
  StartWorker([self = shared_from_this(), call] { self->RunCall(call); });
  return std::nullopt;
}

bool Session::RunsInline(Call& call) {
  if (call.method() != "tools/call") return false;
  auto tool = server_.tools().Find(StringOr(call.params(), "name"));
  if (!tool || !tool->spec.nonblocking) return false;
  call.set_nonblocking_tool();
  {
    // Its answer would arrive on this very thread: ask for roots on a worker.
    std::lock_guard<std::mutex> lock(mu_);
    if (call.era() == Era::kLegacy && UsesClientRoots() && roots_state_ != RootsState::kKnown) return false;
  }
  call.set_on_reader_thread();
  return true;
}

void Session::RunCall(const std::shared_ptr<Call>& call) {
  Message reply = Finish(*call, Dispatch(*call));
  // A cancelled request gets no response (basic/utilities/cancellation).
  if (call->token().cancelled()) {
    outbox_->Abandon(call->request().id);
  } else {
    outbox_->Send(reply, FinalRoute(reply));
  }
}

std::variant<RpcError, std::shared_ptr<Call>> Session::Admit(Message& msg) {
  const std::string& m = msg.method;
  if (msg.has_params() && !msg.params.is_object()) {
    return RpcError{rpc::kInvalidParams, "Invalid params: \"params\" must be an object", nullptr};
  }
  Json meta = nullptr;
  if (msg.has_params() && msg.params.contains("_meta")) {
    meta = msg.params["_meta"];
    if (!meta.is_object()) {
      return RpcError{rpc::kInvalidParams, "Invalid params: \"params._meta\" must be an object", nullptr};
    }
  }
  const MethodInfo* info = FindMethod(m);
  bool modern_only = info != nullptr && !info->legacy;
  bool modern = modern_only || (meta.is_object() && meta.contains(meta::kProtocolVersion));
  Call::Envelope env;
  env.meta = meta;
  if (modern && m != "initialize") {
    // 2026-07-28 basic/index#_meta: version and capabilities on every request.
    if (!meta.is_object()) {
      return RpcError{rpc::kInvalidParams,
                      "Invalid params: missing \"params._meta\" (the 2026-07-28 protocol needs "
                      "io.modelcontextprotocol/protocolVersion and clientCapabilities on every request)",
                      nullptr};
    }
    auto v = meta.find(meta::kProtocolVersion);
    if (v == meta.end() || !v->is_string()) {
      return RpcError{rpc::kInvalidParams,
                      std::string("Invalid params: \"params._meta\" needs a string \"") +
                          meta::kProtocolVersion + "\"",
                      nullptr};
    }
    auto caps = meta.find(meta::kClientCapabilities);
    if (caps == meta.end() || !caps->is_object()) {
      return RpcError{rpc::kInvalidParams,
                      std::string("Invalid params: \"params._meta\" needs an object \"") +
                          meta::kClientCapabilities + "\"",
                      nullptr};
    }
    if (*v != kModernVersion) {
      return RpcError{rpc::kUnsupportedVersion, "Unsupported protocol version",
                      Json{{"supported", Json::array({std::string(kModernVersion)})},
                           {"requested", *v}}};
    }
    if (info != nullptr && !info->modern) {
      return RpcError{rpc::kMethodNotFound,
                      "Method not found: " + m + " does not exist in protocol version " +
                          std::string(kModernVersion),
                      nullptr};
    }
    env.era = Era::kModern;
    env.version = std::string(kModernVersion);
    env.client_capabilities = *caps;
    if (auto ci = meta.find(meta::kClientInfo); ci != meta.end()) env.client_info = *ci;
    env.log_threshold = Call::kNoLogs;
    if (auto ll = meta.find(meta::kLogLevel); ll != meta.end()) {
      int idx = ll->is_string() ? LogLevelIndex(ll->get<std::string>()) : -1;
      if (idx < 0) {
        return RpcError{rpc::kInvalidParams,
                        std::string("Invalid params: \"") + meta::kLogLevel +
                            "\" must be one of debug, info, notice, warning, error, critical, alert, emergency",
                        nullptr};
      }
      env.log_threshold = idx;
    }
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    if (m == "initialize") {
      if (initialized_) {
        return RpcError{rpc::kInvalidRequest, "Invalid Request: the session is already initialized", nullptr};
      }
    } else if (!initialized_ && m != "ping") {
      return RpcError{rpc::kInvalidRequest,
                      "Invalid Request: send initialize first (or, for protocol " +
                          std::string(kModernVersion) + ", put io.modelcontextprotocol/protocolVersion "
                          "and clientCapabilities in params._meta)",
                      nullptr};
    }
    env.era = Era::kLegacy;
    env.version = legacy_version_;
    env.client_capabilities = legacy_client_caps_;
    env.client_info = legacy_client_info_;
  }
  return std::make_shared<Call>(shared_from_this(), std::move(msg), std::move(env));
}

void Session::StartWorker(std::function<void()> job) {
  std::lock_guard<std::mutex> lock(mu_);
  jobs_.push_back(std::move(job));
  // Idle workers not yet claimed by a queued job can take this one; wake
  // exactly one. Otherwise start a worker, so that a job never waits behind
  // one that blocks (a tool waiting for a process, say).
  if (jobs_.size() <= idle_workers_) {
    work_cv_.notify_one();
    return;
  }
  ++workers_;
  auto lease = std::make_unique<Server::WorkerLease>(server_);
  std::thread([self = shared_from_this(), lease = std::move(lease)]() mutable {
    {
      std::unique_lock<std::mutex> worker_lock(self->mu_);
      for (;;) {
        ++self->idle_workers_;
        self->work_cv_.wait(worker_lock, [&] { return !self->jobs_.empty() || self->stopping_; });
        --self->idle_workers_;
        if (self->jobs_.empty()) break;  // stopping
        auto next = std::move(self->jobs_.front());
        self->jobs_.pop_front();
        ++self->running_jobs_;
        worker_lock.unlock();
        next();
        worker_lock.lock();
        --self->running_jobs_;
        self->idle_cv_.notify_all();  // Run() may be waiting for in_flight_ to drain
      }
      --self->workers_;
      self->idle_cv_.notify_all();
    }
    // The session may end here, on this thread; the lease goes after it.
    self.reset();
    lease.reset();
  }).detach();
}

void Session::CancelAll() {
  // Waiters on our own requests to the client poll their call's token, so
  // cancelling the calls releases them too.
  std::vector<std::shared_ptr<Call>> calls;
  std::vector<std::shared_ptr<ListenStream>> ended;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [k, c] : in_flight_) calls.push_back(c);
    for (auto& [k, stream] : listens_) ended.push_back(stream);
    listens_.clear();
  }
  ReleaseInterest(ended, {});
  for (auto& c : calls) c->token().Cancel();
}

}  // namespace weft::mcp
