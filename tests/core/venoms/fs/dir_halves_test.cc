// DirReader's stop, DirHalves in every order its two readers can take, and
// SortedDirFd: every entry exactly once, whichever reader takes the upper
// half, and whether the file system can split at all.
#include "core/venoms/fs/dir_halves.h"

#include <fcntl.h>
#include <sched.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/base/fd.h"
#include "tests/support/temp_dir.h"

namespace weft::venoms::fs {
namespace {

using weft::testing::ScopedTempDir;

// Names of about 100 bytes: 6,000 make some 700 KiB of directory, past
// SortedDirFd's threshold for reading in halves.
constexpr int kFiles = 6000;

// Whether a thread of this process is called `name`.
bool HasThreadNamed(const std::string& name) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string got;
    if (std::getline(comm, got) && got == name) return true;
  }
  return false;
}

class DirHalvesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.WriteFile("d/sub/file", "");
    for (int i = 0; i < kFiles; ++i) {
      std::string name = (i % 100 == 0 ? "." : "") + std::to_string(100000 + i) + std::string(94, 'x');
      ASSERT_EQ(::link(tmp_.Join("d/sub/file").c_str(), tmp_.Join("d/" + name).c_str()), 0) << name;
      all_.insert(name);
    }
    all_.insert("sub");
    for (const std::string& n : all_) {
      if (n[0] != '.') visible_.insert(n);
    }
    fd_ = UniqueFd(::open(tmp_.Join("d").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(fd_.valid());
  }

  // Whether the directory's positions are ext4's hashes (an indexed
  // directory on ext4), which the tests of the upper half need.
  bool Hashed() const {
    struct statfs fs;
    return ::fstatfs(fd_.get(), &fs) == 0 && fs.f_type == EXT4_SUPER_MAGIC;
  }

  // The names of `names`, counted (a name read twice shows as 2), after
  // checking that they are in order.
  static std::map<std::string, int> Counted(const Result<SortedNames>& names) {
    std::map<std::string, int> out;
    EXPECT_TRUE(names.ok()) << names.status();
    if (!names.ok()) return out;
    for (size_t i = 0; i < names->size(); ++i) {
      if (i > 0) {
        EXPECT_LE(names->name(i - 1), names->name(i)) << "out of order at " << i;
      }
      ++out[std::string(names->name(i))];
    }
    return out;
  }
  static std::map<std::string, int> Counted(SortedEntries& entries) { return Counted(entries.Take()); }
  static std::map<std::string, int> Once(const std::set<std::string>& names) {
    std::map<std::string, int> out;
    for (const std::string& n : names) out[n] = 1;
    return out;
  }

  ScopedTempDir tmp_;
  std::set<std::string> all_, visible_;
  UniqueFd fd_;
};

TEST_F(DirHalvesTest, AStoppedReaderEndsBeforeItsStopAndGoesOnWhenMoved) {
  DirReader reader(fd_.get(), "/d");
  reader.SetStop(DirHalves::kMiddle);
  std::map<std::string, int> seen;
  std::string_view name;
  EntryType type;
  size_t before_stop = 0;
  for (uint64_t at = reader.position(); reader.Next(&name, &type); at = reader.position()) {
    EXPECT_LT(at, DirHalves::kMiddle) << name;
    ++seen[std::string(name)];
    ++before_stop;
  }
  ASSERT_TRUE(reader.status().ok()) << reader.status();
  if (Hashed()) {
    EXPECT_TRUE(reader.stopped());
    EXPECT_GE(reader.position(), DirHalves::kMiddle);
    // Hashes spread evenly: about half the entries lie below the middle.
    EXPECT_GT(before_stop, all_.size() / 4);
    EXPECT_LT(before_stop, all_.size() * 3 / 4);
  }
  reader.SetStop(DirReader::kNoStop);
  while (reader.Next(&name, &type)) ++seen[std::string(name)];
  ASSERT_TRUE(reader.status().ok()) << reader.status();
  EXPECT_FALSE(reader.stopped());
  EXPECT_EQ(seen, Once(all_));
}

TEST_F(DirHalvesTest, TheHelperFirstReadsTheUpperHalfAndTheCallerTheLower) {
  if (!Hashed()) GTEST_SKIP() << "the upper half needs ext4's hash positions; TMPDIR is not on ext4";
  DirHalves halves(fd_.get(), "/d", true, 2'000'000);
  SortedEntries upper, lower;
  ASSERT_TRUE(halves.ReadUpper(&upper));
  const size_t upper_size = upper.size();
  EXPECT_GT(upper_size, all_.size() / 4);
  EXPECT_LT(upper_size, all_.size() * 3 / 4);
  ASSERT_TRUE(halves.ReadLower(&lower).ok());
  EXPECT_EQ(lower.size() + upper_size, all_.size()) << "an entry was read by both readers, or by neither";
  EXPECT_EQ(Counted(halves.Take(upper, &lower)), Once(all_));
}

