// The strict profile's seccomp filter, built with libseccomp and exported
// as BPF through a memfd.
#include "core/agents/seccomp_filter.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mutex>

#include "core/base/fd.h"
#include "core/base/strings.h"

namespace weft::agents::seccomp {
namespace {

// Owns a libseccomp filter context.
struct Context {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  ~Context() {
    if (ctx != nullptr) seccomp_release(ctx);
  }
};

Status Build(Program* out) {
  Context c;
  if (c.ctx == nullptr) return Status::Unavailable("seccomp_init failed");
  // A system call made through another architecture's numbering (int 0x80,
  // x32) would slip past rules written for this one.
  if (int rc = seccomp_attr_set(c.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS); rc != 0) {
    return Status::FromErrno(-rc, "seccomp_attr_set(BADARCH)");
  }
  for (const std::string& name : DeniedSyscalls()) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture
    if (int rc = seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(EPERM), nr, 0); rc != 0) {
      return Status::FromErrno(-rc, StrCat({"seccomp_rule_add(", name, ")"}));
    }
  }
  const scmp_datum_t newuser = CLONE_NEWUSER;
  int rc = seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
                            SCMP_A0(SCMP_CMP_MASKED_EQ, newuser, newuser));
  // clone's flags are its first argument on x86-64 and arm64.
  if (rc == 0) {
    rc = seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, newuser, newuser));
  }
  if (rc == 0) rc = seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  if (rc != 0) return Status::FromErrno(-rc, "seccomp_rule_add(clone/unshare)");

  UniqueFd mem(memfd_create("weft-seccomp", MFD_CLOEXEC));
  if (!mem) return Status::FromErrno(errno, "memfd_create");
  if (int rc2 = seccomp_export_bpf(c.ctx, mem.get()); rc2 != 0) return Status::FromErrno(-rc2, "seccomp_export_bpf");
  off_t size = lseek(mem.get(), 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0) {
    return Status::Internal("seccomp_export_bpf wrote no whole program");
  }
  out->code.resize(static_cast<size_t>(size) / sizeof(sock_filter));
  if (pread(mem.get(), out->code.data(), static_cast<size_t>(size), 0) != size) {
    return Status::FromErrno(errno, "reading the exported seccomp program");
  }
  out->fprog.len = static_cast<unsigned short>(out->code.size());
  out->fprog.filter = out->code.data();
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& DeniedSyscalls() {
  static const std::vector<std::string> kDenied = {
      // Changing what the sandbox sees.
      "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
      "fspick", "mount_setattr", "setns",
      // Other processes' memory and the kernel itself.
      "ptrace", "process_vm_readv", "process_vm_writev", "kexec_load", "kexec_file_load", "bpf",
      "perf_event_open", "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff",
      "iopl", "ioperm", "acct", "quotactl", "syslog",
      // Kernel keyrings are shared across the user's processes.
      "keyctl", "add_key", "request_key",
      // Large attack surfaces an agent does not need.
      "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd", "open_by_handle_at",
      "name_to_handle_at"};
  return kDenied;
}

Result<const Program*> StrictProgram() {
  static std::once_flag once;
  static Program program;
  static Status status;
  std::call_once(once, [] { status = Build(&program); });
  if (!status.ok()) return status;
  return &program;
}

bool KernelSupportsFilters(std::string* why) {
  uint32_t action = SECCOMP_RET_ERRNO;
  if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0) return true;
  *why = Status::FromErrno(errno, "seccomp(SECCOMP_GET_ACTION_AVAIL, SECCOMP_RET_ERRNO)").message();
  return false;
}

int InstallInChild(const Program& program) noexcept {
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program.fprog) != 0) return errno;
  return 0;
}

}  // namespace weft::agents::seccomp
