// weft_fake_agent: a stand-in for an agent CLI, for the confinement tests.
// It runs the actions on its command line in order and prints one JSON line
// per action on stdout ({"action":…, "ok":…, …, "errno":"EROFS"} when a
// system call failed), so a test asserts exactly what the agent could and
// could not do. Linked statically: it runs inside sandboxes that show only
// /usr and the like, and never depends on what they contain.
//
//   weft_fake_agent ACTION [ARGS] [ACTION [ARGS]]...
//
// Actions:
//   print-bytes N         N bytes of 'x' (64 per line) on stdout
//   print-stderr TEXT     TEXT and a newline on stderr
//   ignore-signals        SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGXCPU ignored
//   await-signal          waits for SIGTERM, SIGINT, SIGHUP, SIGUSR1 or SIGUSR2:
//                         reports "waiting" once they are blocked, then which came
//   fork-children N       N children that sleep forever; every other one after
//                         setsid and a second fork (an orphan in its own session)
//   sleep MS
//   write PATH            creates or truncates PATH and writes a line to it
//   open-write PATH       opens PATH for writing and closes it, writing nothing
//                         (for files where any write would act: /proc/sysrq-trigger)
//   read PATH             reads PATH whole, reporting its size
//   list PATH             the names in directory PATH
//   connect HOST PORT     a TCP connection to an IPv4 or IPv6 address
//   open-files N          opens /dev/null up to N times; reports how many succeeded
//   spin-cpu              burns CPU until killed
//   alloc MB              allocates and touches MB MiB
//   fork-bomb N           forks up to N children that pause; reports how many
//   try CALL              one refusable system call: mount, umount, ptrace,
//                         bpf, unshare-user, keyctl, io-uring, perf-event,
//                         userfaultfd, kexec, setns, chroot (each harmless
//                         when it succeeds: see Try)
//   ids                   uid, gid, pid, ppid, process group, hostname, cwd
//   tty                   whether stdin is a terminal, and this process's group
//                         its foreground group
//   pids                  how many processes /proc shows
//   env                   the environment, as a JSON object
//   call URL TOKEN TOOL JSON
//                         a 2026-07-28 MCP tools/call of TOOL with arguments
//                         JSON, POSTed to URL (http://HOST:PORT/PATH) with
//                         Authorization: Bearer TOKEN; reports the HTTP
//                         status and the body
//   mcp-config-call TOOL JSON
//                         what an agent's MCP client does with the config
//                         $WEFT_MCP_CONFIG names: starts the stdio server it
//                         gives (command and args), initializes, calls TOOL
//                         with arguments JSON; reports the tools/call reply
//                         line and the server's exit status
//   exit CODE             exits with CODE at once
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

