// ConfinedProcess after Launch, under every profile the host offers: killing
// everything (setsid'd orphans included), signals through the init, exact
// exit statuses, terminals, stdin, the curated environment; and each limit
// firing and being named.
#include "core/agents/confine.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "tests/core/agents/agent_test_util.h"

namespace weft::agents {
namespace {

using testing::AgentDirs;
using testing::AgentRun;
using testing::Alive;
using testing::Eventually;
using testing::LineReader;
using testing::RunFakeAgent;

class EveryProfile : public ::testing::TestWithParam<Profile> {
 protected:
  void SetUp() override {
    std::string why = testing::SkipReason(GetParam());
    if (!why.empty()) GTEST_SKIP() << why;
  }

  Result<ConfinedProcess> Start(const std::vector<std::string>& actions, proc::LaunchSpec spec = {}) {
    spec.argv = {testing::FakeAgent()};
    spec.argv.insert(spec.argv.end(), actions.begin(), actions.end());
    return ConfinedProcess::Launch(spec, dirs_.Spec(GetParam()), {});
  }

  // Every process the agent has, as host pids: its own and its children's
  // (reported by fork-children) or, in a pid namespace, all of them.
  std::vector<pid_t> Processes(const ConfinedProcess& p, const nlohmann::json& forked) {
    if (GetParam() != Profile::kNone) return testing::PidsInNamespaceOf(p.pid());
    std::vector<pid_t> pids = {p.pid()};
    for (const auto& pid : forked["pids"]) pids.push_back(pid.get<pid_t>());
    return pids;
  }

  // fork-children's orphans leave the process group: only cgroup.kill or a
  // pid namespace reaches them.
  bool ReachesOrphans() const { return GetParam() != Profile::kNone || ProbeHost().cgroup.kill; }

