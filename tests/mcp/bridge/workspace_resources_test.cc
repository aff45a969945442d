// Workspace files as resources: URIs, reads by content, the top-level
// listing, and updates for subscribed URIs fed by change events.
#include "mcp/bridge/workspace_resources.h"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <gtest/gtest.h>

#include "core/base/base64.h"
#include "tests/support/fake_request_context.h"
#include "tests/support/temp_dir.h"

namespace weft::mcp {
namespace {

class WorkspaceResourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.WriteFile("proj/src/main.c", "int main(void) { return 0; }\n");
    tmp_.WriteFile("proj/my notes.md", "# notes\n");
    tmp_.WriteFile("proj/logo.png", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
    tmp_.WriteFile("docs/guide.md", "guide\n");
    tmp_.WriteFile("outside/secret", "secret\n");
    std::filesystem::create_symlink(tmp_.Join("outside"), tmp_.Join("proj/out"));
    ns::MountTable table;
    ASSERT_TRUE(table.Add("/", ns::Source{ns::Source::Kind::kHost, "", tmp_.Join("proj"), false}).ok());
    ASSERT_TRUE(table.Add("/docs", ns::Source{ns::Source::Kind::kHost, "", tmp_.Join("docs"), true}).ok());
    auto ws = ns::Workspace::Open("ws_1", "proj", std::move(table), false);
    ASSERT_TRUE(ws.ok()) << ws.status();
    workspaces_.Add(std::move(ws).value());
    bridge_ = std::make_unique<WorkspaceResources>(workspaces_, resources_);
    ASSERT_TRUE(bridge_->Register().ok());
  }
  Result<Json> Read(const std::string& uri) {
    testing::FakeRequestContext ctx(Era::kLegacy);
    return resources_.Read(ctx, uri);
  }

  weft::testing::ScopedTempDir tmp_;
  ns::Workspaces workspaces_;
  ResourceRegistry resources_;
  std::unique_ptr<WorkspaceResources> bridge_;
};

TEST(WorkspaceUriPath, EncodesWhatAPathMayNotHoldAndDecodesItBack) {
  EXPECT_EQ(EncodeUriPath("src/my file#1%.c"), "src/my%20file%231%25.c");
  EXPECT_EQ(*DecodeUriPath("src/my%20file%231%25.c"), "src/my file#1%.c");
  EXPECT_EQ(DecodeUriPath("bad%2").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeUriPath("nul%00byte").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(WorkspaceResourcesTest, ReadsTextFilesAsTextWithTheirMediaType) {
  Result<Json> c = Read("weft://proj/src/main.c");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ((*c)[0]["uri"], "weft://proj/src/main.c");
  EXPECT_EQ((*c)[0]["text"], "int main(void) { return 0; }\n");
  EXPECT_EQ((*c)[0]["mimeType"], "text/x-c");
  Result<Json> spaced = Read("weft://proj/my%20notes.md");
  ASSERT_TRUE(spaced.ok()) << spaced.status();
  EXPECT_EQ((*spaced)[0]["mimeType"], "text/markdown");
}

TEST_F(WorkspaceResourcesTest, ReadsBinaryFilesAsBlobs) {
  Result<Json> c = Read("weft://proj/logo.png");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ((*c)[0]["mimeType"], "image/png");
  ASSERT_TRUE((*c)[0].contains("blob"));
  EXPECT_EQ(*Base64Decode((*c)[0]["blob"].get<std::string>()), std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
}

TEST_F(WorkspaceResourcesTest, ReadsDirectoriesAsListingsIncludingChildBinds) {
  Result<Json> c = Read("weft://proj/");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ((*c)[0]["mimeType"], "inode/directory");
  const std::string text = (*c)[0]["text"];
  EXPECT_NE(text.find("src/\n"), std::string::npos) << text;
  EXPECT_NE(text.find("docs/\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("main.c"), std::string::npos) << "only the top level is listed";
}

TEST_F(WorkspaceResourcesTest, BindsAreReadableThroughTheirNamespacePath) {
  Result<Json> c = Read("weft://proj/docs/guide.md");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ((*c)[0]["text"], "guide\n");
}

TEST_F(WorkspaceResourcesTest, NothingOutsideTheWorkspaceIsReadable) {
  Result<Json> link = Read("weft://proj/out/secret");
  EXPECT_EQ(link.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(link.status().message().find("escapes the workspace"), std::string::npos) << link.status();
  EXPECT_EQ(Read("weft://proj/src/../../outside/secret").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Read("weft://proj/%2e%2e/outside/secret").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Read("weft://other/src/main.c").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Read("weft://proj" + tmp_.Join("outside/secret")).status().code(), StatusCode::kNotFound);
}

TEST_F(WorkspaceResourcesTest, LargeFilesAreRefusedWithAPointerToFsRead) {
  {
    std::ofstream big(tmp_.Join("proj/big.bin"));
    big.seekp((9 << 20) - 1);
    big.put('x');
  }
  Result<Json> c = Read("weft://proj/big.bin");
  EXPECT_EQ(c.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(c.status().message().find("fs_read"), std::string::npos) << c.status();
}

TEST_F(WorkspaceResourcesTest, ListsTheRootAndTopLevelEntries) {
  std::vector<Json> listed = resources_.ListDescriptors();
  std::vector<std::string> uris;
  for (const Json& d : listed) uris.push_back(d["uri"]);
  EXPECT_EQ(uris, (std::vector<std::string>{"weft://proj/", "weft://proj/docs", "weft://proj/logo.png",
                                            "weft://proj/my%20notes.md", "weft://proj/out", "weft://proj/src"}));
  EXPECT_EQ(listed[1]["mimeType"], "inode/directory");
  EXPECT_EQ(listed[2]["mimeType"], "image/png");
}

TEST_F(WorkspaceResourcesTest, SubscribedFilesGetUpdatesWhenTheyChange) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> updated;
  resources_.changes().Subscribe([&](const ChangeEvent& e) {
    if (e.kind != ChangeKind::kResourceUpdated) return;
    std::lock_guard<std::mutex> lock(mu);
    updated.push_back(e.uri);
    cv.notify_all();
  });
  resources_.AddInterest("weft://proj/src/main.c");
  tmp_.WriteFile("proj/src/other.c", "unrelated\n");
  tmp_.WriteFile("proj/src/main.c", "int main(void) { return 1; }\n");
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return !updated.empty(); }));
  EXPECT_EQ(updated.front(), "weft://proj/src/main.c");
  for (const std::string& uri : updated) EXPECT_EQ(uri, "weft://proj/src/main.c");
  lock.unlock();
  resources_.DropInterest("weft://proj/src/main.c");
}

TEST_F(WorkspaceResourcesTest, SubscribedDirectoriesGetUpdatesForTheirEntries) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> updated;
  resources_.changes().Subscribe([&](const ChangeEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    if (e.kind == ChangeKind::kResourceUpdated) updated.push_back(e.uri);
    cv.notify_all();
  });
  resources_.AddInterest("weft://proj/src");
  tmp_.WriteFile("proj/src/new.c", "new\n");
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return !updated.empty(); }));
  EXPECT_EQ(updated.front(), "weft://proj/src");
}

}  // namespace
}  // namespace weft::mcp