void WriteOut(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// One result line: {"action":…, <fields>}.
void Report(const std::string& action, const std::string& fields) {
  WriteOut(1, "{\"action\":" + Quote(action) + (fields.empty() ? "" : "," + fields) + "}\n");
}

std::string Errno(int err) {
  const char* name = strerrorname_np(err);
  return "\"ok\":false,\"errno\":" + Quote(name != nullptr ? name : std::to_string(err));
}

// ok, or the errno of a failed call.
std::string Outcome(bool ok, int err) { return ok ? "\"ok\":true" : Errno(err); }

[[noreturn]] void Usage(const char* why) {
  dprintf(2, "weft_fake_agent: %s (see the comment at the top of tests/support/fake_agent.cc)\n", why);
  _exit(2);
}

long Number(const std::vector<std::string>& args, size_t i) {
  if (i >= args.size()) Usage("an action is missing its number");
  return strtol(args[i].c_str(), nullptr, 10);
}

void SleepMs(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

[[noreturn]] void SleepForever() {
  for (;;) pause();
}

void ForkChildren(long n) {
  std::string pids;
  for (long i = 0; i < n; ++i) {
    int fds[2];
    if (pipe(fds) != 0) break;
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      pid_t report = getpid();
      if (i % 2 == 1) {
        setsid();
        pid_t grandchild = fork();
        if (grandchild != 0) _exit(0);  // the grandchild is orphaned in its own session
        report = getpid();
      }
      if (write(fds[1], &report, sizeof(report)) < 0) _exit(1);
      close(fds[1]);
      SleepForever();
    }
    close(fds[1]);
    pid_t child = -1;
    if (read(fds[0], &child, sizeof(child)) != sizeof(child)) child = -1;
    close(fds[0]);
    if (i % 2 == 1) waitpid(pid, nullptr, 0);
    pids += (pids.empty() ? "" : ",") + std::to_string(child);
  }
  Report("fork-children", "\"ok\":true,\"pids\":[" + pids + "]");
}

void WriteFile(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = errno;
  bool ok = fd >= 0;
  if (ok) {
    ok = write(fd, "written by weft_fake_agent\n", 27) == 27;
    err = errno;
    close(fd);
  }
  Report("write", "\"path\":" + Quote(path) + "," + Outcome(ok, err));
}

void OpenForWriting(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  int err = errno;
  if (fd >= 0) close(fd);
  Report("open-write", "\"path\":" + Quote(path) + "," + Outcome(fd >= 0, err));
}

void ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Report("read", "\"path\":" + Quote(path) + "," + Errno(errno));
    return;
  }
  char buf[65536];
  long total = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) total += n;
  int err = errno;
  close(fd);
  Report("read", "\"path\":" + Quote(path) + "," + (n < 0 ? Errno(err) : "\"ok\":true,\"bytes\":" + std::to_string(total)));
}

void List(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (d == nullptr) {
    Report("list", "\"path\":" + Quote(path) + "," + Errno(errno));
    return;
  }
  std::string names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    names += (names.empty() ? "" : ",") + Quote(name);
  }
  closedir(d);
  Report("list", "\"path\":" + Quote(path) + ",\"ok\":true,\"names\":[" + names + "]");
}

// A connected TCP socket to host:port (IPv4 or IPv6 literal), or -1 with errno.
int Connect(const std::string& host, int port) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = AF_INET;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*v6);
  } else {
    errno = EINVAL;
    return -1;
  }
  int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  if (connect(s, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    int err = errno;
    close(s);
    errno = err;
    return -1;
  }
  return s;
}

void ConnectAction(const std::string& host, long port) {
  int s = Connect(host, static_cast<int>(port));
  int err = errno;
  if (s >= 0) close(s);
  Report("connect", "\"host\":" + Quote(host) + ",\"port\":" + std::to_string(port) + "," + Outcome(s >= 0, err));
}

void OpenFiles(long n) {
  long opened = 0;
  int err = 0;
  for (; opened < n; ++opened) {
    if (open("/dev/null", O_RDONLY) < 0) {
      err = errno;
      break;
    }
  }
  Report("open-files", "\"opened\":" + std::to_string(opened) + (err != 0 ? "," + Errno(err) : ",\"ok\":true"));
}

void Alloc(long mib) {
  size_t bytes = static_cast<size_t>(mib) << 20;
  char* p = static_cast<char*>(malloc(bytes));
  if (p == nullptr) {
    Report("alloc", Errno(ENOMEM));
    return;
  }
  for (size_t i = 0; i < bytes; i += 4096) p[i] = 1;
  Report("alloc", "\"ok\":true,\"mib\":" + std::to_string(mib));
}

void ForkBomb(long n) {
  long made = 0;
  int err = 0;
  for (; made < n; ++made) {
    pid_t pid = fork();
    if (pid == 0) SleepForever();
    if (pid < 0) {
      err = errno;
      break;
    }
  }
  Report("fork-bomb", "\"forked\":" + std::to_string(made) + (err != 0 ? "," + Errno(err) : ",\"ok\":true"));
}

