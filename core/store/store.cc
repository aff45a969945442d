// Store: opening weft.db (pragmas, migrations) and the workspace records.
#include "core/store/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>
#include <utility>

#include "core/base/fd.h"
#include "core/base/random.h"
#include "core/base/state_dir.h"
#include "core/base/strings.h"
#include "core/store/migrations.h"
#include "core/store/sqlite.h"

namespace weft::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr size_t kMaxName = 255;

// Absolute, no empty, "." or ".." component, no trailing '/' (but "/"), no NUL.
bool IsCanonicalAbsolute(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string_view::npos) return false;
  if (path == "/") return true;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// "ws_" + 12 lowercase hex: names of this shape would shadow ids in lookups.
bool LooksLikeId(std::string_view s) {
  if (s.size() != 15 || s.substr(0, 3) != "ws_") return false;
  for (char c : s.substr(3)) {
    if (!IsLowerHex(c)) return false;
  }
  return true;
}

Status CheckName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("a workspace name cannot be empty");
  if (name.size() > kMaxName) {
    return Status::InvalidArgument(StrCat({"a workspace name is at most ", std::to_string(kMaxName), " bytes"}));
  }
  for (char c : name) {
    if (c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(StrCat({"workspace name '", name, "' contains '/' or a control character"}));
    }
  }
  if (LooksLikeId(name)) {
    return Status::InvalidArgument(StrCat({"workspace name '", name, "' looks like a workspace id; pick another"}));
  }
  return Status::Ok();
}

// basename(root), with what CheckName refuses replaced by '_'.
std::string BaseName(const std::string& root) {
  std::string name = root == "/" ? "root" : root.substr(root.rfind('/') + 1);
  for (char& c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  }
  return name;
}

Status CheckBinds(const std::vector<BindRecord>& binds) {
  for (size_t i = 0; i < binds.size(); ++i) {
    const BindRecord& b = binds[i];
    if (!IsCanonicalAbsolute(b.path) || b.path == "/") {
      return Status::InvalidArgument(StrCat({"bind path '", b.path, "' is not a canonical namespace path below /"}));
    }
    if (b.source.empty()) return Status::InvalidArgument(StrCat({"bind ", b.path, " has no source"}));
    for (size_t j = 0; j < i; ++j) {
      if (binds[j].path == b.path) return Status::InvalidArgument(StrCat({"bind path ", b.path, " is given twice"}));
    }
  }
  return Status::Ok();
}

Result<std::vector<BindRecord>> ReadBinds(sql::Connection& db, std::string_view id) {
  WEFT_ASSIGN_OR_RETURN(sql::Statement st,
                        db.Prepare("SELECT path, source FROM binds WHERE workspace_id = ?1 ORDER BY path"));
  st.Bind(1, id);
  std::vector<BindRecord> binds;
  while (true) {
    WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return binds;
    binds.push_back(BindRecord{st.Text(0), st.Text(1)});
  }
}

constexpr std::string_view kSelectWorkspace = "SELECT id, name, root, created_at, last_used_at FROM workspaces ";

WorkspaceRecord RowToRecord(const sql::Statement& st) {
  return WorkspaceRecord{st.Text(0), st.Text(1), st.Text(2), {}, st.Int(3), st.Int(4)};
}

// The workspace with `column` = `value` (column is a constant of this file), binds included.
Result<std::optional<WorkspaceRecord>> ReadWorkspaceWhere(sql::Connection& db, std::string_view column,
                                                          std::string_view value) {
  WEFT_ASSIGN_OR_RETURN(sql::Statement st, db.Prepare(StrCat({kSelectWorkspace, "WHERE ", column, " = ?1"})));
  st.Bind(1, value);
  WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<WorkspaceRecord>();
  WorkspaceRecord record = RowToRecord(st);
  WEFT_ASSIGN_OR_RETURN(record.binds, ReadBinds(db, record.id));
  return std::optional<WorkspaceRecord>(std::move(record));
}

