// The file system an agent sees under the workspace and strict profiles,
// planned before clone and assembled in the child: a tmpfs root holding
// read-only clones of the system directories (/usr, /etc, /opt and the
// top-level /bin, /lib… links or directories) and /sys, a fresh /proc whose
// host-wide knobs (/proc/sys, /proc/sysrq-trigger, /proc/irq, /proc/bus,
// /proc/fs) are read-only, a minimal /dev (null, zero, full, random, urandom, tty, its own devpts), a
// private /tmp, an empty /run, and the workspace, home and other paths the
// caller names, each at its host path. The root itself ends read-only;
// nothing else of the host (/root, /home, /var, /srv, /mnt, the host's /run
// and /tmp) is there.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/base/result.h"

namespace weft::agents {

struct FsView {
  std::vector<std::string> writable;  // host paths, writable inside (workspace, home, …)
  std::vector<std::string> readable;  // host paths, read-only inside
  // The agent keeps the host network: resolv_conf's target is made visible
  // when it lies outside the system view (systemd-resolved's
  // /run/systemd/resolve/…).
  bool network = false;
  std::string resolv_conf = "/etc/resolv.conf";
};

struct MountPlan {
  // A detached copy of a host mount tree (open_tree), made before anything
  // is mounted so that no later mount can hide its source.
  struct Clone {
    std::string source;
    bool recursive = true;
    unsigned long long attr_set = 0;  // MOUNT_ATTR_* for mount_setattr (0: keep the host's)
  };
  enum class Op {
    kMkdir,    // path (EEXIST is fine), then chmod to mode
    kSymlink,  // path -> target
    kTouch,    // an empty file at path, as a mount point (EEXIST is fine)
    kAttach,   // clones[clone] at path (move_mount)
    kMount,    // a new file system: fstype at path with flags and data
    kSeal,     // path made read-only where it is (skipped when it does not exist)
  };
  struct Step {
    Op op;
    std::string path;  // relative to the new root
    std::string target;
    int clone = -1;
    std::string fstype;
    std::string data;
    unsigned long flags = 0;
    mode_t mode = 0755;
  };

  std::vector<Clone> clones;
  std::vector<Step> steps;
  // Scratch for the child: one descriptor per clone.
  std::vector<int> clone_fds;
  // The paths the view shows, for Landlock: read-only and writable, inside
  // paths (the same as on the host).
  std::vector<std::string> read_only_paths;
  std::vector<std::string> writable_paths;
};

// Canonicalises the paths of `view` (they must exist), refuses those that
// would go under /proc, /dev or /sys or replace the root, and plans the
// mounts. kInvalidArgument or kNotFound naming the path.
Result<MountPlan> BuildMountPlan(const FsView& view);

// Child side, in new user and mount namespaces (and a new pid namespace, for
// /proc): makes every mount private, clones, assembles the root on a tmpfs
// over /tmp, pivots into it and makes it read-only. 0 or an errno, with
// *failed the index of the failing step, or -1 - i for clone i, or
// kPivotFailed.
int AssembleRoot(MountPlan* plan, int* failed) noexcept;
inline constexpr int kPivotFailed = -1000000;

// A sentence naming what `failed` (from AssembleRoot) was doing.
std::string DescribeMountFailure(const MountPlan& plan, int failed);

}  // namespace weft::agents
