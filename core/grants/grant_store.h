// GrantStore: grants kept in weft.db (the `grants` table, docs/store.md):
// issuing root and derived grants with their bearer tokens, authenticating
// tokens, the per-call checks and budget charges, and revocation
// (docs/grants.md).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/grants/grant.h"
#include "core/store/store.h"
#include "core/store/wal_stamp.h"

namespace weft::store::sql {
class Statement;
}  // namespace weft::store::sql

namespace weft::grants {

// Thread-safe (every method is one Store::Read or Store::Write), and safe
// across processes: checks and charges are single transactions, so weft
// processes sharing weft.db see one another's revocations and budgets on
// the next call. `store` must outlive it.
class GrantStore {
 public:
  explicit GrantStore(store::Store& store);
  ~GrantStore();
  GrantStore(const GrantStore&) = delete;
  GrantStore& operator=(const GrantStore&) = delete;

  struct Issued {
    Grant grant;
    std::string token;  // "wg_" + 64 hex (256 random bits); stored only as its SHA-256, shown once
  };

  // A root grant: Derive(Universal(), policy) with `subject`, for sessions
  // started from the command line and `weft grant create`.
  Result<Issued> IssueRoot(std::string subject, const GrantRequest& policy);
  // A root grant with `rules`' tools, paths, budgets and expiry (rules made
  // by Derive from Universal(), perhaps in several steps: a policy file,
  // then command-line flags); its id, parent, subject and counts are set here.
  Result<Issued> IssueRootFromRules(std::string subject, Grant rules);
  // A grant derived from `parent_id` (read in the same transaction, so a
  // concurrent revocation or charge is seen). Fails with the parent's
  // denial when it is revoked or expired, kNotFound when it does not exist.
  Result<Issued> IssueDerived(std::string_view parent_id, const GrantRequest& request, std::string subject);

  // The grant a bearer token stands for, whatever its state: kNotFound for
  // a token no grant has (HTTP answers 401). A revoked or expired grant is
  // returned as it is: its calls are refused one by one (Check).
  Result<Grant> Authenticate(std::string_view token);
  Result<Grant> Get(std::string_view id);
  // Every grant, oldest first; without `ended`, only live ones (neither
  // revoked nor expired).
  Result<std::vector<Grant>> List(bool ended = false);

  // Ok when the grant and every ancestor are live; otherwise the denial
  // (revoked, expired) of the nearest that is not; kNotFound for an unknown
  // id. A revocation or an expiry applies to the very next call: the chain
  // is read again whenever weft.db has had any commit since it was last
  // found live (store::WalStamp, no transaction needed to tell), and an
  // expiry is compared with the clock on every call.
  Status Check(std::string_view id);
  // Charges one tool call to the grant and every ancestor, atomically,
  // checking each budget on the way: budget_exceeded (nothing charged)
  // when one has none left, the denial when one is revoked or expired.
  // For grants with a call budget (max_calls set; Derive keeps a budget in
  // every descendant of a budgeted grant, so this is exactly the chains
  // that have one). Calls under the others are counted by AddCalls.
  Status ChargeCall(std::string_view id);
  // The same for spawns, whatever the budgets (agent_spawn calls it before
  // spawning).
  Status ChargeSpawn(std::string_view id);
  // Adds calls made under grants without a call budget to them and their
  // ancestors (the audit log does it off the hot path): id → count.
  Status AddCalls(const std::vector<std::pair<std::string, int64_t>>& counts);

  // Revokes the grant and all its descendants at once (one transaction).
  // Revoking a revoked grant is not an error. kNotFound for an unknown id.
  Status Revoke(std::string_view id);
  // Ends the grant and all its descendants now: they expire (an earlier
  // expiry stays). For a grant whose holder is gone: the process that ran
  // its sessions ended. kNotFound for an unknown id.
  Status End(std::string_view id);

 private:
  // One grant of a chain, as checks and charges read it.
  struct Link {
    std::string id;
    std::string parent_id;
    std::optional<int64_t> expires_at;
    std::optional<int64_t> revoked_at;
    int64_t calls = 0;
    std::optional<int64_t> max_calls;
    int64_t spawns = 0;
    std::optional<int64_t> max_spawns;
  };
  // Statements run on every call, prepared once (a prepare costs more than
  // the lookup itself). Used only inside Store::Read/Write, under its lock.
  enum class CachedStatement { kLink, kAddCalls, kAddSpawns };
  Result<store::sql::Statement*> Cached(store::sql::Connection& db, CachedStatement which);
  // The grant `id` and its ancestors, nearest first.
  Result<std::vector<Link>> ReadChain(store::sql::Connection& db, std::string_view id);
  // Adds `count` calls (or spawns) to every grant of `chain`.
  Status AddAlong(store::sql::Connection& db, const std::vector<Link>& chain, bool spawns, int64_t count);

  Result<Issued> Insert(Grant grant);
  Status Charge(std::string_view id, bool spawn);
  // Sets `column` (a constant of this file) to now on the grant and its
  // descendants where it is NULL or later.
  Status StampSubtree(std::string_view id, const char* column);

  // A chain found live: still live while weft.db's wal-index header is
  // `stamp` and the clock has not reached `expires_at` (the chain's earliest).
  struct LiveChain {
    store::WalStamp::Value stamp;
    std::optional<int64_t> expires_at;
  };
  static constexpr size_t kMaxLiveChains = 4096;
  // The stamp of weft.db, mapped on first use (null until it can be).
  store::WalStamp* Stamp();

  store::Store& store_;
  std::unique_ptr<store::sql::Statement> statements_[3];  // by CachedStatement; under the Store's lock
  std::mutex live_mu_;
  std::unique_ptr<store::WalStamp> stamp_;                        // guarded by live_mu_ until set
  std::map<std::string, LiveChain, std::less<>> live_;           // by grant id; guarded by live_mu_
};

}  // namespace weft::grants
