// Workspace: caller paths → canonical namespace paths → places on binds.
#include "core/ns/workspace.h"

#include <fcntl.h>
#include <limits.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "core/base/strings.h"
#include "core/ns/resolve.h"

namespace weft::ns {
namespace {

constexpr size_t kMaxName = NAME_MAX;     // 255 bytes per component
constexpr size_t kMaxPath = PATH_MAX - 1;  // 4095 bytes in all

// `path` lies at or below `dir` (both absolute, `dir` without a trailing '/'
// unless it is "/"): the part after it, starting with '/' (or "/" itself).
bool UnderDir(std::string_view path, std::string_view dir, std::string_view* tail) {
  if (dir.empty() || dir == "/" || path.size() < dir.size() || path.substr(0, dir.size()) != dir) return false;
  if (path.size() == dir.size()) {
    *tail = "/";
    return true;
  }
  if (path[dir.size()] != '/') return false;  // "/ws-evil" is not under "/ws"
  *tail = path.substr(dir.size());
  return true;
}

bool Writes(int flags) {
  return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) != 0;
}

}  // namespace

Result<std::unique_ptr<Workspace>> Workspace::Open(std::string id, std::string name, MountTable mounts,
                                                   bool read_only) {
  std::unique_ptr<Workspace> ws(new Workspace());
  for (const Mount& m : mounts.mounts()) {
    Result<UniqueFd> root = OpenSourceRoot(m.source);
    if (!root.ok()) return root.status().WithContext(StrCat({"bind ", m.path}));
    ws->roots_.push_back(std::move(root).value());
  }
  ws->id_ = std::move(id);
  ws->name_ = std::move(name);
  ws->mounts_ = std::move(mounts);
  ws->read_only_ = read_only;
  return ws;
}

std::string Workspace::PrimaryDir() const {
  for (const Mount& m : mounts_.mounts()) {
    if (m.path == "/" && m.source.kind == Source::Kind::kHost) return m.source.dir;
  }
  return "";
}

std::string Workspace::DefaultDir() const {
  if (mounts_.Resolve("/").ok() || mounts_.mounts().empty()) return "/";
  return mounts_.mounts().front().path;
}

Result<std::string> Workspace::CanonicalPath(std::string_view user_path) const {
  if (user_path.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("the path contains a NUL byte");
  }
  if (user_path.size() > kMaxPath) {
    return Status::InvalidArgument(StrCat({"the path is ", std::to_string(user_path.size()),
                                           " bytes long; the limit is ", std::to_string(kMaxPath)}));
  }
  std::string path;
  std::string_view tail;
  if (user_path.empty() || user_path == ".") {
    path = "/";
  } else if (user_path.front() != '/') {
    path = StrCat({"/", user_path});
  } else {
    path = std::string(user_path);
    // A host path inside a bind's directory means the same place in the namespace.
    for (const Mount& m : mounts_.mounts()) {
      if (m.source.kind == Source::Kind::kHost && UnderDir(user_path, m.source.dir, &tail)) {
        path = m.path == "/" ? std::string(tail) : StrCat({m.path, tail == "/" ? "" : tail});
        break;
      }
    }
  }
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end - start > kMaxName) {
      return Status::InvalidArgument(StrCat({"a name in the path is ", std::to_string(end - start),
                                             " bytes long; the limit is ", std::to_string(kMaxName)}));
    }
    start = end + 1;
  }
  Result<std::string> canonical = NormalizeNsPath(path);
  if (!canonical.ok() && path.find("..") != std::string::npos) {
    return Status::InvalidArgument(StrCat({"'", user_path,
                                           "' contains '..': name the place directly (workspace paths "
                                           "start at / and never walk up)"}));
  }
  return canonical;
}

Result<Place> Workspace::Locate(std::string_view user_path, Access access) const {
  WEFT_ASSIGN_OR_RETURN(std::string path, CanonicalPath(user_path));
  Result<Resolution> where = mounts_.Resolve(path);
  if (!where.ok()) {
    if (!narrowed_by_.empty()) {
      return Status::PermissionDenied(StrCat({path, " is outside what this session may use: ", narrowed_by_}));
    }
    return Status::NotFound(StrCat({path, " is not inside any bind of the workspace"}));
  }
  const Mount* mount = where->mount;
  if (mount->source.kind != Source::Kind::kHost) {
    return Status::Unavailable(StrCat({path, " is on node '", mount->source.node,
                                       "', and remote nodes are not connected in this version"}));
  }
  if (access == Access::kWrite) {
    if (read_only_) {
      return Status::PermissionDenied(StrCat({"cannot change ", path,
                                              ": the workspace is served read-only (--read-only)"}));
    }
    if (mount->source.read_only) {
      return Status::PermissionDenied(StrCat({"cannot change ", path, ": it is on the read-only bind ",
                                              mount->path, " (", mount->source.dir, ")"}));
    }
  }
  size_t index = static_cast<size_t>(mount - mounts_.mounts().data());
  return Place{std::move(path), mount, roots_[index].get(), std::move(where->rest)};
}

