// Store: migrations, pragmas, refusing foreign files, workspace records and
// binds, and several connections (threads, processes) sharing one weft.db.
#include "core/store/store.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/base/state_dir.h"
#include "core/store/migrations.h"
#include "core/store/sqlite.h"
#include "tests/support/temp_dir.h"

namespace weft::store {
namespace {

class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override { return std::chrono::steady_clock::now(); }
  int64_t WallMillis() const override { return millis_.load(); }
  void AdvanceSeconds(int64_t s) { millis_ += s * 1000; }

 private:
  std::atomic<int64_t> millis_{1700000000000};
};

// A second, independent look at the file through SQLite itself.
class RawDb {
 public:
  explicit RawDb(const std::string& path) { EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK); }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  // The first column of the first row as text ("" when no row).
  std::string Query(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return out;
  }
  void Exec(const std::string& sql) {
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
  }

 private:
  sqlite3* db_ = nullptr;
};

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> OpenOrDie() {
    Result<std::unique_ptr<Store>> store = Store::Open(db_path_, clock_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  static bool HasText(const Status& s, std::string_view text) {
    return s.message().find(text) != std::string::npos;
  }

  weft::testing::ScopedTempDir tmp_;
  std::string state_dir_ = tmp_.Join("state/weft");
  std::string db_path_ = Store::PathIn(state_dir_);
  FakeClock clock_;
};

TEST_F(StoreTest, FreshDatabaseGetsEveryMigration) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion(), LatestSchemaVersion());
  EXPECT_EQ(store->path(), db_path_);
  RawDb raw(db_path_);
  EXPECT_EQ(raw.Query("SELECT count(*) FROM schema_migrations"), std::to_string(Migrations().size()));
  EXPECT_EQ(raw.Query("SELECT description FROM schema_migrations WHERE version = 1"), Migrations()[0].description);
  EXPECT_EQ(raw.Query("SELECT applied_at FROM schema_migrations WHERE version = 1"), "1700000000");
  EXPECT_EQ(raw.Query("SELECT count(*) FROM sqlite_schema WHERE name IN ('workspaces', 'binds')"), "2");
  EXPECT_EQ(raw.Query("PRAGMA application_id"), std::to_string(kApplicationId));
}

TEST_F(StoreTest, ReopenAppliesNothingTwice) {
  OpenOrDie();
  clock_.AdvanceSeconds(100);
  auto again = OpenOrDie();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->SchemaVersion(), LatestSchemaVersion());
  RawDb raw(db_path_);
  EXPECT_EQ(raw.Query("SELECT count(*) FROM schema_migrations"), std::to_string(Migrations().size()));
  EXPECT_EQ(raw.Query("SELECT max(applied_at) FROM schema_migrations"), "1700000000");
}

