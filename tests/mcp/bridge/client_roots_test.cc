// ClientRootScopes: file URIs decoded, workspaces narrowed to the roots that
// cover part of them and left whole otherwise, and tools held to the result.
#include "mcp/bridge/client_roots.h"

#include <fcntl.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "core/venoms/builtin.h"
#include "mcp/bridge/venom_tools.h"
#include "tests/support/fake_request_context.h"
#include "tests/support/temp_dir.h"

namespace weft::mcp {
namespace {

TEST(FileUriPath, DecodesLocalFileUris) {
  EXPECT_EQ(FileUriPath("file:///home/me/proj"), "/home/me/proj");
  EXPECT_EQ(FileUriPath("file:///home/me/my%20proj/"), "/home/me/my proj");
  EXPECT_EQ(FileUriPath("file://localhost/srv/x?y#z"), "/srv/x");
  EXPECT_EQ(FileUriPath("file:///"), "/");
}

TEST(FileUriPath, RefusesOtherUrisAndBadEscapes) {
  EXPECT_EQ(FileUriPath("https://example.com/x"), std::nullopt);
  EXPECT_EQ(FileUriPath("file://otherhost/x"), std::nullopt);
  EXPECT_EQ(FileUriPath("file:relative"), std::nullopt);
  EXPECT_EQ(FileUriPath("file:///a%00b"), std::nullopt);
  EXPECT_EQ(FileUriPath("file:///a%zz"), std::nullopt);
  EXPECT_EQ(FileUriPath("file:///a%2"), std::nullopt);
}

class ClientRootsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::canonical(tmp_.path()).string();
    tmp_.WriteFile("proj/src/a.c", "int a;\n");
    tmp_.WriteFile("proj/lib/b.c", "int b;\n");
    ns::MountTable table;
    ASSERT_TRUE(table.Add("/", ns::Source{ns::Source::Kind::kHost, "", root_ + "/proj", false}).ok());
    auto ws = ns::Workspace::Open("ws_1", "proj", std::move(table), false);
    ASSERT_TRUE(ws.ok()) << ws.status();
    workspaces_.Add(std::move(ws).value());
  }
  std::string Uri(const std::string& rel) const { return "file://" + root_ + "/" + rel; }

  weft::testing::ScopedTempDir tmp_;
  std::string root_;
  ns::Workspaces workspaces_;
};

TEST_F(ClientRootsTest, ARootInsideTheWorkspaceNarrowsIt) {
  ClientRootScopes scopes(workspaces_);
  auto scoped = scopes.For({Uri("proj/src")});
  ASSERT_NE(scoped, nullptr);
  ns::Workspace* ws = scoped->Find("proj");
  ASSERT_NE(ws, nullptr);
  EXPECT_TRUE(ws->OpenPath("/src/a.c", O_RDONLY).ok());
  EXPECT_EQ(ws->OpenPath("/lib/b.c", O_RDONLY).status().code(), StatusCode::kPermissionDenied);
  // The same roots share one view; the served workspace itself is untouched.
  EXPECT_EQ(scopes.For({Uri("proj/src")}), scoped);
  EXPECT_TRUE(workspaces_.Find("proj")->OpenPath("/lib/b.c", O_RDONLY).ok());
}

TEST_F(ClientRootsTest, RootsThatCoverEverythingOrNothingNarrowNothing) {
  ClientRootScopes scopes(workspaces_);
  EXPECT_EQ(scopes.For({Uri("proj")}), nullptr);              // the whole workspace
  EXPECT_EQ(scopes.For({"file://" + root_}), nullptr);        // a directory holding it
  EXPECT_EQ(scopes.For({"file:///nonexistent/elsewhere"}), nullptr);  // unrelated: a hint, not a wall
  EXPECT_EQ(scopes.For({"https://example.com/"}), nullptr);
  EXPECT_EQ(scopes.For(std::vector<std::string>{}), nullptr);
}

TEST_F(ClientRootsTest, ToolsSeeOnlyTheClientsRoots) {
  venoms::Registry venoms;
  venoms::RegisterBuiltinVenoms(venoms, workspaces_);
  ClientRootScopes scopes(workspaces_);
  ToolSpec read = VenomToolSpec(*venoms.Find("fs", "read"), &scopes);
  testing::FakeRequestContext ctx(Era::kLegacy);
  ctx.set_client_roots(std::vector<std::string>{Uri("proj/src")});
  Result<ToolResult> inside = read.handler(ctx, {{"path", "src/a.c"}});
  ASSERT_TRUE(inside.ok()) << inside.status();
  Result<ToolResult> outside = read.handler(ctx, {{"path", "lib/b.c"}});
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.status().message().find("client's roots limit this session to /src"), std::string::npos)
      << outside.status();
  // Without roots, the whole workspace.
  testing::FakeRequestContext plain(Era::kLegacy);
  EXPECT_TRUE(read.handler(plain, {{"path", "lib/b.c"}}).ok());
}

}  // namespace
}  // namespace weft::mcp
