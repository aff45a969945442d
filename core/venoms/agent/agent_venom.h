// The agent venom: agent_spawn, agent_list, agent_status, agent_logs,
// agent_wait, agent_signal and agent_remove (docs/agents.md).
#pragma once

#include "core/ns/workspace.h"
#include "core/venoms/agent/agent_host.h"
#include "core/venoms/registry.h"

namespace weft::venoms {

// `host` runs the agents; null when this process hosts none (the ops then
// refuse, saying where agents can be started). Both must outlive `registry`.
void RegisterAgentVenom(Registry& registry, const ns::Workspaces& workspaces, agent::AgentHost* host);

// The agent as its ops show it (the `agent` object of their output schemas).
Json AgentJson(const store::AgentRecord& record, int64_t now_ms);

}  // namespace weft::venoms
