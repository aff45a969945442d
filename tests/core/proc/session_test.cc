// Session against real programs: output by offset after exit, stdin and a
// shell that keeps its state, terminals (size, resize, hang-up), the stop
// ladder, time limits, bounded retention and cleanup.
#include "core/proc/session.h"

#include <signal.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "tests/core/proc/proc_test_util.h"

namespace weft::proc {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::GroupGone;
using testing::SessionGone;

constexpr auto kLong = seconds(30);  // generous: the machine may be loaded

std::unique_ptr<Session> StartOrDie(const SessionSpec& spec) {
  Result<std::unique_ptr<Session>> s = SystemSessionLauncher().Start(spec);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(s).value() : nullptr;
}

SessionSpec Sh(const std::string& script) {
  SessionSpec spec;
  spec.argv = {"sh", "-c", script};
  return spec;
}

std::string All(const Session& s, Stream stream = Stream::kStdout) { return s.Read(stream, 0, 1 << 20).bytes; }

// Waits until the stream holds `text`.
bool WaitForText(const Session& s, const std::string& text, Stream stream = Stream::kStdout) {
  auto until = Session::Clock::now() + kLong;
  while (All(s, stream).find(text) == std::string::npos) {
    SessionState st = s.state();
    if (!st.running || Session::Clock::now() > until) return All(s, stream).find(text) != std::string::npos;
    s.WaitForOutput(st.stdout_bytes, st.stderr_bytes, std::min(until, Session::Clock::now() + milliseconds(100)),
                    nullptr);
  }
  return true;
}

TEST(Session, OutputStaysReadableAfterExit) {
  auto s = StartOrDie(Sh("echo out; echo err >&2; exit 3"));
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->WaitForEnd(Session::Clock::now() + kLong, nullptr));
  SessionState st = s->state();
  EXPECT_FALSE(st.running);
  ASSERT_TRUE(st.status.has_value());
  EXPECT_EQ(st.status->code, 3);
  EXPECT_EQ(st.stop, StopReason::kNone);
  EXPECT_TRUE(s->has_stderr());
  EXPECT_EQ(All(*s), "out\n");
  EXPECT_EQ(All(*s, Stream::kStderr), "err\n");
  EXPECT_EQ(s->Read(Stream::kStdout, 1, 2).bytes, "ut");
}

TEST(Session, AShellKeepsItsStateAcrossWrites) {
  SessionSpec spec;
  spec.argv = {"sh"};
  auto s = StartOrDie(spec);
  ASSERT_NE(s, nullptr);
  auto deadline = Session::Clock::now() + kLong;
  ASSERT_TRUE(s->Write("cd /tmp; WEFT_X=5\n", deadline).ok());
  ASSERT_TRUE(s->Write("pwd; echo \"x=$WEFT_X\"\n", deadline).ok());
  EXPECT_TRUE(WaitForText(*s, "x=5")) << All(*s);
  EXPECT_EQ(All(*s), "/tmp\nx=5\n");
  ASSERT_TRUE(s->CloseStdin().ok());
  ASSERT_TRUE(s->WaitForEnd(Session::Clock::now() + kLong, nullptr));
  EXPECT_EQ(s->state().status->code, 0);
}

TEST(Session, WritingToAProcessThatClosedStdinFails) {
  auto s = StartOrDie(Sh("exec 0<&-; echo ready; sleep 100"));
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(WaitForText(*s, "ready"));
  Result<size_t> n = s->Write("hello\n", Session::Clock::now() + kLong);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::kFailedPrecondition);
  pid_t pid = s->pid();
  s.reset();
  EXPECT_TRUE(GroupGone(pid));
}

TEST(Session, TerminalHasTheSizeAndResizeSignalsTheForegroundJob) {
  SessionSpec spec = Sh("trap 'stty size' WINCH; stty size; echo ready; while :; do sleep 0.05; done");
  spec.pty = TerminalSize{.cols = 100, .rows = 30};
  auto s = StartOrDie(spec);
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->on_terminal());
  EXPECT_FALSE(s->has_stderr());
  ASSERT_TRUE(WaitForText(*s, "ready")) << All(*s);
  EXPECT_NE(All(*s).find("30 100"), std::string::npos) << All(*s);
  ASSERT_TRUE(s->Resize({.cols = 120, .rows = 40}).ok());
  EXPECT_TRUE(WaitForText(*s, "40 120")) << All(*s);
  pid_t pid = s->pid();
  s.reset();
  EXPECT_TRUE(SessionGone(pid));
}

