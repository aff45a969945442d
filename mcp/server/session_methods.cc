// The method table and the handlers of every MCP method, for both eras.
#include <algorithm>
#include <chrono>

#include "core/base/base64.h"
#include "core/base/log.h"
#include "mcp/protocol/versions.h"
#include "mcp/server/call.h"
#include "mcp/server/session.h"

namespace weft::mcp {

struct Session::ListenStream {
  Json id;
  bool tools = false;
  bool prompts = false;
  bool resources = false;
  std::set<std::string> uris;
};

namespace {

constexpr size_t kMaxCompletionValues = 100;  // server/utilities/completion

RpcOutcome BadParams(const std::string& what) {
  return RpcOutcome::Fail(rpc::kInvalidParams, "Invalid params: " + what);
}

// Reads an optional string field; an error outcome if present with another type.
std::optional<RpcOutcome> OptionalString(const Json& params, const char* field, std::string* out) {
  auto it = params.find(field);
  if (it == params.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) return BadParams(std::string("\"") + field + "\" must be a string");
  *out = it->get<std::string>();
  return std::nullopt;
}

std::optional<RpcOutcome> RequiredString(const Json& params, const char* field, std::string* out) {
  auto it = params.find(field);
  if (it == params.end() || !it->is_string()) {
    return BadParams(std::string("\"") + field + "\" is required and must be a string");
  }
  *out = it->get<std::string>();
  return std::nullopt;
}

std::string EncodeCursor(size_t offset) { return Base64UrlEncode("offset:" + std::to_string(offset)); }

std::optional<size_t> DecodeCursor(const std::string& cursor) {
  auto raw = Base64UrlDecode(cursor);
  if (!raw || raw->rfind("offset:", 0) != 0) return std::nullopt;
  std::string digits = raw->substr(7);
  if (digits.empty() || digits.size() > 12 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return static_cast<size_t>(std::stoull(digits));
}

// The range [*offset, *end) of `count` items that the page `params` asks
// for shows (server/utilities/pagination: the cursor is opaque), or the
// error to answer.
std::optional<RpcOutcome> PageBounds(const Json& params, size_t count, size_t page_size, size_t* offset,
                                     size_t* end) {
  std::string cursor;
  if (auto bad = OptionalString(params, "cursor", &cursor)) return *bad;
  *offset = 0;
  if (!cursor.empty()) {
    auto decoded = DecodeCursor(cursor);
    if (!decoded || *decoded > count) return BadParams("unknown or expired cursor");
    *offset = *decoded;
  }
  *end = std::min(count, *offset + page_size);
  return std::nullopt;
}

// One page of `items` under `key`.
RpcOutcome Page(const Json& params, const char* key, std::vector<Json> items, size_t page_size) {
  size_t offset = 0, end = 0;
  if (auto bad = PageBounds(params, items.size(), page_size, &offset, &end)) return *bad;
  Json page = Json::array();
  for (size_t i = offset; i < end; ++i) page.push_back(std::move(items[i]));
  Json result = {{key, std::move(page)}};
  if (end < items.size()) result["nextCursor"] = EncodeCursor(end);
  return RpcOutcome::Ok(std::move(result));
}

// params.arguments as an object ({} when absent or null), or the error to answer.
std::optional<RpcOutcome> ArgumentsObject(const Json& params, const char* must_be, Json* out) {
  *out = params.value("arguments", Json::object());
  if (out->is_null()) *out = Json::object();
  if (!out->is_object()) return BadParams(std::string("\"arguments\" must be ") + must_be);
  return std::nullopt;
}

Json ToolErrorResult(const std::string& text) {
  return {{"content", Json::array({{{"type", "text"}, {"text", text}}})}, {"isError", true}};
}

// A tools/call the gate refused: a tool error the model reads
// ("<code>: <reason>"), with the code machine-readable in _meta. Not in
// structuredContent: clients check that against the tool's output schema
// even on errors.
Json DenialResult(const std::string& tool, const Refusal& refusal) {
  Json result = ToolErrorResult(refusal.code + ": " + refusal.reason);
  result["_meta"] = {{kDenialMetaKey, {{"code", refusal.code}, {"tool", tool}, {"reason", refusal.reason}}}};
  return result;
}

// A refused resources/read, subscription, prompts/get or completion: there
// is no tool result to carry it, so a JSON-RPC error (-32602, as a missing
// resource is in 2026-07-28) with the code in `data`.
RpcOutcome RefusalError(const Refusal& refusal, const char* what, const std::string& target) {
  return RpcOutcome::Fail(rpc::kInvalidParams, refusal.code + ": " + refusal.reason,
                          Json{{"code", refusal.code}, {what, target}, {"reason", refusal.reason}});
}

}  // namespace

const MethodInfo* FindMethod(const std::string& method) {
  //  name                         legacy modern worker cache  mrtr   params
  static const MethodInfo kMethods[] = {
      {"initialize", true, false, false, false, false, true, &Session::Initialize},
      {"ping", true, false, false, false, false, false, &Session::Ping},
      {"logging/setLevel", true, false, false, false, false, true, &Session::SetLogLevel},
      {"resources/subscribe", true, false, false, false, false, true, &Session::Subscribe},
      {"resources/unsubscribe", true, false, false, false, false, true, &Session::Unsubscribe},
      {"server/discover", false, true, false, true, false, true, &Session::Discover},
      {"subscriptions/listen", false, true, false, false, false, true, &Session::Listen},
      {"tools/list", true, true, false, true, false, false, &Session::ToolsList},
      {"tools/call", true, true, true, false, true, true, &Session::ToolsCall},
      {"resources/list", true, true, false, true, false, false, &Session::ResourcesList},
      {"resources/templates/list", true, true, false, true, false, false, &Session::TemplatesList},
      {"resources/read", true, true, true, true, true, true, &Session::ResourcesRead},
      {"prompts/list", true, true, false, true, false, false, &Session::PromptsList},
      {"prompts/get", true, true, true, false, true, true, &Session::PromptsGet},
      {"completion/complete", true, true, true, false, false, true, &Session::Complete},
  };
  for (const auto& m : kMethods) {
    if (method == m.name) return &m;
  }
  return nullptr;
}

RpcOutcome Session::Dispatch(Call& call) {
  const MethodInfo* info = FindMethod(call.method());
  if (info == nullptr) return RpcOutcome::Fail(rpc::kMethodNotFound, "Method not found: " + call.method());
  if (call.era() == Era::kModern && info->mrtr) {
    if (auto err = RestoreRound(call)) return {nullptr, std::move(err), false, {}};
  }
  if (info->params && !call.request().has_params()) {
    return BadParams(call.method() + " needs params");
  }
  auto start = std::chrono::steady_clock::now();
  auto arrived = std::chrono::system_clock::now();
  RpcOutcome outcome;
  try {
    outcome = (this->*(info->handler))(call);
  } catch (const std::exception& e) {
    // Handlers report failures as Status; an exception escaping one (from a
    // JSON library call on a value of the wrong type, say) is a bug. Answer
    // it as an internal error rather than lose the server.
    WEFT_LOG(kError) << call.method() << " threw: " << e.what();
    outcome = RpcOutcome::Fail(rpc::kInternalError, std::string("Internal error: ") + e.what());
  }
  if (info->mrtr) {
    if (auto input = InputOutcome(call)) outcome = std::move(*input);
  }
  RequestRecord record;
  record.method = call.method();
  record.era = call.era();
  if (call.method() == "tools/call" || call.method() == "prompts/get") {
    record.target = StringOr(call.params(), "name");
  } else if (call.method() == "resources/read") {
    record.target = StringOr(call.params(), "uri");
  }
  record.duration = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  record.error_code = outcome.error ? outcome.error->code : 0;
  record.tool_error = !outcome.error && outcome.result.is_object() && BoolOr(outcome.result, "isError", false);
  record.input_required = !outcome.error && outcome.result.is_object() &&
                          StringOr(outcome.result, "resultType") == "input_required";
  record.cancelled = call.cancelled();
  server_.Observe(record);
  if (gate_ != nullptr && record.method == "tools/call") {
    ToolCallRecord done;
    done.tool = record.target;
    auto args = call.params().find("arguments");
    done.arguments = args != call.params().end() ? &*args : nullptr;
    done.refusal = call.refusal();
    done.admitted = call.admitted();
    done.arrived = arrived;
    done.duration = record.duration;
    done.error_code = record.error_code;
    done.tool_error = record.tool_error;
    done.input_required = record.input_required;
    done.cancelled = record.cancelled;
    gate_->Finished(done);
  }
  return outcome;
}

Message Session::Finish(Call& call, RpcOutcome outcome) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_.erase(call.key());
  }
  if (outcome.error) return Message::Error(call.request().id, std::move(*outcome.error));
  Json& result = outcome.result;
  if (!result.is_object()) result = Json::object();
  if (call.era() == Era::kModern) {
    // 2026-07-28: every result says what it is and who served it.
    if (!result.contains("resultType")) result["resultType"] = "complete";
    if (!result.contains("_meta") || !result["_meta"].is_object()) result["_meta"] = Json::object();
    result["_meta"][meta::kServerInfo] = server_.Implementation();
    const MethodInfo* info = FindMethod(call.method());
    if (info && info->cacheable && result["resultType"] == "complete") {
      bool read = call.method() == "resources/read";
      result["ttlMs"] = read ? server_.options().read_ttl_ms : server_.options().list_ttl_ms;
      result["cacheScope"] = "private";  // lists and contents may differ per client grant
    }
  }
  return Message::Response(call.request().id, std::move(result), std::move(outcome.result_text));
}

