// Prompts about the workspace itself (Zed shows them as slash commands).
#pragma once

#include "core/base/result.h"
#include "core/ns/workspace.h"
#include "core/venoms/registry.h"
#include "mcp/registry/prompt_registry.h"

namespace weft::mcp {

// The onboarding text for `ws`: what is bound where (and what is read-only),
// which tools exist by venom, and how to work here. Derived from the
// namespace and the venom registry, never written twice.
std::string OnboardingText(const ns::Workspace& ws, const venoms::Registry& venoms);

// Registers "onboard" (argument: workspace, optional). `workspaces` and
// `venoms` must outlive the registry.
Status AddWorkspacePrompts(const ns::Workspaces& workspaces, const venoms::Registry& venoms,
                           PromptRegistry& prompts);

}  // namespace weft::mcp
