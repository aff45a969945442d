// Replays every golden/**/*.golden transcript against the real server through
// the in-memory transport, and compares what it answers (normalised).
// MCP_GOLDEN_UPDATE=1 (or --update) rewrites the files; a mismatch writes
// <file>.actual beside the file.
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/grants/audit_log.h"
#include "core/grants/grant_store.h"
#include "core/ns/workspace.h"
#include "core/store/store.h"
#include "mcp/bridge/grant_gate.h"
#include "mcp/bridge/workspace_surface.h"
#include "mcp/fixture/conformance_fixture.h"
#include "mcp/jsonrpc/message.h"
#include "mcp/server/server.h"
#include "mcp/transport/memory_connection.h"
#include "tests/golden/golden_file.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

bool g_update = false;

constexpr auto kResponseTimeout = std::chrono::seconds(10);
// After a notification or a malformed frame: how long silence means "done".
constexpr auto kQuietPeriod = std::chrono::milliseconds(100);
// After a request's response: how long to keep listening for stragglers.
constexpr auto kLinger = std::chrono::milliseconds(25);

// Replaces values that differ from run to run with stable placeholders.
void Normalise(Json& j, const std::string& key = "") {
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) Normalise(v, k);
    return;
  }
  if (j.is_array()) {
    for (auto& v : j) Normalise(v, key);
    return;
  }
  if (key == "requestState" && j.is_string()) j = "<sealed>";
}

std::string Canonical(const std::string& line) {
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded()) return "<not JSON> " + line;
  Normalise(j);
  return mcp::SerializeJson(j);
}

// One server under test, served on its own thread over a memory pipe.
class Harness {
 public:
  explicit Harness(const std::vector<std::string>& setup) {
    bool fixture = std::find(setup.begin(), setup.end(), "fixture") != setup.end();
    mcp::ServerOptions options;
    options.version = "0.0.0-golden";
    options.instructions = "golden test server";
    if (auto it = std::find(setup.begin(), setup.end(), "page_size=2"); it != setup.end()) options.page_size = 2;
    if (fixture) {
      mcp::ConformanceFixtureOptions fo;
      fo.watched_resource_period = std::chrono::milliseconds(0);  // no timer updates in transcripts
      fixture_ = std::make_unique<mcp::ConformanceFixture>(tools_, resources_, prompts_, fo);
      Status s = fixture_->Register();
      EXPECT_TRUE(s.ok()) << s;
    }
    if (std::find(setup.begin(), setup.end(), "workspace") != setup.end()) SetUpWorkspace();
    std::shared_ptr<mcp::Gate> gate = GateFor(setup);
    server_ = std::make_unique<mcp::Server>(options, tools_, resources_, prompts_);
    auto [client, server_end] = mcp::MemoryConnection::Pair();
    client_ = std::move(client);
    server_end_ = std::move(server_end);
    thread_ = std::thread([this, gate] { server_->Serve(*server_end_, gate); });
  }
  ~Harness() {
    client_->Close();
    thread_.join();
  }

  // Sends the step's frame and collects what the server answers to it. The
  // placeholder "<sealed>" in a client line stands for the last requestState
  // the server issued (MRTR retries echo it verbatim).
  // The "workspace" setup: a small project served as workspace "golden", with
  // a read-only bind at /notes; its temporary path reads "<workspace>" in
  // transcripts.
  void SetUpWorkspace() {
    tmp_.WriteFile("proj/README.md", "# demo\n\nA small project for golden transcripts.\n");
    tmp_.WriteFile("proj/src/main.c", "#include \"util.h\"\n\nint main(void) { return answer() - 42; }\n");
    tmp_.WriteFile("proj/src/util.h", "static inline int answer(void) { return 42; }\n");
    tmp_.WriteFile("notes/todo.txt", "write more tests\n");
    ns::MountTable table;
    ASSERT_TRUE(table.Add("/", ns::Source{ns::Source::Kind::kHost, "", tmp_.Join("proj"), false}).ok());
    ASSERT_TRUE(table.Add("/notes", ns::Source{ns::Source::Kind::kHost, "", tmp_.Join("notes"), true}).ok());
    auto ws = ns::Workspace::Open("ws_golden", "golden", std::move(table), false);
    ASSERT_TRUE(ws.ok()) << ws.status();
    workspaces_.Add(std::move(ws).value());
    surface_ = std::make_unique<mcp::WorkspaceSurface>(workspaces_);
    Status s = surface_->Register(tools_, resources_, prompts_);
    ASSERT_TRUE(s.ok()) << s;
  }