std::optional<RpcError> Session::RestoreRound(Call& call) {
  const Json& p = call.params();
  Json responses = Json::object();
  if (auto it = p.find("requestState"); it != p.end() && !it->is_null()) {
    if (!it->is_string()) return RpcError{rpc::kInvalidParams, "Invalid params: \"requestState\" must be a string", nullptr};
    Result<Json> state = server_.UnsealState(it->get<std::string>());
    if (!state.ok()) {
      return RpcError{rpc::kInvalidParams, "Invalid params: requestState " + state.status().message(), nullptr};
    }
    // The state is bound to the request it was issued for.
    std::string target = StringOr(p, "name", StringOr(p, "uri"));
    if (StringOr(*state, "m") != call.method() || StringOr(*state, "t") != target) {
      return RpcError{rpc::kInvalidParams, "Invalid params: requestState was issued for another request", nullptr};
    }
    responses = (*state).value("r", Json::object());
    call.SetVerifiedState((*state).value("s", Json()));
  }
  if (auto it = p.find("inputResponses"); it != p.end() && !it->is_null()) {
    if (!it->is_object()) return RpcError{rpc::kInvalidParams, "Invalid params: \"inputResponses\" must be an object", nullptr};
    for (const auto& [key, value] : it->items()) {
      if (!value.is_object()) {
        return RpcError{rpc::kInvalidParams, "Invalid params: inputResponses[\"" + key + "\"] must be an object", nullptr};
      }
      responses[key] = value;
    }
  }
  call.SetInputResponses(std::move(responses));
  return std::nullopt;
}

