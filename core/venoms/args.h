// Reading op arguments: they have passed the input schema already, so these
// only pick values out, with defaults for what the caller left out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/json.h"
#include "core/base/result.h"
#include "core/ns/workspace.h"
#include "core/venoms/registry.h"

namespace weft::venoms {

std::string StringArg(const Json& args, const char* key, std::string fallback = {});
int64_t IntArg(const Json& args, const char* key, int64_t fallback);
bool BoolArg(const Json& args, const char* key, bool fallback);

// The workspace named by the optional `workspace` argument (id or name),
// else the default one; from the call's own (narrowed) set when it has one.
Result<ns::Workspace*> WorkspaceArg(const Context& ctx, const ns::Workspaces& workspaces, const Json& args);

}  // namespace weft::venoms
