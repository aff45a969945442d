// OpenBeneath: nothing escapes the root, by either resolver.
#include "core/ns/resolve.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace weft::ns {
namespace {

class ResolveTest : public ::testing::TestWithParam<ResolveMode> {
 protected:
  void SetUp() override {
    if (GetParam() == ResolveMode::kOpenat2 && !Openat2Available()) {
      GTEST_SKIP() << "this kernel has no openat2 (Linux < 5.6); the walk is tested instead";
    }
    tmp_.WriteFile("outside/secret", "s");
    tmp_.WriteFile("root/dir/file.txt", "hello");
    ASSERT_EQ(::symlink("dir/file.txt", tmp_.Join("root/inside-link").c_str()), 0);
    ASSERT_EQ(::symlink("../dir", tmp_.Join("root/dir/up-and-back").c_str()), 0);
    ASSERT_EQ(::symlink("../outside/secret", tmp_.Join("root/relative-out").c_str()), 0);
    ASSERT_EQ(::symlink(tmp_.Join("outside/secret").c_str(), tmp_.Join("root/absolute-out").c_str()), 0);
    ASSERT_EQ(::symlink("loop", tmp_.Join("root/loop").c_str()), 0);
    root_ = ::open(tmp_.Join("root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(root_, 0);
  }
  void TearDown() override {
    if (root_ >= 0) ::close(root_);
  }

  Result<UniqueFd> Open(std::string_view path, int flags = O_RDONLY, mode_t mode = 0) {
    return OpenBeneath(root_, path, flags, mode, GetParam());
  }
  static std::string ReadAll(int fd) {
    char buf[64];
    ssize_t n = ::pread(fd, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }

  weft::testing::ScopedTempDir tmp_;
  int root_ = -1;
};

TEST_P(ResolveTest, OpensPlainPathsAndTheRoot) {
  auto f = Open("dir/file.txt");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(ReadAll(f->get()), "hello");
  EXPECT_TRUE(Open("/dir/./file.txt").ok());
  EXPECT_TRUE(Open("", O_RDONLY | O_DIRECTORY).ok());
  EXPECT_TRUE(Open(".", O_RDONLY | O_DIRECTORY).ok());
  EXPECT_TRUE(Open("dir/..", O_RDONLY | O_DIRECTORY).ok());
}

TEST_P(ResolveTest, SymlinksThatStayInsideWork) {
  auto f = Open("inside-link");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(ReadAll(f->get()), "hello");
  auto g = Open("dir/up-and-back/file.txt");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(ReadAll(g->get()), "hello");
}

TEST_P(ResolveTest, EscapesAreRefusedAndNamed) {
  for (const char* path : {"relative-out", "absolute-out", "../outside/secret", "dir/../../outside/secret"}) {
    auto f = Open(path);
    ASSERT_FALSE(f.ok()) << path;
    EXPECT_EQ(f.status().code(), StatusCode::kPermissionDenied) << path << ": " << f.status();
    EXPECT_EQ(f.status().message(), std::string(path) + " escapes the workspace");
  }
}

TEST_P(ResolveTest, CreatesBeneathWithExclusiveAndNoFollow) {
  auto created = Open("dir/new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
  ASSERT_TRUE(created.ok()) << created.status();
  struct stat st;
  EXPECT_EQ(::stat(tmp_.Join("root/dir/new.txt").c_str(), &st), 0);
  EXPECT_EQ(Open("dir/new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644).status().code(), StatusCode::kAlreadyExists);
  // A create through a symlink that points outside must not create outside.
  ASSERT_EQ(::symlink("../outside/created", tmp_.Join("root/dangling-out").c_str()), 0);
  EXPECT_EQ(Open("dangling-out", O_WRONLY | O_CREAT, 0644).status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(::stat(tmp_.Join("outside/created").c_str(), &st), 0);
  EXPECT_FALSE(Open("inside-link", O_RDONLY | O_NOFOLLOW).ok());
}

TEST_P(ResolveTest, MissingPathsAndLoopsAreClearErrors) {
  EXPECT_EQ(Open("dir/nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Open("dir/file.txt/below").status().code(), StatusCode::kNotFound);
  auto loop = Open("loop");
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.status().message().find("symbolic links"), std::string::npos) << loop.status();
}

INSTANTIATE_TEST_SUITE_P(Resolvers, ResolveTest, ::testing::Values(ResolveMode::kOpenat2, ResolveMode::kWalk),
                         [](const auto& param_info) {
                           return param_info.param == ResolveMode::kWalk ? "Walk" : "Openat2";
                         });

}  // namespace
}  // namespace weft::ns
