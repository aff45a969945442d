// MountTable: parsing, normalisation and longest-prefix resolution.
#include "core/ns/mount_table.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/base/strings.h"

namespace weft::ns {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<Source> Source::Parse(std::string_view spec) {
  Source s;
  std::string_view rest = spec;
  if (EndsWith(rest, ":ro")) {
    s.read_only = true;
    rest.remove_suffix(3);
  } else if (EndsWith(rest, ":rw")) {
    rest.remove_suffix(3);
  }
  if (rest.substr(0, 5) == "host:") {
    rest.remove_prefix(5);
  } else if (rest.substr(0, 5) == "node:") {
    rest.remove_prefix(5);
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Status::InvalidArgument(StrCat({"bad source '", spec, "': write node:NAME:/abs/dir"}));
    }
    s.kind = Kind::kNode;
    s.node = std::string(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
  }
  if (rest.empty() || rest.front() != '/') {
    return Status::InvalidArgument(StrCat({"bad source '", spec, "': the directory must be an absolute path"}));
  }
  if (rest.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("bad source: the directory contains a NUL byte");
  }
  s.dir = std::string(rest);
  while (s.dir.size() > 1 && s.dir.back() == '/') s.dir.pop_back();
  return s;
}

std::string Source::ToString() const {
  std::string out = kind == Kind::kNode ? StrCat({"node:", node, ":", dir}) : StrCat({"host:", dir});
  if (read_only) out.append(":ro");
  return out;
}

bool PathWithin(std::string_view path, std::string_view dir) {
  if (dir == "/") return !path.empty() && path.front() == '/';
  return path.substr(0, dir.size()) == dir && (path.size() == dir.size() || path[dir.size()] == '/');
}

Result<std::string> NormalizeNsPath(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return Status::InvalidArgument(StrCat({"namespace path '", path, "' must be absolute (start with /)"}));
  }
  if (path.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("namespace path contains a NUL byte");
  }
  std::string out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      return Status::InvalidArgument(StrCat({"namespace path '", path, "' contains '..'"}));
    }
    if (!part.empty() && part != ".") {
      out.push_back('/');
      out.append(part);
    }
    start = end + 1;
  }
  return out.empty() ? std::string("/") : out;
}

Status MountTable::Add(std::string_view path, Source source) {
  WEFT_ASSIGN_OR_RETURN(std::string canonical, NormalizeNsPath(path));
  if (source.dir.empty() || source.dir.front() != '/') {
    return Status::InvalidArgument(StrCat({"the source of ", canonical, " must be an absolute directory"}));
  }
  auto it = std::lower_bound(mounts_.begin(), mounts_.end(), canonical,
                             [](const Mount& m, const std::string& p) { return m.path < p; });
  if (it != mounts_.end() && it->path == canonical) {
    return Status::AlreadyExists(StrCat({canonical, " is already bound to ", it->source.ToString()}));
  }
  mounts_.insert(it, Mount{canonical, std::move(source)});
  return Status::Ok();
}

Status MountTable::Remove(std::string_view path) {
  WEFT_ASSIGN_OR_RETURN(std::string canonical, NormalizeNsPath(path));
  auto it = std::find_if(mounts_.begin(), mounts_.end(), [&](const Mount& m) { return m.path == canonical; });
  if (it == mounts_.end()) return Status::NotFound(StrCat({canonical, " is not a bind"}));
  mounts_.erase(it);
  return Status::Ok();
}

Result<Resolution> MountTable::Resolve(std::string_view path) const {
  WEFT_ASSIGN_OR_RETURN(std::string canonical, NormalizeNsPath(path));
  const Mount* best = nullptr;
  for (const Mount& m : mounts_) {
    bool covers = m.path == "/" || canonical == m.path ||
                  (canonical.size() > m.path.size() && canonical.compare(0, m.path.size(), m.path) == 0 &&
                   canonical[m.path.size()] == '/');
    if (covers && (best == nullptr || m.path.size() > best->path.size())) best = &m;
  }
  if (best == nullptr) return Status::NotFound(StrCat({canonical, " is not inside any bind of this workspace"}));
  std::string rest = best->path == "/" ? canonical.substr(1) : canonical.substr(std::min(canonical.size(),
                                                                                          best->path.size() + 1));
  return Resolution{best, rest};
}

std::vector<const Mount*> MountTable::ChildMounts(std::string_view dir) const {
  std::vector<const Mount*> out;
  Result<std::string> canonical = NormalizeNsPath(dir);
  if (!canonical.ok()) return out;
  std::string prefix = *canonical == "/" ? "/" : *canonical + "/";
  for (const Mount& m : mounts_) {
    if (m.path.size() > prefix.size() && m.path.compare(0, prefix.size(), prefix) == 0 &&
        m.path.find('/', prefix.size()) == std::string::npos) {
      out.push_back(&m);
    }
  }
  return out;
}

Result<Mount> ParseBindFlag(std::string_view flag) {
  size_t eq = flag.find('=');
  if (eq == std::string_view::npos) {
    return Status::InvalidArgument(StrCat({"--bind '", flag, "': write NSPATH=DIR[:ro], e.g. /docs=/home/me/docs:ro"}));
  }
  WEFT_ASSIGN_OR_RETURN(std::string path, NormalizeNsPath(flag.substr(0, eq)));
  WEFT_ASSIGN_OR_RETURN(Source source, Source::Parse(flag.substr(eq + 1)));
  return Mount{path, std::move(source)};
}

Result<UniqueFd> OpenSourceRoot(const Source& source) {
  if (source.kind == Source::Kind::kNode) {
    return Status::FailedPrecondition(StrCat({"no such node: ", source.node,
                                              " (this weft host is not federated with any node)"}));
  }
  int fd = ::open(source.dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(StrCat({source.dir, " does not exist"}));
    if (err == ENOTDIR) return Status::FailedPrecondition(StrCat({source.dir, " is not a directory"}));
    return Status::FromErrno(err, StrCat({"cannot open ", source.dir}));
  }
  return UniqueFd(fd);
}

}  // namespace weft::ns
