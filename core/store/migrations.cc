// weft.db's migrations, in order, and the runner. docs/store.md describes
// every table and column; keep the two in step.
#include "core/store/migrations.h"

#include <cassert>
#include <cstdio>

#include "core/base/log.h"
#include "core/base/strings.h"

namespace weft::store {
namespace {

// Append only. An applied migration is history: changing its SQL changes
// nothing in databases that already ran it, so fixes go in a new migration.
constexpr Migration kMigrations[] = {
    {1, "workspaces and their binds",
     R"sql(
CREATE TABLE workspaces (
  id           TEXT PRIMARY KEY NOT NULL,  -- "ws_" + 12 lowercase hex
  name         TEXT NOT NULL UNIQUE,       -- basename of root, made unique with -2, -3, …
  root         TEXT NOT NULL UNIQUE,       -- the primary bind's host dir, canonical absolute
  created_at   INTEGER NOT NULL,           -- unix seconds
  last_used_at INTEGER NOT NULL            -- unix seconds
);
CREATE TABLE binds (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  path         TEXT NOT NULL,              -- canonical namespace path, never "/"
  source       TEXT NOT NULL,              -- ns::Source::ToString(), e.g. "host:/abs/dir:ro"
  PRIMARY KEY (workspace_id, path)
);
)sql"},
    {2, "grants and the audit log",
     R"sql(
CREATE TABLE grants (
  id          TEXT PRIMARY KEY NOT NULL,      -- "gr_" + 16 lowercase hex
  parent_id   TEXT REFERENCES grants(id),     -- NULL for a root grant
  subject     TEXT NOT NULL,                  -- who holds it: a session, an agent, a mount
  token_hash  TEXT UNIQUE,                    -- SHA-256 (hex) of the bearer token; NULL when none
  tools       TEXT NOT NULL,                  -- JSON array of tool globs allowed
  deny_tools  TEXT NOT NULL,                  -- JSON array of tool globs denied
  read_paths  TEXT NOT NULL,                  -- JSON array of canonical namespace path prefixes
  write_paths TEXT NOT NULL,                  -- JSON array, each within a read path
  max_calls   INTEGER,                        -- NULL: unlimited
  max_spawns  INTEGER,                        -- NULL: unlimited
  calls       INTEGER NOT NULL DEFAULT 0,     -- tool calls charged so far
  spawns      INTEGER NOT NULL DEFAULT 0,     -- spawns charged so far
  created_at  INTEGER NOT NULL,               -- unix seconds
  expires_at  INTEGER,                        -- unix seconds; NULL: never
  revoked_at  INTEGER                         -- unix seconds; NULL: live
);
CREATE INDEX grants_by_parent ON grants(parent_id);
CREATE TABLE audit (
  id          INTEGER PRIMARY KEY,            -- increasing: `weft audit --follow` resumes after the last it showed
  at          INTEGER NOT NULL,               -- when the call arrived, unix milliseconds
  grant_id    TEXT,                           -- the grant it ran under; NULL: an unrestricted in-process caller
  subject     TEXT NOT NULL,                  -- the session or mount that made it
  tool        TEXT NOT NULL,                  -- the tool name as the caller gave it
  args_sha256 TEXT NOT NULL,                  -- SHA-256 (hex) of the arguments' canonical JSON; never the arguments
  decision    TEXT NOT NULL,                  -- 'allowed' or 'denied'
  code        TEXT,                           -- the denial code when denied
  reason      TEXT,                           -- the denial's reason when denied
  outcome     TEXT NOT NULL,                  -- 'ok', 'tool_error', 'protocol_error', 'cancelled', 'input_required'
  error_code  INTEGER,                        -- the JSON-RPC error code of a protocol_error
  duration_us INTEGER NOT NULL                -- from arrival to answer
);
)sql"},
    {3, "agents and their event log",
     R"sql(
CREATE TABLE agents (
  id           TEXT PRIMARY KEY NOT NULL,  -- "ag_" + 12 lowercase hex
  name         TEXT NOT NULL,              -- a label; the program's base name unless given
  workspace_id TEXT NOT NULL,              -- the workspace it works in (kept after the workspace goes)
  command      TEXT NOT NULL,              -- JSON array: argv
  cwd          TEXT NOT NULL,              -- namespace path of its working directory
  host_cwd     TEXT NOT NULL,              -- that directory on the host (through the mount when one was up)
  profile      TEXT NOT NULL,              -- confinement asked for: none | workspace | strict
  confinement  TEXT NOT NULL DEFAULT '{}', -- JSON: what applied (profile, dropped, limits, landlock_abi)
  limits       TEXT NOT NULL DEFAULT '{}', -- JSON: the limits asked for
  grant_id     TEXT NOT NULL DEFAULT '',   -- the grant handed down ('' when none)
  home_dir     TEXT NOT NULL,              -- host path of its durable home
  log_dir      TEXT NOT NULL,              -- host path of its log segments
  state        TEXT NOT NULL,              -- starting | running | exited | failed | killed | timed_out | lost
  runner_pid   INTEGER NOT NULL DEFAULT 0, -- the weft process supervising it
  runner_start INTEGER NOT NULL DEFAULT 0, -- its start time in clock ticks since boot (pid reuse check)
  pid          INTEGER NOT NULL DEFAULT 0, -- the agent's top process
  pid_start    INTEGER NOT NULL DEFAULT 0,
  exit_code    INTEGER,                    -- NULL unless it exited
  exit_signal  INTEGER,                    -- NULL unless a signal ended it
  limit_hit    TEXT NOT NULL DEFAULT '',   -- the limit that stopped it ('' when none)
  error        TEXT NOT NULL DEFAULT '',   -- why it failed or was lost
  created_ms   INTEGER NOT NULL,           -- unix milliseconds
  started_ms   INTEGER NOT NULL DEFAULT 0,
  ended_ms     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX agents_by_state ON agents(state);
CREATE TABLE agent_events (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,  -- append-only, increasing across agents
  agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  at_ms    INTEGER NOT NULL,
  kind     TEXT NOT NULL,                      -- created, started, signal, stopping, exited, failed, killed, …
  detail   TEXT NOT NULL
);
CREATE INDEX agent_events_by_agent ON agent_events(agent_id, seq);
)sql"},
};

constexpr const char* kCreateMigrationsTable = R"sql(
CREATE TABLE schema_migrations (
  version     INTEGER PRIMARY KEY NOT NULL,
  description TEXT NOT NULL,
  applied_at  INTEGER NOT NULL
);
)sql";

Result<bool> HasTable(sql::Connection& db, std::string_view name) {
  WEFT_ASSIGN_OR_RETURN(sql::Statement st,
                        db.Prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1"));
  st.Bind(1, name);
  return st.Step();
}

std::string Hex(int32_t value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", static_cast<uint32_t>(value));
  return buf;
}

// Refuses an SQLite file some other program made.
Status CheckIsWefts(sql::Connection& db, std::string_view shown) {
  WEFT_ASSIGN_OR_RETURN(sql::Statement app, db.Prepare("PRAGMA application_id"));
  WEFT_ASSIGN_OR_RETURN(bool row, app.Step());
  int64_t id = row ? app.Int(0) : 0;
  if (id != 0 && id != kApplicationId) {
    return Status::FailedPrecondition(StrCat({shown, " is an SQLite database of another program (application_id ",
                                              Hex(static_cast<int32_t>(id)), "), not weft's; pass --state DIR "
                                              "to keep weft's state elsewhere"}));
  }
  WEFT_ASSIGN_OR_RETURN(bool has_migrations, HasTable(db, "schema_migrations"));
  if (has_migrations) return Status::Ok();
  WEFT_ASSIGN_OR_RETURN(sql::Statement any, db.Prepare("SELECT name FROM sqlite_schema LIMIT 1"));
  WEFT_ASSIGN_OR_RETURN(bool has_objects, any.Step());
  if (has_objects) {
    return Status::FailedPrecondition(StrCat({shown, " is an SQLite database, but not weft's (it has table '",
                                              any.Text(0), "' and no schema_migrations); pass --state DIR to keep "
                                              "weft's state elsewhere"}));
  }
  return Status::Ok();
}

Status TooNew(std::string_view shown, int have, int know) {
  return Status::FailedPrecondition(StrCat({shown, ": weft.db is at schema version ", std::to_string(have),
                                            "; this weft knows up to ", std::to_string(know), "; upgrade weft"}));
}

// Creates schema_migrations (and stamps the application id) on a new file.
Status Bootstrap(sql::Connection& db, std::string_view shown) {
  WEFT_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Immediate(db));
  WEFT_RETURN_IF_ERROR(CheckIsWefts(db, shown));  // again: another process may have won the race
  WEFT_ASSIGN_OR_RETURN(bool has_migrations, HasTable(db, "schema_migrations"));
  if (has_migrations) return tx.Commit();
  WEFT_RETURN_IF_ERROR(db.Exec(kCreateMigrationsTable));
  // A pragma takes no bound parameters; the value is a compile-time constant.
  WEFT_RETURN_IF_ERROR(db.Exec(StrCat({"PRAGMA application_id = ", std::to_string(kApplicationId)}).c_str()));
  return tx.Commit();
}

Status Apply(sql::Connection& db, std::string_view shown, const Migration& m, int latest, int64_t now) {
  WEFT_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Immediate(db));
  WEFT_ASSIGN_OR_RETURN(int current, CurrentSchemaVersion(db));
  if (current > latest) return TooNew(shown, current, latest);
  if (current >= m.version) return tx.Commit();  // another process applied it meanwhile
  Status s = db.Exec(m.sql);
  if (!s.ok()) return s.WithContext(StrCat({"migration ", std::to_string(m.version), " (", m.description, ")"}));
  WEFT_ASSIGN_OR_RETURN(sql::Statement record, db.Prepare("INSERT INTO schema_migrations (version, description, "
                                                          "applied_at) VALUES (?1, ?2, ?3)"));
  record.Bind(1, static_cast<int64_t>(m.version)).Bind(2, m.description).Bind(3, now);
  WEFT_RETURN_IF_ERROR(record.Run());
  WEFT_RETURN_IF_ERROR(tx.Commit());
  WEFT_LOG(kInfo) << shown << ": applied schema migration " << m.version << " (" << m.description << ")";
  return Status::Ok();
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return Migrations().back().version; }

Result<int> CurrentSchemaVersion(sql::Connection& db) {
  WEFT_ASSIGN_OR_RETURN(bool has_migrations, HasTable(db, "schema_migrations"));
  if (!has_migrations) return 0;
  WEFT_ASSIGN_OR_RETURN(sql::Statement st, db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? static_cast<int>(st.Int(0)) : 0;
}

Result<int> Migrate(sql::Connection& db, std::string_view shown_path, int64_t now) {
  return Migrate(db, shown_path, now, Migrations());
}

Result<int> Migrate(sql::Connection& db, std::string_view shown_path, int64_t now,
                    std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    assert(migrations[i].version == static_cast<int>(i) + 1 && "migration versions are 1, 2, 3, … in order");
  }
  int latest = migrations.empty() ? 0 : migrations.back().version;
  WEFT_RETURN_IF_ERROR(CheckIsWefts(db, shown_path));
  WEFT_ASSIGN_OR_RETURN(int current, CurrentSchemaVersion(db));
  if (current > latest) return TooNew(shown_path, current, latest);
  if (current == latest && current > 0) return current;  // the common case takes no write lock
  WEFT_RETURN_IF_ERROR(Bootstrap(db, shown_path));
  for (const Migration& m : migrations) {
    if (m.version > current) WEFT_RETURN_IF_ERROR(Apply(db, shown_path, m, latest, now));
  }
  return CurrentSchemaVersion(db);
}

}  // namespace weft::store
