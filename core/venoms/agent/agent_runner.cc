// The agent runner (see agent_runner.h).
#include "core/venoms/agent/agent_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/agents/confine.h"
#include "core/base/files.h"
#include "core/base/log.h"
#include "core/base/strings.h"
#include "core/base/unix_socket.h"
#include "core/proc/io.h"
#include "core/store/agent_store.h"
#include "core/store/store.h"
#include "core/venoms/agent/agent_logs.h"

namespace weft::venoms::agent {
namespace {

using Clock = std::chrono::steady_clock;
using store::AgentEnd;
using store::AgentState;

constexpr size_t kMaxSpecBytes = 1 << 20;
constexpr auto kTermGrace = std::chrono::seconds(2);
constexpr auto kDrainGrace = std::chrono::milliseconds(200);

struct RunSpec {
  proc::LaunchSpec launch;
  agents::ConfineSpec confine;
  agents::Limits limits;
  std::string host_cwd;
  uint64_t wall_seconds = 0;  // 0 = none
  uint64_t output_bytes = 0;  // 0 = none
  uint64_t log_cap = 8 << 20;
  std::string callback_socket;  // empty: none
};

std::optional<uint64_t> OptU64(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<uint64_t>();
}

Result<RunSpec> ParseSpec(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("argv") || !j["argv"].is_array() || j["argv"].empty()) {
    return Status::InvalidArgument("the runner's spec is not a JSON object with a non-empty argv");
  }
  RunSpec s;
  for (const Json& a : j["argv"]) {
    if (!a.is_string()) return Status::InvalidArgument("argv holds a non-string");
    s.launch.argv.push_back(a.get<std::string>());
  }
  if (j.contains("env") && j["env"].is_object()) {
    for (const auto& [k, v] : j["env"].items()) {
      if (v.is_string()) s.launch.env.emplace_back(k, v.get<std::string>());
    }
  }
  if (j.contains("pty") && j["pty"].is_object()) {
    proc::TerminalSize size;
    size.cols = static_cast<uint16_t>(j["pty"].value("cols", 80));
    size.rows = static_cast<uint16_t>(j["pty"].value("rows", 24));
    s.launch.pty = size;
  }
  WEFT_ASSIGN_OR_RETURN(s.confine.profile, agents::ParseProfile(j.value("profile", "workspace")));
  s.confine.network = j.value("network", false);
  s.confine.best_effort = j.value("best_effort", false);
  s.confine.workspace_dir = j.value("workspace_dir", "");
  s.confine.home_dir = j.value("home_dir", "");
  for (auto [key, into] : {std::pair{"writable_paths", &s.confine.writable_paths},
                           std::pair{"readable_paths", &s.confine.readable_paths}}) {
    if (!j.contains(key) || !j[key].is_array()) continue;
    for (const Json& p : j[key]) {
      if (p.is_string()) into->push_back(p.get<std::string>());
    }
  }
  s.callback_socket = j.value("callback_socket", "");
  s.host_cwd = j.value("host_cwd", s.confine.workspace_dir);
  s.confine.cwd = s.host_cwd;
  const Json limits = j.value("limits", Json::object());
  s.limits.cpu_seconds = OptU64(limits, "cpu_seconds");
  s.limits.processes = OptU64(limits, "processes");
  s.limits.open_files = OptU64(limits, "open_files");
  s.limits.memory_bytes = OptU64(limits, "memory_bytes");
  s.wall_seconds = OptU64(limits, "wall_seconds").value_or(0);
  s.output_bytes = OptU64(limits, "output_bytes").value_or(0);
  s.log_cap = OptU64(j, "log_cap").value_or(s.log_cap);
  return s;
}

Result<std::string> ReadAllStdin() {
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "cannot read the runner's spec");
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxSpecBytes) return Status::InvalidArgument("the runner's spec is over 1 MiB");
  }
}

// The one line the spawner waits for; stdout is closed after it.
void Report(const Json& line) {
  std::string text = line.dump() + "\n";
  (void)proc::WriteNoSigpipe(STDOUT_FILENO, text.data(), text.size());
  int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, STDOUT_FILENO);
    ::close(null);
  }
}

