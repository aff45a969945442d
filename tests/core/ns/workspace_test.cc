// Workspace: caller paths to canonical namespace paths, binds, read-only
// binds and workspaces, and picking a workspace by id or name.
#include "core/ns/workspace.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace weft::ns {
namespace {

class WorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.WriteFile("proj/src/a.c", "int a;\n");
    tmp_.WriteFile("docs/guide.md", "# guide\n");
    tmp_.WriteFile("proj-evil/x", "x");
    std::filesystem::create_symlink(tmp_.Join("proj-evil"), tmp_.Join("proj/out"));
  }
  std::unique_ptr<Workspace> Open(bool read_only = false, bool docs_ro = false) {
    MountTable table;
    EXPECT_TRUE(table.Add("/", Source{Source::Kind::kHost, "", tmp_.Join("proj"), false}).ok());
    EXPECT_TRUE(table.Add("/docs", Source{Source::Kind::kHost, "", tmp_.Join("docs"), docs_ro}).ok());
    auto ws = Workspace::Open("ws_1", "proj", std::move(table), read_only);
    EXPECT_TRUE(ws.ok()) << ws.status();
    return ws.ok() ? std::move(ws).value() : nullptr;
  }
  weft::testing::ScopedTempDir tmp_;
};

TEST_F(WorkspaceTest, CanonicalPathAcceptsRelativeAbsoluteAndDot) {
  auto ws = Open();
  EXPECT_EQ(*ws->CanonicalPath("src/a.c"), "/src/a.c");
  EXPECT_EQ(*ws->CanonicalPath("/src/a.c"), "/src/a.c");
  EXPECT_EQ(*ws->CanonicalPath("./src//a.c/"), "/src/a.c");
  EXPECT_EQ(*ws->CanonicalPath("."), "/");
  EXPECT_EQ(*ws->CanonicalPath(""), "/");
}

TEST_F(WorkspaceTest, CanonicalPathMapsHostPathsInsideABind) {
  auto ws = Open();
  EXPECT_EQ(*ws->CanonicalPath(tmp_.Join("proj/src/a.c")), "/src/a.c");
  EXPECT_EQ(*ws->CanonicalPath(tmp_.Join("proj")), "/");
  EXPECT_EQ(*ws->CanonicalPath(tmp_.Join("docs/guide.md")), "/docs/guide.md");
  // The sibling-prefix trick: /…/proj-evil is not under /…/proj, so it stays
  // a namespace path and is looked up inside the workspace.
  EXPECT_EQ(*ws->CanonicalPath(tmp_.Join("proj-evil/x")), tmp_.Join("proj-evil/x"));
  EXPECT_EQ(ws->OpenPath(tmp_.Join("proj-evil/x"), O_RDONLY).status().code(), StatusCode::kNotFound);
}

