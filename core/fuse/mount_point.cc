// Mount points: mountinfo, stale mounts, unmounting.
#include "core/fuse/mount_point.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "core/base/strings.h"

extern char** environ;

namespace weft::fuse {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto octal = [&](size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '7'; };
    if (s[i] == '\\' && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      out.push_back(static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

Status RunFusermount(const std::string& dir, bool lazy) {
  std::vector<std::string> args = {"fusermount3", "-u", "-q"};
  if (lazy) args.push_back("-z");
  args.push_back("--");
  args.push_back(dir);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int err = ::posix_spawnp(&pid, "fusermount3", nullptr, nullptr, argv.data(), environ);
  if (err != 0) return Status::FromErrno(err, "fusermount3");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  // fusermount3 prints why; "busy" is the usual reason.
  return Status::FailedPrecondition(StrCat({"fusermount3 -u could not unmount ", dir, " (busy?)"}));
}

}  // namespace

Result<std::string> CanonicalMountPath(const std::string& dir) {
  std::string path = dir;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  std::string parent = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) == nullptr) return Status::FromErrno(errno, path);
    return std::string(buf);
  }
  char buf[PATH_MAX];
  if (::realpath(parent.c_str(), buf) == nullptr) return Status::FromErrno(errno, parent);
  std::string out = buf;
  return out == "/" ? "/" + name : out + "/" + name;
}

std::optional<std::string> MountTypeAt(const std::string& dir) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  std::optional<std::string> found;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point, word;
    fields >> id >> parent >> devno >> root >> point;
    while (fields >> word && word != "-") {
    }
    std::string type;
    fields >> type;
    if (Unescape(point) == dir) found = type;  // the last one is on top
  }
  return found;
}

bool IsStaleMount(const std::string& dir) {
  // statfs always reaches the server (the kernel may answer a stat of the
  // mount's root from its attribute cache even after the server died).
  struct statvfs sv {};
  return ::statvfs(dir.c_str(), &sv) != 0 && errno == ENOTCONN;
}

Status Unmount(const std::string& dir, bool lazy) {
  if (::geteuid() != 0) return RunFusermount(dir, lazy);
  if (::umount2(dir.c_str(), lazy ? MNT_DETACH : 0) == 0) return Status::Ok();
  if (errno == EBUSY) {
    return Status::FailedPrecondition(StrCat({dir, " is busy: a process has a file or directory open there"}));
  }
  return Status::FromErrno(errno, StrCat({"umount ", dir}));
}

}  // namespace weft::fuse
