// ChangeWatcher: inotify events as namespace paths, shared and counted
// watches, coalescing (EventCoalescer with made-up times), shutdown, and
// refusing directories outside the workspace.
#include "core/ns/watch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "core/base/strings.h"
#include "core/ns/write.h"
#include "tests/support/temp_dir.h"

namespace weft::ns {
namespace {

using Kind = ChangeEvent::Kind;
using namespace std::chrono_literals;

constexpr auto kTimeout = 10s;  // generous: the tests assert behaviour, not speed

std::string Describe(const ChangeEvent& e) {
  return StrCat({e.workspace_id, ":", ChangeKindName(e.kind), ":", e.path});
}

// Collects events from the watcher's thread; tests wait on it.
class Recorder {
 public:
  ChangeListener Listener() {
    return [this](const ChangeEvent& e) {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(e);
      cv_.notify_all();
    };
  }
  // True once `e` has arrived (now or within kTimeout).
  bool WaitFor(const ChangeEvent& e) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kTimeout, [&] { return std::find(events_.begin(), events_.end(), e) != events_.end(); });
  }
  size_t Count(const ChangeEvent& e) {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<size_t>(std::count(events_.begin(), events_.end(), e));
  }
  std::vector<ChangeEvent> Events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  std::string All() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    for (const ChangeEvent& e : events_) out += Describe(e) + "\n";
    return out;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    events_.clear();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ChangeEvent> events_;
};

ChangeEvent Ev(std::string path, Kind kind, std::string ws = "ws_1") {
  return ChangeEvent{std::move(ws), std::move(path), kind};
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app);
  out << text;
}

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.WriteFile("proj/src/a.c", "int a;\n");
    tmp_.WriteFile("docs/guide.md", "# guide\n");
    tmp_.WriteFile("outside/secret", "x");
    std::filesystem::create_symlink(tmp_.Join("outside"), tmp_.Join("proj/out"));
    ws_ = OpenWorkspace("ws_1", {{"/", "proj"}, {"/docs", "docs"}});
    StartWatcher(ChangeWatcher::kDefaultCoalesce);
  }
  std::unique_ptr<Workspace> OpenWorkspace(std::string id, std::vector<std::pair<std::string, std::string>> binds) {
    MountTable table;
    for (const auto& [path, dir] : binds) {
      EXPECT_TRUE(table.Add(path, Source{Source::Kind::kHost, "", tmp_.Join(dir), false}).ok());
    }
    auto ws = Workspace::Open(id, id, std::move(table), false);
    EXPECT_TRUE(ws.ok()) << ws.status();
    return ws.ok() ? std::move(ws).value() : nullptr;
  }
  void StartWatcher(std::chrono::milliseconds coalesce) {
    watcher_.reset();
    auto w = ChangeWatcher::Start(recorder_.Listener(), coalesce);
    ASSERT_TRUE(w.ok()) << w.status();
    watcher_ = std::move(w).value();
  }
  uint64_t Watch(std::string_view dir, const Workspace* ws = nullptr) {
    Result<uint64_t> h = watcher_->WatchDir(ws != nullptr ? *ws : *ws_, dir);
    EXPECT_TRUE(h.ok()) << h.status();
    return h.ok() ? *h : 0;
  }

  weft::testing::ScopedTempDir tmp_;
  std::unique_ptr<Workspace> ws_;
  Recorder recorder_;                       // outlives the watcher
  std::unique_ptr<ChangeWatcher> watcher_;  // destroyed first
};

TEST_F(WatchTest, ReportsCreateModifyAndDeleteWithNamespacePaths) {
  Watch("/src");
  tmp_.WriteFile("proj/src/new.txt", "one\n");
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/new.txt", Kind::kCreated))) << recorder_.All();
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/new.txt", Kind::kModified))) << recorder_.All();
  recorder_.Clear();
  Append(tmp_.Join("proj/src/a.c"), "int b;\n");
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/a.c", Kind::kModified))) << recorder_.All();
  ASSERT_EQ(::unlink(tmp_.Join("proj/src/new.txt").c_str()), 0);
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/new.txt", Kind::kRemoved))) << recorder_.All();
  ASSERT_EQ(::mkdir(tmp_.Join("proj/src/sub").c_str(), 0755), 0);
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/sub", Kind::kCreated))) << recorder_.All();
}

