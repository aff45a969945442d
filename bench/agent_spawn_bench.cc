// weft_agent_spawn_bench: spawn-to-exit latency of /bin/true under each
// confinement profile (none, workspace, workspace with the host network,
// workspace with memory and process limits in cgroups, strict), side by side, in the same run, with plain posix_spawn + waitpid
// and with bubblewrap: `bwrap --unshare-all --ro-bind / / --dev /dev --proc
// /proc --tmpfs /tmp`, and bwrap building the same view as the workspace
// profile. Each round runs every variant once, in turn, so that load on the
// machine spreads over all of them; timings run from just before the spawn
// to the child reaped.
//
//   weft_agent_spawn_bench [--runs N] [--warmup N] [--dir DIR]
//
// Prints p50 and p90 per variant, ratios to plain spawn and to bwrap, and
// the targets: none ≤ 1 ms; workspace ≤ 5 ms p50 and ≤ 0.75 × bwrap
// --unshare-all (stretch ≤ 3 ms, reported, not required). Exits 1 when a
// target is missed, 2 on bad usage.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "core/agents/confine.h"
#include "core/agents/host_probe.h"

extern char** environ;

namespace {

using weft::bench::BenchError;
using weft::bench::Clock;
using weft::bench::Percentile;

constexpr const char* kTrue = "/bin/true";

struct Options {
  int runs = 200;
  int warmup = 20;
  std::string dir;
};

[[noreturn]] void Usage(const char* why) {
  if (why != nullptr) std::cerr << "weft_agent_spawn_bench: " << why << "\n";
  std::cerr << "usage: weft_agent_spawn_bench [--runs N] [--warmup N] [--dir DIR]\n"
               "Times spawn-to-exit of /bin/true under each confinement profile against plain\n"
               "posix_spawn and bwrap. DIR (default: a new directory under $TMPDIR) holds the\n"
               "workspace and home the sandboxes show.\n";
  std::exit(why == nullptr ? 0 : 2);
}

// posix_spawn + waitpid, stdout and stderr to /dev/null; throws unless it exits 0.
void SpawnAndWait(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = -1;
  int err = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) throw BenchError("cannot run " + argv[0] + ": " + std::strerror(err));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw BenchError(argv[0] + " did not exit 0");
}

void RunConfined(const weft::agents::ConfineSpec& confine, const weft::agents::Limits& limits) {
  weft::proc::LaunchSpec spec;
  spec.argv = {kTrue};
  weft::Result<weft::agents::ConfinedProcess> p = weft::agents::ConfinedProcess::Launch(spec, confine, limits);
  if (!p.ok()) throw BenchError("Launch: " + p.status().ToString());
  weft::proc::ExitStatus s = p->Reap();
  if (s.signaled || s.code != 0) throw BenchError("/bin/true under " + confine.workspace_dir + ": " + s.ToString());
}

// bwrap showing what the workspace profile shows: the system read-only,
// the workspace and home writable, fresh /proc, /dev and /tmp, no network.
std::vector<std::string> BwrapWorkspaceArgs(const std::string& bwrap, const std::string& ws, const std::string& home) {
  std::vector<std::string> args = {bwrap, "--unshare-all", "--die-with-parent", "--new-session"};
  for (const char* name : {"usr", "etc", "opt", "bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    std::string path = std::string("/") + name;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
      if (n > 0) args.insert(args.end(), {"--symlink", std::string(target, static_cast<size_t>(n)), path});
    } else {
      args.insert(args.end(), {"--ro-bind", path, path});
    }
  }
  args.insert(args.end(), {"--ro-bind", "/sys", "/sys", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                           "--bind", ws, ws, "--bind", home, home, "--chdir", ws, "--", kTrue});
  return args;
}

