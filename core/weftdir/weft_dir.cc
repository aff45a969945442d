// The /.weft tree: its layout, workspace.json, and the call files.
#include "core/weftdir/weft_dir.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <map>
#include <utility>

#include "core/base/strings.h"
#include "core/venoms/catalog.h"
#include "core/weftdir/call_session.h"

namespace weft::weftdir {
namespace {

// A schema file's text: the embedded document, pretty-printed.
std::string SchemaText(const CompiledSchema& schema) { return schema.document().dump(2) + "\n"; }

// Whether the bind's root directory is still there ("" when it is; else why not).
std::string BindProblem(const ns::Workspace& ws, const ns::Mount& mount) {
  if (mount.source.kind != ns::Source::Kind::kHost) return "only host binds are served so far";
  Result<ns::Place> place = ws.Locate(mount.path, ns::Access::kRead);
  if (!place.ok()) return place.status().message();
  struct stat st {};
  if (::fstatat(place->root_fd, "", &st, AT_EMPTY_PATH) != 0) {
    return Status::FromErrno(errno, mount.source.dir).message();
  }
  if (!S_ISDIR(st.st_mode)) return StrCat({mount.source.dir, " is no longer a directory"});
  if (st.st_nlink == 0) return StrCat({mount.source.dir, " has been deleted"});
  return "";
}

std::string SourceText(const ns::Source& source) {
  return source.kind == ns::Source::Kind::kNode ? StrCat({"node:", source.node, ":", source.dir})
                                                 : StrCat({"host:", source.dir});
}

void AddCatalog(NodeTree& tree, const venoms::Registry& registry) {
  uint64_t catalog = tree.AddDirectory(kRootId, "catalog");
  tree.AddFile(catalog, "venoms.json", venoms::CatalogJson(registry).dump(2) + "\n");
  uint64_t schemas = tree.AddDirectory(catalog, "schemas");
  std::map<std::string, uint64_t> dirs;
  for (const auto& op : registry.ops()) {
    const std::string& venom = op->spec.venom;
    if (!dirs.count(venom)) dirs[venom] = tree.AddDirectory(schemas, venom);
    tree.AddFile(dirs[venom], op->spec.op + ".input.json", SchemaText(*op->input));
    tree.AddFile(dirs[venom], op->spec.op + ".output.json", SchemaText(*op->output));
  }
}

void AddCallFiles(NodeTree& tree, const ns::Workspace& workspace, const venoms::Registry& registry,
                  const std::shared_ptr<CallGate>& gate) {
  uint64_t venoms_dir = tree.AddDirectory(kRootId, "venoms");
  std::map<std::string, uint64_t> dirs;
  for (const auto& op : registry.ops()) {
    const std::string& venom = op->spec.venom;
    if (!dirs.count(venom)) dirs[venom] = tree.AddDirectory(venoms_dir, venom);
    const venoms::Op* the_op = op.get();
    CallOptions options{workspace.id(), gate};
    tree.AddCallFile(dirs[venom], op->spec.op, [&registry, the_op, options] {
      return NewOpCallSession(registry, *the_op, options);
    });
  }
}

}  // namespace

Json WorkspaceJson(const ns::Workspace& workspace) {
  Json binds = Json::array();
  Json health_binds = Json::array();
  bool ok = true;
  for (const ns::Mount& m : workspace.mounts().mounts()) {
    binds.push_back({{"path", m.path},
                     {"source", SourceText(m.source)},
                     {"read_only", m.source.read_only || workspace.read_only()}});
    std::string problem = BindProblem(workspace, m);
    Json h = {{"path", m.path}, {"reachable", problem.empty()}};
    if (!problem.empty()) {
      h["problem"] = problem;
      ok = false;
    }
    health_binds.push_back(std::move(h));
  }
  return {{"id", workspace.id()},
          {"name", workspace.name()},
          {"primary_dir", workspace.PrimaryDir()},
          {"binds", std::move(binds)},
          {"nodes", Json::array()},
          {"policy", {{"read_only", workspace.read_only()}}},
          {"health", {{"ok", ok}, {"binds", std::move(health_binds)}}}};
}

std::unique_ptr<NodeTree> NewWeftDir(const ns::Workspace& workspace, const venoms::Registry& registry,
                                     const Clock& clock, std::shared_ptr<CallGate> gate) {
  auto tree = std::make_unique<NodeTree>(clock);
  tree->AddFile(kRootId, "README.md", WeftReadme(workspace, registry));
  tree->AddGeneratedFile(kRootId, "workspace.json",
                         [&workspace]() -> Result<std::string> { return WorkspaceJson(workspace).dump(2) + "\n"; });
  AddCatalog(*tree, registry);
  AddCallFiles(*tree, workspace, registry, gate);
  return tree;
}

}  // namespace weft::weftdir
