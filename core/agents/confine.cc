// ConfinedProcess::Launch: decides what applies on this host, prepares the
// child's plan (descriptors, limits, mounts, Landlock, seccomp), clones it
// and waits until the agent has exec'd or its setup has failed.
#include "core/agents/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>

#include "core/agents/agent_child.h"
#include "core/agents/clone.h"
#include "core/base/strings.h"

extern char** environ;

namespace weft::agents {
namespace {

// How long the sandbox may take to come up (a hung FUSE workspace would
// otherwise hold Launch forever).
constexpr int kSetupTimeoutMs = 30'000;

// What applies on this host, decided before anything is started.
struct Decision {
  Profile profile = Profile::kNone;
  bool namespaced = false;
  bool netns = false;
  bool landlock = false;
  bool seccomp = false;
  std::vector<std::string> dropped;
};

Status Unavailable(std::string_view what, const FeatureSupport& f) {
  return Status::FailedPrecondition(StrCat({"profile_unavailable: ", what, ": ", f.why, "; to fix it: ", f.fix,
                                            " (or spawn with best_effort to run without it)"}));
}

Result<Decision> Decide(const ConfineSpec& c, const HostSupport& host) {
  Decision d;
  if (c.profile == Profile::kNone) return d;
  std::string name(ProfileName(c.profile));
  if (!host.userns.ok) {
    if (!c.best_effort) return Unavailable(StrCat({"the ", name, " profile needs user namespaces"}), host.userns);
    d.dropped.push_back(StrCat({"namespaces (", host.userns.why,
                                "): the agent runs unconfined, seeing and changing whatever its uid may"}));
    return d;
  }
  d.namespaced = true;
  d.netns = !c.network;
  if (d.netns && !host.netns.ok) {
    if (!c.best_effort) return Unavailable("cutting the agent off the network needs a network namespace", host.netns);
    d.dropped.push_back(StrCat({"network namespace (", host.netns.why, "): the agent shares the host's network"}));
    d.netns = false;
  }
  if (c.profile == Profile::kStrict) {
    d.landlock = host.landlock.ok;
    if (!d.landlock) {
      if (!c.best_effort) return Unavailable("the strict profile needs Landlock", host.landlock);
      d.dropped.push_back(StrCat({"Landlock (", host.landlock.why,
                                  "): reads are not limited to the system, workspace, home and /tmp"}));
    }
    d.seccomp = host.seccomp.ok;
    if (!d.seccomp) {
      if (!c.best_effort) return Unavailable("the strict profile needs seccomp", host.seccomp);
      d.dropped.push_back(
          StrCat({"seccomp (", host.seccomp.why, "): mount, ptrace, bpf and the other refused calls are not filtered"}));
    }
  }
  d.profile = d.landlock && d.seccomp ? Profile::kStrict : Profile::kWorkspace;
  return d;
}

// Limits as rlimits for the child, cgroup leaves, and one report each.
struct LimitPlan {
  std::vector<std::pair<int, rlimit>> rlimits;
  std::vector<LimitReport> reports;
  std::vector<std::string> dropped;
  AgentCgroup cgroup;
};

Status LimitUnavailable(std::string_view name, const std::string& why, const std::string& fix) {
  return Status::FailedPrecondition(StrCat({"limit_unavailable: ", name, ": ", why, "; to fix it: ", fix,
                                            " (or spawn with best_effort to run without it)"}));
}

Result<LimitPlan> PlanLimits(const Limits& limits, const HostSupport& host, bool namespaced, bool best_effort) {
  LimitPlan lp;
  const CgroupSupport& cg = host.cgroup;
  AgentCgroup::Request request;
  if (limits.memory_bytes && !cg.MemoryMechanism().empty()) request.memory_bytes = limits.memory_bytes;
  // The init of a pid namespace is in the cgroup too.
  if (limits.processes && !cg.PidsMechanism().empty()) request.pids_max = *limits.processes + (namespaced ? 1 : 0);
  std::string memory_mech, pids_mech;
  // A pid namespace already takes everything down with its init; the
  // profile none needs a cgroup for cgroup.kill to reach processes that left
  // its process group.
  bool want_kill = !namespaced && !cg.v2_dir.empty();
  if (want_kill || request.memory_bytes || request.pids_max) {
    Result<AgentCgroup> made = AgentCgroup::Create(cg, request, &memory_mech, &pids_mech);
    if (made.ok()) {
      lp.cgroup = std::move(made).value();
    } else if (request.memory_bytes || request.pids_max) {
      if (!best_effort) {
        return LimitUnavailable(request.memory_bytes ? "memory" : "processes", made.status().message(), cg.fix);
      }
      lp.dropped.push_back(StrCat({"cgroup limits (", made.status().message(), ")"}));
    }
  }
  auto unavailable = [&](const char* name, const std::string& why, const std::string& fix) -> Status {
    if (!best_effort) return LimitUnavailable(name, why, fix);
    lp.dropped.push_back(StrCat({name, " limit (", why, ")"}));
    return Status::Ok();
  };
  if (limits.memory_bytes) {
    if (memory_mech.empty()) {
      WEFT_RETURN_IF_ERROR(unavailable("memory", cg.why.empty() ? "no memory controller" : cg.why, cg.fix));
      memory_mech = StrCat({"unavailable: ", cg.why.empty() ? "no memory controller" : cg.why});
    }
    lp.reports.push_back({"memory", std::to_string(*limits.memory_bytes), memory_mech});
  }
  if (limits.processes) {
    if (pids_mech.empty() && geteuid() != 0) {
      rlim_t n = static_cast<rlim_t>(*limits.processes);
      lp.rlimits.push_back({RLIMIT_NPROC, rlimit{n, n}});
      pids_mech = StrCat({"RLIMIT_NPROC (counts every process of uid ", std::to_string(geteuid()),
                          ", not only this agent's)"});
    } else if (pids_mech.empty()) {
      std::string why = "no pids controller for agent cgroups, and RLIMIT_NPROC does not apply to root";
      WEFT_RETURN_IF_ERROR(unavailable("processes", why, cg.fix));
      pids_mech = "unavailable: " + why;
    }
    lp.reports.push_back({"processes", std::to_string(*limits.processes), pids_mech});
  }
  if (limits.cpu_seconds) {
    rlim_t n = static_cast<rlim_t>(*limits.cpu_seconds);
    lp.rlimits.push_back({RLIMIT_CPU, rlimit{n, n + 1}});
    lp.reports.push_back({"cpu_seconds", std::to_string(n), "RLIMIT_CPU (per process; SIGXCPU, then SIGKILL 1 s later)"});
  }
  if (limits.open_files) {
    rlim_t n = static_cast<rlim_t>(*limits.open_files);
    lp.rlimits.push_back({RLIMIT_NOFILE, rlimit{n, n}});
    lp.reports.push_back({"open_files", std::to_string(n), "RLIMIT_NOFILE"});
  }
  // A killed agent leaves no core file in the workspace.
  lp.rlimits.push_back({RLIMIT_CORE, rlimit{0, 0}});
  return lp;
}

// A descriptor moved to ≥ 3 (so dup2 onto 0..2 in the child never clobbers
// another source), close-on-exec.
Status AboveStdio(UniqueFd* fd) {
  if (fd->get() > 2) return Status::Ok();
  int moved = fcntl(fd->get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0) return Status::FromErrno(errno, "fcntl(F_DUPFD_CLOEXEC)");
  fd->Reset(moved);
  return Status::Ok();
}

Status MakePipe(UniqueFd* read_end, UniqueFd* write_end, int flags = 0) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | flags) != 0) return Status::FromErrno(errno, "pipe2");
  read_end->Reset(fds[0]);
  write_end->Reset(fds[1]);
  WEFT_RETURN_IF_ERROR(AboveStdio(read_end));
  return AboveStdio(write_end);
}

