// NodeTree: fixed nodes, generated files, call files and provided
// directories, with stable ids and meaningful mtimes.
#include "core/weftdir/node_tree.h"

#include <atomic>
#include <mutex>

#include <gtest/gtest.h>

namespace weft::weftdir {
namespace {

class FakeClock : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override { return {}; }
  int64_t WallMillis() const override { return millis; }
  std::atomic<int64_t> millis{1000};
};

// A directory whose entries the test sets.
class FakeProvider : public DirectoryProvider {
 public:
  std::vector<Entry> Entries() const override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Entry> out;
    for (const std::string& name : names_) {
      std::string text = "status of " + name;
      out.push_back({name, NodeKind::kFile, [text]() -> Result<std::string> { return text; }, nullptr, nullptr});
    }
    return out;
  }
  void Set(std::vector<std::string> names) {
    std::lock_guard<std::mutex> lock(mu_);
    names_ = std::move(names);
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> names_;
};

class NodeTreeTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  NodeTree tree_{clock_};
};

TEST_F(NodeTreeTest, RootIsAnEmptyDirectory) {
  std::optional<NodeInfo> root = tree_.Get(kRootId);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->kind, NodeKind::kDirectory);
  EXPECT_EQ(root->name, "");
  EXPECT_EQ(root->mode, 0555u);
  EXPECT_TRUE(tree_.List(kRootId).empty());
}

TEST_F(NodeTreeTest, FixedNodesListInOrderAndLookUpByName) {
  uint64_t dir = tree_.AddDirectory(kRootId, "d");
  uint64_t file = tree_.AddFile(kRootId, "f.txt", "hello");
  std::vector<NodeInfo> list = tree_.List(kRootId);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, dir);
  EXPECT_EQ(list[1].name, "f.txt");
  EXPECT_EQ(list[1].size, 5u);
  EXPECT_EQ(list[1].mode, 0444u);
  EXPECT_EQ(tree_.Lookup(kRootId, "f.txt")->id, file);
  EXPECT_EQ(*tree_.ReadFile(file), "hello");
}

TEST_F(NodeTreeTest, MissingNamesAndWrongKindsAreNotFound) {
  uint64_t file = tree_.AddFile(kRootId, "f", "x");
  EXPECT_FALSE(tree_.Lookup(kRootId, "nope"));
  EXPECT_FALSE(tree_.Lookup(file, "x"));  // a file has no entries
  EXPECT_FALSE(tree_.Lookup(999, "f"));
  EXPECT_FALSE(tree_.Get(0));
  EXPECT_FALSE(tree_.Get(999));
  EXPECT_TRUE(tree_.List(file).empty());
  EXPECT_EQ(tree_.ReadFile(kRootId).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tree_.OpenCall(file).status().code(), StatusCode::kNotFound);
}

TEST_F(NodeTreeTest, GeneratedFileReportsCurrentSizeAndMovesMtimeOnChange) {
  std::atomic<int> version{1};
  uint64_t id = tree_.AddGeneratedFile(kRootId, "gen", [&]() -> Result<std::string> {
    return std::string(static_cast<size_t>(version.load()), 'x');
  });
  std::optional<NodeInfo> first = tree_.Get(id);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->size, 1u);
  clock_.millis = 2000;
  EXPECT_EQ(tree_.Get(id)->mtime_ns, first->mtime_ns) << "unchanged content keeps its mtime";
  version = 3;
  std::optional<NodeInfo> second = tree_.Get(id);
  EXPECT_EQ(second->size, 3u);
  EXPECT_EQ(second->mtime_ns, int64_t{2000} * 1'000'000);
  EXPECT_EQ(*tree_.ReadFile(id), "xxx");
}

TEST_F(NodeTreeTest, CallFilesOpenANewSessionEachTime) {
  int opened = 0;
  uint64_t id = tree_.AddCallFile(kRootId, "op", [&opened]() -> std::unique_ptr<CallSession> {
    ++opened;
    return nullptr;
  });
  EXPECT_EQ(tree_.Get(id)->kind, NodeKind::kCallFile);
  EXPECT_EQ(tree_.Get(id)->mode, 0666u);
  EXPECT_TRUE(tree_.OpenCall(id).ok());
  EXPECT_TRUE(tree_.OpenCall(id).ok());
  EXPECT_EQ(opened, 2);
  EXPECT_EQ(tree_.ReadFile(id).status().code(), StatusCode::kNotFound);
}

TEST_F(NodeTreeTest, ProvidedDirectoryFollowsItsProviderWithStableIds) {
  auto provider = std::make_shared<FakeProvider>();
  provider->Set({"a1", "a2"});
  uint64_t agents = tree_.AddProvidedDirectory(kRootId, "agents", provider);
  std::vector<NodeInfo> list = tree_.List(agents);
  ASSERT_EQ(list.size(), 2u);
  uint64_t a1 = list[0].id;
  uint64_t a2 = list[1].id;
  EXPECT_EQ(*tree_.ReadFile(a2), "status of a2");
  int64_t listed_at = tree_.Get(agents)->mtime_ns;

  clock_.millis = 5000;
  provider->Set({"a2", "a3"});
  list = tree_.List(agents);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, a2);
  EXPECT_NE(list[1].id, a1);
  EXPECT_FALSE(tree_.Get(a1)) << "a dropped entry is gone";
  EXPECT_FALSE(tree_.Lookup(agents, "a1"));
  EXPECT_GT(tree_.Get(agents)->mtime_ns, listed_at);

  provider->Set({"a1"});
  EXPECT_EQ(tree_.Lookup(agents, "a1")->id, a1) << "a name that comes back keeps its id";
}

}  // namespace
}  // namespace weft::weftdir
