// Helpers for the HTTP server tests: an in-process server over the
// conformance fixture, and a raw socket client for what httplib::Client
// cannot do (half-written requests, reading a stream as it comes, hanging up).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "mcp/fixture/conformance_fixture.h"
#include "mcp/http/http_server.h"
#include "mcp/server/server.h"

namespace weft::mcp::testing {

using Json = nlohmann::json;

inline constexpr char kToken[] = "test-token-0123456789abcdef";

// The fixture plus two tools for stream tests: test_block waits until its
// request is cancelled (recording that), test_block_briefly waits ~300 ms.
class HttpHarness {
 public:
  explicit HttpHarness(HttpOptions options);
  ~HttpHarness();

  int port() const { return http_->port(); }
  std::atomic<int>& block_started() { return block_started_; }
  std::atomic<int>& block_cancelled() { return block_cancelled_; }

 private:
  ToolRegistry tools_;
  ResourceRegistry resources_;
  PromptRegistry prompts_;
  std::unique_ptr<ConformanceFixture> fixture_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<HttpServer> http_;
  std::thread thread_;
  std::atomic<int> block_started_{0};
  std::atomic<int> block_cancelled_{0};
};

// A raw HTTP/1.1 connection to 127.0.0.1:port.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  bool connected() const { return fd_ >= 0; }
  bool Send(const std::string& bytes);
  // Reads until `needle` is in everything read so far, EOF or the timeout.
  bool ReadUntil(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads one whole response (Content-Length or chunked) from the start of
  // what was received; false on timeout or EOF first.
  bool ReadResponse(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads until the server closes the connection (true) or the timeout.
  bool WaitForClose(std::chrono::milliseconds timeout);
  const std::string& received() const { return received_; }
  void Close();

 private:
  enum class Receive { kData, kClosed, kTimeout };
  // Waits until `deadline` for bytes and appends them to received_.
  Receive ReceiveSome(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string received_;
};

// Sends `request` on a new connection and returns the whole response text.
std::string Roundtrip(int port, const std::string& request);

// A complete request with Content-Length; `headers` are added verbatim.
std::string RequestText(const std::string& method, const std::string& path,
                        const std::map<std::string, std::string>& headers, const std::string& body = "");

// Headers every well-formed MCP POST carries (JSON, both Accept types, token).
std::map<std::string, std::string> PostHeaders(const std::map<std::string, std::string>& extra = {});

// A modern (2026-07-28) request body and its headers.
Json ModernRequest(int id, const std::string& method, Json params = Json::object());
std::map<std::string, std::string> ModernHeaders(const std::string& method, const std::string& name = "");

// The status code of the first response in `text` (0 if none).
int StatusOf(const std::string& text);
// The body of the first response in `text` with a Content-Length.
std::string BodyOf(const std::string& text);

}  // namespace weft::mcp::testing
