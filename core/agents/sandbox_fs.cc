// The agent's file system view: the plan (made in weft) and its assembly
// (in the child, system calls only).
#include "core/agents/sandbox_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "core/base/strings.h"

namespace weft::agents {
namespace {

// Top-level entries of the system view: directories are cloned read-only,
// symlinks (/bin -> usr/bin on merged-/usr systems) are recreated.
constexpr const char* kSystemEntries[] = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "opt"};
constexpr const char* kDevFiles[] = {"null", "zero", "full", "random", "urandom", "tty"};
// Host-wide knobs in /proc that permission bits alone guard: an agent
// mapped to root (uid 0 outside too) may write them without any capability
// (vm.swappiness, IRQ affinity, sysrq), so they are made read-only.
constexpr const char* kProcSealed[] = {"proc/sys", "proc/sysrq-trigger", "proc/irq", "proc/bus", "proc/fs"};
constexpr unsigned long long kReadOnlyAttrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
constexpr int kPrivateFailed = -1000001;
constexpr int kStageFailed = -1000002;
constexpr int kRemountFailed = -1000003;

bool Under(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

Result<std::string> Canonical(const std::string& path) {
  if (path.empty() || path[0] != '/') {
    return Status::InvalidArgument(StrCat({"'", path, "' is not an absolute path; sandbox paths must be absolute"}));
  }
  char real[PATH_MAX];
  if (realpath(path.c_str(), real) == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound(StrCat({"'", path, "' does not exist; create it before making it visible to an agent"}));
    }
    return Status::FromErrno(errno, path);
  }
  std::string out = real;
  if (out == "/") {
    return Status::InvalidArgument(
        StrCat({"'", path, "' is the root directory; an agent sees a workspace, never the whole host"}));
  }
  for (const char* special : {"/proc", "/dev", "/sys"}) {
    if (Under(out, special)) {
      return Status::InvalidArgument(
          StrCat({"'", path, "' is under ", special, ", which the sandbox provides itself; choose another path"}));
    }
  }
  return out;
}

class Planner {
 public:
  explicit Planner(MountPlan* plan) : plan_(plan) {}

  int AddClone(const std::string& source, bool recursive, unsigned long long attrs) {
    plan_->clones.push_back({source, recursive, attrs});
    return static_cast<int>(plan_->clones.size()) - 1;
  }
  void Mkdir(const std::string& path, mode_t mode = 0755) {
    if (!made_.insert(path).second) return;
    plan_->steps.push_back({MountPlan::Op::kMkdir, path, "", -1, "", "", 0, mode});
  }
  // Every directory above `path` (relative), outermost first.
  void Parents(const std::string& path) {
    for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      Mkdir(path.substr(0, slash));
    }
  }
  void Symlink(const std::string& path, const std::string& target) {
    plan_->steps.push_back({MountPlan::Op::kSymlink, path, target, -1, "", "", 0, 0});
  }
  void Touch(const std::string& path) { plan_->steps.push_back({MountPlan::Op::kTouch, path, "", -1, "", "", 0, 0644}); }
  void Attach(int clone, const std::string& path) {
    plan_->steps.push_back({MountPlan::Op::kAttach, path, "", clone, "", "", 0, 0});
  }
  void Mount(const std::string& path, const std::string& fstype, unsigned long flags, const std::string& data) {
    plan_->steps.push_back({MountPlan::Op::kMount, path, "", -1, fstype, data, flags, 0});
  }
  void Seal(const std::string& path) { plan_->steps.push_back({MountPlan::Op::kSeal, path, "", -1, "", "", 0, 0}); }
  // A host path at the same place inside: its parents made on the root (or
  // found in a clone already attached), then the clone attached.
  void Bind(const std::string& host_path, bool writable, bool recursive = true) {
    std::string rel = host_path.substr(1);
    Parents(rel);
    struct stat st;
    bool dir = ::stat(host_path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    if (dir) {
      Mkdir(rel);
    } else {
      Touch(rel);
    }
    Attach(AddClone(host_path, recursive && dir, writable ? MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV : kReadOnlyAttrs),
           rel);
  }

 private:
  MountPlan* plan_;
  std::set<std::string> made_;
};

void PlanSystem(Planner& p, MountPlan* plan) {
  for (const char* name : kSystemEntries) {
    std::string host = StrCat({"/", name});
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      ssize_t n = ::readlink(host.c_str(), target, sizeof(target) - 1);
      if (n <= 0) continue;
      p.Symlink(name, std::string(target, static_cast<size_t>(n)));
    } else if (S_ISDIR(st.st_mode)) {
      p.Bind(host, false);
      plan->read_only_paths.push_back(host);
    }
  }
  p.Bind("/sys", false);
  plan->read_only_paths.push_back("/sys");
  p.Mkdir("proc");
  p.Mount("proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "");
  for (const char* knob : kProcSealed) p.Seal(knob);
  plan->read_only_paths.push_back("/proc");
}

void PlanDev(Planner& p, MountPlan* plan) {
  p.Mkdir("dev");
  p.Mount("dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k");
  for (const char* name : kDevFiles) {
    std::string rel = StrCat({"dev/", name});
    p.Touch(rel);
    p.Attach(p.AddClone("/" + rel, false, 0), rel);
  }
  // A devpts of its own: the agent can open new terminals, never the host's.
  p.Mkdir("dev/pts");
  p.Mount("dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
  p.Symlink("dev/ptmx", "pts/ptmx");
  p.Symlink("dev/fd", "/proc/self/fd");
  p.Symlink("dev/stdin", "/proc/self/fd/0");
  p.Symlink("dev/stdout", "/proc/self/fd/1");
  p.Symlink("dev/stderr", "/proc/self/fd/2");
  p.Mkdir("dev/shm", 01777);
  plan->writable_paths.push_back("/dev");
}

// A read-only copy of `path` over itself; a path that does not exist is
// left alone. 0 or -1 with errno.
int SealInPlace(const char* path) noexcept {
  int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (fd < 0) return errno == ENOENT ? 0 : -1;
  mount_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  int rc = mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr));
  if (rc == 0) rc = move_mount(fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH);
  int err = errno;
  ::close(fd);
  errno = err;
  return rc;
}

}  // namespace

