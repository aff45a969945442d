// The symlink rule: lexical from the link's place, then resolved beneath the bind.
#include "core/fuse/symlink_rule.h"

#include <fcntl.h>
#include <limits.h>
#include <algorithm>
#include <unistd.h>

#include "core/base/fd.h"
#include "core/base/strings.h"
#include "core/ns/resolve.h"

namespace weft::fuse {
namespace {

// The host path an open descriptor names (from /proc), or "".
std::string FdPath(int fd) {
  char buf[PATH_MAX];
  std::string proc = FdProcPath(fd);
  ssize_t n = ::readlink(proc.c_str(), buf, sizeof(buf));
  return n <= 0 || n >= static_cast<ssize_t>(sizeof(buf)) ? std::string() : std::string(buf, static_cast<size_t>(n));
}

}  // namespace

bool TargetStaysInside(std::string_view target, int depth) {
  if (target.empty() || target.front() == '/') return false;
  size_t pos = 0;
  while (pos <= target.size()) {
    size_t slash = target.find('/', pos);
    if (slash == std::string_view::npos) slash = target.size();
    std::string_view part = target.substr(pos, slash - pos);
    if (part == "..") {
      if (--depth < 0) return false;
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    pos = slash + 1;
  }
  return true;
}

Status CheckSymlink(int root_fd, int link_fd, std::string_view target) {
  if (!target.empty() && target.front() == '/') {
    return Status::PermissionDenied(StrCat({"absolute target ", target}));
  }
  std::string root = FdPath(root_fd);
  std::string link = FdPath(link_fd);
  std::string prefix = root == "/" ? "/" : root + "/";
  if (root.empty() || link.size() <= prefix.size() || link.compare(0, prefix.size(), prefix) != 0) {
    return Status::PermissionDenied(StrCat({"the link at ", link, " is no longer beneath its bind ", root}));
  }
  std::string rel = link.substr(prefix.size());  // "a/b/link"
  size_t last = rel.rfind('/');
  std::string dir = last == std::string::npos ? std::string() : rel.substr(0, last);
  int depth = dir.empty() ? 0 : 1 + static_cast<int>(std::count(dir.begin(), dir.end(), '/'));
  if (!TargetStaysInside(target, depth)) {
    return Status::PermissionDenied(StrCat({"target ", target, " climbs above the bind's root from /", rel}));
  }
  // Lexically inside; the symlinks on the target's way could still lead out
  // (a ".." after a link to the root). Resolve it beneath the root.
  std::string path = dir.empty() ? std::string(target) : StrCat({dir, "/", target});
  Result<UniqueFd> opened = ns::OpenBeneath(root_fd, path, O_PATH);
  if (!opened.ok() && opened.status().code() == StatusCode::kPermissionDenied) {
    return Status::PermissionDenied(StrCat({"target ", target, " of /", rel, " resolves outside its bind"}));
  }
  return Status::Ok();  // inside, or dangling (each link on the way is checked when the kernel follows it)
}

}  // namespace weft::fuse
