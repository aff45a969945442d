// Walk on several threads: every entry visited once, the same entries as on
// one thread (.gitignore files and exclude rules honoured in the directories
// each thread is handed), binds entered, and a stop or a cancellation ending
// the whole walk.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/venoms/fs/fs_common.h"
#include "tests/core/venoms/fs/fs_fixture.h"

namespace weft::venoms::fs {
namespace {

class FsWalk : public FsVenomTest {
 protected:
  // 30 directories of 8 subdirectories of 25 files: 6,270 entries, past
  // where a walk starts its helpers; .gitignore files at the top and in
  // d07 leave some out. Made once for the suite (the files are hard links
  // to one: no inode each to allocate and free), bound at "/" for each test.
  static void SetUpTestSuite() {
    tree_ = new weft::testing::ScopedTempDir();
    tree_->WriteFile("ws/.gitignore", "*.log\n");
    tree_->WriteFile("ws/d07/.gitignore", "s03/\n");
    tree_->WriteFile("one", "");
    tree_->WriteFile("bound/x.c", "");
    for (int d = 0; d < 30; ++d) {
      for (int s = 0; s < 8; ++s) {
        std::string dir = tree_->Join("ws/d" + Two(d) + "/s" + Two(s));
        std::filesystem::create_directories(dir);
        for (int f = 0; f < 25; ++f) {
          std::string name = dir + "/f" + Two(f) + (f % 5 == 0 ? ".log" : ".c");
          ASSERT_EQ(::link(tree_->Join("one").c_str(), name.c_str()), 0) << name;
        }
      }
    }
  }
  static void TearDownTestSuite() {
    delete tree_;
    tree_ = nullptr;
  }
  void SetUp() override { Rebind({{"/", tree_->Join("ws")}, {"/d29/bound", tree_->Join("bound")}}, false); }

  static std::string Two(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

  struct Seen {
    std::map<std::string, int> times;  // path → visits
    std::set<int> workers;
    Result<WalkStats> stats = WalkStats{};
  };

  static weft::testing::ScopedTempDir* tree_;

  Seen WalkAll(int threads, const std::vector<std::string>& exclude = {}) {
    WalkOptions options;
    options.threads = threads;
    options.exclude = exclude;
    Seen seen;
    std::mutex mu;
    Result<ns::Workspace*> ws = workspaces_->Pick("");
    EXPECT_TRUE(ws.ok());
    seen.stats = Walk(**ws, ctx_, "/", options, [&](const WalkEntry& e) {
      std::lock_guard<std::mutex> lock(mu);
      ++seen.times[e.path];
      seen.workers.insert(e.worker);
      return WalkStep::kContinue;
    });
    return seen;
  }
};

TEST_F(FsWalk, VisitsEveryEntryOnceOnTwoThreadsAsOnOne) {
  Seen one = WalkAll(1);
  Seen two = WalkAll(2);
  ASSERT_TRUE(one.stats.ok()) << one.stats.status();
  ASSERT_TRUE(two.stats.ok()) << two.stats.status();
  EXPECT_EQ(one.stats->threads, 1);
  EXPECT_EQ(two.stats->threads, 2);
  EXPECT_EQ(one.workers, std::set<int>{0});
  for (const auto& [path, n] : two.times) EXPECT_EQ(n, 1) << path;
  EXPECT_EQ(two.times, one.times);
  EXPECT_EQ(two.stats->visited, one.stats->visited);
  // .gitignore files apply wherever a thread picks the walk up.
  EXPECT_TRUE(one.times.count("/d01/s01/f01.c"));
  EXPECT_FALSE(one.times.count("/d01/s01/f00.log"));
  EXPECT_FALSE(one.times.count("/d07/s03"));
  EXPECT_TRUE(one.times.count("/d08/s03/f01.c"));
  EXPECT_TRUE(one.times.count("/d29/bound/x.c"));
}

TEST_F(FsWalk, HonoursExcludeRulesOnEveryThread) {
  Seen one = WalkAll(1, {"s05/", "f1?.c"});
  Seen two = WalkAll(2, {"s05/", "f1?.c"});
  ASSERT_TRUE(two.stats.ok()) << two.stats.status();
  EXPECT_EQ(two.times, one.times);
  EXPECT_FALSE(one.times.count("/d03/s05"));
  EXPECT_FALSE(one.times.count("/d03/s04/f12.c"));
  EXPECT_TRUE(one.times.count("/d03/s04/f21.c"));
}

TEST_F(FsWalk, AStopEndsTheWalkOnEveryThread) {
  WalkOptions options;
  options.threads = 2;
  std::atomic<int> visits{0};
  Result<ns::Workspace*> ws = workspaces_->Pick("");
  ASSERT_TRUE(ws.ok());
  Result<WalkStats> stats = Walk(**ws, ctx_, "/", options, [&](const WalkEntry&) {
    return ++visits >= 3000 ? WalkStep::kStop : WalkStep::kContinue;
  });
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_GE(visits.load(), 3000);
  EXPECT_LT(visits.load(), 3000 + 2 * 300);  // each thread finishes at most the entry it is on
}

TEST_F(FsWalk, StopsAtTheVisitCapOnEveryThread) {
  WalkOptions options;
  options.threads = 2;
  options.max_visits = 4000;
  std::atomic<int> visits{0};
  Result<ns::Workspace*> ws = workspaces_->Pick("");
  ASSERT_TRUE(ws.ok());
  Result<WalkStats> stats = Walk(**ws, ctx_, "/", options, [&](const WalkEntry&) {
    ++visits;
    return WalkStep::kContinue;
  });
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_TRUE(stats->hit_visit_cap);
  EXPECT_EQ(stats->visited, 4000u);
  EXPECT_LE(visits.load(), 4000 + 2 * 256);  // counts are shared a batch at a time
}

TEST_F(FsWalk, ACancelledWalkFailsOnEveryThread) {
  WalkOptions options;
  options.threads = 2;
  Result<ns::Workspace*> ws = workspaces_->Pick("");
  ASSERT_TRUE(ws.ok());
  std::atomic<int> visits{0};
  Result<WalkStats> stats = Walk(**ws, ctx_, "/", options, [&](const WalkEntry&) {
    if (++visits == 2500) ctx_.Cancel();
    return WalkStep::kContinue;
  });
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kCancelled);
}

weft::testing::ScopedTempDir* FsWalk::tree_ = nullptr;

}  // namespace
}  // namespace weft::venoms::fs