struct Variant {
  std::string label;
  std::function<void()> run;
  std::vector<double> ms;
};

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--runs") opt.runs = weft::bench::PositiveIntFlag("--runs", v, Usage);
    else if (a == "--warmup") opt.warmup = weft::bench::PositiveIntFlag("--warmup", v, Usage);
    else if (a == "--dir" && v != nullptr) opt.dir = v;
    else if (a == "-h" || a == "--help") Usage(nullptr);
    else Usage(("unknown option or missing value: " + a).c_str());
    ++i;
  }
  bool made_dir = opt.dir.empty();
  if (made_dir) {
    const char* tmp = getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/weft-spawn-bench-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) Usage("cannot make a directory under $TMPDIR");
    opt.dir = tmpl;
  }
  const std::string ws = opt.dir + "/workspace", home = opt.dir + "/home";
  mkdir(opt.dir.c_str(), 0755);
  mkdir(ws.c_str(), 0755);
  mkdir(home.c_str(), 0700);

  const weft::agents::HostSupport& host = weft::agents::ProbeHost();
  std::vector<Variant> variants;
  variants.push_back({"posix_spawn + waitpid", [] { SpawnAndWait({kTrue}); }, {}});
  auto confined = [&](weft::agents::Profile profile, bool network, weft::agents::Limits limits = {}) {
    weft::agents::ConfineSpec c;
    c.profile = profile;
    c.network = network;
    c.workspace_dir = ws;
    c.home_dir = home;
    return [c, limits] { RunConfined(c, limits); };
  };
  std::vector<std::string> unavailable;
  variants.push_back({"weft none", confined(weft::agents::Profile::kNone, false), {}});
  if (host.userns.ok && host.netns.ok) {
    variants.push_back({"weft workspace", confined(weft::agents::Profile::kWorkspace, false), {}});
  } else {
    unavailable.push_back("workspace: " + (host.userns.ok ? host.netns.why : host.userns.why));
  }
  if (host.userns.ok) {
    variants.push_back({"weft workspace+network", confined(weft::agents::Profile::kWorkspace, true), {}});
  }
  weft::agents::Limits cgroup_limits;
  cgroup_limits.memory_bytes = 1ULL << 30;
  cgroup_limits.processes = 1024;
  std::string limits_label = "weft workspace, memory+processes limits";
  if (host.userns.ok && host.netns.ok && !host.cgroup.MemoryMechanism().empty() &&
      !host.cgroup.PidsMechanism().empty()) {
    variants.push_back({limits_label, confined(weft::agents::Profile::kWorkspace, false, cgroup_limits), {}});
  } else {
    unavailable.push_back("workspace with cgroup limits: " + host.cgroup.why);
  }
  if (host.userns.ok && host.netns.ok && host.landlock.ok && host.seccomp.ok) {
    variants.push_back({"weft strict", confined(weft::agents::Profile::kStrict, false), {}});
  } else {
    unavailable.push_back("strict: " + (!host.landlock.ok ? host.landlock.why : host.seccomp.why));
  }
  if (!host.bwrap.empty()) {
    std::vector<std::string> all = {host.bwrap, "--unshare-all", "--ro-bind", "/", "/", "--dev", "/dev",
                                    "--proc", "/proc", "--tmpfs", "/tmp", "--", kTrue};
    variants.push_back({"bwrap --unshare-all", [all] { SpawnAndWait(all); }, {}});
    std::vector<std::string> layout = BwrapWorkspaceArgs(host.bwrap, ws, home);
    variants.push_back({"bwrap, workspace layout", [layout] { SpawnAndWait(layout); }, {}});
  } else {
    unavailable.push_back("bwrap: not on PATH (apt-get install bubblewrap)");
  }

  try {
    std::cerr << "spawn-to-exit of " << kTrue << ": " << opt.warmup << " warm-up and " << opt.runs
              << " timed rounds of " << variants.size() << " variants ..." << std::endl;
    for (int round = 0; round < opt.warmup + opt.runs; ++round) {
      for (Variant& v : variants) {
        auto t0 = Clock::now();
        v.run();
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (round >= opt.warmup) v.ms.push_back(ms);
      }
    }
  } catch (const BenchError& e) {
    std::cerr << "weft_agent_spawn_bench: " << e.what() << "\n";
    return 1;
  }
  if (made_dir) {
    rmdir(ws.c_str());
    rmdir(home.c_str());
    rmdir(opt.dir.c_str());
  }

  auto p50 = [&](const std::string& label) {
    for (const Variant& v : variants) {
      if (v.label == label) return Percentile(v.ms, 0.5);
    }
    return -1.0;
  };
  double plain = p50("posix_spawn + waitpid"), bwrap = p50("bwrap --unshare-all");
  weft::bench::TextTable table;
  table.heads = {"p50 ms", "p90 ms", "× spawn", "× bwrap"};
  for (const Variant& v : variants) {
    double median = Percentile(v.ms, 0.5);
    table.rows.push_back({v.label,
                          {weft::bench::Fixed(median, 2), weft::bench::Fixed(Percentile(v.ms, 0.9), 2),
                           weft::bench::Fixed(median / plain, 2),
                           bwrap > 0 ? weft::bench::Fixed(median / bwrap, 2) : std::string("-")}});
  }
  std::cout << "\nSpawn-to-exit of " << kTrue << ", " << opt.runs << " timed rounds after " << opt.warmup
            << " warm-up rounds, variants interleaved\n\n"
            << table.Render();
  for (const std::string& u : unavailable) std::cout << "  unavailable: " << u << "\n";

  bool met = true;
  std::vector<std::string> verdicts;
  auto verdict = [&](const std::string& what, double value, double goal, bool required) {
    bool pass = value >= 0 && value <= goal;
    if (required) met = met && pass;
    verdicts.push_back(what + " " + weft::bench::Fixed(value, 2) + " (goal <= " + weft::bench::Fixed(goal, 2) + ") " +
                       (pass ? "pass" : required ? "FAIL" : "missed"));
  };
  verdict("none p50 ms", p50("weft none"), 1.0, true);
  double workspace = p50("weft workspace");
  if (workspace >= 0) {
    verdict("workspace p50 ms", workspace, 5.0, true);
    if (bwrap > 0) verdict("workspace p50 / bwrap --unshare-all p50", workspace / bwrap, 0.75, true);
    verdict("workspace p50 ms, stretch", workspace, 3.0, false);
  }
  std::cout << "\nTargets:\n";
  for (const std::string& v : verdicts) std::cout << "  " << v << "\n";
  std::cout << (met ? "all met\n" : "some missed\n");
  return met ? 0 : 1;
}
