// Integration tests: `weft call` on the real binary — in-process over a
// workspace, request from stdin, exit codes, suggestions, and the call-file
// path taken with --mount.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

using Json = nlohmann::json;

std::string Weft() { return BinaryDir() + "/bin/weft"; }

class WeftCall : public ::testing::Test {
 protected:
  void SetUp() override { tmp_.WriteFile("proj/src/a.c", "int a;\n"); }
  // weft call ARGS… over tmp_/proj with its state in tmp_/state.
  RunResult Call(std::vector<std::string> args, const std::string& stdin_data = "") {
    std::vector<std::string> argv = {Weft(), "call"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--workspace", tmp_.Join("proj"), "--state", tmp_.Join("state")});
    return weft::testing::Run(argv, stdin_data);
  }
  ScopedTempDir tmp_;
};

TEST_F(WeftCall, RunsAnOpInProcessAndPrintsItsResult) {
  RunResult r = Call({"fs.read", R"({"path":"src/a.c"})"});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  Json out = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << r.out;
  EXPECT_NE(out.dump().find("int a;"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.back(), '\n');
}

TEST_F(WeftCall, ReadsTheRequestFromStdinAndTakesToolNames) {
  RunResult r = Call({"fs_read", "-"}, R"({"path":"/src/a.c"})");
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_NE(r.out.find("int a;"), std::string::npos) << r.out;
}

TEST_F(WeftCall, NoRequestMeansNoArguments) {
  RunResult r = Call({"workspace.info"});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["primary_dir"], tmp_.Join("proj"));
}

TEST_F(WeftCall, AFailedOpExitsOneWithTheErrorResponse) {
  RunResult r = Call({"fs.read", R"({"path":"missing.c"})"});
  EXPECT_EQ(r.exit_code(), 1);
  Json out = Json::parse(r.out, nullptr, false);
  EXPECT_EQ(out["error"]["status"], "not_found") << r.out;
  EXPECT_EQ(out["error"]["code"], 2);
  EXPECT_NE(r.err.find("missing.c"), std::string::npos) << r.err;
}

TEST_F(WeftCall, BadJsonAndNonObjectsAreUsageErrors) {
  RunResult bad = Call({"fs.read", "{path"});
  EXPECT_EQ(bad.exit_code(), 2);
  EXPECT_EQ(Json::parse(bad.out)["error"]["code"], -32700) << bad.out;
  RunResult array = Call({"fs.read", "[]"});
  EXPECT_EQ(array.exit_code(), 2);
  EXPECT_EQ(Json::parse(array.out)["error"]["code"], -32602) << array.out;
}

TEST_F(WeftCall, UnknownOpSuggestsCloseOnes) {
  RunResult r = Call({"fs.raed", "{}"});
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("unknown op 'fs.raed'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fs.read"), std::string::npos) << r.err;
  RunResult bad_name = Call({"fsread"});
  EXPECT_EQ(bad_name.exit_code(), 2);
  EXPECT_NE(bad_name.err.find("VENOM.OP"), std::string::npos) << bad_name.err;
}

TEST_F(WeftCall, MissingWorkspaceIsAUsageError) {
  RunResult r = weft::testing::Run(
      {Weft(), "call", "fs.list", "--workspace", tmp_.Join("nope"), "--state", tmp_.Join("state")});
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_NE(r.err.find(tmp_.Join("nope")), std::string::npos) << r.err;
}

// A stand-in for a mount's call file: a plain file whose bytes past the
// request are the "response", so the request written and the response read
// back through one open file are both visible.
TEST_F(WeftCall, WithMountWritesTheRequestToTheCallFileAndReadsTheResponse) {
  const std::string padding(32, ' ');
  tmp_.WriteFile("mnt/.weft/venoms/fs/read", padding + "{\"answer\":1}\n");
  RunResult r = weft::testing::Run({Weft(), "call", "fs.read", R"({"path":"x"})", "--mount", tmp_.Join("mnt")});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_NE(r.out.find("{\"answer\":1}"), std::string::npos) << r.out;
  EXPECT_EQ(ReadFileOrDie(tmp_.Join("mnt/.weft/venoms/fs/read")).rfind(R"({"path":"x"})", 0), 0u);

  RunResult unknown = weft::testing::Run({Weft(), "call", "fs.raed", "--mount", tmp_.Join("mnt")});
  EXPECT_EQ(unknown.exit_code(), 2);
  EXPECT_NE(unknown.err.find("fs.read"), std::string::npos) << unknown.err;
  RunResult not_mount = weft::testing::Run({Weft(), "call", "fs.read", "--mount", tmp_.Join("proj")});
  EXPECT_EQ(not_mount.exit_code(), 2);
  EXPECT_NE(not_mount.err.find("not a weft mount"), std::string::npos) << not_mount.err;
}

}  // namespace
}  // namespace weft::testing
