// EventStream: the messages of one HTTP response stream (a request's
// notifications and final reply, or a legacy session's standalone stream),
// written by the engine from any thread and drained by at most one HTTP
// writer at a time. Events are numbered from 1; the last `retain` stay for
// Last-Event-ID resumption (legacy era) or until the writer catches up.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace weft::mcp {

class EventStream {
 public:
  struct Event {
    uint64_t seq = 0;
    std::string data;     // one JSON-RPC frame
    bool final = false;   // the reply to the stream's request
    int error_code = 0;   // for a final error reply
  };
  enum class Wait { kEvent, kTimeout, kEnd };

  // `id_prefix` non-empty: events carry SSE ids "<prefix><seq>" (legacy).
  EventStream(std::string id_prefix, size_t retain);

  // --- producer side (the engine) ---
  void Push(std::string data, bool final = false, int error_code = 0);
  // No more events will come (the request ended without a reply, the session
  // or the server is going away). Wakes the writer.
  void Close();

  // --- consumer side (one HTTP writer) ---
  // Claims the stream for a writer; false when another writer holds it.
  bool Attach();
  void Detach();
  // Waits until there is an event after `after`, the stream has ended (every
  // event up to the final one consumed, or closed), or `deadline`.
  Wait Next(uint64_t after, Event* out, std::chrono::steady_clock::time_point deadline);
  // The SSE text of an event: optional id line, data line, blank line.
  std::string Format(const Event& event) const;

  bool has_ids() const { return !id_prefix_.empty(); }
  const std::string& id_prefix() const { return id_prefix_; }
  // The final reply was pushed.
  bool finished() const;
  bool attached() const;

 private:
  const std::string id_prefix_;
  const size_t retain_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> events_;  // guarded by mu_
  uint64_t next_seq_ = 1;     // guarded by mu_
  bool finished_ = false;     // guarded by mu_
  bool closed_ = false;       // guarded by mu_
  bool attached_ = false;     // guarded by mu_
};

}  // namespace weft::mcp
