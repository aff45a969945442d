// WriteFileBeneath: atomic replacement, create-only, symlinks replaced not
// followed, nothing written outside, no temporary files left.
#include "core/ns/write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace weft::ns {
namespace {

class WriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.WriteFile("root/dir/old.txt", "old");
    tmp_.WriteFile("outside/target", "untouched");
    root_ = ::open(tmp_.Join("root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(root_, 0);
  }
  void TearDown() override { ::close(root_); }
  std::string Read(const std::string& rel) {
    std::ifstream in(tmp_.Join(rel));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  size_t Entries(const std::string& rel) {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(tmp_.Join(rel)), {}));
  }
  weft::testing::ScopedTempDir tmp_;
  int root_ = -1;
};

TEST_F(WriteTest, CreatesAndReplacesKeepingTheMode) {
  ASSERT_EQ(::chmod(tmp_.Join("root/dir/old.txt").c_str(), 0600), 0);
  auto r = WriteFileBeneath(root_, "dir/old.txt", "new content");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->created);
  EXPECT_EQ(r->bytes, 11u);
  EXPECT_EQ(Read("root/dir/old.txt"), "new content");
  struct stat st;
  ASSERT_EQ(::stat(tmp_.Join("root/dir/old.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto c = WriteFileBeneath(root_, "/dir/fresh.txt", "x");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->created);
  EXPECT_EQ(Entries("root/dir"), 2u);  // no temporary file left behind
}

TEST_F(WriteTest, CreateOnlyRefusesAnExistingFile) {
  WriteOptions o;
  o.create_only = true;
  EXPECT_EQ(WriteFileBeneath(root_, "dir/old.txt", "x", o).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Read("root/dir/old.txt"), "old");
  EXPECT_TRUE(WriteFileBeneath(root_, "dir/other.txt", "x", o).ok());
  EXPECT_EQ(Entries("root/dir"), 2u);
}

TEST_F(WriteTest, ASymlinkTargetIsReplacedNotFollowed) {
  ASSERT_EQ(::symlink(tmp_.Join("outside/target").c_str(), tmp_.Join("root/link").c_str()), 0);
  ASSERT_TRUE(WriteFileBeneath(root_, "link", "inside").ok());
  EXPECT_EQ(Read("outside/target"), "untouched");
  EXPECT_FALSE(std::filesystem::is_symlink(tmp_.Join("root/link")));
  EXPECT_EQ(Read("root/link"), "inside");
}

TEST_F(WriteTest, RefusesEscapesDirectoriesAndMissingParents) {
  ASSERT_EQ(::symlink(tmp_.Join("outside").c_str(), tmp_.Join("root/out").c_str()), 0);
  auto escape = WriteFileBeneath(root_, "out/target", "x");
  EXPECT_EQ(escape.status().code(), StatusCode::kPermissionDenied) << escape.status();
  EXPECT_EQ(WriteFileBeneath(root_, "../outside/target", "x").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Read("outside/target"), "untouched");
  EXPECT_EQ(WriteFileBeneath(root_, "dir", "x").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(WriteFileBeneath(root_, "nope/file", "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(WriteFileBeneath(root_, "/", "x").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace weft::ns
