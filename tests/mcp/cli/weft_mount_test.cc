// Finding the weft mount a directory lies in, from mountinfo text.
#include "mcp/cli/weft_mount.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace weft::cli {
namespace {

constexpr const char kMountinfo[] =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "40 22 0:35 / /mnt/ws rw,nosuid,nodev,relatime shared:20 - fuse.weft weft rw,user_id=1000\n"
    "41 22 0:36 / /mnt/my\\040space rw - fuse sshfs rw\n"
    "42 22 0:37 / /mnt/blk rw - fuseblk /dev/sdb1 rw\n"
    "43 22 0:38 / /mnt/ws/inner rw - tmpfs tmpfs rw\n"
    "garbage line\n";

TEST(WeftMount, FuseMountPointsKeepsFuseTypesAndUnescapes) {
  EXPECT_EQ(FuseMountPoints(kMountinfo), (std::vector<std::string>{"/mnt/ws", "/mnt/my space", "/mnt/blk"}));
  EXPECT_TRUE(FuseMountPoints("").empty());
}

TEST(WeftMount, EnclosingMountIsTheDeepestAncestorAtAComponentBoundary) {
  std::vector<std::string> mps = {"/mnt/ws", "/mnt/ws/sub", "/mnt/w"};
  EXPECT_EQ(EnclosingMount(mps, "/mnt/ws"), "/mnt/ws");
  EXPECT_EQ(EnclosingMount(mps, "/mnt/ws/src/x"), "/mnt/ws");
  EXPECT_EQ(EnclosingMount(mps, "/mnt/ws/sub/y"), "/mnt/ws/sub");
  EXPECT_FALSE(EnclosingMount(mps, "/mnt/ws-evil"));
  EXPECT_FALSE(EnclosingMount(mps, "/home"));
}

TEST(WeftMount, HasWeftDirNeedsTheVenomsDirectory) {
  testing::ScopedTempDir tmp;
  EXPECT_FALSE(HasWeftDir(tmp.path()));
  tmp.WriteFile(".weft/venoms/fs/read", "");
  EXPECT_TRUE(HasWeftDir(tmp.path()));
}

}  // namespace
}  // namespace weft::cli
