// The symlink rule: links that lead outside their bind are refused at
// readlink (EACCES); links that stay inside work.
#include "core/fuse/symlink_rule.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "tests/core/fuse/mount_fixture.h"

namespace weft::fuse::testing {
namespace {

TEST(SymlinkRule, TargetStaysInsideIsLexicalFromTheLinksDepth) {
  EXPECT_TRUE(TargetStaysInside("a", 0));
  EXPECT_TRUE(TargetStaysInside("./a/b/../c", 0));
  EXPECT_TRUE(TargetStaysInside("../x", 1));
  EXPECT_TRUE(TargetStaysInside("../../x/..", 2));
  EXPECT_FALSE(TargetStaysInside("../x", 0));
  EXPECT_FALSE(TargetStaysInside("a/../../x", 0));
  EXPECT_FALSE(TargetStaysInside("../../x", 1));
  EXPECT_FALSE(TargetStaysInside("/etc/passwd", 3));
  EXPECT_FALSE(TargetStaysInside("", 0));
}

using Symlinks = MountTest;

bool ReadlinkRefused(const std::string& path) {
  char buf[256];
  return ::readlink(path.c_str(), buf, sizeof(buf)) < 0 && errno == EACCES;
}

TEST_F(Symlinks, AbsoluteAndClimbingTargetsAreRefused) {
  tmp_.WriteFile("outside.txt", "secret");
  tmp_.WriteFile("ws/sub/inner.txt", "inside");
  ASSERT_EQ(::symlink(tmp_.Join("outside.txt").c_str(), W("abs").c_str()), 0);
  ASSERT_EQ(::symlink("../outside.txt", W("climb").c_str()), 0);
  ASSERT_EQ(::symlink("../../outside.txt", W("sub/climb2").c_str()), 0);
  ASSERT_EQ(::symlink("/etc", W("etc").c_str()), 0);
  Mount();
  for (const char* name : {"abs", "climb", "sub/climb2", "etc"}) {
    EXPECT_TRUE(ReadlinkRefused(M(name))) << name;
    EXPECT_EQ(::open(M(name).c_str(), O_RDONLY), -1) << name;
    EXPECT_EQ(errno, EACCES) << name;
  }
  EXPECT_EQ(Slurp(M("climb")).rfind("<error", 0), 0u);
  // The links themselves are still there to see and remove.
  struct stat st {};
  EXPECT_EQ(::lstat(M("abs").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(::unlink(M("abs").c_str()), 0);
}

TEST_F(Symlinks, ChainsThatClimbOutThroughAnotherLinkAreRefused) {
  tmp_.WriteFile("ws/a/b/keep", "k");
  // top → the bind's root (fine by itself); a/b/x → "top/../outside": lexically
  // inside from a/b, but through top it climbs above the root.
  ASSERT_EQ(::symlink("..", W("a/top").c_str()), 0);
  ASSERT_EQ(::symlink("../top/../../outside", W("a/b/x").c_str()), 0);
  Mount();
  EXPECT_TRUE(ReadlinkRefused(M("a/b/x")));
}

TEST_F(Symlinks, LinksThatStayInsideWork) {
  tmp_.WriteFile("ws/lib/real.txt", "real");
  ASSERT_EQ(::symlink("lib/real.txt", W("direct").c_str()), 0);
  ::mkdir(W("d").c_str(), 0755);
  ASSERT_EQ(::symlink("../lib", W("d/libdir").c_str()), 0);
  ASSERT_EQ(::symlink("missing/target", W("dangling").c_str()), 0);
  Mount();
  EXPECT_EQ(Slurp(M("direct")), "real");
  EXPECT_EQ(Slurp(M("d/libdir/real.txt")), "real");
  char buf[64] = {};
  EXPECT_EQ(::readlink(M("dangling").c_str(), buf, sizeof(buf)), 14);
  ASSERT_EQ(::symlink("lib/real.txt", M("made").c_str()), 0);
  EXPECT_EQ(Slurp(M("made")), "real");
}

// ".." is the kernel's business: from the mount's root (or climbing back
// through a directory of it) it leaves the mount for the mount point's parent
// on the host; it never reaches a directory above the workspace through weft.
TEST_F(Symlinks, DotDotAtTheMountRootLeavesTheMount) {
  tmp_.WriteFile("ws/sub/f", "f");
  Mount();
  struct stat mount_root {}, host_parent {};
  ASSERT_EQ(::stat(mnt_.c_str(), &mount_root), 0);
  ASSERT_EQ(::stat(mnt_.substr(0, mnt_.rfind('/')).c_str(), &host_parent), 0);
  for (const char* climb : {"..", "sub/../..", "sub/./../../"}) {
    struct stat up {};
    ASSERT_EQ(::stat(M(climb).c_str(), &up), 0) << climb;
    EXPECT_EQ(up.st_dev, host_parent.st_dev) << climb;
    EXPECT_EQ(up.st_ino, host_parent.st_ino) << climb;
    EXPECT_NE(up.st_dev, mount_root.st_dev) << climb << " stayed on the mount";
  }
}

TEST_F(Symlinks, ALinkInAFurtherBindCannotClimbIntoThePrimary) {
  tmp_.WriteFile("ws/top.txt", "top");
  tmp_.WriteFile("ref/doc.txt", "doc");
  ASSERT_EQ(::symlink("../top.txt", tmp_.Join("ref/up").c_str()), 0);
  ASSERT_EQ(::symlink("doc.txt", tmp_.Join("ref/same").c_str()), 0);
  Mount({}, nullptr, {{"/ref", "ref", false}});
  EXPECT_TRUE(ReadlinkRefused(M("ref/up")));
  EXPECT_EQ(Slurp(M("ref/same")), "doc");
}

}  // namespace
}  // namespace weft::fuse::testing
