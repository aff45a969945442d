// ChildProcess: fork/exec with a close-on-exec sweep, pidfd-based waiting and
// the stdio shutdown ladder.
#include "mcp/client/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/base/log.h"
#include "mcp/transport/stdio_connection.h"

extern char** environ;

namespace weft::mcp {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// The child's environment: ours with `overrides` ("K=V") replacing or adding keys.
std::vector<std::string> BuildEnv(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  for (const auto& kv : overrides) {
    std::string key = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (auto& existing : env) {
      if (existing.compare(0, key.size() + 1, key + "=") == 0) {
        existing = kv;
        replaced = true;
      }
    }
    if (!replaced) env.push_back(kv);
  }
  return env;
}

std::string EnvValue(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& kv : env) {
    if (kv.compare(0, key.size() + 1, key + "=") == 0) return kv.substr(key.size() + 1);
  }
  return "";
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

Result<UniqueFd> OpenStderr(const SpawnOptions& options) {
  switch (options.stderr_mode) {
    case StderrMode::kInherit:
      return UniqueFd();
    case StderrMode::kDiscard: {
      UniqueFd fd(::open("/dev/null", O_WRONLY | O_CLOEXEC));
      if (!fd) return Status::FromErrno(errno, "open /dev/null");
      return fd;
    }
    case StderrMode::kFile: {
      UniqueFd fd(::open(options.stderr_path.c_str(),
                         O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
      if (!fd) return Status::FromErrno(errno, "open " + options.stderr_path);
      return fd;
    }
  }
  return UniqueFd();
}

// Everything the forked child needs, prepared before fork() so that the child
// only makes async-signal-safe calls.
struct ExecPlan {
  std::string path;
  std::vector<char*> argv;
  std::vector<char*> envp;
  const char* cwd = nullptr;
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;  // -1: inherit
  int report_fd = -1;  // close-on-exec pipe for reporting exec failure
  int max_fd = 1024;
};

[[noreturn]] void ChildFail(int report_fd) {
  int err = errno;
  ssize_t ignored = ::write(report_fd, &err, sizeof(err));
  (void)ignored;
  ::_exit(127);
}

[[noreturn]] void RunChild(const ExecPlan& plan) {
  ::setpgid(0, 0);
  // Ignored signals survive exec; the server gets default dispositions and an
  // empty mask, as if started from a shell.
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  // Lift the sources above 2 first so that no dup2 clobbers another source.
  int in = ::fcntl(plan.stdin_fd, F_DUPFD, 3);
  int out = ::fcntl(plan.stdout_fd, F_DUPFD, 3);
  int err = plan.stderr_fd >= 0 ? ::fcntl(plan.stderr_fd, F_DUPFD, 3) : 2;
  if (in < 0 || out < 0 || err < 0) ChildFail(plan.report_fd);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0) ChildFail(plan.report_fd);
  if (err != 2 && ::dup2(err, 2) < 0) ChildFail(plan.report_fd);
  if (plan.stderr_fd < 0) ::fcntl(2, F_SETFD, 0);  // inherited stderr stays open
  if (plan.cwd && ::chdir(plan.cwd) != 0) ChildFail(plan.report_fd);

  // Every descriptor above 2 closes on exec (the report pipe included, which
  // is how the parent learns that exec succeeded).
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < plan.max_fd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  ::execve(plan.path.c_str(), plan.argv.data(), plan.envp.data());
  ChildFail(plan.report_fd);
}

void IgnoreSigpipeOnce() {
  struct sigaction current;
  if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL &&
      !(current.sa_flags & SA_SIGINFO)) {
    ::signal(SIGPIPE, SIG_IGN);
  }
}

int MaxFd() {
  struct rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 65536) {
    return static_cast<int>(rl.rlim_cur);
  }
  return 65536;
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (exited) return "exit status " + std::to_string(code);
  const char* name = ::sigabbrev_np(signal);
  return name ? "killed by SIG" + std::string(name) : "killed by signal " + std::to_string(signal);
}

ExitStatus ExitStatus::FromWaitStatus(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) {
    s.exited = true;
    s.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.signal = WTERMSIG(status);
  }
  return s;
}