void Try(const std::string& what) {
  long rc = -1;
  errno = 0;
  // mount, umount and chroot act on a fresh directory of their own (in the
  // working directory) and undo what they did, so that run unconfined, even
  // as root, they change nothing.
  if (what == "mount" || what == "umount" || what == "chroot") {
    char dir[] = "weft-fake-agent-XXXXXX";
    if (mkdtemp(dir) == nullptr) {
      Report("try", "\"call\":" + Quote(what) + "," + Errno(errno));
      return;
    }
    if (what == "mount") {
      rc = mount("tmpfs", dir, "tmpfs", 0, nullptr);
      if (rc == 0) umount2(dir, MNT_DETACH);
    } else if (what == "umount") {
      rc = umount2(dir, 0);
    } else {
      pid_t child = fork();
      if (child == 0) _exit(chroot(dir) == 0 ? 0 : errno);
      int status = 0;
      waitpid(child, &status, 0);
      int err = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    int err = errno;
    rmdir(dir);
    errno = err;
  } else if (what == "ptrace") {
    // Another process: a child of ours, stopped.
    pid_t child = fork();
    if (child == 0) SleepForever();
    rc = ptrace(PTRACE_ATTACH, child, nullptr, nullptr);
    int err = errno;
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    errno = err;
  } else if (what == "bpf") {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.map_type = BPF_MAP_TYPE_ARRAY;
    attr.key_size = 4;
    attr.value_size = 4;
    attr.max_entries = 1;
    rc = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
  } else if (what == "unshare-user") {
    pid_t child = fork();
    if (child == 0) _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
    int status = 0;
    waitpid(child, &status, 0);
    int err = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
    rc = err == 0 ? 0 : -1;
    errno = err;
  } else if (what == "keyctl") {
    rc = syscall(SYS_keyctl, 0 /*KEYCTL_GET_KEYRING_ID*/, -3 /*KEY_SPEC_SESSION_KEYRING*/, 0);
  } else if (what == "io-uring") {
    char params[120] = {};
    rc = syscall(SYS_io_uring_setup, 1, params);
  } else if (what == "perf-event") {
    perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_TASK_CLOCK;
    rc = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
  } else if (what == "userfaultfd") {
    rc = syscall(SYS_userfaultfd, 0);
  } else if (what == "kexec") {
    // Flags no kernel accepts: past the capability check this is EINVAL.
    rc = syscall(SYS_kexec_load, 0, 0, nullptr, 0xdead0000UL);
  } else if (what == "setns") {
    int fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
    rc = setns(fd, 0);
  } else {
    Usage(("unknown system call to try: " + what).c_str());
  }
  int err = errno;
  bool returns_fd = what == "bpf" || what == "io-uring" || what == "perf-event" || what == "userfaultfd";
  if (returns_fd && rc >= 0) close(static_cast<int>(rc));
  Report("try", "\"call\":" + Quote(what) + "," + Outcome(rc >= 0, err));
}

void Ids() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  char cwd[4096] = {};
  if (getcwd(cwd, sizeof(cwd)) == nullptr) cwd[0] = '\0';
  Report("ids", "\"ok\":true,\"uid\":" + std::to_string(getuid()) + ",\"gid\":" + std::to_string(getgid()) +
                    ",\"pid\":" + std::to_string(getpid()) + ",\"ppid\":" + std::to_string(getppid()) +
                    ",\"pgid\":" + std::to_string(getpgrp()) + ",\"sid\":" + std::to_string(getsid(0)) +
                    ",\"hostname\":" + Quote(host) + ",\"cwd\":" + Quote(cwd));
}

void Tty() {
  bool tty = isatty(0) == 1;
  bool foreground = tty && tcgetpgrp(0) == getpgrp();
  Report("tty", std::string("\"ok\":true,\"isatty\":") + (tty ? "true" : "false") + ",\"foreground\":" +
                    (foreground ? "true" : "false"));
}