Status OpenTerminal(proc::TerminalSize size, UniqueFd* master, UniqueFd* slave) {
  if (size.cols == 0 || size.rows == 0) return Status::InvalidArgument("a terminal needs at least 1 column and 1 row");
  UniqueFd fd(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!fd) return Status::FromErrno(errno, "posix_openpt");
  if (grantpt(fd.get()) != 0 || unlockpt(fd.get()) != 0) return Status::FromErrno(errno, "unlockpt");
  char name[128];
  if (int rc = ptsname_r(fd.get(), name, sizeof(name)); rc != 0) return Status::FromErrno(rc, "ptsname_r");
  winsize ws{};
  ws.ws_col = size.cols;
  ws.ws_row = size.rows;
  if (ioctl(fd.get(), TIOCSWINSZ, &ws) != 0) return Status::FromErrno(errno, "TIOCSWINSZ");
  slave->Reset(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!*slave) return Status::FromErrno(errno, name);
  *master = std::move(fd);
  return AboveStdio(slave);
}

// The program as a path and its environment (HOME first, so that the
// caller's own env wins).
struct Exec {
  std::string program;
  std::vector<std::string> env;
};

Result<Exec> PrepareExec(const proc::LaunchSpec& spec, const ConfineSpec& confine) {
  Exec exec;
  proc::LaunchSpec with_home = spec;
  if (!confine.home_dir.empty()) with_home.env.insert(with_home.env.begin(), {"HOME", confine.home_dir});
  exec.env = proc::CuratedEnvironment(environ, with_home);
  std::string path_list;
  for (const std::string& entry : exec.env) {
    if (entry.compare(0, 5, "PATH=") == 0) path_list = entry.substr(5);
  }
  WEFT_ASSIGN_OR_RETURN(exec.program, proc::FindProgram(spec.argv[0], path_list));
  // The child changes directory before exec: a relative path would move.
  if (exec.program[0] != '/') {
    char here[PATH_MAX];
    if (getcwd(here, sizeof(here)) != nullptr) exec.program = StrCat({here, "/", exec.program});
  }
  return exec;
}

