// ClientRootScopes: the served workspaces narrowed to an MCP client's roots.
// Roots are a hint (reference/mcp.md §1 row 19, §5): they may narrow what a
// session sees, never widen it, and roots that share nothing with a
// workspace leave it whole rather than empty.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ns/workspace.h"
#include "mcp/registry/request_context.h"

namespace weft::mcp {

// The host path of a local file URI ("file:///a%20b" and
// "file://localhost/a%20b" → "/a b"); nullopt for any other URI, a relative
// path, or an escape that decodes to NUL.
std::optional<std::string> FileUriPath(std::string_view uri);

// Thread-safe; `workspaces` must outlive it.
class ClientRootScopes {
 public:
  explicit ClientRootScopes(const ns::Workspaces& workspaces) : workspaces_(workspaces) {}

  // The workspaces a session whose client has these roots may use: each
  // workspace narrowed to the directories its roots cover (a root inside a
  // bind, or a bind inside a root), left whole when they cover none. nullptr
  // when nothing is narrowed. Results are shared between sessions with the
  // same roots and stay valid while held.
  std::shared_ptr<const ns::Workspaces> For(const std::vector<std::string>& root_uris);
  // For(ctx.ClientRoots()), or nullptr when the client has no roots to use.
  std::shared_ptr<const ns::Workspaces> For(RequestContext& ctx);

 private:
  std::shared_ptr<const ns::Workspaces> Build(const std::vector<std::string>& root_uris) const;

  const ns::Workspaces& workspaces_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const ns::Workspaces>> cache_;  // by the URIs, joined
};

}  // namespace weft::mcp
