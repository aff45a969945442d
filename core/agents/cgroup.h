// AgentCgroup: the cgroups one agent runs in. A leaf named
// weft-agent-<weft pid>-<n> below weft's own cgroup in each hierarchy that
// is needed: the v2 one (cgroup.kill, and memory.max / pids.max where those
// controllers are delegated), and on hybrid hosts the v1 memory and pids
// hierarchies for the limits v2 cannot give.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/agents/host_probe.h"
#include "core/base/fd.h"
#include "core/base/result.h"

namespace weft::agents {

class AgentCgroup {
 public:
  struct Request {
    std::optional<uint64_t> memory_bytes;
    std::optional<uint64_t> pids_max;
  };

  // Makes the leaves `request` needs (and the v2 one whenever the host has a
  // usable v2 cgroup, for cgroup.kill) and writes the limits. A limit the
  // host cannot enforce is not an error here: its mechanism comes back
  // empty and the caller decides. *memory_mechanism and *pids_mechanism get
  // "cgroup v2 memory.max", "cgroup v1 pids.max", … or "".
  static Result<AgentCgroup> Create(const CgroupSupport& host, const Request& request,
                                    std::string* memory_mechanism, std::string* pids_mechanism);

  AgentCgroup() = default;
  AgentCgroup(AgentCgroup&&) noexcept = default;
  AgentCgroup& operator=(AgentCgroup&& other) noexcept;
  // Kills what is left and removes the leaves.
  ~AgentCgroup();

  bool empty() const { return leaves_.empty(); }
  // The leaves' directories (for diagnostics and tests).
  std::vector<std::string> Dirs() const;
  // The v2 leaf's directory, open, for clone3(CLONE_INTO_CGROUP) when the
  // host supports it (CgroupSupport::clone_into); -1 otherwise.
  int clone_into_fd() const { return clone_into_.get(); }
  // Descriptors of the cgroup.procs of every leaf the child must join itself
  // (all of them, less the v2 leaf when clone_into_fd() is set), open for
  // writing: the child writes "0" to each (the kernel checks the credentials
  // they were opened with, so this works from inside a user namespace).
  // Sorted ascending. CloseJoinFds once the child has started.
  std::vector<int> JoinFds() const;
  void CloseJoinFds();

  // cgroup.kill is available (a v2 leaf on Linux ≥ 5.14).
  bool can_kill() const;
  // SIGKILL to every process in the leaves: cgroup.kill, else each pid listed
  // in the v1 cgroup.procs, repeated until none is left (bounded).
  void KillAll();
  // The memory limit killed a process (memory.events / memory.oom_control oom_kill).
  bool OomKilled() const;
  // A fork was refused by pids.max (pids.events max).
  bool PidsLimitHit() const;
  // No process is left in any leaf.
  bool Unpopulated() const;
  // Removes the leaves, waiting up to `wait` for their last processes to be
  // reaped (a killed orphan is reaped by the host's init in its own time).
  // Leaves still busy then are removed by a later Create in this process
  // (or, after it is gone, by RemoveStaleAgentCgroups).
  void Remove(std::chrono::milliseconds wait);

 private:
  enum class Kind { kV2, kV1Memory, kV1Pids };
  struct Leaf {
    Kind kind;
    std::string dir;
    UniqueFd join;  // cgroup.procs, O_WRONLY
  };

  std::vector<Leaf> leaves_;
  UniqueFd clone_into_;
};

// Removes agent cgroups left behind by weft processes that are gone (their
// pid in the name no longer runs): kills what is in them and removes them.
// For start-up reconciliation. Returns how many were removed.
int RemoveStaleAgentCgroups(const CgroupSupport& host);

}  // namespace weft::agents