  AgentDirs dirs_;
};

INSTANTIATE_TEST_SUITE_P(Profiles, EveryProfile,
                         ::testing::Values(Profile::kNone, Profile::kWorkspace, Profile::kStrict),
                         [](const ::testing::TestParamInfo<Profile>& param) {
                           return std::string(ProfileName(param.param));
                         });

TEST_P(EveryProfile, KillAllLeavesNoProcessEvenSetsidOrphans) {
  if (!ReachesOrphans()) GTEST_SKIP() << "no cgroup.kill on this host: " << ProbeHost().cgroup.why;
  Result<ConfinedProcess> p = Start({"ignore-signals", "fork-children", "4", "sleep", "600000"});
  ASSERT_TRUE(p.ok()) << p.status();
  LineReader out(p->stdout_fd());
  out.Next();  // ignore-signals
  std::optional<nlohmann::json> forked = out.Next();
  ASSERT_TRUE(forked.has_value());
  std::vector<pid_t> pids = Processes(*p, *forked);
  ASSERT_GE(pids.size(), 5u) << forked->dump();
  p->Signal(SIGTERM);  // ignored by the agent: KillAll must not depend on it
  p->KillAll();
  proc::ExitStatus s = p->Reap();
  EXPECT_TRUE(s.signaled);
  EXPECT_EQ(s.signal, SIGKILL);
  for (pid_t pid : pids) EXPECT_TRUE(Eventually([&] { return !Alive(pid); })) << "pid " << pid << " survived";
  p->KillAll();  // again, after reaping: harmless
}

TEST_P(EveryProfile, AgentExitTakesWhatItStartedWithIt) {
  if (!ReachesOrphans()) GTEST_SKIP() << "no cgroup.kill on this host: " << ProbeHost().cgroup.why;
  Result<ConfinedProcess> p = Start({"fork-children", "4", "exit", "3"});
  ASSERT_TRUE(p.ok()) << p.status();
  LineReader out(p->stdout_fd());
  std::optional<nlohmann::json> forked = out.Next();
  ASSERT_TRUE(forked.has_value());
  std::vector<pid_t> children;
  for (const auto& pid : (*forked)["pids"]) children.push_back(pid.get<pid_t>());
  std::vector<pid_t> pids = GetParam() == Profile::kNone ? children : testing::PidsInNamespaceOf(p->pid());
  proc::ExitStatus s = p->Reap();
  EXPECT_FALSE(s.signaled);
  EXPECT_EQ(s.code, 3);
  for (pid_t pid : pids) EXPECT_TRUE(Eventually([&] { return !Alive(pid); })) << "pid " << pid << " survived";
}

TEST_P(EveryProfile, DestroyingItKillsEverything) {
  if (!ReachesOrphans()) GTEST_SKIP() << "no cgroup.kill on this host: " << ProbeHost().cgroup.why;
  std::vector<pid_t> pids;
  {
    Result<ConfinedProcess> p = Start({"fork-children", "2", "sleep", "600000"});
    ASSERT_TRUE(p.ok()) << p.status();
    LineReader out(p->stdout_fd());
    std::optional<nlohmann::json> forked = out.Next();
    ASSERT_TRUE(forked.has_value());
    pids = Processes(*p, *forked);
  }
  ASSERT_FALSE(pids.empty());
  for (pid_t pid : pids) EXPECT_TRUE(Eventually([&] { return !Alive(pid); })) << "pid " << pid << " survived";
}

TEST_P(EveryProfile, SignalReachesTheAgent) {
  Result<ConfinedProcess> p = Start({"await-signal", "exit", "0"});
  ASSERT_TRUE(p.ok()) << p.status();
  LineReader out(p->stdout_fd());
  std::optional<nlohmann::json> waiting = out.Next();
  ASSERT_TRUE(waiting.has_value() && waiting->value("waiting", false));
  p->Signal(SIGUSR1);
  std::optional<nlohmann::json> got = out.Next();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->value("signal", ""), "USR1") << got->dump();
  EXPECT_EQ(p->Reap().code, 0);
}

TEST_P(EveryProfile, SignalDeathIsReportedAsSuch) {
  Result<ConfinedProcess> p = Start({"sleep", "600000"});
  ASSERT_TRUE(p.ok()) << p.status();
  p->Signal(SIGTERM);
  proc::ExitStatus s = p->Reap();
  EXPECT_TRUE(s.signaled) << s.ToString();
  EXPECT_EQ(s.signal, SIGTERM) << s.ToString();
  EXPECT_FALSE(p->FiredLimit().has_value());
}

TEST_P(EveryProfile, RunsOnATerminalItControls) {
  proc::LaunchSpec spec;
  spec.pty = proc::TerminalSize{100, 30};
  Result<ConfinedProcess> p = Start({"tty", "ids", "exit", "0"}, spec);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_GE(p->terminal_fd(), 0);
  EXPECT_EQ(p->stdout_fd(), -1);
  AgentRun run = testing::Collect(*p);
  EXPECT_EQ(run.status.code, 0);
  EXPECT_TRUE(run.Action("tty").value("isatty", false)) << run.out;
  EXPECT_TRUE(run.Action("tty").value("foreground", false)) << run.out;
  EXPECT_EQ(run.Action("ids").value("sid", 0), run.Action("ids").value("pid", -1)) << run.out;
}

TEST_P(EveryProfile, ReadsStdinFromAPipe) {
  proc::LaunchSpec spec;
  spec.stdin_pipe = true;
  Result<ConfinedProcess> p = Start({"read", "/dev/stdin", "exit", "0"}, spec);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(::write(p->stdin_fd(), "hello\n", 6), 6);
  p->CloseStdin();
  AgentRun run = testing::Collect(*p);
  EXPECT_EQ(run.Action("read").value("bytes", -1), 6) << run.out;
}

TEST_P(EveryProfile, GetsTheCuratedEnvironment) {
  ::setenv("WEFT_AGENT_TEST_SECRET", "from-the-test-process", 1);
  proc::LaunchSpec spec;
  spec.env = {{"WEFT_URL", "http://127.0.0.1:1/mcp"}};
  Result<ConfinedProcess> p = Start({"env", "exit", "0"}, spec);
  ::unsetenv("WEFT_AGENT_TEST_SECRET");
  ASSERT_TRUE(p.ok()) << p.status();
  AgentRun run = testing::Collect(*p);
  nlohmann::json env = run.Action("env")["env"];
  EXPECT_EQ(env.value("WEFT_URL", ""), "http://127.0.0.1:1/mcp");
  EXPECT_EQ(env.value("HOME", ""), dirs_.home);
  EXPECT_EQ(env.value("GIT_TERMINAL_PROMPT", ""), "0");
  EXPECT_FALSE(env.contains("WEFT_AGENT_TEST_SECRET")) << env.dump();
}

TEST_P(EveryProfile, PrintsALot) {
  AgentRun run = RunFakeAgent({"print-bytes", std::to_string(8 << 20), "print-stderr", "done", "exit", "0"},
                              dirs_.Spec(GetParam()));
  EXPECT_EQ(run.status.code, 0);
  EXPECT_GE(run.out.size(), static_cast<size_t>(8 << 20));
  EXPECT_EQ(run.err, "done\n");
}

// Limits, under the default profile when the host has it (else none).
class LimitsTest : public ::testing::Test {
 protected:
  Profile Default() const { return testing::SkipReason(Profile::kWorkspace).empty() ? Profile::kWorkspace : Profile::kNone; }

  static std::optional<LimitReport> Report(const AgentRun& run, const std::string& name) {
    for (const LimitReport& r : run.limits) {
      if (r.name == name) return r;
    }
    return std::nullopt;
  }

  AgentDirs dirs_;
};

TEST_F(LimitsTest, CpuSecondsSendsSigxcpuAndIsNamed) {
  Limits limits;
  limits.cpu_seconds = 1;
  AgentRun run = RunFakeAgent({"spin-cpu"}, dirs_.Spec(Default()), limits);
  EXPECT_TRUE(run.status.signaled);
  EXPECT_EQ(run.status.signal, SIGXCPU) << run.status.ToString();
  EXPECT_EQ(run.fired, "cpu_seconds");
  std::optional<LimitReport> r = Report(run, "cpu_seconds");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value, "1");
  EXPECT_EQ(r->mechanism.rfind("RLIMIT_CPU", 0), 0u) << r->mechanism;
}

