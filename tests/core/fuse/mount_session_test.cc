// Mount lifecycle: stop, unmount from outside, files held open at unmount,
// stale mounts, and mount points that must be refused.
#include "core/fuse/mount_session.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "core/fuse/mount_point.h"
#include "tests/core/fuse/mount_fixture.h"

namespace weft::fuse::testing {
namespace {

using MountLifecycle = MountTest;

TEST(MountPoint, CanonicalPathKeepsTheLastComponentUnresolved) {
  auto p = CanonicalMountPath("/tmp/../tmp/some-name-that-does-not-exist");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(*p, "/tmp/some-name-that-does-not-exist");
  EXPECT_FALSE(MountTypeAt("/tmp/some-name-that-does-not-exist").has_value());
}

TEST_F(MountLifecycle, StopUnmountsAndIsIdempotent) {
  tmp_.WriteFile("ws/f", "x");
  Mount();
  EXPECT_EQ(MountTypeAt(mnt_), std::optional<std::string>("fuse.weft"));
  EXPECT_TRUE(Exists(M("f")));
  session_->Stop();
  session_->Stop();
  EXPECT_TRUE(session_->ended());
  EXPECT_FALSE(MountTypeAt(mnt_).has_value());
  EXPECT_FALSE(Exists(M("f")));  // the empty mount point again
}

// The server holds a descriptor for every inode the kernel has cached, so
// the mount raises its open-file limit (here the test process's: the mount
// runs in it) to the hard limit, or beyond where it may: more files than the
// soft limit it started with can be created and stay cached.
TEST_F(MountLifecycle, MoreFilesThanTheStartingOpenFileLimitCanBeCreated) {
  rlimit was {};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &was), 0);
  if (was.rlim_max < 2500) GTEST_SKIP() << "the hard RLIMIT_NOFILE here (" << was.rlim_max << ") is below 2,500";
  rlimit low{256, was.rlim_max};
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  ASSERT_EQ(::mkdir(W("many").c_str(), 0755), 0);
  Mount();
  rlimit now {};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_GE(now.rlim_cur, was.rlim_max);
  int dir = ::open(M("many").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dir, 0);
  int made = 0;
  for (int i = 0; i < 2000; ++i) {
    int fd = ::openat(dir, ("f" + std::to_string(i)).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) {
      ADD_FAILURE() << "create " << i << ": " << std::strerror(errno);
      break;
    }
    ::close(fd);
    ++made;
  }
  ::close(dir);
  EXPECT_EQ(made, 2000);
  struct stat st {};
  EXPECT_EQ(::stat(M("many/f1999").c_str(), &st), 0);
}

size_t OpenDescriptors() {
  size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d) != nullptr) ++n;
    ::closedir(d);
  }
  return n;
}

