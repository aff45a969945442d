// A thin RAII layer over the SQLite C API for core/store: one connection,
// prepared statements with bound parameters, transactions, errors as Status.
// Internal to core/store; nothing here is thread-safe (Store holds the lock).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/base/result.h"

namespace weft::store::sql {

// A Status for SQLite result code `rc` (extended codes too) on `db` (may be
// null): "<what>: <sqlite's message>". BUSY/LOCKED → kUnavailable, NOTADB and
// CORRUPT → kFailedPrecondition, CONSTRAINT → kAlreadyExists, FULL →
// kResourceExhausted, CANTOPEN/PERM/READONLY/AUTH → kPermissionDenied or
// kIoError, the rest → kIoError/kInternal.
Status Error(sqlite3* db, int rc, std::string_view what);

// One prepared statement. Parameters are 1-based, as in SQLite.
class Statement {
 public:
  // Compiles one SQL statement; values always go through Bind, never the text.
  static Result<Statement> Prepare(sqlite3* db, std::string_view sql);

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  // NULL when `value` is empty.
  Statement& Bind(int index, const std::optional<int64_t>& value);
  // Steps once: true with a row ready to read, false when done.
  Result<bool> Step();
  // Steps to the end, ignoring rows (INSERT/UPDATE/DELETE).
  Status Run();
  // Ready to run again: the bound values stay until bound anew.
  Status Reset();

  std::string Text(int column) const;
  int64_t Int(int column) const;
  bool IsNull(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }
  // nullopt for NULL.
  std::optional<int64_t> OptionalInt(int column) const;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  sqlite3* db_ = nullptr;
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
  Status bind_status_;  // the first failed Bind, reported by Step
};

// One connection, closed on destruction.
class Connection {
 public:
  // Opens (creating when absent) the database file at `path`. SQLite reads
  // nothing yet: a non-database file shows on the first statement.
  static Result<Connection> Open(const std::string& path);

  sqlite3* get() const { return db_.get(); }
  // Runs constant SQL (pragmas, BEGIN/COMMIT, migration bodies), possibly
  // several statements. Never for SQL built from values.
  Status Exec(const char* sql);
  Result<Statement> Prepare(std::string_view sql) { return Statement::Prepare(db_.get(), sql); }
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const { return sqlite3_changes64(db_.get()); }

  // The statements that open and close transactions, prepared once per
  // connection: every Store::Read and Write runs two, and parsing them
  // anew each time cost more than a short read itself.
  enum class TxStatement { kBegin, kBeginImmediate, kCommit, kRollback };
  Status Run(TxStatement which);

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  explicit Connection(sqlite3* db) : db_(db) {}
  std::unique_ptr<sqlite3, Close> db_;
  // Prepared on first use; finalized before db_ closes (declared after it).
  std::unique_ptr<Statement> tx_[4];
};

// A transaction rolled back on destruction unless committed. Writers use
// Immediate (takes the write lock at BEGIN, waiting out the busy timeout),
// so a read-then-write never fails half-way on another process's write.
class Transaction {
 public:
  static Result<Transaction> Immediate(Connection& db);
  static Result<Transaction> Deferred(Connection& db);
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Status Commit();

 private:
  explicit Transaction(Connection* db) : db_(db) {}
  Connection* db_;  // null once committed or moved from
};

}  // namespace weft::store::sql