void Pids() {
  DIR* d = opendir("/proc");
  if (d == nullptr) {
    Report("pids", Errno(errno));
    return;
  }
  long count = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] >= '1' && e->d_name[0] <= '9') ++count;
  }
  closedir(d);
  Report("pids", "\"ok\":true,\"count\":" + std::to_string(count));
}

void Env() {
  std::string fields;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    fields += (fields.empty() ? "" : ",") + Quote(entry.substr(0, eq)) + ":" + Quote(entry.substr(eq + 1));
  }
  Report("env", "\"ok\":true,\"env\":{" + fields + "}");
}

// A 2026-07-28 tools/call over plain HTTP/1.1 (Connection: close).
void Call(const std::string& url, const std::string& token, const std::string& tool, const std::string& args) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) Usage("call needs an http:// URL");
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = authority.rfind(':');
  std::string host = authority.substr(0, colon);
  int port = colon == std::string::npos ? 80 : atoi(authority.c_str() + colon + 1);
  std::string body =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":" + Quote(tool) +
      ",\"arguments\":" + args +
      ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
      "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"weft_fake_agent\",\"version\":\"1\"},"
      "\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
  std::string request = "POST " + path + " HTTP/1.1\r\nHost: " + authority +
                        "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                        "Mcp-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: " +
                        tool + "\r\nAuthorization: Bearer " + token + "\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  int s = Connect(host, port);
  if (s < 0) {
    Report("call", Errno(errno));
    return;
  }
  WriteOut(s, request);
  std::string response;
  char buf[65536];
  ssize_t n;
  while ((n = read(s, buf, sizeof(buf))) > 0) response.append(buf, static_cast<size_t>(n));
  close(s);
  int status = 0;
  sscanf(response.c_str(), "HTTP/1.%*d %d", &status);
  size_t header_end = response.find("\r\n\r\n");
  std::string reply = header_end == std::string::npos ? "" : response.substr(header_end + 4);
  Report("call", std::string("\"ok\":") + (status == 200 ? "true" : "false") + ",\"status\":" +
                     std::to_string(status) + ",\"body\":" + Quote(reply));
}

// The JSON string value after "key": in `text` (weft writes the config, so
// a flat scan suffices); `at` is left after it.
bool StringAfter(const std::string& text, size_t* at, std::string* out) {
  size_t q = text.find('"', *at);
  if (q == std::string::npos) return false;
  out->clear();
  for (size_t i = q + 1; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out->push_back(text[++i]);
    } else if (text[i] == '"') {
      *at = i + 1;
      return true;
    } else {
      out->push_back(text[i]);
    }
  }
  return false;
}

