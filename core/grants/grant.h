// Grants: capability records that say what an MCP session, a spawned agent
// or a mount may do (DESIGN.md §6, docs/grants.md) — which tools, which
// namespace paths for reading and writing, how many calls and spawns, until
// when. A grant is derived from its parent and never allows more than it.
// This file is the pure model; GrantStore keeps grants in weft.db.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/json.h"
#include "core/base/result.h"

namespace weft::grants {

struct Grant {
  std::string id;         // "gr_" + 16 lowercase hex
  std::string parent_id;  // empty for a root grant
  std::string subject;    // who holds it: "weft serve --stdio (pid 7)", "agent ag_…", "mount /mnt/ws"
  std::vector<std::string> tools;        // globs over MCP tool names ("*", "fs_*"); allowed if any matches
  std::vector<std::string> deny_tools;   // globs; a match denies, whatever `tools` says
  std::vector<std::string> read_paths;   // canonical namespace path prefixes readable ("/" = everything)
  std::vector<std::string> write_paths;  // writable prefixes, each within a read prefix
  std::optional<int64_t> max_calls;      // budgets; nullopt = unlimited
  std::optional<int64_t> max_spawns;
  int64_t calls = 0;   // used so far
  int64_t spawns = 0;
  int64_t created_at = 0;               // unix seconds
  std::optional<int64_t> expires_at;    // unix seconds; the grant is expired from then on
  std::optional<int64_t> revoked_at;    // unix seconds

  // Writes nothing: no write path. Every op whose right is not a read right
  // (fs.write, git.write, exec, agent.spawn, admin) needs a write path, so a
  // read-only grant passes read ops only (docs/grants.md, "Rights").
  bool read_only() const { return write_paths.empty(); }

  // The grant as JSON (the shape `weft grant list --json` prints); paths and
  // globs as arrays, absent budgets and times as null.
  Json ToJson() const;
};

// What a deriver asks for. Every field is optional: what is left out is the
// parent's. Derive intersects what is asked with what the parent has.
struct GrantRequest {
  std::optional<std::vector<std::string>> tools;        // allow globs
  std::vector<std::string> deny_tools;                  // added to the parent's
  std::optional<std::vector<std::string>> read_paths;   // namespace path prefixes
  std::optional<std::vector<std::string>> write_paths;
  bool read_only = false;                               // no write paths at all
  std::optional<int64_t> max_calls;                     // >= 0
  std::optional<int64_t> max_spawns;                    // >= 0
  std::optional<int64_t> expires_at;                    // unix seconds
  std::optional<int64_t> expires_in;                    // seconds from the derivation; not with expires_at

  // The request in the JSON shape GrantRequestFromJson reads.
  Json ToJson() const;
};

// The JSON Schema of a grant request, schemas/grants/grant_request.input.json
// (agent_spawn's `grant` argument, `weft grant`'s --policy files).
inline constexpr const char* kGrantRequestSchema = "grants/grant_request.input.json";

// Reads a grant request: checked against kGrantRequestSchema (violations
// named), then every glob (CheckToolGlob) and path (canonical, no "..").
// Paths come back canonical ("/src/" → "/src").
Result<GrantRequest> GrantRequestFromJson(const Json& j);

// Why a call was refused: the machine-readable codes of a denial
// (docs/grants.md). Clients see them in the tool error's text and `_meta`.
enum class Denial { kPermissionDenied, kRevoked, kExpired, kBudgetExceeded };
// "permission_denied", "revoked", "expired", "budget_exceeded".
std::string_view DenialName(Denial denial);

// A denial as a Status: the code is kResourceExhausted for budget_exceeded
// and kPermissionDenied for the rest; the message is "<name>: <reason>"
// (the reason says what was refused and what to do instead).
Status DenialStatus(Denial denial, std::string_view reason);
// The denial a Status carries (one made by DenialStatus), or nullopt.
std::optional<Denial> DenialOf(const Status& status);
// The reason of a denial Status: its message without the "<name>: " prefix.
std::string_view DenialReason(const Status& status);

// The grant everything is derived from: every tool, read and write on "/",
// no budget, no expiry. Root grants are Derive(Universal(), policy, now).
Grant Universal();

// The grant `request` derives from `parent` at unix time `now`; its id,
// subject and created_at are left for the caller. Pure. Never allows more
// than `parent` (docs/grants.md, "Deriving"):
//  - tools: each requested glob within one of the parent's is kept, and
//    each parent glob within a requested one; a requested glob that keeps
//    nothing is an error. Deny globs: the parent's and the requested ones.
//  - paths: the same with prefixes (a requested path within a parent's,
//    or a parent's within a requested one); write paths must also lie
//    within the result's read paths. Without write_paths, the parent's
//    write paths within the new read paths are kept.
//  - budgets: at most the parent's remaining (max - used); expiry no later
//    than the parent's.
// Fails with the denial when `parent` is revoked or expired, and with
// kInvalidArgument naming what cannot be had.
Result<Grant> Derive(const Grant& parent, const GrantRequest& request, int64_t now);

// Whether `grant` lets a call name `tool`: some allow glob matches and no
// deny glob does.
bool AllowsTool(const Grant& grant, std::string_view tool);
// Whether a canonical namespace path lies within a read (write) prefix.
bool CanRead(const Grant& grant, std::string_view path);
bool CanWrite(const Grant& grant, std::string_view path);

// Revoked or expired at `now`: the denial to answer with; nullopt when live.
std::optional<Status> Ended(const Grant& grant, int64_t now);

}  // namespace weft::grants