std::optional<RpcOutcome> Session::InputOutcome(Call& call) {
  if (call.era() != Era::kModern) return std::nullopt;
  if (!call.missing_capability().is_null()) {
    return RpcOutcome::Fail(rpc::kMissingClientCapability,
                            "Missing required client capability: " + call.missing_capability().begin().key(),
                            Json{{"requiredCapabilities", call.missing_capability()}});
  }
  if (call.pending_inputs().empty()) return std::nullopt;
  const Json& p = call.params();
  Json state = {{"m", call.method()},
                {"t", StringOr(p, "name", StringOr(p, "uri"))},
                {"r", call.input_responses()},
                {"s", call.new_state()}};
  return RpcOutcome::Ok({{"resultType", "input_required"},
                         {"inputRequests", call.pending_inputs()},
                         {"requestState", server_.SealState(state)}});
}

RpcOutcome Session::Initialize(Call& call) {
  const Json& p = call.params();
  std::string requested;
  if (auto bad = RequiredString(p, "protocolVersion", &requested)) return *bad;
  if (p.contains("capabilities") && !p["capabilities"].is_object()) {
    return BadParams("\"capabilities\" must be an object");
  }
  std::string version(NegotiateLegacyVersion(requested));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (initialized_) return RpcOutcome::Fail(rpc::kInvalidRequest, "Invalid Request: the session is already initialized");
    initialized_ = true;
    legacy_version_ = version;
    legacy_client_caps_ = p.contains("capabilities") ? p["capabilities"] : Json::object();
    legacy_client_info_ = p.value("clientInfo", Json());
  }
  if (version != requested) {
    WEFT_LOG(kInfo) << "client asked for protocol " << requested << "; answering " << version;
  }
  Json result = {{"protocolVersion", version},
                 {"capabilities", server_.Capabilities()},
                 {"serverInfo", server_.Implementation()}};
  if (!server_.options().instructions.empty()) result["instructions"] = server_.options().instructions;
  return RpcOutcome::Ok(std::move(result));
}

