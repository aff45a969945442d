// The workspace venom's ops: workspace_info and workspace_list.
#include "core/venoms/workspace/workspace_venom.h"

#include <string>

#include "core/base/strings.h"
#include "core/venoms/args.h"

namespace weft::venoms {
namespace {

constexpr const char* kInfoDescription =
    "Describe a workspace: its id and name, the host directory bound at / (the project), whether the whole "
    "workspace is read-only, and every bind — the namespace path, where its files come from (host:/dir or "
    "node:NAME:/dir) and whether writes there are refused. Use it to learn what paths exist before reading "
    "or writing, and which of them are read-only. workspace picks one by id or name (default: the first).";

constexpr const char* kListDescription =
    "List the workspaces this server serves, each with its id, name, primary directory, whether it is read-only, "
    "how many binds it has, and which one is the default for tools called without `workspace`. Use the id as "
    "the `workspace` argument of other tools; workspace_info shows one workspace's binds.";

constexpr Annotations kRead{.read_only = true, .destructive = false, .idempotent = true, .open_world = false};

std::string SourceText(const ns::Source& source) {
  return source.kind == ns::Source::Kind::kNode ? StrCat({"node:", source.node, ":", source.dir})
                                                 : StrCat({"host:", source.dir});
}

Result<Reply> Info(const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  Json binds = Json::array();
  std::string text = StrCat({"Workspace ", ws->name(), " (", ws->id(), ")", ws->read_only() ? ", read-only" : "",
                             ":\n"});
  for (const ns::Mount& m : ws->mounts().mounts()) {
    bool read_only = m.source.read_only || ws->read_only();
    binds.push_back({{"path", m.path}, {"source", SourceText(m.source)}, {"read_only", read_only}});
    text += StrCat({"  ", m.path, " ← ", SourceText(m.source), read_only ? " (read-only)" : " (read-write)", "\n"});
  }
  Json data = {{"id", ws->id()},
               {"name", ws->name()},
               {"primary_dir", ws->PrimaryDir()},
               {"read_only", ws->read_only()},
               {"binds", std::move(binds)}};
  if (!ws->narrowed_by().empty()) text += StrCat({"This session sees only these: ", ws->narrowed_by(), ".\n"});
  return Reply::WithText(std::move(data), std::move(text));
}

Result<Reply> List(const ns::Workspaces& all, Context& ctx) {
  const ns::Workspaces& workspaces = ctx.workspaces() != nullptr ? *ctx.workspaces() : all;
  Json list = Json::array();
  std::string text;
  bool first = true;
  for (const auto& ws : workspaces.list()) {
    list.push_back({{"id", ws->id()},
                    {"name", ws->name()},
                    {"primary_dir", ws->PrimaryDir()},
                    {"read_only", ws->read_only()},
                    {"binds", ws->mounts().mounts().size()},
                    {"default", first}});
    text += StrCat({ws->name(), " (", ws->id(), "): ", ws->PrimaryDir(), ws->read_only() ? " [read-only]" : "",
                    first ? " [default]" : "", "\n"});
    first = false;
  }
  if (text.empty()) text = "This server serves no workspace.\n";
  return Reply::WithText({{"workspaces", std::move(list)}}, std::move(text));
}

OpSpec Spec(const char* op, const char* title, const char* description, Handler handler) {
  OpSpec spec;
  spec.venom = "workspace";
  spec.op = op;
  spec.title = title;
  spec.description = description;
  spec.annotations = kRead;
  spec.right = Right::kFsRead;
  spec.handler = std::move(handler);
  spec.nonblocking = true;  // reads the in-memory workspace set only
  return spec;
}

}  // namespace

void RegisterWorkspaceVenom(Registry& registry, const ns::Workspaces& workspaces) {
  registry.AddOrDie(Spec("info", "Describe a workspace", kInfoDescription,
                         [&workspaces](Context& ctx, const Json& args) { return Info(workspaces, ctx, args); }));
  registry.AddOrDie(Spec("list", "List workspaces", kListDescription,
                         [&workspaces](Context& ctx, const Json&) { return List(workspaces, ctx); }));
}

}  // namespace weft::venoms
