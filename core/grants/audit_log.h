// AuditLog: one row per tool call in weft.db's `audit` table (docs/store.md,
// docs/grants.md): when, under which grant, from which session, which tool,
// a digest of the arguments (never the arguments), whether it was allowed
// or denied and why, how long it took and how it ended. `weft audit` reads
// it back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/base/json.h"
#include "core/base/result.h"
#include "core/grants/grant_store.h"
#include "core/store/store.h"

namespace weft::grants {

// How a call ended, as its caller saw it.
enum class Outcome { kOk, kToolError, kProtocolError, kCancelled, kInputRequired };
// "ok", "tool_error", "protocol_error", "cancelled", "input_required".
std::string_view OutcomeName(Outcome outcome);

struct AuditEntry {
  int64_t id = 0;        // set when read back
  int64_t at_ms = 0;     // when the call arrived, unix milliseconds
  std::string grant_id;  // empty: an unrestricted in-process caller
  std::string subject;   // the session or mount: "stdio", "http session 3f…", "mount /mnt/ws"
  std::string tool;      // as the caller named it (also unknown tools)
  std::string args_sha256;
  std::optional<Denial> denial;  // nullopt: allowed
  std::string reason;            // the denial's reason
  Outcome outcome = Outcome::kOk;
  int error_code = 0;            // the JSON-RPC code of a protocol error
  int64_t duration_us = 0;
  // The call was allowed and ran under a grant without a call budget, so
  // no charge counted it: the log adds it to the grant's `calls`.
  bool count_call = false;

  // {"id","at_ms","grant","subject","tool","args_sha256","decision","code",
  //  "reason","outcome","error_code","duration_us"}: `weft audit --json`.
  Json ToJson() const;
};

// SHA-256 (hex) of the arguments' canonical JSON: compact, object keys in
// byte order (DumpJson), so equal arguments give equal digests.
std::string ArgumentsDigest(const Json& arguments);

// Writes entries from a thread of its own, in batches (one transaction
// each, at most kBatch rows), so a call pays for a queue push only. Nothing
// is lost on a clean shutdown: the destructor writes what is queued. A
// batch that cannot be written (the disk is full) is kept and retried
// while fewer than kMaxQueued entries wait; past that the oldest are
// dropped, counted, and logged. Thread-safe.
//
// A server gives it a connection of its own (the path constructor): its
// batches then never hold the lock of the connection calls are checked on,
// in WAL mode the checks read while a batch is written, and the connection
// is opened by the writer thread, off the server's startup.
class AuditLog {
 public:
  static constexpr size_t kBatch = 512;
  static constexpr size_t kMaxQueued = 100'000;
  static constexpr std::chrono::milliseconds kInterval{100};

  // Writes to the weft.db at `db_path` through a connection it opens on
  // its thread (retried each interval while it cannot).
  explicit AuditLog(std::string db_path);
  // Writes through `store`, which must outlive it.
  explicit AuditLog(store::Store& store);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void Record(AuditEntry entry);
  // Writes everything queued before the call; the first error, if any.
  Status Flush();
  // Entries dropped because the queue overflowed.
  uint64_t dropped() const;

 private:
  void Run();
  // Writes `batch` in one transaction and counts its calls (mu_ not held).
  Status WriteBatch(std::vector<AuditEntry>& batch);

  // Opens the connection of the path constructor (writer thread, mu_ not held).
  Status Connect();

  const std::string db_path_;
  std::unique_ptr<store::Store> owned_;  // the path constructor's connection
  store::Store* store_ = nullptr;        // set before the writer writes; used by it alone after
  std::unique_ptr<GrantStore> grants_;   // counts calls on their grants, through store_
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable flushed_cv_;
  std::deque<AuditEntry> queue_;  // guarded by mu_
  uint64_t queued_total_ = 0;     // entries ever queued (guarded by mu_)
  uint64_t written_total_ = 0;    // entries written or dropped (guarded by mu_)
  uint64_t dropped_ = 0;          // guarded by mu_
  bool stopping_ = false;         // guarded by mu_
  bool flush_requested_ = false;  // guarded by mu_
  Status last_error_;             // guarded by mu_
  std::thread writer_;
};

// What `weft audit` asks for: entries after `after_id` (0: from the
// start), or with `last` set the last N entries; optionally one grant's.
struct AuditQuery {
  int64_t after_id = 0;
  std::optional<size_t> last;
  std::string grant_id;
  size_t limit = 1000;
};
// Entries in id order.
Result<std::vector<AuditEntry>> ReadAudit(store::Store& store, const AuditQuery& query);

}  // namespace weft::grants
