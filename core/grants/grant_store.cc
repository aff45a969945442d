// GrantStore: the grants table — issue, authenticate, check, charge, revoke.
#include "core/grants/grant_store.h"

#include <utility>

#include "core/base/random.h"
#include "core/base/sha256.h"
#include "core/base/strings.h"
#include "core/store/sqlite.h"

namespace weft::grants {
namespace {

constexpr std::string_view kSelectGrant =
    "SELECT id, parent_id, subject, tools, deny_tools, read_paths, write_paths, max_calls, max_spawns, calls, "
    "spawns, created_at, expires_at, revoked_at FROM grants ";

// One link of a grant's chain: what Check and the charges need. ?1 is its id.
constexpr std::string_view kLink =
    "SELECT id, parent_id, expires_at, revoked_at, calls, max_calls, spawns, max_spawns FROM grants WHERE id = ?1";
// Derivation is at most this deep; a deeper chain is a cycle made by hand.
constexpr size_t kMaxChain = 1000;

std::string TokenHash(std::string_view token) { return HexDigest(Sha256Of(token)); }

Result<std::vector<std::string>> StringArray(const std::string& text, std::string_view column) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const Json& e : j) {
      if (!e.is_string()) break;
      out.push_back(e.get<std::string>());
    }
    if (out.size() == j.size()) return out;
  }
  return Status::FailedPrecondition(StrCat({"weft.db: grants.", column, " holds '", text.substr(0, 80),
                                            "', not a JSON array of strings; the row was changed by hand"}));
}

Result<Grant> RowToGrant(const store::sql::Statement& st) {
  Grant g;
  g.id = st.Text(0);
  g.parent_id = st.Text(1);
  g.subject = st.Text(2);
  WEFT_ASSIGN_OR_RETURN(g.tools, StringArray(st.Text(3), "tools"));
  WEFT_ASSIGN_OR_RETURN(g.deny_tools, StringArray(st.Text(4), "deny_tools"));
  WEFT_ASSIGN_OR_RETURN(g.read_paths, StringArray(st.Text(5), "read_paths"));
  WEFT_ASSIGN_OR_RETURN(g.write_paths, StringArray(st.Text(6), "write_paths"));
  g.max_calls = st.OptionalInt(7);
  g.max_spawns = st.OptionalInt(8);
  g.calls = st.Int(9);
  g.spawns = st.Int(10);
  g.created_at = st.Int(11);
  g.expires_at = st.OptionalInt(12);
  g.revoked_at = st.OptionalInt(13);
  return g;
}

Status UnknownGrant(std::string_view id) {
  return Status::NotFound(StrCat({"no grant ", id, "; `weft grant list --all` shows them"}));
}

// The grant whose `column` (a constant of this file) is `value`.
Result<Grant> ReadGrantWhere(store::sql::Connection& db, std::string_view column, std::string_view value) {
  WEFT_ASSIGN_OR_RETURN(store::sql::Statement st, db.Prepare(StrCat({kSelectGrant, "WHERE ", column, " = ?1"})));
  st.Bind(1, value);
  WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("no such grant");
  return RowToGrant(st);
}

// The denial of the nearest link that is revoked or expired at `now`.
template <typename Link>
Status ChainLive(const std::vector<Link>& chain, int64_t now) {
  for (size_t i = 0; i < chain.size(); ++i) {
    Grant g;
    g.id = chain[i].id;
    g.expires_at = chain[i].expires_at;
    g.revoked_at = chain[i].revoked_at;
    if (std::optional<Status> ended = Ended(g, now)) {
      if (i == 0) return *ended;
      return DenialStatus(*DenialOf(*ended), StrCat({"it was derived from grant ", g.id, ", which ",
                                                     g.revoked_at ? "was revoked" : "has expired",
                                                     "; ask whoever gave it for a new one"}));
    }
  }
  return Status::Ok();
}

std::string JsonArray(const std::vector<std::string>& items) { return Json(items).dump(); }

}  // namespace

