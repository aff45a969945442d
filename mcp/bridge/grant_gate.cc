// GrantGate: grants enforced on an MCP session, and its tools/calls audited.
#include "mcp/bridge/grant_gate.h"

#include <utility>

#include "core/base/strings.h"
#include "core/grants/op_check.h"
#include "mcp/bridge/workspace_resources.h"

namespace weft::mcp {
namespace {

std::optional<Refusal> RefusalIf(const Status& status) {
  if (status.ok()) return std::nullopt;
  return RefusalFrom(status);
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += StrCat({out.empty() ? "" : ", ", s});
  return out.empty() ? "nothing" : out;
}

grants::Outcome OutcomeOf(const ToolCallRecord& r) {
  if (r.cancelled) return grants::Outcome::kCancelled;
  if (r.error_code != 0) return grants::Outcome::kProtocolError;
  if (r.input_required) return grants::Outcome::kInputRequired;
  if (r.tool_error) return grants::Outcome::kToolError;
  return grants::Outcome::kOk;
}

std::optional<grants::Denial> DenialNamed(const std::string& code) {
  for (grants::Denial d : {grants::Denial::kPermissionDenied, grants::Denial::kRevoked, grants::Denial::kExpired,
                           grants::Denial::kBudgetExceeded}) {
    if (grants::DenialName(d) == code) return d;
  }
  return std::nullopt;
}

}  // namespace

Refusal RefusalFrom(const Status& status) {
  std::optional<grants::Denial> denial = grants::DenialOf(status);
  if (denial) return Refusal{std::string(grants::DenialName(*denial)), std::string(grants::DenialReason(status))};
  return Refusal{std::string(grants::DenialName(grants::Denial::kPermissionDenied)), status.message()};
}

GrantGate::GrantGate(const GrantServices& services, grants::Grant grant, std::string subject)
    : services_(services), grant_(std::move(grant)), subject_(std::move(subject)) {}

const venoms::Op* GrantGate::OpOf(const Tool& tool) const {
  return services_.venoms != nullptr ? services_.venoms->FindByName(tool.spec.name) : nullptr;
}

std::optional<Refusal> GrantGate::Live() { return RefusalIf(services_.grants->Check(grant_.id)); }

bool GrantGate::ShowsTool(const Tool& tool) const {
  if (const venoms::Op* op = OpOf(tool)) return grants::MayCall(grant_, *op);
  if (!grants::AllowsTool(grant_, tool.spec.name)) return false;
  return !grant_.read_only() || tool.spec.annotations.read_only.value_or(false);
}

std::optional<Refusal> GrantGate::AdmitTool(const Tool& tool) {
  if (std::optional<Refusal> ended = Live()) return ended;
  if (const venoms::Op* op = OpOf(tool)) return RefusalIf(grants::CheckOpRight(grant_, *op));
  if (auto no = RefusalIf(grants::CheckTool(grant_, tool.spec.name))) return no;
  if (grant_.read_only() && !tool.spec.annotations.read_only.value_or(false)) {
    return RefusalFrom(grants::DenialStatus(
        grants::Denial::kPermissionDenied,
        StrCat({"tool ", tool.spec.name, " is not declared read-only, and this grant is read-only"})));
  }
  return std::nullopt;
}

std::optional<Refusal> GrantGate::AdmitArguments(const Tool& tool, const nlohmann::json& arguments) {
  const venoms::Op* op = OpOf(tool);
  if (op != nullptr && services_.workspaces != nullptr) {
    if (auto no = RefusalIf(grants::CheckOpPaths(grant_, *op, arguments, *services_.workspaces))) return no;
  }
  // A grant with a call budget is charged now, atomically (a budget in the
  // chain leaves one in every descendant); the others are counted by the
  // audit log, off this thread.
  if (grant_.max_calls) return RefusalIf(services_.grants->ChargeCall(grant_.id));
  return std::nullopt;
}

std::optional<Refusal> GrantGate::AdmitResource(const std::string& uri) {
  if (std::optional<Refusal> ended = Live()) return ended;
  if (services_.workspaces == nullptr) return std::nullopt;
  Result<WorkspaceTarget> target = ParseWorkspaceUri(*services_.workspaces, uri);
  if (!target.ok()) {
    // Not a workspace file (the read answers "not found"), or a path the
    // workspace refuses: refused here with its reason.
    if (target.status().code() == StatusCode::kNotFound) return std::nullopt;
    return RefusalFrom(target.status());
  }
  if (grants::CanRead(grant_, target->path)) return std::nullopt;
  return RefusalFrom(grants::DenialStatus(
      grants::Denial::kPermissionDenied,
      StrCat({"reading ", uri, " needs read access to ", target->path, ", and this grant reads only ",
              Joined(grant_.read_paths)})));
}

bool GrantGate::ShowsResource(const std::string& uri) const {
  if (services_.workspaces == nullptr) return true;
  Result<WorkspaceTarget> target = ParseWorkspaceUri(*services_.workspaces, uri);
  return !target.ok() || grants::CanRead(grant_, target->path);
}

std::optional<Refusal> GrantGate::AdmitPrompt(const std::string&) { return Live(); }

void GrantGate::Finished(const ToolCallRecord& record) {
  grants::AuditEntry e;
  e.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(record.arrived.time_since_epoch()).count();
  e.grant_id = grant_.id;
  e.subject = subject_;
  e.tool = record.tool;
  e.args_sha256 = grants::ArgumentsDigest(record.arguments != nullptr ? *record.arguments : nlohmann::json::object());
  if (record.refusal) {
    e.denial = DenialNamed(record.refusal->code).value_or(grants::Denial::kPermissionDenied);
    e.reason = record.refusal->reason;
  }
  e.outcome = OutcomeOf(record);
  e.error_code = record.error_code;
  e.duration_us = record.duration.count();
  e.count_call = record.admitted && !grant_.max_calls;
  services_.audit->Record(std::move(e));
}

}  // namespace weft::mcp
