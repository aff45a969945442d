// fs_move, fs_copy, fs_remove, fs_mkdir: changing the shape of the tree.
// Every change is a *at() call on a directory fd opened beneath a bind, on a
// final name that is never followed (AT_SYMLINK_NOFOLLOW, O_NOFOLLOW).
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "core/base/random.h"
#include "core/base/strings.h"
#include "core/ns/resolve.h"
#include "core/venoms/args.h"
#include "core/venoms/fs/fs_common.h"

namespace weft::venoms::fs {
namespace {

constexpr size_t kMaxCopyEntries = 100'000;
constexpr uint64_t kMaxCopyBytes = uint64_t{1} << 30;
constexpr int kMaxDepth = 256;
constexpr size_t kMaxSkippedListed = 50;

int Rename(int from_dir, const std::string& from, int to_dir, const std::string& to, unsigned flags) {
  return static_cast<int>(::syscall(SYS_renameat2, from_dir, from.c_str(), to_dir, to.c_str(), flags));
}

// A hidden sibling name for work in progress.
std::string TempName(const std::string& name, std::string_view tag) {
  return StrCat({".", std::string_view(name).substr(0, 200), ".weft-", tag, "-", RandomHex(6)});
}

const char* TypeName(const struct stat& st) { return EntryTypeName(TypeOfMode(st.st_mode)); }

const char* Article(const struct stat& st) {
  switch (TypeOfMode(st.st_mode)) {
    case EntryType::kFile: return "a file";
    case EntryType::kDir: return "a directory";
    case EntryType::kSymlink: return "a symbolic link";
    case EntryType::kOther: return "a special file";
  }
  return "a special file";
}

std::string Plural(uint64_t n, std::string_view one, std::string_view many) {
  return StrCat({GroupedCount(n), " ", n == 1 ? one : many});
}

// The refusal to put `src` where `dst` is, when one is a directory and the
// other is not.
Status KindMismatch(std::string_view verb, const std::string& src, const struct stat& src_st, const std::string& dst,
                    const struct stat& dst_st) {
  return Status::FailedPrecondition(StrCat({"cannot replace ", dst, " (", Article(dst_st), ") with ", src, " (",
                                            Article(src_st), "): overwrite replaces a file only with a file or "
                                            "link, and a directory only with a directory. Remove ",
                                            dst, " first (fs_remove), or ", verb, " to another path"}));
}

// The place's parent (O_PATH), with a hint when it is missing.
Result<ParentDir> OpenParentOf(const ns::Place& place) {
  Result<ParentDir> parent = OpenParentDir(place);
  if (!parent.ok() && parent.status().code() == StatusCode::kNotFound) {
    return Status::NotFound(StrCat({parent.status().message(), "; create the directory first (fs_mkdir)"}));
  }
  return parent;
}

// ---------------------------------------------------------------------------
// Removing trees

struct Removed {
  uint64_t files = 0;
  uint64_t dirs = 0;
  uint64_t symlinks = 0;
  uint64_t others = 0;
  uint64_t total() const { return files + dirs + symlinks + others; }
  void Count(const struct stat& st) {
    switch (TypeOfMode(st.st_mode)) {
      case EntryType::kFile: ++files; break;
      case EntryType::kDir: ++dirs; break;
      case EntryType::kSymlink: ++symlinks; break;
      case EntryType::kOther: ++others; break;
    }
  }
  std::string Describe() const {
    std::string out = StrCat({Plural(files, "file", "files"), ", ", Plural(dirs, "directory", "directories")});
    if (symlinks > 0) out += StrCat({", ", Plural(symlinks, "symbolic link", "symbolic links")});
    if (others > 0) out += StrCat({", ", Plural(others, "special file", "special files")});
    return out;
  }
};

// Deletes `name` in `parent` and, for a directory, everything in it, depth
// first: never follows a symlink and never enters another file system
// (`dev`). `shown` names it in errors. `ctx` (may be null) can cancel.
Status RemoveTree(Context* ctx, int parent, const std::string& name, const std::string& shown, dev_t dev, int depth,
                  Removed* removed) {
  if (ctx != nullptr && ctx->cancelled()) return Status::Cancelled("the removal was cancelled");
  struct stat st;
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return WriteErrno(errno, shown);
  if (S_ISDIR(st.st_mode)) {
    if (st.st_dev != dev) {
      return Status::FailedPrecondition(StrCat({shown, " is where another file system is mounted; it is never "
                                                       "removed across"}));
    }
    if (depth >= kMaxDepth) return Status::FailedPrecondition(StrCat({shown, " is nested more than 256 levels deep"}));
    WEFT_ASSIGN_OR_RETURN(UniqueFd dir, OpenDirAt(parent, name.c_str(), shown));
    WEFT_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, ReadDirFd(dir.get(), shown));
    for (const DirEntry& e : entries) {
      WEFT_RETURN_IF_ERROR(RemoveTree(ctx, dir.get(), e.name, JoinNsPath(shown, e.name), dev, depth + 1, removed));
    }
  }
  if (::unlinkat(parent, name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0) return WriteErrno(errno, shown);
  removed->Count(st);
  if (ctx != nullptr && removed->total() % 1000 == 0) {
    ctx->Progress(static_cast<double>(removed->total()), std::nullopt,
                  StrCat({"removed ", GroupedCount(removed->total()), " entries"}));
  }
  return Status::Ok();
}

// Takes away whatever is at `name` (a partial copy), best effort.
void Discard(int dir, const std::string& name) {
  struct stat st;
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  Removed ignored;
  (void)RemoveTree(nullptr, dir, name, name, st.st_dev, 0, &ignored);
}

// A non-empty directory: renamed out of the way first (so it vanishes from
// its path at once), then deleted; on failure renamed back, and the error
// says how much was deleted.
Status RemoveDirectoryTree(Context& ctx, const ParentDir& parent, const std::string& shown, dev_t dev,
                           Removed* removed) {
  std::string hidden = TempName(parent.name, "rm");
  if (Rename(parent.fd.get(), parent.name, parent.fd.get(), hidden, RENAME_NOREPLACE) != 0) {
    return WriteErrno(errno, shown);
  }
  Status s = RemoveTree(&ctx, parent.fd.get(), hidden, shown, dev, 0, removed);
  if (s.ok()) return s;
  bool back = Rename(parent.fd.get(), hidden, parent.fd.get(), parent.name, RENAME_NOREPLACE) == 0;
  if (removed->total() == 0 && back) return Status(s.code(), StrCat({s.message(), "; nothing was removed"}));
  std::string rest = back ? StrCat({"the rest of ", shown, " is still in place"})
                          : StrCat({"the rest is now ", JoinNsPath(parent.path, hidden), " (", shown,
                                    " was taken meanwhile)"});
  return Status(s.code(), StrCat({s.message(), "; the removal stopped there: ", removed->Describe(),
                                  " had been deleted already, and ", rest}));
}

std::string SomeNames(std::vector<DirEntry> entries) {
  std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  std::string out;
  for (size_t i = 0; i < entries.size() && i < 5; ++i) out += StrCat({i == 0 ? "" : ", ", entries[i].name});
  return entries.size() > 5 ? StrCat({out, ", …"}) : out;
}

Result<Reply> Remove(const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  bool recursive = BoolArg(args, "recursive", false);
  WEFT_ASSIGN_OR_RETURN(ns::Place place, ws->Locate(StringArg(args, "path"), ns::Access::kWrite));
  WEFT_RETURN_IF_ERROR(RefuseBindRoots(*ws, place, "remove"));
  WEFT_ASSIGN_OR_RETURN(ParentDir parent, OpenParentDir(place));
  struct stat st;
  if (::fstatat(parent.fd.get(), parent.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return WriteErrno(errno, place.path);
  }
  Removed removed;
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(parent.fd.get(), parent.name.c_str(), 0) != 0) return WriteErrno(errno, place.path);
    removed.Count(st);
  } else if (::unlinkat(parent.fd.get(), parent.name.c_str(), AT_REMOVEDIR) == 0) {
    removed.Count(st);
  } else if (errno != ENOTEMPTY && errno != EEXIST) {
    return WriteErrno(errno, place.path);
  } else if (!recursive) {
    WEFT_ASSIGN_OR_RETURN(UniqueFd dir, OpenDirAt(parent.fd.get(), parent.name.c_str(), place.path));
    WEFT_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, ReadDirFd(dir.get(), place.path));
    return Status::FailedPrecondition(StrCat({place.path, " is a directory holding ",
                                              Plural(entries.size(), "entry", "entries"), " (", SomeNames(entries),
                                              "); pass recursive: true to delete it with everything in it"}));
  } else {
    WEFT_RETURN_IF_ERROR(RemoveDirectoryTree(ctx, parent, place.path, st.st_dev, &removed));
  }
  Json data = {{"path", place.path},         {"type", TypeName(st)},         {"files", removed.files},
               {"dirs", removed.dirs},       {"symlinks", removed.symlinks}, {"others", removed.others}};
  std::string text = S_ISDIR(st.st_mode) ? StrCat({"Removed ", place.path, " (", removed.Describe(), ")"})
                                         : StrCat({"Removed ", place.path, " (", Article(st), ")"});
  return Reply::WithText(std::move(data), std::move(text));
}