RpcOutcome Session::Ping(Call&) { return RpcOutcome::Ok(Json::object()); }

RpcOutcome Session::Discover(Call&) {
  Json versions = Json::array({std::string(kModernVersion)});
  for (auto v : kLegacyVersions) versions.push_back(std::string(v));
  Json result = {{"supportedVersions", std::move(versions)},
                 {"capabilities", server_.Capabilities()},
                 {"serverInfo", server_.Implementation()}};
  if (!server_.options().instructions.empty()) result["instructions"] = server_.options().instructions;
  return RpcOutcome::Ok(std::move(result));
}

RpcOutcome Session::SetLogLevel(Call& call) {
  std::string level;
  if (auto bad = RequiredString(call.params(), "level", &level)) return *bad;
  int idx = LogLevelIndex(level);
  if (idx < 0) {
    return BadParams("\"level\" must be one of debug, info, notice, warning, error, critical, alert, emergency");
  }
  std::lock_guard<std::mutex> lock(mu_);
  log_threshold_ = idx;
  return RpcOutcome::Ok(Json::object());
}

RpcOutcome Session::ToolsList(Call& call) {
  // The descriptors (their schemas are most of them) are written straight
  // from the registry as JSON text: copying them into a reply to serialise
  // would hold a second copy of every schema for the length of the call,
  // and the heap keeps the high-water mark.
  std::vector<std::shared_ptr<const Tool>> tools = server_.tools().List();
  if (gate_ != nullptr) std::erase_if(tools, [this](const auto& tool) { return !gate_->ShowsTool(*tool); });
  size_t offset = 0, end = 0;
  if (auto bad = PageBounds(call.params(), tools.size(), server_.options().page_size, &offset, &end)) return *bad;
  std::string page = "[";
  for (size_t i = offset; i < end; ++i) {
    if (i > offset) page.push_back(',');
    AppendJson(tools[i]->descriptor, &page);
  }
  page.push_back(']');
  Json result = Json::object();
  if (end < tools.size()) result["nextCursor"] = EncodeCursor(end);
  std::vector<JsonTextMember> text;
  text.push_back({"tools", std::move(page)});
  return RpcOutcome::Ok(std::move(result), std::move(text));
}

