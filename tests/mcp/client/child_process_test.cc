// ChildProcess: spawning with a clean descriptor table and process group, the
// stdio connection, and the close-stdin → SIGTERM → SIGKILL ladder.
#include "mcp/client/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace weft::mcp {
namespace {

using std::chrono::milliseconds;

std::unique_ptr<ChildProcess> SpawnOrDie(SpawnOptions options) {
  auto child = ChildProcess::Spawn(std::move(options));
  EXPECT_TRUE(child.ok()) << child.status();
  return child.ok() ? std::move(child).value() : nullptr;
}

SpawnOptions Command(std::vector<std::string> argv) {
  SpawnOptions options;
  options.argv = std::move(argv);
  return options;
}

std::unique_ptr<ChildProcess> SpawnShell(const std::string& script) {
  return SpawnOrDie(Command({"sh", "-c", script}));
}

// Whether `pid` is running: not gone and not a zombie awaiting its reaper.
bool Running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return false;
  char state = text[paren + 2];
  return state != 'Z' && state != 'X';
}

// Every line the child writes until it closes stdout.
std::vector<std::string> ReadAll(ChildProcess& child) {
  std::vector<std::string> lines;
  for (;;) {
    Result<std::string> line = child.connection().Read();
    if (!line.ok()) return lines;
    lines.push_back(*line);
  }
}

TEST(ChildProcess, TalksOverStdinAndStdout) {
  auto child = SpawnOrDie(Command({"cat"}));
  ASSERT_TRUE(child);
  ASSERT_TRUE(child->connection().Write(R"({"jsonrpc":"2.0","method":"x"})").ok());
  Result<std::string> echoed = child->connection().Read();
  ASSERT_TRUE(echoed.ok()) << echoed.status();
  EXPECT_EQ(*echoed, R"({"jsonrpc":"2.0","method":"x"})");
  ExitStatus status = child->Shutdown();
  EXPECT_TRUE(status.success()) << status.ToString();
  EXPECT_FALSE(child->shutdown_forced());
}

TEST(ChildProcess, ReportsTheExitStatusOfAServerThatExits) {
  auto child = SpawnShell("read x; exit 3");
  ASSERT_TRUE(child);
  ASSERT_TRUE(child->connection().Write("{}").ok());
  std::optional<ExitStatus> status = child->WaitFor(milliseconds(5000));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->exited);
  EXPECT_EQ(status->code, 3);
  EXPECT_EQ(status->ToString(), "exit status 3");
  EXPECT_FALSE(child->connection().Read().ok());
  // Reaped once; every later question gets the same answer.
  EXPECT_EQ(child->Shutdown().code, 3);
  EXPECT_EQ(child->Poll()->code, 3);
}

TEST(ChildProcess, SendsSigtermWhenTheServerIgnoresEof) {
  SpawnOptions options;
  options.argv = {"sh", "-c", "while :; do sleep 0.05; done"};
  options.stdin_grace = milliseconds(100);
  auto child = SpawnOrDie(std::move(options));
  ASSERT_TRUE(child);
  ExitStatus status = child->Shutdown();
  EXPECT_FALSE(status.exited);
  EXPECT_EQ(status.signal, SIGTERM);
  EXPECT_EQ(status.ToString(), "killed by SIGTERM");
  EXPECT_TRUE(child->shutdown_forced());
}

TEST(ChildProcess, SendsSigkillWhenTheServerIgnoresSigterm) {
  SpawnOptions options;
  options.argv = {"sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"};
  options.stdin_grace = milliseconds(100);
  options.term_grace = milliseconds(100);
  auto child = SpawnOrDie(std::move(options));
  ASSERT_TRUE(child);
  ExitStatus status = child->Shutdown();
  EXPECT_EQ(status.signal, SIGKILL);
}

TEST(ChildProcess, ShutdownKillsWhatTheServerLeftInItsGroup) {
  weft::testing::ScopedTempDir dir;
  std::string pidfile = dir.Join("pid");
  auto child = SpawnShell("sleep 30 & echo $! > " + pidfile + "; read x");
  ASSERT_TRUE(child);
  ASSERT_TRUE(child->connection().Write("{}").ok());
  ASSERT_TRUE(child->WaitFor(milliseconds(5000)).has_value());
  pid_t orphan = std::stoi(weft::testing::ReadFileOrDie(pidfile));
  child->Shutdown();
  for (int i = 0; i < 500 && Running(orphan); ++i) ::usleep(10000);
  EXPECT_FALSE(Running(orphan)) << "the sleep left behind is still running";
}

TEST(ChildProcess, MissingCommandIsNotFound) {
  auto child = ChildProcess::Spawn(Command({"weft-no-such-command-xyz"}));
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ChildProcess::Spawn(SpawnOptions{}).status().code(), StatusCode::kInvalidArgument);
}

