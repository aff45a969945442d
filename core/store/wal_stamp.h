// WalStamp: whether weft.db may have changed since it was last looked at,
// without a transaction. In WAL mode every commit, every restart of the WAL
// after a checkpoint and every recovery rewrites the header of the
// wal-index, the `-shm` file all connections share (its format is
// documented: https://sqlite.org/walformat.html §2.1); an unchanged header
// means nothing was committed, by any connection of any process. Reading it
// costs a 48-byte copy where a read transaction costs file locks.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace weft::store {

// Thread-safe: reads only. The mapping stays valid while some connection of
// this process has the database open (SQLite never shrinks the -shm file
// under an open connection).
class WalStamp {
 public:
  using Value = std::array<uint8_t, 48>;

  // Maps `<db_path>-shm` read-only; null when it cannot (the database is
  // not in WAL mode, or not open here yet): callers then read the database.
  static std::unique_ptr<WalStamp> Open(const std::string& db_path);
  ~WalStamp();
  WalStamp(const WalStamp&) = delete;
  WalStamp& operator=(const WalStamp&) = delete;

  // The header as it is now. Take it before a read transaction: a commit
  // landing between the two then shows as a change at the next look.
  Value Now() const;

 private:
  WalStamp(const void* map, size_t size) : map_(map), size_(size) {}
  const void* map_;
  size_t size_;
};

}  // namespace weft::store