Json ConfinementJson(const agents::ConfinedProcess& p) {
  Json limits = Json::array();
  for (const agents::LimitReport& l : p.limits()) {
    limits.push_back({{"name", l.name}, {"value", l.value}, {"mechanism", l.mechanism}});
  }
  return {{"profile", std::string(agents::ProfileName(p.profile()))},
          {"dropped", p.dropped()},
          {"limits", std::move(limits)},
          {"landlock_abi", p.landlock_abi()}};
}

std::string SignalText(int sig) {
  const char* name = ::sigabbrev_np(sig);
  return name != nullptr ? StrCat({"SIG", name}) : StrCat({"signal ", std::to_string(sig)});
}

// The agent's callback socket: accepts connections and serves each on a
// thread of its own; Stop() ends them all.
class CallbackServer {
 public:
  CallbackServer(UniqueFd listener, std::string path, CallbackHandler handler)
      : listener_(std::move(listener)), path_(std::move(path)), handler_(std::move(handler)) {}
  ~CallbackServer() { Stop(); }
  CallbackServer(const CallbackServer&) = delete;
  CallbackServer& operator=(const CallbackServer&) = delete;

  int fd() const { return listener_.get(); }

  // Takes the connections waiting; a failed accept is logged and dropped.
  void Accept() {
    while (true) {
      int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          WEFT_LOG(kWarning) << "callback socket: accept: " << std::strerror(errno);
        }
        return;
      }
      // The handler reads with its own poll; blocking mode suits it.
      int flags = ::fcntl(fd, F_GETFL);
      if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
      auto conn = std::make_shared<Connection>();
      conn->fd = fd;
      std::lock_guard<std::mutex> lock(mu_);
      connections_.push_back(conn);
      threads_.emplace_back([this, conn] {
        handler_(conn->fd);
        std::lock_guard<std::mutex> done(mu_);
        ::close(conn->fd);
        conn->fd = -1;
      });
    }
  }

  // Closes the socket, ends every connection and waits for their threads.
  void Stop() {
    if (listener_.valid()) {
      listener_.Reset();
      ::unlink(path_.c_str());
    }
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& conn : connections_) {
        if (conn->fd >= 0) ::shutdown(conn->fd, SHUT_RDWR);
      }
      threads.swap(threads_);
    }
    for (std::thread& t : threads) t.join();
  }

 private:
  struct Connection {
    int fd = -1;  // -1 once its thread has closed it; under mu_
  };
  UniqueFd listener_;
  std::string path_;
  CallbackHandler handler_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Connection>> connections_;
  std::vector<std::thread> threads_;
};

// Why the runner stopped the agent, if it did.
enum class StopReason { kNone, kRequested, kWallClock, kOutput };

class Runner {
 public:
  Runner(std::string id, store::AgentStore& agents, RunSpec spec, agents::ConfinedProcess proc, LogWriter out,
         LogWriter err, int sigfd, CallbackServer* callbacks)
      : id_(std::move(id)), agents_(agents), spec_(std::move(spec)), proc_(std::move(proc)), out_(std::move(out)),
        err_(std::move(err)), sigfd_(sigfd), callbacks_(callbacks) {}

  // Supervises until the agent has ended and nothing it started is left.
  AgentEnd Supervise();

 private:
  void Pump(int fd, LogWriter& log, bool* open);
  void OnSignal();
  void BeginStop(StopReason reason, std::string detail);
  AgentEnd Classify(const proc::ExitStatus& status) const;

  std::string id_;
  store::AgentStore& agents_;
  RunSpec spec_;
  agents::ConfinedProcess proc_;
  LogWriter out_, err_;
  int sigfd_;
  CallbackServer* callbacks_;  // null: no callback socket
  StopReason stop_ = StopReason::kNone;
  std::optional<Clock::time_point> kill_at_;  // when the stop escalates to SIGKILL
};

