// The forward-only schema migrations of weft.db and the runner that applies
// them (docs/store.md). Never edit an applied migration: add a new one.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/store/sqlite.h"

namespace weft::store {

struct Migration {
  int version;                   // 1, 2, 3, … with no gaps
  std::string_view description;  // recorded in schema_migrations
  const char* sql;               // constant DDL/DML, possibly several statements
};

// weft.db's header application_id ("weft" in ASCII), set when the schema is created.
inline constexpr int32_t kApplicationId = 0x77656674;

// Every migration this binary knows, in version order.
std::span<const Migration> Migrations();
// The newest schema version this binary knows (the last migration's).
int LatestSchemaVersion();

// Brings `db` up to the last of `migrations` (default: Migrations()), each in
// its own BEGIN IMMEDIATE transaction that also records it, so two processes
// migrating at once apply each step once. Refuses, naming `shown_path`, a
// database newer than `migrations` or an SQLite file that is not weft's.
// `now` (unix seconds) goes into applied_at. Returns the version reached.
Result<int> Migrate(sql::Connection& db, std::string_view shown_path, int64_t now);
Result<int> Migrate(sql::Connection& db, std::string_view shown_path, int64_t now,
                    std::span<const Migration> migrations);

// The highest version recorded in schema_migrations (0 when the table is absent).
Result<int> CurrentSchemaVersion(sql::Connection& db);

}  // namespace weft::store
