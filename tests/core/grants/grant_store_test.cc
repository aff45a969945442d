// GrantStore: tokens stored hashed, authentication, revocation that cascades
// and applies at once (also to another connection, as another process
// would hold), expiry, and budgets charged along the chain, atomically even
// when several connections charge at once.
#include "core/grants/grant_store.h"

#include <sqlite3.h>

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/base/sha256.h"
#include "core/store/store.h"
#include "tests/support/temp_dir.h"

namespace weft::grants {
namespace {

class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override { return std::chrono::steady_clock::now(); }
  int64_t WallMillis() const override { return millis_.load(); }
  void AdvanceSeconds(int64_t s) { millis_ += s * 1000; }

 private:
  std::atomic<int64_t> millis_{1'700'000'000'000};
};

// The first column of the first row, read with SQLite directly.
std::string Query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::string out;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

class GrantStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<store::Store> OpenStore() {
    Result<std::unique_ptr<store::Store>> s = store::Store::Open(db_path_, clock_);
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(s).value();
  }
  GrantStore::Issued Root(const GrantRequest& policy = {}) {
    Result<GrantStore::Issued> issued = grants_.IssueRoot("test root", policy);
    EXPECT_TRUE(issued.ok()) << issued.status();
    return std::move(issued).value();
  }
  GrantStore::Issued Child(const std::string& parent, const GrantRequest& request = {}) {
    Result<GrantStore::Issued> issued = grants_.IssueDerived(parent, request, "test child");
    EXPECT_TRUE(issued.ok()) << issued.status();
    return std::move(issued).value();
  }

  weft::testing::ScopedTempDir tmp_;
  std::string db_path_ = tmp_.Join("weft.db");
  FakeClock clock_;
  std::unique_ptr<store::Store> store_ = OpenStore();
  GrantStore grants_{*store_};
};

TEST_F(GrantStoreTest, TokensAreRandomShownOnceAndStoredHashed) {
  GrantStore::Issued a = Root();
  GrantStore::Issued b = Root();
  ASSERT_EQ(a.token.size(), 3u + 64u);
  EXPECT_EQ(a.token.rfind("wg_", 0), 0u);
  EXPECT_NE(a.token, b.token);
  EXPECT_EQ(a.grant.id.rfind("gr_", 0), 0u);
  std::string stored = Query(db_path_, "SELECT token_hash FROM grants WHERE id = '" + a.grant.id + "'");
  EXPECT_EQ(stored, HexDigest(Sha256Of(a.token)));
  EXPECT_EQ(Query(db_path_, "SELECT count(*) FROM grants WHERE token_hash = '" + a.token + "'"), "0");
}

TEST_F(GrantStoreTest, AuthenticatesKnownTokensOnly) {
  GrantStore::Issued a = Root();
  Result<Grant> found = grants_.Authenticate(a.token);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, a.grant.id);
  EXPECT_EQ(found->subject, "test root");
  Result<Grant> unknown = grants_.Authenticate("wg_" + std::string(64, '0'));
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  // A revoked grant's token still says which grant it is; its calls are refused.
  ASSERT_TRUE(grants_.Revoke(a.grant.id).ok());
  found = grants_.Authenticate(a.token);
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->revoked_at.has_value());
}

