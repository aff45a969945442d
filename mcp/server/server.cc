// Server: shared protocol state; each connection gets a Session.
#include "mcp/server/server.h"

#include "core/base/log.h"
#include "core/base/random.h"
#include "mcp/server/session.h"

namespace weft::mcp {

Server::Server(ServerOptions options, ToolRegistry& tools, ResourceRegistry& resources,
               PromptRegistry& prompts)
    : options_(std::move(options)), tools_(tools), resources_(resources), prompts_(prompts) {
  hmac_key_.resize(32);
  SecureRandomBytes(hmac_key_.data(), hmac_key_.size());
}

Server::~Server() { WaitForWorkers(); }

void Server::WaitForWorkers() {
  std::unique_lock<std::mutex> lock(live_mu_);
  if (live_workers_ > 0) {
    WEFT_LOG(kDebug) << "waiting for " << live_workers_ << " session worker(s) to end";
  }
  live_cv_.wait(lock, [this] { return live_workers_ == 0; });
}

Server::WorkerLease::WorkerLease(Server& server) : server_(server) {
  std::lock_guard<std::mutex> lock(server_.live_mu_);
  ++server_.live_workers_;
}

Server::WorkerLease::~WorkerLease() {
  std::lock_guard<std::mutex> lock(server_.live_mu_);
  if (--server_.live_workers_ == 0) server_.live_cv_.notify_all();
}

void Server::Observe(const RequestRecord& r) const {
  WEFT_LOG(kDebug) << r.method << (r.target.empty() ? "" : " " + r.target)
                   << (r.era == Era::kModern ? " [modern]" : " [legacy]") << " " << r.duration.count() << "us"
                   << (r.error_code ? " error " + std::to_string(r.error_code) : "")
                   << (r.tool_error ? " isError" : "") << (r.input_required ? " input_required" : "")
                   << (r.cancelled ? " cancelled" : "");
  for (const auto& o : observers_) o(r);
}

void Server::Serve(Connection& conn, std::shared_ptr<Gate> gate) {
  auto session = std::make_shared<Session>(*this, conn, std::move(gate));
  session->Run();
}

std::unique_ptr<SessionHandle> Server::OpenSession(Connection& out, bool watch_changes, std::shared_ptr<Gate> gate) {
  auto session = std::make_shared<Session>(*this, out, std::move(gate));
  if (watch_changes) session->Open();
  return std::make_unique<SessionHandle>(std::move(session));
}

SessionHandle::SessionHandle(std::shared_ptr<Session> session) : session_(std::move(session)) {}

SessionHandle::~SessionHandle() { Abort(); }

std::optional<Message> SessionHandle::Deliver(Message msg) {
  return session_->HandleMessage(std::move(msg), false);
}

std::optional<std::string> SessionHandle::DeliverBatch(std::vector<nlohmann::json> elements) {
  return session_->HandleBatch(std::move(elements));
}

void SessionHandle::End() {
  if (ended_.exchange(true)) return;
  session_->Close();
}

void SessionHandle::Abort() {
  if (ended_.exchange(true)) return;
  session_->Abort();
}

nlohmann::json Server::Capabilities() const {
  nlohmann::json caps = {{"tools", {{"listChanged", true}}},
                         {"logging", nlohmann::json::object()},
                         {"completions", nlohmann::json::object()}};
  if (options_.resources) caps["resources"] = {{"subscribe", true}, {"listChanged", true}};
  if (options_.prompts) caps["prompts"] = {{"listChanged", true}};
  return caps;
}

nlohmann::json Server::Implementation() const {
  return {{"name", options_.name}, {"title", options_.title}, {"version", options_.version}};
}

}  // namespace weft::mcp
