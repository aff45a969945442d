// ToolRegistry: checks each tool declaration once and derives its tools/list entry.
#include "mcp/registry/tool_registry.h"

#include "mcp/registry/registration_failure.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "core/base/json.h"
#include "core/base/log.h"

namespace weft::mcp {
namespace {

constexpr size_t kMaxToolNameLength = 128;

// The annotations object (2025-03-26 server/tools): only the hints the tool
// states, plus its title for clients from before the top-level "title".
Json AnnotationsJson(const ToolSpec& spec) {
  Json out = Json::object();
  if (!spec.title.empty()) out["title"] = spec.title;
  const ToolAnnotations& a = spec.annotations;
  if (a.read_only) out["readOnlyHint"] = *a.read_only;
  if (a.destructive) out["destructiveHint"] = *a.destructive;
  if (a.idempotent) out["idempotentHint"] = *a.idempotent;
  if (a.open_world) out["openWorldHint"] = *a.open_world;
  return out;
}

Json BuildDescriptor(const ToolSpec& spec, const CompiledSchema& input, const CompiledSchema* output) {
  Json d = Json::object();
  d["name"] = spec.name;
  if (!spec.title.empty()) d["title"] = spec.title;
  if (!spec.description.empty()) d["description"] = spec.description;
  d["inputSchema"] = input.document();
  if (output) d["outputSchema"] = output->document();
  Json annotations = AnnotationsJson(spec);
  if (!annotations.empty()) d["annotations"] = std::move(annotations);
  if (!spec.meta.is_null()) d["_meta"] = spec.meta;
  return d;
}

// Looks up one of the tool's schemas; `role` is "input" or "output".
Result<const CompiledSchema*> FindObjectSchema(const SchemaStore& schemas, const ToolSpec& spec,
                                               const std::string& path, const char* role) {
  Result<const CompiledSchema*> schema = schemas.Get(path);
  if (!schema.ok()) {
    return schema.status().WithContext("tool \"" + spec.name + "\": " + role + " schema");
  }
  if (!HasObjectRoot((*schema)->document())) {
    return Status::InvalidArgument("tool \"" + spec.name + "\": " + role + " schema \"" + path +
                                   "\" must have \"type\":\"object\" at its root");
  }
  return schema;
}

}  // namespace

Json ToolResult::ToJson() const {
  if (structured_json.empty()) return result;
  return MergeJsonTextMembers(result, {{"structuredContent", structured_json}});
}

bool IsValidToolName(const std::string& name) {
  if (name.empty() || name.size() > kMaxToolNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

ToolRegistry::ToolRegistry(const SchemaStore& schemas) : schemas_(schemas) {}

Status ToolRegistry::Add(ToolSpec spec) {
  if (!IsValidToolName(spec.name)) {
    return Status::InvalidArgument("tool name \"" + spec.name +
                                   "\" is invalid: use 1 to 128 characters from A-Z a-z 0-9 _ . -");
  }
  if (!spec.handler) return Status::InvalidArgument("tool \"" + spec.name + "\" has no handler");
  if (spec.input_schema.empty()) {
    return Status::InvalidArgument("tool \"" + spec.name +
                                   "\" has no input schema (a tool without arguments uses one that "
                                   "allows an empty object)");
  }
  WEFT_ASSIGN_OR_RETURN(const CompiledSchema* input,
                        FindObjectSchema(schemas_, spec, spec.input_schema, "input"));
  const CompiledSchema* output = nullptr;
  if (!spec.output_schema.empty()) {
    WEFT_ASSIGN_OR_RETURN(output, FindObjectSchema(schemas_, spec, spec.output_schema, "output"));
  }
  auto tool = std::make_shared<Tool>();
  tool->descriptor = BuildDescriptor(spec, *input, output);
  tool->input = input;
  tool->output = output;
  tool->spec = std::move(spec);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& existing : tools_) {
      if (existing->spec.name == tool->spec.name) {
        return Status::AlreadyExists("tool \"" + tool->spec.name + "\" is already registered");
      }
    }
    tools_.push_back(std::move(tool));
  }
  changes_.Publish({ChangeKind::kToolsChanged, ""});
  return Status::Ok();
}

void ToolRegistry::AddOrDie(ToolSpec spec) {
  std::string what = "tool \"" + spec.name + "\"";
  AbortUnlessRegistered(Add(std::move(spec)), what);
}

Status ToolRegistry::Remove(const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = std::find_if(tools_.begin(), tools_.end(),
                           [&](const auto& tool) { return tool->spec.name == name; });
    if (it == tools_.end()) return Status::NotFound("no tool named \"" + name + "\"");
    tools_.erase(it);
  }
  changes_.Publish({ChangeKind::kToolsChanged, ""});
  return Status::Ok();
}

std::shared_ptr<const Tool> ToolRegistry::Find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& tool : tools_) {
    if (tool->spec.name == name) return tool;
  }
  return nullptr;
}

std::vector<std::shared_ptr<const Tool>> ToolRegistry::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tools_;
}

}  // namespace weft::mcp
