// GrantCallGate: a mount's call files under a grant (docs/grants.md): each
// call is checked as an MCP tools/call is — the grant live, the op's tool
// glob and right, its declared paths, the call budget — and audited.
#pragma once

#include <memory>
#include <string>

#include "core/grants/audit_log.h"
#include "core/grants/grant.h"
#include "core/grants/grant_store.h"
#include "core/ns/workspace.h"
#include "core/weftdir/call_gate.h"

namespace weft::grants {

// Thread-safe. Shares the grant store and the audit log, so a mount that
// outlives the process's other users of them can still finish its calls;
// `workspaces` (and the Store behind the log) must outlive it.
class GrantCallGate final : public weftdir::CallGate {
 public:
  // `subject` names the mount in the audit log ("mount /mnt/ws").
  GrantCallGate(std::shared_ptr<GrantStore> grants, std::shared_ptr<AuditLog> audit, const ns::Workspaces& workspaces,
                Grant grant, std::string subject);

  const Grant* grant() const override { return &grant_; }
  Status Admit(const venoms::Op& op, const Json& args) override;
  void Finished(const weftdir::CallRecord& record) override;

 private:
  const std::shared_ptr<GrantStore> grants_;
  const std::shared_ptr<AuditLog> audit_;
  const ns::Workspaces& workspaces_;
  const Grant grant_;
  const std::string subject_;
};

}  // namespace weft::grants