// argv and envp for execve, pointing into `spec` and `exec`, which outlive
// the clone.
void FillExec(const Exec& exec, const proc::LaunchSpec& spec, ChildPlan* plan) {
  plan->program = exec.program;
  for (const std::string& a : spec.argv) plan->argv.push_back(const_cast<char*>(a.c_str()));
  plan->argv.push_back(nullptr);
  for (const std::string& e : exec.env) plan->envp.push_back(const_cast<char*>(e.c_str()));
  plan->envp.push_back(nullptr);
}

FsView ViewOf(const ConfineSpec& confine, bool network) {
  FsView view;
  view.writable.push_back(confine.workspace_dir);
  if (!confine.home_dir.empty()) view.writable.push_back(confine.home_dir);
  view.writable.insert(view.writable.end(), confine.writable_paths.begin(), confine.writable_paths.end());
  view.readable = confine.readable_paths;
  view.network = network;
  return view;
}

// The agent's stdin, stdout and stderr: weft's ends and the child's.
struct Stdio {
  UniqueFd in, out, err, terminal;          // weft's (-1 where there is none)
  UniqueFd child_in, child_out, child_err;  // the child's; on a terminal, child_in is the slave
  void CloseChildEnds() {
    child_in.Reset();
    child_out.Reset();
    child_err.Reset();
  }
};

