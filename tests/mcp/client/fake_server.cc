// FakeServer: reader loop, per-request handler threads, recording.
#include "tests/mcp/client/fake_server.h"

#include <variant>

namespace weft::mcp::testing {

FakeServer::FakeServer() {
  auto [client, server] = MemoryConnection::Pair();
  client_end_ = std::move(client);
  server_end_ = std::move(server);
}

FakeServer::~FakeServer() {
  Close();
  if (reader_.joinable()) reader_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
}

void FakeServer::On(const std::string& method, Handler handler) { handlers_[method] = std::move(handler); }

FakeServer::Handler FakeServer::Replies(Json result) {
  return [result](FakeServer& s, const Message& request) { s.Reply(request, result); };
}

FakeServer::Handler FakeServer::Fails(int code, std::string message, Json data) {
  return [=](FakeServer& s, const Message& request) { s.Fail(request, code, message, data); };
}

FakeServer::Handler FakeServer::Ignores() {
  return [](FakeServer&, const Message&) {};
}

void FakeServer::Start() {
  reader_ = std::thread([this] { Loop(); });
}

void FakeServer::Loop() {
  for (;;) {
    Result<std::string> frame = server_end_->Read();
    if (!frame.ok()) return;
    DecodeOutcome decoded = Decode(*frame);
    auto* message = std::get_if<Message>(&decoded);
    if (!message) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back(*message);
    }
    cv_.notify_all();
    if (message->kind != MessageKind::kRequest) continue;
    auto it = handlers_.find(message->method);
    Handler handler = it != handlers_.end() ? it->second : Fails(rpc::kMethodNotFound, "Method not found");
    std::lock_guard<std::mutex> lock(mu_);
    workers_.emplace_back([this, handler, request = *message] { handler(*this, request); });
  }
}

void FakeServer::Send(const Message& message) { (void)server_end_->Write(message.Serialize()); }

void FakeServer::SendRaw(const std::string& frame) { (void)server_end_->Write(frame); }

void FakeServer::Reply(const Message& request, Json result) {
  Send(Message::Response(request.id, std::move(result)));
}

void FakeServer::Fail(const Message& request, int code, std::string message, Json data) {
  Send(Message::Error(request.id, RpcError{code, std::move(message), std::move(data)}));
}

void FakeServer::Close() { server_end_->Close(); }

std::vector<Message> FakeServer::received() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

std::vector<Message> FakeServer::Requests(const std::string& method) const {
  std::vector<Message> out;
  for (auto& m : received()) {
    if (m.kind == MessageKind::kRequest && m.method == method) out.push_back(m);
  }
  return out;
}

std::vector<Message> FakeServer::Notifications(const std::string& method) const {
  std::vector<Message> out;
  for (auto& m : received()) {
    if (m.kind == MessageKind::kNotification && m.method == method) out.push_back(m);
  }
  return out;
}

std::optional<Message> FakeServer::WaitFor(const std::function<bool(const Message&)>& match,
                                           std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  std::optional<Message> found;
  cv_.wait_for(lock, timeout, [&] {
    for (const auto& m : received_) {
      if (match(m)) {
        found = m;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::optional<Message> FakeServer::WaitForResponse(const Json& id) {
  return WaitFor([&](const Message& m) {
    return (m.kind == MessageKind::kResponse || m.kind == MessageKind::kError) && m.id == id;
  });
}

}  // namespace weft::mcp::testing
