// A minimal HTTP/1.1 client for the benchmark; see http_client.h.
#include "bench/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "bench/bench_util.h"

namespace weft::bench {
namespace {

constexpr size_t kMaxHeaderBytes = 64 * 1024;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

enum class Parse { kNeedMore, kDone };

// The framing facts of a response head.
struct Head {
  size_t body_start = 0;
  bool chunked = false;
  long content_length = -1;
};

// Parses the status line and headers at `start`; kNeedMore until they are complete.
Parse ParseHead(const std::string& buf, size_t start, bool eof, HttpResponse* out, Head* head) {
  size_t end = buf.find("\r\n\r\n", start);
  if (end == std::string::npos) {
    if (eof) throw BenchError("the server closed the connection before a complete response");
    if (buf.size() - start > kMaxHeaderBytes) throw BenchError("response headers over 64 KiB");
    return Parse::kNeedMore;
  }
  std::string_view all(buf.data() + start, end - start);
  size_t line_end = all.find("\r\n");
  std::string_view status_line = all.substr(0, line_end);
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
    throw BenchError("malformed status line: " + std::string(status_line.substr(0, 80)));
  }
  out->status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  out->close = status_line[7] == '0';
  head->body_start = end + 4;
  size_t pos = line_end == std::string_view::npos ? all.size() : line_end + 2;
  while (pos < all.size()) {
    size_t next = all.find("\r\n", pos);
    if (next == std::string_view::npos) next = all.size();
    std::string_view line = all.substr(pos, next - pos);
    pos = next + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw BenchError("malformed header line");
    std::string_view name = line.substr(0, colon), value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "content-length")) {
      head->content_length = std::strtol(std::string(value).c_str(), nullptr, 10);
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      head->chunked = ContainsIgnoreCase(value, "chunked");
    } else if (EqualsIgnoreCase(name, "content-type")) {
      out->content_type = value;
    } else if (EqualsIgnoreCase(name, "mcp-session-id")) {
      out->session_id = value;
    } else if (EqualsIgnoreCase(name, "connection")) {
      if (ContainsIgnoreCase(value, "close")) out->close = true;
      if (ContainsIgnoreCase(value, "keep-alive")) out->close = false;
    }
  }
  return Parse::kDone;
}

// Removes chunked framing (RFC 9112 section 7.1) from the body at `pos`.
Parse ParseChunked(const std::string& buf, size_t pos, bool eof, std::string* body,
                   size_t* consumed) {
  body->clear();
  for (;;) {
    size_t line_end = buf.find("\r\n", pos);
    if (line_end == std::string::npos) break;
    char* end = nullptr;
    unsigned long size = std::strtoul(buf.c_str() + pos, &end, 16);
    if (end == buf.c_str() + pos) throw BenchError("malformed chunk size");
    pos = line_end + 2;
    if (size == 0) {  // last chunk, then trailer lines up to an empty one
      for (;;) {
        size_t trailer_end = buf.find("\r\n", pos);
        if (trailer_end == std::string::npos) break;
        if (trailer_end == pos) {
          *consumed = pos + 2;
          return Parse::kDone;
        }
        pos = trailer_end + 2;
      }
      break;
    }
    if (buf.size() < pos + size + 2) break;
    if (buf.compare(pos + size, 2, "\r\n") != 0) throw BenchError("chunk without CRLF");
    body->append(buf, pos, size);
    pos += size + 2;
  }
  if (eof) throw BenchError("the server closed the connection inside a chunked body");
  return Parse::kNeedMore;
}

// Parses one whole response at the start of `buf`; `eof` means no more bytes
// will arrive. Interim 1xx responses are skipped.
Parse ParseResponse(const std::string& buf, bool eof, HttpResponse* out, size_t* consumed) {
  size_t start = 0;
  Head head;
  for (;;) {
    *out = HttpResponse();
    head = Head();
    if (ParseHead(buf, start, eof, out, &head) == Parse::kNeedMore) return Parse::kNeedMore;
    if (out->status >= 200) break;
    start = head.body_start;
  }
  if (out->status == 204 || out->status == 304) {
    *consumed = head.body_start;
    return Parse::kDone;
  }
  if (head.chunked) return ParseChunked(buf, head.body_start, eof, &out->body, consumed);
  if (head.content_length >= 0) {
    size_t want = head.body_start + static_cast<size_t>(head.content_length);
    if (buf.size() < want) {
      if (eof) throw BenchError("the server closed the connection inside the body");
      return Parse::kNeedMore;
    }
    out->body.assign(buf, head.body_start, static_cast<size_t>(head.content_length));
    *consumed = want;
    return Parse::kDone;
  }
  if (!eof) return Parse::kNeedMore;  // the body ends when the connection does
  out->body.assign(buf, head.body_start);
  out->close = true;
  *consumed = buf.size();
  return Parse::kDone;
}

}  // namespace