Result<Stdio> OpenStdio(const proc::LaunchSpec& spec) {
  Stdio io;
  if (spec.pty) {
    WEFT_RETURN_IF_ERROR(OpenTerminal(*spec.pty, &io.terminal, &io.child_in));
    io.child_out.Reset(fcntl(io.child_in.get(), F_DUPFD_CLOEXEC, 3));
    if (!io.child_out) return Status::FromErrno(errno, "dup (terminal)");
    return io;
  }
  if (spec.stdin_pipe) {
    WEFT_RETURN_IF_ERROR(MakePipe(&io.child_in, &io.in));
  } else {
    io.child_in.Reset(spec.stdin_fd >= 0 ? fcntl(spec.stdin_fd, F_DUPFD_CLOEXEC, 3)
                                         : ::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!io.child_in) return Status::FromErrno(errno, "stdin for the agent");
    WEFT_RETURN_IF_ERROR(AboveStdio(&io.child_in));
  }
  WEFT_RETURN_IF_ERROR(MakePipe(&io.out, &io.child_out));
  if (!spec.merge_stderr) WEFT_RETURN_IF_ERROR(MakePipe(&io.err, &io.child_err));
  return io;
}

// What KillAll relies on, for ConfinedProcess::kill_mechanism.
std::string KillMechanism(bool namespaced, bool cgroup_kill, bool terminal) {
  std::string out = namespaced ? "pid namespace" : "";
  if (cgroup_kill) out += out.empty() ? "cgroup.kill" : " + cgroup.kill";
  if (out.empty()) out = terminal ? "process group and session" : "process group";
  return out;
}

const char* StageName(ChildStage stage) {
  switch (stage) {
    case ChildStage::kCgroup: return "joining its cgroups";
    case ChildStage::kIdMaps: return "mapping its uid and gid";
    case ChildStage::kHostname: return "setting its host name";
    case ChildStage::kLoopback: return "bringing its loopback interface up";
    case ChildStage::kMounts: return "assembling its file system";
    case ChildStage::kAgentClone: return "starting it from its init";
    case ChildStage::kSession: return "giving it its own process group";
    case ChildStage::kStdio: return "connecting its stdin, stdout and stderr";
    case ChildStage::kCwd: return "entering its working directory";
    case ChildStage::kRlimit: return "setting its rlimits";
    case ChildStage::kCapabilities: return "dropping its capabilities";
    case ChildStage::kNoNewPrivs: return "setting no_new_privs";
    case ChildStage::kLandlock: return "applying Landlock";
    case ChildStage::kSeccomp: return "installing the seccomp filter";
    case ChildStage::kExec: return "exec";
  }
  return "setting it up";
}

Status ChildFailure(const ChildError& e, const ChildPlan& plan, const std::string& argv0) {
  ChildStage stage = static_cast<ChildStage>(e.stage);
  std::string inside = plan.namespaced ? " inside the agent's sandbox, which shows /usr, /etc, /opt, the workspace, "
                                         "home, writable_paths and readable_paths only"
                                       : "";
  if (stage == ChildStage::kExec) {
    switch (e.err) {
      case ENOENT:
        return Status::NotFound(StrCat({"cannot run '", argv0, "' (", plan.program, "): it or its interpreter does not exist",
                                        inside, plan.namespaced ? "; add its directory to readable_paths" : ""}));
      case EACCES:
      case EPERM:
        return Status::PermissionDenied(StrCat({"cannot run '", argv0, "': permission denied", inside}));
      case ENOEXEC:
        return Status::FailedPrecondition(StrCat({"cannot run '", argv0, "': not an executable format"}));
      default:
        return Status::FromErrno(e.err, StrCat({"cannot run '", argv0, "'"}));
    }
  }
  if (stage == ChildStage::kCwd && (e.err == ENOENT || e.err == ENOTDIR)) {
    return Status::NotFound(StrCat({"the agent's working directory ", plan.cwd, " does not exist", inside}));
  }
  if (stage == ChildStage::kMounts) {
    return Status::FromErrno(e.err, StrCat({"cannot set up the agent's sandbox: ",
                                            DescribeMountFailure(*plan.mounts, e.detail)}));
  }
  return Status::FromErrno(e.err, StrCat({"cannot start the agent: ", StageName(stage)}));
}

