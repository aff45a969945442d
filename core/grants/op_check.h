// Checking a call of a venom op against a grant's static rules: the tool
// globs, the op's right, and every namespace path it declares (OpSpec::paths)
// against the read and write prefixes (docs/grants.md, "Rights" and "Paths").
// Liveness and budgets are GrantStore's.
#pragma once

#include <string_view>

#include "core/base/json.h"
#include "core/base/status.h"
#include "core/grants/grant.h"
#include "core/ns/workspace.h"
#include "core/venoms/registry.h"

namespace weft::grants {

// Whether `grant` names `tool` (AllowsTool), as a permission_denied denial.
Status CheckTool(const Grant& grant, std::string_view tool);

// Whether `grant` may call `op` at all, before its arguments are known: the
// tool globs, and the op's right (a read-only grant passes read rights
// only). permission_denied naming what is missing.
Status CheckOpRight(const Grant& grant, const venoms::Op& op);

// Whether `grant` lets `op` run with `args` (already valid for the op's
// input schema): each declared path, read the way the op reads it (the
// workspace the `workspace` argument names, Workspace::CanonicalPath, so
// "a/../b", "./a" and host paths inside a bind cannot dodge a prefix), must
// lie within a read prefix, or a write prefix for kWrite uses. A path the
// workspace cannot make canonical is refused here with the workspace's
// own error (kInvalidArgument), as the op would refuse it.
Status CheckOpPaths(const Grant& grant, const venoms::Op& op, const Json& args, const ns::Workspaces& workspaces);

// Whether some call of `op` could pass (tools/list shows only those): the
// globs, the right, and the op's fixed paths ("/" for git and terminal ops).
bool MayCall(const Grant& grant, const venoms::Op& op);

}  // namespace weft::grants
