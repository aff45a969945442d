// The /.weft tree of a real workspace with the built-in venoms: layout,
// README, workspace.json, catalog and schema files, call files.
#include "core/weftdir/weft_dir.h"

#include <unistd.h>

#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "core/venoms/builtin.h"
#include "core/venoms/catalog.h"
#include "core/weftdir/call_session.h"
#include "tests/support/temp_dir.h"

namespace weft::weftdir {
namespace {

class WeftDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.WriteFile("proj/src/a.c", "int a;\n");
    tmp_.WriteFile("docs/guide.md", "# guide\n");
    ns::MountTable table;
    ASSERT_TRUE(table.Add("/", *ns::Source::Parse(tmp_.Join("proj"))).ok());
    ASSERT_TRUE(table.Add("/docs", *ns::Source::Parse(tmp_.Join("docs") + ":ro")).ok());
    auto ws = ns::Workspace::Open("w1", "proj", std::move(table), false);
    ASSERT_TRUE(ws.ok()) << ws.status();
    workspace_ = ws->get();
    workspaces_.Add(std::move(ws).value());
    venoms::RegisterBuiltinVenoms(registry_, workspaces_);
    tree_ = NewWeftDir(*workspace_, registry_);
  }

  // The node at a '/'-separated path below the tree's root.
  std::optional<NodeInfo> At(const std::string& path) {
    std::optional<NodeInfo> node = tree_->Get(kRootId);
    for (const auto& part : std::filesystem::path(path)) {
      if (!node) return std::nullopt;
      node = tree_->Lookup(node->id, part.string());
    }
    return node;
  }
  std::string Read(const std::string& path) {
    std::optional<NodeInfo> node = At(path);
    EXPECT_TRUE(node) << path;
    if (!node) return "";
    Result<std::string> text = tree_->ReadFile(node->id);
    EXPECT_TRUE(text.ok()) << path << ": " << text.status();
    return text.ok() ? *text : "";
  }

  testing::ScopedTempDir tmp_;
  ns::Workspaces workspaces_;
  ns::Workspace* workspace_ = nullptr;
  venoms::Registry registry_;
  std::unique_ptr<NodeTree> tree_;
};

TEST_F(WeftDirTest, RootListsTheFourEntries) {
  std::vector<std::string> names;
  for (const NodeInfo& n : tree_->List(kRootId)) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"README.md", "workspace.json", "catalog", "venoms"}));
  EXPECT_EQ(At("catalog")->kind, NodeKind::kDirectory);
  EXPECT_EQ(At("README.md")->kind, NodeKind::kFile);
}

TEST_F(WeftDirTest, EveryOpHasACallFile) {
  size_t call_files = 0;
  for (const NodeInfo& venom : tree_->List(At("venoms")->id)) {
    for (const NodeInfo& op : tree_->List(venom.id)) {
      EXPECT_EQ(op.kind, NodeKind::kCallFile) << venom.name << "/" << op.name;
      EXPECT_NE(registry_.Find(venom.name, op.name), nullptr) << venom.name << "/" << op.name;
      ++call_files;
    }
  }
  EXPECT_EQ(call_files, registry_.ops().size());
  for (const auto& op : registry_.ops()) {
    std::optional<NodeInfo> node = At("venoms/" + op->spec.venom + "/" + op->spec.op);
    ASSERT_TRUE(node) << op->name;
    EXPECT_EQ(node->mode, 0666u);
  }
}

TEST_F(WeftDirTest, SchemaFilesAreTheEmbeddedSchemas) {
  for (const auto& op : registry_.ops()) {
    const std::string base = "catalog/schemas/" + op->spec.venom + "/" + op->spec.op;
    EXPECT_EQ(Json::parse(Read(base + ".input.json")), op->input->document()) << op->name;
    EXPECT_EQ(Json::parse(Read(base + ".output.json")), op->output->document()) << op->name;
  }
  size_t files = 0;
  for (const NodeInfo& venom : tree_->List(At("catalog/schemas")->id)) files += tree_->List(venom.id).size();
  EXPECT_EQ(files, 2 * registry_.ops().size());
}

TEST_F(WeftDirTest, CatalogIsTheRegistrysCatalog) {
  EXPECT_EQ(Json::parse(Read("catalog/venoms.json")), venoms::CatalogJson(registry_));
}