void Runner::Pump(int fd, LogWriter& log, bool* open) {
  char buf[65536];
  while (*open) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {  // EOF, or EIO from a terminal whose last writer is gone
      *open = false;
      return;
    }
    Status st = log.Append(std::string_view(buf, static_cast<size_t>(n)));
    if (!st.ok()) {
      WEFT_LOG(kWarning) << st.message();
    }
    uint64_t total = out_.written() + err_.written();
    if (spec_.output_bytes != 0 && total > spec_.output_bytes && stop_ == StopReason::kNone) {
      BeginStop(StopReason::kOutput, StrCat({"output went over its limit of ", std::to_string(spec_.output_bytes),
                                             " bytes"}));
    }
  }
}

void Runner::OnSignal() {
  signalfd_siginfo info{};
  while (::read(sigfd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    int sig = static_cast<int>(info.ssi_signo);
    if (sig == kForwardSignal) {
      int forward = info.ssi_int;
      if (forward <= 0 || forward >= NSIG) continue;
      proc_.Signal(forward);
      (void)agents_.AddEvent(id_, "signal", StrCat({"sent ", SignalText(forward), " to the agent"}));
    } else if (stop_ == StopReason::kNone) {
      BeginStop(StopReason::kRequested, "stopped on request");
    }
  }
}

void Runner::BeginStop(StopReason reason, std::string detail) {
  stop_ = reason;
  (void)agents_.AddEvent(id_, "stopping", detail);
  proc_.Signal(SIGTERM);
  kill_at_ = Clock::now() + kTermGrace;
}

AgentEnd Runner::Classify(const proc::ExitStatus& status) const {
  AgentEnd end;
  if (status.signaled) {
    end.exit_signal = status.signal;
  } else {
    end.exit_code = status.code;
  }
  switch (stop_) {
    case StopReason::kWallClock:
      end.state = AgentState::kTimedOut;
      end.limit = "wall_seconds";
      end.detail = StrCat({"ran past its wall-clock limit of ", std::to_string(spec_.wall_seconds), " s; ",
                           status.ToString()});
      return end;
    case StopReason::kOutput:
      end.state = AgentState::kKilled;
      end.limit = "output_bytes";
      end.detail = StrCat({"stopped: output over ", std::to_string(spec_.output_bytes), " bytes; ",
                           status.ToString()});
      return end;
    case StopReason::kRequested:
      end.state = AgentState::kKilled;
      end.detail = StrCat({"stopped on request; ", status.ToString()});
      return end;
    case StopReason::kNone: break;
  }
  if (std::optional<std::string> fired = proc_.FiredLimit()) {
    end.state = AgentState::kKilled;
    end.limit = *fired;
    end.detail = StrCat({"stopped by its ", *fired, " limit; ", status.ToString()});
    return end;
  }
  end.state = status.signaled ? AgentState::kKilled : AgentState::kExited;
  end.detail = status.ToString();
  return end;
}

AgentEnd Runner::Supervise() {
  bool out_open = proc_.terminal_fd() >= 0 || proc_.stdout_fd() >= 0;
  bool err_open = proc_.terminal_fd() < 0 && proc_.stderr_fd() >= 0;
  int out_fd = proc_.terminal_fd() >= 0 ? proc_.terminal_fd() : proc_.stdout_fd();
  int err_fd = proc_.stderr_fd();
  if (out_fd >= 0) proc::SetNonBlocking(out_fd);
  if (err_open) proc::SetNonBlocking(err_fd);
  std::optional<Clock::time_point> deadline;
  if (spec_.wall_seconds != 0) deadline = Clock::now() + std::chrono::seconds(spec_.wall_seconds);
  std::optional<proc::ExitStatus> status;
  std::optional<Clock::time_point> drain_until;
  while (true) {
    if (!status) status = proc_.TryReap();
    if (status && !drain_until) drain_until = Clock::now() + kDrainGrace;
    if (status && ((!out_open && !err_open) || Clock::now() >= *drain_until)) break;
    pollfd fds[5];
    nfds_t n = 0;
    fds[n++] = {sigfd_, POLLIN, 0};
    if (!status) fds[n++] = {proc_.pidfd(), POLLIN, 0};
    int out_index = -1, err_index = -1, callback_index = -1;
    if (callbacks_ != nullptr && !status) {
      callback_index = static_cast<int>(n);
      fds[n++] = {callbacks_->fd(), POLLIN, 0};
    }
    if (out_open) {
      out_index = static_cast<int>(n);
      fds[n++] = {out_fd, POLLIN, 0};
    }
    if (err_open) {
      err_index = static_cast<int>(n);
      fds[n++] = {err_fd, POLLIN, 0};
    }
    int timeout_ms = 1000;
    auto now = Clock::now();
    auto clamp = [&](Clock::time_point t) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - now).count() + 1;
      timeout_ms = std::min<int>(timeout_ms, static_cast<int>(std::max<int64_t>(ms, 0)));
    };
    if (deadline && stop_ == StopReason::kNone) clamp(*deadline);
    if (kill_at_) clamp(*kill_at_);
    if (drain_until) clamp(*drain_until);
    int rc = ::poll(fds, n, timeout_ms);
    if (rc < 0 && errno != EINTR) break;
    if (rc > 0) {
      if (fds[0].revents != 0) OnSignal();
      if (out_index >= 0 && fds[out_index].revents != 0) Pump(out_fd, out_, &out_open);
      if (err_index >= 0 && fds[err_index].revents != 0) Pump(err_fd, err_, &err_open);
      if (callback_index >= 0 && fds[callback_index].revents != 0) callbacks_->Accept();
    }
    now = Clock::now();
    if (deadline && now >= *deadline && stop_ == StopReason::kNone && !status) {
      BeginStop(StopReason::kWallClock, StrCat({"wall-clock limit of ", std::to_string(spec_.wall_seconds),
                                                " s reached"}));
    }
    if (kill_at_ && now >= *kill_at_ && !status) {
      proc_.KillAll();
      kill_at_.reset();
    }
  }
  // Whatever the agent left behind (background children, a daemon that
  // left its group) goes with it.
  proc_.KillAll();
  if (!status) status = proc_.Reap();
  return Classify(*status);
}

