// The workspace venom's ops: workspace_info, workspace_list, workspace_mount
// and workspace_unmount.
#include "core/venoms/workspace/workspace_venom.h"

#include <string>

#include "core/base/strings.h"
#include "core/grants/grant.h"
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

constexpr const char* kMountDescription =
    "Mount a workspace as a real directory on this machine (FUSE), served by this server until workspace_unmount "
    "or until the server stops. Every program can then use the workspace's files there: git, rg, make, editors, "
    "agents started with it as their working directory. DIR/.weft (resolvable, never listed) holds README.md, "
    "workspace.json, the venom catalog and one call file per op: write a JSON request to an open "
    "DIR/.weft/venoms/<venom>/<op>, read the JSON answer from the same descriptor. dir must be an absolute "
    "path to an existing directory outside the workspace's binds (a mount inside them would serve itself), "
    "not already a mount point. read_only refuses every change through the mount; a session whose grant may not "
    "write the whole workspace always mounts read-only, and the call files run under its grant. Needs /dev/fuse "
    "on the host.";

constexpr const char* kUnmountDescription =
    "Unmount a mount this server made with workspace_mount. A program that still has a file open there keeps "
    "its descriptor, which fails from then on; the directory is detached at once. dir is the mount point as given "
    "to workspace_mount (or workspace_info's mounts).";

constexpr Annotations kRead{.read_only = true, .destructive = false, .idempotent = true, .open_world = false};
constexpr Annotations kMount{.read_only = false, .destructive = false, .idempotent = false, .open_world = false};
constexpr Annotations kUnmount{.read_only = false, .destructive = true, .idempotent = false, .open_world = false};

constexpr const char* kNoMountsHere =
    "this weft process does not host mounts (only `weft serve` does); run `weft mount DIR` to mount the "
    "workspace from a shell";

std::string SourceText(const ns::Source& source) {
  return source.kind == ns::Source::Kind::kNode ? StrCat({"node:", source.node, ":", source.dir})
                                                 : StrCat({"host:", source.dir});
}

Json MountsOf(const HostedMounts* mounts, const std::string& workspace_id) {
  Json out = Json::array();
  if (mounts == nullptr) return out;
  for (const HostedMount& m : mounts->List()) {
    if (m.workspace_id == workspace_id) out.push_back({{"dir", m.dir}, {"read_only", m.read_only}});
  }
  return out;
}

Result<Reply> Info(const ns::Workspaces& workspaces, const HostedMounts* mounts, Context& ctx, const Json& args) {
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
  Json mounted = MountsOf(mounts, ws->id());
  for (const Json& m : mounted) {
    text += StrCat({"Mounted at ", m["dir"].get<std::string>(), m["read_only"].get<bool>() ? " (read-only)" : "",
                    " by this server.\n"});
  }
  data["mounts"] = std::move(mounted);
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

// The `dir` argument: an absolute host path (a server's working directory
// means nothing to its client).
Result<std::string> MountDirArg(const Json& args) {
  std::string dir = StringArg(args, "dir");
  if (dir.empty() || dir[0] != '/') {
    return Status::InvalidArgument(StrCat({"dir must be an absolute host path, e.g. /tmp/ws-mount; got '", dir, "'"}));
  }
  return dir;
}

Result<Reply> Mount(const ns::Workspaces& workspaces, HostedMounts* mounts, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(std::string dir, MountDirArg(args));
  if (mounts == nullptr) return Status::FailedPrecondition(kNoMountsHere);
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * seen, WorkspaceArg(ctx, workspaces, args));
  if (!seen->narrowed_by().empty()) {
    // A mount outlives the session and would show the whole workspace.
    return Status::PermissionDenied(StrCat({"the client's roots limit this session to ", seen->narrowed_by(),
                                            ", and a mount would show the whole workspace; start weft with "
                                            "--ignore-roots to allow it, or run `weft mount DIR` from a shell"}));
  }
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, workspaces.Pick(seen->id()));
  // A grant that may not write all of the workspace gets a read-only mount:
  // FUSE writes pass through to the binds unchecked by path.
  const grants::Grant* grant = ctx.grant();
  bool read_only = BoolArg(args, "read_only", false) || (grant != nullptr && !grants::CanWrite(*grant, "/"));
  WEFT_ASSIGN_OR_RETURN(HostedMount m, mounts->Mount(*ws, dir, read_only, grant));
  Json data = {{"dir", m.dir},
               {"workspace", m.workspace_id},
               {"read_only", m.read_only},
               {"weft_dir", m.dir + "/.weft"}};
  return Reply::WithText(std::move(data),
                         StrCat({"Mounted workspace ", ws->name(), " (", ws->id(), ") at ", m.dir,
                                 m.read_only ? ", read-only" : "", ". ", m.dir,
                                 "/.weft/README.md explains the call files. workspace_unmount undoes it; it also "
                                 "goes when this server stops.\n"}));
}

Result<Reply> Unmount(HostedMounts* mounts, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(std::string dir, MountDirArg(args));
  if (mounts == nullptr) return Status::FailedPrecondition(kNoMountsHere);
  WEFT_ASSIGN_OR_RETURN(HostedMount m, mounts->Unmount(dir));
  return Reply::WithText({{"dir", m.dir}, {"workspace", m.workspace_id}},
                         StrCat({"Unmounted workspace ", m.workspace_id, " from ", m.dir, ".\n"}));
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

void RegisterWorkspaceVenom(Registry& registry, const ns::Workspaces& workspaces, HostedMounts* mounts) {
  registry.AddOrDie(Spec("info", "Describe a workspace", kInfoDescription, [&workspaces, mounts](Context& ctx, const Json& args) {
    return Info(workspaces, mounts, ctx, args);
  }));
  registry.AddOrDie(Spec("list", "List workspaces", kListDescription,
                         [&workspaces](Context& ctx, const Json&) { return List(workspaces, ctx); }));
  OpSpec mount = Spec("mount", "Mount a workspace (FUSE)", kMountDescription,
                      [&workspaces, mounts](Context& ctx, const Json& args) {
                        return Mount(workspaces, mounts, ctx, args);
                      });
  mount.annotations = kMount;
  mount.right = Right::kAdmin;  // changes this machine's mount table
  // A mount shows the whole workspace; it is writable only under a grant
  // that may write all of it (Mount).
  mount.paths = {PathUse::Whole(PathAccess::kRead)};
  mount.nonblocking = false;    // waits for the kernel to answer the new mount
  registry.AddOrDie(std::move(mount));
  OpSpec unmount = Spec("unmount", "Unmount a workspace mount", kUnmountDescription,
                        [mounts](Context&, const Json& args) { return Unmount(mounts, args); });
  unmount.annotations = kUnmount;
  unmount.right = Right::kAdmin;
  unmount.paths = {PathUse::Whole(PathAccess::kRead)};  // whoever may mount may unmount
  unmount.nonblocking = false;  // waits for the mount's workers to stop
  registry.AddOrDie(std::move(unmount));
}

}  // namespace weft::venoms
