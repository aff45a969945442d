// GrantHost and the command-line grant flags.
#include "mcp/cli/grant_setup.h"

#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "core/base/files.h"
#include "core/base/log.h"
#include "core/base/strings.h"
#include "core/grants/call_gate.h"

namespace weft::cli {

Result<grants::GrantRequest> ReadPolicyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, StrCat({"--policy ", path}));
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(StrCat({"--policy ", path, " is not a regular file"}));
  if (static_cast<size_t>(st.st_size) > kMaxPolicyBytes) {
    return Status::InvalidArgument(StrCat({"--policy ", path, " is ", std::to_string(st.st_size),
                                           " bytes; a policy is at most ", std::to_string(kMaxPolicyBytes)}));
  }
  WEFT_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  if (text.size() > kMaxPolicyBytes) {
    return Status::InvalidArgument(StrCat({"--policy ", path, " is larger than ", std::to_string(kMaxPolicyBytes),
                                           " bytes"}));
  }
  if (JsonNestingDepth(text, 64) > 64) {
    return Status::InvalidArgument(StrCat({"--policy ", path, " nests deeper than 64 levels"}));
  }
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status::InvalidArgument(StrCat({"--policy ", path, " is not JSON; write a grant request such as "
                                           "{\"tools\": [\"fs_*\"], \"read_only\": true} (docs/grants.md)"}));
  }
  Result<grants::GrantRequest> request = grants::GrantRequestFromJson(j);
  if (!request.ok()) return request.status().WithContext(StrCat({"--policy ", path}));
  return request;
}

Result<grants::Grant> RulesFromFlags(const Flags& flags, int64_t now) {
  grants::GrantRequest policy;
  if (auto file = flags.Get("policy")) {
    WEFT_ASSIGN_OR_RETURN(policy, ReadPolicyFile(*file));
  }
  WEFT_ASSIGN_OR_RETURN(grants::Grant rules, grants::Derive(grants::Universal(), policy, now));
  grants::GrantRequest narrower;
  std::vector<std::string> allow = flags.GetAll("allow");
  if (!allow.empty()) narrower.tools = allow;
  narrower.deny_tools = flags.GetAll("deny");
  narrower.read_only = flags.Has("read-only");
  Result<grants::Grant> narrowed = grants::Derive(rules, narrower, now);
  if (!narrowed.ok()) return narrowed.status().WithContext("--allow/--deny");
  return narrowed;
}

Result<std::unique_ptr<GrantHost>> GrantHost::Begin(store::Store& store, std::shared_ptr<grants::GrantStore> grants,
                                                     grants::Grant grant) {
  std::unique_ptr<GrantHost> host(new GrantHost());
  host->grants_ = std::move(grants);
  host->root_ = std::move(grant);
  // The log writes through a connection of its own, so its batches never
  // hold the lock that every call's check takes.
  host->audit_ = std::make_shared<grants::AuditLog>(store.path());
  host->services_.grants = host->grants_.get();
  host->services_.audit = host->audit_.get();
  if (!host->root_.id.empty()) {
    WEFT_LOG(kInfo) << "running under grant " << host->root_.id << " (" << host->root_.subject << ")";
  }
  return host;
}

Result<std::unique_ptr<GrantHost>> GrantHost::ForTokens(store::Store& store) {
  return Begin(store, std::make_shared<grants::GrantStore>(store), grants::Grant{});
}

Result<std::unique_ptr<GrantHost>> GrantHost::Start(store::Store& store, std::string subject, grants::Grant rules) {
  auto grants = std::make_shared<grants::GrantStore>(store);
  WEFT_ASSIGN_OR_RETURN(grants::GrantStore::Issued issued,
                        grants->IssueRootFromRules(std::move(subject), std::move(rules)));
  return Begin(store, std::move(grants), std::move(issued.grant));
}

Result<std::unique_ptr<GrantHost>> GrantHost::StartUnder(store::Store& store, const std::string& token,
                                                         const grants::GrantRequest& request, std::string subject) {
  auto grants = std::make_shared<grants::GrantStore>(store);
  WEFT_ASSIGN_OR_RETURN(grants::Grant parent, grants->Authenticate(token));
  WEFT_ASSIGN_OR_RETURN(grants::GrantStore::Issued issued,
                        grants->IssueDerived(parent.id, request, std::move(subject)));
  return Begin(store, std::move(grants), std::move(issued.grant));
}

GrantHost::~GrantHost() {
  if (grants_ == nullptr) return;
  if (audit_ != nullptr) {
    Status flushed = audit_->Flush();
    if (!flushed.ok()) {
      WEFT_LOG(kWarning) << "audit log: " << flushed;
    }
  }
  if (root_.id.empty()) return;
  Status s = grants_->End(root_.id);
  if (!s.ok()) {
    WEFT_LOG(kWarning) << "cannot end grant " << root_.id << ": " << s;
  }
}

void GrantHost::SetSurface(const venoms::Registry* venoms, const ns::Workspaces* workspaces) {
  services_.venoms = venoms;
  services_.workspaces = workspaces;
}

std::shared_ptr<mcp::Gate> GrantHost::RootGate(std::string subject) {
  return std::make_shared<mcp::GrantGate>(services_, root_, std::move(subject));
}

Result<std::shared_ptr<weftdir::CallGate>> GrantHost::MountGate(const grants::Grant& caller, const std::string& dir,
                                                                bool read_only) {
  if (services_.workspaces == nullptr) return Status::Internal("mount gates need the served workspaces");
  grants::GrantRequest request;
  request.read_only = read_only;
  std::string subject = StrCat({"mount ", dir});
  WEFT_ASSIGN_OR_RETURN(grants::GrantStore::Issued issued, grants_->IssueDerived(caller.id, request, subject));
  return std::shared_ptr<weftdir::CallGate>(std::make_shared<grants::GrantCallGate>(
      grants_, audit_, *services_.workspaces, std::move(issued.grant), std::move(subject)));
}

std::shared_ptr<weftdir::CallGate> GrantHost::CallGate(std::string subject) {
  return std::make_shared<grants::GrantCallGate>(grants_, audit_, *services_.workspaces, root_, std::move(subject));
}

std::shared_ptr<mcp::Gate> GrantHost::TokenGate(const std::string& token, std::string subject) {
  Result<grants::Grant> grant = grants_->Authenticate(token);
  if (!grant.ok()) {
    if (grant.status().code() != StatusCode::kNotFound) {
      WEFT_LOG(kWarning) << "cannot authenticate a bearer token: " << grant.status();
    }
    return nullptr;
  }
  return std::make_shared<mcp::GrantGate>(services_, std::move(grant).value(), std::move(subject));
}

}  // namespace weft::cli
