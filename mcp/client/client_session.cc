// Client, protocol side: the era handshakes, per-request _meta, MRTR rounds
// and the typed request helpers.
#include "mcp/client/client.h"

#include <set>

#include "core/base/log.h"

namespace weft::mcp {
namespace {

std::string SupportedLegacyList() {
  std::string out;
  for (auto v : kLegacyVersions) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

bool ListsVersion(const Json& versions, std::string_view wanted) {
  if (!versions.is_array()) return false;
  for (const auto& v : versions) {
    if (v.is_string() && v.get<std::string>() == wanted) return true;
  }
  return false;
}

bool ListsSupportedLegacyVersion(const Json& versions) {
  for (auto v : kLegacyVersions) {
    if (ListsVersion(versions, v)) return true;
  }
  return false;
}

// Whether auto mode should fall back to initialize after server/discover
// failed with `r` (basic/versioning: on any non-modern error or a timeout).
bool ShouldFallBack(const CallResult& r) {
  if (const auto& e = r.rpc_error()) {
    if (e->code == rpc::kUnsupportedVersion) {
      return e->data.is_object() && ListsSupportedLegacyVersion(e->data.value("supported", Json()));
    }
    return e->code != rpc::kMissingClientCapability && e->code != rpc::kHeaderMismatch;
  }
  return r.status().code() == StatusCode::kDeadlineExceeded;
}

}  // namespace

Json Client::ModernMeta() const {
  Json request_meta = {{meta::kProtocolVersion, kModernVersion},
                       {meta::kClientCapabilities, client_capabilities_},
                       {meta::kClientInfo, options_.client_info}};
  if (!options_.log_level.empty()) request_meta[meta::kLogLevel] = options_.log_level;
  return request_meta;
}

CallResult Client::Connect() {
  switch (options_.era) {
    case EraMode::kLegacy:
      return ConnectLegacy();
    case EraMode::kModern:
      era_ = Era::kModern;
      protocol_version_ = std::string(kModernVersion);
      modern_ = true;
      return Json::object();
    case EraMode::kAuto:
      break;
  }
  CallOptions probe_options;
  probe_options.timeout = options_.probe_timeout;
  handshake_method_ = "server/discover";
  probe_ = RoundTrip("server/discover", Json{{"_meta", ModernMeta()}}, probe_options, Era::kModern,
                     std::string(kModernVersion));
  const CallResult& probe = *probe_;
  if (probe.ok() && ListsVersion(probe->value("supportedVersions", Json()), kModernVersion)) {
    era_ = Era::kModern;
    protocol_version_ = std::string(kModernVersion);
    modern_ = true;
    if (probe->contains("capabilities") && (*probe)["capabilities"].is_object()) {
      server_capabilities_ = (*probe)["capabilities"];
    }
    const Json result_meta = probe->value("_meta", Json::object());
    if (result_meta.is_object()) server_info_ = result_meta.value(meta::kServerInfo, Json());
    if (probe->contains("instructions") && (*probe)["instructions"].is_string()) {
      instructions_ = (*probe)["instructions"].get<std::string>();
    }
    return probe;
  }
  if (!probe.ok() && !ShouldFallBack(probe)) return probe;
  WEFT_LOG(kInfo) << "server/discover did not select protocol " << kModernVersion << " ("
                  << (probe.ok() ? std::string("version not offered") : probe.status().message())
                  << "); falling back to initialize";
  return ConnectLegacy();
}

CallResult Client::ConnectLegacy() {
  Json params = {{"protocolVersion", kLatestLegacyVersion},
                 {"capabilities", client_capabilities_},
                 {"clientInfo", options_.client_info}};
  const std::string requested(kLatestLegacyVersion);
  handshake_method_ = "initialize";
  CallResult r = RoundTrip("initialize", std::move(params), {}, Era::kLegacy, requested);
  if (!r.ok()) return r;
  const Json* version = r->contains("protocolVersion") ? &(*r)["protocolVersion"] : nullptr;
  if (!version || !version->is_string()) {
    return Status::IoError("malformed initialize result: \"protocolVersion\" is missing or not a string");
  }
  std::string negotiated = version->get<std::string>();
  if (!IsSupportedLegacyVersion(negotiated)) {
    return Status::FailedPrecondition("the server answered protocol version \"" + negotiated +
                                      "\", which this client does not speak (it speaks " +
                                      SupportedLegacyList() + ")");
  }
  era_ = Era::kLegacy;
  protocol_version_ = negotiated;
  batches_allowed_ = AllowsBatches(negotiated);
  if (r->contains("capabilities") && (*r)["capabilities"].is_object()) {
    server_capabilities_ = (*r)["capabilities"];
  }
  server_info_ = r->value("serverInfo", Json());
  if (r->contains("instructions") && (*r)["instructions"].is_string()) {
    instructions_ = (*r)["instructions"].get<std::string>();
  }
  Status sent = Notify("notifications/initialized", nullptr);
  if (!sent.ok()) return sent.WithContext("notifications/initialized");
  if (!options_.log_level.empty() && server_capabilities_.contains("logging")) {
    CallResult level = Call("logging/setLevel", {{"level", options_.log_level}});
    if (!level.ok()) {
      WEFT_LOG(kInfo) << "logging/setLevel: " << level.status();
    }
  }
  return r;
}

Result<Json> Client::AnswerInputRequests(const Json& input_requests) {
  Json answers = Json::object();
  for (const auto& [key, request] : input_requests.items()) {
    if (!request.is_object() || !request.contains("method") || !request["method"].is_string()) {
      return Status::IoError("malformed input_required result: inputRequests[\"" + key +
                             "\"] has no string \"method\"");
    }
    std::string method = request["method"].get<std::string>();
    if (method != "roots/list" && method != "elicitation/create" && method != "sampling/createMessage") {
      return Status::FailedPrecondition("the server asked for input with unknown method " + method);
    }
    Json params = request.contains("params") && request["params"].is_object() ? request["params"]
                                                                               : Json::object();
    InputReply reply = handler_->Handle(method, params);
    if (auto* error = std::get_if<RpcError>(&reply)) {
      return Status::FailedPrecondition("cannot answer the server's " + method + " input request \"" +
                                        key + "\": " + error->message);
    }
    answers[key] = std::get<Json>(std::move(reply));
  }
  return answers;
}

CallResult Client::Call(const std::string& method, Json params, const CallOptions& options) {
  if (params.is_null()) params = Json::object();
  if (!params.is_object()) return Status::InvalidArgument(method + ": params must be a JSON object");
  if (era_ != Era::kModern) return RoundTrip(method, std::move(params), options, era_, protocol_version_);

  const Json original = params;
  Json retry_fields = Json::object();  // inputResponses and requestState for the next round
  for (int round = 0;; ++round) {
    Json sent = original;
    for (const auto& [k, v] : retry_fields.items()) sent[k] = v;
    Json request_meta = ModernMeta();
    if (sent.contains("_meta") && sent["_meta"].is_object()) {
      for (const auto& [k, v] : sent["_meta"].items()) request_meta[k] = v;
    }
    sent["_meta"] = std::move(request_meta);
    CallResult r = RoundTrip(method, std::move(sent), options, Era::kModern, protocol_version_);
    if (!r.ok()) return r;
    // A missing resultType reads as "complete" (2026-07-28 schema, Result).
    if (!r->contains("resultType") || (*r)["resultType"] != "input_required") return r;
    if (round >= options_.max_input_rounds) {
      return Status::ResourceExhausted(method + ": the server still wanted input after " +
                                       std::to_string(options_.max_input_rounds) + " rounds");
    }
    const Json* requests = r->contains("inputRequests") ? &(*r)["inputRequests"] : nullptr;
    const Json* state = r->contains("requestState") ? &(*r)["requestState"] : nullptr;
    if ((requests && !requests->is_object()) || (state && !state->is_string()) || (!requests && !state)) {
      return Status::IoError("malformed input_required result to " + method +
                             ": needs an object \"inputRequests\" and/or a string \"requestState\"");
    }
    retry_fields = Json::object();
    if (requests) {
      Result<Json> answers = AnswerInputRequests(*requests);
      if (!answers.ok()) return answers.status().WithContext(method);
      retry_fields["inputResponses"] = std::move(answers).value();
    }
    if (state) retry_fields["requestState"] = *state;
  }
}

CallResult Client::ListAll(const std::string& method, const std::string& items_key,
                           const CallOptions& options) {
  Json combined;
  Json items = Json::array();
  std::set<std::string> seen_cursors;
  std::string cursor;
  for (size_t page = 0; page < options_.max_pages; ++page) {
    Json params = Json::object();
    if (page > 0) params["cursor"] = cursor;
    CallResult r = Call(method, std::move(params), options);
    if (!r.ok()) return r;
    if (!r->contains(items_key) || !(*r)[items_key].is_array()) {
      return Status::IoError("malformed " + method + " result: \"" + items_key +
                             "\" is missing or not an array");
    }
    for (auto& item : (*r)[items_key]) items.push_back(std::move(item));
    if (combined.is_null()) combined = *r;
    auto next = r->find("nextCursor");
    if (next == r->end() || next->is_null()) {
      combined[items_key] = std::move(items);
      combined.erase("nextCursor");
      return combined;
    }
    if (!next->is_string()) {
      return Status::IoError("malformed " + method + " result: \"nextCursor\" is not a string");
    }
    cursor = next->get<std::string>();
    if (!seen_cursors.insert(cursor).second) {
      return Status::IoError("malformed " + method + " result: the server repeated nextCursor \"" +
                             cursor + "\"");
    }
  }
  return Status::ResourceExhausted(method + ": still more pages after " +
                                   std::to_string(options_.max_pages) + "; giving up");
}

CallResult Client::ListTools(const CallOptions& o) { return ListAll("tools/list", "tools", o); }
CallResult Client::ListResources(const CallOptions& o) { return ListAll("resources/list", "resources", o); }
CallResult Client::ListResourceTemplates(const CallOptions& o) {
  return ListAll("resources/templates/list", "resourceTemplates", o);
}
CallResult Client::ListPrompts(const CallOptions& o) { return ListAll("prompts/list", "prompts", o); }

CallResult Client::CallTool(const std::string& name, Json arguments, const CallOptions& o) {
  Json params = {{"name", name}};
  if (!arguments.is_null()) params["arguments"] = std::move(arguments);
  return Call("tools/call", std::move(params), o);
}

CallResult Client::ReadResource(const std::string& uri, const CallOptions& o) {
  return Call("resources/read", {{"uri", uri}}, o);
}

CallResult Client::GetPrompt(const std::string& name, Json arguments, const CallOptions& o) {
  Json params = {{"name", name}};
  if (!arguments.is_null()) params["arguments"] = std::move(arguments);
  return Call("prompts/get", std::move(params), o);
}

CallResult Client::Ping(const CallOptions& o) { return Call("ping", Json::object(), o); }

CallResult Client::Discover(const CallOptions& o) {
  return RoundTrip("server/discover", Json{{"_meta", ModernMeta()}}, o, Era::kModern,
                   std::string(kModernVersion));
}

}  // namespace weft::mcp
