// Changes made behind the mount (on the host bind directly, as weft's MCP
// tools do) show through it although the kernel caches entries and
// attributes for an hour: the change watcher invalidates them.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

#include "tests/core/fuse/mount_fixture.h"

namespace weft::fuse::testing {
namespace {

// Polls `cond` until it holds or a generous deadline passes (the watcher
// works asynchronously; this asserts that the change arrives, not how fast).
bool Eventually(const std::function<bool()>& cond) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

using Invalidation = MountTest;

TEST_F(Invalidation, HostWritesShowThroughTheMount) {
  tmp_.WriteFile("ws/dir/f.txt", "one");
  Mount();
  ASSERT_EQ(Slurp(M("dir/f.txt")), "one");
  struct stat st {};
  ASSERT_EQ(::stat(M("dir/f.txt").c_str(), &st), 0);
  tmp_.WriteFile("ws/dir/f.txt", "two, longer");
  EXPECT_TRUE(Eventually([&] { return Slurp(M("dir/f.txt")) == "two, longer"; }));
  EXPECT_TRUE(Eventually([&] {
    struct stat now {};
    return ::stat(M("dir/f.txt").c_str(), &now) == 0 && now.st_size == 11;
  }));
}

TEST_F(Invalidation, HostCreatesRemovesAndRenamesShowThroughTheMount) {
  ASSERT_EQ(::mkdir(W("d").c_str(), 0755), 0);
  Mount();
  EXPECT_FALSE(Exists(M("d/new")));  // the kernel now caches the miss
  tmp_.WriteFile("ws/d/new", "n");
  EXPECT_TRUE(Eventually([&] { return Exists(M("d/new")); }));
  ASSERT_EQ(::rename(W("d/new").c_str(), W("d/moved").c_str()), 0);
  EXPECT_TRUE(Eventually([&] { return !Exists(M("d/new")) && Exists(M("d/moved")); }));
  ASSERT_EQ(::unlink(W("d/moved").c_str()), 0);
  EXPECT_TRUE(Eventually([&] { return !Exists(M("d/moved")); }));
}

TEST_F(Invalidation, ChangesMadeThroughTheMountNeedNoWatcherToShow) {
  Mount();
  Spill(M("local"), "abc");
  EXPECT_EQ(Slurp(M("local")), "abc");
  Spill(M("local"), "abcdef");
  EXPECT_EQ(Slurp(M("local")), "abcdef");
  ASSERT_EQ(::unlink(M("local").c_str()), 0);
  EXPECT_FALSE(Exists(M("local")));
}

}  // namespace
}  // namespace weft::fuse::testing
