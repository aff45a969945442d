// terminal_exec: results, argv versus shell, cwd, stdin, environment, output
// caps, handing back a session, progress, cancellation, time limits.
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <thread>

#include "tests/core/venoms/terminal/terminal_fixture.h"

namespace weft::venoms {
namespace {

using ExecTest = TerminalVenomTest;

TEST_F(ExecTest, ReturnsExitCodeStdoutAndStderr) {
  Result<Reply> r = Call("exec", {{"command", "echo out; echo err >&2; exit 3"}});
  ASSERT_TRUE(r.ok()) << r.status();
  const Json& d = r->data;
  EXPECT_EQ(d["state"], "exited");
  EXPECT_EQ(d["exit_code"], 3);
  EXPECT_FALSE(d.contains("session"));
  EXPECT_FALSE(d.contains("signal"));
  EXPECT_EQ(d["stdout"]["text"], "out\n");
  EXPECT_EQ(d["stderr"]["text"], "err\n");
  EXPECT_EQ(d["stdout"]["total_bytes"], 4);
  EXPECT_EQ(d["stdout"]["omitted_bytes"], 0);
  std::string text = Text(*r);
  EXPECT_NE(text.find("out\n[stderr]\nerr\n"), std::string::npos) << text;
  EXPECT_NE(text.find("exit code 3"), std::string::npos) << text;
  // Finished commands leave no session behind.
  EXPECT_TRUE(Data("list", Json::object())["sessions"].empty());
}

TEST_F(ExecTest, ArgvRunsWithoutAShell) {
  Json d = Data("exec", {{"argv", {"echo", "$HOME", "a  b", "*"}}});
  EXPECT_EQ(d["stdout"]["text"], "$HOME a  b *\n");
  EXPECT_EQ(d["command"], "echo '$HOME' 'a  b' '*'");
  ASSERT_EQ(launcher_.specs().size(), 1u);
  EXPECT_EQ(launcher_.specs()[0].argv, (std::vector<std::string>{"echo", "$HOME", "a  b", "*"}));
}

TEST_F(ExecTest, CommandRunsThroughTheShellOnlyWhenAsked) {
  Json d = Data("exec", {{"command", "echo a | tr a b"}});
  EXPECT_EQ(d["stdout"]["text"], "b\n");
  std::vector<std::string> argv = launcher_.specs().at(0).argv;
  ASSERT_EQ(argv.size(), 3u);
  EXPECT_EQ(argv[1], "-c");
  EXPECT_EQ(argv[2], "echo a | tr a b");
}

TEST_F(ExecTest, CommandAndArgvTogetherOrNeitherIsAnError) {
  Result<Reply> both = Call("exec", {{"command", "true"}, {"argv", {"true"}}});
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.status().code(), StatusCode::kInvalidArgument);
  Result<Reply> neither = Call("exec", Json::object());
  ASSERT_FALSE(neither.ok());
  EXPECT_NE(neither.status().message().find("command"), std::string::npos) << neither.status();
  EXPECT_TRUE(launcher_.specs().empty());
}

TEST_F(ExecTest, RunsInTheCwdBeneathTheWorkspace) {
  Json d = Data("exec", {{"argv", {"pwd", "-P"}}, {"cwd", "sub"}});
  EXPECT_EQ(d["stdout"]["text"], std::filesystem::canonical(tmp_.Join("ws/sub")).string() + "\n");
  d = Data("exec", {{"argv", {"pwd", "-P"}}});
  EXPECT_EQ(d["stdout"]["text"], std::filesystem::canonical(tmp_.Join("ws")).string() + "\n");
}

TEST_F(ExecTest, StdinIsFedThenClosedAndOtherwiseClosedAtOnce) {
  Json d = Data("exec", {{"argv", {"cat"}}, {"stdin", "hello\nworld"}});
  EXPECT_EQ(d["stdout"]["text"], "hello\nworld");
  EXPECT_EQ(d["exit_code"], 0);
  d = Data("exec", {{"argv", {"cat"}}, {"wait_ms", 30000}});
  EXPECT_EQ(d["state"], "exited") << "cat must see end-of-file, not wait";
  EXPECT_EQ(d["stdout"]["text"], "");
}

TEST_F(ExecTest, TheEnvironmentIsCuratedPlusWhatTheCallerPasses) {
  setenv("WEFT_TERMINAL_TEST_SECRET", "leak", 1);
  Json d = Data("exec", {{"argv", {"env"}}, {"env", {{"FOO", "bar"}, {"PAGER", "more"}}}});
  unsetenv("WEFT_TERMINAL_TEST_SECRET");
  std::string env = d["stdout"]["text"];
  EXPECT_EQ(env.find("WEFT_TERMINAL_TEST_SECRET"), std::string::npos) << env;
  for (const char* want : {"FOO=bar\n", "PAGER=more\n", "GIT_PAGER=cat\n", "GIT_TERMINAL_PROMPT=0\n", "TERM=dumb\n"}) {
    EXPECT_NE(env.find(want), std::string::npos) << want << " in " << env;
  }
}

TEST_F(ExecTest, ABadVariableNameIsRefused) {
  Result<Reply> r = Call("exec", {{"argv", {"env"}}, {"env", {{"A=B", "x"}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("A=B"), std::string::npos) << r.status();
}

TEST_F(ExecTest, LongOutputKeepsItsHeadAndTailAndCountsTheRest) {
  Json d = Data("exec", {{"argv", {"seq", "1", "100000"}}, {"max_output_bytes", 1024}, {"wait_ms", 50000}});
  ASSERT_EQ(d["state"], "exited");
  std::string text = d["stdout"]["text"];
  uint64_t total = d["stdout"]["total_bytes"];
  uint64_t omitted = d["stdout"]["omitted_bytes"];
  EXPECT_EQ(total, 588895u);  // the bytes of "1\n" … "100000\n"
  EXPECT_EQ(text.rfind("1\n2\n3\n", 0), 0u) << text.substr(0, 40);
  EXPECT_EQ(text.substr(text.size() - 13), "99999\n100000\n");
  EXPECT_NE(text.find("bytes omitted …]"), std::string::npos);
  EXPECT_EQ(omitted, total - 1024);
  EXPECT_LT(text.size(), 1200u);
}

TEST_F(ExecTest, ACommandThatOutlivesTheWaitBecomesASession) {
  Result<Reply> r = Call("exec", {{"command", "echo first; sleep 987.101"}, {"wait_ms", 0}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["state"], "running");
  ASSERT_TRUE(r->data.contains("session"));
  std::string id = r->data["session"];
  EXPECT_NE(Text(*r).find("terminal_read"), std::string::npos) << Text(*r);
  std::string seen = r->data["stdout"]["text"];
  EXPECT_NE(ReadUntil(id, "first", &seen).find("first"), std::string::npos) << seen;
  EXPECT_EQ(seen, "first\n") << "the read goes on where exec's reply ended";
  Json removed = Data("remove", {{"session", id}});
  EXPECT_EQ(removed["state"], "exited");
  EXPECT_EQ(removed["was_running"], true);
  EXPECT_EQ(removed["stopped_by"], "stopped");
  EXPECT_TRUE(NoProcessWith("987.101"));
}

TEST_F(ExecTest, ReportsProgressWhileItWaits) {
  TerminalOptions options;
  options.progress_interval = std::chrono::milliseconds(50);
  Register(options);
  Json d = Data("exec", {{"argv", {"sleep", "1"}}, {"wait_ms", 30000}});
  EXPECT_EQ(d["state"], "exited");
  ASSERT_FALSE(ctx_.progress().empty());
  double last = -1;
  for (const auto& note : ctx_.progress()) {
    EXPECT_GT(note.progress, last);
    last = note.progress;
    EXPECT_NE(note.message.find("sleep 1"), std::string::npos) << note.message;
  }
}

TEST_F(ExecTest, CancellationKillsTheProcessGroup) {
  std::thread canceller([this] {
    if (ProcessesAppear("987.102", 2)) ctx_.Cancel();
  });
  Result<Reply> r = Call("exec", {{"command", "sleep 987.102 & sleep 987.102; wait"}, {"wait_ms", 50000}});
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_TRUE(NoProcessWith("987.102"));
  EXPECT_TRUE(Data("list", Json::object())["sessions"].empty());
}

TEST_F(ExecTest, OnATerminalStdoutAndStderrArriveTogether) {
  Json d = Data("exec", {{"command", "test -t 0 && test -t 1 && echo tty; echo err >&2; stty size"},
                         {"pty", true}, {"cols", 91}, {"rows", 17}});
  EXPECT_EQ(d["state"], "exited");
  EXPECT_FALSE(d.contains("stderr"));
  std::string out = d["stdout"]["text"];
  EXPECT_NE(out.find("tty\r\nerr\r\n17 91"), std::string::npos) << out;
}

TEST_F(ExecTest, TheTimeLimitStopsIt) {
  Json d = Data("exec", {{"argv", {"sleep", "987.103"}}, {"timeout_ms", 300}, {"wait_ms", 50000}});
  EXPECT_EQ(d["state"], "exited");
  EXPECT_EQ(d["stopped_by"], "timeout");
  EXPECT_EQ(d["signal"], "SIGTERM");
  EXPECT_TRUE(NoProcessWith("987.103"));
}

}  // namespace
}  // namespace weft::venoms
