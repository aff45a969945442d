// clone3(2) on a private stack with signals blocked, and the child-side
// steps that only make system calls.
#include "core/agents/clone.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace weft::agents {
namespace {

// Enough for the deepest child path (the mount plan and Landlock rules run
// in loops, never recursively); the pages are only touched as used.
constexpr size_t kStackBytes = 512 * 1024;

// clone3 with the child running fn(arg) on args->stack and exiting with its
// result. glibc exports no clone3 wrapper, and a child made by the raw
// system call returns into the caller's frame, which with CLONE_VM is the
// parent's own stack: so the switch to the new stack and the call happen
// here, in assembly, before any C code runs in the child (as glibc's
// clone.S does). Returns the child's pid, or -errno.
long Clone3(clone_args* args, int (*fn)(void*), void* arg) {
#if defined(__x86_64__)
  long ret;
  register void* fn_reg asm("r10") = reinterpret_cast<void*>(fn);
  register void* arg_reg asm("r8") = arg;
  asm volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      // The child: rsp is args->stack + stack_size; r8 and r10 survived.
      "xor %%ebp, %%ebp\n\t"
      "and $-16, %%rsp\n\t"
      "mov %%r8, %%rdi\n\t"
      "call *%%r10\n\t"
      "mov %%eax, %%edi\n\t"
      "mov %[exit_nr], %%eax\n\t"
      "syscall\n\t"
      "hlt\n\t"
      "1:\n\t"
      : "=a"(ret)
      : "a"(static_cast<long>(SYS_clone3)), "D"(args), "S"(sizeof(*args)), "r"(fn_reg), "r"(arg_reg),
        [exit_nr] "i"(SYS_exit)
      : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x0 asm("x0") = reinterpret_cast<long>(args);
  register long x1 asm("x1") = static_cast<long>(sizeof(*args));
  register long x8 asm("x8") = SYS_clone3;
  register void* fn_reg asm("x9") = reinterpret_cast<void*>(fn);
  register void* arg_reg asm("x10") = arg;
  asm volatile(
      "svc #0\n\t"
      "cbnz x0, 1f\n\t"
      "mov x29, xzr\n\t"
      "mov x0, x10\n\t"
      "blr x9\n\t"
      "mov x8, %[exit_nr]\n\t"
      "svc #0\n\t"
      "1:\n\t"
      : "+r"(x0)
      : "r"(x1), "r"(x8), "r"(fn_reg), "r"(arg_reg), [exit_nr] "i"(SYS_exit)
      : "x30", "memory");
  return x0;
#else
  (void)args;
  (void)fn;
  (void)arg;
  return -ENOSYS;
#endif
}

}  // namespace

ChildStack::ChildStack() {
  void* p = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (p == MAP_FAILED) return;
  base_ = p;
  size_ = kStackBytes;
}

ChildStack::~ChildStack() {
  if (base_ != nullptr) munmap(base_, size_);
}

long Clone3OnStack(uint64_t flags, int (*fn)(void*), void* arg, void* stack, size_t stack_size, int cgroup_fd,
                   int* pidfd) noexcept {
  clone_args args;
  memset(&args, 0, sizeof(args));
  args.flags = flags | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
  args.pidfd = reinterpret_cast<uint64_t>(pidfd);
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<uint64_t>(stack);
  args.stack_size = stack_size;
  args.cgroup = cgroup_fd >= 0 ? static_cast<uint64_t>(cgroup_fd) : 0;
  return Clone3(&args, fn, arg);
}

Result<pid_t> CloneChild(uint64_t flags, int (*fn)(void*), void* arg, int cgroup_fd, UniqueFd* pidfd) {
  // Without CLONE_VM the child has its own copy of the stack; with
  // CLONE_VFORK it is done with ours by the time clone3 returns.
  ChildStack stack;
  if (!stack.ok()) return Status::FromErrno(errno, "mmap (child stack)");
  int fd = -1;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  long pid = Clone3OnStack(flags | CLONE_PIDFD, fn, arg, stack.base(), stack.size(), cgroup_fd, &fd);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid == -ENOSYS) {
    return Status::Unimplemented("clone3 is not available (Linux ≥ 5.3 on x86-64 or arm64 is needed)");
  }
  if (pid < 0) return Status::FromErrno(static_cast<int>(-pid), "clone3");
  pidfd->Reset(fd);
  return static_cast<pid_t>(pid);
}

namespace child {

int WriteAll(int fd, const void* data, size_t len) noexcept {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = ::write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return 0;
}

int WriteFile(const char* path, const char* text) noexcept {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = WriteAll(fd, text, strlen(text));
  ::close(fd);
  return err;
}

int WriteIdMaps(const char* uid_map, const char* gid_map) noexcept {
  // Without "deny", an unprivileged process may not write gid_map (and an
  // agent has no business changing its supplementary groups anyway).
  int err = WriteFile("/proc/self/setgroups", "deny");
  if (err == 0) err = WriteFile("/proc/self/uid_map", uid_map);
  if (err == 0) err = WriteFile("/proc/self/gid_map", gid_map);
  return err;
}

int BringLoopbackUp() noexcept {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  ifreq req;
  memset(&req, 0, sizeof(req));
  memcpy(req.ifr_name, "lo", 3);
  int err = 0;
  if (ioctl(s, SIOCGIFFLAGS, &req) != 0) {
    err = errno;
  } else {
    req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
    if (ioctl(s, SIOCSIFFLAGS, &req) != 0) err = errno;
  }
  ::close(s);
  return err;
}

void CloseAllExcept(const int* keep, size_t n) noexcept {
  unsigned from = 3;
  for (size_t i = 0; i < n; ++i) {
    unsigned k = static_cast<unsigned>(keep[i]);
    if (k < from) continue;
    if (k > from) syscall(SYS_close_range, from, k - 1, 0);
    from = k + 1;
  }
  syscall(SYS_close_range, from, ~0U, 0);
}

void ResetSignals() noexcept {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &dfl, nullptr);  // fails harmlessly for glibc's reserved signals
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace child
}  // namespace weft::agents
