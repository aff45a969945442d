// FakeServer: a scripted MCP server on the far end of a MemoryConnection pair,
// for driving Client through handshakes, MRTR rounds and failures in tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mcp/jsonrpc/message.h"
#include "mcp/transport/memory_connection.h"

namespace weft::mcp::testing {

// Each request runs its method's handler on a thread of its own, so a handler
// may block (e.g. on WaitFor() for the client's answer to a server request).
// Methods without a handler are answered -32601. Everything the client sends
// is recorded in order.
class FakeServer {
 public:
  using Handler = std::function<void(FakeServer& server, const Message& request)>;

  FakeServer();
  ~FakeServer();  // closes the connection and joins every thread
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  // The end the Client uses.
  Connection& client_end() { return *client_end_; }

  // Registers the handler for `method`; call before Start().
  void On(const std::string& method, Handler handler);
  // Handlers that answer every request the same way.
  static Handler Replies(Json result);
  static Handler Fails(int code, std::string message, Json data = nullptr);
  static Handler Ignores();
  void Start();

  // Thread-safe.
  void Send(const Message& message);
  void SendRaw(const std::string& frame);
  void Reply(const Message& request, Json result);
  void Fail(const Message& request, int code, std::string message, Json data = nullptr);
  // Closes the connection (the server going away).
  void Close();

  std::vector<Message> received() const;
  std::vector<Message> Requests(const std::string& method) const;
  std::vector<Message> Notifications(const std::string& method) const;
  // Waits up to `timeout` for a received message matching `match`.
  std::optional<Message> WaitFor(const std::function<bool(const Message&)>& match,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Waits for the client's response (or error) to the server request `id`.
  std::optional<Message> WaitForResponse(const Json& id);

 private:
  void Loop();

  std::unique_ptr<MemoryConnection> client_end_;
  std::unique_ptr<MemoryConnection> server_end_;
  std::map<std::string, Handler> handlers_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Message> received_;        // guarded by mu_
  std::vector<std::thread> workers_;     // guarded by mu_
  std::thread reader_;
};

}  // namespace weft::mcp::testing
