// ChangeFeed: registries announce what changed; sessions turn that into
// list_changed and resources/updated notifications.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace weft::mcp {

enum class ChangeKind { kToolsChanged, kPromptsChanged, kResourcesChanged, kResourceUpdated };

struct ChangeEvent {
  ChangeKind kind;
  std::string uri;  // kResourceUpdated only
};

// Thread-safe. Listeners run on the publishing thread and must not block or
// call back into the feed.
class ChangeFeed {
 public:
  using Listener = std::function<void(const ChangeEvent&)>;

  // Returns a handle for Unsubscribe.
  int Subscribe(Listener listener) {
    std::lock_guard<std::mutex> lock(mu_);
    listeners_[next_id_] = std::move(listener);
    return next_id_++;
  }
  void Unsubscribe(int handle) {
    std::lock_guard<std::mutex> lock(mu_);
    listeners_.erase(handle);
  }
  void Publish(const ChangeEvent& event) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, fn] : listeners_) fn(event);
  }

 private:
  std::mutex mu_;
  std::map<int, Listener> listeners_;  // guarded by mu_
  int next_id_ = 1;                    // guarded by mu_
};

}  // namespace weft::mcp
