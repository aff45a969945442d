// The session ops: a shell that keeps its state, reading by offset during
// and after the run, input and end of input, resize, signals, list, remove,
// and the limits on running and kept sessions.
#include <filesystem>

#include "tests/core/venoms/terminal/terminal_fixture.h"

namespace weft::venoms {
namespace {

using SessionsTest = TerminalVenomTest;

TEST_F(SessionsTest, AShellOnPipesKeepsItsStateBetweenWrites) {
  Json started = Data("start", {{"pty", false}});
  ASSERT_TRUE(started.contains("session"));
  std::string id = started["session"];
  EXPECT_EQ(started["pty"], false);
  ASSERT_TRUE(Data("write", {{"session", id}, {"data", "cd sub && export WEFT_X=5\n"}}).contains("bytes_written"));
  Data("write", {{"session", id}, {"data", "pwd -P; echo \"x=$WEFT_X\"\n"}});
  std::string out = ReadUntil(id, "x=5");
  EXPECT_EQ(out, std::filesystem::canonical(tmp_.Join("ws/sub")).string() + "\nx=5\n");
  Data("remove", {{"session", id}});
}

TEST_F(SessionsTest, AnInteractiveShellOnATerminalKeepsHistoryAndDirectory) {
  Json started = Data("start", Json::object());
  std::string id = started["session"];
  EXPECT_EQ(started["pty"], true);
  EXPECT_EQ(started["cols"], 80);
  Data("write", {{"session", id}, {"data", "echo weft-one; cd sub\n"}});
  std::string seen;
  ReadUntil(id, "weft-one\r\n", &seen);
  Data("write", {{"session", id}, {"data", "history; pwd -P; echo done-$((40+2))\n"}});
  ReadUntil(id, "done-42", &seen);
  EXPECT_NE(seen.find("echo weft-one; cd sub"), std::string::npos) << "history lists the first command: " << seen;
  EXPECT_NE(seen.find(std::filesystem::canonical(tmp_.Join("ws/sub")).string()), std::string::npos) << seen;
  pid_t pid = started["pid"];
  Json removed = Data("remove", {{"session", id}});
  EXPECT_EQ(removed["pid"], pid);
  EXPECT_EQ(removed["state"], "exited");
}

TEST_F(SessionsTest, OutputStaysReadableByOffsetAfterExit) {
  std::string id = Data("start", {{"command", "echo a; echo b >&2; exit 4"}, {"pty", false}})["session"];
  Json r = ReadUntilExit(id);
  EXPECT_EQ(r["state"], "exited");
  EXPECT_EQ(r["exit_code"], 4);
  EXPECT_EQ(r["stdout"]["text"], "a\n");
  EXPECT_EQ(r["stderr"]["text"], "b\n");
  // Still there, from any offset, until removed.
  Json again = Data("read", {{"session", id}, {"offset", 1}, {"stderr_offset", 0}, {"wait_ms", 0}});
  EXPECT_EQ(again["stdout"]["text"], "\n");
  EXPECT_EQ(again["stdout"]["offset"], 1);
  EXPECT_EQ(again["stdout"]["next_offset"], 2);
  // Without offsets a read goes on where the last one ended: nothing more.
  Result<Reply> next = Call("read", {{"session", id}, {"wait_ms", 0}});
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->data["stdout"]["text"], "");
  EXPECT_NE(Text(*next).find("(no more output)"), std::string::npos) << Text(*next);
  Data("remove", {{"session", id}});
  Result<Reply> gone = Call("read", {{"session", id}});
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
}

TEST_F(SessionsTest, AnOffsetPastTheEndIsRefused) {
  std::string id = Data("start", {{"command", "echo abc"}, {"pty", false}})["session"];
  ReadUntilExit(id);
  Result<Reply> r = Call("read", {{"session", id}, {"offset", 100}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(r.status().message().find("4 bytes so far"), std::string::npos) << r.status();
}

TEST_F(SessionsTest, WriteWithEofEndsTheInput) {
  std::string id = Data("start", {{"argv", {"cat"}}, {"pty", false}})["session"];
  Json w = Data("write", {{"session", id}, {"data", "hi\n"}, {"eof", true}});
  EXPECT_EQ(w["bytes_written"], 3);
  EXPECT_EQ(w["eof"], true);
  Json r = ReadUntilExit(id);
  EXPECT_EQ(r["exit_code"], 0);
  EXPECT_EQ(r["stdout"]["text"], "hi\n");
  Result<Reply> late = Call("write", {{"session", id}, {"data", "more"}});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SessionsTest, ResizeTellsTheProgramTheNewSize) {
  std::string id = Data("start", {{"command", "trap 'stty size' WINCH; stty size; echo ready; "
                                               "while :; do sleep 0.05; done"},
                                  {"cols", 100}, {"rows", 30}})["session"];
  std::string seen;
  ReadUntil(id, "ready", &seen);
  EXPECT_NE(seen.find("30 100"), std::string::npos) << seen;
  Json resized = Data("resize", {{"session", id}, {"cols", 120}, {"rows", 40}});
  EXPECT_EQ(resized["cols"], 120);
  EXPECT_NE(ReadUntil(id, "40 120", &seen).find("40 120"), std::string::npos) << seen;
  Json listed = Data("list", Json::object());
  EXPECT_EQ(listed["sessions"][0]["cols"], 120);
  std::string pipes = Data("start", {{"command", "sleep 987.201"}, {"pty", false}})["session"];
  Result<Reply> r = Call("resize", {{"session", pipes}, {"cols", 10}, {"rows", 10}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SessionsTest, SignalInterruptsTheForegroundJobNotTheShell) {
  std::string id = Data("start", Json::object())["session"];
  Data("write", {{"session", id}, {"data", "sleep 987.202\n"}});
  ASSERT_TRUE(ProcessesAppear("987.202"));
  Json sent = Data("signal", {{"session", id}, {"signal", "INT"}});
  EXPECT_EQ(sent["signal"], "SIGINT");
  EXPECT_NE(sent["process_group"], Data("list", Json::object())["sessions"][0]["pid"]) << "the job's own group";
  EXPECT_TRUE(NoProcessWith("987.202"));
  Data("write", {{"session", id}, {"data", "echo alive-$((1+1))\n"}});
  EXPECT_NE(ReadUntil(id, "alive-2").find("alive-2"), std::string::npos);
}

TEST_F(SessionsTest, ListDescribesSessionsAndRemoveForgetsThem) {
  EXPECT_TRUE(Data("list", Json::object())["sessions"].empty());
  std::string a = Data("start", {{"command", "sleep 987.203"}, {"pty", false}, {"cwd", "sub"}})["session"];
  std::string b = Data("start", {{"command", "echo done"}, {"pty", false}})["session"];
  ReadUntilExit(b);
  Json list = Data("list", Json::object());
  ASSERT_EQ(list["sessions"].size(), 2u);
  EXPECT_EQ(list["running"], 1);
  EXPECT_EQ(list["sessions"][0]["session"], a);
  EXPECT_EQ(list["sessions"][0]["cwd"], "/sub");
  EXPECT_EQ(list["sessions"][0]["state"], "running");
  EXPECT_EQ(list["sessions"][0]["command"], "sleep 987.203");
  EXPECT_EQ(list["sessions"][1]["state"], "exited");
  EXPECT_EQ(list["sessions"][1]["exit_code"], 0);
  Data("remove", {{"session", a}});
  Data("remove", {{"session", b}});
  EXPECT_TRUE(Data("list", Json::object())["sessions"].empty());
  EXPECT_TRUE(NoProcessWith("987.203"));
  Result<Reply> again = Call("remove", {{"session", a}});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kNotFound);
}

TEST_F(SessionsTest, RunningProcessesAreBounded) {
  TerminalOptions options;
  options.max_running = 2;
  Register(options);
  std::string a = Data("start", {{"command", "sleep 987.204"}, {"pty", false}})["session"];
  std::string b = Data("exec", {{"command", "sleep 987.204"}, {"wait_ms", 0}})["session"];
  Result<Reply> third = Call("start", {{"command", "sleep 987.204"}});
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(third.status().message().find(a), std::string::npos) << third.status();
  EXPECT_NE(third.status().message().find(b), std::string::npos) << third.status();
  EXPECT_FALSE(Call("exec", {{"command", "true"}}).ok()) << "exec counts too";
  Data("remove", {{"session", a}});
  EXPECT_TRUE(Call("exec", {{"command", "true"}}).ok());
  Data("remove", {{"session", b}});
  EXPECT_TRUE(NoProcessWith("987.204"));
}

TEST_F(SessionsTest, TheOldestFinishedSessionMakesRoom) {
  TerminalOptions options;
  options.max_running = 1;
  options.max_sessions = 2;
  Register(options);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(Data("start", {{"command", "echo " + std::to_string(i)}, {"pty", false}})["session"]);
    ReadUntilExit(ids.back());
  }
  Json list = Data("list", Json::object());
  ASSERT_EQ(list["sessions"].size(), 2u);
  EXPECT_EQ(list["sessions"][0]["session"], ids[1]);
  EXPECT_EQ(list["sessions"][1]["session"], ids[2]);
  EXPECT_FALSE(Call("read", {{"session", ids[0]}}).ok());
}

TEST_F(SessionsTest, DestroyingTheRegistryKillsItsSessions) {
  Data("start", {{"command", "sleep 987.205"}, {"pty", false}});
  Data("start", {{"command", "sleep 987.205"}});
  ASSERT_TRUE(ProcessesAppear("987.205", 2));
  registry_.reset();
  EXPECT_TRUE(NoProcessWith("987.205"));
}

TEST_F(SessionsTest, ALauncherFailureIsAnErrorAndFreesTheSlot) {
  TerminalOptions options;
  options.max_running = 1;
  Register(options);
  launcher_.FailWith(Status::ResourceExhausted("cannot run 'x': too many processes"));
  for (int i = 0; i < 3; ++i) {
    Result<Reply> r = Call("start", {{"command", "true"}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
    EXPECT_NE(r.status().message().find("too many processes"), std::string::npos) << r.status();
  }
}

}  // namespace
}  // namespace weft::venoms