RpcOutcome Session::ToolsCall(Call& call) {
  const Json& p = call.params();
  std::string name;
  if (auto bad = RequiredString(p, "name", &name)) return *bad;
  auto tool = server_.tools().Find(name);
  if (!tool) return RpcOutcome::Fail(rpc::kInvalidParams, "Unknown tool: " + name);
  Json args;
  if (auto bad = ArgumentsObject(p, "an object", &args)) return *bad;
  // The grant first, so a refused tool reveals nothing of its arguments' rules.
  if (gate_ != nullptr) {
    if (std::optional<Refusal> no = gate_->AdmitTool(*tool)) {
      call.set_refusal(*no);
      return RpcOutcome::Ok(DenialResult(name, *no));
    }
  }
  // Arguments that break the schema are the model's to fix: a tool error (SEP-1303).
  auto violations = tool->input->Validate(args);
  if (!violations.empty()) {
    return RpcOutcome::Ok(ToolErrorResult("Invalid arguments for tool \"" + name + "\": " +
                                          DescribeViolations(violations)));
  }
  if (gate_ != nullptr) {
    if (std::optional<Refusal> no = gate_->AdmitArguments(*tool, args)) {
      call.set_refusal(*no);
      return RpcOutcome::Ok(DenialResult(name, *no));
    }
  }
  call.set_admitted();
  Result<ToolResult> r = tool->spec.handler(call, args);
  if (!r.ok()) return RpcOutcome::Ok(ToolErrorResult(r.status().message()));
  ToolResult tool_result = std::move(r).value();
  Json& result = tool_result.result;
  if (!result.is_object()) {
    return RpcOutcome::Fail(rpc::kInternalError, "Internal error: tool \"" + name + "\" returned a non-object result");
  }
  if (!result.contains("content")) result["content"] = Json::array();
  if (!tool_result.structured_json.empty()) {
    // Written as text by a tool whose tests prove it conforms (ToolResult):
    // spliced in as it is, neither parsed nor checked here.
    std::vector<JsonTextMember> text;
    text.push_back({"structuredContent", std::move(tool_result.structured_json)});
    return RpcOutcome::Ok(std::move(result), std::move(text));
  }
  bool is_error = BoolOr(result, "isError", false);
  if (tool->output != nullptr && !is_error) {
    // A result that breaks the tool's own output schema is a bug in the tool.
    auto sc = result.find("structuredContent");
    std::string problem = sc == result.end() ? "it has no structuredContent"
                                             : DescribeViolations(tool->output->Validate(*sc));
    if (!problem.empty()) {
      WEFT_LOG(kError) << "tool " << name << " broke its output schema: " << problem;
      return RpcOutcome::Fail(rpc::kInternalError, "Internal error: tool \"" + name +
                                                       "\" produced a result that breaks its output schema: " + problem);
    }
  }
  return RpcOutcome::Ok(std::move(result));
}

RpcOutcome Session::ResourcesList(Call& call) {
  std::vector<Json> items = server_.resources().ListDescriptors();
  if (gate_ != nullptr) {
    std::erase_if(items, [this](const Json& d) { return !gate_->ShowsResource(StringOr(d, "uri")); });
  }
  return Page(call.params(), "resources", std::move(items), server_.options().page_size);
}

RpcOutcome Session::TemplatesList(Call& call) {
  std::vector<Json> items;
  for (const auto& t : server_.resources().ListTemplates()) items.push_back(ResourceRegistry::Descriptor(*t));
  return Page(call.params(), "resourceTemplates", std::move(items), server_.options().page_size);
}

RpcOutcome Session::ResourcesRead(Call& call) {
  std::string uri;
  if (auto bad = RequiredString(call.params(), "uri", &uri)) return *bad;
  if (gate_ != nullptr) {
    if (std::optional<Refusal> no = gate_->AdmitResource(uri)) return RefusalError(*no, "uri", uri);
  }
  Result<Json> contents = server_.resources().Read(call, uri);
  if (!contents.ok()) {
    if (call.era() == Era::kModern && !call.pending_inputs().empty()) return RpcOutcome::Ok(Json::object());
    if (contents.status().code() == StatusCode::kNotFound) {
      // -32002 until 2025-11-25; 2026-07-28 renumbered it to -32602 (sep-2164).
      int code = call.era() == Era::kModern ? rpc::kInvalidParams : rpc::kResourceNotFoundLegacy;
      return RpcOutcome::Fail(code, "Resource not found: " + uri, Json{{"uri", uri}});
    }
    return RpcOutcome::Fail(rpc::kInternalError, "Internal error reading " + uri + ": " + contents.status().message());
  }
  return RpcOutcome::Ok({{"contents", std::move(contents).value()}});
}

RpcOutcome Session::Subscribe(Call& call) {
  std::string uri;
  if (auto bad = RequiredString(call.params(), "uri", &uri)) return *bad;
  if (!server_.resources().Exists(uri)) {
    return RpcOutcome::Fail(rpc::kResourceNotFoundLegacy, "Resource not found: " + uri, Json{{"uri", uri}});
  }
  if (gate_ != nullptr) {
    if (std::optional<Refusal> no = gate_->AdmitResource(uri)) return RefusalError(*no, "uri", uri);
  }
  // Interest first, as for listen streams; a repeated subscribe gives it back.
  server_.resources().AddInterest(uri);
  bool added = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    added = subscribed_uris_.insert(uri).second;
  }
  if (!added) server_.resources().DropInterest(uri);
  return RpcOutcome::Ok(Json::object());
}

