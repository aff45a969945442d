// WorkspaceSurface: everything a set of served workspaces shows over MCP —
// the venom ops as tools, the files as resources, and the prompts. `weft
// serve` and the golden tests build it the same way.
#pragma once

#include <memory>

#include "core/base/result.h"
#include "core/ns/workspace.h"
#include "core/venoms/agent/agent_host.h"
#include "core/venoms/registry.h"
#include "core/venoms/workspace/hosted_mounts.h"
#include "mcp/bridge/client_roots.h"
#include "mcp/bridge/workspace_resources.h"
#include "mcp/registry/prompt_registry.h"
#include "mcp/registry/resource_registry.h"
#include "mcp/registry/tool_registry.h"

namespace weft::mcp {

class WorkspaceSurface {
 public:
  // `workspaces` and the registries passed to Register must outlive this.
  // With `host_mounts`, workspace_mount hosts FUSE mounts in this process
  // (weft serve); they are unmounted when the surface is destroyed.
  // `agents` (may be null; must outlive the surface) runs agent_spawn's
  // agents; it learns of the hosted mounts.
  explicit WorkspaceSurface(const ns::Workspaces& workspaces, bool host_mounts = false,
                            venoms::agent::AgentHost* agents = nullptr);
  ~WorkspaceSurface();

  // Registers every venom, then their tools, the resources and the prompts.
  Status Register(ToolRegistry& tools, ResourceRegistry& resources, PromptRegistry& prompts);
  const venoms::Registry& venoms() const { return venoms_; }
  // The mounts workspace_mount hosts here (null without host_mounts).
  venoms::HostedMounts* mounts() { return mounts_.get(); }

 private:
  const ns::Workspaces& workspaces_;
  venoms::agent::AgentHost* agents_;
  ClientRootScopes scopes_;
  venoms::Registry venoms_;
  // After venoms_: the mounts (and their call files) stop before the registry goes.
  std::unique_ptr<venoms::HostedMounts> mounts_;
  std::unique_ptr<WorkspaceResources> resources_;
};

}  // namespace weft::mcp
