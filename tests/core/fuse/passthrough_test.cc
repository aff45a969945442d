// The passthrough side of the mount: files, directories, attributes,
// renames, links, xattrs, appends and exclusive creates through a real mount.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "core/fuse/local_fs.h"
#include "tests/core/fuse/mount_fixture.h"

namespace weft::fuse::testing {
namespace {

std::set<std::string> List(const std::string& dir) {
  std::set<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.insert(n);
  }
  ::closedir(d);
  return out;
}

using Passthrough = MountTest;

// Files there are opened without FLUSH at close (noflush); elsewhere close(2)
// may report deferred write errors, so FLUSH stays.
TEST(LocalFileSystem, KnowsLocalFileSystemsFromOthers) {
  int checked = 0;
  for (const char* path : {"/proc", "/sys", "/dev/shm"}) {
    int fd = ::open(path, O_PATH | O_DIRECTORY);
    if (fd < 0) continue;  // not there on this host
    struct statfs fs {};
    ASSERT_EQ(::fstatfs(fd, &fs), 0) << path;
    if (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC) {
      EXPECT_FALSE(LocalFileSystem(fd)) << path;
      ++checked;
    } else if (fs.f_type == TMPFS_MAGIC) {
      EXPECT_TRUE(LocalFileSystem(fd)) << path;
      ++checked;
    }
    ::close(fd);
  }
  EXPECT_GT(checked, 0);
  EXPECT_FALSE(LocalFileSystem(-1));
}

TEST_F(Passthrough, WritesReachTheHostAndHostFilesReadBack) {
  tmp_.WriteFile("ws/src/a.txt", "from the host\n");
  Mount();
  EXPECT_EQ(Slurp(M("src/a.txt")), "from the host\n");
  Spill(M("src/b.txt"), "through the mount\n");
  EXPECT_EQ(Slurp(W("src/b.txt")), "through the mount\n");
  struct stat st {};
  ASSERT_EQ(::stat(M("src/b.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 18);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(Passthrough, SetattrChangesModeSizeAndTimes) {
  tmp_.WriteFile("ws/f", "0123456789");
  Mount();
  ASSERT_EQ(::chmod(M("f").c_str(), 0600), 0);
  ASSERT_EQ(::truncate(M("f").c_str(), 4), 0);
  timespec times[2] = {{1000, 0}, {2000, 500}};
  ASSERT_EQ(::utimensat(AT_FDCWD, M("f").c_str(), times, 0), 0);
  struct stat host {};
  ASSERT_EQ(::stat(W("f").c_str(), &host), 0);
  EXPECT_EQ(host.st_mode & 07777, 0600u);
  EXPECT_EQ(host.st_size, 4);
  EXPECT_EQ(host.st_mtim.tv_sec, 2000);
  EXPECT_EQ(host.st_atim.tv_sec, 1000);
  struct stat seen {};
  ASSERT_EQ(::stat(M("f").c_str(), &seen), 0);
  EXPECT_EQ(seen.st_size, 4);
  EXPECT_EQ(seen.st_mode & 07777, 0600u);
}

TEST_F(Passthrough, DirectoriesAreMadeListedAndRemoved) {
  tmp_.WriteFile("ws/a/one", "1");
  tmp_.WriteFile("ws/a/two", "2");
  Mount();
  EXPECT_EQ(List(M("a")), (std::set<std::string>{"one", "two"}));
  ASSERT_EQ(::mkdir(M("a/sub").c_str(), 0755), 0);
  EXPECT_TRUE(Exists(W("a/sub")));
  EXPECT_EQ(::rmdir(M("a").c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);
  ASSERT_EQ(::rmdir(M("a/sub").c_str()), 0);
  ASSERT_EQ(::unlink(M("a/one").c_str()), 0);
  EXPECT_FALSE(Exists(W("a/one")));
  EXPECT_EQ(List(M("a")), (std::set<std::string>{"two"}));
}

TEST_F(Passthrough, LargeDirectoryListsEveryEntryOnce) {
  for (int i = 0; i < 2000; ++i) tmp_.WriteFile("ws/many/f" + std::to_string(i), "");
  Mount();
  std::set<std::string> names = List(M("many"));
  EXPECT_EQ(names.size(), 2000u);
  EXPECT_EQ(Sh("ls -l many | grep -c ' f'", M("")).second, "2000\n");
}

// Listings closed the moment their last page arrives, on many threads,
// while files come and go: a RELEASEDIR may run on another worker as soon
// as the kernel has a READDIR reply, so no handler may touch the handle
// after replying (this once corrupted the heap within a few rounds).
TEST_F(Passthrough, ConcurrentListingsWhileFilesComeAndGo) {
  for (int i = 0; i < 50; ++i) tmp_.WriteFile("ws/sub/f" + std::to_string(i), "x");
  Mount();
  std::atomic<bool> stop{false};
  std::atomic<int> listed{0};
  std::thread churn([&] {
    for (int i = 0; !stop.load(); ++i) {
      std::string name = M("sub/c" + std::to_string(i % 20));
      int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd >= 0) ::close(fd);
      ::unlink(name.c_str());
    }
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        DIR* dir = ::opendir((t % 2 == 0 ? mnt_ : M("sub")).c_str());
        if (dir == nullptr) continue;
        while (::readdir(dir) != nullptr) {
        }
        ::closedir(dir);
        listed.fetch_add(1);
      }
    });
  }
  for (auto& r : readers) r.join();
  stop = true;
  churn.join();
  EXPECT_EQ(listed.load(), 800);
  EXPECT_EQ(Slurp(M("sub/f0")), "x");  // the server is still there
}

TEST_F(Passthrough, RenameHonoursNoreplaceAndExchange) {
  tmp_.WriteFile("ws/a", "A");
  tmp_.WriteFile("ws/b", "B");
  Mount();
  EXPECT_EQ(::renameat2(AT_FDCWD, M("a").c_str(), AT_FDCWD, M("b").c_str(), RENAME_NOREPLACE), -1);
  EXPECT_EQ(errno, EEXIST);
  ASSERT_EQ(::renameat2(AT_FDCWD, M("a").c_str(), AT_FDCWD, M("b").c_str(), RENAME_EXCHANGE), 0);
  EXPECT_EQ(Slurp(M("a")), "B");
  EXPECT_EQ(Slurp(M("b")), "A");
  EXPECT_EQ(Slurp(W("a")), "B");
  ASSERT_EQ(::rename(M("a").c_str(), M("c").c_str()), 0);
  EXPECT_FALSE(Exists(M("a")));
  EXPECT_EQ(Slurp(W("c")), "B");
  ASSERT_EQ(::renameat2(AT_FDCWD, M("c").c_str(), AT_FDCWD, M("d").c_str(), RENAME_NOREPLACE), 0);
  EXPECT_EQ(Slurp(M("d")), "B");
}

TEST_F(Passthrough, HardLinksAndSymlinksWork) {
  tmp_.WriteFile("ws/f", "data");
  Mount();
  ASSERT_EQ(::link(M("f").c_str(), M("g").c_str()), 0);
  struct stat st {};
  ASSERT_EQ(::stat(M("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 2u);
  struct stat g {};
  ASSERT_EQ(::stat(M("g").c_str(), &g), 0);
  EXPECT_EQ(st.st_ino, g.st_ino);
  ASSERT_EQ(::symlink("f", M("l").c_str()), 0);
  char buf[64] = {};
  ASSERT_EQ(::readlink(M("l").c_str(), buf, sizeof(buf)), 1);
  EXPECT_EQ(std::string(buf), "f");
  EXPECT_EQ(Slurp(M("l")), "data");
  ASSERT_EQ(::mkfifo(M("fifo").c_str(), 0644), 0);
  ASSERT_EQ(::lstat(W("fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST_F(Passthrough, AppendsFromTwoProcessesInterleaveWholeLines) {
  Mount();
  auto [code, out] = Sh(
      "for w in a b; do (i=0; while [ $i -lt 300 ]; do echo \"$w$i-xxxxxxxxxxxxxxxx\" >> log; i=$((i+1)); done) & done; "
      "wait; wc -l < log; grep -vc '^[ab][0-9]*-x\\{16\\}$' log",
      M(""));
  EXPECT_EQ(out, "600\n0\n");
  (void)code;
}

TEST_F(Passthrough, ExclusiveCreateHasOneWinner) {
  Mount();
  for (int round = 0; round < 20; ++round) {
    std::string path = M("race" + std::to_string(round));
    std::atomic<int> winners{0}, exists{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd >= 0) {
          ++winners;
          ::close(fd);
        } else if (errno == EEXIST) {
          ++exists;
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(winners.load(), 1);
    EXPECT_EQ(exists.load(), 7);
  }
}

TEST_F(Passthrough, OpenFlagsBehave) {
  tmp_.WriteFile("ws/f", "abc");
  Mount();
  int fd = ::open(M("f").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "XY", 2, 0), 2);  // O_APPEND ignores the offset
  ASSERT_EQ(::fsync(fd), 0);
  ::close(fd);
  EXPECT_EQ(Slurp(W("f")), "abcXY");
  fd = ::open(M("f").c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(fd, 0);
  ::close(fd);
  EXPECT_EQ(Slurp(W("f")), "");
  EXPECT_EQ(::open(M("f").c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EEXIST);
}

// Write-only handles bypass the mount's page cache (direct I/O): what they
// write must still show through handles that have the file cached, at once,
// and large writes must arrive whole.
TEST_F(Passthrough, WritesThroughWriteOnlyHandlesShowThroughCachedReaders) {
  tmp_.WriteFile("ws/dir/f", "hello world\n");
  Mount();
  int reader = ::open(M("dir/f").c_str(), O_RDONLY);
  ASSERT_GE(reader, 0);
  char buf[64] = {};
  ASSERT_EQ(::pread(reader, buf, sizeof(buf), 0), 12);  // now in the mount's page cache
  int writer = ::open(M("dir/f").c_str(), O_WRONLY);
  ASSERT_GE(writer, 0);
  ASSERT_EQ(::pwrite(writer, "HELLO", 5, 0), 5);
  ASSERT_EQ(::pread(reader, buf, sizeof(buf), 0), 12);
  EXPECT_EQ(std::string(buf, 12), "HELLO world\n");
  int appender = ::open(M("dir/f").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(appender, 0);
  ASSERT_EQ(::write(appender, "tail\n", 5), 5);
  ASSERT_EQ(::pread(reader, buf, sizeof(buf), 0), 17);
  EXPECT_EQ(std::string(buf, 17), "HELLO world\ntail\n");
  ::close(appender);
  ::close(writer);
  ::close(reader);
  EXPECT_EQ(Slurp(W("dir/f")), "HELLO world\ntail\n");

  // 3 MiB + 5 bytes in one write(): several maximal requests and a tail.
  std::string big(3 * 1024 * 1024 + 5, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7919 % 26));
  writer = ::open(M("dir/big").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  ASSERT_GE(writer, 0);
  ASSERT_EQ(::write(writer, big.data(), big.size()), static_cast<ssize_t>(big.size()));
  ASSERT_EQ(::close(writer), 0);
  EXPECT_TRUE(Slurp(W("dir/big")) == big);
  EXPECT_TRUE(Slurp(M("dir/big")) == big);
}

TEST_F(Passthrough, ExtendedAttributesRoundTrip) {
  tmp_.WriteFile("ws/f", "x");
  if (::setxattr(W("f").c_str(), "user.probe", "1", 1, 0) != 0) GTEST_SKIP() << "host fs has no user xattrs";
  Mount();
  ASSERT_EQ(::setxattr(M("f").c_str(), "user.weft", "hello", 5, 0), 0);
  char buf[32] = {};
  EXPECT_EQ(::getxattr(W("f").c_str(), "user.weft", buf, sizeof(buf)), 5);
  EXPECT_EQ(::getxattr(M("f").c_str(), "user.weft", nullptr, 0), 5);
  char list[256] = {};
  ssize_t n = ::listxattr(M("f").c_str(), list, sizeof(list));
  ASSERT_GT(n, 0);
  EXPECT_NE(std::string(list, static_cast<size_t>(n)).find("user.weft"), std::string::npos);
  ASSERT_EQ(::removexattr(M("f").c_str(), "user.weft"), 0);
  EXPECT_EQ(::getxattr(M("f").c_str(), "user.weft", buf, sizeof(buf)), -1);
}

TEST_F(Passthrough, StatfsAnswers) {
  Mount();
  struct statvfs sv {};
  ASSERT_EQ(::statvfs(mnt_.c_str(), &sv), 0);
  EXPECT_GT(sv.f_bsize, 0u);
}

TEST_F(Passthrough, FurtherBindsAppearInTheirParentAndLookupCrossesIntoThem) {
  tmp_.WriteFile("ws/docs/hidden-host-file", "shadowed");
  tmp_.WriteFile("ref/guide.md", "# guide\n");
  Mount({}, nullptr, {{"/docs", "ref", false}});
  std::set<std::string> root = List(mnt_);
  EXPECT_EQ(root.count("docs"), 1u);
  EXPECT_EQ(List(M("docs")), (std::set<std::string>{"guide.md"}));
  EXPECT_EQ(Slurp(M("docs/guide.md")), "# guide\n");
  Spill(M("docs/new.md"), "n");
  EXPECT_EQ(Slurp(tmp_.Join("ref/new.md")), "n");
  // A bind is like a mount point: it cannot be removed or renamed, and
  // renames across binds are refused as across devices.
  EXPECT_EQ(::rename(M("docs").c_str(), M("docs2").c_str()), -1);
  EXPECT_EQ(errno, EBUSY);
  EXPECT_EQ(::rename(M("docs/new.md").c_str(), M("new.md").c_str()), -1);
  EXPECT_EQ(errno, EXDEV);
  EXPECT_EQ(Sh("ls docs | tr '\\n' ' '", M("")).second, "guide.md new.md ");
}

TEST_F(Passthrough, ReadOnlyBindAnswersErofs) {
  tmp_.WriteFile("ro/keep.txt", "keep");
  Mount({}, nullptr, {{"/ro", "ro", true}});
  EXPECT_EQ(Slurp(M("ro/keep.txt")), "keep");
  EXPECT_EQ(::open(M("ro/keep.txt").c_str(), O_WRONLY), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(::open(M("ro/new").c_str(), O_CREAT | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(::unlink(M("ro/keep.txt").c_str()), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(::mkdir(M("ro/d").c_str(), 0755), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(::chmod(M("ro/keep.txt").c_str(), 0600), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(::truncate(M("ro/keep.txt").c_str(), 0), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(Slurp(tmp_.Join("ro/keep.txt")), "keep");
  Spill(M("rw.txt"), "the primary bind stays writable");
  EXPECT_TRUE(Exists(W("rw.txt")));
}

TEST_F(Passthrough, ReadOnlyMountAnswersErofsEverywhere) {
  tmp_.WriteFile("ws/f", "x");
  MountOptions options;
  options.read_only = true;
  Mount(options);
  EXPECT_EQ(Slurp(M("f")), "x");
  EXPECT_EQ(::open(M("f").c_str(), O_RDWR), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(::rename(M("f").c_str(), M("g").c_str()), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(::symlink("f", M("l").c_str()), -1);
  EXPECT_EQ(errno, EROFS);
}

}  // namespace
}  // namespace weft::fuse::testing
