// AuditLog: entries for allowed, denied and failed calls; nothing lost on a
// clean shutdown; arguments kept only as a digest; reading back by id,
// newest N, and grant; calls counted on their grants.
#include "core/grants/audit_log.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "core/store/store.h"
#include "tests/support/temp_dir.h"

namespace weft::grants {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  AuditEntry Entry(std::string tool, Outcome outcome = Outcome::kOk) {
    AuditEntry e;
    e.at_ms = 1'700'000'000'123;
    e.grant_id = root_.grant.id;
    e.subject = "stdio";
    e.tool = std::move(tool);
    e.args_sha256 = ArgumentsDigest({{"path", "/secret/plan.txt"}});
    e.outcome = outcome;
    e.duration_us = 42;
    return e;
  }
  std::vector<AuditEntry> ReadAll(AuditQuery q = {}) {
    Result<std::vector<AuditEntry>> rows = ReadAudit(*store_, q);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<AuditEntry>();
  }

  weft::testing::ScopedTempDir tmp_;
  std::string db_path_ = tmp_.Join("weft.db");
  std::unique_ptr<store::Store> store_ = std::move(store::Store::Open(db_path_)).value();
  GrantStore grants_{*store_};
  GrantStore::Issued root_ = std::move(grants_.IssueRoot("root", {})).value();
};

TEST_F(AuditLogTest, RecordsAllowedDeniedAndFailedCalls) {
  AuditLog log(*store_);
  log.Record(Entry("fs_read"));
  AuditEntry denied = Entry("fs_write", Outcome::kToolError);
  denied.denial = Denial::kPermissionDenied;
  denied.reason = "this grant is read-only";
  log.Record(denied);
  log.Record(Entry("fs_edit", Outcome::kToolError));
  AuditEntry unknown = Entry("no_such_tool", Outcome::kProtocolError);
  unknown.error_code = -32602;
  log.Record(unknown);
  ASSERT_TRUE(log.Flush().ok());

  std::vector<AuditEntry> rows = ReadAll();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].tool, "fs_read");
  EXPECT_FALSE(rows[0].denial.has_value());
  EXPECT_EQ(rows[0].outcome, Outcome::kOk);
  EXPECT_EQ(rows[0].grant_id, root_.grant.id);
  EXPECT_EQ(rows[0].subject, "stdio");
  EXPECT_EQ(rows[0].at_ms, 1'700'000'000'123);
  EXPECT_EQ(rows[0].duration_us, 42);
  EXPECT_EQ(rows[1].denial, Denial::kPermissionDenied);
  EXPECT_EQ(rows[1].reason, "this grant is read-only");
  EXPECT_EQ(rows[2].outcome, Outcome::kToolError);
  EXPECT_FALSE(rows[2].denial.has_value());
  EXPECT_EQ(rows[3].outcome, Outcome::kProtocolError);
  EXPECT_EQ(rows[3].error_code, -32602);
  EXPECT_LT(rows[0].id, rows[1].id);
  Json j = rows[1].ToJson();
  EXPECT_EQ(j["decision"], "denied");
  EXPECT_EQ(j["code"], "permission_denied");
}

TEST_F(AuditLogTest, ACleanShutdownLosesNothing) {
  {
    AuditLog log(*store_);
    for (int i = 0; i < 2000; ++i) log.Record(Entry("fs_read"));
  }
  AuditQuery q;
  q.limit = 5000;
  EXPECT_EQ(ReadAll(q).size(), 2000u);
}

TEST_F(AuditLogTest, KeepsADigestNeverTheArguments) {
  EXPECT_EQ(ArgumentsDigest(Json::parse(R"({"a":1,"b":[true,"x"]})")),
            ArgumentsDigest(Json::parse(R"({"b":[true,"x"],"a":1})")));
  EXPECT_NE(ArgumentsDigest({{"a", 1}}), ArgumentsDigest({{"a", 2}}));
  EXPECT_EQ(ArgumentsDigest({{"a", 1}}).size(), 64u);
  {
    AuditLog log(*store_);
    log.Record(Entry("fs_read"));
  }
  // Neither the database nor its write-ahead log holds the path argument.
  for (const std::string& file : {db_path_, db_path_ + "-wal"}) {
    if (::access(file.c_str(), F_OK) != 0) continue;
    EXPECT_EQ(weft::testing::ReadFileOrDie(file).find("/secret/plan.txt"), std::string::npos) << file;
  }
}

TEST_F(AuditLogTest, ReadsAfterAnIdTheNewestAndOneGrant) {
  GrantStore::Issued other = std::move(grants_.IssueRoot("other", {})).value();
  {
    AuditLog log(*store_);
    for (int i = 0; i < 5; ++i) {
      AuditEntry e = Entry("t" + std::to_string(i));
      if (i % 2 == 1) e.grant_id = other.grant.id;
      log.Record(e);
    }
  }
  std::vector<AuditEntry> all = ReadAll();
  ASSERT_EQ(all.size(), 5u);
  AuditQuery after;
  after.after_id = all[2].id;
  std::vector<AuditEntry> tail = ReadAll(after);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].tool, "t3");
  AuditQuery last;
  last.last = 2;
  std::vector<AuditEntry> newest = ReadAll(last);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].tool, "t3");
  EXPECT_EQ(newest[1].tool, "t4");
  AuditQuery one;
  one.grant_id = other.grant.id;
  std::vector<AuditEntry> theirs = ReadAll(one);
  ASSERT_EQ(theirs.size(), 2u);
  EXPECT_EQ(theirs[0].tool, "t1");
}

TEST_F(AuditLogTest, CountsCallsNoChargeCounted) {
  GrantStore::Issued child = std::move(grants_.IssueDerived(root_.grant.id, {}, "child")).value();
  {
    AuditLog log(*store_);
    for (int i = 0; i < 3; ++i) {
      AuditEntry e = Entry("fs_read");
      e.grant_id = child.grant.id;
      e.count_call = true;
      log.Record(e);
    }
    log.Record(Entry("fs_read"));  // charged already: not counted again
  }
  EXPECT_EQ(grants_.Get(child.grant.id)->calls, 3);
  EXPECT_EQ(grants_.Get(root_.grant.id)->calls, 3);
}

}  // namespace
}  // namespace weft::grants
