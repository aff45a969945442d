// Helpers for the HTTP server tests.
#include "tests/mcp/http/http_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "mcp/protocol/versions.h"

namespace weft::mcp::testing {

HttpHarness::HttpHarness(HttpOptions options) {
  fixture_ = std::make_unique<ConformanceFixture>(tools_, resources_, prompts_,
                                                  ConformanceFixtureOptions{std::chrono::milliseconds(0)});
  if (!fixture_->Register().ok()) std::abort();
  ToolSpec block;
  block.name = "test_block";
  block.description = "Waits until its request is cancelled.";
  block.input_schema = "fixture/test_simple_text.input.json";
  block.handler = [this](RequestContext& ctx, const Json&) -> Result<Json> {
    ++block_started_;
    while (!ctx.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ++block_cancelled_;
    return Status::Cancelled("cancelled");
  };
  tools_.AddOrDie(block);
  ServerOptions server_options;
  server_options.name = "weft-http-test";
  server_ = std::make_unique<Server>(server_options, tools_, resources_, prompts_);
  http_ = std::make_unique<HttpServer>(*server_, std::move(options));
  if (!http_->Bind().ok()) std::abort();
  thread_ = std::thread([this] { (void)http_->Run(); });
}

HttpHarness::~HttpHarness() {
  http_->Stop();
  thread_.join();
}

RawConnection::RawConnection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Close();
}

RawConnection::~RawConnection() { Close(); }

void RawConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawConnection::Send(const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

RawConnection::Receive RawConnection::ReceiveSome(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return Receive::kTimeout;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return Receive::kTimeout;
  char buf[8192];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) return Receive::kClosed;
  received_.append(buf, static_cast<size_t>(n));
  return Receive::kData;
}

bool RawConnection::ReadUntil(const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (received_.find(needle) == std::string::npos) {
    if (ReceiveSome(deadline) != Receive::kData) return received_.find(needle) != std::string::npos;
  }
  return true;
}

bool RawConnection::ReadResponse(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    size_t end = received_.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = received_.substr(0, end);
      size_t cl = head.find("Content-Length: ");
      if (cl != std::string::npos) {
        size_t n = std::strtoul(head.c_str() + cl + 16, nullptr, 10);
        if (received_.size() >= end + 4 + n) return true;
      } else if (head.find("Transfer-Encoding: chunked") != std::string::npos) {
        if (received_.find("\r\n0\r\n\r\n", end) != std::string::npos) return true;
      } else {
        return true;  // no body
      }
    }
    if (ReceiveSome(deadline) != Receive::kData) return false;
  }
}

std::string Roundtrip(int port, const std::string& request) {
  RawConnection c(port);
  if (!c.Send(request)) return {};
  c.ReadResponse();
  return c.received();
}

bool RawConnection::WaitForClose(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    switch (ReceiveSome(deadline)) {
      case Receive::kData: break;
      case Receive::kClosed: return true;
      case Receive::kTimeout: return false;
    }
  }
}

std::string RequestText(const std::string& method, const std::string& path,
                        const std::map<std::string, std::string>& headers, const std::string& body) {
  std::string text = method + " " + path + " HTTP/1.1\r\n";
  bool has_host = false;
  for (const auto& [k, v] : headers) {
    text += k + ": " + v + "\r\n";
    has_host = has_host || k == "Host";
  }
  if (!has_host) text += "Host: 127.0.0.1\r\n";
  if (method == "POST" || !body.empty()) text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return text + "\r\n" + body;
}

std::map<std::string, std::string> PostHeaders(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> h = {{"Content-Type", "application/json"},
                                          {"Accept", "application/json, text/event-stream"},
                                          {"Authorization", std::string("Bearer ") + kToken}};
  for (const auto& [k, v] : extra) h[k] = v;
  return h;
}

Json ModernRequest(int id, const std::string& method, Json params) {
  params["_meta"][meta::kProtocolVersion] = "2026-07-28";
  params["_meta"][meta::kClientCapabilities] = Json::object();
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

std::map<std::string, std::string> ModernHeaders(const std::string& method, const std::string& name) {
  std::map<std::string, std::string> h = PostHeaders({{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", method}});
  if (!name.empty()) h["Mcp-Name"] = name;
  return h;
}

int StatusOf(const std::string& text) {
  if (text.rfind("HTTP/1.1 ", 0) != 0 || text.size() < 12) return 0;
  return std::atoi(text.substr(9, 3).c_str());
}

std::string BodyOf(const std::string& text) {
  size_t end = text.find("\r\n\r\n");
  if (end == std::string::npos) return {};
  size_t cl = text.find("Content-Length: ");
  if (cl == std::string::npos || cl > end) return text.substr(end + 4);
  size_t n = std::strtoul(text.c_str() + cl + 16, nullptr, 10);
  return text.substr(end + 4, n);
}

}  // namespace weft::mcp::testing
