// MemoryConnection: an in-process connected pair, for tests and the golden runner.
#pragma once

#include <condition_variable>
#include <chrono>
#include <deque>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "mcp/transport/connection.h"

namespace weft::mcp {

class MemoryConnection final : public Connection {
 public:
  // Two connected ends: what one Writes, the other Reads. Closing either end
  // closes both (after the reader drains what was already written).
  static std::pair<std::unique_ptr<MemoryConnection>, std::unique_ptr<MemoryConnection>> Pair();

  Result<std::string> Read() override;
  Status Write(std::string_view frame, const WriteRoute& route = {}) override;
  void Close() override;

  // Non-blocking read for tests: the next frame if one is queued.
  std::optional<std::string> TryRead();
  // Waits up to `timeout` for a frame; nullopt on timeout or close.
  std::optional<std::string> ReadFor(std::chrono::milliseconds timeout);

 private:
  struct Channel {  // one direction
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::string> frames;  // guarded by mu
    bool closed = false;             // guarded by mu
  };
  MemoryConnection(std::shared_ptr<Channel> in, std::shared_ptr<Channel> out)
      : in_(std::move(in)), out_(std::move(out)) {}

  std::shared_ptr<Channel> in_;
  std::shared_ptr<Channel> out_;
};

}  // namespace weft::mcp
