// Process: posix_spawn into a new process group with a curated environment,
// a directory fd as cwd and only stdin/stdout/stderr open; pidfd reaping.
#include "core/proc/process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cassert>

#include "core/base/strings.h"

extern char** environ;

namespace weft::proc {
namespace {

constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

bool Allowlisted(std::string_view name) {
  return name == "PATH" || name == "HOME" || name == "LANG" || name == "TERM" || name.substr(0, 3) == "LC_";
}

// A pipe whose ends are both close-on-exec and above 2, so that dup2 onto
// 0..2 in the child never clobbers another of its sources.
Status MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe2");
  for (int i = 0; i < 2; ++i) {
    if (fds[i] > 2) continue;
    int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
    int err = errno;
    ::close(fds[i]);
    if (moved < 0) {
      ::close(fds[1 - i]);
      return Status::FromErrno(err, "fcntl(F_DUPFD_CLOEXEC)");
    }
    fds[i] = moved;
  }
  read_end->Reset(fds[0]);
  write_end->Reset(fds[1]);
  return Status::Ok();
}

// Owns posix_spawn's attribute and file-action objects.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

// New process group, empty signal mask, every signal back to its default
// (ignored dispositions would otherwise survive exec).
int SetAttributes(posix_spawnattr_t* attr) {
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  int rc = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (rc == 0) rc = posix_spawnattr_setpgroup(attr, 0);
  if (rc == 0) rc = posix_spawnattr_setsigmask(attr, &none);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(attr, &all);
  return rc;
}

Status SpawnError(int err, const std::string& program) {
  switch (err) {
    case ENOENT:
      return Status::NotFound(StrCat({"cannot run '", program, "': it or its interpreter does not exist"}));
    case EACCES:
    case EPERM:
      return Status::PermissionDenied(StrCat({"cannot run '", program, "': permission denied"}));
    case ENOEXEC:
      return Status::FailedPrecondition(StrCat({"cannot run '", program, "': not an executable format"}));
    case EAGAIN:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
      return Status::ResourceExhausted(Status::FromErrno(err, StrCat({"cannot run '", program, "'"})).message());
    default:
      return Status::FromErrno(err, StrCat({"cannot run '", program, "'"}));
  }
}

ExitStatus FromSiginfo(const siginfo_t& info) {
  ExitStatus s;
  if (info.si_code == CLD_EXITED) {
    s.code = info.si_status;
  } else {
    s.signaled = true;
    s.signal = info.si_status;
  }
  return s;
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (!signaled) return StrCat({"exit code ", std::to_string(code)});
  const char* abbrev = sigabbrev_np(signal);
  return StrCat({"killed by signal ", std::to_string(signal),
                 abbrev != nullptr ? StrCat({" (SIG", abbrev, ")"}) : std::string()});
}

std::vector<std::string> CuratedEnvironment(const char* const* parent, const LaunchSpec& spec) {
  std::vector<std::string> out;
  auto set = [&out](std::string_view key, std::string_view value) {
    for (std::string& entry : out) {
      if (entry.size() > key.size() && entry.compare(0, key.size(), key) == 0 && entry[key.size()] == '=') {
        entry = StrCat({key, "=", value});
        return;
      }
    }
    out.push_back(StrCat({key, "=", value}));
  };
  for (const char* const* e = parent; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string_view key = entry.substr(0, eq);
    bool wanted = Allowlisted(key);
    for (const std::string& name : spec.inherit_env) wanted = wanted || key == name;
    if (wanted) set(key, entry.substr(eq + 1));
  }
  for (const auto& [key, value] : spec.env) set(key, value);
  return out;
}

Result<std::string> FindProgram(const std::string& name, const std::string& path_list) {
  if (name.empty()) return Status::InvalidArgument("no program to run: argv[0] is empty");
  struct stat st;
  if (name.find('/') != std::string::npos) {
    if (stat(name.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        return Status::NotFound(StrCat({"program '", name, "' does not exist"}));
      }
      return Status::FromErrno(errno, StrCat({"program '", name, "'"}));
    }
    if (!S_ISREG(st.st_mode) || access(name.c_str(), X_OK) != 0) {
      return Status::PermissionDenied(StrCat({"program '", name, "' is not an executable file"}));
    }
    return name;
  }
  const std::string& dirs = path_list.empty() ? std::string(kDefaultPath) : path_list;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string_view dir(dirs.data() + start, end - start);
    // Empty entries mean "the current directory" to execvp; never here.
    if (!dir.empty()) {
      std::string candidate = StrCat({dir, "/", name});
      if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0) {
        return candidate;
      }
    }
    start = end + 1;
  }
  return Status::NotFound(StrCat({"program '", name, "' was not found on PATH (", dirs, ")"}));
}

