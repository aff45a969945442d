// Helpers for the confinement tests.
#include "tests/core/agents/agent_test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace weft::agents::testing {

std::string FakeAgent() { return weft::testing::BinaryDir() + "/tests/support/weft_fake_agent"; }

nlohmann::json AgentRun::Action(const std::string& action, size_t nth) const {
  for (const nlohmann::json& line : lines) {
    if (line.value("action", "") == action && nth-- == 0) return line;
  }
  return nlohmann::json::object();
}

AgentDirs::AgentDirs() {
  char real[PATH_MAX];
  std::string base = realpath(root.path().c_str(), real) != nullptr ? std::string(real) : root.path();
  workspace = base + "/workspace";
  home = base + "/home";
  mkdir(workspace.c_str(), 0755);
  mkdir(home.c_str(), 0700);
}

ConfineSpec AgentDirs::Spec(Profile profile) const {
  ConfineSpec spec;
  spec.profile = profile;
  spec.workspace_dir = workspace;
  spec.home_dir = home;
  std::string agent = FakeAgent();
  spec.readable_paths.push_back(agent.substr(0, agent.rfind('/')));
  return spec;
}

AgentRun Collect(ConfinedProcess& p) {
  AgentRun run;
  std::vector<pollfd> fds;
  if (p.stdout_fd() >= 0) fds.push_back({p.stdout_fd(), POLLIN, 0});
  if (p.stderr_fd() >= 0) fds.push_back({p.stderr_fd(), POLLIN, 0});
  if (p.terminal_fd() >= 0) fds.push_back({p.terminal_fd(), POLLIN, 0});
  size_t open = fds.size();
  char buf[65536];
  while (open > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) break;
    for (pollfd& f : fds) {
      if (f.fd < 0 || f.revents == 0) continue;
      ssize_t n = ::read(f.fd, buf, sizeof(buf));
      if (n <= 0) {
        f.fd = -1;
        --open;
        continue;
      }
      (f.fd == p.stderr_fd() ? run.err : run.out).append(buf, static_cast<size_t>(n));
    }
  }
  run.status = p.Reap();
  size_t pos = 0;
  while (pos < run.out.size()) {
    size_t eol = run.out.find('\n', pos);
    if (eol == std::string::npos) eol = run.out.size();
    std::string line = run.out.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] == '{') {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded()) run.lines.push_back(j);
    }
    pos = eol + 1;
  }
  run.fired = p.FiredLimit();
  run.profile = p.profile();
  run.dropped = p.dropped();
  run.limits = p.limits();
  run.kill_mechanism = p.kill_mechanism();
  return run;
}

AgentRun RunFakeAgent(const std::vector<std::string>& actions, const ConfineSpec& confine, const Limits& limits) {
  proc::LaunchSpec spec;
  spec.argv = {FakeAgent()};
  spec.argv.insert(spec.argv.end(), actions.begin(), actions.end());
  Result<ConfinedProcess> p = ConfinedProcess::Launch(spec, confine, limits);
  EXPECT_TRUE(p.ok()) << p.status();
  if (!p.ok()) return AgentRun{};
  return Collect(*p);
}

std::optional<nlohmann::json> LineReader::Next(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    size_t eol = buf_.find('\n');
    if (eol != std::string::npos) {
      std::string line = buf_.substr(0, eol);
      buf_.erase(0, eol + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded()) return j;
      continue;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char chunk[4096];
    ssize_t n = ::read(fd_, chunk, sizeof(chunk));
    if (n <= 0) return std::nullopt;
    buf_.append(chunk, static_cast<size_t>(n));
  }
}

bool Eventually(const std::function<bool()>& cond) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    usleep(10000);
  }
  return cond();
}

std::vector<pid_t> PidsInNamespaceOf(pid_t init) {
  std::vector<pid_t> out;
  char target[256];
  ssize_t n = readlink(("/proc/" + std::to_string(init) + "/ns/pid_for_children").c_str(), target, sizeof(target));
  if (n <= 0) return out;
  std::string ns(target, static_cast<size_t>(n));
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    char link[256];
    ssize_t m = readlink(("/proc/" + std::string(e->d_name) + "/ns/pid").c_str(), link, sizeof(link));
    if (m > 0 && std::string(link, static_cast<size_t>(m)) == ns) out.push_back(std::atoi(e->d_name));
  }
  closedir(dir);
  return out;
}

bool Alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

std::string SkipReason(Profile profile, bool network) {
  const HostSupport& host = ProbeHost();
  if (profile == Profile::kNone) return "";
  if (!host.userns.ok) return "no user namespaces: " + host.userns.why + " (" + host.userns.fix + ")";
  if (!network && !host.netns.ok) return "no network namespaces: " + host.netns.why;
  if (profile == Profile::kStrict && !host.landlock.ok) return "no Landlock: " + host.landlock.why;
  if (profile == Profile::kStrict && !host.seccomp.ok) return "no seccomp: " + host.seccomp.why;
  return "";
}

}  // namespace weft::agents::testing
