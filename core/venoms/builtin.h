// The venoms weft ships, registered in the order tools/list shows them.
#pragma once

#include "core/ns/workspace.h"
#include "core/venoms/registry.h"

namespace weft::venoms {

// Registers fs, then search (terminal, git, workspace, agent and node join
// here as they land). Handlers keep a reference to `workspaces`.
void RegisterBuiltinVenoms(Registry& registry, const ns::Workspaces& workspaces);

}  // namespace weft::venoms
