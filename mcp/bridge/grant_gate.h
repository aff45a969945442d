// GrantGate: an MCP session's Gate over a grant (docs/grants.md): tools/list
// filtered by the grant, every call checked again at call time — the grant
// live, the tool named, the venom op's right and declared paths, the call
// budget — resources and prompts checked, and every tools/call audited.
#pragma once

#include <memory>
#include <string>

#include "core/grants/audit_log.h"
#include "core/grants/grant.h"
#include "core/grants/grant_store.h"
#include "core/ns/workspace.h"
#include "core/venoms/registry.h"
#include "mcp/server/gate.h"

namespace weft::mcp {

// What the gates of one weft process share: where grants and the audit log
// are kept, and what tool names and paths mean here. Everything must
// outlive the gates.
struct GrantServices {
  grants::GrantStore* grants = nullptr;
  grants::AuditLog* audit = nullptr;
  // The venom op behind a tool name (null: no venom tools, e.g. the
  // conformance fixture). A tool that is no venom op has no declared right
  // or paths: a read-only grant passes it only when it is annotated
  // read-only.
  const venoms::Registry* venoms = nullptr;
  // Where op paths and weft:// resource URIs are resolved (null: none).
  const ns::Workspaces* workspaces = nullptr;
};

// Thread-safe; holds the grant as it was when the session began (its rules
// never change; liveness and budgets are read from weft.db on every call).
class GrantGate final : public Gate {
 public:
  // `subject` names the session in the audit log ("stdio", "http session …").
  GrantGate(const GrantServices& services, grants::Grant grant, std::string subject);

  const grants::Grant* grant() const override { return &grant_; }
  bool ShowsTool(const Tool& tool) const override;
  std::optional<Refusal> AdmitTool(const Tool& tool) override;
  std::optional<Refusal> AdmitArguments(const Tool& tool, const nlohmann::json& arguments) override;
  std::optional<Refusal> AdmitResource(const std::string& uri) override;
  bool ShowsResource(const std::string& uri) const override;
  std::optional<Refusal> AdmitPrompt(const std::string& name) override;
  void Finished(const ToolCallRecord& record) override;

 private:
  const venoms::Op* OpOf(const Tool& tool) const;
  // The grant and its ancestors are live (one read of weft.db).
  std::optional<Refusal> Live();

  const GrantServices services_;
  const grants::Grant grant_;
  const std::string subject_;
};

// A Refusal for a Status that refused something: a denial keeps its code
// and reason; anything else (a path that cannot be made canonical, a
// database that cannot be read) refuses as permission_denied with its
// message, so a check that cannot be made fails closed.
Refusal RefusalFrom(const Status& status);

}  // namespace weft::mcp