TEST_F(WeftDirTest, ReadmeMentionsEveryBindAndOp) {
  std::string readme = Read("README.md");
  EXPECT_NE(readme.find("`/docs`"), std::string::npos);
  EXPECT_NE(readme.find(tmp_.Join("docs")), std::string::npos);
  EXPECT_NE(readme.find(tmp_.Join("proj")), std::string::npos);
  EXPECT_NE(readme.find("read-only"), std::string::npos);
  EXPECT_NE(readme.find("exec 3<>"), std::string::npos);
  EXPECT_NE(readme.find("weft call"), std::string::npos);
  for (const auto& op : registry_.ops()) {
    EXPECT_NE(readme.find("`venoms/" + op->spec.venom + "/" + op->spec.op + "`"), std::string::npos) << op->name;
  }
  EXPECT_EQ(At("README.md")->size, readme.size());
}

TEST_F(WeftDirTest, WorkspaceJsonHasTheDocumentedShape) {
  Json ws = Json::parse(Read("workspace.json"));
  EXPECT_EQ(ws["id"], "w1");
  EXPECT_EQ(ws["name"], "proj");
  EXPECT_EQ(ws["primary_dir"], tmp_.Join("proj"));
  ASSERT_EQ(ws["binds"].size(), 2u);
  EXPECT_EQ(ws["binds"][0], (Json{{"path", "/"}, {"source", "host:" + tmp_.Join("proj")}, {"read_only", false}}));
  EXPECT_EQ(ws["binds"][1], (Json{{"path", "/docs"}, {"source", "host:" + tmp_.Join("docs")}, {"read_only", true}}));
  EXPECT_EQ(ws["nodes"], Json::array());
  EXPECT_EQ(ws["policy"], (Json{{"read_only", false}}));
  EXPECT_EQ(ws["health"]["ok"], true);
  EXPECT_EQ(ws["health"]["binds"][1], (Json{{"path", "/docs"}, {"reachable", true}}));
}

TEST_F(WeftDirTest, WorkspaceJsonReportsABindWhoseDirectoryWentAway) {
  std::filesystem::remove_all(tmp_.Join("docs"));
  Json ws = Json::parse(Read("workspace.json"));
  EXPECT_EQ(ws["health"]["ok"], false);
  EXPECT_EQ(ws["health"]["binds"][1]["reachable"], false);
  EXPECT_FALSE(ws["health"]["binds"][1]["problem"].get<std::string>().empty());
  EXPECT_EQ(ws["health"]["binds"][0]["reachable"], true);
}

TEST_F(WeftDirTest, MissingNamesAreNotFound) {
  EXPECT_FALSE(At("agents"));
  EXPECT_FALSE(At("catalog/nodes.json"));
  EXPECT_FALSE(At("venoms/fs/nope"));
  EXPECT_FALSE(At("venoms/nope"));
  EXPECT_FALSE(At("catalog/schemas/fs/read.json"));
}

TEST_F(WeftDirTest, IdsAreUniqueAndStable) {
  std::set<uint64_t> ids;
  std::vector<uint64_t> dirs = {kRootId};
  while (!dirs.empty()) {
    uint64_t dir = dirs.back();
    dirs.pop_back();
    for (const NodeInfo& n : tree_->List(dir)) {
      EXPECT_TRUE(ids.insert(n.id).second) << n.name;
      if (n.kind == NodeKind::kDirectory) dirs.push_back(n.id);
    }
  }
  EXPECT_EQ(At("venoms/fs/read")->id, At("venoms/fs/read")->id);
}

// A response is an error exactly when it has a top-level "error" object
// (docs/weftdir.md): no op's result may have one.
TEST_F(WeftDirTest, NoOpResultHasATopLevelErrorKey) {
  for (const auto& op : registry_.ops()) {
    EXPECT_FALSE(op->output->document().value("properties", Json::object()).contains("error")) << op->name;
    EXPECT_EQ(op->output->document().value("additionalProperties", true), false)
        << op->name << ": an open output schema could let an \"error\" through";
  }
}

TEST_F(WeftDirTest, CallFileRunsTheOpInThisWorkspace) {
  Result<std::unique_ptr<CallSession>> session = tree_->OpenCall(At("venoms/fs/read")->id);
  ASSERT_TRUE(session.ok());
  Result<std::string> response = RunCall(**session, R"({"path":"src/a.c"})");
  ASSERT_TRUE(response.ok());
  EXPECT_NE(response->find("int a;"), std::string::npos) << *response;
  session = tree_->OpenCall(At("venoms/fs/write")->id);
  ASSERT_TRUE(session.ok());
  response = RunCall(**session, R"({"path":"/docs/new.md","content":"x"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(Json::parse(*response)["error"]["status"], "permission_denied") << *response;
}

}  // namespace
}  // namespace weft::weftdir