Result<bool> Exists(sql::Connection& db, const char* query, std::string_view value) {
  WEFT_ASSIGN_OR_RETURN(sql::Statement st, db.Prepare(query));
  st.Bind(1, value);
  return st.Step();
}

Result<std::string> UniqueName(sql::Connection& db, const std::string& base) {
  std::string name = base;
  for (int n = 2;; ++n) {
    WEFT_ASSIGN_OR_RETURN(bool taken, Exists(db, "SELECT 1 FROM workspaces WHERE name = ?1", name));
    if (!taken && CheckName(name).ok()) return name;
    name = StrCat({base, "-", std::to_string(n)});
  }
}

Result<std::string> NewId(sql::Connection& db) {
  while (true) {
    std::string id = StrCat({"ws_", RandomHex(6)});
    WEFT_ASSIGN_OR_RETURN(bool taken, Exists(db, "SELECT 1 FROM workspaces WHERE id = ?1", id));
    if (!taken) return id;
  }
}

Status ReplaceBinds(sql::Connection& db, std::string_view id, const std::vector<BindRecord>& binds) {
  WEFT_ASSIGN_OR_RETURN(sql::Statement del, db.Prepare("DELETE FROM binds WHERE workspace_id = ?1"));
  del.Bind(1, id);
  WEFT_RETURN_IF_ERROR(del.Run());
  for (const BindRecord& b : binds) {
    WEFT_ASSIGN_OR_RETURN(sql::Statement ins,
                          db.Prepare("INSERT INTO binds (workspace_id, path, source) VALUES (?1, ?2, ?3)"));
    ins.Bind(1, id).Bind(2, b.path).Bind(3, b.source);
    WEFT_RETURN_IF_ERROR(ins.Run());
  }
  return Status::Ok();
}

Status NoWorkspace(std::string_view id) {
  return Status::NotFound(StrCat({"no workspace with id '", id, "'"}));
}

// Creates `path` 0600 when absent, so weft.db (and the -wal and -shm files
// SQLite gives the same mode) is private whatever the umask.
Status CreatePrivateFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return Status::FromErrno(errno, StrCat({"cannot open ", path}));
  return Status::Ok();
}

Result<std::string> JournalMode(sql::Connection& db, const char* pragma) {
  WEFT_ASSIGN_OR_RETURN(sql::Statement st, db.Prepare(pragma));
  WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Text(0) : std::string();
}

// The connection's settings (WAL is stored in the file, the rest hold per
// connection). WAL lets readers run beside one writer across processes;
// NORMAL sync cannot corrupt under WAL (a power cut may lose the newest
// transactions); foreign keys are off by default in SQLite.
Status Configure(sql::Connection& db, const std::string& path) {
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  // The first read of the file: a non-database or a damaged header shows here.
  Status probe = db.Exec("SELECT count(*) FROM sqlite_schema");
  if (!probe.ok()) {
    if (probe.code() == StatusCode::kFailedPrecondition) {
      return Status::FailedPrecondition(StrCat({path, " is not an SQLite database, or it is corrupt (SQLite says: ",
                                                sqlite3_errmsg(db.get()), "); move it aside to start afresh, or "
                                                "restore it from a backup"}));
    }
    return probe;
  }
  WEFT_ASSIGN_OR_RETURN(std::string mode, JournalMode(db, "PRAGMA journal_mode"));
  // Switching to WAL (once, on a new file) takes an exclusive lock, and SQLite
  // does not call the busy handler when another connection is switching at
  // the same moment: retry for as long as the busy timeout.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  while (mode != "wal") {
    Result<std::string> set = JournalMode(db, "PRAGMA journal_mode = WAL");
    if (set.ok()) {
      mode = std::move(set).value();
      break;
    }
    if (set.status().code() != StatusCode::kUnavailable || std::chrono::steady_clock::now() >= deadline) {
      return set.status();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (mode != "wal") {
    return Status::FailedPrecondition(StrCat({"cannot put ", path, " in WAL mode (SQLite kept '", mode,
                                              "'); is the state directory on a network file system? Pass "
                                              "--state DIR on a local disk"}));
  }
  WEFT_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = NORMAL"));
  WEFT_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  return Status::Ok();
}

}  // namespace