  // Setup words that put the session under a grant (docs/grants.md):
  // allow=GLOB, deny=GLOB, read=PATH, write=PATH (each repeatable),
  // read_only and max_calls=N. Without any, the session is unrestricted.
  std::shared_ptr<mcp::Gate> GateFor(const std::vector<std::string>& setup) {
    Json request = Json::object();
    for (const std::string& word : setup) {
      size_t eq = word.find('=');
      std::string key = word.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : word.substr(eq + 1);
      if (key == "allow") request["tools"].push_back(value);
      if (key == "deny") request["deny_tools"].push_back(value);
      if (key == "read") request["read_paths"].push_back(value);
      if (key == "write") request["write_paths"].push_back(value);
      if (key == "read_only") request["read_only"] = true;
      if (key == "max_calls") request["max_calls"] = std::stoll(value);
    }
    if (request.empty()) return nullptr;
    Result<grants::GrantRequest> policy = grants::GrantRequestFromJson(request);
    EXPECT_TRUE(policy.ok()) << policy.status();
    auto store = store::Store::Open(store::Store::PathIn(tmp_.Join("state")));
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    grants_ = std::make_unique<grants::GrantStore>(*store_);
    audit_ = std::make_unique<grants::AuditLog>(*store_);
    auto issued = grants_->IssueRoot("golden", *policy);
    EXPECT_TRUE(issued.ok()) << issued.status();
    mcp::GrantServices services;
    services.grants = grants_.get();
    services.audit = audit_.get();
    services.venoms = surface_ != nullptr ? &surface_->venoms() : nullptr;
    services.workspaces = surface_ != nullptr ? &workspaces_ : nullptr;
    return std::make_shared<mcp::GrantGate>(services, issued->grant, "golden");
  }

  std::vector<std::string> Run(const GoldenStep& step) {
    std::vector<std::string> got;
    std::string frame_text = step.client;
    for (size_t at; (at = frame_text.find("\"<sealed>\"")) != std::string::npos;) {
      frame_text.replace(at, 10, "\"" + last_state_ + "\"");
    }
    EXPECT_TRUE(client_->Write(frame_text).ok());
    Json sent = Json::parse(frame_text, nullptr, false);
    bool wait_response = step.await_method.empty() && sent.is_object() && sent.contains("method") &&
                         sent.contains("id");
    auto deadline = std::chrono::steady_clock::now() + kResponseTimeout;
    bool answered = false;
    for (;;) {
      auto timeout = (wait_response || !step.await_method.empty())
                         ? std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
                         : (answered ? kLinger : kQuietPeriod);
      if (timeout.count() <= 0) {
        got.push_back("<timed out waiting for the server>");
        return got;
      }
      auto frame = client_->ReadFor(timeout);
      if (!frame) {
        if (wait_response || !step.await_method.empty()) continue;  // loop re-checks the deadline
        return got;
      }
      got.push_back(Canonical(WithoutTempPaths(*frame)));
      Json msg = Json::parse(*frame, nullptr, false);
      if (msg.is_object() && msg.contains("result") && msg["result"].is_object() &&
          msg["result"].contains("requestState") && msg["result"]["requestState"].is_string()) {
        last_state_ = msg["result"]["requestState"].get<std::string>();
      }
      if (!step.await_method.empty()) {
        if (msg.is_object() && msg.value("method", "") == step.await_method) return got;
      } else if (wait_response && msg.is_object() && !msg.contains("method") && msg.contains("id") &&
                 (msg["id"] == sent["id"] || msg["id"].is_null())) {
        // (an id-less error answers a request whose id could not be used)
        // The response came; linger briefly for anything sent after it.
        wait_response = false;
        answered = true;
      }
    }
  }

 private:
  // The temporary workspace's path reads "<workspace>", file times (RFC
  // 3339, as the fs tools report them) read "<time>", and grant ids (random)
  // read "gr_<id>".
  std::string WithoutTempPaths(std::string frame) const {
    for (size_t at; (at = frame.find(tmp_.path())) != std::string::npos;) {
      frame.replace(at, tmp_.path().size(), "<workspace>");
    }
    static const std::regex kTime(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)");
    static const std::regex kGrantId(R"(gr_[0-9a-f]{16})");
    return std::regex_replace(std::regex_replace(frame, kTime, "<time>"), kGrantId, "gr_<id>");
  }