GrantStore::GrantStore(store::Store& store) : store_(store) {}

GrantStore::~GrantStore() = default;

Result<store::sql::Statement*> GrantStore::Cached(store::sql::Connection& db, CachedStatement which) {
  static constexpr std::string_view kSql[] = {kLink, "UPDATE grants SET calls = calls + ?2 WHERE id = ?1",
                                              "UPDATE grants SET spawns = spawns + ?2 WHERE id = ?1"};
  std::unique_ptr<store::sql::Statement>& slot = statements_[static_cast<int>(which)];
  if (slot == nullptr) {
    WEFT_ASSIGN_OR_RETURN(store::sql::Statement st, db.Prepare(kSql[static_cast<int>(which)]));
    slot = std::make_unique<store::sql::Statement>(std::move(st));
  }
  return slot.get();
}

Result<std::vector<GrantStore::Link>> GrantStore::ReadChain(store::sql::Connection& db, std::string_view id) {
  WEFT_ASSIGN_OR_RETURN(store::sql::Statement * st, Cached(db, CachedStatement::kLink));
  std::vector<Link> chain;
  std::string next(id);
  while (!next.empty()) {
    if (chain.size() == kMaxChain) {
      return Status::FailedPrecondition(StrCat({"weft.db: grant ", id, " has ancestors more than ",
                                                std::to_string(kMaxChain), " deep; the rows were changed by hand"}));
    }
    st->Bind(1, next);
    Result<bool> row = st->Step();
    if (row.ok() && *row) {
      chain.push_back(Link{st->Text(0), st->Text(1), st->OptionalInt(2), st->OptionalInt(3), st->Int(4),
                           st->OptionalInt(5), st->Int(6), st->OptionalInt(7)});
    }
    WEFT_RETURN_IF_ERROR(st->Reset());
    if (!row.ok()) return row.status();
    if (!*row) {
      if (chain.empty()) return UnknownGrant(id);
      return Status::FailedPrecondition(StrCat({"weft.db: grant ", chain.back().id, " names a parent, ", next,
                                                ", that does not exist; the rows were changed by hand"}));
    }
    next = chain.back().parent_id;
  }
  return chain;
}

