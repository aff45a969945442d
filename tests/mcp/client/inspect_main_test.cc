// The mcp-inspect binary against a scripted stdio server: output and exit codes.
#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mcp/client/child_process.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::mcp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;
using weft::testing::RunResult;

class InspectMain : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* path = std::getenv("PATH");
    if (!FindExecutable("python3", path ? path : "").ok()) GTEST_SKIP() << "no python3 on PATH";
  }

  // mcp-inspect ARGS -- python3 scripted_server.py MODE
  static RunResult Inspect(std::vector<std::string> args, const std::string& mode) {
    std::vector<std::string> argv = {weft::testing::BinaryDir() + "/bin/mcp-inspect"};
    argv.insert(argv.end(), args.begin(), args.end());
    for (const auto& a : {std::string("--"), std::string("python3"),
                          weft::testing::SourceDir() + "/tests/mcp/client/testdata/scripted_server.py", mode}) {
      argv.push_back(a);
    }
    return weft::testing::Run(argv);
  }
};

TEST_F(InspectMain, ListsToolsAcrossPages) {
  RunResult r = Inspect({"tools"}, "legacy");
  EXPECT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("echo  read-only  Echoes its text argument."));
  EXPECT_THAT(r.out, HasSubstr("fail"));
  EXPECT_THAT(r.out, HasSubstr("2 tools"));
}

TEST_F(InspectMain, JsonPrintsTheRawResult) {
  RunResult r = Inspect({"--json", "call", "echo", R"({"text":"hi"})"}, "legacy");
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  Json result = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(result.is_object()) << r.out;
  EXPECT_EQ(result["content"][0]["text"], "hi");
  EXPECT_EQ(result["structuredContent"]["text"], "hi");

  RunResult tools = Inspect({"--json", "tools"}, "legacy");
  ASSERT_EQ(tools.exit_code(), 0) << tools.err;
  Json list = Json::parse(tools.out, nullptr, false);
  ASSERT_TRUE(list.is_object()) << tools.out;
  EXPECT_EQ(list["tools"].size(), 2u);
  EXPECT_FALSE(list.contains("nextCursor"));
}

TEST_F(InspectMain, AutoModeFindsTheModernEra) {
  RunResult r = Inspect({"--json", "info"}, "modern");
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  Json info = Json::parse(r.out, nullptr, false);
  EXPECT_EQ(info["era"], "modern");
  EXPECT_EQ(info["protocolVersion"], "2026-07-28");
  EXPECT_EQ(info["serverInfo"]["name"], "scripted");

  RunResult legacy = Inspect({"info"}, "legacy");
  ASSERT_EQ(legacy.exit_code(), 0) << legacy.err;
  EXPECT_THAT(legacy.out, HasSubstr("era:          legacy (protocol 2025-11-25)"));
}