TEST(Session, ResizeOnPipesIsRefused) {
  auto s = StartOrDie(Sh("sleep 100"));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->Resize({}).code(), StatusCode::kFailedPrecondition);
}

TEST(Session, TerminalInputActsAsTyped) {
  SessionSpec spec = Sh("echo ready; read line; echo \"got:$line\"; sleep 100; echo not-reached");
  spec.pty = TerminalSize{};
  auto s = StartOrDie(spec);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(WaitForText(*s, "ready"));
  ASSERT_TRUE(s->Write("hello\r", Session::Clock::now() + kLong).ok());
  ASSERT_TRUE(WaitForText(*s, "got:hello")) << All(*s);
  // Once sleep runs: sh catches SIGINT (and so does its child until it execs
  // sleep) and acts on it only after the foreground command ends…
  auto sleeping = [&s] {
    for (pid_t member : testing::LiveGroupMembers(s->pid())) {
      if (testing::ReadProcFile("/proc/" + std::to_string(member) + "/comm") == "sleep\n") return true;
    }
    return false;
  };
  auto until = Session::Clock::now() + kLong;
  while (!sleeping() && Session::Clock::now() < until) usleep(10'000);
  ASSERT_TRUE(sleeping());
  // … Ctrl-C: the terminal sends SIGINT to its foreground group.
  ASSERT_TRUE(s->Write("\x03", Session::Clock::now() + kLong).ok());
  ASSERT_TRUE(s->WaitForEnd(Session::Clock::now() + kLong, nullptr)) << All(*s);
  EXPECT_TRUE(s->state().status->signaled);
  EXPECT_EQ(s->state().status->signal, SIGINT);
  EXPECT_EQ(All(*s).find("not-reached"), std::string::npos);
}

TEST(Session, SignalReachesTheGroup) {
  auto s = StartOrDie(Sh("echo ready; sleep 100"));
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(WaitForText(*s, "ready"));
  Result<pid_t> target = s->Signal(SIGUSR1);
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(*target, s->pid());
  ASSERT_TRUE(s->WaitForEnd(Session::Clock::now() + kLong, nullptr));
  EXPECT_EQ(s->state().status->signal, SIGUSR1);
  EXPECT_EQ(s->Signal(SIGUSR1).status().code(), StatusCode::kFailedPrecondition);
}

TEST(Session, StopClimbsTheLadderToSigkill) {
  SessionSpec spec = Sh("trap '' TERM; echo ready; while :; do sleep 1; done");
  spec.first_grace = milliseconds(50);
  spec.term_grace = milliseconds(200);
  auto s = StartOrDie(spec);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(WaitForText(*s, "ready"));
  s->Stop(StopReason::kRequested);
  ASSERT_TRUE(s->WaitForEnd(Session::Clock::now() + kLong, nullptr));
  SessionState st = s->state();
  EXPECT_EQ(st.stop, StopReason::kRequested);
  EXPECT_TRUE(st.killed);
  EXPECT_TRUE(st.status->signaled);
  EXPECT_EQ(st.status->signal, SIGKILL);
  EXPECT_TRUE(GroupGone(s->pid()));
}

TEST(Session, StopHangsUpATerminalAndItsJobs) {
  SessionSpec spec;
  spec.argv = {"bash", "--noprofile", "--norc", "-i"};
  spec.pty = TerminalSize{};
  if (!FindProgram("bash", getenv("PATH") ? getenv("PATH") : "").ok()) GTEST_SKIP() << "no bash";
  auto s = StartOrDie(spec);
  ASSERT_NE(s, nullptr);
  auto deadline = Session::Clock::now() + kLong;
  ASSERT_TRUE(s->Write("sleep 100 & echo job-$!\r", deadline).ok());
  ASSERT_TRUE(WaitForText(*s, "job-")) << All(*s);
  s->Stop(StopReason::kRequested);
  ASSERT_TRUE(s->WaitForEnd(Session::Clock::now() + kLong, nullptr));
  EXPECT_TRUE(SessionGone(s->pid()));
}

TEST(Session, TimeLimitStopsIt) {
  SessionSpec spec = Sh("sleep 100");
  spec.timeout = milliseconds(100);
  auto s = StartOrDie(spec);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->WaitForEnd(Session::Clock::now() + kLong, nullptr));
  EXPECT_EQ(s->state().stop, StopReason::kTimeout);
  EXPECT_TRUE(s->state().status->signaled);
}