TEST_F(LimitsTest, CpuSecondsKillsAnAgentThatIgnoresSigxcpu) {
  Limits limits;
  limits.cpu_seconds = 1;
  AgentRun run = RunFakeAgent({"ignore-signals", "spin-cpu"}, dirs_.Spec(Default()), limits);
  EXPECT_TRUE(run.status.signaled);
  EXPECT_EQ(run.status.signal, SIGKILL) << run.status.ToString();
  EXPECT_EQ(run.fired, "cpu_seconds");
}

TEST_F(LimitsTest, MemoryKillsInItsCgroupAndIsNamed) {
  if (ProbeHost().cgroup.MemoryMechanism().empty()) GTEST_SKIP() << ProbeHost().cgroup.why;
  Limits limits;
  limits.memory_bytes = 64 << 20;
  AgentRun run = RunFakeAgent({"alloc", "512", "exit", "0"}, dirs_.Spec(Default()), limits);
  EXPECT_TRUE(run.status.signaled) << run.out;
  EXPECT_EQ(run.status.signal, SIGKILL) << run.status.ToString();
  EXPECT_EQ(run.fired, "memory");
  std::optional<LimitReport> r = Report(run, "memory");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value, std::to_string(64 << 20));
  EXPECT_EQ(r->mechanism, ProbeHost().cgroup.MemoryMechanism());
}

TEST_F(LimitsTest, ProcessesRefuseForksAndAreNamed) {
  if (ProbeHost().cgroup.PidsMechanism().empty()) GTEST_SKIP() << ProbeHost().cgroup.why;
  Limits limits;
  limits.processes = 8;
  AgentRun run = RunFakeAgent({"fork-bomb", "50", "exit", "0"}, dirs_.Spec(Default()), limits);
  EXPECT_EQ(run.status.code, 0) << run.err;
  nlohmann::json bomb = run.Action("fork-bomb");
  EXPECT_EQ(bomb.value("forked", -1), 7) << run.out;  // the agent itself is the eighth
  EXPECT_EQ(bomb.value("errno", ""), "EAGAIN") << run.out;
  EXPECT_EQ(run.fired, "processes");
  std::optional<LimitReport> r = Report(run, "processes");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->mechanism, ProbeHost().cgroup.PidsMechanism());
}

TEST_F(LimitsTest, OpenFilesRefuseOpens) {
  Limits limits;
  limits.open_files = 20;
  AgentRun run = RunFakeAgent({"open-files", "100", "exit", "0"}, dirs_.Spec(Default()), limits);
  nlohmann::json opened = run.Action("open-files");
  EXPECT_EQ(opened.value("opened", -1), 17) << run.out;  // 20 less stdin, stdout and stderr
  EXPECT_EQ(opened.value("errno", ""), "EMFILE") << run.out;
  EXPECT_FALSE(run.fired.has_value());
  ASSERT_TRUE(Report(run, "open_files").has_value());
  EXPECT_EQ(Report(run, "open_files")->mechanism, "RLIMIT_NOFILE");
}

TEST_F(LimitsTest, NoneFiresOnAnOrdinaryExit) {
  Limits limits;
  limits.cpu_seconds = 30;
  limits.open_files = 64;
  limits.processes = 16;
  AgentRun run = RunFakeAgent({"exit", "0"}, dirs_.Spec(Default()), limits);
  EXPECT_EQ(run.status.code, 0);
  EXPECT_FALSE(run.fired.has_value()) << *run.fired;
}

TEST_F(LimitsTest, UnavailableLimitFailsTypedUnlessBestEffort) {
  HostSupport host = ProbeHost();
  host.cgroup = CgroupSupport{};
  host.cgroup.why = "no cgroups here";
  host.cgroup.fix = "delegate a cgroup";
  Limits limits;
  limits.memory_bytes = 64 << 20;
  proc::LaunchSpec spec;
  spec.argv = {testing::FakeAgent(), "exit", "0"};
  ConfineSpec confine = dirs_.Spec(Default());
  Result<ConfinedProcess> p = ConfinedProcess::Launch(spec, confine, limits, host);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(p.status().message().rfind("limit_unavailable: memory: no cgroups here", 0), 0u) << p.status();

  confine.best_effort = true;
  p = ConfinedProcess::Launch(spec, confine, limits, host);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->limits().size(), 1u);
  EXPECT_EQ(p->limits()[0].mechanism, "unavailable: no cgroups here");
  ASSERT_EQ(p->dropped().size(), 1u);
  EXPECT_EQ(p->dropped()[0], "memory limit (no cgroups here)");
  EXPECT_EQ(p->Reap().code, 0);
}

}  // namespace
}  // namespace weft::agents
