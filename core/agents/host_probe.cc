// ProbeHost: each confinement feature tried for real, once.
#include "core/agents/host_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <sstream>

#include "core/agents/clone.h"
#include "core/agents/landlock.h"
#include "core/agents/seccomp_filter.h"
#include "core/base/files.h"
#include "core/base/strings.h"
#include "core/proc/process.h"

namespace weft::agents {
namespace {

// The steps of the namespace probe, in order; a failing one is reported
// with its errno.
enum ProbeStep : int {
  kStepMaps = 1,
  kStepPrivate,
  kStepTmpfs,
  kStepProc,
  kStepOpenTree,
  kStepLoopback,
};

const char* StepName(int step) {
  switch (step) {
    case kStepMaps: return "writing uid_map/gid_map";
    case kStepPrivate: return "making mounts private";
    case kStepTmpfs: return "mounting a tmpfs";
    case kStepProc: return "mounting /proc for a new pid namespace";
    case kStepOpenTree: return "cloning a mount tree (open_tree, mount_setattr)";
    case kStepLoopback: return "bringing the loopback interface up";
    default: return "clone";
  }
}

struct NsProbe {
  std::string uid_map, gid_map;
  bool net = false;
  int report_fd = -1;  // the child writes {step, errno} here on failure
};

int NsProbeChild(void* arg) {
  const NsProbe* p = static_cast<const NsProbe*>(arg);
  int step = kStepMaps;
  int err = child::WriteIdMaps(p->uid_map.c_str(), p->gid_map.c_str());
  if (err == 0) {
    step = kStepPrivate;
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) err = errno;
  }
  if (err == 0) {
    step = kStepTmpfs;
    if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=16k") != 0) err = errno;
  }
  if (err == 0) {
    step = kStepProc;
    if (mount("proc", "/tmp", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) err = errno;
  }
  if (err == 0) {
    step = kStepOpenTree;
    int tree = open_tree(AT_FDCWD, "/usr", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0) {
      err = errno;
    } else {
      mount_attr attr;
      memset(&attr, 0, sizeof(attr));
      attr.attr_set = MOUNT_ATTR_RDONLY;
      if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) != 0) err = errno;
    }
  }
  if (err == 0 && p->net) {
    step = kStepLoopback;
    err = child::BringLoopbackUp();
  }
  if (err == 0) return 0;
  int record[2] = {step, err};
  child::WriteAll(p->report_fd, record, sizeof(record));
  return 1;
}

FeatureSupport ProbeNamespaces(bool net) {
  FeatureSupport out;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    out.why = Status::FromErrno(errno, "pipe2").message();
    return out;
  }
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  NsProbe probe;
  probe.uid_map = StrCat({std::to_string(geteuid()), " ", std::to_string(geteuid()), " 1\n"});
  probe.gid_map = StrCat({std::to_string(getegid()), " ", std::to_string(getegid()), " 1\n"});
  probe.net = net;
  probe.report_fd = write_end.get();
  int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | (net ? CLONE_NEWNET : 0);
  UniqueFd pidfd;
  Result<pid_t> pid = CloneChild(static_cast<uint64_t>(flags), NsProbeChild, &probe, -1, &pidfd);
  write_end.Reset();
  if (!pid.ok()) {
    out.why = StrCat({"clone(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWIPC|CLONE_NEWUTS",
                      net ? "|CLONE_NEWNET" : "", "): ", pid.status().message()});
  } else {
    siginfo_t info{};
    while (waitid(P_PIDFD, static_cast<id_t>(pidfd.get()), &info, WEXITED) != 0 && errno == EINTR) {
    }
    int record[2] = {0, 0};
    if (::read(read_end.get(), record, sizeof(record)) == static_cast<ssize_t>(sizeof(record))) {
      out.why = StrCat({"in a new user namespace, ", StepName(record[0]), ": ", std::strerror(record[1])});
    } else if (info.si_code != CLD_EXITED || info.si_status != 0) {
      out.why = "the namespace probe died before reporting";
    } else {
      out.ok = true;
      return out;
    }
  }
  out.fix = net ? "network namespaces come with user namespaces (CONFIG_NET_NS); without them, spawn with "
                  "network: true"
                : "enable unprivileged user namespaces: sysctl -w user.max_user_namespaces=15000 "
                  "(and kernel.unprivileged_userns_clone=1 on Debian kernels; on Ubuntu, "
                  "kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile allowing userns); "
                  "inside a container, run it with user namespaces allowed (seccomp/AppArmor unconfined)";
  return out;
}

