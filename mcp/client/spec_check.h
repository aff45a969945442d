// Spec checks for what an MCP server replies: the result shape of each method
// in the revision that was spoken, and tool results against their outputSchema.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcp/protocol/versions.h"

namespace weft::mcp {

using Json = nlohmann::json;

enum class Severity {
  kError,    // breaks a MUST or the schema
  kWarning,  // breaks a SHOULD, or could not be checked
};

// One way a reply departs from the spec.
struct SpecProblem {
  Severity severity = Severity::kError;
  std::string pointer;  // JSON Pointer into the checked result ("" = the result itself)
  std::string message;  // for a person to read

  // "<pointer>: <message>", or just the message for the result as a whole.
  std::string ToString() const;
};

// The revision a reply was produced under.
struct SpecContext {
  Era era = Era::kLegacy;
  std::string protocol_version{kLatestLegacyVersion};
};

// Checks the result of `method` (initialize, server/discover, tools/list,
// tools/call, resources/list, resources/read, resources/templates/list,
// prompts/list, prompts/get, completion/complete, ...) against its shape in
// the spec. In the modern era also: resultType ("complete"/"input_required",
// with a well-formed input_required body), serverInfo in _meta, and ttlMs /
// cacheScope on cacheable results. Methods without a known result shape get
// the era-wide checks only. Pure function; thread-safe.
std::vector<SpecProblem> CheckResult(std::string_view method, const Json& result,
                                     const SpecContext& context);

// Checks a tools/call result against `tool`, the tool's entry in tools/list:
// when the tool declares an outputSchema, a result that is not an error MUST
// carry structuredContent that conforms to it. A schema that cannot be
// compiled is reported as a warning (the result is then left unchecked).
std::vector<SpecProblem> CheckToolResult(const Json& tool, const Json& result);

bool HasErrors(const std::vector<SpecProblem>& problems);

}  // namespace weft::mcp