// weft's own whole-file writes go through a temporary file renamed over the
// target; subscribers hear about the target only.
TEST_F(WatchTest, WeftsOwnWritesReportOnlyTheTarget) {
  Watch("/src");
  Watch("/docs");
  Result<Place> place = ws_->Locate("/src/a.c", Access::kWrite);
  ASSERT_TRUE(place.ok()) << place.status();
  ASSERT_TRUE(WriteFileBeneath(place->root_fd, place->rest, "int c;\n").ok());
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/a.c", Kind::kCreated))) << recorder_.All();
  tmp_.WriteFile("docs/sentinel.md", "x");
  ASSERT_TRUE(recorder_.WaitFor(Ev("/docs/sentinel.md", Kind::kCreated))) << recorder_.All();
  for (const ChangeEvent& e : recorder_.Events()) {
    EXPECT_EQ(e.path.find(".weft-"), std::string::npos) << recorder_.All();
  }
}

TEST_F(WatchTest, RenameIsRemovedThenCreated) {
  Watch("src");
  ASSERT_EQ(std::rename(tmp_.Join("proj/src/a.c").c_str(), tmp_.Join("proj/src/b.c").c_str()), 0);
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/a.c", Kind::kRemoved))) << recorder_.All();
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/b.c", Kind::kCreated))) << recorder_.All();
}

TEST_F(WatchTest, ANestedBindReportsUnderItsNamespacePath) {
  Watch("/docs");
  Append(tmp_.Join("docs/guide.md"), "more\n");
  tmp_.WriteFile("docs/api.md", "# api\n");
  EXPECT_TRUE(recorder_.WaitFor(Ev("/docs/guide.md", Kind::kModified))) << recorder_.All();
  EXPECT_TRUE(recorder_.WaitFor(Ev("/docs/api.md", Kind::kCreated))) << recorder_.All();
}

TEST_F(WatchTest, HostEntriesCoveredByAChildBindAreNotReported) {
  Watch("/");
  // proj/docs on the host is hidden by the /docs bind: the namespace's /docs did not change.
  ASSERT_EQ(::mkdir(tmp_.Join("proj/docs").c_str(), 0755), 0);
  tmp_.WriteFile("proj/visible", "v");
  // Events are delivered in the order they happened, so once /visible is
  // here, a /docs event would have been too.
  ASSERT_TRUE(recorder_.WaitFor(Ev("/visible", Kind::kCreated))) << recorder_.All();
  EXPECT_EQ(recorder_.Count(Ev("/docs", Kind::kCreated)), 0u) << recorder_.All();
}

TEST_F(WatchTest, WatchesOfOneDirectoryAreCounted) {
  uint64_t first = Watch("/src");
  uint64_t second = Watch("./src/");  // the same directory, spelled differently
  Watch("/docs");                     // the sentinel
  EXPECT_NE(first, second);
  watcher_->Unwatch(first);
  tmp_.WriteFile("proj/src/still.txt", "x");
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/still.txt", Kind::kCreated))) << recorder_.All();

  watcher_->Unwatch(second);
  watcher_->Unwatch(second);  // unknown by now: ignored
  tmp_.WriteFile("proj/src/after.txt", "x");
  tmp_.WriteFile("docs/sentinel.md", "x");
  ASSERT_TRUE(recorder_.WaitFor(Ev("/docs/sentinel.md", Kind::kCreated))) << recorder_.All();
  EXPECT_EQ(recorder_.Count(Ev("/src/after.txt", Kind::kCreated)), 0u) << recorder_.All();

  // Watching it again after the last Unwatch works.
  Watch("/src");
  tmp_.WriteFile("proj/src/again.txt", "x");
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/again.txt", Kind::kCreated))) << recorder_.All();
}

// Two workspaces over one host directory share its inotify watch; each gets
// events in its own namespace, and dropping one leaves the other.
TEST_F(WatchTest, TwoWorkspacesOnOneHostDirectoryEachGetTheirPaths) {
  auto other = OpenWorkspace("ws_2", {{"/", "docs"}, {"/p", "proj"}});
  ASSERT_NE(other, nullptr);
  uint64_t mine = Watch("/src");
  Watch("/p/src", other.get());
  tmp_.WriteFile("proj/src/both.txt", "x");
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/both.txt", Kind::kCreated, "ws_1"))) << recorder_.All();
  EXPECT_TRUE(recorder_.WaitFor(Ev("/p/src/both.txt", Kind::kCreated, "ws_2"))) << recorder_.All();
  watcher_->Unwatch(mine);
  tmp_.WriteFile("proj/src/one.txt", "x");
  EXPECT_TRUE(recorder_.WaitFor(Ev("/p/src/one.txt", Kind::kCreated, "ws_2"))) << recorder_.All();
  EXPECT_EQ(recorder_.Count(Ev("/src/one.txt", Kind::kCreated, "ws_1")), 0u) << recorder_.All();
}

