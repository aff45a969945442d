// Mount lifecycle: stop, unmount from outside, files held open at unmount,
// stale mounts, and mount points that must be refused.
#include "core/fuse/mount_session.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

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
