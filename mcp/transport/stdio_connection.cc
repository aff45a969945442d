// StdioConnection implementation: poll()-based reader with bounded buffering.
#include "mcp/transport/stdio_connection.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace weft::mcp {
namespace {
constexpr size_t kReadChunk = 64 * 1024;
}  // namespace

StdioConnection::StdioConnection(int in_fd, int out_fd, StdioOptions options)
    : in_fd_(in_fd), out_fd_(out_fd), options_(options), wake_(::eventfd(0, EFD_CLOEXEC)) {}

StdioConnection::~StdioConnection() = default;

bool StdioConnection::Fill() {
  if (eof_ || closed_.load()) return false;
  for (;;) {
    struct pollfd fds[2] = {{in_fd_, POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    int n = ::poll(fds, wake_.valid() ? 2 : 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (closed_.load() || (wake_.valid() && (fds[1].revents & POLLIN))) return false;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) break;
  }
  size_t old = buffer_.size();
  buffer_.resize(old + kReadChunk);
  ssize_t got;
  do {
    got = ::read(in_fd_, buffer_.data() + old, kReadChunk);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) {
    buffer_.resize(old);
    eof_ = true;
    return false;
  }
  buffer_.resize(old + static_cast<size_t>(got));
  return true;
}

Result<std::string> StdioConnection::Read() {
  bool skipping = false;  // inside an oversize frame: drop bytes until its newline
  for (;;) {
    size_t nl = buffer_.find('\n', scan_from_);
    if (nl != std::string::npos) {
      if (skipping) {
        buffer_.erase(0, nl + 1);
        scan_from_ = 0;
        return Status::ResourceExhausted("message larger than " +
                                         std::to_string(options_.max_frame_bytes) + " bytes");
      }
      std::string frame = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      scan_from_ = 0;
      if (!frame.empty() && frame.back() == '\r') frame.pop_back();
      if (frame.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
      if (frame.size() > options_.max_frame_bytes) {
        return Status::ResourceExhausted("message larger than " +
                                         std::to_string(options_.max_frame_bytes) + " bytes");
      }
      return frame;
    }
    scan_from_ = buffer_.size();
    if (buffer_.size() > options_.max_frame_bytes) {
      skipping = true;
      buffer_.clear();
      scan_from_ = 0;
    }
    if (!Fill()) {
      // A final frame without a trailing newline still counts.
      if (!skipping && eof_ && !buffer_.empty() && !closed_.load()) {
        std::string frame = std::move(buffer_);
        buffer_.clear();
        scan_from_ = 0;
        if (frame.find_first_not_of(" \t\r") != std::string::npos) return frame;
      }
      return Status::Unavailable("connection closed");
    }
  }
}

Status StdioConnection::Write(std::string_view frame, const WriteRoute&) {
  if (closed_.load()) return Status::Unavailable("connection closed");
  std::lock_guard<std::mutex> lock(write_mu_);
  // The frame and its newline in one call, without copying the frame.
  static constexpr char kNewline = '\n';
  struct iovec parts[2] = {{const_cast<char*>(frame.data()), frame.size()},
                           {const_cast<char*>(&kNewline), 1}};
  struct iovec* part = parts;
  int left = 2;
  while (left > 0) {
    ssize_t w = ::writev(out_fd_, part, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write to client");
    }
    // Past what was written: whole parts, then into the next one.
    size_t written = static_cast<size_t>(w);
    for (; left > 0 && written >= part->iov_len; --left, ++part) written -= part->iov_len;
    if (left > 0) {
      part->iov_base = static_cast<char*>(part->iov_base) + written;
      part->iov_len -= written;
    }
  }
  return Status::Ok();
}

void StdioConnection::Close() {
  if (closed_.exchange(true)) return;
  if (wake_.valid()) {
    uint64_t one = 1;
    ssize_t ignored = ::write(wake_.get(), &one, sizeof(one));
    (void)ignored;
  }
}

}  // namespace weft::mcp