Result<Process> Process::Start(const LaunchSpec& spec) {
  assert(!spec.argv.empty());
  if (spec.argv.empty()) return Status::InvalidArgument("no program to run: argv is empty");
  std::vector<std::string> env = CuratedEnvironment(environ, spec);
  std::string path_list;
  for (const std::string& entry : env) {
    if (entry.compare(0, 5, "PATH=") == 0) path_list = entry.substr(5);
  }
  WEFT_ASSIGN_OR_RETURN(std::string program, FindProgram(spec.argv[0], path_list));

  Process p;
  UniqueFd child_in, child_out, child_err;
  if (spec.stdin_pipe) WEFT_RETURN_IF_ERROR(MakePipe(&child_in, &p.stdin_));
  WEFT_RETURN_IF_ERROR(MakePipe(&p.stdout_, &child_out));
  WEFT_RETURN_IF_ERROR(MakePipe(&p.stderr_, &child_err));

  SpawnSetup setup;
  int rc = SetAttributes(&setup.attr);
  // Order matters: fchdir while the directory fd is still open, then the
  // three standard descriptors, then close everything else.
  if (rc == 0 && spec.cwd_fd >= 0) rc = posix_spawn_file_actions_addfchdir_np(&setup.actions, spec.cwd_fd);
  if (rc == 0) {
    if (spec.stdin_pipe) {
      rc = posix_spawn_file_actions_adddup2(&setup.actions, child_in.get(), 0);
    } else if (spec.stdin_fd >= 0) {
      rc = posix_spawn_file_actions_adddup2(&setup.actions, spec.stdin_fd, 0);
    } else {
      rc = posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
    }
  }
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&setup.actions, child_out.get(), 1);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&setup.actions, child_err.get(), 2);
  if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
  if (rc != 0) return Status::FromErrno(rc, "posix_spawn setup");

  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  rc = posix_spawn(&pid, program.c_str(), &setup.actions, &setup.attr, argv.data(), envp.data());
  if (rc != 0) return SpawnError(rc, spec.argv[0]);
  p.pid_ = pid;
  // Through syscall(2): glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));  // close-on-exec by default
  if (pidfd >= 0) p.pidfd_.Reset(pidfd);
  return p;
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      stdin_(std::move(other.stdin_)),
      stdout_(std::move(other.stdout_)),
      stderr_(std::move(other.stderr_)),
      status_(std::move(other.status_)) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    KillAndReap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    stdin_ = std::move(other.stdin_);
    stdout_ = std::move(other.stdout_);
    stderr_ = std::move(other.stderr_);
    status_ = std::move(other.status_);
  }
  return *this;
}

Process::~Process() { KillAndReap(); }

void Process::KillAndReap() {
  if (pid_ <= 0 || status_.has_value()) return;
  SignalGroup(SIGKILL);
  Reap();
}

void Process::SignalGroup(int sig) {
  if (pid_ <= 0 || status_.has_value()) return;
  ::kill(-pid_, sig);
}

bool Process::HasExited() {
  if (status_.has_value()) return true;
  siginfo_t info{};
  int rc;
  do {
    rc = pidfd_ ? waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | WNOHANG | WNOWAIT)
                : waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
  } while (rc != 0 && errno == EINTR);
  return rc == 0 && info.si_pid != 0;
}

std::optional<ExitStatus> Process::TryReap() {
  if (status_.has_value() || pid_ <= 0) return status_;
  siginfo_t info{};
  int rc;
  do {
    rc = pidfd_ ? waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | WNOHANG)
                : waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0 || info.si_pid == 0) return std::nullopt;
  status_ = FromSiginfo(info);
  pidfd_.Reset();
  return status_;
}

ExitStatus Process::Reap() {
  if (status_.has_value() || pid_ <= 0) return status_.value_or(ExitStatus{});
  siginfo_t info{};
  int rc;
  do {
    rc = pidfd_ ? waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED)
                : waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED);
  } while (rc != 0 && errno == EINTR);
  // ECHILD means someone else reaped it (a broken precondition): record a kill.
  status_ = rc == 0 ? FromSiginfo(info) : ExitStatus{true, 0, SIGKILL};
  pidfd_.Reset();
  return *status_;
}

}  // namespace weft::proc