// Waits for the child's report: EOF once the agent has exec'd (every copy
// of the close-on-exec write end is gone), a ChildError otherwise.
Result<bool> AwaitExec(int fd, ChildError* error) {
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    int rc = poll(&p, 1, kSetupTimeoutMs);
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) {
      return Status::DeadlineExceeded(StrCat({"setting up the agent took more than ", std::to_string(kSetupTimeoutMs / 1000),
                                              " s (is its workspace mount answering?)"}));
    }
    break;
  }
  ssize_t n;
  do {
    n = ::read(fd, error, sizeof(*error));
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof(*error));
}

std::string AbsoluteCwd(const std::string& path) {
  char real[PATH_MAX];
  return realpath(path.c_str(), real) != nullptr ? std::string(real) : path;
}

}  // namespace

std::string_view ProfileName(Profile profile) {
  switch (profile) {
    case Profile::kNone: return "none";
    case Profile::kWorkspace: return "workspace";
    case Profile::kStrict: return "strict";
  }
  return "none";
}

Result<Profile> ParseProfile(std::string_view name) {
  for (Profile p : {Profile::kNone, Profile::kWorkspace, Profile::kStrict}) {
    if (name == ProfileName(p)) return p;
  }
  return Status::InvalidArgument(
      StrCat({"unknown confinement profile '", name, "'; use one of: none, workspace, strict"}));
}

Result<ConfinedProcess> ConfinedProcess::Launch(const proc::LaunchSpec& spec, const ConfineSpec& confine,
                                                const Limits& limits) {
  return Launch(spec, confine, limits, ProbeHost());
}

