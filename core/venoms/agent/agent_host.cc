// Starting, steering, waiting for and forgetting agents.
#include "core/venoms/agent/agent_host.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <thread>

#include "core/agents/confine.h"
#include "core/agents/host_probe.h"
#include "core/base/fd.h"
#include "core/base/files.h"
#include "core/base/line_read.h"
#include "core/base/log.h"
#include "core/base/strings.h"
#include "core/proc/io.h"
#include "core/venoms/agent/agent_runner.h"

namespace weft::venoms::agent {
namespace {

using store::AgentRecord;
using store::AgentState;

constexpr auto kRunnerReadyTimeout = std::chrono::seconds(15);
constexpr auto kStopWait = std::chrono::seconds(5);
constexpr uint64_t kLogCap = 8 << 20;  // per stream
// A record whose runner has not checked in after this long is lost.
constexpr int64_t kStartingGraceMs = 30'000;

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::FromErrno(errno, StrCat({"cannot create ", path}));
  }
  return Status::Ok();
}

// Reads the runner's one-line report from `fd` within `timeout`; what came
// before the writer closed (often "") when it closed first.
Result<std::string> ReadLine(int fd, std::chrono::milliseconds timeout) {
  Result<LineRead> line = ReadLineWithin(fd, timeout, 64 * 1024);
  if (line.ok()) return std::move(line->text);
  switch (line.status().code()) {
    case StatusCode::kDeadlineExceeded: return Status::DeadlineExceeded("the agent's runner did not report in time");
    case StatusCode::kResourceExhausted: return Status::Internal("the agent's runner wrote an over-long report");
    default: return line.status();
  }
}

// glibc 2.36's <sys/pidfd.h> wrappers lack C linkage in C++; call the kernel.
int PidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int PidfdSendSignal(int pidfd, int sig, siginfo_t* info) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, info, 0));
}

bool RunnerAlive(const AgentRecord& r) {
  if (r.runner_pid <= 0) return false;
  std::optional<int64_t> start = ProcessStartTime(static_cast<pid_t>(r.runner_pid));
  return start && *start == r.runner_start;
}

}  // namespace

AgentHost::AgentHost(store::Store& store, std::string state_dir, std::string weft_exe, bool own_agents)
    : agents_(store), grants_(store), state_dir_(std::move(state_dir)), weft_exe_(std::move(weft_exe)), own_agents_(own_agents) {}

AgentHost::~AgentHost() { StopOwned(); }

void AgentHost::StopOwned() {
  std::set<std::string> owned;
  {
    std::lock_guard<std::mutex> lock(mu_);
    owned.swap(owned_);
  }
  for (const std::string& id : owned) (void)Stop(id);
  for (const std::string& id : owned) (void)Wait(id, kStopWait);
}

std::string AgentHost::AgentDir(std::string_view id) const { return StrCat({state_dir_, "/agents/", id}); }

Result<bool> AgentHost::Visible(const grants::Grant* caller, const AgentRecord& record) {
  if (caller == nullptr || caller->parent_id.empty()) return true;
  // Up the agent's grant chain to a root; chains are short (each link a spawn
  // or a derive), and bounded here against a damaged table.
  std::string at = record.grant_id;
  for (int depth = 0; !at.empty() && depth < 256; ++depth) {
    if (at == caller->id) return true;
    Result<grants::Grant> g = grants_.Get(at);
    if (!g.ok()) return g.status().code() == StatusCode::kNotFound ? Result<bool>(false) : g.status();
    at = g->parent_id;
  }
  return false;
}

Result<AgentRecord> AgentHost::GetFor(const grants::Grant* caller, std::string_view id) {
  WEFT_ASSIGN_OR_RETURN(AgentRecord record, agents_.Get(id));
  WEFT_ASSIGN_OR_RETURN(bool visible, Visible(caller, record));
  if (!visible) return store::NoSuchAgent(id);
  return record;
}

std::string AgentHost::CallbackSocket(const AgentRecord& record) {
  return StrCat({record.home_dir, "/.weft-mcp.sock"});
}

std::string AgentHost::DefaultProfile(std::string* why_not) const {
  const agents::HostSupport& host = agents::ProbeHost();
  if (host.userns.ok) return "workspace";
  if (why_not != nullptr) *why_not = StrCat({"user namespaces are unavailable: ", host.userns.why});
  return "none";
}

