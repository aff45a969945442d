// Helpers for the confinement tests: the fake agent's path, running it to
// its end under a profile, and the JSON lines it printed.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/agents/confine.h"
#include "tests/support/temp_dir.h"

namespace weft::agents::testing {

// build/tests/support/weft_fake_agent.
std::string FakeAgent();

// What a finished agent left.
struct AgentRun {
  proc::ExitStatus status;
  std::vector<nlohmann::json> lines;  // stdout's JSON lines, in order (others are skipped)
  std::string out;                    // stdout, whole
  std::string err;                    // stderr, whole
  std::optional<std::string> fired;   // FiredLimit()
  Profile profile = Profile::kNone;
  std::vector<std::string> dropped;
  std::vector<LimitReport> limits;
  std::string kill_mechanism;

  // The first line whose "action" is `action` (an empty object if none).
  nlohmann::json Action(const std::string& action, size_t nth = 0) const;
};

// A workspace and a home directory for an agent, canonical, under a
// temporary directory, and a ConfineSpec that shows them plus the fake
// agent's directory (read-only).
struct AgentDirs {
  weft::testing::ScopedTempDir root;
  std::string workspace, home;
  AgentDirs();
  ConfineSpec Spec(Profile profile) const;
};

// Launches the fake agent with `actions` and reads its output until it
// exits. Fails the test (and returns an empty run) when Launch fails.
AgentRun RunFakeAgent(const std::vector<std::string>& actions, const ConfineSpec& confine, const Limits& limits = {});

// Reads stdout and stderr of `p` until both end, then reaps it.
AgentRun Collect(ConfinedProcess& p);

// Reads an agent's stdout a line at a time, as it comes.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // The next JSON line, waiting up to `timeout`; nullopt at EOF or timeout.
  std::optional<nlohmann::json> Next(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  int fd_;
  std::string buf_;
};

// Whether `pid` names a live (not zombie) process on the host.
bool Alive(pid_t pid);
// Polls `cond` for up to 10 s (killed orphans are reaped by the host's init
// in its own time).
bool Eventually(const std::function<bool()>& cond);
// Host pids of the processes in the pid namespace whose init is `init`.
std::vector<pid_t> PidsInNamespaceOf(pid_t init);

// The skip reason when the host cannot run `profile` (empty when it can).
std::string SkipReason(Profile profile, bool network = false);

}  // namespace weft::agents::testing