  ScopedTempDir tmp_;
  std::unique_ptr<store::Store> store_;  // with a grant: its weft.db
  std::unique_ptr<grants::GrantStore> grants_;
  std::unique_ptr<grants::AuditLog> audit_;
  ns::Workspaces workspaces_;
  std::unique_ptr<mcp::WorkspaceSurface> surface_;
  mcp::ToolRegistry tools_;
  mcp::ResourceRegistry resources_;
  mcp::PromptRegistry prompts_;
  std::unique_ptr<mcp::ConformanceFixture> fixture_;
  std::unique_ptr<mcp::Server> server_;
  std::unique_ptr<mcp::MemoryConnection> client_;
  std::unique_ptr<mcp::MemoryConnection> server_end_;
  std::thread thread_;
  std::string last_state_;
};

std::vector<std::string> GoldenFiles() {
  std::vector<std::string> out;
  fs::path root = fs::path(SourceDir()) / "golden";
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".golden") {
      out.push_back(fs::relative(e.path(), root).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, MatchesTranscript) {
  fs::path path = fs::path(SourceDir()) / "golden" / GetParam();
  std::string text = ReadFileOrDie(path.string());
  std::string error;
  GoldenFile file = ParseGolden(text, &error);
  ASSERT_TRUE(error.empty()) << path << ": " << error;
  ASSERT_FALSE(file.steps.empty()) << path << " has no client lines";

  std::vector<std::vector<std::string>> actual;
  {
    Harness harness(file.setup);
    for (const auto& step : file.steps) actual.push_back(harness.Run(step));
  }
  for (const auto& lines : actual) {
    for (const auto& l : lines) {
      ASSERT_EQ(l.find("<timed out"), std::string::npos)
          << path << ": the server did not answer within " << kResponseTimeout.count() << " s";
    }
  }
  std::string rendered = RenderGolden(file, actual);
  fs::path actual_path = path.string() + ".actual";
  if (g_update) {
    std::ofstream(path, std::ios::binary) << rendered;
    fs::remove(actual_path);
    return;
  }
  bool same = true;
  for (size_t i = 0; i < file.steps.size(); ++i) {
    std::vector<std::string> expected;
    for (const auto& l : file.steps[i].expected) expected.push_back(Canonical(l));
    if (expected != actual[i]) {
      same = false;
      ADD_FAILURE() << path << ": step " << i + 1 << " (> " << file.steps[i].client.substr(0, 120)
                    << ")\n  expected:\n    "
                    << (expected.empty() ? "(nothing)" : ::testing::PrintToString(expected))
                    << "\n  actual:\n    " << (actual[i].empty() ? "(nothing)" : ::testing::PrintToString(actual[i]));
    }
  }
  if (!same) {
    std::ofstream(actual_path, std::ios::binary) << rendered;
    ADD_FAILURE() << "wrote " << actual_path << "; compare with: diff -u " << path << " " << actual_path
                  << "\n(if the new behaviour is right: MCP_GOLDEN_UPDATE=1 ctest -R Golden)";
  } else {
    fs::remove(actual_path);
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, ::testing::ValuesIn(GoldenFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(GoldenFileFormat, RoundTripsCommentsSetupAndSteps) {
  std::string text =
      "# header\n-- setup: fixture --\n# await: notifications/progress\n> {\"a\":1}\n< {\"b\":2}\n# tail\n";
  std::string error;
  GoldenFile f = ParseGolden(text, &error);
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_EQ(f.steps.size(), 1u);
  EXPECT_EQ(f.steps[0].await_method, "notifications/progress");
  EXPECT_EQ(f.setup, std::vector<std::string>{"fixture"});
  EXPECT_EQ(RenderGolden(f, {{"{\"b\":2}"}}), text);
}

TEST(GoldenFileFormat, RejectsServerLineBeforeClientLine) {
  std::string error;
  ParseGolden("-- setup: none --\n< {}\n", &error);
  EXPECT_NE(error.find("before any client line"), std::string::npos);
}

TEST(GoldenFileFormat, RequiresTheSetupLine) {
  std::string error;
  ParseGolden("# x\n> {}\n", &error);
  EXPECT_NE(error.find("setup"), std::string::npos);
}

}  // namespace
}  // namespace weft::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--update") weft::testing::g_update = true;
  }
  if (const char* env = std::getenv("MCP_GOLDEN_UPDATE"); env && std::string(env) == "1") {
    weft::testing::g_update = true;
  }
  return RUN_ALL_TESTS();
}
