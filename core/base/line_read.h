// ReadLineWithin: one '\n'-terminated line from a pipe or socket, with a
// deadline, for the one-line handshakes between weft's processes (an
// agent's runner reporting in, a callback connection's hello).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/base/result.h"

namespace weft {

struct LineRead {
  std::string text;     // without the '\n'
  bool closed = false;  // the writer closed before a newline; `text` is what came
};

// Reads byte by byte, so nothing after the newline is consumed (what follows
// belongs to the next reader of `fd`). kDeadlineExceeded when no line came
// within `timeout`, kResourceExhausted when it grows past `max_bytes`, the
// errno of a failed poll or read otherwise.
Result<LineRead> ReadLineWithin(int fd, std::chrono::milliseconds timeout, size_t max_bytes);

}  // namespace weft