Result<std::string> AgentHost::HostDirOf(const ns::Workspace& ws, const std::string& ns_path) const {
  WEFT_ASSIGN_OR_RETURN(UniqueFd dir, ws.OpenPath(ns_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (mounts_ != nullptr) {
    for (const HostedMount& m : mounts_->List()) {
      if (m.workspace_id == ws.id()) return ns_path == "/" ? m.dir : StrCat({m.dir, ns_path});
    }
  }
  // Where the directory really is, as opened beneath its bind.
  char buf[4096];
  ssize_t n = ::readlink(FdProcPath(dir.get()).c_str(), buf, sizeof buf - 1);
  if (n < 0) return Status::FromErrno(errno, StrCat({"cannot locate ", ns_path, " on the host"}));
  return std::string(buf, static_cast<size_t>(n));
}

Result<AgentRecord> AgentHost::Spawn(const ns::Workspace& ws, const SpawnRequest& request) {
  if (request.argv.empty() || request.argv[0].empty()) {
    return Status::InvalidArgument("command is empty: give the program and its arguments, e.g. [\"make\", \"test\"]");
  }
  std::string profile = request.profile.empty() ? DefaultProfile() : request.profile;
  WEFT_RETURN_IF_ERROR(agents::ParseProfile(profile).status());
  WEFT_ASSIGN_OR_RETURN(std::string cwd, ws.CanonicalPath(request.cwd));
  WEFT_ASSIGN_OR_RETURN(std::string host_cwd, HostDirOf(ws, cwd));
  std::string workspace_dir = ws.PrimaryDir();
  if (mounts_ != nullptr) {
    for (const HostedMount& m : mounts_->List()) {
      if (m.workspace_id == ws.id()) workspace_dir = m.dir;
    }
  }

  AgentRecord record;
  record.name = request.name.empty() ? BaseName(request.argv[0]) : request.name;
  record.workspace_id = ws.id();
  record.command = Json(request.argv).dump();
  record.cwd = cwd;
  record.host_cwd = host_cwd;
  record.profile = profile;
  record.limits = request.limits.dump();
  WEFT_RETURN_IF_ERROR(MakeDir(StrCat({state_dir_, "/agents"})));
  WEFT_ASSIGN_OR_RETURN(record, agents_.Create(std::move(record), [this](AgentRecord& r) {
    r.home_dir = AgentDir(r.id) + "/home";
    r.log_dir = AgentDir(r.id) + "/logs";
  }));
  std::string dir = AgentDir(record.id);
  for (const std::string& d : {dir, record.home_dir, record.log_dir}) {
    Status made = MakeDir(d);
    if (!made.ok()) {
      (void)agents_.SetEnded(record.id, {AgentState::kFailed, {}, {}, "", made.message(), made.message()});
      return made;
    }
  }

  Result<Json> handed = HandDownGrant(record, request);
  if (!handed.ok()) {
    (void)agents_.SetEnded(record.id, {AgentState::kFailed, {}, {}, "", handed.status().message(),
                                       StrCat({"no grant: ", handed.status().message()})});
    return handed.status();
  }
  Json env = Json::object();
  for (const auto& [k, v] : request.env) env[k] = v;
  for (const auto& [k, v] : handed->items()) env[k] = v;
  env["HOME"] = record.home_dir;
  env["WEFT_AGENT_ID"] = record.id;
  env["WEFT_WORKSPACE"] = ws.id();
  Json spec = {{"argv", request.argv},         {"env", env},
               {"profile", profile},           {"network", request.network},
               {"best_effort", request.best_effort}, {"workspace_dir", workspace_dir},
               {"home_dir", record.home_dir},  {"host_cwd", host_cwd},
               {"limits", request.limits},     {"log_cap", kLogCap},
               {"callback_socket", CallbackSocket(record)},
               // `weft connect` (the MCP config's command) runs inside.
               {"readable_paths", {DirName(weft_exe_)}}};
  if (request.pty) spec["pty"] = {{"cols", request.pty->cols}, {"rows", request.pty->rows}};
  Status started = StartRunner(record, spec);
  if (!started.ok()) return started;
  if (own_agents_ && !request.detach) {
    std::lock_guard<std::mutex> lock(mu_);
    owned_.insert(record.id);
  }
  return agents_.Get(record.id);
}

Result<Json> AgentHost::HandDownGrant(const AgentRecord& record, const SpawnRequest& request) {
  std::string subject = StrCat({"agent ", record.id});
  Result<grants::GrantStore::Issued> issued = Status::Internal("unset");
  if (request.parent != nullptr) {
    WEFT_RETURN_IF_ERROR(grants_.ChargeSpawn(request.parent->id));
    issued = grants_.IssueDerived(request.parent->id, request.grant, subject);
  } else {
    issued = grants_.IssueRoot(subject, request.grant);
  }
  if (!issued.ok()) return issued.status();
  WEFT_RETURN_IF_ERROR(agents_.SetGrant(record.id, issued->grant.id));
  // Claude Code's --mcp-config format (Zed and others read the same shape).
  // `weft connect` reaches the runner's socket in the agent's home, so the
  // way back works under every profile, with or without network.
  Json server = {{"type", "stdio"},
                 {"command", weft_exe_},
                 {"args", {"connect", CallbackSocket(record)}},
                 {"env", {{"WEFT_TOKEN", issued->token}}}};
  std::string config_path = StrCat({record.home_dir, "/.weft-mcp.json"});
  Json config = {{"mcpServers", {{"weft", server}}}};
  WEFT_RETURN_IF_ERROR(WriteFileAtomically(config_path, config.dump(2) + "\n", 0600));
  Json env = {{"WEFT_TOKEN", issued->token}, {"WEFT_MCP_CONFIG", config_path}, {"WEFT_GRANT", issued->grant.id}};
  if (!callback_url_.empty()) env["WEFT_URL"] = callback_url_;
  return env;
}

Status AgentHost::StartRunner(const AgentRecord& record, const Json& spec) {
  proc::LaunchSpec launch;
  launch.argv = {weft_exe_, "__agent-run", "--state", state_dir_, record.id};
  launch.stdin_pipe = true;
  Result<proc::Process> runner = proc::Process::Start(launch);
  auto fail = [&](const Status& why) {
    (void)agents_.SetEnded(record.id, {AgentState::kFailed, {}, {}, "", why.message(),
                                       StrCat({"could not start: ", why.message()})});
    return why;
  };
  if (!runner.ok()) return fail(runner.status());
  std::string text = spec.dump();
  (void)proc::WriteNoSigpipe(runner->stdin_fd(), text.data(), text.size());
  runner->CloseStdin();
  Result<std::string> line = ReadLine(runner->stdout_fd(), kRunnerReadyTimeout);
  runner->Reap();  // the runner's first process exits at once (it detaches)
  if (!line.ok()) return fail(line.status());
  Json report = Json::parse(*line, nullptr, false);
  if (!report.is_object()) {
    // Nothing recorded yet when the runner died before reading its spec.
    Result<AgentRecord> now = agents_.Get(record.id);
    if (now.ok() && !store::IsLive(now->state)) return Status::FailedPrecondition(now->error);
    return fail(Status::Internal(StrCat({"the agent's runner ended without reporting; see ", record.log_dir,
                                         "/runner.log"})));
  }
  if (!report.value("ok", false)) return Status::FailedPrecondition(report.value("error", "the agent did not start"));
  return Status::Ok();
}

Status AgentHost::MarkLost(const AgentRecord& record, const std::string& why) {
  Status st = agents_.SetEnded(record.id, {AgentState::kLost, {}, {}, "", why, why});
  if (st.code() == StatusCode::kFailedPrecondition) return Status::Ok();  // it ended meanwhile
  return st;
}

Status AgentHost::SignalRunner(const AgentRecord& record, int sig, int value) {
  if (!store::IsLive(record.state)) {
    return Status::FailedPrecondition(
        StrCat({"agent ", record.id, " has already ended (", store::AgentStateName(record.state), ")"}));
  }
  if (record.runner_pid <= 0) return Status::Unavailable(StrCat({"agent ", record.id, " is still starting; retry"}));
  UniqueFd pidfd(PidfdOpen(static_cast<pid_t>(record.runner_pid)));
  // Checked after pidfd_open: the descriptor then names the process checked.
  if (!pidfd.valid() || !RunnerAlive(record)) {
    WEFT_RETURN_IF_ERROR(MarkLost(record, "its runner is gone"));
    return Status::FailedPrecondition(StrCat({"agent ", record.id, " is lost: its runner is gone"}));
  }
  siginfo_t info{};
  info.si_signo = sig;
  info.si_code = SI_QUEUE;
  info.si_pid = ::getpid();
  info.si_uid = ::getuid();
  info.si_value.sival_int = value;
  if (PidfdSendSignal(pidfd.get(), sig, &info) != 0) {
    return Status::FromErrno(errno, StrCat({"cannot signal the runner of agent ", record.id}));
  }
  return Status::Ok();
}

Status AgentHost::Signal(std::string_view id, int sig) {
  WEFT_ASSIGN_OR_RETURN(AgentRecord record, agents_.Get(id));
  return SignalRunner(record, kForwardSignal, sig);
}

Status AgentHost::Stop(std::string_view id) {
  WEFT_ASSIGN_OR_RETURN(AgentRecord record, agents_.Get(id));
  if (!store::IsLive(record.state)) return Status::Ok();
  Status st = SignalRunner(record, SIGTERM, 0);
  return st.code() == StatusCode::kFailedPrecondition ? Status::Ok() : st;
}

Result<AgentRecord> AgentHost::Wait(std::string_view id, std::chrono::milliseconds timeout,
                                    const CancellationToken* cancel, const WaitProgress& progress) {
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + timeout;
  auto next_report = start + std::chrono::seconds(1);
  while (true) {
    WEFT_ASSIGN_OR_RETURN(AgentRecord record, agents_.Get(id));
    if (!store::IsLive(record.state)) return record;
    if (record.state == AgentState::kRunning && !RunnerAlive(record)) {
      // Its runner may have just recorded the end: look once more first.
      WEFT_ASSIGN_OR_RETURN(record, agents_.Get(id));
      if (!store::IsLive(record.state)) return record;
      WEFT_RETURN_IF_ERROR(MarkLost(record, "its runner is gone"));
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return record;
    if (cancel != nullptr && cancel->cancelled()) return Status::Cancelled("the wait was cancelled");
    if (progress && now >= next_report) {
      progress(record, std::chrono::duration_cast<std::chrono::milliseconds>(now - start));
      next_report = now + std::chrono::seconds(1);
    }
    // The runner's pidfd turns readable when it exits, right after recording
    // the end; poll it, with a short cap so cancellation is noticed.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    int wait_ms = static_cast<int>(std::min<int64_t>(left.count(), 100));
    UniqueFd pidfd(record.runner_pid > 0 ? PidfdOpen(static_cast<pid_t>(record.runner_pid)) : -1);
    if (pidfd.valid()) {
      pollfd p{pidfd.get(), POLLIN, 0};
      (void)::poll(&p, 1, wait_ms);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(wait_ms, 20)));
    }
  }
}

Status AgentHost::Remove(std::string_view id) {
  WEFT_ASSIGN_OR_RETURN(AgentRecord record, agents_.Get(id));
  if (store::IsLive(record.state)) {
    WEFT_RETURN_IF_ERROR(Stop(id));
    WEFT_ASSIGN_OR_RETURN(record, Wait(id, kStopWait));
    if (store::IsLive(record.state)) {
      return Status::DeadlineExceeded(StrCat({"agent ", id, " did not stop within 5 s; try again"}));
    }
  }
  if (!record.grant_id.empty()) (void)grants_.Revoke(record.grant_id);
  WEFT_RETURN_IF_ERROR(agents_.Remove(id));
  {
    std::lock_guard<std::mutex> lock(mu_);
    owned_.erase(std::string(id));
  }
  std::error_code ec;
  std::filesystem::remove_all(AgentDir(id), ec);
  if (ec) return Status::IoError(StrCat({"agent ", id, " is forgotten, but ", AgentDir(id), " stays: ", ec.message()}));
  return Status::Ok();
}

Result<int> AgentHost::Reconcile() {
  WEFT_ASSIGN_OR_RETURN(std::vector<AgentRecord> live,
                        agents_.List({AgentState::kStarting, AgentState::kRunning}));
  int lost = 0;
  for (const AgentRecord& r : live) {
    if (RunnerAlive(r)) continue;
    if (r.runner_pid == 0 && agents_.clock_ms() - r.created_ms < kStartingGraceMs) continue;
    // The runner is gone; an agent it left running cannot be supervised any
    // more (its output has nowhere to go), so it is stopped.
    if (r.pid > 0) {
      std::optional<int64_t> start = ProcessStartTime(static_cast<pid_t>(r.pid));
      if (start && *start == r.pid_start) {
        UniqueFd pidfd(PidfdOpen(static_cast<pid_t>(r.pid)));
        if (pidfd.valid()) (void)PidfdSendSignal(pidfd.get(), SIGKILL, nullptr);
      }
    }
    WEFT_RETURN_IF_ERROR(MarkLost(r, "found without its runner (weft or the machine restarted)"));
    ++lost;
  }
  return lost;
}

}  // namespace weft::venoms::agent