// Blocks the control signals so they arrive on a signalfd (the agent's
// signal mask is reset when it starts).
Result<UniqueFd> ControlSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, kForwardSignal}) sigaddset(&set, sig);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return Status::FromErrno(errno, "sigprocmask");
  int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return Status::FromErrno(errno, "signalfd");
  ::signal(SIGPIPE, SIG_IGN);
  return UniqueFd(fd);
}

int Fail(store::AgentStore* agents, const std::string& id, const Status& why) {
  WEFT_LOG(kError) << "agent " << id << ": " << why.message();
  if (agents != nullptr) {
    AgentEnd end;
    end.state = AgentState::kFailed;
    end.error = why.message();
    end.detail = StrCat({"could not start: ", why.message()});
    (void)agents->SetEnded(id, end);
  }
  Report({{"ok", false}, {"error", why.message()}});
  return agents != nullptr ? 0 : 1;
}

}  // namespace

std::optional<int64_t> ProcessStartTime(pid_t pid) {
  Result<std::string> stat = ReadWholeFile(StrCat({"/proc/", std::to_string(pid), "/stat"}));
  if (!stat.ok()) return std::nullopt;
  // "pid (comm) S ppid …": comm may hold spaces and parentheses; fields
  // resume after the last ')'.
  size_t close = stat->rfind(')');
  if (close == std::string::npos || close + 2 >= stat->size()) return std::nullopt;
  std::vector<std::string_view> fields;
  std::string_view rest = std::string_view(*stat).substr(close + 2);
  while (!rest.empty()) {
    size_t sp = rest.find(' ');
    fields.push_back(rest.substr(0, sp));
    if (sp == std::string_view::npos) break;
    rest.remove_prefix(sp + 1);
  }
  // fields[0] is the state (field 3), so field 22 is fields[19].
  if (fields.size() < 20 || fields[0] == "Z" || fields[0] == "X") return std::nullopt;
  return std::stoll(std::string(fields[19]));
}

