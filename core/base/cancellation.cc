// CancellationToken: the flag and its condition variable.
#include "core/base/cancellation.h"

namespace weft {

void CancellationToken::Cancel() {
  {
    // Set under the mutex so a SleepFor between its check and its wait cannot miss it.
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
}

bool CancellationToken::SleepFor(std::chrono::milliseconds d) const {
  std::unique_lock<std::mutex> lock(mu_);
  bool cancelled = cv_.wait_for(lock, d, [this] { return cancelled_.load(std::memory_order_acquire); });
  return !cancelled;
}

}  // namespace weft
