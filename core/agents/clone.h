// Starting a child with clone(2) on a stack of its own, and the
// async-signal-safe steps children of weft run between clone and exec.
// Everything a child needs is prepared before the clone: weft is
// multi-threaded, so the child may take no lock (no malloc, no stdio, no
// logging), only system calls on memory it was handed.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "core/base/fd.h"
#include "core/base/result.h"

namespace weft::agents {

// Runs fn(arg) in a new child made by clone3(flags | CLONE_PIDFD) on a fresh
// stack, with every signal blocked in the calling thread from just before to
// just after the clone (so the child starts with all signals blocked and
// none of weft's handlers can run in it). Without CLONE_VM the child works
// on a copy of this process's memory; with CLONE_VM|CLONE_VFORK it shares it
// and clone3 returns once it has exec'd or exited. With cgroup_fd (a cgroup
// v2 directory, open) the child starts in that cgroup (CLONE_INTO_CGROUP),
// which costs nothing, where moving a process later waits for an RCU grace
// period. fn's return value is the child's exit code. Returns the child's
// pid and sets *pidfd. kUnimplemented on architectures without the
// trampoline (x86-64 and arm64 have it) or kernels without clone3.
Result<pid_t> CloneChild(uint64_t flags, int (*fn)(void*), void* arg, int cgroup_fd, UniqueFd* pidfd);

// A stack for a child, mapped until destroyed (the pages are touched only as used).
class ChildStack {
 public:
  ChildStack();
  ~ChildStack();
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;
  bool ok() const { return base_ != nullptr; }
  void* base() const { return base_; }
  size_t size() const { return size_; }

 private:
  void* base_ = nullptr;
  size_t size_ = 0;
};

// The system call itself, for a child that clones again: no allocation and
// no signal masking. fn(arg) runs on `stack`; with CLONE_PIDFD the pidfd
// goes to *pidfd. Returns the child's pid, or -errno.
long Clone3OnStack(uint64_t flags, int (*fn)(void*), void* arg, void* stack, size_t stack_size, int cgroup_fd,
                   int* pidfd) noexcept;

namespace child {

// Writes all of `len` bytes; 0 or an errno.
int WriteAll(int fd, const void* data, size_t len) noexcept;
// Opens `path` for writing and writes `text` (NUL-terminated) to it; 0 or an errno.
int WriteFile(const char* path, const char* text) noexcept;
// In a new user namespace: "deny" to /proc/self/setgroups, then the two
// maps ("<inside> <outside> <count>\n"); 0 or an errno.
int WriteIdMaps(const char* uid_map, const char* gid_map) noexcept;
// In a new network namespace: sets the loopback interface up (the kernel
// gives it 127.0.0.1 and ::1), so the agent can talk to itself; 0 or an errno.
int BringLoopbackUp() noexcept;
// Closes every descriptor from 3 up except those in keep[0..n) (sorted
// ascending, each ≥ 3).
void CloseAllExcept(const int* keep, size_t n) noexcept;
// Every catchable signal back to its default disposition, and an empty mask.
void ResetSignals() noexcept;

}  // namespace child
}  // namespace weft::agents