TEST(Session, LeaderExitKillsWhatItLeftBehind) {
  auto s = StartOrDie(Sh("sleep 100 & echo started"));
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->WaitForEnd(Session::Clock::now() + kLong, nullptr));
  EXPECT_EQ(All(*s), "started\n");
  EXPECT_TRUE(GroupGone(s->pid()));
}

TEST(Session, DestructionKillsTheGroup) {
  auto s = StartOrDie(Sh("sleep 100 & sleep 100"));
  ASSERT_NE(s, nullptr);
  pid_t pid = s->pid();
  s.reset();
  EXPECT_TRUE(GroupGone(pid));
}

TEST(Session, RetainsBoundedOutputAndCountsWhatItDropped) {
  SessionSpec spec = Sh("head -c 10000000 /dev/zero; echo; echo the-end");
  spec.retain_head = 1024;
  spec.retain_tail = 4096;
  auto s = StartOrDie(spec);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->WaitForEnd(Session::Clock::now() + kLong, nullptr));
  SessionState st = s->state();
  EXPECT_EQ(st.stdout_bytes, 10000000u + 9u);
  EXPECT_EQ(s->dropped(Stream::kStdout), st.stdout_bytes - 1024 - 4096);
  OutputBuffer::Page last = s->Read(Stream::kStdout, 2000, 1 << 20);
  EXPECT_EQ(last.offset, st.stdout_bytes - 4096);
  EXPECT_EQ(last.bytes.size(), 4096u);
  EXPECT_EQ(last.bytes.substr(last.bytes.size() - 8), "the-end\n");
}

TEST(Session, ClosedStdoutDoesNotEndIt) {
  auto s = StartOrDie(Sh("echo bye; exec >&- 2>&-; sleep 100"));
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(s->WaitForEnd(Session::Clock::now() + milliseconds(300), nullptr));
  EXPECT_TRUE(s->state().running);
  EXPECT_EQ(All(*s), "bye\n");
  s->Stop(StopReason::kRequested);
  ASSERT_TRUE(s->WaitForEnd(Session::Clock::now() + kLong, nullptr));
  EXPECT_TRUE(GroupGone(s->pid()));
}

TEST(Session, WaitForOutputReturnsWhenBytesArrive) {
  SessionSpec spec;
  spec.argv = {"cat"};
  auto s = StartOrDie(spec);
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(s->WaitForOutput(0, 0, Session::Clock::now() + milliseconds(50), nullptr));
  ASSERT_TRUE(s->Write("x", Session::Clock::now() + kLong).ok());
  EXPECT_TRUE(s->WaitForOutput(0, 0, Session::Clock::now() + kLong, nullptr));
  EXPECT_EQ(All(*s), "x");
}

TEST(Session, ACancelledWaitReturnsAndLeavesItRunning) {
  auto s = StartOrDie(Sh("sleep 100"));
  ASSERT_NE(s, nullptr);
  CancellationToken token;
  token.Cancel();
  EXPECT_FALSE(s->WaitForEnd(Session::Clock::now() + seconds(3600), &token));
  EXPECT_TRUE(s->state().running);
}

TEST(Session, MissingProgramIsNotFound) {
  SessionSpec spec;
  spec.argv = {"weft-no-such-program"};
  Result<std::unique_ptr<Session>> s = SystemSessionLauncher().Start(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace weft::proc
