// EventStream: a bounded, numbered event log with one waiting writer.
#include "mcp/http/event_stream.h"

namespace weft::mcp {

EventStream::EventStream(std::string id_prefix, size_t retain)
    : id_prefix_(std::move(id_prefix)), retain_(retain == 0 ? 1 : retain) {}

void EventStream::Push(std::string data, bool final, int error_code) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || finished_) return;
    events_.push_back(Event{next_seq_++, std::move(data), final, error_code});
    while (events_.size() > retain_) events_.pop_front();
    if (final) finished_ = true;
  }
  cv_.notify_all();
}

void EventStream::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool EventStream::Attach() {
  std::lock_guard<std::mutex> lock(mu_);
  if (attached_) return false;
  attached_ = true;
  return true;
}

void EventStream::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  attached_ = false;
}

EventStream::Wait EventStream::Next(uint64_t after, Event* out,
                                    std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!events_.empty() && events_.back().seq > after) {
      // The first retained event after `after` (older ones may have been dropped).
      for (const Event& e : events_) {
        if (e.seq > after) {
          *out = e;
          return Wait::kEvent;
        }
      }
    }
    if (closed_ || finished_) return Wait::kEnd;
    if (std::chrono::steady_clock::now() >= deadline) return Wait::kTimeout;  // no futex call for a poll
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      if (!events_.empty() && events_.back().seq > after) continue;
      if (closed_ || finished_) return Wait::kEnd;
      return Wait::kTimeout;
    }
  }
}

std::string EventStream::Format(const Event& event) const {
  std::string text;
  text.reserve(event.data.size() + id_prefix_.size() + 32);
  if (!id_prefix_.empty()) {
    text += "id: ";
    text += id_prefix_;
    text += std::to_string(event.seq);
    text += '\n';
  }
  text += "event: message\ndata: ";
  text += event.data;
  text += "\n\n";
  return text;
}

bool EventStream::finished() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finished_;
}

bool EventStream::attached() const {
  std::lock_guard<std::mutex> lock(mu_);
  return attached_;
}

}  // namespace weft::mcp
