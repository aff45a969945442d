// Per-method result checks, the modern-era rules, and tool results against
// their declared outputSchema.
#include "mcp/client/spec_check.h"

#include <set>

#include "mcp/client/spec_shapes.h"
#include "core/schema/schema.h"

namespace weft::mcp {
namespace {

using spec::Checker;
using spec::Join;
using spec::Kind;

// Results that carry cache hints in 2026-07-28 (server/utilities/caching).
bool IsCacheable(std::string_view method) {
  return method == "tools/list" || method == "prompts/list" || method == "resources/list" ||
         method == "resources/templates/list" || method == "resources/read" ||
         method == "server/discover";
}

void CheckCacheHints(Checker& c, const Json& r) {
  auto ttl = r.find("ttlMs");
  if (ttl == r.end()) {
    c.Error("/ttlMs", "is required on this result in protocol 2026-07-28 (a non-negative integer)");
  } else if (!ttl->is_number_integer() || *ttl < 0) {
    c.Error("/ttlMs", "must be a non-negative integer");
  }
  if (!r.contains("cacheScope")) {
    c.Error("/cacheScope", "is required on this result in protocol 2026-07-28 (\"public\" or \"private\")");
  } else {
    c.OneOf(r, "", "cacheScope", {"public", "private"}, true);
  }
}

void CheckInputRequired(Checker& c, const Json& r) {
  const Json* requests = c.Optional(r, "", "inputRequests", Kind::kObject);
  c.Optional(r, "", "requestState", Kind::kString);
  if (!r.contains("inputRequests") && !r.contains("requestState")) {
    c.Error("", "an input_required result needs \"inputRequests\", \"requestState\" or both");
  }
  if (!requests) return;
  for (const auto& [key, request] : requests->items()) {
    std::string at = Join("/inputRequests", key);
    if (!c.Expect(request, at, Kind::kObject)) continue;
    c.OneOf(request, at, "method", {"elicitation/create", "sampling/createMessage", "roots/list"}, true);
    const Json method = request.value("method", Json());
    if (method == "elicitation/create" || method == "sampling/createMessage") {
      c.Required(request, at, "params", Kind::kObject);
    } else {
      c.Optional(request, at, "params", Kind::kObject);
    }
  }
}

// Returns false when the method-specific checks must be skipped (input_required).
bool CheckEraRules(Checker& c, std::string_view method, const Json& r) {
  const Json* meta = c.Optional(r, "", "_meta", Kind::kObject);
  if (!c.modern()) return true;
  auto type = r.find("resultType");
  if (type == r.end()) {
    c.Error("/resultType", "is missing: servers speaking protocol 2026-07-28 MUST include it "
                           "(\"complete\" or \"input_required\")");
  } else if (!type->is_string()) {
    c.Error("/resultType", "must be a string");
  } else if (*type == "input_required") {
    CheckInputRequired(c, r);
    return false;
  } else if (*type != "complete") {
    c.Error("/resultType", "\"" + type->get<std::string>() +
                               "\" is not a result type of protocol 2026-07-28 (\"complete\" or "
                               "\"input_required\")");
  }
  if (meta && meta->contains(meta::kServerInfo)) {
    CheckImplementation(c, (*meta)[meta::kServerInfo], Join("/_meta", meta::kServerInfo));
  } else {
    c.Warn("/_meta", std::string("has no \"") + meta::kServerInfo + "\"; servers SHOULD identify "
                                                                    "themselves on every result");
  }
  if (IsCacheable(method)) CheckCacheHints(c, r);
  return true;
}

void CheckNextCursor(Checker& c, const Json& r) { c.Optional(r, "", "nextCursor", Kind::kString); }

// Checks r[key] is an array and each element with `check`.
template <typename Fn>
void CheckEach(Checker& c, const Json& r, const char* key, Fn check) {
  const Json* items = c.Required(r, "", key, Kind::kArray);
  if (!items) return;
  for (size_t i = 0; i < items->size(); ++i) check(c, (*items)[i], Join(Join("", key), i));
}

void CheckInitialize(Checker& c, const Json& r) {
  c.Required(r, "", "protocolVersion", Kind::kString);
  if (const Json* caps = c.Required(r, "", "capabilities", Kind::kObject)) {
    CheckServerCapabilities(c, *caps, "/capabilities");
  }
  if (const Json* info = c.Required(r, "", "serverInfo", Kind::kObject)) {
    CheckImplementation(c, *info, "/serverInfo");
  }
  c.Optional(r, "", "instructions", Kind::kString);
}

void CheckDiscover(Checker& c, const Json& r) {
  if (const Json* versions = c.Required(r, "", "supportedVersions", Kind::kArray)) {
    if (versions->empty()) c.Error("/supportedVersions", "must name at least one version");
    for (size_t i = 0; i < versions->size(); ++i) {
      c.Expect((*versions)[i], Join("/supportedVersions", i), Kind::kString);
    }
  }
  if (const Json* caps = c.Required(r, "", "capabilities", Kind::kObject)) {
    CheckServerCapabilities(c, *caps, "/capabilities");
  }
  c.Optional(r, "", "instructions", Kind::kString);
}

void CheckListTools(Checker& c, const Json& r) {
  CheckEach(c, r, "tools", spec::CheckTool);
  CheckNextCursor(c, r);
  if (!r.contains("tools") || !r["tools"].is_array()) return;
  std::set<std::string> names;
  for (size_t i = 0; i < r["tools"].size(); ++i) {
    const Json& tool = r["tools"][i];
    if (!tool.is_object() || !tool.contains("name") || !tool["name"].is_string()) continue;
    std::string name = tool["name"].get<std::string>();
    if (!names.insert(name).second) c.Error(Join("/tools", i), "duplicate tool name \"" + name + "\"");
  }
}

void CheckCallTool(Checker& c, const Json& r) {
  CheckEach(c, r, "content", spec::CheckContentBlock);
  c.Optional(r, "", "isError", Kind::kBoolean);
  auto structured = r.find("structuredContent");
  if (structured == r.end()) return;
  if (!c.modern() && !structured->is_object()) {
    c.Error("/structuredContent", "must be an object in protocol " + c.context().protocol_version);
  }
  bool has_text = false;
  if (r.contains("content") && r["content"].is_array()) {
    for (const auto& block : r["content"]) {
      if (block.is_object() && block.value("type", Json()) == "text") has_text = true;
    }
  }
  if (!has_text) {
    c.Warn("/content", "has no text block; a tool returning structuredContent SHOULD also return "
                       "it serialised as text");
  }
}

void CheckCompletion(Checker& c, const Json& r) {
  const Json* completion = c.Required(r, "", "completion", Kind::kObject);
  if (!completion) return;
  if (const Json* values = c.Required(*completion, "/completion", "values", Kind::kArray)) {
    if (values->size() > 100) {
      c.Error("/completion/values", "has " + std::to_string(values->size()) + " items; at most 100 are allowed");
    }
    for (size_t i = 0; i < values->size(); ++i) {
      c.Expect((*values)[i], Join("/completion/values", i), Kind::kString);
    }
  }
  if (const Json* total = c.Optional(*completion, "/completion", "total", Kind::kInteger); total && *total < 0) {
    c.Error("/completion/total", "must not be negative");
  }
  c.Optional(*completion, "/completion", "hasMore", Kind::kBoolean);
}

void CheckMethod(Checker& c, std::string_view method, const Json& r) {
  if (method == "initialize") {
    CheckInitialize(c, r);
  } else if (method == "server/discover") {
    CheckDiscover(c, r);
  } else if (method == "tools/list") {
    CheckListTools(c, r);
  } else if (method == "tools/call") {
    CheckCallTool(c, r);
  } else if (method == "resources/list") {
    CheckEach(c, r, "resources", spec::CheckResource);
    CheckNextCursor(c, r);
  } else if (method == "resources/templates/list") {
    CheckEach(c, r, "resourceTemplates", spec::CheckResourceTemplate);
    CheckNextCursor(c, r);
  } else if (method == "resources/read") {
    CheckEach(c, r, "contents", spec::CheckResourceContents);
    if (r.contains("contents") && r["contents"].is_array() && r["contents"].empty()) {
      c.Error("/contents", "is empty; a resource that cannot be read is an error reply, never empty contents");
    }
  } else if (method == "prompts/list") {
    CheckEach(c, r, "prompts", spec::CheckPrompt);
    CheckNextCursor(c, r);
  } else if (method == "prompts/get") {
    CheckEach(c, r, "messages", spec::CheckPromptMessage);
    c.Optional(r, "", "description", Kind::kString);
  } else if (method == "completion/complete") {
    CheckCompletion(c, r);
  }
}

}  // namespace

std::string SpecProblem::ToString() const {
  return pointer.empty() ? message : pointer + ": " + message;
}

bool HasErrors(const std::vector<SpecProblem>& problems) {
  for (const auto& p : problems) {
    if (p.severity == Severity::kError) return true;
  }
  return false;
}

std::vector<SpecProblem> CheckResult(std::string_view method, const Json& result,
                                     const SpecContext& context) {
  Checker c(context);
  if (!result.is_object()) {
    c.Error("", std::string("a result must be a JSON object, not ") + result.type_name());
    return c.Take();
  }
  if (CheckEraRules(c, method, result)) CheckMethod(c, method, result);
  return c.Take();
}

std::vector<SpecProblem> CheckToolResult(const Json& tool, const Json& result) {
  Checker c(SpecContext{});
  if (!tool.is_object() || !result.is_object()) return {};
  auto schema = tool.find("outputSchema");
  auto is_error = result.find("isError");
  if (schema == tool.end() || (is_error != result.end() && *is_error == true)) return {};
  auto name_it = tool.find("name");
  const std::string name = name_it != tool.end() && name_it->is_string() ? name_it->get<std::string>() : "?";
  auto structured = result.find("structuredContent");
  if (structured == result.end()) {
    c.Error("/structuredContent", "is missing: tool \"" + name +
                                      "\" declares an outputSchema, so a successful result MUST carry "
                                      "structuredContent");
    return c.Take();
  }
  Result<std::unique_ptr<CompiledSchema>> compiled = CompiledSchema::Compile(*schema);
  if (!compiled.ok()) {
    c.Warn("/structuredContent", "not checked: the outputSchema of tool \"" + name +
                                     "\" cannot be compiled (" + compiled.status().message() + ")");
    return c.Take();
  }
  for (const SchemaViolation& v : (*compiled)->Validate(*structured)) {
    c.Error("/structuredContent" + v.path, v.message + " (outputSchema of tool \"" + name + "\")");
  }
  return c.Take();
}

}  // namespace weft::mcp