TEST_F(WorkspaceTest, CanonicalPathRefusesDotDotNulAndOverlongNames) {
  auto ws = Open();
  Result<std::string> up = ws->CanonicalPath("src/../../etc/passwd");
  EXPECT_EQ(up.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(up.status().message().find(".."), std::string::npos);
  EXPECT_EQ(ws->CanonicalPath(std::string("a\0b", 3)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ws->CanonicalPath(std::string(256, 'n')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ws->CanonicalPath("/" + std::string(4096, 'p')).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(WorkspaceTest, LocatePicksTheLongestBind) {
  auto ws = Open();
  Result<Place> doc = ws->Locate("/docs/guide.md", Access::kRead);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->mount->path, "/docs");
  EXPECT_EQ(doc->rest, "guide.md");
  Result<Place> src = ws->Locate("src/a.c", Access::kRead);
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(src->mount->path, "/");
  EXPECT_EQ(src->rest, "src/a.c");
  EXPECT_NE(doc->root_fd, src->root_fd);
  EXPECT_EQ(ws->PrimaryDir(), tmp_.Join("proj"));
}

TEST_F(WorkspaceTest, OpenPathReadsBeneathTheBindAndNamesNamespacePathsInErrors) {
  auto ws = Open();
  Result<UniqueFd> fd = ws->OpenPath("/docs/guide.md", O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.status();
  char buf[8] = {};
  EXPECT_EQ(::read(fd->get(), buf, 7), 7);
  EXPECT_EQ(std::string(buf), "# guide");
  Result<UniqueFd> missing = ws->OpenPath("/docs/nope.md", O_RDONLY);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/docs/nope.md"), std::string::npos) << missing.status();
}

TEST_F(WorkspaceTest, SymlinkLeavingTheBindEscapesTheWorkspace) {
  auto ws = Open();
  Result<UniqueFd> fd = ws->OpenPath("/out/x", O_RDONLY);
  EXPECT_EQ(fd.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(fd.status().message().find("/out/x escapes the workspace"), std::string::npos) << fd.status();
}

TEST_F(WorkspaceTest, WritesToReadOnlyBindsAndWorkspacesAreRefused) {
  auto ws = Open(false, /*docs_ro=*/true);
  Result<Place> w = ws->Locate("/docs/guide.md", Access::kWrite);
  EXPECT_EQ(w.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(w.status().message().find("read-only bind /docs"), std::string::npos) << w.status();
  EXPECT_TRUE(ws->Locate("/docs/guide.md", Access::kRead).ok());
  EXPECT_EQ(ws->OpenPath("/docs/new.md", O_WRONLY | O_CREAT | O_EXCL, 0644).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_FALSE(std::filesystem::exists(tmp_.Join("docs/new.md")));

  auto ro = Open(/*read_only=*/true);
  Result<UniqueFd> fd = ro->OpenPath("src/a.c", O_WRONLY | O_TRUNC);
  EXPECT_EQ(fd.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(fd.status().message().find("--read-only"), std::string::npos) << fd.status();
  EXPECT_EQ(testing::ReadFileOrDie(tmp_.Join("proj/src/a.c")), "int a;\n");
}

TEST_F(WorkspaceTest, OpenFailsNamingAMissingBindDirectory) {
  MountTable table;
  ASSERT_TRUE(table.Add("/", Source{Source::Kind::kHost, "", tmp_.Join("nope"), false}).ok());
  auto ws = Workspace::Open("ws_1", "x", std::move(table), false);
  EXPECT_FALSE(ws.ok());
  EXPECT_NE(ws.status().message().find(tmp_.Join("nope")), std::string::npos) << ws.status();
}

TEST_F(WorkspaceTest, HostDirsMapToTheNamespacePathsTheyCover) {
  auto ws = Open();
  using Paths = std::vector<std::string>;
  EXPECT_EQ(ws->NsPathsOfHostDir(tmp_.Join("proj/src")), Paths{"/src"});
  EXPECT_EQ(ws->NsPathsOfHostDir(tmp_.Join("proj")), Paths{"/"});
  EXPECT_EQ(ws->NsPathsOfHostDir(tmp_.Join("docs")), Paths{"/docs"});
  // A directory holding both binds covers both; one beside them, neither.
  EXPECT_EQ(ws->NsPathsOfHostDir(tmp_.path()), (Paths{"/", "/docs"}));
  EXPECT_TRUE(ws->NsPathsOfHostDir(tmp_.Join("proj-evil")).empty());
  EXPECT_TRUE(ws->NsPathsOfHostDir("/nonexistent-elsewhere").empty());
}

TEST_F(WorkspaceTest, NarrowedViewServesOnlyItsDirectoriesAndSaysWhy) {
  tmp_.WriteFile("proj/lib/b.c", "int b;\n");
  auto ws = Open();
  std::filesystem::create_directories(tmp_.Join("proj/src/deeper"));
  std::filesystem::create_directories(tmp_.Join("proj/src-x"));
  // "/src-x" sorts between "/src" and "/src/deeper": the nested one still folds into "/src".
  auto view = ws->Narrow({"/src", "/src-x", "/src/deeper", "/docs"},
                         "the client's roots limit this session to /src, /docs");
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ((*view)->id(), ws->id());
  EXPECT_TRUE((*view)->OpenPath("/src/a.c", O_RDONLY).ok());
  EXPECT_TRUE((*view)->OpenPath(tmp_.Join("proj/src/a.c"), O_RDONLY).ok());
  EXPECT_TRUE((*view)->OpenPath("/docs/guide.md", O_RDONLY).ok());
  for (const char* outside : {"/lib/b.c", "/", "/out/x"}) {
    Result<UniqueFd> fd = (*view)->OpenPath(outside, O_RDONLY);
    EXPECT_EQ(fd.status().code(), StatusCode::kPermissionDenied) << outside;
    EXPECT_NE(fd.status().message().find("client's roots limit this session to /src"), std::string::npos)
        << fd.status();
  }
  EXPECT_EQ((*view)->mounts().mounts().size(), 3u);  // /docs, /src, /src-x
  EXPECT_EQ((*view)->DefaultDir(), "/docs");
  EXPECT_EQ(ws->DefaultDir(), "/");
}

TEST_F(WorkspaceTest, NarrowedViewRefusesSymlinksLeavingItEvenInsideTheBind) {
  tmp_.WriteFile("proj/lib/secret", "s");
  std::filesystem::create_symlink("../lib/secret", tmp_.Join("proj/src/to-lib"));
  auto ws = Open();
  ASSERT_TRUE(ws->OpenPath("/src/to-lib", O_RDONLY).ok());  // inside the bind: fine unnarrowed
  auto view = ws->Narrow({"/src"}, "roots");
  ASSERT_TRUE(view.ok()) << view.status();
  Result<UniqueFd> fd = (*view)->OpenPath("/src/to-lib", O_RDONLY);
  EXPECT_EQ(fd.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(fd.status().message().find("escapes"), std::string::npos) << fd.status();
}

TEST_F(WorkspaceTest, NarrowingToTheRootKeepsNestedBindsAndReadOnlyRules) {
  auto ws = Open(false, /*docs_ro=*/true);
  auto view = ws->Narrow({"/"}, "");
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ((*view)->mounts().mounts().size(), 2u);
  EXPECT_TRUE((*view)->OpenPath("/docs/guide.md", O_RDONLY).ok());
  EXPECT_EQ((*view)->Locate("/docs/guide.md", Access::kWrite).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ws->Narrow({"/missing"}, "x").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(ws->Narrow({"/src/a.c"}, "x").ok());  // not a directory
}

TEST_F(WorkspaceTest, WorkspacesPickByIdThenNameAndListThemWhenUnknown) {
  Workspaces all;
  EXPECT_EQ(all.Pick("").status().code(), StatusCode::kFailedPrecondition);
  all.Add(Open());
  Result<Workspace*> first = all.Pick("");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->id(), "ws_1");
  EXPECT_EQ(*all.Pick("proj"), *first);
  EXPECT_EQ(*all.Pick("ws_1"), *first);
  Result<Workspace*> unknown = all.Pick("other");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("proj (ws_1)"), std::string::npos) << unknown.status();
}

}  // namespace
}  // namespace weft::ns
