// OpenBeneath: openat2 with RESOLVE_BENEATH, or a symlink-following walk.
#include "core/ns/resolve.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "core/base/strings.h"

namespace weft::ns {
namespace {

// Symlinks followed in one resolution before giving up (the kernel's limit).
constexpr int kMaxSymlinks = 40;

Status Escapes(std::string_view path) { return Status::PermissionDenied(StrCat({path, " escapes the workspace"})); }

Status FromErrno(int err, std::string_view path) {
  switch (err) {
    case ENOENT: return Status::NotFound(StrCat({path, " does not exist"}));
    case EEXIST: return Status::AlreadyExists(StrCat({path, " already exists"}));
    case EACCES:
    case EPERM: return Status::PermissionDenied(StrCat({path, ": permission denied"}));
    case ENOTDIR: return Status::NotFound(StrCat({path, ": a component is not a directory"}));
    case ELOOP: return Status::InvalidArgument(StrCat({path, ": too many levels of symbolic links"}));
    default: return Status::FromErrno(err, path);
  }
}

long SysOpenat2(int dirfd, const char* path, open_how* how) {
  return ::syscall(SYS_openat2, dirfd, path, how, sizeof(open_how));
}

// Splits on '/', dropping empty and "." components.
std::vector<std::string> Components(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (!part.empty() && part != ".") out.emplace_back(part);
    start = end + 1;
  }
  return out;
}

Result<UniqueFd> ViaOpenat2(int root_fd, std::string_view path, std::string_view shown, int flags, mode_t mode) {
  size_t skip = path.find_first_not_of('/');
  std::string rel(skip == std::string_view::npos ? std::string_view(".") : path.substr(skip));
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = SysOpenat2(root_fd, rel.c_str(), &how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno == EINTR || errno == EAGAIN) continue;
    if (errno == EXDEV) return Escapes(shown);
    return FromErrno(errno, shown);
  }
}

// The walk: `stack` holds the directories from the root down to the
// current one, so ".." pops and can never go above the root.
Result<UniqueFd> ViaWalk(int root_fd, std::string_view path, std::string_view shown, int flags, mode_t mode) {
  std::vector<UniqueFd> stack;
  auto current = [&]() { return stack.empty() ? root_fd : stack.back().get(); };
  std::vector<std::string> pending = Components(path);
  std::reverse(pending.begin(), pending.end());  // a stack of components still to walk
  int links = 0;
  if (pending.empty()) {
    int fd = ::openat(root_fd, ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
    if (fd < 0) return FromErrno(errno, shown);
    return UniqueFd(fd);
  }
  while (!pending.empty()) {
    std::string name = std::move(pending.back());
    pending.pop_back();
    bool last = pending.empty();
    if (name == "..") {
      if (stack.empty()) return Escapes(shown);
      stack.pop_back();
      if (last) {
        int fd = ::openat(current(), ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
        if (fd < 0) return FromErrno(errno, shown);
        return UniqueFd(fd);
      }
      continue;
    }
    struct stat st;
    bool exists = ::fstatat(current(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (!exists && errno != ENOENT) return FromErrno(errno, shown);
    if (exists && S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
      if (++links > kMaxSymlinks) return FromErrno(ELOOP, shown);
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(current(), name.c_str(), target.data(), target.size());
      if (n < 0) return FromErrno(errno, shown);
      target.resize(static_cast<size_t>(n));
      if (!target.empty() && target.front() == '/') return Escapes(shown);
      std::vector<std::string> parts = Components(target);
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.push_back(*it);
      if (parts.empty() && last) pending.push_back(".");
      continue;
    }
    if (last) {
      int fd = ::openat(current(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
      if (fd < 0) {
        if (errno == ELOOP && (flags & O_NOFOLLOW)) return FromErrno(ELOOP, shown);
        return FromErrno(errno, shown);
      }
      return UniqueFd(fd);
    }
    if (name == ".") continue;
    int dir = ::openat(current(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0) return FromErrno(errno, shown);
    stack.emplace_back(dir);
  }
  return FromErrno(ENOENT, shown);
}

}  // namespace

bool Openat2Available() {
  static const bool available = [] {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH;
    long fd = SysOpenat2(AT_FDCWD, ".", &how);
    if (fd < 0) return false;
    ::close(static_cast<int>(fd));
    return true;
  }();
  return available;
}

Result<UniqueFd> OpenBeneath(int root_fd, std::string_view path, int flags, mode_t mode, ResolveMode how) {
  switch (how) {
    case ResolveMode::kOpenat2:
      if (!Openat2Available()) return Status::Unimplemented("openat2 is not available on this kernel");
      return ViaOpenat2(root_fd, path, path, flags, mode);
    case ResolveMode::kWalk:
      return ViaWalk(root_fd, path, path, flags, mode);
    case ResolveMode::kAuto:
      break;
  }
  return OpenBeneathAs(root_fd, path, path, flags, mode);
}

Result<UniqueFd> OpenBeneathAs(int root_fd, std::string_view path, std::string_view shown, int flags,
                               mode_t mode) {
  return Openat2Available() ? ViaOpenat2(root_fd, path, shown, flags, mode)
                            : ViaWalk(root_fd, path, shown, flags, mode);
}

}  // namespace weft::ns
