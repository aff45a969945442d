// The agents table and its event log.
#include "core/store/agent_store.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace weft::store {
namespace {

class AgentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Store::Open(dir_.Join("weft.db"));
    ASSERT_TRUE(db.ok()) << db.status();
    store_ = std::move(db).value();
    agents_ = std::make_unique<AgentStore>(*store_);
  }
  AgentRecord Make(const std::string& name, const std::string& ws = "ws_1") {
    AgentRecord r;
    r.name = name;
    r.workspace_id = ws;
    r.command = "[\"true\"]";
    r.cwd = "/";
    r.host_cwd = "/tmp";
    r.profile = "none";
    auto made = agents_->Create(r, [](AgentRecord& rec) { rec.home_dir = "/h/" + rec.id; });
    EXPECT_TRUE(made.ok()) << made.status();
    return made.ok() ? *made : AgentRecord{};
  }

  testing::ScopedTempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AgentStore> agents_;
};

TEST_F(AgentStoreTest, CreatesWithAFreshIdAndACreatedEvent) {
  AgentRecord a = Make("a");
  EXPECT_EQ(a.id.size(), 15u);
  EXPECT_EQ(a.id.rfind("ag_", 0), 0u);
  EXPECT_EQ(a.home_dir, "/h/" + a.id);
  auto got = agents_->Get(a.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, AgentState::kStarting);
  EXPECT_EQ(got->home_dir, a.home_dir);
  auto events = agents_->Events(a.id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].kind, "created");
}

TEST_F(AgentStoreTest, GoesThroughItsLifecycleAndTheFirstEndingWins) {
  AgentRecord a = Make("a");
  ASSERT_TRUE(agents_->SetRunner(a.id, 10, 20).ok());
  ASSERT_TRUE(agents_->SetRunning(a.id, 11, 21, "{\"profile\":\"none\"}").ok());
  EXPECT_FALSE(agents_->SetRunning(a.id, 11, 21, "{}").ok());
  AgentEnd end;
  end.state = AgentState::kExited;
  end.exit_code = 0;
  end.detail = "exit code 0";
  ASSERT_TRUE(agents_->SetEnded(a.id, end).ok());
  end.state = AgentState::kLost;
  Status again = agents_->SetEnded(a.id, end);
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  auto got = agents_->Get(a.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, AgentState::kExited);
  EXPECT_EQ(got->exit_code, 0);
  EXPECT_FALSE(got->exit_signal.has_value());
  EXPECT_EQ(got->pid, 11);
  EXPECT_GT(got->ended_ms, 0);
  auto events = agents_->Events(a.id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[1].kind, "started");
  EXPECT_EQ((*events)[2].kind, "exited");
  EXPECT_LT((*events)[1].seq, (*events)[2].seq);
}

TEST_F(AgentStoreTest, ListsNewestFirstFilteredByStateAndWorkspace) {
  AgentRecord a = Make("a", "ws_1");
  AgentRecord b = Make("b", "ws_2");
  ASSERT_TRUE(agents_->SetEnded(a.id, {AgentState::kFailed, {}, {}, "", "no", "no"}).ok());
  auto live = agents_->List({AgentState::kStarting, AgentState::kRunning});
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].id, b.id);
  auto ws1 = agents_->List({}, "ws_1");
  ASSERT_TRUE(ws1.ok());
  ASSERT_EQ(ws1->size(), 1u);
  EXPECT_EQ((*ws1)[0].error, "no");
}

TEST_F(AgentStoreTest, RemovesOnlyEndedAgentsWithTheirEvents) {
  AgentRecord a = Make("a");
  EXPECT_EQ(agents_->Remove(a.id).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(agents_->SetEnded(a.id, {AgentState::kKilled, {}, 9, "", "", "killed"}).ok());
  ASSERT_TRUE(agents_->Remove(a.id).ok());
  EXPECT_EQ(agents_->Get(a.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(agents_->Events(a.id).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace weft::store
