// SseParser: line splitting (CRLF, LF or CR, possibly split across reads),
// field handling and event dispatch.
#include "mcp/client/sse_parser.h"

#include <algorithm>

namespace weft::mcp {
namespace {

// Room for a field name and the ": " before a value of the maximum size.
constexpr size_t kLineSlack = 64;
// "retry:" values beyond this are clamped (an hour).
constexpr int64_t kMaxRetryMs = 3'600'000;

}  // namespace

SseParser::SseParser(size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

bool SseParser::Feed(std::string_view bytes, const EventCallback& on_event) {
  size_t i = 0;
  if (after_cr_ && !bytes.empty()) {
    after_cr_ = false;
    if (bytes[0] == '\n') i = 1;  // the LF of a CRLF split between two reads
  }
  while (i < bytes.size()) {
    size_t end = bytes.find_first_of("\r\n", i);
    std::string_view piece = bytes.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (!line_too_long_) {
      if (line_.size() + piece.size() > max_event_bytes_ + kLineSlack) {
        line_too_long_ = true;
        std::string().swap(line_);
      } else {
        line_.append(piece);
      }
    }
    if (end == std::string_view::npos) break;
    i = end + 1;
    if (bytes[end] == '\r') {
      if (i < bytes.size()) {
        if (bytes[i] == '\n') ++i;
      } else {
        after_cr_ = true;
      }
    }
    std::string line;
    line.swap(line_);
    if (line_too_long_) {
      // Whatever field it was, the event it belongs to cannot be delivered whole.
      line_too_long_ = false;
      oversized_ = true;
      has_data_ = true;
      std::string().swap(data_);
      continue;
    }
    if (!Line(line, on_event)) return false;
  }
  return true;
}

bool SseParser::Line(std::string_view line, const EventCallback& on_event) {
  if (at_start_) {
    at_start_ = false;
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    if (line.substr(0, kBom.size()) == kBom) line.remove_prefix(kBom.size());
  }
  if (line.empty()) return Dispatch(on_event);
  if (line[0] == ':') return true;  // a comment, e.g. a keep-alive
  size_t colon = line.find(':');
  std::string_view name = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  Field(name, value);
  return true;
}

void SseParser::Field(std::string_view name, std::string_view value) {
  if (name == "event") {
    type_.assign(value);
  } else if (name == "data") {
    if (oversized_) return;
    size_t grown = data_.size() + value.size() + (has_data_ ? 1 : 0);
    if (grown > max_event_bytes_) {
      oversized_ = true;
      has_data_ = true;
      std::string().swap(data_);
      return;
    }
    if (has_data_) data_ += '\n';
    data_.append(value);
    has_data_ = true;
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) last_event_id_.assign(value);
  } else if (name == "retry") {
    if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return;
    }
    int64_t ms = 0;
    for (char c : value) {
      ms = std::min<int64_t>(ms * 10 + (c - '0'), kMaxRetryMs);
    }
    retry_ms_ = ms;
  }
}

bool SseParser::Dispatch(const EventCallback& on_event) {
  SseEvent event;
  event.last_event_id = last_event_id_;
  event.type.swap(type_);
  event.data.swap(data_);
  event.oversized = oversized_;
  has_data_ = false;
  oversized_ = false;
  if (!event.oversized && event.data.empty()) return true;
  ++events_;
  return on_event(event);
}

}  // namespace weft::mcp
