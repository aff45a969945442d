// The workspace venom: what the served workspaces are and what is bound
// where (DESIGN.md §4). Creating, binding and mounting come later.
#pragma once

#include "core/ns/workspace.h"
#include "core/venoms/registry.h"

namespace weft::venoms {

// Registers workspace_info and workspace_list (fs.read, read-only). Handlers
// keep a reference to `workspaces`, which must outlive the registry's use.
void RegisterWorkspaceVenom(Registry& registry, const ns::Workspaces& workspaces);

}  // namespace weft::venoms
