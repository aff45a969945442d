// Process: posix_spawn into a new process group (or, on a pseudo-terminal, a
// new session) with a curated environment, a directory fd as cwd and only
// stdin/stdout/stderr open; pidfd reaping.
#include "core/proc/process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cassert>
#include <cstdio>

#include "core/base/strings.h"
#include "core/proc/session_members.h"

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

// New process group (or new session, which is a new group too: the two
// flags together would fail, as a session leader cannot change its group),
// empty signal mask, every signal back to its default (ignored dispositions
// would otherwise survive exec).
int SetAttributes(posix_spawnattr_t* attr, bool new_session) {
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  short group = new_session ? POSIX_SPAWN_SETSID : POSIX_SPAWN_SETPGROUP;
  int rc = posix_spawnattr_setflags(attr, static_cast<short>(group | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
  if (rc == 0 && !new_session) rc = posix_spawnattr_setpgroup(attr, 0);
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

// The child's end of its pipes, held until posix_spawn returns.
struct ChildEnds {
  UniqueFd in, out, err;
  std::string terminal_path;  // the pseudo-terminal's slave device
};

// stdin (pipe, dup of a descriptor, or /dev/null), stdout and stderr pipes.
int AddPipeActions(const LaunchSpec& spec, const ChildEnds& ends, posix_spawn_file_actions_t* actions) {
  int rc = 0;
  if (spec.stdin_pipe) {
    rc = posix_spawn_file_actions_adddup2(actions, ends.in.get(), 0);
  } else if (spec.stdin_fd >= 0) {
    rc = posix_spawn_file_actions_adddup2(actions, spec.stdin_fd, 0);
  } else {
    rc = posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0);
  }
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(actions, ends.out.get(), 1);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(actions, spec.merge_stderr ? ends.out.get() : ends.err.get(), 2);
  return rc;
}

// A new pseudo-terminal: the master for us, the slave's path for the child.
// The child opens the slave by path after setsid (glibc's posix_spawn runs
// setsid before the file actions), and Linux makes a tty opened without
// O_NOCTTY by a session leader without one its controlling terminal: the
// openpty + setsid + TIOCSCTTY of forkpty, kept inside posix_spawn so the
// descriptor hygiene stays in one place.
Status OpenTerminal(TerminalSize size, UniqueFd* master, std::string* slave_path) {
  if (size.cols == 0 || size.rows == 0) return Status::InvalidArgument("a terminal needs at least 1 column and 1 row");
  UniqueFd fd(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!fd) return Status::FromErrno(errno, "posix_openpt");
  if (grantpt(fd.get()) != 0) return Status::FromErrno(errno, "grantpt");
  if (unlockpt(fd.get()) != 0) return Status::FromErrno(errno, "unlockpt");
  char name[128];
  if (int rc = ptsname_r(fd.get(), name, sizeof(name)); rc != 0) return Status::FromErrno(rc, "ptsname_r");
  winsize ws{};
  ws.ws_col = size.cols;
  ws.ws_row = size.rows;
  if (ioctl(fd.get(), TIOCSWINSZ, &ws) != 0) return Status::FromErrno(errno, "TIOCSWINSZ");
  *master = std::move(fd);
  *slave_path = name;
  return Status::Ok();
}

int AddTerminalActions(const ChildEnds& ends, posix_spawn_file_actions_t* actions) {
  int rc = posix_spawn_file_actions_addopen(actions, 0, ends.terminal_path.c_str(), O_RDWR, 0);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(actions, 0, 1);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(actions, 0, 2);
  return rc;
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

std::vector<pid_t> SessionMembers(pid_t sid) {
  std::vector<pid_t> out;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long pid = strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    // read(2), not a stream: a process may vanish between open and read (ESRCH).
    char buf[512];
    std::string stat;
    UniqueFd fd(::open(StrCat({"/proc/", e->d_name, "/stat"}).c_str(), O_RDONLY | O_CLOEXEC));
    ssize_t n = fd ? ::read(fd.get(), buf, sizeof(buf) - 1) : -1;
    if (n > 0) stat.assign(buf, static_cast<size_t>(n));
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    // After "(comm) ": state ppid pgrp session …
    char state = 0;
    long ppid = 0, pgrp = 0, session = 0;
    if (sscanf(stat.c_str() + paren + 1, " %c %ld %ld %ld", &state, &ppid, &pgrp, &session) != 4) continue;
    if (session == sid) out.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  return out;
}

std::string ExitStatus::ToString() const {
  if (!signaled) return StrCat({"exit code ", std::to_string(code)});
  const char* abbrev = sigabbrev_np(signal);
  return StrCat({"killed by signal ", std::to_string(signal),
                 abbrev != nullptr ? StrCat({" (SIG", abbrev, ")"}) : std::string()});
}

std::vector<std::string> CuratedEnvironment(const char* const* parent, const LaunchSpec& spec) {
  // Nothing a child runs may wait for a person: git asks no password on the
  // terminal, and pagers are plain cat.
  std::vector<std::string> out = {"GIT_TERMINAL_PROMPT=0", "PAGER=cat", "GIT_PAGER=cat"};
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

Result<std::string> ProgramCache::Find() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!found_.empty()) return found_;
  std::string wanted = configured_;
  if (wanted.empty() && !env_override_.empty()) {
    const char* env = getenv(env_override_.c_str());
    if (env != nullptr && *env != '\0') wanted = env;
  }
  const char* path = getenv("PATH");
  WEFT_ASSIGN_OR_RETURN(found_, FindProgram(wanted.empty() ? name_ : wanted, path != nullptr ? path : ""));
  return found_;
}

void ProgramCache::Forget() {
  std::lock_guard<std::mutex> lock(mu_);
  found_.clear();
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
  ChildEnds ends;
  bool on_terminal = spec.pty.has_value();
  if (on_terminal) {
    WEFT_RETURN_IF_ERROR(OpenTerminal(*spec.pty, &p.terminal_, &ends.terminal_path));
  } else {
    if (spec.stdin_pipe) WEFT_RETURN_IF_ERROR(MakePipe(&ends.in, &p.stdin_));
    WEFT_RETURN_IF_ERROR(MakePipe(&p.stdout_, &ends.out));
    if (!spec.merge_stderr) WEFT_RETURN_IF_ERROR(MakePipe(&p.stderr_, &ends.err));
  }

  SpawnSetup setup;
  int rc = SetAttributes(&setup.attr, on_terminal);
  // Order matters: fchdir while the directory fd is still open, then the
  // three standard descriptors, then close everything else.
  if (rc == 0 && spec.cwd_fd >= 0) rc = posix_spawn_file_actions_addfchdir_np(&setup.actions, spec.cwd_fd);
  if (rc == 0) rc = on_terminal ? AddTerminalActions(ends, &setup.actions) : AddPipeActions(spec, ends, &setup.actions);
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
      terminal_(std::move(other.terminal_)),
      status_(std::move(other.status_)) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    KillAndReap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    stdin_ = std::move(other.stdin_);
    stdout_ = std::move(other.stdout_);
    stderr_ = std::move(other.stderr_);
    terminal_ = std::move(other.terminal_);
    status_ = std::move(other.status_);
  }
  return *this;
}

Process::~Process() { KillAndReap(); }

void Process::KillAndReap() {
  if (pid_ <= 0 || status_.has_value()) return;
  SignalAll(SIGKILL);
  Reap();
}

void Process::SignalGroup(int sig) {
  if (pid_ <= 0 || status_.has_value()) return;
  ::kill(-pid_, sig);
}

void Process::SignalAll(int sig) {
  if (pid_ <= 0 || status_.has_value()) return;
  ::kill(-pid_, sig);
  // Safe while the leader is unreaped: its pid, the session id, cannot be
  // reused, so every process with that session id descends from it.
  if (terminal_) {
    for (pid_t member : SessionMembers(pid_)) ::kill(member, sig);
  }
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
