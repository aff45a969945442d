// A minimal HTTP/1.1 client for the benchmark: one keep-alive TCP connection
// (TCP_NODELAY) sending one request at a time, and a response parser that
// handles Content-Length, chunked and read-until-close bodies, plus the data
// of Server-Sent Events bodies (text/event-stream).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace weft::bench {

// Where an MCP endpoint lives; parsed from "http://HOST:PORT/PATH".
struct HttpEndpoint {
  std::string host;  // numeric IPv4 address
  int port = 0;
  std::string path;

  // Returns false for anything but http:// with a numeric IPv4 host and a port.
  static bool Parse(const std::string& url, HttpEndpoint* out);
  std::string Url() const;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;  // as sent, "" when absent
  std::string session_id;    // Mcp-Session-Id, "" when absent
  bool close = false;        // the server closes the connection after this response
  std::string body;          // with any chunked framing removed
};

// One client connection. Not thread-safe: each benchmark thread owns one.
// Errors (connect failure, timeout, early EOF, a malformed response) throw
// BenchError and leave the connection closed; Connect() opens a new one.
class HttpConnection {
 public:
  explicit HttpConnection(HttpEndpoint endpoint) : endpoint_(std::move(endpoint)) {}
  ~HttpConnection() { Close(); }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  void Connect();
  bool IsOpen() const { return fd_ >= 0; }
  void Close();

  // Sends the complete request bytes and reads one response, connecting
  // first if needed. Closes the connection afterwards when the server asks.
  HttpResponse RoundTrip(const std::string& request, std::chrono::milliseconds timeout);

 private:
  void SendAll(const std::string& data);
  void SetReceiveTimeout(std::chrono::milliseconds timeout);

  HttpEndpoint endpoint_;
  int fd_ = -1;
  std::chrono::milliseconds receive_timeout_{0};  // 0: not set on this socket
  std::string buf_;                               // bytes received and not yet consumed
};

// The data of each event in an SSE body (multi-line data joined with '\n');
// events without data (comments, retry hints) are skipped.
std::vector<std::string> SseEventData(const std::string& body);

}  // namespace weft::bench