std::string Store::PathIn(const std::string& state_dir) { return StrCat({state_dir, "/weft.db"}); }

Store::Store(std::string path, std::unique_ptr<sql::Connection> db, const Clock& clock, int version)
    : path_(std::move(path)), clock_(clock), schema_version_(version), db_(std::move(db)) {}

Store::~Store() = default;

int64_t Store::NowSeconds() const { return clock_.WallMillis() / 1000; }

Result<std::unique_ptr<Store>> Store::Open(const std::string& db_path, const Clock& clock) {
  if (db_path.empty()) return Status::InvalidArgument("empty database path");
  size_t slash = db_path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    WEFT_RETURN_IF_ERROR(EnsurePrivateDir(db_path.substr(0, slash)));
  }
  WEFT_RETURN_IF_ERROR(CreatePrivateFile(db_path));
  WEFT_ASSIGN_OR_RETURN(sql::Connection conn, sql::Connection::Open(db_path));
  auto db = std::make_unique<sql::Connection>(std::move(conn));
  WEFT_RETURN_IF_ERROR(Configure(*db, db_path));
  WEFT_ASSIGN_OR_RETURN(int version, Migrate(*db, db_path, clock.WallMillis() / 1000));
  return std::unique_ptr<Store>(new Store(db_path, std::move(db), clock, version));
}

Result<WorkspaceRecord> Store::EnsureWorkspace(const std::string& root,
                                               std::optional<std::vector<BindRecord>> binds) {
  if (!IsCanonicalAbsolute(root)) {
    return Status::InvalidArgument(StrCat({"workspace root '", root, "' is not a canonical absolute directory"}));
  }
  if (binds) WEFT_RETURN_IF_ERROR(CheckBinds(*binds));
  std::lock_guard<std::mutex> lock(mu_);
  sql::Connection& db = *db_;
  int64_t now = NowSeconds();
  WEFT_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Immediate(db));
  WEFT_ASSIGN_OR_RETURN(std::optional<WorkspaceRecord> found, ReadWorkspaceWhere(db, "root", root));
  std::string id;
  if (found) {
    id = found->id;
    WEFT_ASSIGN_OR_RETURN(sql::Statement touch, db.Prepare("UPDATE workspaces SET last_used_at = ?1 WHERE id = ?2"));
    touch.Bind(1, now).Bind(2, id);
    WEFT_RETURN_IF_ERROR(touch.Run());
  } else {
    WEFT_ASSIGN_OR_RETURN(id, NewId(db));
    WEFT_ASSIGN_OR_RETURN(std::string name, UniqueName(db, BaseName(root)));
    WEFT_ASSIGN_OR_RETURN(sql::Statement ins, db.Prepare("INSERT INTO workspaces (id, name, root, created_at, "
                                                         "last_used_at) VALUES (?1, ?2, ?3, ?4, ?4)"));
    ins.Bind(1, id).Bind(2, name).Bind(3, root).Bind(4, now);
    WEFT_RETURN_IF_ERROR(ins.Run());
  }
  if (binds) WEFT_RETURN_IF_ERROR(ReplaceBinds(db, id, *binds));
  WEFT_ASSIGN_OR_RETURN(std::optional<WorkspaceRecord> record, ReadWorkspaceWhere(db, "id", id));
  WEFT_RETURN_IF_ERROR(tx.Commit());
  return std::move(*record);
}

