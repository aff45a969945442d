// Spawner::Run against real programs: exit statuses, output caps, streaming,
// the stop ladder, environment curation, cwd by fd, descriptor hygiene.
#include "core/proc/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/core/proc/proc_test_util.h"
#include "tests/support/temp_dir.h"

namespace weft::proc {
namespace {

using testing::GroupGone;

ProcessResult RunOrDie(const ProcessSpec& spec) {
  Result<ProcessResult> r = SystemSpawner().Run(spec);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? std::move(r).value() : ProcessResult{};
}

ProcessSpec Sh(const std::string& script) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", script};
  return spec;
}

TEST(Spawn, ReportsExitCode) {
  ProcessResult r = RunOrDie(Sh("exit 3"));
  EXPECT_FALSE(r.status.signaled);
  EXPECT_EQ(r.status.code, 3);
  EXPECT_EQ(r.stop, ProcessResult::Stop::kNone);
  EXPECT_FALSE(r.exited_ok());
  EXPECT_EQ(r.status.ToString(), "exit code 3");

  EXPECT_TRUE(RunOrDie(Sh("true")).exited_ok());
}

TEST(Spawn, ReportsTerminatingSignal) {
  ProcessResult r = RunOrDie(Sh("kill -USR1 $$"));
  EXPECT_TRUE(r.status.signaled);
  EXPECT_EQ(r.status.signal, SIGUSR1);
  EXPECT_EQ(r.status.ToString(), "killed by signal 10 (SIGUSR1)");
}

TEST(Spawn, CollectsStdoutAndStderrSeparately) {
  ProcessResult r = RunOrDie(Sh("echo out; echo err >&2"));
  EXPECT_EQ(r.stdout_data, "out\n");
  EXPECT_EQ(r.stderr_data, "err\n");
  EXPECT_EQ(r.stdout_dropped, 0u);
}

TEST(Spawn, KeepsTheFirstBytesAndCountsTheRest) {
  ProcessSpec spec;
  spec.argv = {"head", "-c", "100000", "/dev/zero"};
  spec.stdout_cap = 1000;
  ProcessResult r = RunOrDie(spec);
  EXPECT_TRUE(r.exited_ok());
  EXPECT_EQ(r.stdout_data.size(), 1000u);
  EXPECT_EQ(r.stdout_dropped, 99000u);
  EXPECT_EQ(r.stdout_bytes, 100000u);

  ProcessSpec err = Sh("head -c 5000 /dev/zero >&2");
  err.stderr_cap = 10;
  ProcessResult e = RunOrDie(err);
  EXPECT_EQ(e.stderr_data.size(), 10u);
  EXPECT_EQ(e.stderr_dropped, 4990u);
}

TEST(Spawn, FeedsStdinThenClosesIt) {
  ProcessSpec spec;
  spec.argv = {"cat"};
  spec.stdin_data = std::string(300000, 'x');  // more than a pipe holds
  ProcessResult r = RunOrDie(spec);
  EXPECT_TRUE(r.exited_ok());
  EXPECT_EQ(r.stdout_data.size(), 300000u);
}

TEST(Spawn, StdinIsDevNullUnlessGiven) {
  ProcessSpec spec;
  spec.argv = {"cat"};
  ProcessResult r = RunOrDie(spec);
  EXPECT_TRUE(r.exited_ok());
  EXPECT_EQ(r.stdout_data, "");
}

TEST(Spawn, StdinFromADescriptor) {
  weft::testing::ScopedTempDir tmp;
  tmp.WriteFile("input", "from a file\n");
  UniqueFd file(open(tmp.Join("input").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(file.valid());
  ProcessSpec spec;
  spec.argv = {"cat"};
  spec.stdin_fd = file.get();
  ProcessResult r = RunOrDie(spec);
  EXPECT_TRUE(r.exited_ok());
  EXPECT_EQ(r.stdout_data, "from a file\n");
}

TEST(Spawn, ChildThatStopsReadingDoesNotHurtTheParent) {
  ProcessSpec spec = Sh("exec 0<&-; echo closed");  // closes stdin at once: writes hit EPIPE
  spec.stdin_data = std::string(1 << 20, 'x');
  ProcessResult r = RunOrDie(spec);
  EXPECT_TRUE(r.exited_ok());
  EXPECT_EQ(r.stdout_data, "closed\n");
}

TEST(Spawn, TimeoutKillsTheChildAndItsChildren) {
  ProcessSpec spec = Sh("sleep 100 & sleep 100 & wait");
  spec.timeout = std::chrono::milliseconds(300);
  ProcessResult r = RunOrDie(spec);
  EXPECT_EQ(r.stop, ProcessResult::Stop::kTimeout);
  EXPECT_TRUE(r.status.signaled);
  EXPECT_FALSE(r.exited_ok());
  EXPECT_TRUE(GroupGone(r.pid)) << "processes left in group " << r.pid;
}

TEST(Spawn, ChildIgnoringSigtermGetsSigkill) {
  ProcessSpec spec = Sh("trap '' TERM; echo ready; while :; do sleep 1; done");
  spec.term_grace = std::chrono::milliseconds(200);
  spec.on_stdout_line = [](std::string_view line) { return line != "ready"; };
  ProcessResult r = RunOrDie(spec);
  EXPECT_EQ(r.stop, ProcessResult::Stop::kCallback);
  EXPECT_TRUE(r.killed);
  EXPECT_TRUE(r.status.signaled);
  EXPECT_EQ(r.status.signal, SIGKILL);
  EXPECT_TRUE(GroupGone(r.pid));
}

TEST(Spawn, CancellationStopsTheChild) {
  CancellationToken token;
  ProcessSpec spec = Sh("echo ready; sleep 100");
  spec.cancel = &token;
  spec.on_stdout_line = [&token](std::string_view) {
    token.Cancel();
    return true;
  };
  ProcessResult r = RunOrDie(spec);
  EXPECT_EQ(r.stop, ProcessResult::Stop::kCancelled);
  EXPECT_TRUE(r.status.signaled);
  EXPECT_EQ(r.status.signal, SIGTERM);
  EXPECT_FALSE(r.killed);
  EXPECT_TRUE(GroupGone(r.pid));
}

TEST(Spawn, StreamsLinesAndStopsWhenTheCallbackSaysSo) {
  std::vector<std::string> lines;
  ProcessSpec spec;
  spec.argv = {"yes", "a line"};
  spec.on_stdout_line = [&lines](std::string_view line) {
    lines.emplace_back(line);
    return lines.size() < 10;
  };
  ProcessResult r = RunOrDie(spec);
  EXPECT_EQ(r.stop, ProcessResult::Stop::kCallback);
  ASSERT_EQ(lines.size(), 10u);
  for (const std::string& l : lines) EXPECT_EQ(l, "a line");
  EXPECT_EQ(r.stdout_data, "");
  EXPECT_TRUE(GroupGone(r.pid));
}

TEST(Spawn, StreamsChunks) {
  std::string seen;
  ProcessSpec spec = Sh("printf 'a\\nb\\nc'");
  spec.on_stdout = [&seen](std::string_view chunk) {
    seen.append(chunk);
    return true;
  };
  ProcessResult r = RunOrDie(spec);
  EXPECT_TRUE(r.exited_ok());
  EXPECT_EQ(seen, "a\nb\nc");
}

TEST(Spawn, TicksWhileTheChildRuns) {
  int ticks = 0;
  ProcessSpec spec;
  spec.argv = {"sleep", "100"};
  spec.tick_interval = std::chrono::milliseconds(1);
  spec.on_tick = [&ticks] { return ++ticks < 3; };
  ProcessResult r = RunOrDie(spec);
  EXPECT_EQ(ticks, 3);
  EXPECT_EQ(r.stop, ProcessResult::Stop::kCallback);
  EXPECT_TRUE(GroupGone(r.pid));
}

TEST(Spawn, KillsBackgroundChildrenWhenTheLeaderExits) {
  ProcessResult r = RunOrDie(Sh("sleep 100 & echo started"));
  EXPECT_TRUE(r.exited_ok());
  EXPECT_EQ(r.stdout_data, "started\n");
  EXPECT_TRUE(GroupGone(r.pid));
}

TEST(Spawn, PassesOnlyTheCuratedEnvironment) {
  setenv("WEFT_TEST_NOT_ALLOWED", "secret", 1);
  setenv("WEFT_TEST_INHERITED", "kept", 1);
  setenv("LC_WEFT_TEST", "c", 1);
  ProcessSpec spec;
  spec.argv = {"env"};
  spec.env = {{"ADDED", "yes"}, {"HOME", "/nowhere"}};
  spec.inherit_env = {"WEFT_TEST_INHERITED"};
  ProcessResult r = RunOrDie(spec);
  unsetenv("WEFT_TEST_NOT_ALLOWED");
  unsetenv("WEFT_TEST_INHERITED");
  unsetenv("LC_WEFT_TEST");
  std::set<std::string> vars;
  std::istringstream in(r.stdout_data);
  for (std::string line; std::getline(in, line);) vars.insert(line);
  EXPECT_FALSE(vars.count("WEFT_TEST_NOT_ALLOWED=secret")) << r.stdout_data;
  EXPECT_TRUE(vars.count("WEFT_TEST_INHERITED=kept")) << r.stdout_data;
  EXPECT_TRUE(vars.count("LC_WEFT_TEST=c")) << r.stdout_data;
  EXPECT_TRUE(vars.count("ADDED=yes")) << r.stdout_data;
  EXPECT_TRUE(vars.count("HOME=/nowhere")) << r.stdout_data;
  EXPECT_EQ(r.stdout_data.find("HOME=", r.stdout_data.find("HOME=") + 1), std::string::npos) << "HOME twice";
  EXPECT_NE(r.stdout_data.find("PATH="), std::string::npos);
}

TEST(CuratedEnvironment, KeepsTheAllowlistOnly) {
  const char* parent[] = {"PATH=/bin", "HOME=/h", "LANG=C", "LC_ALL=C", "TERM=xterm", "SECRET=1",
                          "LD_PRELOAD=/x.so", "PATHX=1", "noequals", nullptr};
  LaunchSpec spec;
  std::vector<std::string> env = CuratedEnvironment(parent, spec);
  EXPECT_EQ(env, (std::vector<std::string>{"GIT_TERMINAL_PROMPT=0", "PAGER=cat", "GIT_PAGER=cat", "PATH=/bin",
                                           "HOME=/h", "LANG=C", "LC_ALL=C", "TERM=xterm"}));
}

TEST(CuratedEnvironment, NothingWaitsForAPersonUnlessTheCallerSaysSo) {
  const char* parent[] = {"PAGER=less", "GIT_PAGER=less", "GIT_TERMINAL_PROMPT=1", nullptr};
  LaunchSpec spec;
  std::vector<std::string> env = CuratedEnvironment(parent, spec);
  EXPECT_EQ(env, (std::vector<std::string>{"GIT_TERMINAL_PROMPT=0", "PAGER=cat", "GIT_PAGER=cat"}));
  spec.env = {{"PAGER", "more"}};
  env = CuratedEnvironment(parent, spec);
  EXPECT_EQ(env, (std::vector<std::string>{"GIT_TERMINAL_PROMPT=0", "PAGER=more", "GIT_PAGER=cat"}));
}

TEST(Spawn, RefusesATerminal) {
  ProcessSpec spec;
  spec.argv = {"true"};
  spec.pty = TerminalSize{};
  Result<ProcessResult> r = SystemSpawner().Run(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(Spawn, RunsInTheDirectoryOfAnFd) {
  weft::testing::ScopedTempDir tmp;
  std::filesystem::create_directories(tmp.Join("sub"));
  UniqueFd dir(open(tmp.Join("sub").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir.valid());
  ProcessSpec spec;
  spec.argv = {"pwd", "-P"};
  spec.cwd_fd = dir.get();
  ProcessResult r = RunOrDie(spec);
  EXPECT_TRUE(r.exited_ok()) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, std::filesystem::canonical(tmp.Join("sub")).string() + "\n");
}

TEST(Spawn, ChildSeesOnlyItsStandardDescriptors) {
  // A descriptor without close-on-exec, as a careless library might leave.
  UniqueFd leaky(open("/dev/null", O_RDONLY));
  ASSERT_GT(leaky.get(), 2);
  ProcessSpec spec;
  spec.argv = {"ls", "/proc/self/fd"};
  ProcessResult r = RunOrDie(spec);
  ASSERT_TRUE(r.exited_ok()) << r.stderr_data;
  std::set<std::string> fds;
  std::istringstream in(r.stdout_data);
  for (std::string fd; in >> fd;) fds.insert(fd);
  // 0-2, plus the descriptor ls itself opened to list the directory.
  EXPECT_EQ(fds, (std::set<std::string>{"0", "1", "2", "3"})) << r.stdout_data;
}

TEST(Spawn, ChildStartsWithDefaultSignalHandling) {
  struct sigaction ignore{}, old{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGUSR1, &ignore, &old);
  ProcessResult r = RunOrDie(Sh("kill -USR1 $$; echo survived"));
  sigaction(SIGUSR1, &old, nullptr);
  EXPECT_TRUE(r.status.signaled) << r.stdout_data;
  EXPECT_EQ(r.status.signal, SIGUSR1);
}

TEST(Spawn, MissingProgramIsNotFoundAndNamed) {
  ProcessSpec spec;
  spec.argv = {"weft-no-such-program", "x"};
  Result<ProcessResult> r = SystemSpawner().Run(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("weft-no-such-program"), std::string::npos) << r.status();

  spec.argv = {"/nonexistent/dir/prog"};
  r = SystemSpawner().Run(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/dir/prog"), std::string::npos) << r.status();
}

TEST(Spawn, NonExecutableFileIsRefused) {
  weft::testing::ScopedTempDir tmp;
  tmp.WriteFile("plain", "not a program");
  ProcessSpec spec;
  spec.argv = {tmp.Join("plain")};
  Result<ProcessResult> r = SystemSpawner().Run(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
}

TEST(FindProgram, SearchesThePathList) {
  Result<std::string> sh = FindProgram("sh", "/nonexistent:/usr/bin:/bin");
  ASSERT_TRUE(sh.ok()) << sh.status();
  EXPECT_EQ(sh->back(), 'h');
  Result<std::string> none = FindProgram("sh", "/nonexistent");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("/nonexistent"), std::string::npos);
}

TEST(LineSplitter, JoinsLinesAcrossChunks) {
  std::vector<std::string> lines;
  LineSplitter split(100, [&lines](std::string_view l) {
    lines.emplace_back(l);
    return true;
  });
  EXPECT_TRUE(split.Feed("ab"));
  EXPECT_TRUE(split.Feed("c\nde\n\nf"));
  EXPECT_TRUE(split.Feed("g"));
  EXPECT_TRUE(split.Finish());
  EXPECT_EQ(lines, (std::vector<std::string>{"abc", "de", "", "fg"}));
}

TEST(LineSplitter, DropsOverlongLinesAndCountsThem) {
  std::vector<std::string> lines;
  LineSplitter split(4, [&lines](std::string_view l) {
    lines.emplace_back(l);
    return true;
  });
  EXPECT_TRUE(split.Feed("ok\n12345"));
  EXPECT_TRUE(split.Feed("678\nfine\n"));
  EXPECT_EQ(lines, (std::vector<std::string>{"ok", "fine"}));
  EXPECT_EQ(split.dropped_bytes(), 8u);
}

TEST(LineSplitter, StopsWhenTheCallbackSaysSo) {
  int calls = 0;
  LineSplitter split(100, [&calls](std::string_view) { return ++calls < 2; });
  EXPECT_FALSE(split.Feed("a\nb\nc\n"));
  EXPECT_FALSE(split.Feed("d\n"));
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace weft::proc
