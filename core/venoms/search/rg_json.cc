// rg --json events and the page collector.
#include "core/venoms/search/rg_json.h"

#include <algorithm>

#include "core/base/base64.h"
#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/venoms/search/search_common.h"

namespace weft::venoms::search {
namespace {

// rg's {"text": "..."} or {"bytes": "<base64>"}.
bool DataBytes(const Json& data, std::string* out) {
  if (!data.is_object()) return false;
  auto text = data.find("text");
  if (text != data.end() && text->is_string()) {
    *out = text->get<std::string>();
    return true;
  }
  auto bytes = data.find("bytes");
  if (bytes != data.end() && bytes->is_string()) {
    std::optional<std::string> decoded = Base64Decode(bytes->get<std::string>());
    if (!decoded) return false;
    *out = std::move(*decoded);
    return true;
  }
  return false;
}

void StripTerminator(std::string* line) {
  if (!line->empty() && line->back() == '\n') line->pop_back();
  if (!line->empty() && line->back() == '\r') line->pop_back();
}

// What a line adds to a page: replies show at most about 500 bytes of a
// line, plus its number and path.
size_t Cost(const std::string& line) { return std::min<size_t>(line.size(), 512) + 32; }

RgEvent::Type TypeOf(const std::string& name) {
  if (name == "match") return RgEvent::Type::kMatch;
  if (name == "context") return RgEvent::Type::kContext;
  if (name == "begin") return RgEvent::Type::kBegin;
  if (name == "end") return RgEvent::Type::kEnd;
  if (name == "summary") return RgEvent::Type::kSummary;
  return RgEvent::Type::kOther;
}

}  // namespace

Result<RgEvent> ParseRgEvent(std::string_view json_line) {
  Json j = Json::parse(json_line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("type") || !j["type"].is_string()) {
    return Status::InvalidArgument("not an rg --json event");
  }
  RgEvent e;
  e.type = TypeOf(j["type"].get<std::string>());
  if (e.type == RgEvent::Type::kOther) return e;
  auto data_it = j.find("data");
  if (data_it == j.end() || !data_it->is_object()) return Status::InvalidArgument("an rg event without data");
  const Json& data = *data_it;
  if (e.type == RgEvent::Type::kSummary) return e;
  if (data.contains("path") && !DataBytes(data["path"], &e.path)) return Status::InvalidArgument("bad path");
  if (e.type != RgEvent::Type::kMatch && e.type != RgEvent::Type::kContext) return e;
  if (!data.contains("lines") || !DataBytes(data["lines"], &e.line)) return Status::InvalidArgument("bad lines");
  StripTerminator(&e.line);
  if (data.contains("line_number") && data["line_number"].is_number_integer()) {
    e.line_number = data["line_number"].get<int64_t>();
  }
  if (data.contains("submatches") && data["submatches"].is_array()) {
    for (const Json& sub : data["submatches"]) {
      if (!sub.is_object() || !sub.contains("start") || !sub.contains("end")) continue;
      if (!sub["start"].is_number_unsigned() || !sub["end"].is_number_unsigned()) continue;
      RgEvent::Submatch s{sub["start"].get<size_t>(), sub["end"].get<size_t>()};
      // Offsets past the end of the line (its stripped terminator) are clamped.
      s.end = std::min(s.end, e.line.size());
      s.start = std::min(s.start, s.end);
      e.submatches.push_back(s);
    }
  }
  return e;
}

CodeCollector::CodeCollector(Page page, std::string dir, std::string file)
    : page_(page), dir_(std::move(dir)), file_(std::move(file)) {}

void CodeCollector::AddContext(int64_t line, std::string bytes) {
  if (page_.context <= 0) return;
  if (last_kept_ && line <= matches_[*last_kept_].line + page_.context) {
    bytes_ += Cost(bytes);
    matches_[*last_kept_].after.push_back({line, bytes});
  }
  recent_.push_back({line, std::move(bytes)});
  if (recent_.size() > static_cast<size_t>(page_.context)) recent_.erase(recent_.begin());
}

bool CodeCollector::Add(RgEvent event) {
  if (more_) return false;
  switch (event.type) {
    case RgEvent::Type::kBegin:
      path_ = file_.empty() ? NsJoin(dir_, event.path) : file_;
      in_file_ = 0;
      file_kept_ = false;
      file_capped_ = false;
      last_kept_.reset();
      recent_.clear();
      return true;
    case RgEvent::Type::kContext:
      AddContext(event.line_number, std::move(event.line));
      return true;
    case RgEvent::Type::kMatch:
      break;
    case RgEvent::Type::kEnd:
      last_kept_.reset();
      recent_.clear();
      return true;
    case RgEvent::Type::kSummary:
      finished_ = true;
      return true;
    case RgEvent::Type::kOther:
      return true;
  }
  if (++in_file_ > page_.max_per_file) {
    // The one match past the cap: it shows the file was cut, and stays
    // visible as context of the match before it.
    if (file_kept_ && !file_capped_) capped_.push_back(path_);
    file_capped_ = true;
    AddContext(event.line_number, std::move(event.line));
    return true;
  }
  if (counted_ < page_.skip) {
    // On an earlier page: here it is only context of what follows.
    ++counted_;
    AddContext(event.line_number, std::move(event.line));
    return true;
  }
  if (matches_.size() == page_.limit || bytes_ >= page_.max_bytes) {
    // Starts the next page; until then it is context of the match before.
    more_ = true;
    AddContext(event.line_number, std::move(event.line));
    return false;
  }
  ++counted_;
  CodeMatch m;
  m.path = path_;
  m.line = event.line_number;
  m.bytes = std::move(event.line);
  m.submatches = std::move(event.submatches);
  bytes_ += Cost(m.bytes);
  for (SourceLine& ctx : recent_) {
    if (ctx.line < m.line - page_.context) continue;
    bytes_ += Cost(ctx.bytes);
    m.before.push_back(std::move(ctx));
  }
  recent_.clear();
  matches_.push_back(std::move(m));
  last_kept_ = matches_.size() - 1;
  file_kept_ = true;
  return true;
}

}  // namespace weft::venoms::search
