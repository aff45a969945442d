// The /.weft directory of a workspace (DESIGN.md §3, docs/weftdir.md): its
// README, workspace.json, the venom catalog and schemas, and one call file
// per venom op, all derived from the venom registry.
#pragma once

#include <memory>
#include <string>

#include "core/base/clock.h"
#include "core/base/json.h"
#include "core/ns/workspace.h"
#include "core/venoms/registry.h"
#include "core/weftdir/call_gate.h"
#include "core/weftdir/node_tree.h"

namespace weft::weftdir {

// The tree served at /.weft of `workspace`:
//   README.md                       WeftReadme
//   workspace.json                  WorkspaceJson, regenerated on each read
//   catalog/venoms.json             venoms::CatalogJson
//   catalog/schemas/<venom>/<op>.input.json, .output.json
//   venoms/<venom>/<op>             call files (NewOpCallSession, defaulting
//                                   the "workspace" argument to this one)
// Later subtrees (agents/, catalog/nodes.json) join through NodeTree's
// builders and DirectoryProvider. `workspace` and `registry` must outlive
// the tree. With `gate`, every call file's call runs under it (the
// mount's grant: docs/grants.md).
std::unique_ptr<NodeTree> NewWeftDir(const ns::Workspace& workspace, const venoms::Registry& registry,
                                     const Clock& clock = SystemClock::Get(),
                                     std::shared_ptr<CallGate> gate = nullptr);

// README.md: for an agent — what the namespace is, what is bound where, how
// to call an op (shell, Python, `weft call`), every venom op with its title,
// where the schemas are, and the conventions.
std::string WeftReadme(const ns::Workspace& workspace, const venoms::Registry& registry);

// workspace.json, in the shape docs/weftdir.md documents:
// {"id","name","primary_dir","binds":[{"path","source","read_only"}],"nodes":[],
//  "policy":{"read_only"},"health":{"ok","binds":[{"path","reachable","problem"?}]}}.
// A bind's read_only is what applies (true everywhere when the workspace is
// read-only); health checks that each bind's root is still a directory.
Json WorkspaceJson(const ns::Workspace& workspace);

}  // namespace weft::weftdir
