// The grants of a weft process started from the command line (docs/grants.md):
// the rules --policy, --allow, --deny and --read-only give, the root grant
// the process runs its sessions (or its mount) under, the audit log, and
// the gates of its MCP sessions.
#pragma once

#include <memory>
#include <string>

#include "core/base/result.h"
#include "core/grants/audit_log.h"
#include "core/grants/grant.h"
#include "core/grants/grant_store.h"
#include "core/store/store.h"
#include "core/weftdir/call_gate.h"
#include "mcp/bridge/grant_gate.h"
#include "mcp/cli/flags.h"

namespace weft::cli {

// The largest --policy file read.
inline constexpr size_t kMaxPolicyBytes = 1 << 20;

// Reads a --policy FILE: JSON in the grant request shape
// (schemas/grants/grant_request.input.json), at most kMaxPolicyBytes.
// Errors name the file and what is wrong.
Result<grants::GrantRequest> ReadPolicyFile(const std::string& path);

// The rules of a command-line grant: the --policy file, narrowed by
// --allow GLOB (repeatable: the tools), --deny GLOB (repeatable) and
// --read-only. Each step only narrows (Derive).
Result<grants::Grant> RulesFromFlags(const Flags& flags, int64_t now);

// Owns the grants side of one process; destroy it, and every mount whose
// call files use it, before the Store (the audit log writes what it holds
// on destruction). Ends the root grant (and so everything derived from it:
// GrantStore::End) when destroyed: a command-line grant lives as long as
// its process.
class GrantHost {
 public:
  // Issues the root grant for `subject` with `rules` and starts the audit log.
  static Result<std::unique_ptr<GrantHost>> Start(store::Store& store, std::string subject, grants::Grant rules);
  // The same under the grant `token` stands for: a grant derived from it
  // with `request` (`weft mount --token-env`). kNotFound for a token that
  // stands for no grant; the denial when that grant is revoked or expired.
  static Result<std::unique_ptr<GrantHost>> StartUnder(store::Store& store, const std::string& token,
                                                       const grants::GrantRequest& request, std::string subject);
  // A host that runs under no grant of its own: its sessions authenticate
  // with tokens (TokenGate) and run under what those stand for. RootGate,
  // MountGate and CallGate are not for it.
  static Result<std::unique_ptr<GrantHost>> ForTokens(store::Store& store);
  ~GrantHost();
  GrantHost(const GrantHost&) = delete;
  GrantHost& operator=(const GrantHost&) = delete;

  grants::GrantStore& grants() { return *grants_; }
  grants::AuditLog& audit() { return *audit_; }
  // The grant this process runs under (issued by Start or StartUnder).
  const grants::Grant& grant() const { return root_; }

  // What the gates resolve tools and paths against; set before serving.
  void SetSurface(const venoms::Registry* venoms, const ns::Workspaces* workspaces);
  // A gate over the root grant for a session named `subject` in the audit log.
  std::shared_ptr<mcp::Gate> RootGate(std::string subject);
  // A gate over the grant `token` stands for; null when it stands for none.
  std::shared_ptr<mcp::Gate> TokenGate(const std::string& token, std::string subject);
  // The gate of a mount's call files (venoms::MountGates): a grant derived
  // from `caller` for the mount ("mount DIR"), read-only when the mount is.
  // Needs SetSurface's workspaces.
  Result<std::shared_ptr<weftdir::CallGate>> MountGate(const grants::Grant& caller, const std::string& dir,
                                                       bool read_only);
  // A gate over this process's own grant for call files (`weft mount`).
  std::shared_ptr<weftdir::CallGate> CallGate(std::string subject);

 private:
  GrantHost() = default;
  static Result<std::unique_ptr<GrantHost>> Begin(store::Store& store, std::shared_ptr<grants::GrantStore> grants,
                                          grants::Grant grant);

  // Shared with mounts' call-file gates, which may outlive this host.
  std::shared_ptr<grants::GrantStore> grants_;
  std::shared_ptr<grants::AuditLog> audit_;
  grants::Grant root_;
  mcp::GrantServices services_;
};

}  // namespace weft::cli