RpcOutcome Session::Unsubscribe(Call& call) {
  std::string uri;
  if (auto bad = RequiredString(call.params(), "uri", &uri)) return *bad;
  bool removed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    removed = subscribed_uris_.erase(uri) > 0;
  }
  if (removed) server_.resources().DropInterest(uri);
  return RpcOutcome::Ok(Json::object());
}

RpcOutcome Session::PromptsList(Call& call) {
  std::vector<Json> items;
  for (const auto& pr : server_.prompts().List()) items.push_back(PromptRegistry::Descriptor(*pr));
  return Page(call.params(), "prompts", std::move(items), server_.options().page_size);
}

RpcOutcome Session::PromptsGet(Call& call) {
  const Json& p = call.params();
  std::string name;
  if (auto bad = RequiredString(p, "name", &name)) return *bad;
  auto prompt = server_.prompts().Find(name);
  if (!prompt) return RpcOutcome::Fail(rpc::kInvalidParams, "Unknown prompt: " + name);
  if (gate_ != nullptr) {
    if (std::optional<Refusal> no = gate_->AdmitPrompt(name)) return RefusalError(*no, "prompt", name);
  }
  Json args;
  if (auto bad = ArgumentsObject(p, "an object of strings", &args)) return *bad;
  for (const auto& [k, v] : args.items()) {
    if (!v.is_string()) return BadParams("argument \"" + k + "\" must be a string");
  }
  for (const auto& a : prompt->arguments) {
    if (a.required && !args.contains(a.name)) {
      return BadParams("prompt \"" + name + "\" needs the argument \"" + a.name + "\"");
    }
  }
  Result<Json> r = prompt->handler(call, args);
  if (!r.ok()) {
    if (call.era() == Era::kModern && !call.pending_inputs().empty()) return RpcOutcome::Ok(Json::object());
    return RpcOutcome::Fail(rpc::kInternalError, "Internal error in prompt \"" + name + "\": " + r.status().message());
  }
  return RpcOutcome::Ok(std::move(r).value());
}

RpcOutcome Session::Complete(Call& call) {
  const Json& p = call.params();
  auto ref = p.find("ref");
  if (ref == p.end() || !ref->is_object()) return BadParams("\"ref\" is required and must be an object");
  auto arg = p.find("argument");
  if (arg == p.end() || !arg->is_object() || !arg->contains("name") || !(*arg)["name"].is_string()) {
    return BadParams("\"argument\" must be an object with a string \"name\"");
  }
  std::string arg_name = (*arg)["name"].get<std::string>();
  std::string value = StringOr(*arg, "value");
  Json context_args = Json::object();
  if (auto ctx = p.find("context"); ctx != p.end() && ctx->is_object()) {
    context_args = ctx->value("arguments", Json::object());
  }
  std::string type = StringOr(*ref, "type");
  if (gate_ != nullptr) {
    // Completions name what exists (files, prompt values): only a live grant gets them.
    if (std::optional<Refusal> no = gate_->AdmitPrompt("")) return RefusalError(*no, "ref", type);
  }
  Completer completer;
  if (type == "ref/prompt") {
    std::string name = StringOr(*ref, "name");
    auto prompt = server_.prompts().Find(name);
    if (!prompt) return RpcOutcome::Fail(rpc::kInvalidParams, "Unknown prompt: " + name);
    completer = prompt->completer;
  } else if (type == "ref/resource") {
    std::string uri = StringOr(*ref, "uri");
    auto tmpl = server_.resources().FindTemplate(uri);
    if (!tmpl) return RpcOutcome::Fail(rpc::kInvalidParams, "Unknown resource template: " + uri);
    completer = tmpl->completer;
  } else {
    return BadParams("\"ref.type\" must be \"ref/prompt\" or \"ref/resource\"");
  }
  std::vector<std::string> values;
  if (completer) values = completer(arg_name, value, context_args);
  size_t total = values.size();
  if (values.size() > kMaxCompletionValues) values.resize(kMaxCompletionValues);
  Json completion = {{"values", values}, {"total", total}, {"hasMore", total > values.size()}};
  return RpcOutcome::Ok({{"completion", std::move(completion)}});
}