// Past max_cached_inodes the server asks the kernel to drop the cached
// entries of files nothing has open, and listings stop making inodes; the
// FORGETs that follow close the descriptors it held (here in the test
// process: the mount runs in it). The files are still there, looked up again
// when asked for.
TEST_F(MountLifecycle, CachedFilesBeyondTheLimitAreDroppedAndTheirDescriptorsClosed) {
  ASSERT_EQ(::mkdir(W("many").c_str(), 0755), 0);
  MountOptions options;
  options.max_cached_inodes = 200;
  Mount(options);
  struct stat st {};
  ASSERT_EQ(::stat(M("many").c_str(), &st), 0);  // watched from here on
  size_t base = OpenDescriptors();
  int dir = ::open(M("many").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dir, 0);
  int held = ::openat(dir, "held", O_CREAT | O_EXCL | O_RDWR, 0644);  // open throughout: never dropped
  ASSERT_GE(held, 0);
  for (int i = 0; i < 1000; ++i) {
    int fd = ::openat(dir, ("f" + std::to_string(i)).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    ASSERT_GE(fd, 0) << i << ": " << std::strerror(errno);
    ::close(fd);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (OpenDescriptors() > base + 600 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_LE(OpenDescriptors(), base + 600);
  // A listing past the threshold gives names and types only: it does not
  // make an inode, with its descriptor, of each of the 1,001 entries.
  DIR* listing = ::opendir(M("many").c_str());
  ASSERT_NE(listing, nullptr);
  size_t listed = 0;
  while (::readdir(listing) != nullptr) ++listed;
  ::closedir(listing);
  EXPECT_EQ(listed, 1003u);  // and . and ..
  EXPECT_LE(OpenDescriptors(), base + 600);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(::fstatat(dir, ("f" + std::to_string(i)).c_str(), &st, 0), 0) << i;
  }
  ASSERT_EQ(::pwrite(held, "still", 5, 0), 5);
  ::close(held);
  ::close(dir);
  EXPECT_EQ(Slurp(W("many/held")), "still");
}

TEST_F(MountLifecycle, UnmountWhileAFileIsOpenDetachesCleanly) {
  tmp_.WriteFile("ws/held.txt", "held open");
  Mount();
  int fd = ::open(M("held.txt").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  int dir_fd = ::open(M("").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dir_fd, 0);
  session_->Stop();  // returns although a file is open
  EXPECT_FALSE(MountTypeAt(mnt_).has_value());
  char buf[16];
  ::read(fd, buf, sizeof(buf));  // data or an error, never a hang
  struct stat st {};
  EXPECT_EQ(::fstatat(dir_fd, "held.txt", &st, 0), -1);
  // close reports the lost connection (ENOTCONN) or nothing; the descriptor goes either way.
  int closed = ::close(fd);
  EXPECT_TRUE(closed == 0 || errno == ENOTCONN) << errno;
  ::close(dir_fd);
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1);
}

TEST_F(MountLifecycle, UnmountFromOutsideEndsTheSession) {
  Mount();
  ASSERT_TRUE(fuse::Unmount(mnt_, /*lazy=*/false).ok());
  session_->Wait();
  EXPECT_TRUE(session_->ended());
  EXPECT_FALSE(MountTypeAt(mnt_).has_value());
}

TEST_F(MountLifecycle, BusyUnmountFromOutsideSaysSo) {
  Mount();
  int fd = ::open(M("").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  Status s = fuse::Unmount(mnt_, /*lazy=*/false);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s;
  ::close(fd);
}

TEST_F(MountLifecycle, AStaleMountIsClearedByTheNextMount) {
  if (::geteuid() != 0) GTEST_SKIP() << "making a stale mount by hand needs root";
  // A FUSE mount whose server is gone: mounted, then the device closed.
  int dev = ::open("/dev/fuse", O_RDWR | O_CLOEXEC);
  ASSERT_GE(dev, 0);
  std::string opts = "fd=" + std::to_string(dev) + ",rootmode=40000,user_id=0,group_id=0";
  ASSERT_EQ(::mount("weft:stale", mnt_.c_str(), "fuse.weft", MS_NOSUID | MS_NODEV, opts.c_str()), 0) << errno;
  ::close(dev);
  ASSERT_TRUE(IsStaleMount(mnt_));
  tmp_.WriteFile("ws/after", "fresh");
  Mount();
  EXPECT_FALSE(IsStaleMount(mnt_));
  EXPECT_EQ(Slurp(M("after")), "fresh");
  session_.reset();
  EXPECT_FALSE(MountTypeAt(mnt_).has_value());
}

TEST_F(MountLifecycle, RefusesAMountPointInsideTheWorkspace) {
  ASSERT_EQ(::mkdir(W("inner").c_str(), 0755), 0);
  ns::MountTable table;
  ASSERT_TRUE(table.Add("/", ns::Source{ns::Source::Kind::kHost, "", ws_, false}).ok());
  auto ws = ns::Workspace::Open("ws_test", "test", std::move(table), false);
  ASSERT_TRUE(ws.ok());
  auto session = MountSession::Start(**ws, W("inner"), {}, nullptr);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::kInvalidArgument) << session.status();
  EXPECT_FALSE(MountTypeAt(W("inner")).has_value());
}

TEST_F(MountLifecycle, RefusesADirectoryThatIsAlreadyAMountPoint) {
  Mount();
  auto again = MountSession::Start(*workspace_, mnt_, {}, nullptr);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status();
  EXPECT_TRUE(Exists(mnt_));
}

}  // namespace
}  // namespace weft::fuse::testing
