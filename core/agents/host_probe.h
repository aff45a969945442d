// HostSupport: what this host offers for confining agents (user and network
// namespaces, Landlock, seccomp, cgroups, bwrap), probed once by trying each
// feature for real. Launch checks a spawn against it, `weft doctor` prints it,
// tests take their skip reasons from it.
#pragma once

#include <string>
#include <vector>

namespace weft::agents {

// One feature: whether it works and, when it does not, why and how to fix it.
struct FeatureSupport {
  bool ok = false;
  std::string why;  // empty when ok: what failed, e.g. "clone(CLONE_NEWUSER): Operation not permitted"
  std::string fix;  // empty when ok: what to change on the host
};

// Cgroups as seen from this process: the layout, and where agent cgroups can
// be made (each agent gets a leaf below the cgroup weft itself runs in, so
// a limit on weft also bounds its agents).
struct CgroupSupport {
  // "unified" (cgroup v2 only), "hybrid" (v1 controllers plus a cgroup2
  // mount), "legacy" (v1 only) or "none".
  std::string layout = "none";
  // weft's own cgroup in the v2 hierarchy, when a child can be made there
  // (a probe made and removed one); "" otherwise.
  std::string v2_dir;
  // cgroup.kill in a child of v2_dir (Linux ≥ 5.14): kills a whole tree,
  // including processes that left their process group.
  bool kill = false;
  // Controllers children of v2_dir get (v2_dir/cgroup.subtree_control).
  std::vector<std::string> v2_controllers;
  // clone3(CLONE_INTO_CGROUP) starts a child in a cgroup below v2_dir
  // (Linux ≥ 5.7). Otherwise the child moves itself in, which waits for an
  // RCU grace period (milliseconds) unless cgroup2 is mounted favordynmods.
  bool clone_into = false;
  // weft's own cgroups in the v1 memory and pids hierarchies, when a child
  // can be made there; "" otherwise.
  std::string v1_memory_dir;
  std::string v1_pids_dir;
  // What is missing for memory and process-count limits, and how to fix it;
  // empty when both are available.
  std::string why;
  std::string fix;

  bool HasV2Controller(const std::string& name) const;
  // "cgroup v2 memory.max", "cgroup v1 memory.limit_in_bytes" or "" when
  // neither can be had.
  std::string MemoryMechanism() const;
  // "cgroup v2 pids.max", "cgroup v1 pids.max" or "".
  std::string PidsMechanism() const;
};

struct HostSupport {
  // clone(CLONE_NEWUSER|NEWNS|NEWPID|NEWIPC|NEWUTS) with the caller's uid and
  // gid mapped, mount propagation made private and a tmpfs mounted inside.
  FeatureSupport userns;
  // The same with CLONE_NEWNET and the loopback interface brought up.
  FeatureSupport netns;
  // The Landlock ABI version (0 when the kernel has none or it is disabled).
  int landlock_abi = 0;
  FeatureSupport landlock;
  // seccomp filters (SECCOMP_SET_MODE_FILTER with SECCOMP_RET_ERRNO).
  FeatureSupport seccomp;
  CgroupSupport cgroup;
  // bwrap on PATH, for comparison only (weft builds its sandbox itself).
  std::string bwrap;
  // The highest capability number (/proc/sys/kernel/cap_last_cap), for
  // dropping the bounding set.
  int cap_last_cap = 40;
};

// Probes the host the first time and returns the same answer afterwards.
// Thread-safe. The probe forks short-lived children and makes (and removes)
// a probe cgroup; it takes a few milliseconds.
const HostSupport& ProbeHost();

// Probes again, uncached (for `weft doctor` and tests).
HostSupport ProbeHostNow();

}  // namespace weft::agents