bool HttpEndpoint::Parse(const std::string& url, HttpEndpoint* out) {
  constexpr std::string_view kScheme = "http://";
  if (url.compare(0, kScheme.size(), kScheme) != 0) return false;
  size_t host_start = kScheme.size();
  size_t colon = url.find(':', host_start);
  if (colon == std::string::npos) return false;
  size_t slash = url.find('/', colon);
  std::string port =
      url.substr(colon + 1, slash == std::string::npos ? std::string::npos : slash - colon - 1);
  long port_number = 0;
  if (!ParsePositive(port.c_str(), 65535, &port_number)) return false;
  out->host = url.substr(host_start, colon - host_start);
  struct in_addr addr;
  if (::inet_pton(AF_INET, out->host.c_str(), &addr) != 1) return false;
  out->port = static_cast<int>(port_number);
  out->path = slash == std::string::npos ? "/" : url.substr(slash);
  return true;
}

std::string HttpEndpoint::Url() const {
  return "http://" + host + ":" + std::to_string(port) + path;
}

void HttpConnection::Connect() {
  Close();
  buf_.clear();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw BenchError(std::string("socket: ") + std::strerror(errno));
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(endpoint_.port));
  ::inet_pton(AF_INET, endpoint_.host.c_str(), &addr.sin_addr);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    throw BenchError("connect to " + endpoint_.Url() + ": " + why);
  }
  fd_ = fd;
  receive_timeout_ = std::chrono::milliseconds(0);
}

void HttpConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void HttpConnection::SendAll(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw BenchError(std::string("send: ") + std::strerror(errno));
    off += static_cast<size_t>(w);
  }
}

HttpResponse HttpConnection::RoundTrip(const std::string& request,
                                       std::chrono::milliseconds timeout) {
  try {
    if (fd_ < 0) Connect();
    SetReceiveTimeout(timeout);
    SendAll(request);
    const auto deadline = Clock::now() + timeout;
    HttpResponse response;
    size_t consumed = 0;
    bool eof = false;
    // Blocking receives bounded by SO_RCVTIMEO: one system call per read.
    while (ParseResponse(buf_, eof, &response, &consumed) == Parse::kNeedMore) {
      char chunk[16384];
      ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (got < 0 && errno == EINTR) continue;
      if ((got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) || Clock::now() > deadline) {
        throw BenchError("no complete response within " + std::to_string(timeout.count()) +
                         " ms (" + std::to_string(buf_.size()) + " bytes received)");
      }
      if (got < 0) throw BenchError(std::string("recv: ") + std::strerror(errno));
      if (got == 0) eof = true;
      buf_.append(chunk, static_cast<size_t>(got));
    }
    buf_.erase(0, consumed);
    if (response.close || eof) Close();
    return response;
  } catch (const BenchError&) {
    Close();
    throw;
  }
}

void HttpConnection::SetReceiveTimeout(std::chrono::milliseconds timeout) {
  if (timeout == receive_timeout_) return;
  struct timeval tv;
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
    throw BenchError(std::string("setsockopt SO_RCVTIMEO: ") + std::strerror(errno));
  }
  receive_timeout_ = timeout;
}

std::vector<std::string> SseEventData(const std::string& body) {
  std::vector<std::string> events;
  std::string data;
  bool has_data = false;
  auto dispatch = [&] {
    if (has_data) {
      if (!data.empty() && data.back() == '\n') data.pop_back();
      events.push_back(std::move(data));
    }
    data.clear();
    has_data = false;
  };
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string::npos) nl = body.size();
    std::string_view line(body.data() + pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      dispatch();
      continue;
    }
    if (line.front() == ':') continue;  // comment
    size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data") {
      data.append(value);
      data += '\n';
      has_data = true;
    }
  }
  dispatch();
  return events;
}

}  // namespace weft::bench