TEST_F(WatchTest, RapidWritesAreCoalesced) {
  StartWatcher(1s);  // a wide window, so the burst surely falls inside it
  Watch("/src");
  Watch("/docs");
  constexpr int kWrites = 20;
  for (int i = 0; i < kWrites; ++i) Append(tmp_.Join("proj/src/a.c"), "x");
  tmp_.WriteFile("docs/sentinel.md", "x");
  ASSERT_TRUE(recorder_.WaitFor(Ev("/docs/sentinel.md", Kind::kCreated))) << recorder_.All();
  size_t modified = recorder_.Count(Ev("/src/a.c", Kind::kModified));
  EXPECT_GE(modified, 1u);
  EXPECT_LT(modified, static_cast<size_t>(kWrites)) << recorder_.All();
}

TEST_F(WatchTest, AWatchedDirectoryRemovedIsReportedAndCanBeWatchedAgain) {
  ASSERT_EQ(::mkdir(tmp_.Join("proj/src/sub").c_str(), 0755), 0);
  uint64_t h = Watch("/src/sub");
  ASSERT_EQ(::rmdir(tmp_.Join("proj/src/sub").c_str()), 0);
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/sub", Kind::kRemoved))) << recorder_.All();
  // The handle still counts; watching the new directory at the path re-attaches.
  ASSERT_EQ(::mkdir(tmp_.Join("proj/src/sub").c_str(), 0755), 0);
  uint64_t again = Watch("/src/sub");
  tmp_.WriteFile("proj/src/sub/x", "x");
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/sub/x", Kind::kCreated))) << recorder_.All();
  watcher_->Unwatch(h);
  watcher_->Unwatch(again);
}

TEST_F(WatchTest, AMovedDirectoryIsReportedRemoved) {
  ASSERT_EQ(::mkdir(tmp_.Join("proj/src/sub").c_str(), 0755), 0);
  Watch("/src/sub");
  ASSERT_EQ(std::rename(tmp_.Join("proj/src/sub").c_str(), tmp_.Join("proj/moved").c_str()), 0);
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src/sub", Kind::kRemoved))) << recorder_.All();
  // Its new place is not watched: nothing reports under the old name.
  Watch("/docs");
  tmp_.WriteFile("proj/moved/x", "x");
  tmp_.WriteFile("docs/sentinel.md", "x");
  ASSERT_TRUE(recorder_.WaitFor(Ev("/docs/sentinel.md", Kind::kCreated))) << recorder_.All();
  EXPECT_EQ(recorder_.Count(Ev("/src/sub/x", Kind::kCreated)), 0u) << recorder_.All();
}

