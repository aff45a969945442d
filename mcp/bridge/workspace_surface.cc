// WorkspaceSurface: venoms → tools, files → resources, prompts.
#include "mcp/bridge/workspace_surface.h"

#include "core/venoms/builtin.h"
#include "mcp/bridge/venom_tools.h"
#include "mcp/bridge/workspace_prompts.h"

namespace weft::mcp {

WorkspaceSurface::WorkspaceSurface(const ns::Workspaces& workspaces, bool host_mounts,
                                   venoms::agent::AgentHost* agents)
    : workspaces_(workspaces), agents_(agents), scopes_(workspaces) {
  if (host_mounts) mounts_ = std::make_unique<venoms::HostedMounts>(venoms_);
  if (agents_ != nullptr) agents_->set_mounts(mounts_.get());
}

WorkspaceSurface::~WorkspaceSurface() = default;

Status WorkspaceSurface::Register(ToolRegistry& tools, ResourceRegistry& resources, PromptRegistry& prompts) {
  venoms::RegisterBuiltinVenoms(venoms_, workspaces_, mounts_.get(), agents_);
  WEFT_RETURN_IF_ERROR(AddVenomTools(venoms_, tools, &scopes_));
  resources_ = std::make_unique<WorkspaceResources>(workspaces_, resources, &scopes_);
  WEFT_RETURN_IF_ERROR(resources_->Register());
  return AddWorkspacePrompts(workspaces_, venoms_, prompts);
}

}  // namespace weft::mcp