// One line of /proc/self/mountinfo: mount point, fs type, super options
// and the root of the mount within its file system.
struct MountLine {
  std::string root, point, type, super_options;
};

std::vector<MountLine> ReadMountInfo() {
  std::vector<MountLine> out;
  Result<std::string> text = ReadWholeFile("/proc/self/mountinfo");
  if (!text.ok()) return out;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point, options, field;
    fields >> id >> parent >> devno >> root >> point >> options;
    while (fields >> field && field != "-") {
    }
    MountLine m;
    m.root = root;
    m.point = point;
    fields >> m.type >> field >> m.super_options;
    out.push_back(m);
  }
  return out;
}

bool HasOption(const std::string& options, const std::string& name) {
  std::istringstream in(options);
  std::string opt;
  while (std::getline(in, opt, ',')) {
    if (opt == name) return true;
  }
  return false;
}

// weft's own cgroup path in the v2 hierarchy ("0::/x") or a v1 controller's.
std::string OwnCgroupPath(const std::string& controller) {
  Result<std::string> text = ReadWholeFile("/proc/self/cgroup");
  if (!text.ok()) return "";
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t a = line.find(':');
    size_t b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    bool match = controller.empty() ? (line.substr(0, a) == "0" && controllers.empty())
                                    : HasOption(controllers, controller);
    if (match) return line.substr(b + 1);
  }
  return "";
}

std::string JoinPath(const std::string& mount, const std::string& path) {
  return path == "/" ? mount : mount + path;
}

int ExitAtOnce(void*) { return 0; }