Result<ConfinedProcess> ConfinedProcess::Launch(const proc::LaunchSpec& spec, const ConfineSpec& confine,
                                                const Limits& limits, const HostSupport& host) {
  if (spec.argv.empty()) return Status::InvalidArgument("no program to run: argv is empty");
  WEFT_ASSIGN_OR_RETURN(Decision d, Decide(confine, host));
  if (d.namespaced && confine.workspace_dir.empty()) {
    return Status::InvalidArgument(StrCat({"the ", ProfileName(confine.profile), " profile needs a workspace_dir"}));
  }
  if (d.namespaced && spec.cwd_fd >= 0 && confine.cwd.empty()) {
    return Status::InvalidArgument(
        "LaunchSpec::cwd_fd would reach past the sandbox's root; give the working directory as ConfineSpec::cwd");
  }
  std::string cwd = confine.cwd.empty() ? confine.workspace_dir : confine.cwd;
  if (!cwd.empty() && cwd[0] != '/') {
    return Status::InvalidArgument(StrCat({"the working directory '", cwd, "' is not an absolute path"}));
  }
  WEFT_ASSIGN_OR_RETURN(Exec exec, PrepareExec(spec, confine));
  WEFT_ASSIGN_OR_RETURN(LimitPlan lp, PlanLimits(limits, host, d.namespaced, confine.best_effort));
  MountPlan mounts;
  landlock::Plan rules;
  const seccomp::Program* filter = nullptr;
  if (d.namespaced) {
    WEFT_ASSIGN_OR_RETURN(mounts, BuildMountPlan(ViewOf(confine, !d.netns)));
    cwd = AbsoluteCwd(cwd);
  }
  if (d.landlock) rules = landlock::BuildPlan(host.landlock_abi, mounts.read_only_paths, mounts.writable_paths, !d.netns);
  if (d.seccomp) {
    WEFT_ASSIGN_OR_RETURN(filter, seccomp::StrictProgram());
  }
  WEFT_ASSIGN_OR_RETURN(Stdio io, OpenStdio(spec));
  UniqueFd error_read, error_write, status_read, status_write;
  WEFT_RETURN_IF_ERROR(MakePipe(&error_read, &error_write));
  if (d.namespaced) WEFT_RETURN_IF_ERROR(MakePipe(&status_read, &status_write, O_NONBLOCK));
  ChildStack agent_stack;
  if (d.namespaced && !agent_stack.ok()) return Status::FromErrno(errno, "mmap (agent stack)");

  ChildPlan plan;
  FillExec(exec, spec, &plan);
  plan.stdin_fd = io.child_in.get();
  plan.stdout_fd = io.child_out.get();
  plan.stderr_fd = io.child_err ? io.child_err.get() : io.child_out.get();
  plan.terminal = spec.pty.has_value();
  plan.cwd = cwd;
  if (cwd.empty()) plan.cwd_fd = spec.cwd_fd;
  plan.rlimits = lp.rlimits;
  plan.cgroup_fds = lp.cgroup.JoinFds();
  plan.namespaced = d.namespaced;
  plan.uid_map = StrCat({std::to_string(geteuid()), " ", std::to_string(geteuid()), " 1\n"});
  plan.gid_map = StrCat({std::to_string(getegid()), " ", std::to_string(getegid()), " 1\n"});
  plan.loopback = d.netns;
  plan.mounts = &mounts;
  plan.cap_last_cap = host.cap_last_cap;
  plan.landlock = d.landlock ? &rules : nullptr;
  plan.seccomp = filter;
  plan.error_fd = error_write.get();
  plan.status_fd = status_write.get();
  plan.carrier_signal = SIGRTMIN;
  plan.agent_stack = agent_stack.base();
  plan.agent_stack_size = agent_stack.size();
  plan.init_keep_fds = {plan.stdin_fd, plan.stdout_fd, plan.stderr_fd, plan.error_fd};
  if (d.namespaced) plan.init_keep_fds.push_back(plan.status_fd);
  std::sort(plan.init_keep_fds.begin(), plan.init_keep_fds.end());

  ConfinedProcess cp;
  cp.cgroup_ = std::move(lp.cgroup);
  uint64_t flags = d.namespaced ? CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
                                      (d.netns ? CLONE_NEWNET : 0)
                                : CLONE_VM | CLONE_VFORK;
  Result<pid_t> pid = CloneChild(flags, RunConfinedChild, &plan, cp.cgroup_.clone_into_fd(), &cp.pidfd_);
  // The child's ends: the init and the agent have their own copies now.
  io.CloseChildEnds();
  error_write.Reset();
  status_write.Reset();
  cp.cgroup_.CloseJoinFds();
  if (!pid.ok()) return pid.status();
  cp.pid_ = *pid;
  cp.namespaced_ = d.namespaced;
  cp.exit_report_ = std::move(status_read);
  cp.stdin_ = std::move(io.in);
  cp.stdout_ = std::move(io.out);
  cp.stderr_ = std::move(io.err);
  cp.terminal_ = std::move(io.terminal);
  ChildError error;
  Result<bool> failed = AwaitExec(error_read.get(), &error);
  if (!failed.ok()) return failed.status();  // ~ConfinedProcess kills and reaps
  if (*failed) return ChildFailure(error, plan, spec.argv[0]);

  cp.carrier_signal_ = plan.carrier_signal;
  cp.profile_ = d.profile;
  cp.dropped_ = std::move(d.dropped);
  cp.dropped_.insert(cp.dropped_.end(), lp.dropped.begin(), lp.dropped.end());
  cp.limit_reports_ = std::move(lp.reports);
  cp.landlock_abi_ = d.landlock ? host.landlock_abi : 0;
  cp.seccomp_applied_ = d.seccomp;
  cp.cpu_limit_ = limits.cpu_seconds;
  cp.kill_mechanism_ = KillMechanism(d.namespaced, cp.cgroup_.can_kill(), spec.pty.has_value());
  return cp;
}

}  // namespace weft::agents
