// The workspace venom over real workspaces, through the registry's checked Call.
#include "core/venoms/workspace/workspace_venom.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/core/venoms/venom_fixture.h"

namespace weft::venoms {
namespace {

using testing::ReadFileOrDie;

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

TEST_F(WorkspaceVenomTest, ReadOpsAreReadOnlyAndNeedOnlyFsRead) {
  for (const char* op : {"info", "list"}) {
    const Op* found = registry_->Find("workspace", op);
    ASSERT_NE(found, nullptr);
    EXPECT_TRUE(found->spec.annotations.read_only);
    EXPECT_TRUE(found->spec.annotations.idempotent);
    EXPECT_EQ(found->spec.right, Right::kFsRead);
  }
}

TEST_F(WorkspaceVenomTest, MountOpsChangeTheHostAndNeedAdmin) {
  for (const char* op : {"mount", "unmount"}) {
    const Op* found = registry_->Find("workspace", op);
    ASSERT_NE(found, nullptr);
    EXPECT_FALSE(found->spec.annotations.read_only);
    EXPECT_FALSE(found->spec.annotations.idempotent);
    EXPECT_FALSE(found->spec.nonblocking);
    EXPECT_EQ(found->spec.right, Right::kAdmin);
  }
  EXPECT_TRUE(registry_->Find("workspace", "unmount")->spec.annotations.destructive);
}

TEST_F(WorkspaceVenomTest, MountOpsInAProcessThatHostsNoMountsSaySo) {
  ASSERT_EQ(::mkdir(tmp_.Join("mnt").c_str(), 0755), 0);
  Status s = Error("mount", {{"dir", tmp_.Join("mnt")}});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("weft mount"), std::string::npos) << s;
  EXPECT_EQ(Error("unmount", {{"dir", tmp_.Join("mnt")}}).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Data("info", Json::object())["mounts"], Json::array());
}

TEST_F(WorkspaceVenomTest, MountDirMustBeAbsolute) {
  EXPECT_EQ(Error("mount", {{"dir", "mnt"}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Error("unmount", {{"dir", "mnt"}}).code(), StatusCode::kInvalidArgument);
}

// Real mounts: root with /dev/fuse (CI); skipped elsewhere.
class WorkspaceMountTest : public WorkspaceVenomTest {
 protected:
  void SetUp() override {
    if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no usable /dev/fuse on this host";
    if (::geteuid() != 0 && ::access("/usr/bin/fusermount3", X_OK) != 0) GTEST_SKIP() << "not root, no fusermount3";
    WorkspaceVenomTest::SetUp();
    registry_ = std::make_unique<Registry>();  // again, with the mount ops hosting here
    mounts_ = std::make_unique<HostedMounts>(*registry_);
    RegisterWorkspaceVenom(*registry_, *workspaces_, mounts_.get());
    ASSERT_EQ(::mkdir(tmp_.Join("mnt").c_str(), 0755), 0);
    mnt_ = tmp_.Join("mnt");
  }
  static bool Exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
  }
  // Declared after the fixture's registry: the mounts go first.
  std::unique_ptr<HostedMounts> mounts_;
  std::string mnt_;
};

TEST_F(WorkspaceMountTest, MountServesTheWorkspaceUntilUnmount) {
  Json mounted = Data("mount", {{"dir", mnt_}});
  EXPECT_EQ(mounted, (Json{{"dir", mnt_}, {"workspace", "w1"}, {"read_only", false}, {"weft_dir", mnt_ + "/.weft"}}));
  EXPECT_EQ(ReadFileOrDie(mnt_ + "/a.txt"), "a\n");
  EXPECT_EQ(ReadFileOrDie(mnt_ + "/docs/b.md"), "b\n");
  EXPECT_TRUE(Exists(mnt_ + "/.weft/README.md"));
  EXPECT_TRUE(Exists(mnt_ + "/.weft/venoms/workspace/info"));
  EXPECT_EQ(Data("info", Json::object())["mounts"], (Json::array({{{"dir", mnt_}, {"read_only", false}}})));

  Status again = Error("mount", {{"dir", mnt_}});
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.message().find("workspace_unmount"), std::string::npos) << again;

  EXPECT_EQ(Data("unmount", {{"dir", mnt_}}), (Json{{"dir", mnt_}, {"workspace", "w1"}}));
  EXPECT_FALSE(Exists(mnt_ + "/a.txt"));
  EXPECT_EQ(Data("info", Json::object())["mounts"], Json::array());
  Status gone = Error("unmount", {{"dir", mnt_}});
  EXPECT_EQ(gone.code(), StatusCode::kNotFound);
  EXPECT_NE(gone.message().find("weft umount"), std::string::npos) << gone;
}

TEST_F(WorkspaceMountTest, ReadOnlyMountRefusesChanges) {
  Json mounted = Data("mount", {{"dir", mnt_}, {"read_only", true}});
  EXPECT_EQ(mounted["read_only"], true);
  EXPECT_EQ(ReadFileOrDie(mnt_ + "/a.txt"), "a\n");
  int fd = ::open((mnt_ + "/new.txt").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  EXPECT_EQ(fd, -1);
  EXPECT_EQ(errno, EROFS);
  if (fd >= 0) ::close(fd);
}

TEST_F(WorkspaceMountTest, RefusesAMountPointInsideABind) {
  ASSERT_EQ(::mkdir(tmp_.Join("proj/inner").c_str(), 0755), 0);
  Status s = Error("mount", {{"dir", tmp_.Join("proj/inner")}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("serve itself"), std::string::npos) << s;
  EXPECT_EQ(Data("info", Json::object())["mounts"], Json::array());
}

TEST_F(WorkspaceMountTest, DestroyingTheHostUnmountsEverything) {
  ASSERT_EQ(::mkdir(tmp_.Join("mnt2").c_str(), 0755), 0);
  Data("mount", {{"dir", mnt_}});
  Data("mount", {{"dir", tmp_.Join("mnt2")}, {"read_only", true}});
  ASSERT_EQ(mounts_->List().size(), 2u);
  mounts_.reset();
  EXPECT_FALSE(Exists(mnt_ + "/a.txt"));
  EXPECT_FALSE(Exists(tmp_.Join("mnt2/a.txt")));
}

TEST_F(WorkspaceMountTest, AMountUnmountedFromOutsideDropsOutOfTheList) {
  Data("mount", {{"dir", mnt_}});
  ASSERT_EQ(::umount2(mnt_.c_str(), MNT_DETACH), 0);
  for (int i = 0; i < 500 && !mounts_->List().empty(); ++i) ::usleep(10'000);
  EXPECT_TRUE(mounts_->List().empty());
  // And the directory can be mounted again.
  Data("mount", {{"dir", mnt_}});
  EXPECT_EQ(ReadFileOrDie(mnt_ + "/a.txt"), "a\n");
}

}  // namespace
}  // namespace weft::venoms
