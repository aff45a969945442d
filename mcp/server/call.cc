// Call: progress, logging and client input for one request, in either era.
#include "mcp/server/call.h"

#include <cmath>

#include "core/base/log.h"
#include "mcp/server/session.h"

namespace weft::mcp {
namespace {

// 50 rather than 50.0 on the wire when the value is whole.
Json WholeOrFraction(double v) {
  if (std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 9e15) return static_cast<int64_t>(v);
  return v;
}

}  // namespace

int LogLevelIndex(const std::string& level) {
  for (int i = 0; i < 8; ++i) {
    if (level == kLogLevels[i]) return i;
  }
  return -1;
}

Call::Call(std::shared_ptr<Session> session, Message request, Envelope envelope)
    : session_(std::move(session)), request_(std::move(request)), env_(std::move(envelope)) {
  params_ = request_.has_params() && request_.params.is_object() ? request_.params : Json::object();
  key_ = request_.id.dump();
  if (env_.meta.is_object()) {
    auto it = env_.meta.find("progressToken");
    if (it != env_.meta.end() && (it->is_string() || it->is_number_integer())) {
      progress_token_ = *it;
    }
  }
}

void Call::Progress(double progress, std::optional<double> total, const std::string& message) {
  if (progress_token_.is_null() || token_.cancelled()) return;
  // progress MUST increase (basic/utilities/progress); drop anything else.
  if (last_progress_ && progress <= *last_progress_) return;
  last_progress_ = progress;
  Json p = {{"progressToken", progress_token_}, {"progress", WholeOrFraction(progress)}};
  if (total) p["total"] = WholeOrFraction(*total);
  if (!message.empty()) p["message"] = message;
  session_->outbox().Send(Message::Notification("notifications/progress", std::move(p)),
                          WriteRoute{request_.id, false});
}

void Call::Log(const std::string& level, const Json& data, const std::string& logger) {
  int idx = LogLevelIndex(level);
  if (idx < 0 || token_.cancelled()) return;
  int threshold = env_.era == Era::kLegacy ? session_->legacy_log_threshold() : env_.log_threshold;
  if (idx < threshold) return;
  Json p = {{"level", level}, {"data", data}};
  if (!logger.empty()) p["logger"] = logger;
  session_->outbox().Send(Message::Notification("notifications/message", std::move(p)),
                          WriteRoute{request_.id, false});
}

std::string Call::CapabilityFor(const std::string& method) {
  if (method == "elicitation/create") return "elicitation";
  if (method == "sampling/createMessage") return "sampling";
  if (method == "roots/list") return "roots";
  return "";
}

std::optional<std::vector<std::string>> Call::ClientRoots() {
  if (env_.era != Era::kLegacy) return std::nullopt;
  return session_->ClientRoots(*this);
}

const grants::Grant* Call::grant() const {
  Gate* gate = session_->gate();
  return gate != nullptr ? gate->grant() : nullptr;
}

Result<Json> Call::RequestInput(const Json& requests) {
  if (on_reader_thread_ || nonblocking_tool_) {
    // The answer would arrive on the very thread that is waiting for it.
    return Status::FailedPrecondition("a tool declared nonblocking cannot ask the client for input");
  }
  if (!requests.is_object() || requests.empty()) {
    return Status::InvalidArgument("RequestInput needs an object of {key: {method, params}}");
  }
  // Every request must name a method we can ask for, and the client must have
  // declared the capability (2026-07-28 basic/index: never rely on undeclared ones).
  for (const auto& [key, req] : requests.items()) {
    std::string method = StringOr(req, "method");
    std::string cap = CapabilityFor(method);
    if (cap.empty()) return Status::InvalidArgument("cannot ask the client for \"" + method + "\"");
    if (!env_.client_capabilities.contains(cap)) {
      missing_capability_ = Json::object({{cap, Json::object()}});
      return Status::FailedPrecondition("the client did not declare the \"" + cap +
                                        "\" capability this needs");
    }
  }
  Json answers = Json::object();
  if (env_.era == Era::kModern) {
    // MRTR (basic/patterns/mrtr): answers arrive on the retry.
    Json missing = Json::object();
    for (const auto& [key, req] : requests.items()) {
      auto it = input_responses_.find(key);
      if (it != input_responses_.end()) answers[key] = *it;
      else missing[key] = req;
    }
    if (!missing.empty()) {
      pending_inputs_ = std::move(missing);
      return Status::Unavailable("input required from the client");
    }
    return answers;
  }
  for (const auto& [key, req] : requests.items()) {
    WEFT_ASSIGN_OR_RETURN(Json answer,
                          session_->RequestFromClient(req["method"].get<std::string>(),
                                                      req.value("params", Json::object()), token_,
                                                      request_.id));
    answers[key] = std::move(answer);
  }
  return answers;
}

}  // namespace weft::mcp
