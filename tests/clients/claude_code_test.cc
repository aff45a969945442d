// Claude Code (2.1.330, the real CLI, written independently of weft) against
// `weft serve --conformance-fixture`, over stdio and over Streamable HTTP.
// `claude mcp add` records a server at local scope (in $HOME/.claude.json,
// keyed by the project directory): a command for stdio, or a URL and request
// headers for HTTP. `claude mcp get` connects to it (starting the stdio
// server itself), runs Claude Code's own handshake and tools/list, and prints
// "Status: ✔ Connected" or "Status: ✘ Failed to connect". It exits 0 either
// way, so the tests read the status text. Neither command needs an account or
// the network.
//
// Claude Code opens every connection with a `server/discover` probe in the
// 2026-07-28 (modern) protocol and falls back to `initialize` only when the
// probe fails. weft logs each request it serves, tagged with its era, so the
// server's debug log records which era Claude Code settled on.
//
// The client is the native binary of the platform package
// @anthropic-ai/claude-code-linux-<arch>, from the cache directory named by
// WEFT_TEST_CLIENTS, which scripts/test-clients.sh fills.
#include <gtest/gtest.h>
#include <sys/utsname.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/clients/test_clients.h"
#include "tests/clients/weft_http_server.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

using nlohmann::json;

constexpr char kConnected[] = "Status: ✔ Connected";
constexpr char kFailed[] = "Status: ✘ Failed to connect";

struct ClaudeRun {
  int exit_code = -1;  // -1: killed at the harness timeout
  std::string out;
  std::string err;
};

std::string Describe(const ClaudeRun& r) {
  return "exit code " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

// One request as weft's debug log records it: "<method> [target] [era] <n>us …".
struct LoggedRequest {
  std::string method;
  std::string era;  // "modern" or "legacy"
};

std::vector<LoggedRequest> ParseRequests(const std::string& log) {
  static const std::regex kLine(R"(\] (\S+)(?: \S+)? \[(modern|legacy)\] \d+us)");
  std::vector<LoggedRequest> requests;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, kLine)) requests.push_back({m[1].str(), m[2].str()});
  }
  return requests;
}

class ClaudeCode : public ::testing::Test {
 protected:
  void SetUp() override {
    struct utsname u;
    ASSERT_EQ(::uname(&u), 0);
    const std::string machine = u.machine;
    const std::string platform = machine == "aarch64" ? "linux-arm64" : "linux-x64";
    std::string skip;
    claude_ = FindTestClient("node_modules/@anthropic-ai/claude-code-" + platform + "/claude", "Claude Code", &skip);
    if (claude_.empty()) GTEST_SKIP() << skip;
    weft_ = BinaryDir() + "/bin/weft";
    ASSERT_TRUE(std::filesystem::exists(weft_)) << "weft binary missing: " << weft_;

    // A throwaway HOME keeps Claude Code's configuration (~/.claude.json,
    // ~/.claude/) away from the user's, and a throwaway temp directory takes
    // the per-project session directories it otherwise leaves in /tmp. The
    // project directory is the cwd that local-scope servers are keyed by.
    home_ = std::make_unique<ScopedTempDir>();
    tmp_ = std::make_unique<ScopedTempDir>();
    project_ = std::make_unique<ScopedTempDir>();
    logs_ = std::make_unique<ScopedTempDir>();
    project_path_ = std::filesystem::canonical(project_->path()).string();
  }

