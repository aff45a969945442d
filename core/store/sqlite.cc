// The SQLite RAII layer: statements, connections, transactions, error mapping.
#include "core/store/sqlite.h"

#include <climits>

#include "core/base/log.h"
#include "core/base/strings.h"

namespace weft::store::sql {
namespace {

StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StatusCode::kUnavailable;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_SCHEMA:
      return StatusCode::kFailedPrecondition;
    case SQLITE_CONSTRAINT:
      return StatusCode::kAlreadyExists;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return StatusCode::kResourceExhausted;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return StatusCode::kPermissionDenied;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PROTOCOL:
      return StatusCode::kIoError;
    case SQLITE_RANGE:
    case SQLITE_MISUSE:
    case SQLITE_ERROR:
    default:
      return StatusCode::kInternal;
  }
}

// "<db file>: " so every error names the database it came from.
std::string Prefix(sqlite3* db) {
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  return file != nullptr && file[0] != '\0' ? StrCat({file, ": "}) : "";
}

// What to do about a lock that outlasted the busy timeout.
std::string_view Hint(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED
             ? " (another weft process held the database longer than the busy timeout; retry)"
             : "";
}

}  // namespace

Status Error(sqlite3* db, int rc, std::string_view what) {
  // sqlite3_errmsg describes the connection's latest failure, which is this
  // one; without a connection the generic text for the code is all there is.
  const char* message = db != nullptr && sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Status(CodeFor(rc), StrCat({Prefix(db), what, ": ", message, Hint(rc)}));
}

Result<Statement> Statement::Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sql.size() > static_cast<size_t>(INT_MAX)) return Status::InvalidArgument("SQL text too long");
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(db, rc, StrCat({"cannot prepare `", sql, "`"}));
  }
  return Statement(db, stmt);
}

Statement& Statement::Bind(int index, std::string_view text) {
  if (!bind_status_.ok()) return *this;
  int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) bind_status_ = Error(db_, rc, StrCat({"cannot bind parameter ", std::to_string(index)}));
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  if (!bind_status_.ok()) return *this;
  int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (rc != SQLITE_OK) bind_status_ = Error(db_, rc, StrCat({"cannot bind parameter ", std::to_string(index)}));
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<int64_t>& value) {
  if (value) return Bind(index, *value);
  if (!bind_status_.ok()) return *this;
  int rc = sqlite3_bind_null(stmt_.get(), index);
  if (rc != SQLITE_OK) bind_status_ = Error(db_, rc, StrCat({"cannot bind parameter ", std::to_string(index)}));
  return *this;
}

Result<bool> Statement::Step() {
  if (!bind_status_.ok()) return bind_status_;
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(db_, rc, StrCat({"`", sqlite3_sql(stmt_.get()), "` failed"}));
}

Status Statement::Run() {
  while (true) {
    WEFT_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

Status Statement::Reset() {
  int rc = sqlite3_reset(stmt_.get());
  if (rc != SQLITE_OK) return Error(db_, rc, "cannot reset a statement");
  return Status::Ok();
}

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_.get(), column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), column)));
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL) return std::nullopt;
  return Int(column);
}

Result<Connection> Connection::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  Connection conn(db);  // closes `db` on every path, even when the open failed
  if (rc != SQLITE_OK) return Error(nullptr, rc, StrCat({"cannot open ", path}));
  sqlite3_extended_result_codes(db, 1);
  return conn;
}

Status Connection::Exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string text = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  std::string_view head(sql);
  if (head.size() > 60) head = head.substr(0, 60);
  return Status(CodeFor(rc), StrCat({Prefix(db_.get()), "`", head, "` failed: ", text, Hint(rc)}));
}

Status Connection::Run(TxStatement which) {
  static constexpr std::string_view kSql[] = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};
  std::unique_ptr<Statement>& st = tx_[static_cast<int>(which)];
  if (st == nullptr) {
    WEFT_ASSIGN_OR_RETURN(Statement prepared, Prepare(kSql[static_cast<int>(which)]));
    st = std::make_unique<Statement>(std::move(prepared));
  }
  Status s = st->Run();
  // Reset even after a failure, so the statement holds nothing open; the
  // failure itself is what Run reported.
  (void)st->Reset();
  return s;
}

Result<Transaction> Transaction::Immediate(Connection& db) {
  WEFT_RETURN_IF_ERROR(db.Run(Connection::TxStatement::kBeginImmediate));
  return Transaction(&db);
}

Result<Transaction> Transaction::Deferred(Connection& db) {
  WEFT_RETURN_IF_ERROR(db.Run(Connection::TxStatement::kBegin));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ == nullptr) return;
  Status s = db_->Run(Connection::TxStatement::kRollback);
  if (!s.ok()) {
    WEFT_LOG(kWarning) << "cannot roll back: " << s;
  }
}

Status Transaction::Commit() {
  Connection* db = std::exchange(db_, nullptr);
  Status s = db->Run(Connection::TxStatement::kCommit);
  // A failed COMMIT (SQLITE_BUSY cannot happen after BEGIN IMMEDIATE, but
  // I/O errors can) leaves the transaction open: roll it back.
  if (!s.ok() && !sqlite3_get_autocommit(db->get())) (void)db->Run(Connection::TxStatement::kRollback);
  return s;
}

}  // namespace weft::store::sql