Result<std::string> FindExecutable(const std::string& name, const std::string& path_env) {
  if (name.empty()) return Status::InvalidArgument("empty command name");
  if (name.find('/') != std::string::npos) {
    if (IsExecutableFile(name)) return name;
    return Status::NotFound("not an executable file: " + name);
  }
  std::string path = path_env.empty() ? "/usr/bin:/bin" : path_env;
  size_t start = 0;
  for (;;) {
    size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return Status::NotFound("command not found on PATH: " + name);
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(SpawnOptions options) {
  if (options.argv.empty()) return Status::InvalidArgument("no server command given");
  std::vector<std::string> env = BuildEnv(options.env);
  WEFT_ASSIGN_OR_RETURN(std::string path, FindExecutable(options.argv[0], EnvValue(env, "PATH")));
  WEFT_ASSIGN_OR_RETURN(UniqueFd stderr_fd, OpenStderr(options));
  IgnoreSigpipeOnce();

  int in[2], out[2], report[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  UniqueFd in_r(in[0]), in_w(in[1]);
  if (::pipe2(out, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  UniqueFd out_r(out[0]), out_w(out[1]);
  if (::pipe2(report, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  UniqueFd report_r(report[0]), report_w(report[1]);

  std::vector<std::string> argv = options.argv;
  ExecPlan plan;
  plan.path = path;
  plan.argv = CStrings(argv);
  plan.envp = CStrings(env);
  plan.cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();
  plan.stdin_fd = in_r.get();
  plan.stdout_fd = out_w.get();
  plan.stderr_fd = stderr_fd.get();
  plan.report_fd = report_w.get();
  plan.max_fd = MaxFd();

  pid_t pid = ::fork();
  if (pid < 0) return Status::FromErrno(errno, "fork");
  if (pid == 0) RunChild(plan);

  ::setpgid(pid, pid);  // also done by the child; whichever runs first wins
  in_r.Reset();
  out_w.Reset();
  stderr_fd.Reset();
  report_w.Reset();

  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(report_r.get(), &child_errno, sizeof(child_errno));
  } while (got < 0 && errno == EINTR);
  if (got > 0) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return Status::FromErrno(child_errno, "cannot run " + options.argv[0]);
  }

  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, std::move(pidfd), std::move(in_w),
                                                        std::move(out_r), std::move(options)));
}

ChildProcess::ChildProcess(pid_t pid, UniqueFd pidfd, UniqueFd stdin_w, UniqueFd stdout_r,
                           SpawnOptions options)
    : pid_(pid),
      pidfd_(std::move(pidfd)),
      stdin_w_(std::move(stdin_w)),
      stdout_r_(std::move(stdout_r)),
      options_(std::move(options)),
      connection_(std::make_unique<StdioConnection>(stdout_r_.get(), stdin_w_.get())) {
  if (pidfd_) watcher_ = std::thread([this] { Watch(); });
}

ChildProcess::~ChildProcess() {
  Shutdown();
  if (watcher_.joinable()) watcher_.join();  // the child is reaped: pidfd_ is readable
}

void ChildProcess::Watch() {
  struct pollfd p = {pidfd_.get(), POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
  std::lock_guard<std::mutex> lock(reap_mu_);
  PollLocked();
}

std::optional<ExitStatus> ChildProcess::PollLocked() {
  if (status_) return status_;
  int status;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    status_ = ExitStatus::FromWaitStatus(status);
    // Members the leader left in its group. Done right at reaping: the group
    // id is only safe to signal while the leader is unreaped or the group
    // still has members.
    ::kill(-pid_, SIGKILL);
  } else if (r < 0) {
    // ECHILD: someone else reaped it (a SIGCHLD handler set to SIG_IGN, or a
    // stray waitpid(-1)); the status is lost but the process is gone.
    WEFT_LOG(kWarning) << "waitpid(" << pid_ << "): " << std::strerror(errno);
    status_ = ExitStatus{};
    status_->exited = true;
    status_->code = -1;
  }
  return status_;
}

std::optional<ExitStatus> ChildProcess::Poll() {
  std::lock_guard<std::mutex> lock(reap_mu_);
  return PollLocked();
}

std::optional<ExitStatus> ChildProcess::WaitFor(milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(reap_mu_);
      if (auto s = PollLocked()) return s;
    }
    auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (pidfd_) {
      struct pollfd p = {pidfd_.get(), POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(left.count()));
    } else {
      ::usleep(static_cast<useconds_t>(std::min<int64_t>(left.count(), 10) * 1000));
    }
  }
}

std::optional<ExitStatus> ChildProcess::WaitDraining(milliseconds timeout) {
  bool forever = timeout.count() < 0;
  auto deadline = steady_clock::now() + timeout;
  char sink[16384];
  for (;;) {
    if (auto s = PollLocked()) return s;
    int wait_ms = 10;
    if (!forever) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      wait_ms = static_cast<int>(std::min<int64_t>(left.count(), pidfd_ ? left.count() : 10));
    } else if (pidfd_) {
      wait_ms = -1;
    }
    struct pollfd fds[2] = {{stdout_r_.get(), POLLIN, 0}, {pidfd_.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, wait_ms);
    if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t got = ::read(stdout_r_.get(), sink, sizeof(sink));
      if (got <= 0) stdout_r_.Reset();  // EOF: poll ignores a negative fd from now on
    }
  }
}

bool ChildProcess::shutdown_forced() {
  std::lock_guard<std::mutex> lock(reap_mu_);
  return forced_;
}

void ChildProcess::SignalGroup(int sig) {
  // The group id is the leader's pid, which cannot be reused while the leader
  // is unreaped or any member of its group is alive.
  if (::kill(-pid_, sig) != 0 && errno == ESRCH) ::kill(pid_, sig);
}

ExitStatus ChildProcess::Shutdown() {
  std::lock_guard<std::mutex> lock(reap_mu_);
  if (shut_down_) return *status_;
  shut_down_ = true;
  connection_->Close();
  stdin_w_.Reset();
  std::optional<ExitStatus> status = WaitDraining(options_.stdin_grace);
  if (!status) {
    WEFT_LOG(kInfo) << "server " << pid_ << " still running after stdin closed; sending SIGTERM";
    forced_ = true;
    SignalGroup(SIGTERM);
    status = WaitDraining(options_.term_grace);
  }
  if (!status) {
    WEFT_LOG(kWarning) << "server " << pid_ << " ignored SIGTERM; sending SIGKILL";
    SignalGroup(SIGKILL);
    status = WaitDraining(milliseconds(-1));
  }
  stdout_r_.Reset();
  return *status;
}

}  // namespace weft::mcp
