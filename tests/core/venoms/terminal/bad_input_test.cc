// Commands that misbehave, and arguments that must be refused: each gets a
// clear error or a bounded result, the server keeps answering, and no
// process is left behind (checked in /proc by a marker argument).
#include <unistd.h>

#include <filesystem>

#include "tests/core/venoms/terminal/terminal_fixture.h"

namespace weft::venoms {
namespace {

using BadInputTest = TerminalVenomTest;

TEST_F(BadInputTest, ACommandThatNeverExitsComesBackAsASessionAndMeetsItsTimeLimit) {
  Json d = Data("exec", {{"command", "while :; do sleep 987.301; done"}, {"wait_ms", 200}, {"timeout_ms", 1500}});
  EXPECT_EQ(d["state"], "running");
  ASSERT_TRUE(d.contains("session"));
  EXPECT_GE(d["elapsed_ms"].get<int64_t>(), 200);
  Json end = ReadUntilExit(d["session"]);
  EXPECT_EQ(end["state"], "exited");
  EXPECT_EQ(end["stopped_by"], "timeout");
  EXPECT_TRUE(end.contains("signal"));
  EXPECT_TRUE(NoProcessWith("987.301"));
}

TEST_F(BadInputTest, OneGibibyteOfOutputStaysBounded) {
  const uint64_t kGiB = uint64_t{1} << 30;
  Json d = Data("exec", {{"command", "yes 0123456789abcdef | head -c 1073741824; echo; echo the-end"},
                         {"wait_ms", 0}, {"max_output_bytes", 4096}});
  ASSERT_TRUE(d.contains("session"));
  std::string id = d["session"];
  // The server answers while the output streams in.
  Json list = Data("list", Json::object());
  EXPECT_EQ(list["sessions"].size(), 1u);
  Json page = Data("read", {{"session", id}, {"wait_ms", 1000}, {"max_bytes", 4096}});
  EXPECT_LE(page["stdout"]["text"].get<std::string>().size(), 4096u + 100);
  Json end = ReadUntilExit(id);
  ASSERT_EQ(end["state"], "exited");
  EXPECT_EQ(end["exit_code"], 0);
  EXPECT_EQ(end["stdout"]["total_bytes"], kGiB + 9);
  // From offset 0: the kept head, never more than asked.
  EXPECT_EQ(end["stdout"]["offset"], 0);
  EXPECT_LE(end["stdout"]["next_offset"].get<uint64_t>(), 32u << 10);
  EXPECT_EQ(end["stdout"]["text"].get<std::string>().rfind("0123456789abcdef\n", 0), 0u);
  // From the middle: the bytes in between are gone, and counted.
  Json tail = Data("read", {{"session", id}, {"offset", kGiB / 2}, {"wait_ms", 0}, {"max_bytes", 1 << 20}});
  uint64_t omitted = tail["stdout"]["omitted_bytes"];
  EXPECT_GT(omitted, 0u);
  EXPECT_EQ(tail["stdout"]["next_offset"], kGiB + 9);
  std::string text = tail["stdout"]["text"];
  EXPECT_NE(text.find("no longer kept"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 8), "the-end\n");
  EXPECT_LE(kGiB + 9 - (kGiB / 2 + omitted), (1u << 20) + 0u) << "about the last MiB is kept";
  Data("remove", {{"session", id}});
}

TEST_F(BadInputTest, AThousandChildrenAreAllStopped) {
  Json d = Data("exec", {{"command", "i=0; while [ $i -lt 1000 ]; do sleep 987.302 & i=$((i+1)); done; "
                                     "echo spawned; wait"},
                         {"wait_ms", 0}});
  ASSERT_TRUE(d.contains("session"));
  std::string id = d["session"];
  EXPECT_NE(ReadUntil(id, "spawned").find("spawned"), std::string::npos);
  EXPECT_EQ(ProcessesWith("987.302").size(), 1001u) << "1000 sleeps and the shell whose script names them";
  Json removed = Data("remove", {{"session", id}});
  EXPECT_EQ(removed["state"], "exited");
  EXPECT_TRUE(NoProcessWith("987.302"));
}

TEST_F(BadInputTest, ACommandThatClosesStdoutAndKeepsRunningIsStillASession) {
  Json d = Data("exec", {{"command", "echo bye; exec >&- 2>&-; sleep 987.303"}, {"wait_ms", 500}});
  EXPECT_EQ(d["state"], "running");
  std::string id = d["session"];
  std::string seen = d["stdout"]["text"];
  ReadUntil(id, "bye", &seen);
  EXPECT_EQ(seen, "bye\n");
  Json quiet = Data("read", {{"session", id}, {"wait_ms", 200}});
  EXPECT_EQ(quiet["state"], "running");
  EXPECT_EQ(quiet["stdout"]["text"], "");
  Data("remove", {{"session", id}});
  EXPECT_TRUE(NoProcessWith("987.303"));
}

TEST_F(BadInputTest, ACommandThatIgnoresSigtermIsKilled) {
  Json d = Data("exec", {{"command", "trap '' TERM HUP; echo ready; sleep 987.304; sleep 987.304"}, {"wait_ms", 0}});
  std::string id = d["session"];
  ReadUntil(id, "ready");
  ASSERT_TRUE(ProcessesAppear("987.304"));
  Json removed = Data("remove", {{"session", id}});
  EXPECT_EQ(removed["signal"], "SIGKILL");
  EXPECT_EQ(removed["stopped_by"], "stopped");
  EXPECT_TRUE(NoProcessWith("987.304"));
  // The same at a time limit, with nobody calling.
  Json timed = Data("exec", {{"command", "trap '' TERM HUP; sleep 987.305; sleep 987.305"},
                             {"timeout_ms", 300}, {"wait_ms", 50000}});
  EXPECT_EQ(timed["state"], "exited");
  EXPECT_EQ(timed["stopped_by"], "timeout");
  EXPECT_EQ(timed["signal"], "SIGKILL");
  EXPECT_TRUE(NoProcessWith("987.305"));
}

TEST_F(BadInputTest, AProgramThatDoesNotExistIsAClearError) {
  Result<Reply> r = Call("exec", {{"argv", {"weft-no-such-binary", "x"}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("weft-no-such-binary"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("command"), std::string::npos) << "says what to do instead";
  r = Call("start", {{"argv", {"/nonexistent/weft-tool"}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  // Through a shell it is the shell's own error, as a result.
  Json d = Data("exec", {{"command", "weft-no-such-binary"}});
  EXPECT_EQ(d["exit_code"], 127);
  EXPECT_NE(d["stderr"]["text"].get<std::string>().find("weft-no-such-binary"), std::string::npos);
  EXPECT_TRUE(Data("list", Json::object())["sessions"].empty());
}

TEST_F(BadInputTest, ACwdOutsideTheWorkspaceIsRefusedBeforeAnythingRuns) {
  std::filesystem::create_directory_symlink(tmp_.Join("outside"), tmp_.Join("ws/escape"));
  tmp_.WriteFile("ws/file.txt", "x");
  struct Case {
    const char* cwd;
    StatusCode code;
    const char* says;
  };
  for (const Case& c : {Case{"../outside", StatusCode::kInvalidArgument, ".."},
                        Case{"escape", StatusCode::kPermissionDenied, "escapes the workspace"},
                        Case{"/nonexistent", StatusCode::kNotFound, "nonexistent"},
                        Case{"file.txt", StatusCode::kInvalidArgument, "not a directory"}}) {
    for (const char* op : {"exec", "start"}) {
      Result<Reply> r = Call(op, {{"argv", {"pwd"}}, {"cwd", c.cwd}});
      ASSERT_FALSE(r.ok()) << op << " " << c.cwd;
      EXPECT_EQ(r.status().code(), c.code) << op << " " << c.cwd << ": " << r.status();
      EXPECT_NE(r.status().message().find(c.says), std::string::npos) << r.status();
      EXPECT_NE(r.status().message().find("cwd"), std::string::npos) << r.status();
    }
  }
  EXPECT_TRUE(launcher_.specs().empty()) << "nothing was started";
}

}  // namespace
}  // namespace weft::venoms