TEST(ChildProcess, UnexecutableFileReportsTheExecError) {
  weft::testing::ScopedTempDir dir;
  dir.WriteFile("script", "#!/nonexistent/interpreter\n");
  ASSERT_EQ(::chmod(dir.Join("script").c_str(), 0755), 0);
  auto child = ChildProcess::Spawn(Command({dir.Join("script")}));
  ASSERT_FALSE(child.ok());
  EXPECT_NE(child.status().message().find("cannot run"), std::string::npos) << child.status();
}

TEST(ChildProcess, LooksCommandsUpOnTheChildsPath) {
  weft::testing::ScopedTempDir dir;
  dir.WriteFile("bin/hello-server", "#!/bin/sh\necho hello\n");
  ASSERT_EQ(::chmod(dir.Join("bin/hello-server").c_str(), 0755), 0);
  SpawnOptions options;
  options.argv = {"hello-server"};
  options.env = {"PATH=" + dir.Join("bin") + ":/usr/bin:/bin"};
  auto child = SpawnOrDie(std::move(options));
  ASSERT_TRUE(child);
  EXPECT_EQ(ReadAll(*child), std::vector<std::string>{"hello"});

  auto found = FindExecutable("hello-server", dir.Join("bin"));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, dir.Join("bin/hello-server"));
  EXPECT_FALSE(FindExecutable("hello-server", "/usr/bin:/bin").ok());
}

TEST(ChildProcess, InheritsOnlyStdinStdoutAndStderr) {
  // Descriptors deliberately opened without O_CLOEXEC, one of them high.
  int leaked = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(leaked, 0);
  ASSERT_EQ(::dup2(leaked, 200), 200);
  std::string probe;
  for (int fd : {0, 1, 2, leaked, 200}) {
    probe += "[ -e /proc/$$/fd/" + std::to_string(fd) + " ] && echo " + std::to_string(fd) + "; ";
  }
  auto child = SpawnShell(probe);
  ::close(leaked);
  ::close(200);
  ASSERT_TRUE(child);
  EXPECT_EQ(ReadAll(*child), (std::vector<std::string>{"0", "1", "2"}));
}

TEST(ChildProcess, RunsInItsOwnProcessGroup) {
  auto child = SpawnShell("cut -d' ' -f5 /proc/$$/stat");
  ASSERT_TRUE(child);
  EXPECT_EQ(ReadAll(*child), std::vector<std::string>{std::to_string(child->pid())});
}

TEST(ChildProcess, StartsWithDefaultSignalDispositions) {
  // Spawn() ignores SIGPIPE in this process; the server must not inherit that.
  auto child = SpawnShell("grep SigIgn /proc/$$/status");
  ASSERT_TRUE(child);
  std::vector<std::string> lines = ReadAll(*child);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "SigIgn:\t0000000000000000");
  struct sigaction ours;
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &ours), 0);
  EXPECT_EQ(ours.sa_handler, SIG_IGN);
}

TEST(ChildProcess, AppendsStderrToAFileAndRunsInCwd) {
  weft::testing::ScopedTempDir dir;
  SpawnOptions options;
  options.argv = {"sh", "-c", "echo oops >&2; pwd"};
  options.stderr_mode = StderrMode::kFile;
  options.stderr_path = dir.Join("server.log");
  options.cwd = dir.path();
  auto child = SpawnOrDie(std::move(options));
  ASSERT_TRUE(child);
  std::vector<std::string> out = ReadAll(*child);
  child->Shutdown();
  char real[PATH_MAX];
  ASSERT_NE(::realpath(dir.path().c_str(), real), nullptr);
  EXPECT_EQ(out, std::vector<std::string>{real});
  EXPECT_EQ(weft::testing::ReadFileOrDie(dir.Join("server.log")), "oops\n");
}

TEST(ChildProcess, SetsEnvironmentVariables) {
  SpawnOptions options;
  options.argv = {"sh", "-c", "echo \"$WEFT_TEST_A-$HOME\""};
  options.env = {"WEFT_TEST_A=1", "HOME=/nowhere"};
  auto child = SpawnOrDie(std::move(options));
  ASSERT_TRUE(child);
  EXPECT_EQ(ReadAll(*child), std::vector<std::string>{"1-/nowhere"});
}

TEST(ChildProcess, ShutdownDrainsAServerThatKeepsWriting) {
  // A server that floods stdout after EOF must not block on a full pipe.
  auto child = SpawnShell("read x; i=0; while [ $i -lt 20000 ]; do echo line-$i; i=$((i+1)); done");
  ASSERT_TRUE(child);
  ExitStatus status = child->Shutdown();
  EXPECT_TRUE(status.success()) << status.ToString();
  EXPECT_FALSE(child->shutdown_forced());
}

TEST(ExitStatus, DecodesWaitStatuses) {
  ExitStatus killed = ExitStatus::FromWaitStatus(SIGKILL);
  EXPECT_FALSE(killed.exited);
  EXPECT_EQ(killed.ToString(), "killed by SIGKILL");
  ExitStatus ok = ExitStatus::FromWaitStatus(0);
  EXPECT_TRUE(ok.success());
}

}  // namespace
}  // namespace weft::mcp
