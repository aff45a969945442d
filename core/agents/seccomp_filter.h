// The strict profile's seccomp filter: built once with libseccomp and
// exported as a BPF program, so the child installs it with one system call
// (libseccomp allocates, which a child of a multi-threaded process must not).
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "core/base/result.h"

namespace weft::agents::seccomp {

// What the filter refuses with EPERM: the system calls by name (those the
// running architecture lacks are left out), plus clone and unshare with
// CLONE_NEWUSER. clone3 is refused with ENOSYS, so C libraries fall back to
// clone, whose flags the filter can read.
const std::vector<std::string>& DeniedSyscalls();

struct Program {
  std::vector<sock_filter> code;
  sock_fprog fprog{};  // points into code
};

// The program, built on first use and kept for the life of the process.
// Thread-safe. kUnavailable when libseccomp cannot build or export it.
Result<const Program*> StrictProgram();

// Whether the kernel takes filters that return errno; *why says why not.
bool KernelSupportsFilters(std::string* why);

// Child side: installs `program` on the calling thread (PR_SET_NO_NEW_PRIVS
// must be set already); 0 or an errno.
int InstallInChild(const Program& program) noexcept;

}  // namespace weft::agents::seccomp
