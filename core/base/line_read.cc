#include "core/base/line_read.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

namespace weft {

Result<LineRead> ReadLineWithin(int fd, std::chrono::milliseconds timeout, size_t max_bytes) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  LineRead out;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Status::DeadlineExceeded("no line in time");
    pollfd p{fd, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return Status::FromErrno(errno, "poll");
    if (rc == 0) continue;
    char c;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return Status::FromErrno(errno, "read");
    if (n == 0) {
      out.closed = true;
      return out;
    }
    if (c == '\n') return out;
    out.text.push_back(c);
    if (out.text.size() > max_bytes) return Status::ResourceExhausted("the line is too long");
  }
}

}  // namespace weft
