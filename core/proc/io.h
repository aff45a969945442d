// Descriptor helpers shared by the process layer: non-blocking mode and a
// write that reports EPIPE instead of raising SIGPIPE.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace weft::proc {

void SetNonBlocking(int fd);

// write(2) that reports EPIPE instead of raising SIGPIPE in this process:
// SIGPIPE is blocked for the call and a pending one consumed afterwards.
// Thread-safe (the mask is per thread).
ssize_t WriteNoSigpipe(int fd, const char* data, size_t size);

}  // namespace weft::proc