  // Runs `claude ARGS` in the project directory with the throwaway HOME and
  // temp directory, no auto-updater and no nonessential network traffic.
  // env(1) sets the directory and environment for the child alone.
  ClaudeRun Claude(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"env",
                                     "-C",
                                     project_path_,
                                     "-u",
                                     "CLAUDE_CONFIG_DIR",
                                     "-u",
                                     "XDG_CONFIG_HOME",
                                     "-u",
                                     "ANTHROPIC_API_KEY",
                                     "HOME=" + home_->path(),
                                     "TMPDIR=" + tmp_->path(),
                                     "CLAUDE_CODE_TMPDIR=" + tmp_->path(),
                                     "DISABLE_AUTOUPDATER=1",
                                     "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
                                     claude_};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = ::weft::testing::Run(argv, "", std::chrono::seconds(60));
    ClaudeRun run;
    run.exit_code = r.status == -1 ? -1 : r.exit_code();
    run.out = std::move(r.out);
    run.err = std::move(r.err);
    return run;
  }

  // `claude mcp add NAME -- COMMAND...` at the default (local) scope.
  void AddServer(const std::string& name, const std::vector<std::string>& command) {
    std::vector<std::string> args = {"mcp", "add", name, "--"};
    args.insert(args.end(), command.begin(), command.end());
    ClaudeRun r = Claude(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  // The local-scope entry `claude mcp add` wrote for NAME, proving the
  // throwaway HOME and the project directory were the ones used.
  json LocalServerConfig(const std::string& name) const {
    const std::string path = home_->Join(".claude.json");
    if (!std::filesystem::exists(path)) return json();
    json config = json::parse(ReadFileOrDie(path), nullptr, /*allow_exceptions=*/false);
    if (!config.is_object()) return json();
    const json projects = config.value("projects", json::object());
    if (!projects.contains(project_path_)) return json();
    return projects[project_path_].value("mcpServers", json::object()).value(name, json());
  }

  // weft's log at `path`, once it records a tools/list: `claude mcp get` can
  // exit as soon as it has the reply, a moment before weft logs the request.
  static std::string WeftLog(const std::string& path, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::string log =
          std::filesystem::exists(path) ? ReadFileOrDie(path) : std::string();
      for (const auto& r : ParseRequests(log)) {
        if (r.method == "tools/list") return log;
      }
      if (std::chrono::steady_clock::now() >= deadline) return log;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::string WeftLogPath() const { return logs_->Join("weft.log"); }

  // weft answers the server/discover probe, so Claude Code stays in the
  // 2026-07-28 era: no initialize, and every request (server/discover, a
  // subscriptions/listen stream, tools/list) arrives with modern per-request
  // metadata. Prints the sequence, naming the transport.
  static void ExpectModernEraThroughout(const std::string& log, const std::string& path,
                                        const std::string& transport) {
    const std::vector<LoggedRequest> requests = ParseRequests(log);
    ASSERT_GE(requests.size(), 2u) << "weft log " << path << ":\n" << log;
    EXPECT_EQ(requests[0].method, "server/discover") << log;
    EXPECT_EQ(requests[0].era, "modern") << log;
    bool listed_tools = false;
    for (const auto& req : requests) {
      EXPECT_EQ(req.era, "modern") << req.method << " was served in the legacy era\n" << log;
      EXPECT_NE(req.method, "initialize") << log;
      if (req.method == "tools/list") listed_tools = true;
    }
    EXPECT_TRUE(listed_tools) << "Claude Code never listed tools\n" << log;
    std::string sequence;
    for (const auto& req : requests) {
      sequence += (sequence.empty() ? "" : ", ") + req.method + " [" + req.era + "]";
    }
    std::cout << "[ era      ] Claude Code negotiated over " << transport << ": " << sequence
              << "\n";
  }

  std::string claude_, weft_, project_path_;
  std::unique_ptr<ScopedTempDir> home_, tmp_, project_, logs_;
};

TEST_F(ClaudeCode, ConnectsOverStdioAndNegotiatesModernEra) {
  const std::vector<std::string> command = {
      weft_, "serve", "--stdio", "--conformance-fixture", "--log-level", "debug",
      "--log-file", WeftLogPath()};
  ASSERT_NO_FATAL_FAILURE(AddServer("weft", command));

  json entry = LocalServerConfig("weft");
  ASSERT_TRUE(entry.is_object()) << "no local-scope entry for weft in "
                                 << home_->Join(".claude.json") << " under " << project_path_;
  EXPECT_EQ(entry.value("command", ""), weft_) << entry.dump();
  EXPECT_EQ(entry.value("args", json()),
            json(std::vector<std::string>(command.begin() + 1, command.end())))
      << entry.dump();

  ClaudeRun r = Claude({"mcp", "get", "weft"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find(kConnected), std::string::npos) << Describe(r);
  EXPECT_EQ(r.out.find("✘"), std::string::npos) << Describe(r);
  EXPECT_EQ(r.out.find("Failed"), std::string::npos) << Describe(r);

  // Claude Code starts stdio servers in the project directory, which is
  // what weft serves.
  const std::string log = WeftLog(WeftLogPath(), std::chrono::seconds(10));
  EXPECT_NE(log.find("serving " + project_path_ + " over stdio"), std::string::npos) << log;
  ExpectModernEraThroughout(log, WeftLogPath(), "stdio");
}

// The negative control: a server that exits at once must show the failure
// marker, so the check above can fail.
TEST_F(ClaudeCode, ReportsFailureForServerThatExitsAtOnce) {
  ASSERT_NO_FATAL_FAILURE(AddServer("broken", {"/bin/false"}));
  ClaudeRun r = Claude({"mcp", "get", "broken"});
  EXPECT_EQ(r.exit_code, 0) << "claude mcp get exits 0 even on failure\n" << Describe(r);
  EXPECT_NE(r.out.find(kFailed), std::string::npos) << Describe(r);
  EXPECT_EQ(r.out.find("✔"), std::string::npos) << Describe(r);
}

// Over HTTP the user starts weft and gives Claude Code the URL and the
// bearer token as a request header.
TEST_F(ClaudeCode, ConnectsOverHttpWithTokenAndNegotiatesModernEra) {
  WeftHttpServer server(weft_, {.log_level = "debug"});
  ASSERT_FALSE(server.url().empty()) << server.error();
  std::string why;
  const std::string token = server.Token(&why);
  ASSERT_FALSE(token.empty()) << why;

  // -H takes several values, so it comes after the name and URL, as in
  // `claude mcp add --help`.
  ClaudeRun add = Claude({"mcp", "add", "-t", "http", "weft-http", server.url(), "-H",
                          "Authorization: Bearer " + token});
  ASSERT_EQ(add.exit_code, 0) << Describe(add);
  json entry = LocalServerConfig("weft-http");
  ASSERT_TRUE(entry.is_object()) << "no local-scope entry for weft-http in "
                                 << home_->Join(".claude.json") << " under " << project_path_;
  EXPECT_EQ(entry.value("type", ""), "http") << entry.dump();
  EXPECT_EQ(entry.value("url", ""), server.url()) << entry.dump();
  EXPECT_EQ(entry.value("headers", json()), json({{"Authorization", "Bearer " + token}}))
      << entry.dump();

  ClaudeRun r = Claude({"mcp", "get", "weft-http"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find(kConnected), std::string::npos) << Describe(r) << "\nweft log:\n"
                                                       << server.Log();
  EXPECT_NE(r.out.find("Type: http"), std::string::npos) << Describe(r);
  EXPECT_EQ(r.out.find("✘"), std::string::npos) << Describe(r);

  const std::string log = WeftLog(server.log_path(), std::chrono::seconds(10));
  ExpectModernEraThroughout(log, server.log_path(), "HTTP");
}

// The negative control over HTTP: without the token weft answers 401, and
// Claude Code, finding no OAuth metadata to log in with, reports the failure.
TEST_F(ClaudeCode, ReportsFailureOverHttpWithoutToken) {
  WeftHttpServer server(weft_, {});
  ASSERT_FALSE(server.url().empty()) << server.error();
  ClaudeRun add = Claude({"mcp", "add", "-t", "http", "weft-no-token", server.url()});
  ASSERT_EQ(add.exit_code, 0) << Describe(add);
  ClaudeRun r = Claude({"mcp", "get", "weft-no-token"});
  EXPECT_EQ(r.exit_code, 0) << "claude mcp get exits 0 even on failure\n" << Describe(r);
  EXPECT_NE(r.out.find(kFailed), std::string::npos) << Describe(r);
  EXPECT_EQ(r.out.find("✔"), std::string::npos) << Describe(r);
}

}  // namespace
}  // namespace weft::testing
