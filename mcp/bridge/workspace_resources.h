// Workspace files as MCP resources: weft://<workspace>/<path> (DESIGN.md §5),
// a URI template for every file, the top level of each workspace listed,
// and resources/updated notifications fed by change events on the binds.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/base/result.h"
#include "core/ns/watch.h"
#include "core/ns/workspace.h"
#include "mcp/bridge/client_roots.h"
#include "mcp/registry/resource_registry.h"

namespace weft::mcp {

// Percent-encodes what a URI path may not hold as is (RFC 3986 §3.3; '/'
// is kept), and decodes it back (kInvalidArgument on a bad escape or NUL).
std::string EncodeUriPath(std::string_view path);
Result<std::string> DecodeUriPath(std::string_view encoded);

// "weft://<workspace name>/<path without its leading '/'>".
std::string WorkspaceUri(const ns::Workspace& ws, std::string_view ns_path);

// What a weft:// URI names: the workspace and its canonical namespace path.
struct WorkspaceTarget {
  const ns::Workspace* workspace = nullptr;
  std::string path;
};
// kNotFound for another scheme or an unknown workspace; the workspace's
// error for a path it cannot make canonical.
Result<WorkspaceTarget> ParseWorkspaceUri(const ns::Workspaces& workspaces, const std::string& uri);

// Registers and serves the resources; watches what clients subscribe to.
// Thread-safe. `workspaces` and `resources` must outlive it.
class WorkspaceResources {
 public:
  // With `scopes`, reads see the workspaces narrowed to the reading
  // client's roots (subscriptions and listings stay whole: they name, and
  // reads then refuse what lies outside).
  WorkspaceResources(const ns::Workspaces& workspaces, ResourceRegistry& resources,
                     ClientRootScopes* scopes = nullptr);
  ~WorkspaceResources();
  WorkspaceResources(const WorkspaceResources&) = delete;
  WorkspaceResources& operator=(const WorkspaceResources&) = delete;

  // Adds the template, one resource per workspace root, the top-level
  // lister, and the subscription hook (which starts the change watcher).
  Status Register();

  // What a URI names: the workspace and its canonical namespace path.
  using Target = WorkspaceTarget;
  // In `within` when given, else the served workspaces.
  Result<Target> Parse(const std::string& uri, const ns::Workspaces* within = nullptr) const;

  // The `contents` of resources/read for `uri`.
  Result<Json> Read(const std::string& uri, const ns::Workspaces* within = nullptr) const;
  Result<Json> Read(RequestContext& ctx, const std::string& uri) const;

 private:
  struct Watched {
    std::string workspace_id;
    std::string path;  // the subscribed path
    bool is_dir = false;
    uint64_t handle = 0;
  };
  std::vector<Json> ListTopLevel() const;
  void OnInterest(const std::string& uri, bool interested);
  void OnChange(const ns::ChangeEvent& event);

  const ns::Workspaces& workspaces_;
  ResourceRegistry& resources_;
  ClientRootScopes* scopes_ = nullptr;  // may be null
  std::unique_ptr<ns::ChangeWatcher> watcher_;  // started by the first subscription
  std::mutex mu_;
  std::map<std::string, Watched> watched_;  // by URI; guarded by mu_
};

}  // namespace weft::mcp
