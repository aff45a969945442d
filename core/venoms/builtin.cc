// The built-in venoms.
#include "core/venoms/builtin.h"

#include "core/venoms/agent/agent_venom.h"
#include "core/venoms/fs/fs_venom.h"
#include "core/venoms/git/git_venom.h"
#include "core/venoms/search/search_venom.h"
#include "core/venoms/terminal/terminal_venom.h"
#include "core/venoms/workspace/workspace_venom.h"

namespace weft::venoms {
namespace {

bool AnyReadOnly(const ns::Workspaces& workspaces) {
  for (const auto& ws : workspaces.list()) {
    if (ws->read_only()) return true;
  }
  return false;
}

}  // namespace

void RegisterBuiltinVenoms(Registry& registry, const ns::Workspaces& workspaces, HostedMounts* mounts,
                           agent::AgentHost* agents) {
  RegisterFsVenom(registry, workspaces);
  RegisterSearchVenom(registry, workspaces);
  if (!AnyReadOnly(workspaces)) RegisterTerminalVenom(registry, workspaces);
  RegisterGitVenom(registry, workspaces);
  RegisterWorkspaceVenom(registry, workspaces, mounts);
  RegisterAgentVenom(registry, workspaces, agents);
}

}  // namespace weft::venoms