TEST_F(StoreTest, CreatesAPrivateStateDirAndFile) {
  OpenOrDie();
  struct stat st;
  ASSERT_EQ(::stat(state_dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(db_path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(StoreTest, UsesWalJournalMode) {
  auto store = OpenOrDie();
  RawDb raw(db_path_);
  // journal_mode=WAL is persistent: any connection to the file reports it.
  EXPECT_EQ(raw.Query("PRAGMA journal_mode"), "wal");
}

TEST_F(StoreTest, RefusesADatabaseNewerThanThisWeft) {
  OpenOrDie();
  {
    RawDb raw(db_path_);
    raw.Exec("INSERT INTO schema_migrations (version, description, applied_at) VALUES (99, 'from the future', 0)");
  }
  Result<std::unique_ptr<Store>> store = Store::Open(db_path_, clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(HasText(store.status(), "weft.db is at schema version 99; this weft knows up to " +
                                          std::to_string(LatestSchemaVersion()) + "; upgrade weft"))
      << store.status();
}

TEST_F(StoreTest, RefusesAGarbageFileNamingIt) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "this is not a database, just some text\n";
  tmp_.WriteFile("state/weft/weft.db", text);
  Result<std::unique_ptr<Store>> store = Store::Open(db_path_, clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(HasText(store.status(), db_path_)) << store.status();
  EXPECT_TRUE(HasText(store.status(), "not an SQLite database")) << store.status();
  EXPECT_EQ(weft::testing::ReadFileOrDie(db_path_), text);  // untouched
}

TEST_F(StoreTest, RefusesAShortGarbageFile) {
  tmp_.WriteFile("state/weft/weft.db", "garbage");
  Result<std::unique_ptr<Store>> store = Store::Open(db_path_, clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(HasText(store.status(), db_path_)) << store.status();
}

TEST_F(StoreTest, RefusesAnotherProgramsSqliteDatabase) {
  ASSERT_EQ(::mkdir(tmp_.Join("state").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(state_dir_.c_str(), 0700), 0);
  {
    RawDb raw(db_path_);
    raw.Exec("CREATE TABLE photos (id INTEGER)");
  }
  Result<std::unique_ptr<Store>> store = Store::Open(db_path_, clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(HasText(store.status(), "not weft's")) << store.status();
  EXPECT_TRUE(HasText(store.status(), db_path_)) << store.status();
}

TEST_F(StoreTest, RefusesADirectoryAtTheDatabasePath) {
  ASSERT_TRUE(EnsurePrivateDir(db_path_).ok());
  Result<std::unique_ptr<Store>> store = Store::Open(db_path_, clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(HasText(store.status(), db_path_)) << store.status();
}

// The runner with hand-made lists: forward only, one transaction per step.
TEST_F(StoreTest, MigrateAppliesOnlyWhatIsMissingInOrder) {
  ASSERT_TRUE(EnsurePrivateDir(state_dir_).ok());
  Result<sql::Connection> conn = sql::Connection::Open(db_path_);
  ASSERT_TRUE(conn.ok()) << conn.status();
  const Migration v1[] = {{1, "one", "CREATE TABLE t1 (x INTEGER);"}};
  const Migration v2[] = {v1[0], {2, "two", "CREATE TABLE t2 (y TEXT); INSERT INTO t2 VALUES ('hi');"}};
  Result<int> at = Migrate(*conn, db_path_, 10, v1);
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(*at, 1);
  at = Migrate(*conn, db_path_, 20, v2);  // re-running CREATE TABLE t1 would fail
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(*at, 2);
  RawDb raw(db_path_);
  EXPECT_EQ(raw.Query("SELECT group_concat(version || ':' || description || ':' || applied_at, ',') "
                      "FROM (SELECT * FROM schema_migrations ORDER BY version)"),
            "1:one:10,2:two:20");
  EXPECT_EQ(raw.Query("SELECT y FROM t2"), "hi");
  Result<int> back = Migrate(*conn, db_path_, 30, v1);
  EXPECT_EQ(back.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(StoreTest, AVersionOneDatabaseGainsGrantsAndAuditKeepingItsWorkspaces) {
  ASSERT_TRUE(EnsurePrivateDir(state_dir_).ok());
  {
    Result<sql::Connection> conn = sql::Connection::Open(db_path_);
    ASSERT_TRUE(conn.ok()) << conn.status();
    Result<int> at = Migrate(*conn, db_path_, 10, Migrations().first(1));
    ASSERT_TRUE(at.ok()) << at.status();
    ASSERT_EQ(*at, 1);
    ASSERT_TRUE(conn->Exec("INSERT INTO workspaces VALUES ('ws_0123456789ab', 'old', '/old', 1, 2)").ok());
  }
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion(), LatestSchemaVersion());
  EXPECT_EQ(store->GetWorkspace("old")->root, "/old");
  RawDb raw(db_path_);
  EXPECT_EQ(raw.Query("SELECT count(*) FROM sqlite_schema WHERE name IN ('grants', 'audit')"), "2");
  EXPECT_EQ(raw.Query("SELECT description FROM schema_migrations WHERE version = 2"), "grants and the audit log");
}

TEST_F(StoreTest, AFailedMigrationLeavesNoTrace) {
  ASSERT_TRUE(EnsurePrivateDir(state_dir_).ok());
  Result<sql::Connection> conn = sql::Connection::Open(db_path_);
  ASSERT_TRUE(conn.ok()) << conn.status();
  const Migration list[] = {{1, "one", "CREATE TABLE t1 (x INTEGER);"},
                            {2, "broken", "CREATE TABLE t2 (y TEXT); THIS IS NOT SQL;"}};
  Result<int> at = Migrate(*conn, db_path_, 10, list);
  ASSERT_FALSE(at.ok());
  EXPECT_TRUE(HasText(at.status(), "migration 2 (broken)")) << at.status();
  Result<int> version = CurrentSchemaVersion(*conn);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 1);
  RawDb raw(db_path_);
  EXPECT_EQ(raw.Query("SELECT count(*) FROM sqlite_schema WHERE name = 't2'"), "0");
}

TEST_F(StoreTest, EnsureWorkspaceIsIdempotentByRoot) {
  auto store = OpenOrDie();
  Result<WorkspaceRecord> first = store->EnsureWorkspace("/home/me/proj");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->name, "proj");
  EXPECT_EQ(first->root, "/home/me/proj");
  ASSERT_EQ(first->id.size(), 15u);
  EXPECT_EQ(first->id.substr(0, 3), "ws_");
  EXPECT_EQ(first->id.find_first_not_of("0123456789abcdef", 3), std::string::npos) << first->id;
  EXPECT_EQ(first->created_at, 1700000000);
  EXPECT_EQ(first->last_used_at, 1700000000);

  clock_.AdvanceSeconds(60);
  Result<WorkspaceRecord> again = store->EnsureWorkspace("/home/me/proj");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->name, "proj");
  EXPECT_EQ(again->created_at, 1700000000);
  EXPECT_EQ(again->last_used_at, 1700000060);
  EXPECT_EQ(store->ListWorkspaces()->size(), 1u);
}

TEST_F(StoreTest, EnsureWorkspaceMakesNamesUnique) {
  auto store = OpenOrDie();
  EXPECT_EQ(store->EnsureWorkspace("/a/proj")->name, "proj");
  EXPECT_EQ(store->EnsureWorkspace("/b/proj")->name, "proj-2");
  EXPECT_EQ(store->EnsureWorkspace("/c/proj")->name, "proj-3");
  EXPECT_EQ(store->EnsureWorkspace("/b/proj")->name, "proj-2");
  EXPECT_EQ(store->EnsureWorkspace("/")->name, "root");
  // A directory named like an id would shadow ids in GetWorkspace.
  EXPECT_EQ(store->EnsureWorkspace("/x/ws_0123456789ab")->name, "ws_0123456789ab-2");
}

TEST_F(StoreTest, EnsureWorkspaceRefusesRootsThatAreNotCanonical) {
  auto store = OpenOrDie();
  for (const char* root : {"", "proj", "/a/../b", "/a/./b", "/a//b", "/a/"}) {
    EXPECT_EQ(store->EnsureWorkspace(root).status().code(), StatusCode::kInvalidArgument) << root;
  }
  EXPECT_EQ(store->ListWorkspaces()->size(), 0u);
}

TEST_F(StoreTest, BindsRoundTripAndAreReplaced) {
  auto store = OpenOrDie();
  std::vector<BindRecord> binds = {{"/vendor", "host:/src/vendor"}, {"/docs", "host:/home/me/ref:ro"}};
  Result<WorkspaceRecord> ws = store->EnsureWorkspace("/home/me/proj", binds);
  ASSERT_TRUE(ws.ok()) << ws.status();
  std::vector<BindRecord> sorted = {binds[1], binds[0]};
  EXPECT_EQ(ws->binds, sorted);
  EXPECT_EQ(store->GetWorkspace(ws->id)->binds, sorted);

  // No binds given: kept. Given (even empty): replaced.
  EXPECT_EQ(store->EnsureWorkspace("/home/me/proj")->binds, sorted);
  ASSERT_TRUE(store->SetBinds(ws->id, {{"/ref", "node:lab:/data"}}).ok());
  EXPECT_EQ(store->GetWorkspace("proj")->binds, (std::vector<BindRecord>{{"/ref", "node:lab:/data"}}));
  EXPECT_TRUE(store->EnsureWorkspace("/home/me/proj", std::vector<BindRecord>{})->binds.empty());

  EXPECT_EQ(store->SetBinds(ws->id, {{"/a", "host:/x"}, {"/a", "host:/y"}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->SetBinds(ws->id, {{"/", "host:/x"}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->SetBinds(ws->id, {{"a/b", "host:/x"}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->SetBinds("ws_000000000000", {}).code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, RemoveCascadesToBinds) {
  auto store = OpenOrDie();
  Result<WorkspaceRecord> ws = store->EnsureWorkspace("/p", std::vector<BindRecord>{{"/d", "host:/d"}});
  ASSERT_TRUE(ws.ok()) << ws.status();
  Result<WorkspaceRecord> other = store->EnsureWorkspace("/q", std::vector<BindRecord>{{"/d", "host:/d"}});
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(store->RemoveWorkspace(ws->id).ok());
  RawDb raw(db_path_);
  EXPECT_EQ(raw.Query("SELECT count(*) FROM binds"), "1");
  EXPECT_EQ(raw.Query("SELECT workspace_id FROM binds"), other->id);
  EXPECT_EQ(store->GetWorkspace(ws->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->RemoveWorkspace(ws->id).code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, GetWorkspaceByIdThenName) {
  auto store = OpenOrDie();
  Result<WorkspaceRecord> ws = store->EnsureWorkspace("/home/me/proj");
  ASSERT_TRUE(ws.ok());
  EXPECT_EQ(store->GetWorkspace(ws->id)->root, "/home/me/proj");
  EXPECT_EQ(store->GetWorkspace("proj")->id, ws->id);
  Result<WorkspaceRecord> missing = store->GetWorkspace("nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(HasText(missing.status(), "'nope'"));
}

TEST_F(StoreTest, RenameWorkspace) {
  auto store = OpenOrDie();
  Result<WorkspaceRecord> a = store->EnsureWorkspace("/a/proj");
  Result<WorkspaceRecord> b = store->EnsureWorkspace("/b/other");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(store->RenameWorkspace(a->id, "main").ok());
  EXPECT_EQ(store->GetWorkspace("main")->id, a->id);
  EXPECT_TRUE(store->RenameWorkspace(a->id, "main").ok());  // to its own name
  Status taken = store->RenameWorkspace(b->id, "main");
  EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(HasText(taken, a->id)) << taken;
  for (const char* bad : {"", "a/b", "tab\there", "ws_0123456789ab"}) {
    EXPECT_EQ(store->RenameWorkspace(b->id, bad).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(store->RenameWorkspace(b->id, std::string(256, 'n')).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->RenameWorkspace("ws_000000000000", "free").code(), StatusCode::kNotFound);
  // The name "proj" is free again, so a new workspace under another "proj" takes it.
  EXPECT_EQ(store->EnsureWorkspace("/c/proj")->name, "proj");
}

TEST_F(StoreTest, ListWorkspacesByName) {
  auto store = OpenOrDie();
  ASSERT_TRUE(store->EnsureWorkspace("/z/zeta", std::vector<BindRecord>{{"/x", "host:/x"}}).ok());
  ASSERT_TRUE(store->EnsureWorkspace("/a/alpha").ok());
  Result<std::vector<WorkspaceRecord>> list = store->ListWorkspaces();
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "alpha");
  EXPECT_EQ((*list)[1].name, "zeta");
  EXPECT_EQ((*list)[1].binds.size(), 1u);
}

TEST_F(StoreTest, TwoConnectionsSeeEachOthersWrites) {
  auto one = OpenOrDie();
  auto two = OpenOrDie();
  ASSERT_TRUE(one && two);
  Result<WorkspaceRecord> ws = one->EnsureWorkspace("/home/me/proj");
  ASSERT_TRUE(ws.ok());
  EXPECT_EQ(two->GetWorkspace("proj")->id, ws->id);
  ASSERT_TRUE(two->SetBinds(ws->id, {{"/docs", "host:/docs"}}).ok());
  EXPECT_EQ(one->GetWorkspace(ws->id)->binds.size(), 1u);
  ASSERT_TRUE(two->RemoveWorkspace(ws->id).ok());
  EXPECT_EQ(one->ListWorkspaces()->size(), 0u);
}

// Separate Store objects are separate connections, as two weft processes
// would have: opening a new file at once and racing to create the same
// workspace still ends with one workspace.
TEST_F(StoreTest, ConcurrentEnsureWorkspaceYieldsOneWorkspace) {
  constexpr int kThreads = 6;
  std::vector<std::string> ids(kThreads);
  std::vector<std::string> errors(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ready++;
      while (ready.load() < kThreads) std::this_thread::yield();
      Result<std::unique_ptr<Store>> store = Store::Open(db_path_, clock_);
      if (!store.ok()) {
        errors[i] = store.status().ToString();
        return;
      }
      Result<WorkspaceRecord> ws = (*store)->EnsureWorkspace("/home/me/proj");
      if (ws.ok()) {
        ids[i] = ws->id;
      } else {
        errors[i] = ws.status().ToString();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(errors[i], "") << "thread " << i;
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  auto store = OpenOrDie();
  EXPECT_EQ(store->ListWorkspaces()->size(), 1u);
  RawDb raw(db_path_);
  EXPECT_EQ(raw.Query("SELECT count(*) FROM schema_migrations"), std::to_string(Migrations().size()));
}

// The same race between real processes (POSIX locks, shared WAL index).
TEST_F(StoreTest, ConcurrentEnsureWorkspaceAcrossProcessesYieldsOneWorkspace) {
  constexpr int kChildren = 4;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < kChildren; ++i) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      Result<std::unique_ptr<Store>> store = Store::Open(db_path_);
      Result<WorkspaceRecord> ws = store.ok() ? (*store)->EnsureWorkspace("/home/me/proj")
                                              : Result<WorkspaceRecord>(store.status());
      std::string line = (ws.ok() ? ws->id : ws.status().ToString()) + "\n";
      ssize_t n = ::write(fds[1], line.data(), line.size());  // < PIPE_BUF: atomic
      ::_exit(n == static_cast<ssize_t>(line.size()) && ws.ok() ? 0 : 1);
    }
    pids.push_back(pid);
  }
  ::close(fds[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  }
  std::set<std::string> ids;
  for (size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    ids.insert(out.substr(start, end - start));
  }
  EXPECT_EQ(ids.size(), 1u) << out;
  auto store = OpenOrDie();
  EXPECT_EQ(store->ListWorkspaces()->size(), 1u);
}

}  // namespace
}  // namespace weft::store
