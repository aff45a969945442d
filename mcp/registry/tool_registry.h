// ToolRegistry: every MCP tool is declared here once; tools/list and tools/call
// are derived from it. Registration fails loudly on a bad declaration.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/result.h"
#include "mcp/registry/change_feed.h"
#include "core/schema/schema.h"
#include "mcp/registry/request_context.h"

namespace weft::mcp {

// Behaviour hints clients auto-approve on (2025-03-26 server/tools): state them truthfully.
struct ToolAnnotations {
  std::optional<bool> read_only;
  std::optional<bool> destructive;
  std::optional<bool> idempotent;
  std::optional<bool> open_world;
};

// What a tool handler returns: the CallToolResult object ({content,
// structuredContent?, isError?}), or that object without structuredContent
// and structuredContent written out as JSON text in `structured_json`
// (JsonTextMember's contract). The session splices that text into the reply
// without parsing it or checking it against the output schema: the tool's
// tests prove it conforms. For large, frequent replies (fs_list's pages).
struct ToolResult {
  ToolResult(Json result_in) : result(std::move(result_in)) {}  // NOLINT: implicit by design
  ToolResult(Json result_in, std::string structured_json_in)
      : result(std::move(result_in)), structured_json(std::move(structured_json_in)) {}

  Json result;
  std::string structured_json;  // when not empty, result has no "structuredContent"

  // The whole CallToolResult as one value (structured_json parsed), for
  // callers that need it so.
  Json ToJson() const;
};

// A tool handler. Returns the CallToolResult; a non-ok Status becomes an
// isError result carrying its message (a failure the model can read and act
// on), except the kUnavailable that RequestContext::RequestInput returns for
// MRTR, which the session turns into an input_required result. Runs on a
// worker thread; may block, should honour ctx.cancelled().
using ToolHandler = std::function<Result<ToolResult>(RequestContext& ctx, const Json& arguments)>;

struct ToolSpec {
  std::string name;         // [A-Za-z0-9_.-]{1,128}, unique
  std::string title;        // short human title
  std::string description;  // written for a model: what it does, when to use it
  // Paths under schemas/ ("<venom>/<op>.input.json"). The input schema is
  // required and must have "type":"object" at its root; the output schema is
  // optional (when present, structuredContent is required and checked).
  std::string input_schema;
  std::string output_schema;
  ToolAnnotations annotations;
  Json meta = nullptr;  // `_meta` on the tool entry (e.g. anthropic/maxResultSizeChars)
  ToolHandler handler;
  // The handler never blocks (no waiting on processes, the network, sleeps or
  // locks held long) and never calls RequestInput. The session may then run
  // it on its reader thread and skip the hand-off to a worker; RequestInput
  // fails with kFailedPrecondition if such a handler calls it anyway.
  bool nonblocking = false;
};

// A registered tool with its compiled schemas. Immutable once registered.
struct Tool {
  ToolSpec spec;
  const CompiledSchema* input = nullptr;
  const CompiledSchema* output = nullptr;  // null when the tool has no output schema
  // The tools/list entry, built once.
  Json descriptor;
};

// Thread-safe: tools may be added or removed while sessions list and call them.
class ToolRegistry {
 public:
  explicit ToolRegistry(const SchemaStore& schemas = SchemaStore::Builtin());

  // Fails (kInvalidArgument / kAlreadyExists / kNotFound) on a bad name, a
  // duplicate, a missing or non-object input schema, an unknown or non-object
  // output schema, or a missing handler.
  Status Add(ToolSpec spec);
  // Like Add, but a failure is a programming error: logs it and aborts.
  void AddOrDie(ToolSpec spec);
  Status Remove(const std::string& name);

  // Shared pointer so a call in flight survives a concurrent Remove.
  std::shared_ptr<const Tool> Find(const std::string& name) const;
  // Registration order (deterministic tools/list, 2026-07-28 server/tools).
  std::vector<std::shared_ptr<const Tool>> List() const;

  // Fires kToolsChanged after Add/Remove.
  ChangeFeed& changes() { return changes_; }

 private:
  const SchemaStore& schemas_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const Tool>> tools_;  // guarded by mu_
  ChangeFeed changes_;
};

// Checks a tool name against [A-Za-z0-9_.-]{1,128}.
bool IsValidToolName(const std::string& name);

}  // namespace weft::mcp
