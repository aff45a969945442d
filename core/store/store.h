// Store: weft's durable state in SQLite, `<state dir>/weft.db` (DESIGN.md §2,
// docs/store.md): workspaces and their binds now; agents, grants and audit
// later, each added by a new migration (core/store/migrations.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/clock.h"
#include "core/base/result.h"

namespace weft::store {

namespace sql {
class Connection;
}

// A bind beyond the primary one: namespace path → source.
struct BindRecord {
  std::string path;    // canonical namespace path, not "/"
  std::string source;  // ns::Source::ToString(), e.g. "host:/home/me/ref:ro"

  bool operator==(const BindRecord&) const = default;
};

struct WorkspaceRecord {
  std::string id;    // "ws_" + 12 lowercase hex; never changes
  std::string name;  // unique; basename of root unless renamed
  std::string root;  // the primary bind's host directory, canonical absolute
  std::vector<BindRecord> binds;  // sorted by path
  int64_t created_at = 0;         // unix seconds
  int64_t last_used_at = 0;       // unix seconds
};

// One SQLite connection in WAL mode, so several weft processes share the
// file; every method is thread-safe (a mutex serialises use of the
// connection) and every write is one BEGIN IMMEDIATE transaction, so two
// processes racing see one outcome. All SQL binds its values.
class Store {
 public:
  // The database file inside a state directory (core/base/state_dir.h).
  static std::string PathIn(const std::string& state_dir);

  // Opens `db_path` (creating it, 0600, and its directory, 0700, when
  // absent), sets the pragmas (WAL, synchronous=NORMAL, foreign_keys, a 5 s
  // busy timeout) and applies the migrations this binary has and the file
  // lacks. Refuses, naming the path, a file that is not an SQLite database
  // (or is corrupt), an SQLite database that is not weft's, and one at a
  // newer schema version than this weft knows. `clock` stamps the times and
  // must outlive the Store.
  static Result<std::unique_ptr<Store>> Open(const std::string& db_path, const Clock& clock = SystemClock::Get());
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return path_; }
  // The schema version of the file (after Open, the newest this weft knows).
  int SchemaVersion() const { return schema_version_; }

  // The workspace whose primary root is `root` (a canonical absolute host
  // directory), created when absent with a fresh id and basename(root) as its
  // name ("-2", "-3", … when taken). Stamps last_used_at. When `binds` is
  // given, it replaces the workspace's extra binds. One transaction, so two
  // processes starting in the same directory get the same workspace.
  Result<WorkspaceRecord> EnsureWorkspace(const std::string& root,
                                          std::optional<std::vector<BindRecord>> binds = std::nullopt);
  // Every workspace, by name.
  Result<std::vector<WorkspaceRecord>> ListWorkspaces() const;
  // By id, then by name; kNotFound otherwise.
  Result<WorkspaceRecord> GetWorkspace(std::string_view id_or_name) const;
  // Replaces the extra binds of workspace `id`.
  Status SetBinds(std::string_view id, const std::vector<BindRecord>& binds);
  // kAlreadyExists when another workspace has `new_name`; kInvalidArgument
  // for an empty name, one with '/', control characters or over 255 bytes,
  // or one shaped like a workspace id.
  Status RenameWorkspace(std::string_view id, std::string_view new_name);
  // Deletes the workspace and its binds (ON DELETE CASCADE).
  Status RemoveWorkspace(std::string_view id);

  // For the classes that keep the other tables (agents, grants, audit; each
  // in its own files in core/store): runs `fn` on the connection under the
  // lock, inside one BEGIN IMMEDIATE transaction (Write) or one read
  // snapshot (Read), committed when `fn` returns ok and rolled back
  // otherwise. `fn` must not call back into the Store.
  Status Write(const std::function<Status(sql::Connection&)>& fn);
  Status Read(const std::function<Status(sql::Connection&)>& fn) const;
  // Unix seconds by the Store's clock.
  int64_t Now() const { return NowSeconds(); }
  const Clock& clock() const { return clock_; }

 private:
  Store(std::string path, std::unique_ptr<sql::Connection> db, const Clock& clock, int version);
  int64_t NowSeconds() const;

  const std::string path_;
  const Clock& clock_;
  const int schema_version_;
  mutable std::mutex mu_;                 // guards db_ (one connection, used by one thread at a time)
  std::unique_ptr<sql::Connection> db_;   // GUARDED_BY(mu_)
};

}  // namespace weft::store