int RunAgentRunner(const std::string& state_dir, const std::string& id, CallbackHandler callbacks) {
  // Detach: the spawner reaps the parent at once; the runner lives on in a
  // session of its own, out of the spawner's terminal and process group.
  pid_t child = ::fork();
  if (child < 0) return Fail(nullptr, id, Status::FromErrno(errno, "fork"));
  if (child > 0) ::_exit(0);
  ::setsid();

  Result<std::unique_ptr<store::Store>> db = store::Store::Open(store::Store::PathIn(state_dir));
  if (!db.ok()) return Fail(nullptr, id, db.status());
  store::AgentStore agents(**db);
  Result<store::AgentRecord> record = agents.Get(id);
  if (!record.ok()) return Fail(nullptr, id, record.status());
  // The runner's own messages go beside the agent's logs.
  int log = ::open(StrCat({record->log_dir, "/runner.log"}).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log >= 0) {
    ::dup2(log, STDERR_FILENO);
    ::close(log);
  }
  Status own = agents.SetRunner(id, ::getpid(), ProcessStartTime(::getpid()).value_or(0));
  if (!own.ok()) return Fail(nullptr, id, own);

  Result<UniqueFd> sigfd = ControlSignals();
  if (!sigfd.ok()) return Fail(&agents, id, sigfd.status());
  Result<std::string> text = ReadAllStdin();
  if (!text.ok()) return Fail(&agents, id, text.status());
  Result<RunSpec> spec = ParseSpec(*text);
  if (!spec.ok()) return Fail(&agents, id, spec.status());
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::close(null);
  }

  Result<LogWriter> out = LogWriter::Open(record->log_dir, "stdout", spec->log_cap);
  if (!out.ok()) return Fail(&agents, id, out.status());
  Result<LogWriter> err = LogWriter::Open(record->log_dir, "stderr", spec->log_cap);
  if (!err.ok()) return Fail(&agents, id, err.status());

  UniqueFd cwd(::open(spec->host_cwd.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cwd.valid()) {
    return Fail(&agents, id, Status::FromErrno(errno, StrCat({"cannot open the working directory ", spec->host_cwd})));
  }
  spec->launch.cwd_fd = cwd.get();
  // Listening before the agent starts: it may call back at once.
  std::unique_ptr<CallbackServer> callback_server;
  if (!spec->callback_socket.empty() && callbacks) {
    Result<UniqueFd> listener = ListenUnix(spec->callback_socket);
    if (!listener.ok()) return Fail(&agents, id, listener.status().WithContext("the agent's callback socket"));
    proc::SetNonBlocking(listener->get());
    callback_server =
        std::make_unique<CallbackServer>(std::move(listener).value(), spec->callback_socket, std::move(callbacks));
  }
  Result<agents::ConfinedProcess> proc = agents::ConfinedProcess::Launch(spec->launch, spec->confine, spec->limits);
  if (!proc.ok()) return Fail(&agents, id, proc.status());
  cwd.Reset();

  pid_t pid = proc->pid();
  Status running = agents.SetRunning(id, pid, ProcessStartTime(pid).value_or(0), ConfinementJson(*proc).dump());
  if (!running.ok()) {
    proc->KillAll();
    proc->Reap();
    return Fail(nullptr, id, running);
  }
  for (const std::string& what : proc->dropped()) (void)agents.AddEvent(id, "degraded", what);
  Report({{"ok", true}, {"pid", pid}});

  Runner runner(id, agents, std::move(*spec), std::move(*proc), std::move(*out), std::move(*err), sigfd->get(),
                callback_server.get());
  AgentEnd end = runner.Supervise();
  // Its sessions end with it (and whatever they started for it).
  if (callback_server != nullptr) callback_server->Stop();
  Status recorded = agents.SetEnded(id, end);
  if (!recorded.ok()) {
    WEFT_LOG(kError) << "agent " << id << ": could not record its end: " << recorded.message();
    return 1;
  }
  return 0;
}

}  // namespace weft::venoms::agent
