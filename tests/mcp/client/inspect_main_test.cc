// The mcp-inspect binary against a scripted stdio server and a fake
// Streamable HTTP server: output and exit codes.
#include <sys/wait.h>

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mcp/client/child_process.h"
#include "tests/mcp/client/fake_http_server.h"
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
      {weft::testing::BinaryDir() + "/bin/mcp-inspect", "--cwd", "/", "http://127.0.0.1:1/mcp", "tools"});
  EXPECT_EQ(http.exit_code(), 1);
  EXPECT_THAT(http.err, HasSubstr("--cwd applies to a server mcp-inspect starts"));
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

// mcp-inspect ARGS against a FakeHttpServer (its URL is one of ARGS).
RunResult InspectHttp(std::vector<std::string> args) {
  std::vector<std::string> argv = {weft::testing::BinaryDir() + "/bin/mcp-inspect"};
  argv.insert(argv.end(), args.begin(), args.end());
  return weft::testing::Run(argv);
}

TEST(InspectMainHttp, ToolsAndCallInEveryEra) {
  testing::FakeHttpServer server;
  for (const char* era : {"legacy", "modern", "auto"}) {
    SCOPED_TRACE(era);
    RunResult tools = InspectHttp({"--era", era, server.url(), "tools"});
    EXPECT_EQ(tools.exit_code(), 0) << tools.err;
    EXPECT_THAT(tools.out, HasSubstr("echo"));
    EXPECT_THAT(tools.out, HasSubstr("4 tools"));

    RunResult echo = InspectHttp({server.url(), "--era", era, "call", "echo", R"({"text":"hi","region":"eu"})"});
    EXPECT_EQ(echo.exit_code(), 0) << echo.err;
    EXPECT_EQ(echo.out, "hi\n");

    RunResult progress = InspectHttp({server.url(), "call", "progress", "--era", era});
    EXPECT_EQ(progress.exit_code(), 0) << progress.err;
    EXPECT_EQ(progress.out, "done\n");
    EXPECT_THAT(progress.err, HasSubstr("[progress] 1/2"));
    EXPECT_THAT(progress.err, HasSubstr("[progress] 2/2"));
  }
  RunResult info = InspectHttp({"--json", server.url(), "info"});
  ASSERT_EQ(info.exit_code(), 0) << info.err;
  EXPECT_EQ(Json::parse(info.out, nullptr, false)["era"], "modern");
  // The URL may also stand where a server command would.
  RunResult dashed = InspectHttp({"--era", "legacy", "tools", "--", server.url()});
  EXPECT_EQ(dashed.exit_code(), 0) << dashed.err;
}

TEST(InspectMainHttp, AutoModeFallsBackToALegacyOnlyServer) {
  testing::FakeHttpServer server([] {
    testing::FakeHttpServer::Options o;
    o.discover = false;
    return o;
  }());
  RunResult info = InspectHttp({server.url(), "info"});
  ASSERT_EQ(info.exit_code(), 0) << info.err;
  EXPECT_THAT(info.out, HasSubstr("era:          legacy (protocol 2025-06-18)"));
  RunResult traced = InspectHttp({server.url(), "--trace", "call", "echo", R"({"text":"traced"})"});
  EXPECT_EQ(traced.exit_code(), 0) << traced.err;
  EXPECT_EQ(traced.out, "traced\n");
  EXPECT_THAT(traced.err, HasSubstr(R"(<- {"error":{"code":-32600,"message":"Bad Request: missing Mcp-Session-Id"})"));
}

TEST(InspectMainHttp, EventStreamRepliesAndJsonRpcErrors) {
  testing::FakeHttpServer server([] {
    testing::FakeHttpServer::Options o;
    o.sse_replies = true;
    return o;
  }());
  RunResult echo = InspectHttp({"--era", "modern", server.url(), "call", "echo", R"({"text":"sse"})"});
  EXPECT_EQ(echo.exit_code(), 0) << echo.err;
  EXPECT_EQ(echo.out, "sse\n");
  RunResult unknown = InspectHttp({server.url(), "call", "nope"});
  EXPECT_EQ(unknown.exit_code(), 3);
  EXPECT_THAT(unknown.err, HasSubstr("tools/call failed: JSON-RPC error -32602: Unknown tool: nope"));
  RunResult dropped = InspectHttp({"--era", "modern", server.url(), "call", "drop"});
  EXPECT_EQ(dropped.exit_code(), 2);
  EXPECT_THAT(dropped.err, HasSubstr("ended the event stream before replying to tools/call"));
}

TEST(InspectMainHttp, CredentialsAndUnreachableServersExitTwo) {
  testing::FakeHttpServer server([] {
    testing::FakeHttpServer::Options o;
    o.token = "s3cret";
    return o;
  }());
  for (const char* era : {"legacy", "modern", "auto"}) {
    RunResult anonymous = InspectHttp({"--era", era, server.url(), "tools"});
    EXPECT_EQ(anonymous.exit_code(), 2) << era;
    EXPECT_THAT(anonymous.err, HasSubstr("HTTP 401 Unauthorized: the server requires a bearer token: pass --token"));
  }
  RunResult wrong = InspectHttp({"--token", "nope", server.url(), "tools"});
  EXPECT_EQ(wrong.exit_code(), 2);
  EXPECT_THAT(wrong.err, HasSubstr("check the token given with --token"));
  EXPECT_EQ(InspectHttp({"--token", "s3cret", server.url(), "tools"}).exit_code(), 0);
  EXPECT_EQ(InspectHttp({"--header", "Authorization: Bearer s3cret", server.url(), "tools"}).exit_code(), 0);

  weft::testing::Subprocess from_env({weft::testing::BinaryDir() + "/bin/mcp-inspect", "-q", server.url(), "tools"},
                                     {"WEFT_TOKEN=s3cret"});
  from_env.CloseStdin();
  std::optional<int> status = from_env.Wait(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << from_env.DrainStderr();

  int port = server.port();
  server.Stop();
  RunResult unreachable = InspectHttp({"--era", "legacy", "http://127.0.0.1:" + std::to_string(port) + "/mcp", "tools"});
  EXPECT_EQ(unreachable.exit_code(), 2);
  EXPECT_THAT(unreachable.err, HasSubstr("initialize failed: cannot connect to http://127.0.0.1:"));
}

}  // namespace
}  // namespace weft::mcp
