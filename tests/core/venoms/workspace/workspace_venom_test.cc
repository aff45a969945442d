// The workspace venom over real workspaces, through the registry's checked Call.
#include "core/venoms/workspace/workspace_venom.h"

#include "tests/core/venoms/venom_fixture.h"

namespace weft::venoms {
namespace {

class WorkspaceVenomTest : public VenomTest {
 protected:
  WorkspaceVenomTest() : VenomTest("workspace") {}
  void SetUp() override {
    tmp_.WriteFile("proj/a.txt", "a\n");
    tmp_.WriteFile("docs/b.md", "b\n");
    MakeWorkspace({{"/", tmp_.Join("proj")}, {"/docs", tmp_.Join("docs") + ":ro"}}, false);
    RegisterWorkspaceVenom(*registry_, *workspaces_);
  }
};

TEST_F(WorkspaceVenomTest, InfoDescribesTheBinds) {
  Json info = Data("info", Json::object());
  EXPECT_EQ(info["id"], "w1");
  EXPECT_EQ(info["name"], "test");
  EXPECT_EQ(info["primary_dir"], tmp_.Join("proj"));
  EXPECT_EQ(info["read_only"], false);
  ASSERT_EQ(info["binds"].size(), 2u);
  EXPECT_EQ(info["binds"][0], (Json{{"path", "/"}, {"source", "host:" + tmp_.Join("proj")}, {"read_only", false}}));
  EXPECT_EQ(info["binds"][1], (Json{{"path", "/docs"}, {"source", "host:" + tmp_.Join("docs")}, {"read_only", true}}));
  Result<Reply> reply = Call("info", {{"workspace", "test"}});
  ASSERT_TRUE(reply.ok());
  EXPECT_NE(Text(*reply).find("/docs"), std::string::npos);
}

TEST_F(WorkspaceVenomTest, InfoOnAnUnknownWorkspaceNamesTheKnownOnes) {
  Status s = Error("info", {{"workspace", "nope"}});
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("w1"), std::string::npos) << s;
}

TEST_F(WorkspaceVenomTest, ReadOnlyWorkspaceMarksEveryBindReadOnly) {
  MakeWorkspace({{"/", tmp_.Join("proj")}}, true);
  RegisterWorkspaceVenom(*registry_, *workspaces_);
  Json info = Data("info", Json::object());
  EXPECT_EQ(info["read_only"], true);
  EXPECT_EQ(info["binds"][0]["read_only"], true);
}

TEST_F(WorkspaceVenomTest, ListShowsTheServedWorkspaces) {
  Json list = Data("list", Json::object());
  ASSERT_EQ(list["workspaces"].size(), 1u);
  EXPECT_EQ(list["workspaces"][0], (Json{{"id", "w1"},
                                         {"name", "test"},
                                         {"primary_dir", tmp_.Join("proj")},
                                         {"read_only", false},
                                         {"binds", 2},
                                         {"default", true}}));
  EXPECT_EQ(Error("list", {{"workspace", "w1"}}).code(), StatusCode::kInvalidArgument);
}

TEST_F(WorkspaceVenomTest, OpsAreReadOnlyAndNeedOnlyFsRead) {
  for (const char* op : {"info", "list"}) {
    const Op* found = registry_->Find("workspace", op);
    ASSERT_NE(found, nullptr);
    EXPECT_TRUE(found->spec.annotations.read_only);
    EXPECT_TRUE(found->spec.annotations.idempotent);
    EXPECT_EQ(found->spec.right, Right::kFsRead);
  }
}

}  // namespace
}  // namespace weft::venoms
