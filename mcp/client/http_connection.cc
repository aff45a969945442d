// HttpConnection: the Connection operations, the frame queues and the
// threads (the sender, one per request, the standalone stream), and Close().
#include "mcp/client/http_connection.h"

#include <httplib.h>

#include "mcp/client/http_connection_impl.h"

namespace weft::mcp {
namespace {

// Frames waiting for Read(); producers wait beyond it.
constexpr size_t kMaxInbox = 256;
// Frames waiting for the sender; Write() refuses beyond it.
constexpr size_t kMaxOutbox = 1024;
// How often Close() repeats httplib's stop() for calls that had not taken
// their socket yet when it was first called.
constexpr std::chrono::milliseconds kStopRetry{20};

}  // namespace

Result<std::unique_ptr<HttpConnection>> HttpConnection::Open(HttpConnectionOptions options) {
  WEFT_ASSIGN_OR_RETURN(HttpUrl url, ParseHttpUrl(options.url));
  bool authorization_header = false;
  for (const auto& [name, value] : options.headers) {
    Result<std::pair<std::string, std::string>> parsed = ParseHeaderLine(name + ": " + value);
    if (!parsed.ok()) return parsed.status();
    if (IsTransportHeader(name)) {
      return Status::InvalidArgument("the " + name + " header is set by the HTTP transport itself");
    }
    authorization_header = authorization_header || SameHeaderName(name, "Authorization");
  }
  if (!options.bearer_token.empty()) {
    for (char c : options.bearer_token) {
      if (c <= 0x20 || c >= 0x7F) {
        return Status::InvalidArgument("the bearer token may hold only visible ASCII characters");
      }
    }
    if (authorization_header) {
      return Status::InvalidArgument("both a bearer token and an Authorization header were given; keep one");
    }
  }
  if (options.max_requests_in_flight == 0 || options.max_frame_bytes == 0) {
    return Status::InvalidArgument("max_requests_in_flight and max_frame_bytes must be positive");
  }
  auto impl = std::make_unique<Impl>(std::move(options), std::move(url));
  Impl* raw = impl.get();
  std::unique_ptr<HttpConnection> connection(new HttpConnection(std::move(impl)));
  raw->sender_ = std::thread([raw] { raw->SendLoop(); });
  return connection;
}

HttpConnection::HttpConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpConnection::~HttpConnection() { Close(); }

Result<std::string> HttpConnection::Read() { return impl_->Read(); }

Status HttpConnection::Write(std::string_view frame, const WriteRoute&) { return impl_->Write(frame); }

void HttpConnection::Close() { impl_->Close(); }

void HttpConnection::Abandon(const nlohmann::json& request_id) { impl_->Abandon(request_id); }

std::string HttpConnection::session_id() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->session_id_;
}

Result<std::string> HttpConnection::Impl::Read() {
  std::unique_lock<std::mutex> lock(mu_);
  read_cv_.wait(lock, [&] { return closed_ || !inbox_.empty(); });
  if (closed_) return Status::Unavailable("the HTTP connection was closed");
  Inbound in = std::move(inbox_.front());
  inbox_.pop_front();
  space_cv_.notify_all();
  if (in.oversized) {
    return Status::ResourceExhausted("a message from the server exceeded " +
                                     std::to_string(options_.max_frame_bytes) + " bytes and was skipped");
  }
  return std::move(in.frame);
}

Status HttpConnection::Impl::Write(std::string_view frame) {
  auto ex = std::make_shared<HttpExchange>();
  ex->frame = ClassifyFrame(frame);
  if (ex->frame.kind == ClientFrame::kInvalid) {
    return Status::InvalidArgument("not a JSON-RPC message, so there is nothing to send over HTTP");
  }
  ex->body.assign(frame);
  const ClientFrame& f = ex->frame;
  std::shared_ptr<HttpExchange> cancel_now;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::Unavailable("the HTTP connection is closed");
    if (outbox_.size() >= kMaxOutbox) {
      return Status::ResourceExhausted(std::to_string(kMaxOutbox) + " messages are waiting to be sent");
    }
    if (f.kind == ClientFrame::kRequest) {
      if (requests_.size() >= options_.max_requests_in_flight) {
        return Status::ResourceExhausted(std::to_string(requests_.size()) +
                                         " requests are in flight over HTTP; wait for one to finish");
      }
      if (!requests_.emplace(f.id.dump(), ex).second) {
        return Status::InvalidArgument("request id " + f.id.dump() + " is already in flight");
      }
    } else if (f.kind == ClientFrame::kNotification && f.method == "notifications/cancelled" &&
               f.params.is_object() && f.params.contains("requestId")) {
      auto target = requests_.find(f.params["requestId"].dump());
      if (target != requests_.end()) {
        // 2026-07-28 basic/transports: on HTTP, closing the request's stream
        // is the cancellation; legacy servers are told, then the stream goes.
        if (!target->second->frame.modern_version.empty()) cancel_now = target->second;
        else ex->cancels = target->second;
      }
    }
    if (!cancel_now) {
      outbox_.push_back(std::move(ex));
      send_cv_.notify_one();
    }
  }
  if (cancel_now) Abort(*cancel_now);
  return Status::Ok();
}