Result<MountPlan> BuildMountPlan(const FsView& view) {
  MountPlan plan;
  Planner p(&plan);
  // Canonical user paths first: errors before any planning, and a writable
  // path named twice (or also readable) is bound once, writable.
  std::vector<std::pair<std::string, bool>> binds;
  for (const std::string& path : view.writable) {
    WEFT_ASSIGN_OR_RETURN(std::string real, Canonical(path));
    binds.push_back({real, true});
  }
  for (const std::string& path : view.readable) {
    WEFT_ASSIGN_OR_RETURN(std::string real, Canonical(path));
    binds.push_back({real, false});
  }
  if (view.network) {
    char real[PATH_MAX];
    if (realpath(view.resolv_conf.c_str(), real) != nullptr && !Under(real, "/etc") && !Under(real, "/usr")) {
      binds.push_back({real, false});
    }
  }
  // Outer paths before inner ones (an inner bind lands on the outer one),
  // writable before read-only for the same path (which is then skipped).
  std::sort(binds.begin(), binds.end(), [](const auto& a, const auto& b) {
    size_t da = std::count(a.first.begin(), a.first.end(), '/');
    size_t db = std::count(b.first.begin(), b.first.end(), '/');
    if (da != db) return da < db;
    if (a.first != b.first) return a.first < b.first;
    return a.second > b.second;
  });
  binds.erase(std::unique(binds.begin(), binds.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
              binds.end());

  PlanSystem(p, &plan);
  PlanDev(p, &plan);
  p.Mkdir("tmp", 01777);
  p.Mount("tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  plan.writable_paths.push_back("/tmp");
  p.Mkdir("run");
  for (const auto& [path, writable] : binds) {
    p.Bind(path, writable);
    (writable ? plan.writable_paths : plan.read_only_paths).push_back(path);
  }
  plan.clone_fds.assign(plan.clones.size(), -1);
  return plan;
}

int AssembleRoot(MountPlan* plan, int* failed) noexcept {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    *failed = kPrivateFailed;
    return errno;
  }
  for (size_t i = 0; i < plan->clones.size(); ++i) {
    const MountPlan::Clone& c = plan->clones[i];
    unsigned recursive = c.recursive ? AT_RECURSIVE : 0;
    int fd = open_tree(AT_FDCWD, c.source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | recursive);
    int err = fd < 0 ? errno : 0;
    if (fd >= 0 && c.attr_set != 0) {
      mount_attr attr;
      memset(&attr, 0, sizeof(attr));
      attr.attr_set = c.attr_set;
      if (mount_setattr(fd, "", AT_EMPTY_PATH | recursive, &attr, sizeof(attr)) != 0) err = errno;
    }
    if (err != 0) {
      *failed = -1 - static_cast<int>(i);
      return err;
    }
    plan->clone_fds[i] = fd;
  }
  // Every source is cloned: the new root can go over /tmp.
  if (mount("weft-root", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0 || chdir("/tmp") != 0) {
    *failed = kStageFailed;
    return errno;
  }
  for (size_t i = 0; i < plan->steps.size(); ++i) {
    const MountPlan::Step& s = plan->steps[i];
    const char* path = s.path.c_str();
    int rc = 0;
    switch (s.op) {
      case MountPlan::Op::kMkdir:
        rc = mkdirat(AT_FDCWD, path, s.mode);
        if (rc == 0) {
          rc = fchmodat(AT_FDCWD, path, s.mode, 0);  // the mode exactly, whatever the umask
        } else if (errno == EEXIST) {
          rc = 0;
        }
        break;
      case MountPlan::Op::kSymlink:
        rc = symlinkat(s.target.c_str(), AT_FDCWD, path);
        break;
      case MountPlan::Op::kTouch: {
        int fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, s.mode);
        if (fd >= 0) {
          ::close(fd);
        } else if (errno != EEXIST && errno != EROFS && errno != EISDIR) {
          rc = -1;
        }
        break;
      }
      case MountPlan::Op::kAttach:
        rc = move_mount(plan->clone_fds[s.clone], "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH);
        break;
      case MountPlan::Op::kMount:
        rc = mount(s.fstype.c_str(), path, s.fstype.c_str(), s.flags, s.data.empty() ? nullptr : s.data.c_str());
        break;
      case MountPlan::Op::kSeal:
        rc = SealInPlace(path);
        break;
    }
    if (rc != 0) {
      *failed = static_cast<int>(i);
      return errno;
    }
  }
  for (int& fd : plan->clone_fds) {
    ::close(fd);
    fd = -1;
  }
  // The documented pivot_root(".", ".") idiom: the old root ends up stacked
  // on the new one and is detached from there.
  if (syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0 || chdir("/") != 0) {
    *failed = kPivotFailed;
    return errno;
  }
  if (mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0) {
    *failed = kRemountFailed;
    return errno;
  }
  return 0;
}

std::string DescribeMountFailure(const MountPlan& plan, int failed) {
  switch (failed) {
    case kPrivateFailed: return "making the agent's mounts private";
    case kStageFailed: return "mounting the tmpfs for the agent's root";
    case kPivotFailed: return "pivot_root into the agent's root";
    case kRemountFailed: return "making the agent's root read-only";
    default: break;
  }
  if (failed < 0) {
    size_t i = static_cast<size_t>(-1 - failed);
    return i < plan.clones.size() ? StrCat({"cloning ", plan.clones[i].source, " for the agent's view"})
                                  : "cloning a mount";
  }
  if (static_cast<size_t>(failed) >= plan.steps.size()) return "assembling the agent's root";
  const MountPlan::Step& s = plan.steps[static_cast<size_t>(failed)];
  std::string where = "/" + s.path;
  switch (s.op) {
    case MountPlan::Op::kMkdir: return StrCat({"making the mount point ", where});
    case MountPlan::Op::kSymlink: return StrCat({"making the symlink ", where});
    case MountPlan::Op::kTouch: return StrCat({"making the mount point ", where});
    case MountPlan::Op::kAttach:
      return StrCat({"mounting ", plan.clones[static_cast<size_t>(s.clone)].source, " at ", where});
    case MountPlan::Op::kMount: return StrCat({"mounting ", s.fstype, " at ", where});
    case MountPlan::Op::kSeal: return StrCat({"making ", where, " read-only"});
  }
  return "assembling the agent's root";
}

}  // namespace weft::agents
