// PromptRegistry: prompts by name, with their prompts/list entries.
#include "mcp/registry/prompt_registry.h"

#include "mcp/registry/registration_failure.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <utility>

#include "core/base/log.h"

namespace weft::mcp {
namespace {

Status CheckSpec(const PromptSpec& spec) {
  if (spec.name.empty()) return Status::InvalidArgument("a prompt has no name");
  const std::string what = "prompt \"" + spec.name + "\"";
  if (!spec.handler) return Status::InvalidArgument(what + " has no handler");
  std::set<std::string> seen;
  for (const PromptArgument& arg : spec.arguments) {
    if (arg.name.empty()) return Status::InvalidArgument(what + " has an argument without a name");
    if (!seen.insert(arg.name).second) {
      return Status::InvalidArgument(what + " declares argument \"" + arg.name + "\" twice");
    }
  }
  return Status::Ok();
}

}  // namespace

Status PromptRegistry::Add(PromptSpec spec) {
  WEFT_RETURN_IF_ERROR(CheckSpec(spec));
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& p : prompts_) {
      if (p->name == spec.name) {
        return Status::AlreadyExists("prompt \"" + spec.name + "\" is already registered");
      }
    }
    prompts_.push_back(std::make_shared<const PromptSpec>(std::move(spec)));
  }
  changes_.Publish({ChangeKind::kPromptsChanged, ""});
  return Status::Ok();
}

void PromptRegistry::AddOrDie(PromptSpec spec) {
  std::string what = "prompt \"" + spec.name + "\"";
  AbortUnlessRegistered(Add(std::move(spec)), what);
}

Status PromptRegistry::Remove(const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = std::find_if(prompts_.begin(), prompts_.end(), [&](const auto& p) { return p->name == name; });
    if (it == prompts_.end()) return Status::NotFound("no prompt named \"" + name + "\"");
    prompts_.erase(it);
  }
  changes_.Publish({ChangeKind::kPromptsChanged, ""});
  return Status::Ok();
}

std::shared_ptr<const PromptSpec> PromptRegistry::Find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& p : prompts_) {
    if (p->name == name) return p;
  }
  return nullptr;
}

std::vector<std::shared_ptr<const PromptSpec>> PromptRegistry::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  return prompts_;
}

Json PromptRegistry::Descriptor(const PromptSpec& spec) {
  Json d = {{"name", spec.name}};
  if (!spec.title.empty()) d["title"] = spec.title;
  if (!spec.description.empty()) d["description"] = spec.description;
  if (!spec.arguments.empty()) {
    Json args = Json::array();
    for (const PromptArgument& arg : spec.arguments) {
      Json a = {{"name", arg.name}};
      if (!arg.description.empty()) a["description"] = arg.description;
      a["required"] = arg.required;
      args.push_back(std::move(a));
    }
    d["arguments"] = std::move(args);
  }
  return d;
}

}  // namespace weft::mcp