TEST_F(InspectMain, ProgressAndLogsGoToStderrUnlessQuiet) {
  RunResult r = Inspect({"call", "echo", R"({"text":"x"})"}, "legacy");
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_EQ(r.out, "x\n");
  EXPECT_THAT(r.err, HasSubstr("[progress] 1/2 halfway"));
  RunResult quiet = Inspect({"-q", "call", "echo", R"({"text":"x"})"}, "legacy");
  ASSERT_EQ(quiet.exit_code(), 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
}

TEST_F(InspectMain, UsageErrorsExitOne) {
  RunResult no_server = weft::testing::Run({weft::testing::BinaryDir() + "/bin/mcp-inspect", "tools"});
  EXPECT_EQ(no_server.exit_code(), 1);
  EXPECT_THAT(no_server.err, HasSubstr("missing \"--\""));
  RunResult http = weft::testing::Run(
      {weft::testing::BinaryDir() + "/bin/mcp-inspect", "tools", "--", "https://example.com/mcp"});
  EXPECT_EQ(http.exit_code(), 1);
  EXPECT_THAT(http.err, HasSubstr("HTTP servers are not supported yet"));
  EXPECT_EQ(Inspect({"ping"}, "modern").exit_code(), 1);
}

TEST_F(InspectMain, ServerThatCannotStartOrDiesExitsTwo) {
  RunResult missing = weft::testing::Run(
      {weft::testing::BinaryDir() + "/bin/mcp-inspect", "tools", "--", "weft-no-such-server-xyz"});
  EXPECT_EQ(missing.exit_code(), 2);
  EXPECT_THAT(missing.err, HasSubstr("cannot start the server"));

  RunResult died = Inspect({"call", "echo", "{}"}, "die");
  EXPECT_EQ(died.exit_code(), 2);
  EXPECT_THAT(died.err, HasSubstr("the server closed the connection"));
  EXPECT_THAT(died.err, HasSubstr("exit status 3"));
}

TEST_F(InspectMain, TimeoutExitsTwo) {
  RunResult r = Inspect({"--timeout", "300", "call", "echo", "{}"}, "hang");
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_THAT(r.err, HasSubstr("no reply to tools/call within 300 ms"));
}

TEST_F(InspectMain, JsonRpcErrorExitsThreeWithCodeAndMessage) {
  RunResult r = Inspect({"call", "echo", "{}"}, "rpc-error");
  EXPECT_EQ(r.exit_code(), 3);
  EXPECT_THAT(r.err, HasSubstr("tools/call failed: JSON-RPC error -32602: Unknown tool: echo"));
  RunResult discover = Inspect({"discover"}, "legacy");
  EXPECT_EQ(discover.exit_code(), 3);
  EXPECT_THAT(discover.err, HasSubstr("-32601"));
}

TEST_F(InspectMain, SpecViolationsExitFourAndAreAllPrinted) {
  RunResult no_type = Inspect({"tools"}, "modern-no-result-type");
  EXPECT_EQ(no_type.exit_code(), 4);
  EXPECT_THAT(no_type.err, HasSubstr("spec error: server/discover: /resultType: is missing"));
  EXPECT_THAT(no_type.err, HasSubstr("spec error: tools/list: /resultType: is missing"));
  EXPECT_THAT(no_type.err, HasSubstr("spec error: tools/list (reply 2): /resultType: is missing"));

  RunResult schema = Inspect({"call", "echo", R"({"text":"x"})"}, "bad-structured");
  EXPECT_EQ(schema.exit_code(), 4);
  EXPECT_THAT(schema.err, HasSubstr("spec error: tools/call: /structuredContent/text"));

  RunResult block = Inspect({"call", "echo", R"({"text":"x"})"}, "bad-block");
  EXPECT_EQ(block.exit_code(), 4);
  EXPECT_THAT(block.err, HasSubstr("/content/0/data: is required"));

  RunResult empty = Inspect({"read", "mem://a"}, "empty-contents");
  EXPECT_EQ(empty.exit_code(), 4);
  EXPECT_THAT(empty.err, HasSubstr("/contents: is empty"));

  RunResult noisy = Inspect({"tools"}, "noisy");
  EXPECT_EQ(noisy.exit_code(), 4);
  EXPECT_THAT(noisy.err, HasSubstr("spec error: wire: the server sent a line that is not JSON: starting up..."));
}

TEST_F(InspectMain, ToolErrorExitsFive) {
  RunResult r = Inspect({"call", "fail"}, "legacy");
  EXPECT_EQ(r.exit_code(), 5);
  EXPECT_EQ(r.out, "it failed; try again\n");
  RunResult json = Inspect({"--json", "-q", "call", "fail"}, "modern");
  EXPECT_EQ(json.exit_code(), 5) << json.err;
  EXPECT_EQ(Json::parse(json.out, nullptr, false)["isError"], true);
}

TEST_F(InspectMain, OtherSubcommands) {
  RunResult read = Inspect({"read", "mem://a"}, "modern");
  EXPECT_EQ(read.exit_code(), 0) << read.err;
  EXPECT_EQ(read.out, "hello\n");
  RunResult prompt = Inspect({"prompt", "greet", R"({"who":"ada"})"}, "legacy");
  EXPECT_EQ(prompt.exit_code(), 0) << prompt.err;
  EXPECT_EQ(prompt.out, "[user] Hello ada\n");
  for (const char* command : {"resources", "templates", "prompts"}) {
    RunResult r = Inspect({command}, "legacy");
    EXPECT_EQ(r.exit_code(), 0) << command << ": " << r.err;
  }
  RunResult ping = Inspect({"--era", "legacy", "ping"}, "legacy");
  EXPECT_EQ(ping.exit_code(), 0) << ping.err;
  EXPECT_THAT(ping.out, HasSubstr("pong"));
  RunResult discover = Inspect({"--era", "modern", "discover"}, "modern");
  EXPECT_EQ(discover.exit_code(), 0) << discover.err;
  EXPECT_THAT(discover.out, HasSubstr("versions:     2026-07-28"));
}

TEST_F(InspectMain, TracePrintsEveryFrame) {
  RunResult r = Inspect({"--trace", "--era", "legacy", "ping"}, "legacy");
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(R"(-> {"id":1,"jsonrpc":"2.0","method":"initialize")"));
  EXPECT_THAT(r.err, HasSubstr(R"(<- {"jsonrpc": "2.0", "id": 1, "result": {"protocolVersion": "2025-11-25")"));
  EXPECT_THAT(r.err, HasSubstr(R"(-> {"jsonrpc":"2.0","method":"notifications/initialized"})"));
  EXPECT_THAT(r.err, HasSubstr(R"("method":"ping")"));
}

TEST_F(InspectMain, AServerIgnoringEofIsWarnedAbout) {
  RunResult r = Inspect({"tools"}, "slow-exit");
  EXPECT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("spec warning: shutdown: the server did not exit after its stdin closed"));
  EXPECT_THAT(Inspect({"-q", "tools"}, "slow-exit").err, Not(HasSubstr("spec warning")));
}

}  // namespace
}  // namespace weft::mcp
