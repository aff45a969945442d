// An fsx-style check: a seeded random sequence of writes, reads, truncates,
// reopens and syncs on a file through the mount, and the same sequence on a
// file in a plain directory; every read and size must agree.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <string>

#include "tests/core/fuse/mount_fixture.h"

namespace weft::fuse::testing {
namespace {

constexpr size_t kMaxSize = 256 * 1024;

struct Pair {
  int mounted = -1;
  int plain = -1;
};

std::string ReadAt(int fd, size_t off, size_t len) {
  std::string buf(len, '\0');
  ssize_t n = ::pread(fd, buf.data(), len, static_cast<off_t>(off));
  buf.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return buf;
}

off_t SizeOf(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? st.st_size : -1;
}

using Fsx = MountTest;

TEST_F(Fsx, RandomReadWriteTruncateMatchesAPlainDirectory) {
  Mount();
  std::string plain_dir = tmp_.Join("plain");
  ASSERT_EQ(::mkdir(plain_dir.c_str(), 0755), 0);
  const std::string mpath = M("fsx.bin"), ppath = plain_dir + "/fsx.bin";
  Pair f{::open(mpath.c_str(), O_RDWR | O_CREAT, 0644), ::open(ppath.c_str(), O_RDWR | O_CREAT, 0644)};
  ASSERT_GE(f.mounted, 0);
  ASSERT_GE(f.plain, 0);
  std::mt19937_64 rng(20261121);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % (n + 1)); };
  for (int op = 0; op < 3000; ++op) {
    size_t kind = pick(99);
    if (kind < 40) {  // write
      size_t off = pick(kMaxSize - 1), len = 1 + pick(std::min<size_t>(65536, kMaxSize - off) - 1);
      std::string data(len, '\0');
      for (char& c : data) c = static_cast<char>(rng());
      ASSERT_EQ(::pwrite(f.mounted, data.data(), len, static_cast<off_t>(off)), static_cast<ssize_t>(len)) << op;
      ASSERT_EQ(::pwrite(f.plain, data.data(), len, static_cast<off_t>(off)), static_cast<ssize_t>(len)) << op;
    } else if (kind < 75) {  // read
      size_t off = pick(kMaxSize), len = pick(70000);
      ASSERT_EQ(ReadAt(f.mounted, off, len), ReadAt(f.plain, off, len)) << "read at op " << op;
    } else if (kind < 88) {  // truncate
      off_t size = static_cast<off_t>(pick(kMaxSize));
      ASSERT_EQ(::ftruncate(f.mounted, size), 0) << op;
      ASSERT_EQ(::ftruncate(f.plain, size), 0) << op;
    } else if (kind < 95) {  // close and reopen (a new open of the same inode)
      ::close(f.mounted);
      ::close(f.plain);
      f = {::open(mpath.c_str(), O_RDWR), ::open(ppath.c_str(), O_RDWR)};
      ASSERT_GE(f.mounted, 0) << op;
    } else if (kind < 98) {
      ASSERT_EQ(::fdatasync(f.mounted), 0) << op;
    } else {  // truncate by path, through another route
      off_t size = static_cast<off_t>(pick(kMaxSize / 4));
      ASSERT_EQ(::truncate(mpath.c_str(), size), 0) << op;
      ASSERT_EQ(::truncate(ppath.c_str(), size), 0) << op;
    }
    ASSERT_EQ(SizeOf(f.mounted), SizeOf(f.plain)) << "size after op " << op;
  }
  ::close(f.mounted);
  ::close(f.plain);
  EXPECT_EQ(Slurp(mpath), Slurp(ppath));
  EXPECT_EQ(Slurp(W("fsx.bin")), Slurp(ppath));
}

}  // namespace
}  // namespace weft::fuse::testing
