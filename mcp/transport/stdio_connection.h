// StdioConnection: newline-delimited JSON-RPC over a pair of file descriptors
// (the MCP stdio transport; stdin/stdout in production, pipes in tests).
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "core/base/fd.h"
#include "mcp/transport/connection.h"

namespace weft::mcp {

struct StdioOptions {
  // Frames longer than this are skipped (kResourceExhausted); memory stays bounded.
  size_t max_frame_bytes = 32u << 20;
};

class StdioConnection final : public Connection {
 public:
  // Does not take ownership of `in_fd` / `out_fd`.
  StdioConnection(int in_fd, int out_fd, StdioOptions options = {});
  ~StdioConnection() override;

  Result<std::string> Read() override;
  Status Write(std::string_view frame, const WriteRoute& route = {}) override;
  void Close() override;

 private:
  // Fills buffer_ with more input; false at EOF, error or Close().
  bool Fill();

  const int in_fd_;
  const int out_fd_;
  const StdioOptions options_;
  UniqueFd wake_;  // eventfd signalled by Close() to unblock poll() in Read()
  std::atomic<bool> closed_{false};

  std::string buffer_;  // reader-thread only
  size_t scan_from_ = 0;
  bool eof_ = false;

  std::mutex write_mu_;  // serialises whole frames on out_fd_
};

}  // namespace weft::mcp