RpcOutcome Session::Listen(Call& call) {
  auto n = call.params().find("notifications");
  if (n == call.params().end() || !n->is_object()) {
    return BadParams("\"notifications\" is required and must be an object");
  }
  auto stream = std::make_shared<ListenStream>();
  stream->id = call.request().id;
  Json agreed = Json::object();
  auto flag = [&](const char* key, bool* out) -> bool {
    auto it = n->find(key);
    if (it == n->end()) return true;
    if (!it->is_boolean()) return false;
    *out = it->get<bool>();
    if (*out) agreed[key] = true;
    return true;
  };
  if (!flag("toolsListChanged", &stream->tools) || !flag("promptsListChanged", &stream->prompts) ||
      !flag("resourcesListChanged", &stream->resources)) {
    return BadParams("notification filters must be booleans");
  }
  if (auto rs = n->find("resourceSubscriptions"); rs != n->end()) {
    if (!rs->is_array()) return BadParams("\"resourceSubscriptions\" must be an array of URIs");
    Json uris = Json::array();
    for (const auto& u : *rs) {
      if (!u.is_string()) return BadParams("\"resourceSubscriptions\" must be an array of URIs");
      // A resource the grant may not read is left out of what is agreed.
      if (gate_ != nullptr && gate_->AdmitResource(u.get<std::string>())) continue;
      stream->uris.insert(u.get<std::string>());
      uris.push_back(u);
    }
    agreed["resourceSubscriptions"] = std::move(uris);
  }
  // Interest first: the stream may be cancelled (and release it) as soon as it is listed.
  for (const std::string& uri : stream->uris) server_.resources().AddInterest(uri);
  {
    std::lock_guard<std::mutex> lock(mu_);
    listens_[call.key()] = stream;
  }
  // basic/patterns/subscriptions: acknowledge first, tagged with the stream's id.
  Json ack = {{"_meta", {{meta::kSubscriptionId, stream->id}}}, {"notifications", std::move(agreed)}};
  outbox_->Send(Message::Notification("notifications/subscriptions/acknowledged", std::move(ack)),
                WriteRoute{stream->id, false});
  return RpcOutcome::KeepOpen();
}

void Session::ReleaseInterest(const std::vector<std::shared_ptr<ListenStream>>& streams,
                              const std::set<std::string>& uris) {
  for (const auto& stream : streams) {
    for (const std::string& uri : stream->uris) server_.resources().DropInterest(uri);
  }
  for (const std::string& uri : uris) server_.resources().DropInterest(uri);
}

void Session::OnChange(const ChangeEvent& event) {
  const char* method = nullptr;
  switch (event.kind) {
    case ChangeKind::kToolsChanged: method = "notifications/tools/list_changed"; break;
    case ChangeKind::kPromptsChanged: method = "notifications/prompts/list_changed"; break;
    case ChangeKind::kResourcesChanged: method = "notifications/resources/list_changed"; break;
    case ChangeKind::kResourceUpdated: method = "notifications/resources/updated"; break;
  }
  Json params = Json::object();
  if (event.kind == ChangeKind::kResourceUpdated) params["uri"] = event.uri;
  bool legacy_send = false;
  std::vector<std::shared_ptr<ListenStream>> streams;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (initialized_) {
      legacy_send = event.kind != ChangeKind::kResourceUpdated || subscribed_uris_.count(event.uri) > 0;
    }
    for (auto& [k, s] : listens_) {
      bool wants = (event.kind == ChangeKind::kToolsChanged && s->tools) ||
                   (event.kind == ChangeKind::kPromptsChanged && s->prompts) ||
                   (event.kind == ChangeKind::kResourcesChanged && s->resources) ||
                   (event.kind == ChangeKind::kResourceUpdated && s->uris.count(event.uri) > 0);
      if (wants) streams.push_back(s);
    }
  }
  if (legacy_send) outbox_->Send(Message::Notification(method, params));
  for (const auto& s : streams) {
    Json tagged = params;
    tagged["_meta"] = {{meta::kSubscriptionId, s->id}};
    outbox_->Send(Message::Notification(method, std::move(tagged)), WriteRoute{s->id, false});
  }
}

}  // namespace weft::mcp
