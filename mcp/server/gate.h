// Gate: what one MCP session may do — the grant it runs under (docs/grants.md),
// as the protocol engine sees it. The engine filters tools/list and
// resources/list through it, asks it before every tools/call, resources/read,
// resource subscription and prompts/get, and reports every tools/call to it
// when the call has ended (the audit log). A session without a gate is
// unrestricted (tests, in-process use).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "mcp/registry/tool_registry.h"

namespace weft::grants {
struct Grant;
}  // namespace weft::grants

namespace weft::mcp {

// Why a request was refused: a machine-readable code ("permission_denied",
// "revoked", "expired", "budget_exceeded") and a reason a model can act on.
// A tools/call refusal is answered as an isError result whose text is
// "<code>: <reason>" and whose `_meta["weft/denial"]` is {code, tool, reason}
// (never structuredContent, which clients check against the tool's output
// schema even on errors).
struct Refusal {
  std::string code;
  std::string reason;
};

// How a tools/call ended, as the client saw it.
struct ToolCallRecord {
  std::string tool;                       // as the client named it
  const nlohmann::json* arguments = nullptr;  // params.arguments as sent (null when absent); valid during Finished
  std::optional<Refusal> refusal;         // set when the gate refused it
  bool admitted = false;                  // passed the gate and the input schema: the tool ran
  std::chrono::system_clock::time_point arrived;
  std::chrono::microseconds duration{0};
  int error_code = 0;          // JSON-RPC error code, 0 when answered with a result
  bool tool_error = false;     // a result with isError: true
  bool input_required = false; // an MRTR input_required result
  bool cancelled = false;
};

// Thread-safe: a session's calls run on several threads at once. Shared by
// the session and its calls (shared_ptr), so it outlives both.
class Gate {
 public:
  virtual ~Gate() = default;

  // The grant the session runs under, for handlers that derive from it
  // (RequestContext::grant); nullptr when the gate has none to show.
  virtual const grants::Grant* grant() const = 0;

  // tools/list: whether the session sees `tool` (a tool it could call).
  // Advisory: every call is checked again.
  virtual bool ShowsTool(const Tool& tool) const = 0;
  // tools/call, before the arguments are checked against the input schema:
  // the grant is live (not revoked or expired) and names the tool.
  virtual std::optional<Refusal> AdmitTool(const Tool& tool) = 0;
  // tools/call, once the arguments are valid: the paths they name, then
  // the call budget (charged here when the grant has one).
  virtual std::optional<Refusal> AdmitArguments(const Tool& tool, const nlohmann::json& arguments) = 0;
  // resources/read and subscriptions: whether the session may read `uri`.
  virtual std::optional<Refusal> AdmitResource(const std::string& uri) = 0;
  // resources/list: whether the session sees the resource `uri`.
  virtual bool ShowsResource(const std::string& uri) const = 0;
  // prompts/get and completion/complete: the grant is live.
  virtual std::optional<Refusal> AdmitPrompt(const std::string& name) = 0;
  // Every tools/call, when it has ended (answered, refused, failed,
  // cancelled). Cheap: the audit log writes off the request's thread.
  virtual void Finished(const ToolCallRecord& record) = 0;
};

// The _meta key of a refusal's {code, tool, reason}.
inline constexpr const char* kDenialMetaKey = "weft/denial";

}  // namespace weft::mcp
