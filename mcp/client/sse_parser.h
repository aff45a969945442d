// SseParser: an incremental text/event-stream parser (WHATWG HTML, "Server-
// sent events", §9.2.6 "Interpreting an event stream"), fed bytes as they
// arrive so that each event is handed on as soon as its blank line is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace weft::mcp {

struct SseEvent {
  // The stream's last event ID once this event was read ("id:" lines persist
  // across events, as the spec's "last event ID buffer" does).
  std::string last_event_id;
  // The "event:" field; empty when the event had none (a "message" event).
  std::string type;
  // The "data:" lines joined with '\n'.
  std::string data;
  // True when the data grew past the parser's limit: `data` is empty and the
  // event's content was dropped.
  bool oversized = false;
};

// Not thread-safe: one stream, one reader.
class SseParser {
 public:
  // Return false to stop parsing; Feed() then returns false too.
  using EventCallback = std::function<bool(const SseEvent& event)>;

  // Events whose data exceeds `max_event_bytes` are reported oversized, and
  // no line is buffered beyond that size: memory stays bounded.
  explicit SseParser(size_t max_event_bytes);

  // Parses `bytes`, calling `on_event` for every event completed by them.
  // Events with empty data (keep-alive "priming" events that carry only an
  // id) are not reported, but their id is kept. Comments (": …") are
  // ignored. Returns false once `on_event` returned false.
  bool Feed(std::string_view bytes, const EventCallback& on_event);

  const std::string& last_event_id() const { return last_event_id_; }
  // The reconnection time the server asked for with "retry:", if any.
  std::optional<int64_t> retry_ms() const { return retry_ms_; }
  // How many events were reported (oversized ones included).
  size_t events() const { return events_; }

 private:
  // Handles one complete line (without its terminator).
  bool Line(std::string_view line, const EventCallback& on_event);
  void Field(std::string_view name, std::string_view value);
  bool Dispatch(const EventCallback& on_event);

  const size_t max_event_bytes_;
  std::string line_;           // the partial line carried over between Feed()s
  bool line_too_long_ = false;  // line_ was dropped; skipping to its end
  bool after_cr_ = false;       // the last byte was '\r' (a following '\n' belongs to it)
  bool at_start_ = true;        // a leading BOM is skipped

  std::string data_;
  bool has_data_ = false;  // a data line was seen (an empty one counts for joining)
  std::string type_;
  bool oversized_ = false;
  std::string last_event_id_;
  std::optional<int64_t> retry_ms_;
  size_t events_ = 0;
};

}  // namespace weft::mcp
