#include "core/agents/confine.h"
namespace weft::agents {
std::string_view ProfileName(Profile p) { return p == Profile::kNone ? "none" : p == Profile::kWorkspace ? "workspace" : "strict"; }
Result<Profile> ParseProfile(std::string_view n) {
  if (n == "none") return Profile::kNone;
  if (n == "workspace") return Profile::kWorkspace;
  if (n == "strict") return Profile::kStrict;
  return Status::InvalidArgument("unknown profile; use none, workspace or strict");
}
Result<ConfinedProcess> ConfinedProcess::Launch(const proc::LaunchSpec& spec, const ConfineSpec& confine, const Limits&) {
  if (confine.profile != Profile::kNone && !confine.best_effort)
    return Status::FailedPrecondition("profile_unavailable: interim build");
  WEFT_ASSIGN_OR_RETURN(proc::Process p, proc::Process::Start(spec));
  ConfinedProcess c;
  c.p_.emplace(std::move(p));
  return c;
}
}  // namespace weft::agents
