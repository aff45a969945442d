// Integration tests: `weft spawn` and `weft agents` on the real binary — an
// agent outlives the command that started it, is listed, followed, signalled
// and removed from other weft processes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

using Json = nlohmann::json;

std::string Weft() { return BinaryDir() + "/bin/weft"; }

class WeftAgents : public ::testing::Test {
 protected:
  void SetUp() override { tmp_.WriteFile("proj/notes.txt", "hello\n"); }
  RunResult Weft(const std::string& command, std::vector<std::string> args) {
    std::vector<std::string> argv = {weft::testing::Weft(), command, "--workspace", tmp_.Join("proj"), "--state",
                                     tmp_.Join("state")};
    argv.insert(argv.end(), args.begin(), args.end());
    return weft::testing::Run(argv);
  }
  Json Agents(std::vector<std::string> args) {
    args.push_back("--json");
    RunResult r = Weft("agents", args);
    EXPECT_EQ(r.exit_code(), 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  }
  ScopedTempDir tmp_;
};

TEST_F(WeftAgents, SpawnWaitPrintsTheOutputAndExitsWithTheAgentsCode) {
  RunResult r = Weft("spawn", {"--profile", "none", "--wait", "--", "sh", "-c", "cat notes.txt; exit 5"});
  EXPECT_EQ(r.exit_code(), 5) << r.err;
  EXPECT_EQ(r.out, "hello\n");
}

TEST_F(WeftAgents, ADetachedAgentIsListedSignalledAndRemovedByLaterCommands) {
  RunResult spawned = Weft("spawn", {"--profile", "none", "--name", "sleeper", "--", "sleep", "300"});
  ASSERT_EQ(spawned.exit_code(), 0) << spawned.err;
  std::string id = spawned.out.substr(0, spawned.out.find('\n'));
  ASSERT_EQ(id.rfind("ag_", 0), 0u) << spawned.out;
  Json list = Agents({"list"});
  ASSERT_EQ(list["agents"].size(), 1u) << list.dump();
  EXPECT_EQ(list["agents"][0].value("name", ""), "sleeper");
  EXPECT_EQ(list["agents"][0].value("state", ""), "running");
  EXPECT_EQ(Agents({"signal", id, "KILL"})["agent"].value("id", ""), id);
  Json done = Agents({"wait", id, "--timeout", "20"});
  EXPECT_EQ(done["agent"].value("state", ""), "killed");
  EXPECT_EQ(done["agent"].value("exit_signal", 0), 9);
  EXPECT_EQ(Agents({"remove", id}).value("removed", ""), id);
  EXPECT_TRUE(Agents({"list"})["agents"].empty());
}

TEST_F(WeftAgents, BadInvocationsFailWithClearMessages) {
  RunResult none = Weft("spawn", {});
  EXPECT_EQ(none.exit_code(), 2);
  EXPECT_NE(none.err.find("give the command after --"), std::string::npos) << none.err;
  RunResult bad_limit = Weft("spawn", {"--wall", "soon", "--", "true"});
  EXPECT_EQ(bad_limit.exit_code(), 2);
  EXPECT_NE(bad_limit.err.find("--wall"), std::string::npos) << bad_limit.err;
  RunResult unknown = Weft("agents", {"status", "ag_000000000000"});
  EXPECT_EQ(unknown.exit_code(), 1);
  EXPECT_NE(unknown.err.find("no agent"), std::string::npos) << unknown.err;
  RunResult missing = Weft("spawn", {"--profile", "none", "--", "no-such-program-xyz"});
  EXPECT_EQ(missing.exit_code(), 1);
  EXPECT_NE(missing.err.find("no-such-program-xyz"), std::string::npos) << missing.err;
}

TEST_F(WeftAgents, AnAgentCallsBackThroughWeftConnectUnderTheDefaultProfile) {
  // What the agent's MCP client does with its config: weft connect on the
  // socket in its home, MCP over stdin/stdout.
  std::string script =
      "printf '%s\\n' "
      "'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
      "\"capabilities\":{},\"clientInfo\":{\"name\":\"sh\",\"version\":\"1\"}}}' "
      "'{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}' "
      "'{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"fs_read\","
      "\"arguments\":{\"path\":\"notes.txt\"}}}' "
      "| \"$WEFT\" connect \"$HOME/.weft-mcp.sock\"";
  RunResult r = Weft("spawn", {"--wait", "--env", "WEFT=" + weft::testing::Weft(), "--", "sh", "-c", script});
  EXPECT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_NE(r.out.find("\"id\":2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hello\\n"), std::string::npos) << r.out;  // notes.txt, JSON-escaped
}

TEST_F(WeftAgents, WeftConnectSaysWhatIsWrong) {
  RunResult usage = weft::testing::Run({weft::testing::Weft(), "connect"});
  EXPECT_EQ(usage.exit_code(), 2);
  EXPECT_NE(usage.err.find("Usage: weft connect SOCKET"), std::string::npos) << usage.err;
  RunResult no_token = weft::testing::Run({"env", "-u", "WEFT_TOKEN", weft::testing::Weft(), "connect", tmp_.Join("s")});
  EXPECT_EQ(no_token.exit_code(), 1);
  EXPECT_NE(no_token.err.find("WEFT_TOKEN is not set"), std::string::npos) << no_token.err;
  RunResult nothing = weft::testing::Run({"env", "WEFT_TOKEN=wg_x", weft::testing::Weft(), "connect", tmp_.Join("s")});
  EXPECT_EQ(nothing.exit_code(), 1);
  EXPECT_NE(nothing.err.find(tmp_.Join("s")), std::string::npos) << nothing.err;
}

}  // namespace
}  // namespace weft::testing
