// The venoms weft ships, registered in the order tools/list shows them.
#pragma once

#include "core/ns/workspace.h"
#include "core/venoms/agent/agent_host.h"
#include "core/venoms/registry.h"
#include "core/venoms/workspace/hosted_mounts.h"

namespace weft::venoms {

// Registers fs, search, terminal, git, workspace and agent (node joins here
// when it lands). Handlers keep a reference to `workspaces`.
//
// The terminal venom is left out when any workspace is read-only (`weft
// serve --read-only`): its processes run unconfined until agent
// confinement exists, so they could write where the file tools may not.
//
// `mounts` hosts workspace_mount's mounts (null: this process hosts none);
// `agents` runs agent_spawn's agents (null: this process runs none).
void RegisterBuiltinVenoms(Registry& registry, const ns::Workspaces& workspaces, HostedMounts* mounts = nullptr,
                           agent::AgentHost* agents = nullptr);

}  // namespace weft::venoms
