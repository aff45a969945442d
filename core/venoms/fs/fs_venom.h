// The fs venom: files and directories of a workspace, every access resolved
// beneath its bind (core/ns).
#pragma once

#include "core/ns/workspace.h"
#include "core/venoms/registry.h"

namespace weft::venoms {

// Registers every fs op; handlers keep a reference to `workspaces`, which
// must outlive the registry's use.
void RegisterFsVenom(Registry& registry, const ns::Workspaces& workspaces);

// The two halves, each in its own files: read, read_many, list, tree, glob,
// stat (fs_read.cc, fs_browse.cc) and write, edit, move, copy, remove, mkdir
// (fs_write.cc, fs_edit.cc, fs_manage.cc).
void RegisterFsReadOps(Registry& registry, const ns::Workspaces& workspaces);
void RegisterFsWriteOps(Registry& registry, const ns::Workspaces& workspaces);

}  // namespace weft::venoms
