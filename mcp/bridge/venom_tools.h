// Venom ops as MCP tools: one tool per op, named "<venom>_<op>", derived
// mechanically from the venom registry (DESIGN.md §5).
#pragma once

#include "core/base/result.h"
#include "core/venoms/registry.h"
#include "mcp/bridge/client_roots.h"
#include "mcp/registry/tool_registry.h"

namespace weft::mcp {

// The ToolSpec for `op`: its schemas by path, annotations stated in full,
// `_meta["anthropic/maxResultSizeChars"]` where the op allows large replies,
// and a handler that runs the op and shapes its reply as a CallToolResult
// (content + structuredContent). With `scopes`, the op sees the workspaces
// narrowed to the calling client's roots. `op` and `scopes` must outlive the
// tool.
ToolSpec VenomToolSpec(const venoms::Op& op, ClientRootScopes* scopes = nullptr);

// Adds a tool for every op of `registry`, in registration order.
Status AddVenomTools(const venoms::Registry& registry, ToolRegistry& tools, ClientRootScopes* scopes = nullptr);

// The CallToolResult for a venom reply: `content` as the op wrote it (or
// `data` as compact JSON text when it wrote none), `structuredContent` = data
// (`data_json` passed on as ToolResult::structured_json when the op wrote
// its data as text).
ToolResult ToolResultFromReply(venoms::Reply reply);

}  // namespace weft::mcp