TEST_F(GrantStoreTest, DerivedGrantsAreStoredWithTheirParent) {
  GrantRequest policy;
  policy.read_paths = {"/src", "/docs"};
  GrantStore::Issued root = Root(policy);
  GrantRequest request;
  request.read_paths = {"/src"};
  request.tools = {"fs_*"};
  GrantStore::Issued child = Child(root.grant.id, request);
  Result<Grant> read_back = grants_.Get(child.grant.id);
  ASSERT_TRUE(read_back.ok()) << read_back.status();
  EXPECT_EQ(read_back->parent_id, root.grant.id);
  EXPECT_EQ(read_back->read_paths, std::vector<std::string>{"/src"});
  EXPECT_EQ(read_back->tools, std::vector<std::string>{"fs_*"});
  EXPECT_EQ(read_back->created_at, 1'700'000'000);
  EXPECT_EQ(grants_.IssueDerived("gr_nope", {}, "x").status().code(), StatusCode::kNotFound);
}

TEST_F(GrantStoreTest, RevocationCascadesAndAppliesAtOnceEverywhere) {
  GrantStore::Issued root = Root();
  GrantStore::Issued child = Child(root.grant.id);
  GrantStore::Issued grandchild = Child(child.grant.id);
  GrantStore::Issued sibling = Child(root.grant.id);
  // Another connection to the same file, as another weft process holds.
  auto other_store = OpenStore();
  GrantStore other(*other_store);
  ASSERT_TRUE(other.Check(grandchild.grant.id).ok());

  ASSERT_TRUE(grants_.Revoke(child.grant.id).ok());
  for (GrantStore* s : {&grants_, &other}) {
    EXPECT_EQ(DenialOf(s->Check(child.grant.id)), Denial::kRevoked);
    EXPECT_EQ(DenialOf(s->Check(grandchild.grant.id)), Denial::kRevoked);
    EXPECT_TRUE(s->Check(root.grant.id).ok());
    EXPECT_TRUE(s->Check(sibling.grant.id).ok());
    EXPECT_EQ(DenialOf(s->ChargeCall(grandchild.grant.id)), Denial::kRevoked);
  }
  EXPECT_TRUE(grants_.Get(grandchild.grant.id)->revoked_at.has_value());
  // Nothing can be derived below a revoked grant; revoking again is fine.
  EXPECT_EQ(DenialOf(grants_.IssueDerived(child.grant.id, {}, "x").status()), Denial::kRevoked);
  EXPECT_TRUE(grants_.Revoke(child.grant.id).ok());
  EXPECT_EQ(grants_.Revoke("gr_0000000000000000").code(), StatusCode::kNotFound);
}

TEST_F(GrantStoreTest, AnyCommitToTheDatabaseIsSeenByTheNextCheck) {
  GrantStore::Issued root = Root();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(grants_.Check(root.grant.id).ok());  // remembered as live
  // Revoked with SQL by hand, from another connection: no GrantStore involved.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path_.c_str(), &db), SQLITE_OK);
  std::string sql = "UPDATE grants SET revoked_at = 1 WHERE id = '" + root.grant.id + "'";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(DenialOf(grants_.Check(root.grant.id)), Denial::kRevoked);
}

TEST_F(GrantStoreTest, AnAncestorsRevocationReachesGrantsMadeBeforeIt) {
  GrantStore::Issued root = Root();
  GrantStore::Issued child = Child(root.grant.id);
  ASSERT_TRUE(grants_.Revoke(root.grant.id).ok());
  Status s = grants_.Check(child.grant.id);
  EXPECT_EQ(DenialOf(s), Denial::kRevoked);
}

TEST_F(GrantStoreTest, ExpiredGrantsAreRefused) {
  GrantRequest policy;
  policy.expires_in = 60;
  GrantStore::Issued root = Root(policy);
  GrantStore::Issued child = Child(root.grant.id);
  EXPECT_TRUE(grants_.Check(child.grant.id).ok());
  clock_.AdvanceSeconds(61);
  EXPECT_EQ(DenialOf(grants_.Check(root.grant.id)), Denial::kExpired);
  EXPECT_EQ(DenialOf(grants_.Check(child.grant.id)), Denial::kExpired);
  EXPECT_EQ(DenialOf(grants_.ChargeCall(child.grant.id)), Denial::kExpired);
  Result<std::vector<Grant>> live = grants_.List();
  ASSERT_TRUE(live.ok());
  EXPECT_TRUE(live->empty());
  Result<std::vector<Grant>> all = grants_.List(true);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

TEST_F(GrantStoreTest, EndingAGrantExpiresItsSubtreeNow) {
  GrantStore::Issued root = Root();
  GrantStore::Issued child = Child(root.grant.id);
  GrantRequest soon;
  soon.expires_in = 10;
  GrantStore::Issued other = Root(soon);
  ASSERT_TRUE(grants_.End(root.grant.id).ok());
  EXPECT_EQ(DenialOf(grants_.Check(root.grant.id)), Denial::kExpired);
  EXPECT_EQ(DenialOf(grants_.Check(child.grant.id)), Denial::kExpired);
  EXPECT_EQ(grants_.Get(child.grant.id)->expires_at, 1'700'000'000);
  EXPECT_FALSE(grants_.Get(child.grant.id)->revoked_at.has_value());
  EXPECT_TRUE(grants_.Check(other.grant.id).ok());
  // An earlier expiry is kept.
  ASSERT_TRUE(grants_.End(other.grant.id).ok());
  clock_.AdvanceSeconds(5);
  ASSERT_TRUE(grants_.End(other.grant.id).ok());
  EXPECT_EQ(grants_.Get(other.grant.id)->expires_at, 1'700'000'000);
}

TEST_F(GrantStoreTest, CallBudgetsStopAtZeroAndChargeTheWholeChain) {
  GrantRequest policy;
  policy.max_calls = 5;
  GrantStore::Issued root = Root(policy);
  GrantStore::Issued a = Child(root.grant.id);
  GrantStore::Issued b = Child(root.grant.id);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(grants_.ChargeCall(a.grant.id).ok());
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(grants_.ChargeCall(b.grant.id).ok());
  // b has 3 of its own left, but the root it shares with a has none.
  Status s = grants_.ChargeCall(b.grant.id);
  EXPECT_EQ(DenialOf(s), Denial::kBudgetExceeded);
  EXPECT_NE(s.message().find(root.grant.id), std::string::npos) << s;
  EXPECT_EQ(grants_.Get(root.grant.id)->calls, 5);
  EXPECT_EQ(grants_.Get(b.grant.id)->calls, 2);
}

TEST_F(GrantStoreTest, SpawnBudgets) {
  GrantRequest policy;
  policy.max_spawns = 1;
  GrantStore::Issued root = Root(policy);
  EXPECT_TRUE(grants_.ChargeSpawn(root.grant.id).ok());
  Status s = grants_.ChargeSpawn(root.grant.id);
  EXPECT_EQ(DenialOf(s), Denial::kBudgetExceeded);
  EXPECT_NE(s.message().find("spawns"), std::string::npos) << s;
  EXPECT_EQ(grants_.Get(root.grant.id)->spawns, 1);
}

TEST_F(GrantStoreTest, ConcurrentChargesFromSeveralConnectionsNeverOverspend) {
  GrantRequest policy;
  policy.max_calls = 40;
  GrantStore::Issued root = Root(policy);
  std::atomic<int> allowed{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto store = OpenStore();  // its own connection, as another process would have
      GrantStore grants(*store);
      for (int i = 0; i < 25; ++i) {
        Status s = grants.ChargeCall(root.grant.id);
        if (s.ok()) {
          ++allowed;
        } else {
          EXPECT_EQ(DenialOf(s), Denial::kBudgetExceeded) << s;
          ++refused;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 40);
  EXPECT_EQ(refused.load(), 60);
  EXPECT_EQ(grants_.Get(root.grant.id)->calls, 40);
}

TEST_F(GrantStoreTest, AddCallsCountsAlongTheChain) {
  GrantStore::Issued root = Root();
  GrantStore::Issued child = Child(root.grant.id);
  ASSERT_TRUE(grants_.AddCalls({{child.grant.id, 3}, {root.grant.id, 1}}).ok());
  EXPECT_EQ(grants_.Get(child.grant.id)->calls, 3);
  EXPECT_EQ(grants_.Get(root.grant.id)->calls, 4);
}

TEST_F(GrantStoreTest, AHandEditedRowIsReportedNotTrusted) {
  GrantStore::Issued root = Root();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path_.c_str(), &db), SQLITE_OK);
  std::string sql = "UPDATE grants SET tools = 'fs_*' WHERE id = '" + root.grant.id + "'";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  Result<Grant> g = grants_.Get(root.grant.id);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(g.status().message().find("grants.tools"), std::string::npos) << g.status();
}

}  // namespace
}  // namespace weft::grants
