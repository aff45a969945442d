// The venom registry: declaration checks, lookup, and checked calls.
#include "core/venoms/registry.h"

#include <cstdlib>
#include <utility>

#include "core/base/log.h"
#include "core/base/strings.h"

namespace weft::venoms {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// [a-z][a-z0-9]* for venoms; ops may also hold '_' (never first or last).
bool ValidName(std::string_view name, bool allow_underscore) {
  if (name.empty() || name.size() > 48 || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name) {
    if (!IsLowerAlnum(c) && !(allow_underscore && c == '_')) return false;
  }
  return name.back() != '_';
}

// The input schema's property `name` holds a path (string) or paths (array of strings).
bool IsPathProperty(const Json& input_schema, const std::string& name) {
  auto props = input_schema.find("properties");
  if (props == input_schema.end() || !props->is_object()) return false;
  auto prop = props->find(name);
  if (prop == props->end() || !prop->is_object()) return false;
  std::string type = prop->value("type", "");
  if (type == "string") return true;
  if (type != "array") return false;
  auto items = prop->find("items");
  return items != prop->end() && items->is_object() && items->value("type", "") == "string";
}

Status CheckPathUses(const std::string& name, const OpSpec& spec, const Json& input_schema) {
  bool writes = false;
  for (const PathUse& use : spec.paths) {
    if (use.arg.empty() && use.fallback.empty()) {
      return Status::InvalidArgument(StrCat({name, ": a path use needs an argument or a fixed path"}));
    }
    if (!use.arg.empty() && !IsPathProperty(input_schema, use.arg)) {
      return Status::InvalidArgument(StrCat({name, ": path use \"", use.arg, "\" is not a string or string-array "
                                             "property of the input schema"}));
    }
    writes = writes || use.access == PathAccess::kWrite;
  }
  bool needs_write = spec.right == Right::kFsWrite || spec.right == Right::kGitWrite || spec.right == Right::kExec ||
                     spec.right == Right::kAgentSpawn;
  if (needs_write && !writes) {
    return Status::InvalidArgument(StrCat({name, ": its right ", RightName(spec.right),
                                           " needs a kWrite path use (what a grant must be able to write)"}));
  }
  return Status::Ok();
}

}  // namespace

std::string_view RightName(Right right) {
  switch (right) {
    case Right::kFsRead: return "fs.read";
    case Right::kFsWrite: return "fs.write";
    case Right::kExec: return "exec";
    case Right::kGitRead: return "git.read";
    case Right::kGitWrite: return "git.write";
    case Right::kAgentSpawn: return "agent.spawn";
    case Right::kAdmin: return "admin";
  }
  return "admin";
}

bool IsReadRight(Right right) { return right == Right::kFsRead || right == Right::kGitRead; }

Reply Reply::WithText(Json data, std::string text) {
  Reply r;
  r.data = std::move(data);
  r.content = Json::array({{{"type", "text"}, {"text", std::move(text)}}});
  return r;
}

Reply Reply::WithJsonText(std::string data_json, std::string text) {
  Reply r = WithText(Json::object(), std::move(text));
  r.data_json = std::move(data_json);
  return r;
}

Registry::Registry(const SchemaStore& schemas) : schemas_(schemas) {}

Status Registry::Add(OpSpec spec) {
  if (!ValidName(spec.venom, false)) {
    return Status::InvalidArgument(StrCat({"bad venom name \"", spec.venom, "\": want [a-z][a-z0-9]*"}));
  }
  if (!ValidName(spec.op, true)) {
    return Status::InvalidArgument(StrCat({"bad op name \"", spec.op, "\": want [a-z][a-z0-9_]*"}));
  }
  std::string name = StrCat({spec.venom, "_", spec.op});
  if (spec.title.empty() || spec.description.empty()) {
    return Status::InvalidArgument(StrCat({name, ": a title and a description are required"}));
  }
  if (!spec.handler) return Status::InvalidArgument(StrCat({name, ": no handler"}));
  if (Find(spec.venom, spec.op) != nullptr) {
    return Status::AlreadyExists(StrCat({name, " is already registered"}));
  }
  auto op = std::make_unique<Op>();
  WEFT_ASSIGN_OR_RETURN(op->input, schemas_.Get(StrCat({spec.venom, "/", spec.op, ".input.json"})));
  WEFT_ASSIGN_OR_RETURN(op->output, schemas_.Get(StrCat({spec.venom, "/", spec.op, ".output.json"})));
  if (!HasObjectRoot(op->output->document())) {
    return Status::InvalidArgument(StrCat({name, ": the output schema needs \"type\":\"object\" at its root"}));
  }
  WEFT_RETURN_IF_ERROR(CheckPathUses(name, spec, op->input->document()));
  op->name = std::move(name);
  op->spec = std::move(spec);
  ops_.push_back(std::move(op));
  return Status::Ok();
}

void Registry::AddOrDie(OpSpec spec) {
  std::string name = StrCat({spec.venom, "_", spec.op});
  Status s = Add(std::move(spec));
  if (!s.ok()) {
    WEFT_LOG(kError) << "cannot register venom op " << name << ": " << s.message();
    std::abort();
  }
}

const Op* Registry::Find(std::string_view venom, std::string_view op) const {
  for (const auto& o : ops_) {
    if (o->spec.venom == venom && o->spec.op == op) return o.get();
  }
  return nullptr;
}

const Op* Registry::FindByName(std::string_view name) const {
  for (const auto& o : ops_) {
    if (o->name == name) return o.get();
  }
  return nullptr;
}

Result<Reply> Registry::Call(Context& ctx, const Op& op, const Json& args, Stage* failed_at) const {
  Stage unused;
  Stage& stage = failed_at != nullptr ? *failed_at : unused;
  stage = Stage::kArguments;
  std::vector<SchemaViolation> bad = op.input->Validate(args);
  if (!bad.empty()) {
    return Status::InvalidArgument(StrCat({"invalid arguments for ", op.name, ": ", DescribeViolations(bad)}));
  }
  stage = Stage::kHandler;
  WEFT_ASSIGN_OR_RETURN(Reply reply, op.spec.handler(ctx, args));
  stage = Stage::kReply;
  if (!reply.data_json.empty()) {
    reply.data = Json::parse(reply.data_json, nullptr, /*allow_exceptions=*/false);
    if (reply.data.is_discarded()) {
      return Status::Internal(StrCat({op.name, " wrote a reply that is not JSON"}));
    }
  }
  bad = op.output->Validate(reply.data);
  if (!bad.empty()) {
    return Status::Internal(StrCat({op.name, " produced a reply that breaks its output schema: ",
                                    DescribeViolations(bad)}));
  }
  return reply;
}

}  // namespace weft::venoms
