// LegacySession: frame routing between an engine session and HTTP streams.
#include "mcp/http/legacy_session.h"

#include "core/base/log.h"

namespace weft::mcp {
namespace {

// Finished request streams kept for Last-Event-ID resumption.
constexpr size_t kRetiredStreams = 16;

}  // namespace

LegacySession::LegacySession(std::string id, Server& server, size_t retained_events, std::shared_ptr<Gate> gate,
                             std::string credential)
    : id_(std::move(id)),
      credential_(std::move(credential)),
      retained_events_(retained_events),
      standalone_(std::make_shared<EventStream>("0-", retained_events)),
      last_active_(std::chrono::steady_clock::now()) {
  engine_ = server.OpenSession(*this, /*watch_changes=*/true, std::move(gate));
}

LegacySession::~LegacySession() { End(); }

std::string LegacySession::version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return version_;
}

void LegacySession::set_version(std::string v) {
  std::lock_guard<std::mutex> lock(mu_);
  version_ = std::move(v);
}

std::shared_ptr<EventStream> LegacySession::NewStream() {
  return std::make_shared<EventStream>(std::to_string(next_stream_++) + "-", retained_events_);
}

std::shared_ptr<EventStream> LegacySession::OpenRequestStream(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ended_ || live_.count(key) > 0) return nullptr;
  auto stream = NewStream();
  live_[key] = stream;
  return stream;
}

void LegacySession::DropRequestStream(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.erase(key);
}

void LegacySession::RetireRequestStream(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_.find(key);
  if (it == live_.end()) return;
  retired_.push_back(it->second);
  live_.erase(it);
  while (retired_.size() > kRetiredStreams) retired_.pop_front();
}

std::shared_ptr<EventStream> LegacySession::FindForResume(const std::string& last_event_id, uint64_t* after) {
  size_t dash = last_event_id.find('-');
  if (dash == std::string::npos || dash + 1 >= last_event_id.size()) return nullptr;
  std::string prefix = last_event_id.substr(0, dash + 1);
  std::string seq = last_event_id.substr(dash + 1);
  if (seq.find_first_not_of("0123456789") != std::string::npos || seq.size() > 18) return nullptr;
  *after = std::stoull(seq);
  std::lock_guard<std::mutex> lock(mu_);
  if (prefix == standalone_->id_prefix()) return standalone_;
  for (const auto& [key, s] : live_) {
    if (s->id_prefix() == prefix) return s;
  }
  for (const auto& s : retired_) {
    if (s->id_prefix() == prefix) return s;
  }
  return nullptr;
}

void LegacySession::Touch() {
  std::lock_guard<std::mutex> lock(mu_);
  last_active_ = std::chrono::steady_clock::now();
}

bool LegacySession::IdleLongerThan(std::chrono::steady_clock::duration idle) const {
  if (open_streams_.load() > 0) return false;
  std::lock_guard<std::mutex> lock(mu_);
  return std::chrono::steady_clock::now() - last_active_ > idle;
}

void LegacySession::End() {
  std::map<std::string, std::shared_ptr<EventStream>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ended_) return;
    ended_ = true;
    live.swap(live_);
    retired_.clear();
  }
  engine_->Abort();
  standalone_->Close();
  for (auto& [key, s] : live) s->Close();
}

Result<std::string> LegacySession::Read() {
  return Status::Unavailable("HTTP sessions are fed by push, not read");
}

Status LegacySession::Write(std::string_view frame, const WriteRoute& route) {
  std::shared_ptr<EventStream> target;
  if (!route.related_request.is_null()) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(route.related_request.dump());
    if (it != live_.end()) target = it->second;
  }
  if (!target) {
    if (!route.related_request.is_null()) {
      // The request's stream is gone (its reply went out as JSON); a message
      // about it can only go where unrelated messages go.
      WEFT_LOG(kDebug) << "session " << id_ << ": no stream for request " << route.related_request.dump();
    }
    target = standalone_;
  }
  target->Push(std::string(frame), route.final_response, route.error_code);
  return Status::Ok();
}

void LegacySession::Abandon(const nlohmann::json& request_id) {
  std::shared_ptr<EventStream> target;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(request_id.dump());
    if (it == live_.end()) return;
    target = it->second;
    live_.erase(it);
  }
  target->Close();
}

}  // namespace weft::mcp
