// CancellationToken: a flag with a condition variable, so that sleeping work
// wakes as soon as its request is cancelled.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace weft {

// Set when the client cancels the request (legacy `notifications/cancelled`,
// stdio in both eras) or its stream closes (modern HTTP), or when a caller
// of a venom op gives up. Thread-safe.
class CancellationToken {
 public:
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  void Cancel();
  // Sleeps up to `d`; returns false early if cancelled.
  bool SleepFor(std::chrono::milliseconds d) const;

 private:
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
};

}  // namespace weft
