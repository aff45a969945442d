// fs_write: create a file or replace its whole content, atomically, beneath
// its bind; and the registration of the fs venom's write side.
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <utility>

#include "core/base/strings.h"
#include "core/ns/write.h"
#include "core/venoms/args.h"
#include "core/venoms/fs/fs_common.h"
#include "core/venoms/fs/fs_venom.h"

namespace weft::venoms {
namespace fs {
namespace {

constexpr size_t kMaxWriteBytes = 16 * 1024 * 1024;

constexpr const char* kWriteDescription =
    "Create a file, or replace the whole content of an existing one. To change part of an existing file use "
    "fs_edit instead: it sends only the changed text and answers with a diff. The write is atomic (a temporary "
    "file renamed into place, so no reader ever sees half a file), an existing file keeps its permissions, and "
    "a symbolic link at the path is replaced by the new file, never followed. create_only refuses to replace an "
    "existing file; parents creates missing directories. Returns whether the file was created or replaced and "
    "how many bytes were written. Content is UTF-8 text of at most 16 MiB.";

std::string CreatedDirsNote(const std::vector<std::string>& dirs) {
  if (dirs.empty()) return "";
  std::string out = dirs.size() == 1 ? "; made the directory " : "; made the directories ";
  for (size_t i = 0; i < dirs.size(); ++i) out += StrCat({i == 0 ? "" : ", ", dirs[i]});
  return out;
}

Reply WriteReply(const std::string& path, const ns::WriteOutcome& outcome, const struct stat* before,
                 const std::vector<std::string>& made) {
  Json dirs = Json::array();
  for (const std::string& d : made) dirs.push_back(d);
  Json data = {{"path", path},
               {"created", outcome.created},
               {"bytes", outcome.bytes},
               {"previous_type", before == nullptr ? "none" : EntryTypeName(TypeOfMode(before->st_mode))},
               {"created_dirs", std::move(dirs)}};
  std::string how = outcome.created ? "created"
                    : before != nullptr && S_ISLNK(before->st_mode)
                        ? "replaced a symbolic link with the file; the link's target was left alone"
                        : "replaced";
  std::string text = StrCat({"Wrote ", GroupedCount(outcome.bytes), outcome.bytes == 1 ? " byte" : " bytes", " to ",
                             path, " (", how, CreatedDirsNote(made), ")"});
  return Reply::WithText(std::move(data), std::move(text));
}

Result<Reply> Write(const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  const std::string& content = args.at("content").get_ref<const std::string&>();
  bool create_only = BoolArg(args, "create_only", false);
  bool parents = BoolArg(args, "parents", false);
  WEFT_ASSIGN_OR_RETURN(ns::Place place, ws->Locate(StringArg(args, "path"), ns::Access::kWrite));
  if (place.rest.empty()) {
    return Status::FailedPrecondition(StrCat({place.path, " is a directory (the root of a bind); give the path of "
                                                          "a file inside it"}));
  }
  if (content.size() > kMaxWriteBytes) {
    return Status::ResourceExhausted(StrCat({"the content is ", GroupedCount(content.size()),
                                             " bytes; fs_write takes at most 16 MiB (16,777,216 bytes). Split it "
                                             "into several smaller files, or generate the file with a command"}));
  }

  MadeDirs made;
  if (parents) {
    WEFT_ASSIGN_OR_RETURN(made, MakeDirs(ParentPlace(place)));
  }
  // Whatever fails from here on takes back the directories just made.
  auto fail = [&made](Status status) {
    made.Undo();
    return status;
  };
  Result<ParentDir> parent = OpenParentDir(place);
  if (!parent.ok()) {
    if (parent.status().code() == StatusCode::kNotFound) {
      return fail(Status::NotFound(StrCat({"cannot write ", place.path, ": ", parent.status().message(),
                                           "; pass parents: true to create the missing directories (or use "
                                           "fs_mkdir)"})));
    }
    return fail(parent.status());
  }
  struct stat st {};
  bool exists = ::fstatat(parent->fd.get(), parent->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!exists && errno != ENOENT) return fail(WriteErrno(errno, place.path));
  if (exists && S_ISDIR(st.st_mode)) {
    return fail(Status::FailedPrecondition(StrCat({place.path, " is a directory; give the path of a file"})));
  }
  if (exists && create_only) {
    const char* what = S_ISREG(st.st_mode) ? "a file" : S_ISLNK(st.st_mode) ? "a symbolic link" : "a special file";
    return fail(Status::AlreadyExists(StrCat({place.path, " already exists (", what,
                                              "); leave out create_only to replace it, or use fs_edit to change "
                                              "part of it"})));
  }

  ns::WriteOptions options;
  options.create_only = create_only;
  Result<ns::WriteOutcome> outcome = ns::WriteFileBeneath(parent->fd.get(), parent->name, content, options);
  if (!outcome.ok()) {
    if (outcome.status().code() == StatusCode::kAlreadyExists) {
      return fail(Status::AlreadyExists(StrCat({place.path, " already exists; leave out create_only to replace it"})));
    }
    return fail(outcome.status().WithContext(StrCat({"cannot write ", place.path})));
  }

  return WriteReply(place.path, *outcome, exists ? &st : nullptr, made.paths());
}

void RegisterWriteOp(Registry& registry, const ns::Workspaces& workspaces) {
  OpSpec spec;
  spec.venom = "fs";
  spec.op = "write";
  spec.title = "Write a file";
  spec.description = kWriteDescription;
  spec.annotations = {.read_only = false, .destructive = true, .idempotent = true, .open_world = false};
  spec.right = Right::kFsWrite;
  spec.handler = [&workspaces](Context& ctx, const Json& args) { return Write(workspaces, ctx, args); };
  spec.paths = {PathUse::Arg("path", PathAccess::kWrite)};
  registry.AddOrDie(std::move(spec));
}

}  // namespace
}  // namespace fs

void RegisterFsWriteOps(Registry& registry, const ns::Workspaces& workspaces) {
  fs::RegisterWriteOp(registry, workspaces);
  fs::RegisterEditOp(registry, workspaces);
  fs::RegisterManageOps(registry, workspaces);
}

}  // namespace weft::venoms