TEST_F(DirHalvesTest, TheCallerFirstReadsBothHalvesAndTheHelperNothing) {
  DirHalves halves(fd_.get(), "/d", false, 2'000'000);
  SortedEntries upper, lower;
  ASSERT_TRUE(halves.ReadLower(&lower).ok());
  EXPECT_FALSE(halves.ReadUpper(&upper));
  EXPECT_EQ(upper.size(), 0u);
  EXPECT_EQ(Counted(halves.Take(upper, &lower)), Once(visible_));
}

TEST_F(DirHalvesTest, BothReadersAtOnceReadEveryEntryExactlyOnce) {
  for (int round = 0; round < 30; ++round) {
    DirHalves halves(fd_.get(), "/d", round % 2 == 0, 2'000'000);
    SortedEntries upper, lower;
    std::thread helper([&] { halves.ReadUpper(&upper); });
    Status read = halves.ReadLower(&lower);
    helper.join();
    ASSERT_TRUE(read.ok()) << read;
    ASSERT_EQ(Counted(halves.Take(upper, &lower)), Once(round % 2 == 0 ? all_ : visible_)) << "round " << round;
  }
}

TEST_F(DirHalvesTest, TheEntryLimitCoversBothHalves) {
  DirHalves halves(fd_.get(), "/d", true, all_.size() - 1);
  SortedEntries upper, lower;
  halves.ReadUpper(&upper);
  Status read = halves.ReadLower(&lower);
  if (read.ok()) read = halves.Take(upper, &lower).status();
  EXPECT_EQ(read.code(), StatusCode::kResourceExhausted) << read;
  EXPECT_NE(read.message().find("more than"), std::string::npos) << read;
}

TEST_F(DirHalvesTest, SortedDirFdGivesEveryEntryOnceInOrderEachTime) {
  SortedEntries collect;
  for (int round = 0; round < 20; ++round) {
    const bool hidden = round % 2 == 0;
    collect.Start(0);
    ASSERT_EQ(Counted(SortedDirFd(fd_.get(), "/d", hidden, &collect)), Once(hidden ? all_ : visible_))
        << "round " << round;
  }
  collect.Start(0);
  EXPECT_EQ(SortedDirFd(fd_.get(), "/d", true, &collect, 10).status().code(), StatusCode::kResourceExhausted);
  cpu_set_t cpus;
  if (Hashed() && ::sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) >= 2) {
    EXPECT_TRUE(HasThreadNamed("weft-dirhalf")) << "the directory was not read in halves";
  }
}

TEST_F(DirHalvesTest, SortedDirFdReadsASmallDirectoryWhole) {
  tmp_.WriteFile("small/a", "");
  tmp_.WriteFile("small/.b", "");
  UniqueFd small(::open(tmp_.Join("small").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(small.valid());
  SortedEntries collect;
  collect.Start(0);
  EXPECT_EQ(Counted(SortedDirFd(small.get(), "/small", false, &collect)), Once({"a"}));
}

// A file system whose positions are not hashes (tmpfs: small indexes) has
// nothing at the middle: the caller reads it all, whatever the helper does.
TEST(DirHalvesOtherFs, ADirectoryWithoutHashPositionsIsReadWholeByTheCaller) {
  struct statfs fs;
  if (::statfs("/dev/shm", &fs) != 0 || fs.f_type != TMPFS_MAGIC) GTEST_SKIP() << "no tmpfs at /dev/shm";
  char path[] = "/dev/shm/weft-dir-halves-XXXXXX";
  ASSERT_NE(::mkdtemp(path), nullptr);
  std::set<std::string> want;
  for (int i = 0; i < 500; ++i) {
    std::string name = std::string(path) + "/f" + std::to_string(i);
    UniqueFd f(::open(name.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_TRUE(f.valid());
    want.insert("f" + std::to_string(i));
  }
  {
    UniqueFd dir(::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(dir.valid());
    for (bool helper_first : {true, false}) {
      DirHalves halves(dir.get(), "/x", true, 2'000'000);
      SortedEntries upper, lower;
      if (helper_first) halves.ReadUpper(&upper);
      ASSERT_TRUE(halves.ReadLower(&lower).ok());
      if (!helper_first) {
        EXPECT_FALSE(halves.ReadUpper(&upper));
      }
      EXPECT_EQ(upper.size(), 0u);
      Result<SortedNames> names = halves.Take(upper, &lower);
      ASSERT_TRUE(names.ok()) << names.status();
      std::set<std::string> got;
      for (size_t i = 0; i < names->size(); ++i) got.insert(std::string(names->name(i)));
      EXPECT_EQ(got, want) << (helper_first ? "helper first" : "caller first");
      EXPECT_EQ(names->size(), want.size());
    }
  }
  for (const std::string& n : want) ::unlink((std::string(path) + "/" + n).c_str());
  ::rmdir(path);
}

}  // namespace
}  // namespace weft::venoms::fs
