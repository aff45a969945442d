// Structural checks of the MCP object shapes (Tool, content blocks, resources,
// prompts, Implementation, capabilities) that spec_check.cc composes into
// per-method result checks. Internal to weft_mcp_client.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mcp/client/spec_check.h"

namespace weft::mcp::spec {

enum class Kind { kString, kBoolean, kNumber, kInteger, kObject, kArray };

// "/a" + "b~c/d" → "/a/b~0c~1d" (RFC 6901 escaping).
std::string Join(const std::string& pointer, std::string_view key);
std::string Join(const std::string& pointer, size_t index);

// Collects problems while walking one result. Not thread-safe; one per check.
class Checker {
 public:
  explicit Checker(SpecContext context) : context_(std::move(context)) {}

  const SpecContext& context() const { return context_; }
  bool modern() const { return context_.era == Era::kModern; }

  void Error(std::string pointer, std::string message);
  void Warn(std::string pointer, std::string message);
  std::vector<SpecProblem> Take() { return std::move(problems_); }

  // The member `key` of object `obj` (at `pointer`) if it has type `kind`;
  // nullptr when absent or mistyped. Absence is an error for Required only.
  const Json* Required(const Json& obj, const std::string& pointer, const char* key, Kind kind);
  const Json* Optional(const Json& obj, const std::string& pointer, const char* key, Kind kind);
  // Checks that `value` has type `kind`, recording an error if not.
  bool Expect(const Json& value, const std::string& pointer, Kind kind);
  // A required or optional string that must be one of `allowed`.
  void OneOf(const Json& obj, const std::string& pointer, const char* key,
             const std::vector<std::string_view>& allowed, bool required);

 private:
  SpecContext context_;
  std::vector<SpecProblem> problems_;
};

// Each checks the value at `pointer`, which the caller found in the result.
void CheckImplementation(Checker& c, const Json& value, const std::string& pointer);
void CheckServerCapabilities(Checker& c, const Json& value, const std::string& pointer);
void CheckTool(Checker& c, const Json& value, const std::string& pointer);
void CheckContentBlock(Checker& c, const Json& value, const std::string& pointer);
void CheckAnnotations(Checker& c, const Json& value, const std::string& pointer);
void CheckResource(Checker& c, const Json& value, const std::string& pointer);
void CheckResourceTemplate(Checker& c, const Json& value, const std::string& pointer);
void CheckResourceContents(Checker& c, const Json& value, const std::string& pointer);
void CheckPrompt(Checker& c, const Json& value, const std::string& pointer);
void CheckPromptMessage(Checker& c, const Json& value, const std::string& pointer);

}  // namespace weft::mcp::spec
