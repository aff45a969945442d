// The onboarding prompt.
#include "mcp/bridge/workspace_prompts.h"

#include <map>
#include <vector>

#include "core/base/strings.h"
#include "mcp/bridge/workspace_resources.h"

namespace weft::mcp {
namespace {

std::string FirstSentence(const std::string& text) {
  size_t end = text.find(". ");
  return end == std::string::npos ? text : text.substr(0, end + 1);
}

}  // namespace

std::string OnboardingText(const ns::Workspace& ws, const venoms::Registry& venoms) {
  std::string out = StrCat({"You are working in the weft workspace \"", ws.name(), "\" (id ", ws.id(), ").\n\n"});
  out += "## What is bound where\n\n";
  out += "Paths in this workspace start at `/`; every tool takes them that way (`src/main.c` and "
         "`/src/main.c` are the same file).\n\n";
  for (const ns::Mount& m : ws.mounts().mounts()) {
    bool ro = ws.read_only() || m.source.read_only;
    out += StrCat({"- `", m.path, "` → ", m.source.ToString(), ro ? " (read-only)" : " (read-write)",
                   m.path == "/" ? ", the primary bind" : "", "\n"});
  }
  if (ws.read_only()) out += "\nThe whole workspace is served read-only: tools that change files will refuse.\n";
  out += "\n## Tools\n\n";
  std::map<std::string, std::vector<const venoms::Op*>> by_venom;
  std::vector<std::string> order;
  for (const auto& op : venoms.ops()) {
    if (by_venom.find(op->spec.venom) == by_venom.end()) order.push_back(op->spec.venom);
    by_venom[op->spec.venom].push_back(op.get());
  }
  for (const std::string& venom : order) {
    out += StrCat({"**", venom, "**\n"});
    for (const venoms::Op* op : by_venom[venom]) {
      out += StrCat({"- `", op->name, "`", op->spec.annotations.read_only ? "" : " (changes things)", ": ",
                     FirstSentence(op->spec.description), "\n"});
    }
    out += "\n";
  }
  out += "## How to work here\n\n"
         "- Find before you read: `search_code` for text, `search_files` or `fs_glob` for names, "
         "`fs_tree` for the shape of a directory.\n"
         "- Read only what you need: `fs_read` takes line offsets, head and tail; long replies end with a "
         "marker telling you where to continue.\n"
         "- Change files with `fs_edit` (exact replacements, with a diff back; try `dry_run` first when "
         "unsure) rather than rewriting them with `fs_write`.\n"
         "- Nothing outside the binds is reachable: symlinks that lead out of the workspace are refused.\n";
  out += StrCat({"- Files are also resources: `", WorkspaceUri(ws, "/"), "<path>`.\n"});
  return out;
}

Status AddWorkspacePrompts(const ns::Workspaces& workspaces, const venoms::Registry& venoms,
                           PromptRegistry& prompts) {
  PromptSpec onboard;
  onboard.name = "onboard";
  onboard.title = "Onboard to this workspace";
  onboard.description =
      "Explains this workspace to an agent: what is bound where, which tools exist, and how to work here.";
  onboard.arguments = {{"workspace", "Workspace name or id (default: the first one this server serves)", false}};
  onboard.handler = [&workspaces, &venoms](RequestContext&, const Json& args) -> Result<Json> {
    std::string which = args.is_object() && args.contains("workspace") && args["workspace"].is_string()
                            ? args["workspace"].get<std::string>()
                            : "";
    WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, workspaces.Pick(which));
    Json message = {{"role", "user"}, {"content", {{"type", "text"}, {"text", OnboardingText(*ws, venoms)}}}};
    return Json{{"description", StrCat({"Onboarding to workspace ", ws->name()})},
                {"messages", Json::array({std::move(message)})}};
  };
  onboard.completer = [&workspaces](const std::string& argument, const std::string& value, const Json&) {
    std::vector<std::string> out;
    if (argument != "workspace") return out;
    for (const auto& ws : workspaces.list()) {
      if (ws->name().rfind(value, 0) == 0) out.push_back(ws->name());
    }
    return out;
  };
  return prompts.Add(std::move(onboard));
}

}  // namespace weft::mcp