void HttpConnection::Impl::Abandon(const Json& request_id) {
  std::shared_ptr<HttpExchange> ex;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = requests_.find(request_id.dump());
    if (it == requests_.end()) return;
    ex = it->second;
  }
  Abort(*ex);
}

void HttpConnection::Impl::Abort(HttpExchange& ex) {
  ex.aborted = true;
  std::shared_ptr<httplib::ClientImpl> client;
  {
    // Taking the lock after the store orders it before any waiter's check.
    std::lock_guard<std::mutex> lock(mu_);
    client = ex.client;
  }
  if (client) client->stop();
  space_cv_.notify_all();
  wake_cv_.notify_all();
}

bool HttpConnection::Impl::Sleep(HttpExchange& ex, int64_t ms) {
  std::unique_lock<std::mutex> lock(mu_);
  bool interrupted = wake_cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return closed_ || ex.aborted; });
  return !interrupted;
}

bool HttpConnection::Impl::Push(std::string frame, HttpExchange* ex) {
  std::unique_lock<std::mutex> lock(mu_);
  space_cv_.wait(lock, [&] { return closed_ || (ex && ex->aborted) || inbox_.size() < kMaxInbox; });
  if (closed_ || (ex && ex->aborted)) return false;
  inbox_.push_back({std::move(frame), false});
  read_cv_.notify_one();
  return true;
}

void HttpConnection::Impl::PushOversized() {
  std::unique_lock<std::mutex> lock(mu_);
  space_cv_.wait(lock, [&] { return closed_ || inbox_.size() < kMaxInbox; });
  if (closed_) return;
  inbox_.push_back({std::string(), true});
  read_cv_.notify_one();
}

void HttpConnection::Impl::SendLoop() {
  for (;;) {
    std::shared_ptr<HttpExchange> ex;
    {
      std::unique_lock<std::mutex> lock(mu_);
      send_cv_.wait(lock, [&] { return closed_ || !outbox_.empty(); });
      if (closed_) return;
      ex = std::move(outbox_.front());
      outbox_.pop_front();
    }
    ReapThreads();
    // Requests get a thread each (their replies may stream for long);
    // notifications and responses are sent here, in the order written, and
    // a request is started only after what was written before it was sent.
    if (ex->frame.kind == ClientFrame::kRequest) StartThread(ex, &Impl::RunRequest);
    else PostMessage(ex);
  }
}

void HttpConnection::Impl::StartThread(const std::shared_ptr<HttpExchange>& ex,
                                       void (Impl::*run)(std::shared_ptr<HttpExchange>)) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  threads_.push_back(ex);
  // The thread's FinishThread() takes mu_, so it cannot run before the
  // assignment below is done.
  ex->thread = std::thread([this, ex, run] {
    (this->*run)(ex);
    FinishThread(ex);
  });
}

void HttpConnection::Impl::FinishThread(const std::shared_ptr<HttpExchange>& ex) {
  std::lock_guard<std::mutex> lock(mu_);
  ex->finished = true;
  if (ex->frame.kind == ClientFrame::kRequest) {
    auto it = requests_.find(ex->frame.id.dump());
    if (it != requests_.end() && it->second == ex) requests_.erase(it);
  }
}

void HttpConnection::Impl::ReapThreads() {
  std::vector<std::shared_ptr<HttpExchange>> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = threads_.begin(); it != threads_.end();) {
      if ((*it)->finished) {
        done.push_back(std::move(*it));
        it = threads_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& ex : done) {
    if (ex->thread.joinable()) ex->thread.join();
  }
}

void HttpConnection::Impl::Close() {
  std::lock_guard<std::mutex> serial(close_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    outbox_.clear();
    inbox_.clear();
  }
  read_cv_.notify_all();
  space_cv_.notify_all();
  send_cv_.notify_all();
  wake_cv_.notify_all();
  // No call starts once closed_ is set (Perform checks it under mu_). stop()
  // interrupts a call holding its socket; one still about to take it is
  // caught on a later round.
  for (;;) {
    std::vector<std::shared_ptr<httplib::ClientImpl>> clients;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (active_.empty()) break;
      for (const auto& ex : active_) {
        ex->aborted = true;
        if (ex->client) clients.push_back(ex->client);
      }
    }
    for (auto& client : clients) client->stop();
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait_for(lock, kStopRetry, [&] { return active_.empty(); });
  }
  if (sender_.joinable()) sender_.join();
  std::list<std::shared_ptr<HttpExchange>> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    threads.swap(threads_);
  }
  for (auto& ex : threads) {
    if (ex->thread.joinable()) ex->thread.join();
  }
  DeleteSession();
  std::vector<std::shared_ptr<httplib::ClientImpl>> pool;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pool.swap(pool_);
  }
  for (auto& client : pool) client->stop();
}

}  // namespace weft::mcp
