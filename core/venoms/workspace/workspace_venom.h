// The workspace venom: what the served workspaces are, what is bound where,
// and FUSE mounts of them hosted by this process (DESIGN.md §3, §4).
// Creating and binding workspaces come later.
#pragma once

#include "core/ns/workspace.h"
#include "core/venoms/registry.h"
#include "core/venoms/workspace/hosted_mounts.h"

namespace weft::venoms {

// Registers workspace_info and workspace_list (fs.read, read-only), and
// workspace_mount and workspace_unmount (admin), which host mounts in
// `mounts`; with no `mounts` (a short-lived process: weft call, a mount
// server) they answer that this process does not host mounts. Handlers keep
// references to `workspaces` and `mounts`, which must outlive the
// registry's use.
void RegisterWorkspaceVenom(Registry& registry, const ns::Workspaces& workspaces, HostedMounts* mounts = nullptr);

}  // namespace weft::venoms
