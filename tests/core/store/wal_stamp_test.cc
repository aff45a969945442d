// WalStamp: the wal-index header changes with every commit, from this
// connection or another, and not with reads.
#include "core/store/wal_stamp.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include "core/store/store.h"
#include "tests/support/temp_dir.h"

namespace weft::store {
namespace {

TEST(WalStamp, ChangesWithEveryCommitAndNotWithReads) {
  weft::testing::ScopedTempDir tmp;
  std::string path = tmp.Join("weft.db");
  Result<std::unique_ptr<Store>> store = Store::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  std::unique_ptr<WalStamp> stamp = WalStamp::Open(path);
  ASSERT_NE(stamp, nullptr);
  WalStamp::Value before = stamp->Now();
  ASSERT_TRUE((*store)->ListWorkspaces().ok());
  EXPECT_EQ(stamp->Now(), before) << "a read changed the stamp";
  ASSERT_TRUE((*store)->EnsureWorkspace("/home/me/a").ok());
  WalStamp::Value after_own = stamp->Now();
  EXPECT_NE(after_own, before);
  // A commit by another connection, as another process makes.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "UPDATE workspaces SET last_used_at = 7", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  EXPECT_NE(stamp->Now(), after_own);
}

TEST(WalStamp, IsNullWithoutAWalIndex) {
  weft::testing::ScopedTempDir tmp;
  EXPECT_EQ(WalStamp::Open(tmp.Join("none.db")), nullptr);
}

}  // namespace
}  // namespace weft::store