TEST_F(WatchTest, RefusesDirectoriesOutsideTheWorkspace) {
  Result<uint64_t> out = watcher_->WatchDir(*ws_, "/out");  // a symlink to a host dir outside
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(out.status().message().find("escapes the workspace"), std::string::npos) << out.status();
  EXPECT_EQ(watcher_->WatchDir(*ws_, "../outside").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(watcher_->WatchDir(*ws_, "/missing").status().code(), StatusCode::kNotFound);
  Result<uint64_t> file = watcher_->WatchDir(*ws_, "/src/a.c");
  EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(file.status().message().find("not a directory"), std::string::npos) << file.status();
}

TEST_F(WatchTest, DestructorStopsCleanlyWithWatchesAndEventsInFlight) {
  std::atomic<bool> destroyed{false};
  std::atomic<bool> called_after{false};
  std::atomic<int> calls{0};
  auto w = ChangeWatcher::Start(
      [&](const ChangeEvent&) {
        if (destroyed.load()) called_after = true;
        ++calls;
        std::this_thread::sleep_for(20ms);  // a slow listener, mid-call at destruction
      },
      1ms);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->WatchDir(*ws_, "/src").ok());
  ASSERT_TRUE((*w)->WatchDir(*ws_, "/docs").ok());
  for (int i = 0; i < 50; ++i) tmp_.WriteFile(StrCat({"proj/src/f", std::to_string(i)}), "x");
  auto deadline = std::chrono::steady_clock::now() + kTimeout;
  while (calls.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  ASSERT_GT(calls.load(), 0);
  w->reset();
  destroyed = true;
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(called_after.load());
}

// A listener that stalls lets the kernel queue overflow; the watcher then
// reports each watched directory modified, so subscribers re-read it.
TEST_F(WatchTest, QueueOverflowReportsTheDirectoryModified) {
  std::ifstream limit_file("/proc/sys/fs/inotify/max_queued_events");
  int limit = 0;
  if (!(limit_file >> limit) || limit <= 0 || limit > 40000) {
    GTEST_SKIP() << "fs.inotify.max_queued_events is " << limit << "; too large to overflow quickly";
  }
  std::mutex gate;
  std::atomic<bool> first{true};
  auto record = recorder_.Listener();
  auto w = ChangeWatcher::Start([&](const ChangeEvent& e) {
    if (first.exchange(false)) {
      std::lock_guard<std::mutex> wait(gate);  // stall until the burst is written
    }
    record(e);
  });
  ASSERT_TRUE(w.ok()) << w.status();
  std::unique_lock<std::mutex> hold(gate);  // released before `w` is destroyed, on every path
  ASSERT_TRUE((*w)->WatchDir(*ws_, "/src").ok());
  tmp_.WriteFile("proj/src/first", "x");
  std::this_thread::sleep_for(200ms);  // lets the first event reach the stalled listener (else: it overflows anyway)
  // Writes to two files in turn: every one is an IN_MODIFY the kernel cannot
  // merge with the one before it.
  UniqueFd ping(::open(tmp_.Join("proj/src/ping").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  UniqueFd pong(::open(tmp_.Join("proj/src/pong").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  ASSERT_TRUE(ping && pong);
  const int writes = limit + 100;
  for (int i = 0; i < writes; ++i) ASSERT_EQ(::write((i % 2 == 0 ? ping : pong).get(), "x", 1), 1);
  hold.unlock();
  // Nothing else reports /src itself: writes to its files do not touch it.
  EXPECT_TRUE(recorder_.WaitFor(Ev("/src", Kind::kModified))) << "no overflow event";
}

// The coalescing rule itself, with made-up times.
TEST(EventCoalescer, AbsorbsRepeatsOfTheNewestKindForAPath) {
  using TP = EventCoalescer::TimePoint;
  EventCoalescer c(50ms);
  TP t0{};
  c.Add(Ev("/a", Kind::kModified), "/", t0);
  c.Add(Ev("/a", Kind::kModified), "/", t0 + 10ms);
  c.Add(Ev("/b", Kind::kModified), "/", t0 + 20ms);
  c.Add(Ev("/a", Kind::kModified), "/", t0 + 30ms);
  c.Add(Ev("/a", Kind::kModified, "ws_2"), "/", t0 + 30ms);  // another workspace: its own event
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.NextDue(), t0 + 50ms);
  EXPECT_TRUE(c.TakeDue(t0 + 49ms).empty());
  std::vector<EventCoalescer::Item> due = c.TakeDue(t0 + 50ms);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].event, Ev("/a", Kind::kModified));
  EXPECT_EQ(due[0].watched_dir, "/");
  // /a's window has closed: the next write starts a new one.
  c.Add(Ev("/a", Kind::kModified), "/", t0 + 60ms);
  due = c.TakeDue(t0 + 200ms);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].event, Ev("/b", Kind::kModified));
  EXPECT_EQ(due[1].event, Ev("/a", Kind::kModified, "ws_2"));
  EXPECT_EQ(due[2].event, Ev("/a", Kind::kModified));
  EXPECT_EQ(c.NextDue(), std::nullopt);
}

TEST(EventCoalescer, KeepsChangesOfKindInOrder) {
  EventCoalescer c(50ms);
  EventCoalescer::TimePoint t0{};
  c.Add(Ev("/a", Kind::kCreated), "/", t0);
  c.Add(Ev("/a", Kind::kModified), "/", t0);
  c.Add(Ev("/a", Kind::kModified), "/", t0);
  c.Add(Ev("/a", Kind::kRemoved), "/", t0);
  c.Add(Ev("/a", Kind::kCreated), "/", t0);  // not absorbed into the first: the file came back
  std::vector<EventCoalescer::Item> due = c.TakeDue(t0 + 1s);
  ASSERT_EQ(due.size(), 4u);
  EXPECT_EQ(due[0].event.kind, Kind::kCreated);
  EXPECT_EQ(due[1].event.kind, Kind::kModified);
  EXPECT_EQ(due[2].event.kind, Kind::kRemoved);
  EXPECT_EQ(due[3].event.kind, Kind::kCreated);
}

}  // namespace
}  // namespace weft::ns
