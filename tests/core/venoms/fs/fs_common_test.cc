// VisitDirFd and ReadDirFd: every entry of a directory larger than one
// getdents64 buffer, again when the same fd is read twice, and from inside
// another directory's visit.
#include "core/venoms/fs/fs_common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/base/fd.h"
#include "tests/support/temp_dir.h"

namespace weft::venoms::fs {
namespace {

using weft::testing::ScopedTempDir;

// `n` files with names of about 100 bytes (a few hundred kilobytes of
// directory entries; hard links to one file, so no inode each to
// allocate), and a directory "sub".
std::set<std::string> MakeEntries(const ScopedTempDir& tmp, const std::string& dir, int n) {
  std::set<std::string> names;
  tmp.WriteFile(dir + "/sub/file", "");
  for (int i = 0; i < n; ++i) {
    std::string name = std::to_string(100000 + i) + std::string(94, 'x');
    EXPECT_EQ(::link(tmp.Join(dir + "/sub/file").c_str(), tmp.Join(dir + "/" + name).c_str()), 0) << name;
    names.insert(name);
  }
  names.insert("sub");
  return names;
}

UniqueFd OpenDir(const std::string& path) {
  return UniqueFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

std::set<std::string> NamesOf(const std::vector<DirEntry>& entries) {
  std::set<std::string> out;
  for (const DirEntry& e : entries) out.insert(e.name);
  return out;
}

TEST(FsDirFd, ReadsEveryEntryOfALargeDirectoryEachTime) {
  ScopedTempDir tmp;
  const std::set<std::string> want = MakeEntries(tmp, "d", 3000);
  UniqueFd fd = OpenDir(tmp.Join("d"));
  ASSERT_TRUE(fd.valid());
  for (int round = 0; round < 2; ++round) {
    Result<std::vector<DirEntry>> got = ReadDirFd(fd.get(), "/d");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->size(), want.size()) << "round " << round;
    EXPECT_EQ(NamesOf(*got), want) << "round " << round;
    for (const DirEntry& e : *got) {
      EXPECT_EQ(e.type, e.name == "sub" ? EntryType::kDir : EntryType::kFile) << e.name;
    }
  }
  // The fd still serves *at() calls.
  struct stat st;
  EXPECT_EQ(::fstatat(fd.get(), "sub", &st, AT_SYMLINK_NOFOLLOW), 0);
}

TEST(FsDirFd, AVisitorMayReadAnotherDirectory) {
  ScopedTempDir tmp;
  const std::set<std::string> outer_names = MakeEntries(tmp, "outer", 1000);
  const std::set<std::string> inner_names = MakeEntries(tmp, "inner", 1000);
  UniqueFd outer = OpenDir(tmp.Join("outer"));
  UniqueFd inner = OpenDir(tmp.Join("inner"));
  ASSERT_TRUE(outer.valid() && inner.valid());
  std::set<std::string> seen;
  int nested_reads = 0;
  Status status = VisitDirFd(outer.get(), "/outer", [&](std::string_view name, EntryType) {
    seen.insert(std::string(name));
    if (seen.size() % 250 != 1) return;
    Result<std::vector<DirEntry>> got = ReadDirFd(inner.get(), "/inner");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(NamesOf(*got), inner_names);
    ++nested_reads;
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(seen, outer_names);
  EXPECT_EQ(nested_reads, 5);
}

TEST(FsDirFd, RefusesADirectoryPastMaxEntries) {
  ScopedTempDir tmp;
  MakeEntries(tmp, "d", 10);
  UniqueFd fd = OpenDir(tmp.Join("d"));
  ASSERT_TRUE(fd.valid());
  Result<std::vector<DirEntry>> got = ReadDirFd(fd.get(), "/d", 5);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(got.status().message().find("/d holds more than 5 entries"), std::string::npos) << got.status();
  EXPECT_TRUE(ReadDirFd(fd.get(), "/d", 11).ok());
}

TEST(FsDirFd, ReportsAnFdThatIsNoDirectory) {
  ScopedTempDir tmp;
  tmp.WriteFile("f", "x");
  UniqueFd fd(::open(tmp.Join("f").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  Result<std::vector<DirEntry>> got = ReadDirFd(fd.get(), "/f");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kFailedPrecondition) << got.status();
}

}  // namespace
}  // namespace weft::venoms::fs
