// Integration tests: the real weft binary serving workspaces over stdio —
// --workspace, --bind, --read-only, the state database, and bad flags.
#include <sys/stat.h>

#include <filesystem>
#include <optional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

using Json = nlohmann::json;
using std::chrono::seconds;

std::string Weft() { return BinaryDir() + "/bin/weft"; }

// `weft serve --stdio` over a temporary project, with its state alongside.
class ServedWorkspace {
 public:
  ServedWorkspace(const ScopedTempDir& tmp, std::vector<std::string> extra) {
    std::vector<std::string> argv = {Weft(), "serve", "--stdio", "--log-level", "warning", "--state",
                                     tmp.Join("state"), "--workspace", tmp.Join("proj")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    p_ = std::make_unique<Subprocess>(argv);
    Json init = Request(1, "initialize",
                        {{"protocolVersion", "2025-11-25"},
                         {"capabilities", Json::object()},
                         {"clientInfo", {{"name", "it"}, {"version", "1"}}}});
    instructions_ = init["result"].value("instructions", "");
    EXPECT_TRUE(p_->Write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n"));
  }
  Json Request(int id, const std::string& method, const Json& params) {
    Json msg = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
    EXPECT_TRUE(p_->Write(msg.dump() + "\n"));
    auto line = p_->ReadLine(seconds(20));
    if (!line) {
      ADD_FAILURE() << "no answer to " << method << "; stderr: " << p_->DrainStderr();
      return Json();
    }
    return Json::parse(*line, nullptr, false);
  }
  Json Call(int id, const std::string& tool, const Json& args) {
    return Request(id, "tools/call", {{"name", tool}, {"arguments", args}})["result"];
  }
  const std::string& instructions() const { return instructions_; }
  // Closes the server's stdin (as a client that goes away) and waits for it to exit.
  std::optional<int> End() {
    p_->CloseStdin();
    return p_->Wait(seconds(30));
  }

 private:
  std::unique_ptr<Subprocess> p_;
  std::string instructions_;
};

class WorkspaceServe : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.WriteFile("proj/src/a.c", "int a;\n");
    tmp_.WriteFile("ref/guide.md", "# guide\n");
  }
  ScopedTempDir tmp_;
};

TEST_F(WorkspaceServe, ServesTheWorkspaceTools) {
  ServedWorkspace w(tmp_, {});
  EXPECT_NE(w.instructions().find("proj"), std::string::npos) << w.instructions();
  Json list = w.Request(2, "tools/list", Json::object());
  std::vector<std::string> names;
  for (const Json& t : list["result"]["tools"]) names.push_back(t["name"]);
  EXPECT_NE(std::find(names.begin(), names.end(), "fs_read"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "search_code"), names.end());
  Json read = w.Call(3, "fs_read", {{"path", "src/a.c"}});
  EXPECT_FALSE(read.value("isError", false)) << read.dump();
  EXPECT_NE(read["content"][0]["text"].get<std::string>().find("int a;"), std::string::npos) << read.dump();
}

TEST_F(WorkspaceServe, BindsAreVisibleAndReadOnlyBindsRefuseWrites) {
  ServedWorkspace w(tmp_, {"--bind", "/ref=" + tmp_.Join("ref") + ":ro"});
  Json read = w.Call(2, "fs_read", {{"path", "/ref/guide.md"}});
  EXPECT_FALSE(read.value("isError", false)) << read.dump();
  Json write = w.Call(3, "fs_write", {{"path", "/ref/guide.md"}, {"content", "changed"}});
  EXPECT_TRUE(write.value("isError", false)) << write.dump();
  EXPECT_NE(write["content"][0]["text"].get<std::string>().find("read-only"), std::string::npos) << write.dump();
  EXPECT_EQ(ReadFileOrDie(tmp_.Join("ref/guide.md")), "# guide\n");
}

TEST_F(WorkspaceServe, ReadOnlyRefusesEveryChange) {
  ServedWorkspace w(tmp_, {"--read-only"});
  Json write = w.Call(2, "fs_write", {{"path", "src/a.c"}, {"content", "changed"}});
  EXPECT_TRUE(write.value("isError", false)) << write.dump();
  EXPECT_EQ(ReadFileOrDie(tmp_.Join("proj/src/a.c")), "int a;\n");
}

TEST_F(WorkspaceServe, RecordsTheWorkspaceInTheStateDatabaseAndKeepsItsId) {
  std::string first;
  {
    ServedWorkspace w(tmp_, {});
    Json got = w.Request(2, "prompts/get", {{"name", "onboard"}, {"arguments", Json::object()}});
    first = got["result"]["messages"][0]["content"]["text"];
  }
  struct stat st {};
  ASSERT_EQ(::stat(tmp_.Join("state/weft.db").c_str(), &st), 0);
  ServedWorkspace again(tmp_, {});
  Json got = again.Request(2, "prompts/get", {{"name", "onboard"}, {"arguments", Json::object()}});
  std::string second = got["result"]["messages"][0]["content"]["text"];
  auto id_of = [](const std::string& text) { return text.substr(text.find("(id "), 20); };
  EXPECT_EQ(id_of(first), id_of(second));
}

TEST_F(WorkspaceServe, BadWorkspaceAndBindFlagsFailWithClearErrors) {
  RunResult missing = ::weft::testing::Run({Weft(), "serve", "--stdio", "--state", tmp_.Join("state"), "--workspace",
                           tmp_.Join("nope")});
  EXPECT_EQ(missing.exit_code(), 1);
  EXPECT_NE(missing.err.find(tmp_.Join("nope")), std::string::npos) << missing.err;
  RunResult bad_bind = ::weft::testing::Run({Weft(), "serve", "--stdio", "--state", tmp_.Join("state"), "--workspace",
                            tmp_.Join("proj"), "--bind", "docs"});
  EXPECT_EQ(bad_bind.exit_code(), 1);
  EXPECT_NE(bad_bind.err.find("--bind docs"), std::string::npos) << bad_bind.err;
  RunResult fixture = ::weft::testing::Run({Weft(), "serve", "--stdio", "--conformance-fixture", "--read-only"});
  EXPECT_EQ(fixture.exit_code(), 2);
}

TEST_F(WorkspaceServe, AgentsTheServerStartedStopWithItUnlessDetached) {
  std::optional<ServedWorkspace> served(std::in_place, tmp_, std::vector<std::string>{});
  Json owned = served->Call(2, "agent_spawn", {{"command", {"sleep", "300"}}, {"profile", "none"}});
  Json detached =
      served->Call(3, "agent_spawn", {{"command", {"sleep", "300"}}, {"profile", "none"}, {"detach", true}});
  ASSERT_EQ(owned["structuredContent"]["agent"].value("state", ""), "running") << owned.dump();
  ASSERT_EQ(detached["structuredContent"]["agent"].value("state", ""), "running") << detached.dump();
  std::string owned_id = owned["structuredContent"]["agent"]["id"];
  std::string detached_id = detached["structuredContent"]["agent"]["id"];
  ASSERT_TRUE(served->End().has_value());
  served.reset();
  auto agents = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {Weft(), "agents"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--json", "--workspace", tmp_.Join("proj"), "--state", tmp_.Join("state")});
    RunResult r = weft::testing::Run(argv);
    EXPECT_EQ(r.exit_code(), 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  };
  EXPECT_EQ(agents({"status", owned_id})["agent"].value("state", ""), "killed");
  EXPECT_EQ(agents({"status", detached_id})["agent"].value("state", ""), "running");
  EXPECT_EQ(agents({"remove", detached_id}).value("was", ""), "running");
}

}  // namespace
}  // namespace weft::testing