// ---------------------------------------------------------------------------
// Copying

struct Copied {
  uint64_t files = 0;
  uint64_t dirs = 0;
  uint64_t symlinks = 0;
  uint64_t bytes = 0;
  uint64_t entries = 0;
  std::vector<std::string> skipped;  // the first kMaxSkippedListed
  uint64_t skipped_count = 0;
};

// Copies one entry (a tree for a directory) to a new name, creating
// everything with O_EXCL / mkdirat; the caller renames the result into place
// or discards it.
class Copier {
 public:
  explicit Copier(Context& ctx) : ctx_(ctx) {}
  const Copied& copied() const { return copied_; }

  Status Entry(int src_dir, const std::string& src_name, const std::string& shown, int dst_dir,
               const std::string& dst_name, int depth) {
    if (ctx_.cancelled()) return Status::Cancelled("the copy was cancelled");
    if (++copied_.entries > kMaxCopyEntries) {
      return Status::ResourceExhausted(StrCat({"the copy holds more than ", GroupedCount(kMaxCopyEntries),
                                               " entries, more than fs_copy copies at once. Copy its parts "
                                               "separately, or use a command (cp -r)"}));
    }
    if (copied_.entries % 1000 == 0) {
      ctx_.Progress(static_cast<double>(copied_.entries), std::nullopt,
                    StrCat({"copied ", GroupedCount(copied_.entries), " entries"}));
    }
    struct stat st;
    if (::fstatat(src_dir, src_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return WriteErrno(errno, shown);
    switch (TypeOfMode(st.st_mode)) {
      case EntryType::kFile: return File(src_dir, src_name, shown, dst_dir, dst_name, depth == 0);
      case EntryType::kDir: return Dir(src_dir, src_name, shown, st, dst_dir, dst_name, depth);
      case EntryType::kSymlink: {
        WEFT_ASSIGN_OR_RETURN(std::string target, ReadLinkAt(src_dir, src_name.c_str(), shown));
        if (::symlinkat(target.c_str(), dst_dir, dst_name.c_str()) != 0) return WriteErrno(errno, shown);
        ++copied_.symlinks;
        return Status::Ok();
      }
      case EntryType::kOther:
        if (copied_.skipped.size() < kMaxSkippedListed) copied_.skipped.push_back(shown);
        ++copied_.skipped_count;
        return Status::Ok();
    }
    return Status::Ok();
  }

 private:
  Status File(int src_dir, const std::string& src_name, const std::string& shown, int dst_dir,
              const std::string& dst_name, bool sync) {
    UniqueFd in(::openat(src_dir, src_name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!in.valid()) return WriteErrno(errno, shown);
    struct stat st;
    if (::fstat(in.get(), &st) != 0) return WriteErrno(errno, shown);
    if (!S_ISREG(st.st_mode)) return Status::FailedPrecondition(StrCat({shown, " changed while it was copied"}));
    UniqueFd out(::openat(dst_dir, dst_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out.valid()) return WriteErrno(errno, shown);
    WEFT_RETURN_IF_ERROR(CopyData(in.get(), out.get(), shown));
    if (::fchmod(out.get(), st.st_mode & 0777) != 0) return WriteErrno(errno, shown);
    if (sync && ::fsync(out.get()) != 0) return WriteErrno(errno, shown);
    ++copied_.files;
    return Status::Ok();
  }

  Status CopyData(int in, int out, const std::string& shown) {
    constexpr size_t kChunk = 8 << 20;
    bool in_kernel = true;
    std::vector<char> buf;
    for (;;) {
      if (ctx_.cancelled()) return Status::Cancelled("the copy was cancelled");
      ssize_t n = -1;
      if (in_kernel) {
        n = ::copy_file_range(in, nullptr, out, nullptr, kChunk, 0);
        if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
          in_kernel = false;
          continue;
        }
      } else {
        if (buf.empty()) buf.resize(1 << 16);
        n = ::read(in, buf.data(), buf.size());
        for (ssize_t done = 0; n > 0 && done < n;) {
          ssize_t w = ::write(out, buf.data() + done, static_cast<size_t>(n - done));
          if (w < 0 && errno == EINTR) continue;
          if (w < 0) return WriteErrno(errno, shown);
          done += w;
        }
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return WriteErrno(errno, shown);
      if (n == 0) return Status::Ok();
      copied_.bytes += static_cast<uint64_t>(n);
      if (copied_.bytes > kMaxCopyBytes) {
        return Status::ResourceExhausted(StrCat({"the copy holds more than 1 GiB of data, more than fs_copy "
                                                 "copies at once. Copy its parts separately, or use a command "
                                                 "(cp -r)"}));
      }
    }
  }

  Status Dir(int src_dir, const std::string& src_name, const std::string& shown, const struct stat& st, int dst_dir,
             const std::string& dst_name, int depth) {
    // A copy made inside its own source meets itself: leave it out.
    if (depth > 0 && st.st_dev == top_dev_ && st.st_ino == top_ino_) return Status::Ok();
    if (depth >= kMaxDepth) return Status::FailedPrecondition(StrCat({shown, " is nested more than 256 levels deep"}));
    WEFT_ASSIGN_OR_RETURN(UniqueFd from, OpenDirAt(src_dir, src_name.c_str(), shown));
    if (::mkdirat(dst_dir, dst_name.c_str(), 0700) != 0) return WriteErrno(errno, shown);
    WEFT_ASSIGN_OR_RETURN(UniqueFd to, OpenDirAt(dst_dir, dst_name.c_str(), shown));
    ++copied_.dirs;
    if (depth == 0) {
      struct stat made;
      if (::fstat(to.get(), &made) != 0) return WriteErrno(errno, shown);
      top_dev_ = made.st_dev;
      top_ino_ = made.st_ino;
    }
    WEFT_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, ReadDirFd(from.get(), shown, kMaxCopyEntries + 1));
    for (const DirEntry& e : entries) {
      WEFT_RETURN_IF_ERROR(Entry(from.get(), e.name, JoinNsPath(shown, e.name), to.get(), e.name, depth + 1));
    }
    if (::fchmod(to.get(), st.st_mode & 0777) != 0) return WriteErrno(errno, shown);
    return Status::Ok();
  }

  Context& ctx_;
  Copied copied_;
  dev_t top_dev_ = 0;
  ino_t top_ino_ = 0;
};

bool Inside(const std::string& path, const std::string& dir) {
  return dir == "/" || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

// The source of a copy: its parent and name, or its bind's root and ".".
struct Source {
  UniqueFd dir;
  std::string name;
};

Result<Source> OpenSource(const ns::Place& place) {
  if (place.rest.empty()) {
    WEFT_ASSIGN_OR_RETURN(UniqueFd root, ns::OpenBeneathAs(place.root_fd, "", place.path, O_PATH | O_DIRECTORY));
    return Source{std::move(root), "."};
  }
  WEFT_ASSIGN_OR_RETURN(ParentDir parent, OpenParentDir(place));
  return Source{std::move(parent.fd), std::move(parent.name)};
}

// Whether `dst` may be replaced by a copy or move of `src` (both exist).
Status CheckReplace(std::string_view verb, const std::string& src, const struct stat& src_st, const std::string& dst,
                    int dst_dir, const std::string& dst_name, const struct stat& dst_st) {
  if (S_ISDIR(src_st.st_mode) != S_ISDIR(dst_st.st_mode)) return KindMismatch(verb, src, src_st, dst, dst_st);
  if (src_st.st_dev == dst_st.st_dev && src_st.st_ino == dst_st.st_ino) {
    return Status::InvalidArgument(StrCat({src, " and ", dst, " are the same ", TypeName(src_st)}));
  }
  if (S_ISDIR(dst_st.st_mode)) {
    WEFT_ASSIGN_OR_RETURN(UniqueFd dir, OpenDirAt(dst_dir, dst_name.c_str(), dst));
    WEFT_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, ReadDirFd(dir.get(), dst, 1));
    if (!entries.empty()) {
      return Status::FailedPrecondition(StrCat({dst, " is a directory that is not empty; overwrite only replaces an "
                                                     "empty one. Remove it first (fs_remove with recursive: true), or ",
                                                verb, " to another path"}));
    }
  }
  return Status::Ok();
}

Status AlreadyThere(std::string_view verb, const std::string& dst, const struct stat& dst_st, bool src_is_dir) {
  std::string hint = S_ISDIR(dst_st.st_mode) && !src_is_dir
                         ? StrCat({". To ", verb, " it into that directory, give the full new path (", dst, "/NAME)"})
                         : std::string();
  return Status::AlreadyExists(StrCat({dst, " already exists (", Article(dst_st), "); pass overwrite: true to "
                                                                                   "replace it, or choose another "
                                                                                   "destination",
                                       hint}));
}

// The namespace-level refusals of a copy: replacing a bind root, copying
// into itself, or copying a directory that has binds inside.
Status CheckCopyPaths(const ns::Workspace& ws, const ns::Place& src, const ns::Place& dst) {
  WEFT_RETURN_IF_ERROR(RefuseBindRoots(ws, dst, "replace"));
  if (src.path == dst.path) return Status::InvalidArgument("the source and the destination are the same path");
  if (Inside(dst.path, src.path)) {
    return Status::InvalidArgument(StrCat({"cannot copy ", src.path, " into ", dst.path, ", which lies inside it"}));
  }
  for (const ns::Mount& m : ws.mounts().mounts()) {
    if (m.path != src.path && Inside(m.path, src.path)) {
      return Status::FailedPrecondition(StrCat({"cannot copy ", src.path, ": the bind ", m.path,
                                                " lies inside it; copy the entries beside the bind, and the bind, "
                                                "separately"}));
    }
  }
  return Status::Ok();
}

Reply CopyReply(const ns::Place& src, const ns::Place& dst, const struct stat& src_st, bool replacing,
                const struct stat& dst_st, const Copied& c) {
  Json skipped = Json::array();
  for (const std::string& p : c.skipped) skipped.push_back(p);
  Json data = {{"source", src.path}, {"destination", dst.path}, {"type", TypeName(src_st)}, {"replaced", replacing},
               {"files", c.files},   {"dirs", c.dirs},          {"symlinks", c.symlinks},   {"bytes", c.bytes},
               {"skipped", std::move(skipped)}, {"skipped_count", c.skipped_count}};
  std::string what = S_ISDIR(src_st.st_mode)
                         ? StrCat({Plural(c.files, "file", "files"), ", ", Plural(c.dirs, "directory", "directories"),
                                   c.symlinks > 0 ? ", " : "",
                                   c.symlinks > 0 ? Plural(c.symlinks, "symbolic link", "symbolic links") : "", ", ",
                                   HumanSize(c.bytes)})
                     : S_ISLNK(src_st.st_mode) ? std::string("a symbolic link")
                                               : StrCat({"a file, ", HumanSize(c.bytes)});
  std::string text = StrCat({"Copied ", src.path, " to ", dst.path, " (", what, ")",
                             replacing ? StrCat({"; it replaced ", Article(dst_st), " there"}) : ""});
  if (c.skipped_count > 0) {
    text += StrCat({"; left out ", Plural(c.skipped_count, "special file", "special files"), ": ", c.skipped[0],
                    c.skipped_count > 1 ? ", …" : ""});
  }
  return Reply::WithText(std::move(data), std::move(text));
}

Result<Reply> Copy(const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  bool recursive = BoolArg(args, "recursive", false);
  bool overwrite = BoolArg(args, "overwrite", false);
  WEFT_ASSIGN_OR_RETURN(ns::Place src, ws->Locate(StringArg(args, "source"), ns::Access::kRead));
  WEFT_ASSIGN_OR_RETURN(ns::Place dst, ws->Locate(StringArg(args, "destination"), ns::Access::kWrite));
  WEFT_RETURN_IF_ERROR(CheckCopyPaths(*ws, src, dst));
  WEFT_ASSIGN_OR_RETURN(Source from, OpenSource(src));
  struct stat src_st {};
  if (::fstatat(from.dir.get(), from.name.c_str(), &src_st, AT_SYMLINK_NOFOLLOW) != 0) {
    return WriteErrno(errno, src.path);
  }
  if (S_ISDIR(src_st.st_mode) && !recursive) {
    return Status::FailedPrecondition(StrCat({src.path, " is a directory; pass recursive: true to copy it with "
                                                        "everything in it"}));
  }
  if (TypeOfMode(src_st.st_mode) == EntryType::kOther) {
    return Status::FailedPrecondition(StrCat({src.path, " is a special file (device, FIFO or socket); fs_copy "
                                                        "copies files, directories and symbolic links"}));
  }
  WEFT_ASSIGN_OR_RETURN(ParentDir to, OpenParentOf(dst));
  struct stat dst_st {};
  bool replacing = ::fstatat(to.fd.get(), to.name.c_str(), &dst_st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!replacing && errno != ENOENT) return WriteErrno(errno, dst.path);
  if (replacing && !overwrite) return AlreadyThere("copy", dst.path, dst_st, S_ISDIR(src_st.st_mode));
  if (replacing) {
    WEFT_RETURN_IF_ERROR(CheckReplace("copy", src.path, src_st, dst.path, to.fd.get(), to.name, dst_st));
  }

  std::string temp = TempName(to.name, "copy");
  Copier copier(ctx);
  Status s = copier.Entry(from.dir.get(), from.name, src.path, to.fd.get(), temp, 0);
  if (s.ok() && Rename(to.fd.get(), temp, to.fd.get(), to.name, overwrite ? 0 : RENAME_NOREPLACE) != 0) {
    int err = errno;
    s = err == EEXIST && !overwrite ? Status::AlreadyExists(StrCat({dst.path, " appeared meanwhile; pass overwrite: "
                                                                              "true to replace it"}))
                                    : WriteErrno(err, dst.path);
  }
  if (!s.ok()) {
    Discard(to.fd.get(), temp);
    return Status(s.code(), StrCat({s.message(), "; nothing was copied"}));
  }
  return CopyReply(src, dst, src_st, replacing, dst_st, copier.copied());
}

// ---------------------------------------------------------------------------
// Moving

Result<Reply> Move(const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  bool overwrite = BoolArg(args, "overwrite", false);
  WEFT_ASSIGN_OR_RETURN(ns::Place src, ws->Locate(StringArg(args, "source"), ns::Access::kWrite));
  WEFT_ASSIGN_OR_RETURN(ns::Place dst, ws->Locate(StringArg(args, "destination"), ns::Access::kWrite));
  WEFT_RETURN_IF_ERROR(RefuseBindRoots(*ws, src, "move"));
  WEFT_RETURN_IF_ERROR(RefuseBindRoots(*ws, dst, "replace"));
  if (src.path == dst.path) return Status::InvalidArgument("the source and the destination are the same path");
  if (Inside(dst.path, src.path)) {
    return Status::InvalidArgument(StrCat({"cannot move ", src.path, " into ", dst.path, ", which lies inside it"}));
  }
  Status across = Status::FailedPrecondition(
      StrCat({"cannot move ", src.path, " to ", dst.path, ": they are on different binds (", src.mount->path, " and ",
              dst.mount->path, "), and a move never crosses binds. Copy it with fs_copy, then remove the source "
              "with fs_remove"}));
  if (src.mount != dst.mount) return across;
  WEFT_ASSIGN_OR_RETURN(ParentDir from, OpenParentDir(src));
  WEFT_ASSIGN_OR_RETURN(ParentDir to, OpenParentOf(dst));
  struct stat src_st {};
  if (::fstatat(from.fd.get(), from.name.c_str(), &src_st, AT_SYMLINK_NOFOLLOW) != 0) {
    return WriteErrno(errno, src.path);
  }
  struct stat dst_st {};
  bool replacing = ::fstatat(to.fd.get(), to.name.c_str(), &dst_st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!replacing && errno != ENOENT) return WriteErrno(errno, dst.path);
  if (replacing && !overwrite) return AlreadyThere("move", dst.path, dst_st, S_ISDIR(src_st.st_mode));
  if (replacing) {
    WEFT_RETURN_IF_ERROR(CheckReplace("move", src.path, src_st, dst.path, to.fd.get(), to.name, dst_st));
  }
  if (Rename(from.fd.get(), from.name, to.fd.get(), to.name, overwrite ? 0 : RENAME_NOREPLACE) != 0) {
    switch (errno) {
      case EXDEV:
        return Status::FailedPrecondition(StrCat({"cannot move ", src.path, " to ", dst.path, ": they are on "
                                                  "different file systems. Copy it with fs_copy, then remove the "
                                                  "source with fs_remove"}));
      case EINVAL:
        return Status::InvalidArgument(StrCat({"cannot move ", src.path, " to ", dst.path,
                                               ", which lies inside it (through a symbolic link)"}));
      case EEXIST:
      case ENOTEMPTY:
        return Status::AlreadyExists(StrCat({dst.path, " appeared or changed meanwhile; nothing was moved"}));
      default: return WriteErrno(errno, src.path).WithContext("nothing was moved");
    }
  }
  Json data = {{"source", src.path}, {"destination", dst.path}, {"type", TypeName(src_st)}, {"replaced", replacing}};
  std::string text = StrCat({"Moved ", src.path, " to ", dst.path, " (", Article(src_st), ")",
                             replacing ? StrCat({"; it replaced ", Article(dst_st), " there"}) : ""});
  return Reply::WithText(std::move(data), std::move(text));
}

// ---------------------------------------------------------------------------
// Making directories

Result<Reply> Mkdir(const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  bool parents = BoolArg(args, "parents", false);
  WEFT_ASSIGN_OR_RETURN(ns::Place place, ws->Locate(StringArg(args, "path"), ns::Access::kWrite));
  std::vector<std::string> created;
  if (parents) {
    WEFT_ASSIGN_OR_RETURN(MadeDirs made, MakeDirs(place));
    created = made.paths();
  } else {
    if (place.rest.empty()) {
      return Status::AlreadyExists(StrCat({place.path, " already exists (the root of a bind); pass parents: true "
                                                       "to accept an existing directory"}));
    }
    Result<ParentDir> parent = OpenParentDir(place);
    if (!parent.ok() && parent.status().code() == StatusCode::kNotFound) {
      return Status::NotFound(StrCat({"cannot create ", place.path, ": ", parent.status().message(),
                                      "; pass parents: true to create the missing directories too"}));
    }
    if (!parent.ok()) return parent.status();
    if (::mkdirat(parent->fd.get(), parent->name.c_str(), 0755) != 0) {
      int err = errno;
      struct stat st;
      if (err == EEXIST && ::fstatat(parent->fd.get(), parent->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        return Status::AlreadyExists(
            S_ISDIR(st.st_mode)
                ? StrCat({place.path, " already exists; pass parents: true to accept an existing directory"})
                : StrCat({place.path, " already exists and is ", Article(st), ", not a directory"}));
      }
      return WriteErrno(err, place.path);
    }
    created.push_back(place.path);
  }
  Json dirs = Json::array();
  for (const std::string& d : created) dirs.push_back(d);
  Json data = {{"path", place.path}, {"created", !created.empty()}, {"created_dirs", std::move(dirs)}};
  std::string text;
  if (created.empty()) {
    text = StrCat({place.path, " already exists as a directory; nothing changed"});
  } else if (created.size() == 1) {
    text = StrCat({"Created the directory ", place.path});
  } else {
    text = StrCat({"Created the directory ", place.path, " and its missing parents"});
    for (size_t i = 0; i + 1 < created.size(); ++i) text += StrCat({i == 0 ? " " : ", ", created[i]});
  }
  return Reply::WithText(std::move(data), std::move(text));
}

// ---------------------------------------------------------------------------
// Registration

constexpr const char* kMoveDescription =
    "Move or rename a file, directory or symbolic link (the link itself) within one bind of the workspace. "
    "destination is the full new path, not a directory to move into. It is a single atomic rename. By default "
    "nothing at destination is replaced; with overwrite: true a file is replaced only by a file or link, and a "
    "directory only by a directory and only when it is empty. Moving across binds is refused: use fs_copy, then "
    "fs_remove. Returns the canonical paths and what was moved.";
constexpr const char* kCopyDescription =
    "Copy a file, a symbolic link (as a link), or, with recursive: true, a directory with everything in it. Works "
    "across binds; the source may be read-only. destination is the full path of the copy, not a directory to copy "
    "into. File content and permission bits are copied; links inside are copied as links, never followed; special "
    "files are left out and listed. All or nothing: the copy is built under a temporary name and renamed into "
    "place. Nothing is replaced unless overwrite is true (a file only by a file or link, a directory only by a "
    "directory and only when it is empty). Limits: 100,000 entries and 1 GiB per call. Returns counts of what was "
    "copied.";
constexpr const char* kRemoveDescription =
    "Delete a file, a symbolic link (the link only; what it points to is left alone) or an empty directory; with "
    "recursive: true, a directory and everything in it (links inside are removed, never followed, and another "
    "file system mounted inside is never entered). A recursive removal first renames the directory aside, so it "
    "vanishes from its path at once. The workspace root and the roots of binds cannot be removed. Returns what was "
    "deleted, by kind.";
constexpr const char* kMkdirDescription =
    "Create a directory. With parents: true, also create missing parent directories and succeed when the directory "
    "already exists (like mkdir -p), so the call is safe to repeat. Fails, naming it, when a component of the path "
    "is a file. Returns the directories created.";

void Register(Registry& registry, const char* op, const char* title, const char* description, Annotations annotations,
              std::vector<PathUse> paths, Handler handler) {
  OpSpec spec;
  spec.venom = "fs";
  spec.op = op;
  spec.title = title;
  spec.description = description;
  spec.annotations = annotations;
  spec.right = Right::kFsWrite;
  spec.handler = std::move(handler);
  spec.paths = std::move(paths);
  registry.AddOrDie(std::move(spec));
}

}  // namespace

void RegisterManageOps(Registry& registry, const ns::Workspaces& workspaces) {
  const ns::Workspaces* ws = &workspaces;
  Register(registry, "move", "Move or rename", kMoveDescription,
           {.read_only = false, .destructive = true, .idempotent = false, .open_world = false},
           {PathUse::Arg("source", PathAccess::kWrite), PathUse::Arg("destination", PathAccess::kWrite)},
           [ws](Context& ctx, const Json& args) { return Move(*ws, ctx, args); });
  // Not destructive: replacing anything needs overwrite: true, an explicit opt-in.
  Register(registry, "copy", "Copy", kCopyDescription,
           {.read_only = false, .destructive = false, .idempotent = false, .open_world = false},
           {PathUse::Arg("source", PathAccess::kRead), PathUse::Arg("destination", PathAccess::kWrite)},
           [ws](Context& ctx, const Json& args) { return Copy(*ws, ctx, args); });
  Register(registry, "remove", "Remove", kRemoveDescription,
           {.read_only = false, .destructive = true, .idempotent = true, .open_world = false},
           {PathUse::Arg("path", PathAccess::kWrite)},
           [ws](Context& ctx, const Json& args) { return Remove(*ws, ctx, args); });
  Register(registry, "mkdir", "Make a directory", kMkdirDescription,
           {.read_only = false, .destructive = false, .idempotent = true, .open_world = false},
           {PathUse::Arg("path", PathAccess::kWrite)},
           [ws](Context& ctx, const Json& args) { return Mkdir(*ws, ctx, args); });
}

}  // namespace weft::venoms::fs
