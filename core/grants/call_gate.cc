// GrantCallGate: call files checked and audited under a mount's grant.
#include "core/grants/call_gate.h"

#include <utility>

#include "core/grants/op_check.h"

namespace weft::grants {

GrantCallGate::GrantCallGate(std::shared_ptr<GrantStore> grants, std::shared_ptr<AuditLog> audit,
                             const ns::Workspaces& workspaces, Grant grant, std::string subject)
    : grants_(std::move(grants)),
      audit_(std::move(audit)),
      workspaces_(workspaces),
      grant_(std::move(grant)),
      subject_(std::move(subject)) {}

Status GrantCallGate::Admit(const venoms::Op& op, const Json& args) {
  WEFT_RETURN_IF_ERROR(grants_->Check(grant_.id));
  WEFT_RETURN_IF_ERROR(CheckOpRight(grant_, op));
  // Arguments that break the input schema are the op's to refuse; their
  // paths cannot be read reliably, and the op will not run.
  if (!op.input->Validate(args).empty()) return Status::Ok();
  Status paths = CheckOpPaths(grant_, op, args, workspaces_);
  if (!paths.ok()) {
    // A path the workspace cannot make canonical fails closed, as a denial.
    return DenialOf(paths) ? paths : DenialStatus(Denial::kPermissionDenied, paths.message());
  }
  if (grant_.max_calls) return grants_->ChargeCall(grant_.id);
  return Status::Ok();
}

void GrantCallGate::Finished(const weftdir::CallRecord& record) {
  AuditEntry e;
  e.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(record.arrived.time_since_epoch()).count();
  e.grant_id = grant_.id;
  e.subject = subject_;
  e.tool = record.op != nullptr ? record.op->name : "";
  e.args_sha256 = ArgumentsDigest(record.arguments != nullptr ? *record.arguments : Json::object());
  if (!record.refusal.ok()) {
    e.denial = DenialOf(record.refusal).value_or(Denial::kPermissionDenied);
    e.reason = std::string(DenialReason(record.refusal));
  }
  if (record.cancelled) {
    e.outcome = Outcome::kCancelled;
  } else if (record.protocol_error != 0) {
    e.outcome = Outcome::kProtocolError;
    e.error_code = record.protocol_error;
  } else if (!record.refusal.ok() || record.failed) {
    e.outcome = Outcome::kToolError;
  }
  e.duration_us = record.duration.count();
  e.count_call = record.admitted && !grant_.max_calls;
  audit_->Record(std::move(e));
}

}  // namespace weft::grants