Result<UniqueFd> Workspace::OpenPath(std::string_view user_path, int flags, mode_t mode) const {
  WEFT_ASSIGN_OR_RETURN(Place place, Locate(user_path, Writes(flags) ? Access::kWrite : Access::kRead));
  return OpenBeneathAs(place.root_fd, place.rest, place.path, flags, mode);
}

std::vector<std::string> Workspace::NsPathsOfHostDir(std::string_view host_dir) const {
  std::vector<std::string> out;
  std::string_view tail;
  for (const Mount& m : mounts_.mounts()) {
    if (m.source.kind != Source::Kind::kHost) continue;
    if (PathWithin(m.source.dir, host_dir)) {
      out.push_back(m.path);  // the whole bind
    } else if (UnderDir(host_dir, m.source.dir, &tail)) {
      // The longest bind wins (a nested bind hides what lies under it in its parent).
      std::string path = m.path == "/" ? std::string(tail) : StrCat({m.path, tail});
      Result<Resolution> at = mounts_.Resolve(path);
      if (at.ok() && at->mount == &m) out.push_back(std::move(path));
    }
  }
  return out;
}

Result<std::unique_ptr<Workspace>> Workspace::Narrow(std::vector<std::string> dirs, std::string why) const {
  // Keep only the outermost of nested dirs (sorted, a dir comes after any
  // that holds it, though not always right after: "/a-b" sorts between
  // "/a" and "/a/b").
  std::sort(dirs.begin(), dirs.end());
  std::vector<std::string> outer;
  for (const std::string& d : dirs) {
    auto holds = [&d](const std::string& o) { return PathWithin(d, o); };
    if (std::none_of(outer.begin(), outer.end(), holds)) outer.push_back(d);
  }
  std::unique_ptr<Workspace> ws(new Workspace());
  MountTable table;
  std::vector<std::pair<std::string, UniqueFd>> roots;
  for (const std::string& dir : outer) {
    WEFT_ASSIGN_OR_RETURN(Place place, Locate(dir, Access::kRead));
    WEFT_ASSIGN_OR_RETURN(UniqueFd fd, OpenBeneathAs(place.root_fd, place.rest, place.path, O_PATH | O_DIRECTORY));
    Source source = place.mount->source;
    if (!place.rest.empty()) source.dir = StrCat({source.dir, "/", place.rest});
    WEFT_RETURN_IF_ERROR(table.Add(place.path, source));
    roots.emplace_back(place.path, std::move(fd));
    // Binds nested inside the dir stay whole.
    for (size_t i = 0; i < mounts_.mounts().size(); ++i) {
      const Mount& m = mounts_.mounts()[i];
      if (m.path == place.path || !PathWithin(m.path, dir)) continue;
      if (m.source.kind != Source::Kind::kHost) continue;
      int copy = fcntl(roots_[i].get(), F_DUPFD_CLOEXEC, 0);
      if (copy < 0) return Status::FromErrno(errno, "duplicating a bind's root");
      WEFT_RETURN_IF_ERROR(table.Add(m.path, m.source));
      roots.emplace_back(m.path, UniqueFd(copy));
    }
  }
  // roots_ runs parallel to the table's (sorted) mounts.
  for (const Mount& m : table.mounts()) {
    for (auto& [path, fd] : roots) {
      if (path == m.path) ws->roots_.push_back(std::move(fd));
    }
  }
  ws->id_ = id_;
  ws->name_ = name_;
  ws->mounts_ = std::move(table);
  ws->read_only_ = read_only_;
  ws->narrowed_by_ = std::move(why);
  return ws;
}

Workspace* Workspaces::Find(std::string_view id_or_name) const {
  for (const auto& ws : list_) {
    if (ws->id() == id_or_name) return ws.get();
  }
  for (const auto& ws : list_) {
    if (ws->name() == id_or_name) return ws.get();
  }
  return nullptr;
}

Result<Workspace*> Workspaces::Pick(std::string_view id_or_name) const {
  if (list_.empty()) return Status::FailedPrecondition("this server has no workspace");
  if (id_or_name.empty()) return list_.front().get();
  if (Workspace* ws = Find(id_or_name)) return ws;
  std::string known;
  for (const auto& ws : list_) known += StrCat({known.empty() ? "" : ", ", ws->name(), " (", ws->id(), ")"});
  return Status::NotFound(StrCat({"no workspace '", id_or_name, "'; this server has: ", known}));
}

}  // namespace weft::ns