// Makes and removes a child cgroup: whether agent cgroups can go below
// `dir`. For the v2 hierarchy also whether it has cgroup.kill and whether
// clone3 can start a process in it.
bool CanMakeChild(const std::string& dir, std::string* why, CgroupSupport* v2) {
  std::string probe = StrCat({dir, "/weft-probe-", std::to_string(getpid())});
  if (::mkdir(probe.c_str(), 0755) != 0 && errno != EEXIST) {
    *why = Status::FromErrno(errno, StrCat({"cannot make a cgroup below ", dir})).message();
    return false;
  }
  if (v2 != nullptr) {
    struct stat st;
    v2->kill = ::stat((probe + "/cgroup.kill").c_str(), &st) == 0;
    UniqueFd cgroup(::open(probe.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    UniqueFd pidfd;
    if (cgroup && CloneChild(0, ExitAtOnce, nullptr, cgroup.get(), &pidfd).ok()) {
      siginfo_t info{};
      while (waitid(P_PIDFD, static_cast<id_t>(pidfd.get()), &info, WEXITED) != 0 && errno == EINTR) {
      }
      v2->clone_into = true;
    }
  }
  ::rmdir(probe.c_str());
  return true;
}

CgroupSupport ProbeCgroups() {
  CgroupSupport cg;
  std::string v2_mount, memory_mount, pids_mount;
  bool any_v1 = false;
  for (const MountLine& m : ReadMountInfo()) {
    if (m.root != "/") continue;
    if (m.type == "cgroup2" && v2_mount.empty()) v2_mount = m.point;
    if (m.type != "cgroup") continue;
    any_v1 = true;
    if (HasOption(m.super_options, "memory") && memory_mount.empty()) memory_mount = m.point;
    if (HasOption(m.super_options, "pids") && pids_mount.empty()) pids_mount = m.point;
  }
  cg.layout = v2_mount.empty() ? (any_v1 ? "legacy" : "none") : (any_v1 ? "hybrid" : "unified");
  std::vector<std::string> problems;
  if (!v2_mount.empty()) {
    std::string dir = JoinPath(v2_mount, OwnCgroupPath(""));
    std::string why;
    if (CanMakeChild(dir, &why, &cg)) {
      cg.v2_dir = dir;
      Result<std::string> subtree = ReadWholeFile(dir + "/cgroup.subtree_control");
      std::istringstream words(subtree.ok() ? *subtree : "");
      std::string word;
      while (words >> word) cg.v2_controllers.push_back(word);
    } else {
      problems.push_back(why);
    }
  }
  std::string why;
  if (!memory_mount.empty() && CanMakeChild(JoinPath(memory_mount, OwnCgroupPath("memory")), &why, nullptr)) {
    cg.v1_memory_dir = JoinPath(memory_mount, OwnCgroupPath("memory"));
  } else if (!why.empty()) {
    problems.push_back(why);
  }
  why.clear();
  if (!pids_mount.empty() && CanMakeChild(JoinPath(pids_mount, OwnCgroupPath("pids")), &why, nullptr)) {
    cg.v1_pids_dir = JoinPath(pids_mount, OwnCgroupPath("pids"));
  } else if (!why.empty()) {
    problems.push_back(why);
  }
  std::vector<std::string> missing;
  if (cg.MemoryMechanism().empty()) missing.push_back("memory");
  if (cg.PidsMechanism().empty()) missing.push_back("pids");
  if (!missing.empty()) {
    std::string list = missing.size() == 2 ? "memory and pids controllers" : missing[0] + " controller";
    std::string delegated;
    for (const std::string& c : cg.v2_controllers) delegated += delegated.empty() ? c : " " + c;
    cg.why = StrCat({"no ", list, " for agent cgroups (layout ", cg.layout,
                     cg.v2_dir.empty() ? "" : StrCat({"; v2 cgroup ", cg.v2_dir, " delegates '", delegated, "'"}),
                     ")"});
    for (const std::string& p : problems) cg.why += "; " + p;
    cg.fix = "run weft in a cgroup v2 subtree delegated to it with the controllers enabled "
             "(systemd-run --user -p Delegate=yes --scope weft …, or Delegate=yes in its unit), or as root "
             "on a host that mounts the cgroup v1 memory and pids controllers";
  }
  return cg;
}

}  // namespace

bool CgroupSupport::HasV2Controller(const std::string& name) const {
  return !v2_dir.empty() && std::find(v2_controllers.begin(), v2_controllers.end(), name) != v2_controllers.end();
}

std::string CgroupSupport::MemoryMechanism() const {
  if (HasV2Controller("memory")) return "cgroup v2 memory.max";
  if (!v1_memory_dir.empty()) return "cgroup v1 memory.limit_in_bytes";
  return "";
}

std::string CgroupSupport::PidsMechanism() const {
  if (HasV2Controller("pids")) return "cgroup v2 pids.max";
  if (!v1_pids_dir.empty()) return "cgroup v1 pids.max";
  return "";
}

HostSupport ProbeHostNow() {
  HostSupport host;
  host.userns = ProbeNamespaces(false);
  if (host.userns.ok) {
    host.netns = ProbeNamespaces(true);
  } else {
    host.netns.why = "needs user namespaces";
    host.netns.fix = host.userns.fix;
  }
  int err = 0;
  host.landlock_abi = landlock::ProbeAbi(&err);
  host.landlock.ok = host.landlock_abi > 0;
  if (!host.landlock.ok) {
    host.landlock.why = err == EOPNOTSUPP ? "Landlock is built into the kernel but not enabled"
                                          : StrCat({"landlock_create_ruleset: ", std::strerror(err)});
    host.landlock.fix = err == EOPNOTSUPP ? "add landlock to the lsm= kernel boot parameter (or CONFIG_LSM)"
                                          : "use a kernel ≥ 5.13 built with CONFIG_SECURITY_LANDLOCK=y "
                                            "(ABI 4, with TCP rules, needs ≥ 6.7)";
  }
  std::string why;
  host.seccomp.ok = seccomp::KernelSupportsFilters(&why);
  if (host.seccomp.ok) {
    Result<const seccomp::Program*> program = seccomp::StrictProgram();
    if (!program.ok()) {
      host.seccomp.ok = false;
      why = program.status().message();
    }
  }
  if (!host.seccomp.ok) {
    host.seccomp.why = why;
    host.seccomp.fix = "use a kernel built with CONFIG_SECCOMP_FILTER=y";
  }
  host.cgroup = ProbeCgroups();
  const char* path = getenv("PATH");
  Result<std::string> bwrap = proc::FindProgram("bwrap", path != nullptr ? path : "");
  if (bwrap.ok()) host.bwrap = *bwrap;
  Result<std::string> last = ReadWholeFile("/proc/sys/kernel/cap_last_cap");
  if (last.ok()) host.cap_last_cap = std::atoi(last->c_str());
  return host;
}

const HostSupport& ProbeHost() {
  static std::once_flag once;
  static HostSupport host;
  std::call_once(once, [] { host = ProbeHostNow(); });
  return host;
}

}  // namespace weft::agents