Status GrantStore::AddAlong(store::sql::Connection& db, const std::vector<Link>& chain, bool spawns, int64_t count) {
  WEFT_ASSIGN_OR_RETURN(store::sql::Statement * st,
                        Cached(db, spawns ? CachedStatement::kAddSpawns : CachedStatement::kAddCalls));
  for (const Link& link : chain) {
    st->Bind(1, link.id).Bind(2, count);
    Status s = st->Run();
    WEFT_RETURN_IF_ERROR(st->Reset());
    WEFT_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

Result<GrantStore::Issued> GrantStore::Insert(Grant grant) {
  Issued issued;
  issued.token = StrCat({"wg_", RandomHex(32)});
  grant.id = StrCat({"gr_", RandomHex(8)});
  grant.created_at = store_.Now();
  Status s = store_.Write([&](store::sql::Connection& db) -> Status {
    if (!grant.parent_id.empty()) {
      // Derived grants are checked again inside the transaction that adds
      // them: a revocation racing the derivation wins.
      WEFT_ASSIGN_OR_RETURN(std::vector<Link> chain, ReadChain(db, grant.parent_id));
      WEFT_RETURN_IF_ERROR(ChainLive(chain, grant.created_at));
    }
    WEFT_ASSIGN_OR_RETURN(
        store::sql::Statement st,
        db.Prepare("INSERT INTO grants (id, parent_id, subject, token_hash, tools, deny_tools, read_paths, "
                   "write_paths, max_calls, max_spawns, created_at, expires_at) VALUES (?1, NULLIF(?2, ''), ?3, "
                   "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
    st.Bind(1, grant.id).Bind(2, grant.parent_id).Bind(3, grant.subject).Bind(4, TokenHash(issued.token));
    st.Bind(5, JsonArray(grant.tools)).Bind(6, JsonArray(grant.deny_tools));
    st.Bind(7, JsonArray(grant.read_paths)).Bind(8, JsonArray(grant.write_paths));
    st.Bind(9, grant.max_calls).Bind(10, grant.max_spawns).Bind(11, grant.created_at).Bind(12, grant.expires_at);
    return st.Run();
  });
  if (!s.ok()) return s;
  issued.grant = std::move(grant);
  return issued;
}

Result<GrantStore::Issued> GrantStore::IssueRoot(std::string subject, const GrantRequest& policy) {
  WEFT_ASSIGN_OR_RETURN(Grant grant, Derive(Universal(), policy, store_.Now()));
  return IssueRootFromRules(std::move(subject), std::move(grant));
}

Result<GrantStore::Issued> GrantStore::IssueRootFromRules(std::string subject, Grant rules) {
  rules.parent_id.clear();
  rules.subject = std::move(subject);
  rules.calls = 0;
  rules.spawns = 0;
  rules.revoked_at.reset();
  return Insert(std::move(rules));
}

Result<GrantStore::Issued> GrantStore::IssueDerived(std::string_view parent_id, const GrantRequest& request,
                                                    std::string subject) {
  WEFT_ASSIGN_OR_RETURN(Grant parent, Get(parent_id));
  WEFT_ASSIGN_OR_RETURN(Grant grant, Derive(parent, request, store_.Now()));
  grant.subject = std::move(subject);
  return Insert(std::move(grant));
}

Result<Grant> GrantStore::Authenticate(std::string_view token) {
  Result<Grant> grant = Status::NotFound("");
  Status s = store_.Read([&](store::sql::Connection& db) -> Status {
    grant = ReadGrantWhere(db, "token_hash", TokenHash(token));
    return grant.ok() || grant.status().code() == StatusCode::kNotFound ? Status::Ok() : grant.status();
  });
  if (!s.ok()) return s;
  if (!grant.ok()) return Status::NotFound("the token stands for no grant (mistyped, or from another weft)");
  return grant;
}

Result<Grant> GrantStore::Get(std::string_view id) {
  Result<Grant> grant = Status::NotFound("");
  Status s = store_.Read([&](store::sql::Connection& db) -> Status {
    grant = ReadGrantWhere(db, "id", id);
    return grant.ok() || grant.status().code() == StatusCode::kNotFound ? Status::Ok() : grant.status();
  });
  if (!s.ok()) return s;
  if (!grant.ok()) return UnknownGrant(id);
  return grant;
}

Result<std::vector<Grant>> GrantStore::List(bool ended) {
  std::vector<Grant> out;
  int64_t now = store_.Now();
  Status s = store_.Read([&](store::sql::Connection& db) -> Status {
    WEFT_ASSIGN_OR_RETURN(store::sql::Statement st, db.Prepare(StrCat({kSelectGrant, "ORDER BY created_at, rowid"})));
    while (true) {
      WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      WEFT_ASSIGN_OR_RETURN(Grant g, RowToGrant(st));
      if (ended || !Ended(g, now)) out.push_back(std::move(g));
    }
  });
  if (!s.ok()) return s;
  return out;
}

store::WalStamp* GrantStore::Stamp() {
  // With live_mu_ held.
  if (stamp_ == nullptr) stamp_ = store::WalStamp::Open(store_.path());
  return stamp_.get();
}

Status GrantStore::Check(std::string_view id) {
  int64_t now = store_.Now();
  std::optional<store::WalStamp::Value> stamp;
  {
    std::lock_guard<std::mutex> lock(live_mu_);
    if (store::WalStamp* s = Stamp()) {
      stamp = s->Now();
      auto it = live_.find(id);
      if (it != live_.end() && it->second.stamp == *stamp && (!it->second.expires_at || now < *it->second.expires_at)) {
        return Status::Ok();
      }
    }
  }
  // The stamp was taken before this read: a commit between the two shows
  // as a change next time.
  std::optional<int64_t> earliest;
  Status s = store_.Read([&](store::sql::Connection& db) -> Status {
    WEFT_ASSIGN_OR_RETURN(std::vector<Link> chain, ReadChain(db, id));
    for (const Link& link : chain) {
      if (link.expires_at && (!earliest || *link.expires_at < *earliest)) earliest = link.expires_at;
    }
    return ChainLive(chain, now);
  });
  if (s.ok() && stamp) {
    std::lock_guard<std::mutex> lock(live_mu_);
    if (live_.size() >= kMaxLiveChains) live_.clear();
    live_[std::string(id)] = LiveChain{*stamp, earliest};
  }
  return s;
}

Status GrantStore::Charge(std::string_view id, bool spawn) {
  int64_t now = store_.Now();
  return store_.Write([&](store::sql::Connection& db) -> Status {
    WEFT_ASSIGN_OR_RETURN(std::vector<Link> chain, ReadChain(db, id));
    WEFT_RETURN_IF_ERROR(ChainLive(chain, now));
    for (size_t i = 0; i < chain.size(); ++i) {
      const Link& link = chain[i];
      const std::optional<int64_t>& max = spawn ? link.max_spawns : link.max_calls;
      int64_t used = spawn ? link.spawns : link.calls;
      if (max && used >= *max) {
        std::string what = spawn ? "spawns" : "tool calls";
        std::string whose = i == 0 ? StrCat({"grant ", link.id}) : StrCat({"grant ", link.id, ", which it derives from,"});
        return DenialStatus(Denial::kBudgetExceeded,
                            StrCat({whose, " has used all ", std::to_string(*max), " of its ", what,
                                    "; ask whoever gave it for a grant with a larger budget"}));
      }
    }
    return AddAlong(db, chain, spawn, 1);
  });
}

Status GrantStore::ChargeCall(std::string_view id) { return Charge(id, false); }

Status GrantStore::ChargeSpawn(std::string_view id) { return Charge(id, true); }

Status GrantStore::AddCalls(const std::vector<std::pair<std::string, int64_t>>& counts) {
  if (counts.empty()) return Status::Ok();
  return store_.Write([&](store::sql::Connection& db) -> Status {
    for (const auto& [id, count] : counts) {
      WEFT_ASSIGN_OR_RETURN(std::vector<Link> chain, ReadChain(db, id));
      WEFT_RETURN_IF_ERROR(AddAlong(db, chain, /*spawns=*/false, count));
    }
    return Status::Ok();
  });
}

Status GrantStore::Revoke(std::string_view id) { return StampSubtree(id, "revoked_at"); }

Status GrantStore::End(std::string_view id) { return StampSubtree(id, "expires_at"); }

Status GrantStore::StampSubtree(std::string_view id, const char* column) {
  int64_t now = store_.Now();
  return store_.Write([&](store::sql::Connection& db) -> Status {
    WEFT_ASSIGN_OR_RETURN(store::sql::Statement exists, db.Prepare("SELECT 1 FROM grants WHERE id = ?1"));
    exists.Bind(1, id);
    WEFT_ASSIGN_OR_RETURN(bool found, exists.Step());
    if (!found) return UnknownGrant(id);
    WEFT_ASSIGN_OR_RETURN(
        store::sql::Statement st,
        db.Prepare(StrCat({"WITH RECURSIVE below(id) AS (SELECT id FROM grants WHERE id = ?1 UNION SELECT g.id FROM "
                           "grants g JOIN below b ON g.parent_id = b.id) UPDATE grants SET ", column, " = ?2 WHERE "
                           "id IN (SELECT id FROM below) AND (", column, " IS NULL OR ", column, " > ?2)"})));
    st.Bind(1, id).Bind(2, now);
    return st.Run();
  });
}

}  // namespace weft::grants