Result<std::vector<WorkspaceRecord>> Store::ListWorkspaces() const {
  std::lock_guard<std::mutex> lock(mu_);
  sql::Connection& db = *db_;
  WEFT_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Deferred(db));  // one snapshot for all reads
  WEFT_ASSIGN_OR_RETURN(sql::Statement st, db.Prepare(StrCat({kSelectWorkspace, "ORDER BY name"})));
  std::vector<WorkspaceRecord> out;
  while (true) {
    WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(RowToRecord(st));
  }
  for (WorkspaceRecord& ws : out) {
    WEFT_ASSIGN_OR_RETURN(ws.binds, ReadBinds(db, ws.id));
  }
  WEFT_RETURN_IF_ERROR(tx.Commit());
  return out;
}

Result<WorkspaceRecord> Store::GetWorkspace(std::string_view id_or_name) const {
  std::lock_guard<std::mutex> lock(mu_);
  sql::Connection& db = *db_;
  WEFT_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Deferred(db));
  WEFT_ASSIGN_OR_RETURN(std::optional<WorkspaceRecord> found, ReadWorkspaceWhere(db, "id", id_or_name));
  if (!found) {
    WEFT_ASSIGN_OR_RETURN(found, ReadWorkspaceWhere(db, "name", id_or_name));
  }
  WEFT_RETURN_IF_ERROR(tx.Commit());
  if (!found) return Status::NotFound(StrCat({"no workspace with id or name '", id_or_name, "'"}));
  return std::move(*found);
}

Status Store::SetBinds(std::string_view id, const std::vector<BindRecord>& binds) {
  WEFT_RETURN_IF_ERROR(CheckBinds(binds));
  std::lock_guard<std::mutex> lock(mu_);
  sql::Connection& db = *db_;
  WEFT_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Immediate(db));
  WEFT_ASSIGN_OR_RETURN(bool exists, Exists(db, "SELECT 1 FROM workspaces WHERE id = ?1", id));
  if (!exists) return NoWorkspace(id);
  WEFT_RETURN_IF_ERROR(ReplaceBinds(db, id, binds));
  return tx.Commit();
}

Status Store::RenameWorkspace(std::string_view id, std::string_view new_name) {
  WEFT_RETURN_IF_ERROR(CheckName(new_name));
  std::lock_guard<std::mutex> lock(mu_);
  sql::Connection& db = *db_;
  WEFT_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Immediate(db));
  WEFT_ASSIGN_OR_RETURN(std::optional<WorkspaceRecord> holder, ReadWorkspaceWhere(db, "name", new_name));
  if (holder && holder->id != id) {
    return Status::AlreadyExists(StrCat({"workspace name '", new_name, "' is taken by ", holder->id, " (",
                                         holder->root, ")"}));
  }
  WEFT_ASSIGN_OR_RETURN(sql::Statement st, db.Prepare("UPDATE workspaces SET name = ?1 WHERE id = ?2"));
  st.Bind(1, new_name).Bind(2, id);
  WEFT_RETURN_IF_ERROR(st.Run());
  if (db.Changes() == 0) return NoWorkspace(id);
  return tx.Commit();
}

Status Store::RemoveWorkspace(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  sql::Connection& db = *db_;
  WEFT_ASSIGN_OR_RETURN(sql::Statement st, db.Prepare("DELETE FROM workspaces WHERE id = ?1"));
  st.Bind(1, id);
  WEFT_RETURN_IF_ERROR(st.Run());
  if (db.Changes() == 0) return NoWorkspace(id);
  return Status::Ok();
}

Status Store::Write(const std::function<Status(sql::Connection&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  WEFT_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Immediate(*db_));
  WEFT_RETURN_IF_ERROR(fn(*db_));
  return tx.Commit();
}

Status Store::Read(const std::function<Status(sql::Connection&)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  WEFT_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Deferred(*db_));
  WEFT_RETURN_IF_ERROR(fn(*db_));
  return tx.Commit();
}

}  // namespace weft::store
