// Changes made behind the mount (on the host bind directly, as weft's MCP
// tools do) show through it although the kernel caches entries and
// attributes for an hour: the change watcher invalidates them.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <set>
#include <string>
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

std::set<std::string> Listing(const std::string& dir) {
  std::set<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.insert(e->d_name);
    }
    ::closedir(d);
  }
  return names;
}

// Watched directories' listings stay in the kernel's cache between opens;
// a change behind the mount drops it, and so does one made through it.
TEST_F(Invalidation, CachedListingsFollowChangesOnBothSides) {
  tmp_.WriteFile("ws/d/a", "a");
  Mount();
  ASSERT_EQ(Listing(M("d")), (std::set<std::string>{"a"}));
  ASSERT_EQ(Listing(M("d")), (std::set<std::string>{"a"}));  // from the cache
  tmp_.WriteFile("ws/d/b", "b");
  EXPECT_TRUE(Eventually([&] { return Listing(M("d")) == std::set<std::string>{"a", "b"}; }));
  ASSERT_EQ(::unlink(W("d/a").c_str()), 0);
  EXPECT_TRUE(Eventually([&] { return Listing(M("d")) == std::set<std::string>{"b"}; }));
  Spill(M("d/c"), "c");
  EXPECT_EQ(Listing(M("d")), (std::set<std::string>{"b", "c"}));
  ASSERT_EQ(::unlink(M("d/b").c_str()), 0);
  EXPECT_EQ(Listing(M("d")), (std::set<std::string>{"c"}));
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
