// Subprocess implementation: posix_spawn-free fork/exec with pipes and poll.
#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace weft::testing {
namespace {

void SetCloexec(int fd) { ::fcntl(fd, F_SETFD, FD_CLOEXEC); }

}  // namespace

Subprocess::Subprocess(const std::vector<std::string>& argv,
                       const std::vector<std::string>& env_extra) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) std::abort();
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  for (const auto& kv : env_extra) env.push_back(kv);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ < 0) std::abort();
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::signal(SIGPIPE, SIG_DFL);
    ::execvpe(cargv[0], cargv.data(), cenv.data());
    const char msg[] = "exec failed\n";
    ssize_t ignored = ::write(2, msg, sizeof(msg) - 1);
    (void)ignored;
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  in_ = in[1];
  out_ = out[0];
  err_ = err[0];
  SetCloexec(in_);
  ::fcntl(err_, F_SETFL, O_NONBLOCK);
}

Subprocess::~Subprocess() {
  if (!reaped_ && pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    int st;
    ::waitpid(pid_, &st, 0);
  }
  for (int fd : {in_, out_, err_}) {
    if (fd >= 0) ::close(fd);
  }
}

bool Subprocess::Write(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::write(in_, data.data() + off, data.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<size_t>(w);
  }
  return true;
}

void Subprocess::CloseStdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

std::optional<std::string> Subprocess::ReadLine(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    size_t nl = out_buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = out_buf_.substr(0, nl);
      out_buf_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    struct pollfd p = {out_, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    char buf[65536];
    ssize_t got = ::read(out_, buf, sizeof(buf));
    if (got <= 0) return std::nullopt;
    out_buf_.append(buf, static_cast<size_t>(got));
  }
}

std::string Subprocess::DrainStderr() {
  char buf[65536];
  for (;;) {
    ssize_t got = ::read(err_, buf, sizeof(buf));
    if (got <= 0) break;
    err_buf_.append(buf, static_cast<size_t>(got));
  }
  return err_buf_;
}

std::optional<int> Subprocess::Wait(std::chrono::milliseconds timeout) {
  if (reaped_) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int st;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return st;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    ::usleep(2000);
  }
}

int RunResult::exit_code() const { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

RunResult Run(const std::vector<std::string>& argv, const std::string& stdin_data,
              std::chrono::milliseconds timeout) {
  Subprocess p(argv);
  p.Write(stdin_data);
  p.CloseStdin();
  RunResult r;
  ::fcntl(p.stdout_fd(), F_SETFL, O_NONBLOCK);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  for (;;) {
    struct pollfd fds[2] = {{p.stdout_fd(), POLLIN, 0}, {p.stderr_fd(), POLLIN, 0}};
    int n = ::poll(fds, 2, 20);
    if (n > 0) {
      ssize_t got;
      while ((got = ::read(p.stdout_fd(), buf, sizeof(buf))) > 0) r.out.append(buf, static_cast<size_t>(got));
      while ((got = ::read(p.stderr_fd(), buf, sizeof(buf))) > 0) r.err.append(buf, static_cast<size_t>(got));
    }
    if (auto st = p.Wait(std::chrono::milliseconds(0))) {
      ssize_t got;
      while ((got = ::read(p.stdout_fd(), buf, sizeof(buf))) > 0) r.out.append(buf, static_cast<size_t>(got));
      while ((got = ::read(p.stderr_fd(), buf, sizeof(buf))) > 0) r.err.append(buf, static_cast<size_t>(got));
      r.status = *st;
      return r;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      r.status = -1;
      r.err += "\n[test harness: timed out]";
      return r;
    }
  }
}

}  // namespace weft::testing