void McpConfigCall(const std::string& tool, const std::string& args) {
  const char* path = getenv("WEFT_MCP_CONFIG");
  if (path == nullptr) {
    Report("mcp-config-call", "\"ok\":false,\"error\":\"WEFT_MCP_CONFIG is not set\"");
    return;
  }
  std::string config;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Report("mcp-config-call", Errno(errno));
    return;
  }
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) config.append(buf, static_cast<size_t>(n));
  close(fd);
  std::vector<std::string> argv;
  size_t at = config.find("\"command\"");
  std::string value;
  if (at == std::string::npos || !StringAfter(config, &(at += 9), &value)) Usage("the MCP config has no command");
  argv.push_back(value);
  at = config.find("\"args\"");
  size_t end = at == std::string::npos ? at : config.find(']', at);
  if (at != std::string::npos) {
    at += 6;
    while (StringAfter(config, &at, &value) && at <= end) argv.push_back(value);
  }
  int to[2], from[2];
  if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0) Usage("pipe");
  pid_t child = fork();
  if (child == 0) {
    dup2(to[0], 0);
    dup2(from[1], 1);
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(to[0]);
  close(from[1]);
  WriteOut(to[1],
           "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
           "\"capabilities\":{},\"clientInfo\":{\"name\":\"weft_fake_agent\",\"version\":\"1\"}}}\n"
           "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
           "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":" +
               Quote(tool) + ",\"arguments\":" + args + "}}\n");
  std::string out, reply;
  while (reply.empty() && (n = read(from[0], buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    size_t start = 0, nl;
    while ((nl = out.find('\n', start)) != std::string::npos) {
      std::string line = out.substr(start, nl - start);
      if (line.find("\"id\":2") != std::string::npos) reply = line;
      start = nl + 1;
    }
    out.erase(0, start);
  }
  close(to[1]);  // end of input: the server exits
  close(from[0]);
  int status = 0;
  waitpid(child, &status, 0);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  Report("mcp-config-call", std::string("\"ok\":") + (reply.empty() ? "false" : "true") + ",\"reply\":" +
                                Quote(reply) + ",\"server_exit\":" + std::to_string(code));
}

void AwaitSignal() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2}) sigaddset(&set, sig);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  Report("await-signal", "\"waiting\":true");
  int sig = 0;
  sigwait(&set, &sig);
  const char* name = sigabbrev_np(sig);
  Report("await-signal", std::string("\"ok\":true,\"signal\":") + Quote(name != nullptr ? name : "?"));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) Usage("no actions");
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto arg = [&](size_t k) -> const std::string& {
      if (i + k >= args.size()) Usage(("'" + a + "' is missing an argument").c_str());
      return args[i + k];
    };
    if (a == "print-bytes") {
      long n = Number(args, ++i);
      std::string line(63, 'x');
      line += '\n';
      std::string chunk;
      while (chunk.size() < 65536) chunk += line;
      for (long left = n; left > 0;) {
        size_t take = static_cast<size_t>(std::min<long>(left, static_cast<long>(chunk.size())));
        WriteOut(1, chunk.substr(0, take));
        left -= static_cast<long>(take);
      }
      Report(a, "\"ok\":true,\"bytes\":" + std::to_string(n));
    } else if (a == "print-stderr") {
      WriteOut(2, arg(1) + "\n");
      ++i;
      Report(a, "\"ok\":true");
    } else if (a == "ignore-signals") {
      for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGXCPU}) signal(sig, SIG_IGN);
      Report(a, "\"ok\":true");
    } else if (a == "await-signal") {
      AwaitSignal();
    } else if (a == "fork-children") {
      ForkChildren(Number(args, ++i));
    } else if (a == "sleep") {
      SleepMs(Number(args, ++i));
      Report(a, "\"ok\":true");
    } else if (a == "write") {
      WriteFile(arg(1));
      ++i;
    } else if (a == "open-write") {
      OpenForWriting(arg(1));
      ++i;
    } else if (a == "read") {
      ReadFile(arg(1));
      ++i;
    } else if (a == "list") {
      List(arg(1));
      ++i;
    } else if (a == "connect") {
      ConnectAction(arg(1), Number(args, i + 2));
      i += 2;
    } else if (a == "open-files") {
      OpenFiles(Number(args, ++i));
    } else if (a == "spin-cpu") {
      Report(a, "\"ok\":true");
      for (unsigned long spins = 0;; ++spins) asm volatile("" : : "r"(spins));
    } else if (a == "alloc") {
      Alloc(Number(args, ++i));
    } else if (a == "fork-bomb") {
      ForkBomb(Number(args, ++i));
    } else if (a == "try") {
      Try(arg(1));
      ++i;
    } else if (a == "ids") {
      Ids();
    } else if (a == "tty") {
      Tty();
    } else if (a == "pids") {
      Pids();
    } else if (a == "env") {
      Env();
    } else if (a == "call") {
      Call(arg(1), arg(2), arg(3), arg(4));
      i += 4;
    } else if (a == "mcp-config-call") {
      McpConfigCall(arg(1), arg(2));
      i += 2;
    } else if (a == "exit") {
      _exit(static_cast<int>(Number(args, ++i)));
    } else {
      Usage(("unknown action '" + a + "'").c_str());
    }
  }
  return 0;
}
