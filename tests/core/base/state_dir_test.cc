// The state directory rule and private directory creation.
#include "core/base/state_dir.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace weft {
namespace {

TEST(StateDir, OverrideThenXdgThenHome) {
  EXPECT_EQ(*StateDirFrom("/given", "/xdg", "/home/me"), "/given");
  EXPECT_EQ(*StateDirFrom("", "/xdg", "/home/me"), "/xdg/weft");
  EXPECT_EQ(*StateDirFrom("", "relative/xdg", "/home/me"), "/home/me/.local/state/weft");
  EXPECT_EQ(*StateDirFrom("", nullptr, "/home/me"), "/home/me/.local/state/weft");
  auto none = StateDirFrom("", nullptr, nullptr);
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(none.status().message().find("--state"), std::string::npos);
}

TEST(StateDir, EnsurePrivateDirCreatesParentsAndRefusesFiles) {
  testing::ScopedTempDir tmp;
  ASSERT_TRUE(EnsurePrivateDir(tmp.Join("a/b/weft")).ok());
  struct stat st;
  ASSERT_EQ(::stat(tmp.Join("a/b/weft").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(EnsurePrivateDir(tmp.Join("a/b/weft")).ok());  // idempotent
  tmp.WriteFile("file", "x");
  EXPECT_EQ(EnsurePrivateDir(tmp.Join("file")).code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(EnsurePrivateDir(tmp.Join("file/sub")).ok());
}

}  // namespace
}  // namespace weft
