// PromptRegistry: prompts (slash commands in Zed) with their arguments.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/result.h"
#include "mcp/registry/change_feed.h"
#include "mcp/registry/resource_registry.h"
#include "mcp/registry/request_context.h"

namespace weft::mcp {

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
};

// Returns a GetPromptResult: {description?, messages:[{role, content}]}.
// `arguments` is an object of string values; required ones are checked first.
using PromptHandler = std::function<Result<Json>(RequestContext& ctx, const Json& arguments)>;

struct PromptSpec {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  PromptHandler handler;
  Completer completer;  // optional: completion/complete for ref/prompt
};

// Thread-safe.
class PromptRegistry {
 public:
  Status Add(PromptSpec spec);
  void AddOrDie(PromptSpec spec);
  Status Remove(const std::string& name);
  std::shared_ptr<const PromptSpec> Find(const std::string& name) const;
  std::vector<std::shared_ptr<const PromptSpec>> List() const;
  static Json Descriptor(const PromptSpec& spec);
  ChangeFeed& changes() { return changes_; }

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const PromptSpec>> prompts_;  // guarded by mu_
  ChangeFeed changes_;
};

}  // namespace weft::mcp
