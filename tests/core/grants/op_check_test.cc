// Venom op calls against grants, over the real built-in ops and a real
// workspace: rights, declared paths read the way the ops read them (so
// "a/../b", "./a", doubled slashes and host paths cannot dodge a prefix),
// whole-workspace ops, and which ops tools/list would show.
#include "core/grants/op_check.h"

#include <set>

#include <gtest/gtest.h>

#include "core/venoms/builtin.h"
#include "tests/support/temp_dir.h"

namespace weft::grants {
namespace {

class OpCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.WriteFile("proj/src/a.c", "int a;\n");
    tmp_.WriteFile("proj/docs/x.md", "# x\n");
    ns::MountTable table;
    ASSERT_TRUE(table.Add("/", ns::Source{ns::Source::Kind::kHost, "", tmp_.Join("proj"), false}).ok());
    auto ws = ns::Workspace::Open("ws_test", "test", std::move(table), false);
    ASSERT_TRUE(ws.ok()) << ws.status();
    workspaces_.Add(std::move(ws).value());
    venoms::RegisterBuiltinVenoms(registry_, workspaces_);
  }
  const venoms::Op& Op(const char* name) {
    const venoms::Op* op = registry_.FindByName(name);
    EXPECT_NE(op, nullptr) << name;
    return *op;
  }
  static Grant Make(GrantRequest request) {
    Result<Grant> g = Derive(Universal(), request, 1'700'000'000);
    EXPECT_TRUE(g.ok()) << g.status();
    return *g;
  }
  Status Paths(const Grant& g, const char* op, const Json& args) {
    return CheckOpPaths(g, Op(op), args, workspaces_);
  }

  weft::testing::ScopedTempDir tmp_;
  ns::Workspaces workspaces_;
  venoms::Registry registry_;
};

Grant SrcOnly() {
  GrantRequest r;
  r.read_paths = {"/src"};
  return Derive(Universal(), r, 1'700'000'000).value();
}

TEST_F(OpCheckTest, ReadPathsBoundReads) {
  Grant g = SrcOnly();
  EXPECT_TRUE(Paths(g, "fs_read", {{"path", "/src/a.c"}}).ok());
  EXPECT_TRUE(Paths(g, "fs_read", {{"path", "src/a.c"}}).ok());
  EXPECT_TRUE(Paths(g, "fs_read", {{"path", "./src//a.c"}}).ok());
  Status outside = Paths(g, "fs_read", {{"path", "/docs/x.md"}});
  EXPECT_EQ(DenialOf(outside), Denial::kPermissionDenied);
  EXPECT_NE(outside.message().find("fs_read needs to read /docs/x.md"), std::string::npos) << outside;
  EXPECT_NE(outside.message().find("/src"), std::string::npos) << outside;
  EXPECT_EQ(DenialOf(Paths(g, "fs_read", {{"path", "/src-evil/a.c"}})), Denial::kPermissionDenied);
  EXPECT_EQ(DenialOf(Paths(g, "fs_read_many", {{"paths", {"/src/a.c", "/docs/x.md"}}})),
            Denial::kPermissionDenied);
}

TEST_F(OpCheckTest, DotDotCannotDodgeAPrefix) {
  Grant g = SrcOnly();
  Status s = Paths(g, "fs_read", {{"path", "/src/../docs/x.md"}});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(".."), std::string::npos) << s;
}

TEST_F(OpCheckTest, HostPathsInsideABindAreCheckedAsTheirNamespacePath) {
  Grant g = SrcOnly();
  EXPECT_TRUE(Paths(g, "fs_read", {{"path", tmp_.Join("proj/src/a.c")}}).ok());
  EXPECT_EQ(DenialOf(Paths(g, "fs_read", {{"path", tmp_.Join("proj/docs/x.md")}})), Denial::kPermissionDenied);
}

TEST_F(OpCheckTest, DefaultPathsAreTheWorkspaceRoot) {
  Grant g = SrcOnly();
  EXPECT_EQ(DenialOf(Paths(g, "fs_list", Json::object())), Denial::kPermissionDenied);
  EXPECT_TRUE(Paths(g, "fs_list", {{"path", "/src"}}).ok());
  EXPECT_EQ(DenialOf(Paths(g, "search_code", {{"pattern", "x"}})), Denial::kPermissionDenied);
  EXPECT_TRUE(Paths(g, "search_code", {{"pattern", "x"}, {"path", "/src"}}).ok());
}

TEST_F(OpCheckTest, WritesNeedWritePaths) {
  GrantRequest r;
  r.write_paths = {"/src"};
  Grant g = Make(r);
  EXPECT_TRUE(Paths(g, "fs_write", {{"path", "/src/b.c"}, {"content", ""}}).ok());
  EXPECT_EQ(DenialOf(Paths(g, "fs_write", {{"path", "/docs/b.md"}, {"content", ""}})), Denial::kPermissionDenied);
  // copy reads its source and writes its destination; move writes both.
  EXPECT_TRUE(Paths(g, "fs_copy", {{"source", "/docs/x.md"}, {"destination", "/src/x.md"}}).ok());
  EXPECT_EQ(DenialOf(Paths(g, "fs_move", {{"source", "/docs/x.md"}, {"destination", "/src/x.md"}})),
            Denial::kPermissionDenied);
  EXPECT_EQ(DenialOf(Paths(g, "fs_copy", {{"source", "/src/a.c"}, {"destination", "/docs/a.c"}})),
            Denial::kPermissionDenied);
}

TEST_F(OpCheckTest, WholeWorkspaceOpsNeedTheRoot) {
  GrantRequest r;
  r.write_paths = {"/src"};
  Grant g = Make(r);  // reads everything, writes /src
  EXPECT_TRUE(Paths(g, "git_status", Json::object()).ok());
  Status commit = Paths(g, "git_commit", {{"message", "m"}, {"path", "/src"}});
  EXPECT_EQ(DenialOf(commit), Denial::kPermissionDenied);
  EXPECT_NE(commit.message().find("whole workspace"), std::string::npos) << commit;
  EXPECT_EQ(DenialOf(Paths(g, "terminal_exec", {{"command", "true"}, {"cwd", "/src"}})), Denial::kPermissionDenied);
  EXPECT_EQ(DenialOf(Paths(SrcOnly(), "git_log", Json::object())), Denial::kPermissionDenied);
}

TEST_F(OpCheckTest, ReadOnlyGrantsPassReadRightsOnly) {
  GrantRequest r;
  r.read_only = true;
  Grant g = Make(r);
  EXPECT_TRUE(CheckOpRight(g, Op("fs_read")).ok());
  EXPECT_TRUE(CheckOpRight(g, Op("git_status")).ok());
  for (const char* name : {"fs_write", "git_commit", "terminal_exec", "workspace_mount"}) {
    Status s = CheckOpRight(g, Op(name));
    EXPECT_EQ(DenialOf(s), Denial::kPermissionDenied) << name;
    EXPECT_NE(s.message().find("read-only"), std::string::npos) << s;
  }
}

TEST_F(OpCheckTest, ToolGlobsAndDenies) {
  GrantRequest r;
  r.tools = {"fs_*"};
  r.deny_tools = {"fs_remove"};
  Grant g = Make(r);
  EXPECT_TRUE(CheckOpRight(g, Op("fs_read")).ok());
  Status other = CheckOpRight(g, Op("git_status"));
  EXPECT_EQ(DenialOf(other), Denial::kPermissionDenied);
  EXPECT_NE(other.message().find("allows only fs_*"), std::string::npos) << other;
  Status denied = CheckOpRight(g, Op("fs_remove"));
  EXPECT_NE(denied.message().find("deny_tools"), std::string::npos) << denied;
}

TEST_F(OpCheckTest, MayCallFiltersWhatCanNeverPass) {
  GrantRequest r;
  r.read_only = true;
  r.read_paths = {"/src"};
  Grant g = Make(r);
  std::set<std::string> shown;
  for (const auto& op : registry_.ops()) {
    if (MayCall(g, *op)) shown.insert(op->name);
  }
  EXPECT_TRUE(shown.count("fs_read"));
  EXPECT_TRUE(shown.count("search_code"));
  EXPECT_TRUE(shown.count("workspace_info"));
  EXPECT_FALSE(shown.count("fs_write"));     // a write right
  EXPECT_FALSE(shown.count("git_status"));   // needs all of "/"
  EXPECT_FALSE(shown.count("terminal_exec"));
}

// A path argument an op forgot to declare would go unchecked. The registry
// cannot tell a path from other strings (git's `from` is a revision), so
// this test names the argument spellings the ops use for workspace paths
// and requires each to be declared, or covered by a whole-workspace use.
TEST_F(OpCheckTest, EveryBuiltinPathArgumentIsDeclared) {
  const std::set<std::string> kPathNames = {"path", "paths", "source", "destination", "cwd", "file"};
  for (const auto& op : registry_.ops()) {
    bool whole = false;
    std::set<std::string> declared;
    for (const venoms::PathUse& use : op->spec.paths) {
      if (use.arg.empty() && use.fallback == "/") whole = true;
      declared.insert(use.arg);
    }
    const Json& props = op->input->document().value("properties", Json::object());
    for (const auto& [name, unused] : props.items()) {
      if (kPathNames.count(name) == 0) continue;
      EXPECT_TRUE(whole || declared.count(name)) << op->name << " takes the path argument \"" << name
                                                 << "\" without declaring it in OpSpec::paths";
    }
  }
}

}  // namespace
}  // namespace weft::grants
