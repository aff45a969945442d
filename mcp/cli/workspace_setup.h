// The workspaces `weft serve` serves: from --workspace, --bind and
// --read-only, recorded in the state database, opened, and shown over MCP.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/ns/workspace.h"
#include "core/store/store.h"
#include "mcp/bridge/workspace_surface.h"

namespace weft::cli {

struct WorkspaceFlags {
  std::vector<std::string> dirs;   // --workspace DIR…; empty = the current directory
  std::vector<std::string> binds;  // --bind NSPATH=DIR[:ro]…, added to the first workspace
  bool read_only = false;          // --read-only
  std::string state_dir;           // resolved state directory (holds weft.db)
  bool host_mounts = false;        // workspace_mount may mount here (weft serve)
  bool own_agents = false;         // agents started here stop with this process (weft serve)
};

// Owns everything behind the served workspaces. Destroy after the server.
struct WorkspaceHost {
  // The agents it owns stop first, while their mounts are still up.
  ~WorkspaceHost() {
    if (agents) agents->StopOwned();
  }
  std::unique_ptr<store::Store> store;
  ns::Workspaces workspaces;
  std::unique_ptr<venoms::agent::AgentHost> agents;
  std::unique_ptr<mcp::WorkspaceSurface> surface;
};

// Records each workspace in <state_dir>/weft.db (its binds are what the
// command line says, this run), opens the binds, and registers tools,
// resources and prompts. Errors name the flag or directory at fault.
Result<std::unique_ptr<WorkspaceHost>> SetUpWorkspaces(const WorkspaceFlags& flags, mcp::ToolRegistry& tools,
                                                       mcp::ResourceRegistry& resources,
                                                       mcp::PromptRegistry& prompts);

// The workspace recorded as `workspace_id` in <state_dir>/weft.db, as it was
// recorded (binds included), with its tools, resources and prompts: what an
// agent's runner serves the agent on its callback socket. Agents spawned
// through it stop with the host when `own_agents` (unless detached); no
// reconciliation runs.
Result<std::unique_ptr<WorkspaceHost>> SetUpRecordedWorkspace(const std::string& state_dir,
                                                               const std::string& workspace_id, bool own_agents,
                                                               mcp::ToolRegistry& tools,
                                                               mcp::ResourceRegistry& resources,
                                                               mcp::PromptRegistry& prompts);

// What a server tells a client about the workspaces it serves (MCP
// `instructions`).
std::string ServerInstructions(const ns::Workspaces& workspaces);

// Opens a recorded workspace: "/" is its root, then its binds.
Result<std::unique_ptr<ns::Workspace>> OpenRecordedWorkspace(const store::WorkspaceRecord& record, bool read_only);

// One line per workspace for logs and banners: "name (id): /dir [+ /docs → /x (ro)]".
std::string DescribeWorkspaces(const ns::Workspaces& workspaces);

}  // namespace weft::cli
