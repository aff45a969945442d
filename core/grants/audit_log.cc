// AuditLog: the batched writer of the audit table, and reading it back.
#include "core/grants/audit_log.h"

#include <algorithm>
#include <map>
#include <utility>

#include "core/base/log.h"
#include "core/base/sha256.h"
#include "core/base/strings.h"
#include "core/store/sqlite.h"

namespace weft::grants {
namespace {

constexpr std::string_view kOutcomeNames[] = {"ok", "tool_error", "protocol_error", "cancelled", "input_required"};

std::optional<Outcome> OutcomeFromName(std::string_view name) {
  for (int i = 0; i < 5; ++i) {
    if (kOutcomeNames[i] == name) return static_cast<Outcome>(i);
  }
  return std::nullopt;
}

std::optional<Denial> DenialFromName(std::string_view name) {
  for (Denial d : {Denial::kPermissionDenied, Denial::kRevoked, Denial::kExpired, Denial::kBudgetExceeded}) {
    if (DenialName(d) == name) return d;
  }
  return std::nullopt;
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) { return kOutcomeNames[static_cast<int>(outcome)]; }

Json AuditEntry::ToJson() const {
  return {{"id", id},
          {"at_ms", at_ms},
          {"grant", grant_id.empty() ? Json(nullptr) : Json(grant_id)},
          {"subject", subject},
          {"tool", tool},
          {"args_sha256", args_sha256},
          {"decision", denial ? "denied" : "allowed"},
          {"code", denial ? Json(std::string(DenialName(*denial))) : Json(nullptr)},
          {"reason", denial ? Json(reason) : Json(nullptr)},
          {"outcome", std::string(OutcomeName(outcome))},
          {"error_code", error_code != 0 ? Json(error_code) : Json(nullptr)},
          {"duration_us", duration_us}};
}

std::string ArgumentsDigest(const Json& arguments) { return HexDigest(Sha256Of(DumpJson(arguments))); }

AuditLog::AuditLog(std::string db_path) : db_path_(std::move(db_path)) {
  writer_ = std::thread([this] { Run(); });
}

AuditLog::AuditLog(store::Store& store)
    : db_path_(store.path()), store_(&store), grants_(std::make_unique<GrantStore>(store)) {
  writer_ = std::thread([this] { Run(); });
}

Status AuditLog::Connect() {
  if (store_ != nullptr) return Status::Ok();
  WEFT_ASSIGN_OR_RETURN(owned_, store::Store::Open(db_path_));
  store_ = owned_.get();
  grants_ = std::make_unique<GrantStore>(*store_);
  return Status::Ok();
}

AuditLog::~AuditLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

void AuditLog::Record(AuditEntry entry) {
  std::lock_guard<std::mutex> lock(mu_);
  if (queue_.size() >= kMaxQueued) {
    queue_.pop_front();
    ++dropped_;
    ++written_total_;
    if (dropped_ == 1 || dropped_ % 10'000 == 0) {
      WEFT_LOG(kError) << "audit log: " << dropped_ << " entries dropped: " << db_path_
                       << " cannot be written (" << last_error_ << ")";
    }
  }
  queue_.push_back(std::move(entry));
  ++queued_total_;
  if (queue_.size() == kBatch) cv_.notify_one();
}

Status AuditLog::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = queued_total_;
  last_error_ = Status::Ok();
  flush_requested_ = true;
  cv_.notify_one();
  flushed_cv_.wait(lock, [&] { return written_total_ >= target || !last_error_.ok() || stopping_; });
  return last_error_;
}

uint64_t AuditLog::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void AuditLog::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait_for(lock, kInterval, [&] { return stopping_ || flush_requested_ || queue_.size() >= kBatch; });
    bool stop = stopping_;
    flush_requested_ = false;
    while (!queue_.empty()) {
      size_t n = std::min(queue_.size(), kBatch);
      std::vector<AuditEntry> batch(std::make_move_iterator(queue_.begin()),
                                    std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
      lock.unlock();
      Status s = WriteBatch(batch);
      lock.lock();
      if (!s.ok()) {
        // Put the batch back in front and try again next round.
        queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
        if (last_error_.ok()) {
          WEFT_LOG(kWarning) << "audit log: cannot write to " << db_path_ << ": " << s;
        }
        last_error_ = s;
        break;
      }
      written_total_ += n;
    }
    flushed_cv_.notify_all();
    if (stop) {
      if (!queue_.empty()) {
        WEFT_LOG(kError) << "audit log: " << queue_.size() << " entries could not be written to " << db_path_
                         << " before exit: " << last_error_;
      }
      return;
    }
  }
}

Status AuditLog::WriteBatch(std::vector<AuditEntry>& batch) {
  std::map<std::string, int64_t> counted;
  for (const AuditEntry& e : batch) {
    if (e.count_call && !e.grant_id.empty()) ++counted[e.grant_id];
  }
  WEFT_RETURN_IF_ERROR(Connect());
  Status s = store_->Write([&](store::sql::Connection& db) -> Status {
    WEFT_ASSIGN_OR_RETURN(
        store::sql::Statement st,
        db.Prepare("INSERT INTO audit (at, grant_id, subject, tool, args_sha256, decision, code, reason, outcome, "
                   "error_code, duration_us) VALUES (?1, NULLIF(?2, ''), ?3, ?4, ?5, ?6, NULLIF(?7, ''), NULLIF(?8, ''), ?9, "
                   "?10, ?11)"));
    for (const AuditEntry& e : batch) {
      std::optional<int64_t> error_code;
      if (e.error_code != 0) error_code = e.error_code;
      st.Bind(1, e.at_ms).Bind(2, e.grant_id).Bind(3, e.subject).Bind(4, e.tool).Bind(5, e.args_sha256);
      st.Bind(6, e.denial ? "denied" : "allowed");
      st.Bind(7, e.denial ? DenialName(*e.denial) : std::string_view());
      st.Bind(8, e.denial ? std::string_view(e.reason) : std::string_view());
      st.Bind(9, OutcomeName(e.outcome)).Bind(10, error_code).Bind(11, e.duration_us);
      WEFT_RETURN_IF_ERROR(st.Run());
      WEFT_RETURN_IF_ERROR(st.Reset());
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  std::vector<std::pair<std::string, int64_t>> counts(counted.begin(), counted.end());
  Status added = grants_->AddCalls(counts);
  // The entries are written; a count that cannot be added is logged, not retried.
  if (!added.ok()) {
    WEFT_LOG(kWarning) << "audit log: cannot count calls on their grants: " << added;
  }
  return Status::Ok();
}

Result<std::vector<AuditEntry>> ReadAudit(store::Store& store, const AuditQuery& query) {
  std::vector<AuditEntry> out;
  Status s = store.Read([&](store::sql::Connection& db) -> Status {
    // With `last`, the newest N (then put back in order); else after after_id.
    std::string sql = StrCat({"SELECT id, at, grant_id, subject, tool, args_sha256, decision, code, reason, outcome, "
                              "error_code, duration_us FROM audit WHERE id > ?1 AND (?2 = '' OR grant_id = ?2) "
                              "ORDER BY id ", query.last ? "DESC" : "ASC", " LIMIT ?3"});
    WEFT_ASSIGN_OR_RETURN(store::sql::Statement st, db.Prepare(sql));
    int64_t limit = static_cast<int64_t>(query.last ? *query.last : query.limit);
    st.Bind(1, query.after_id).Bind(2, query.grant_id).Bind(3, limit);
    while (true) {
      WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      AuditEntry e;
      e.id = st.Int(0);
      e.at_ms = st.Int(1);
      e.grant_id = st.Text(2);
      e.subject = st.Text(3);
      e.tool = st.Text(4);
      e.args_sha256 = st.Text(5);
      if (st.Text(6) == "denied") e.denial = DenialFromName(st.Text(7)).value_or(Denial::kPermissionDenied);
      e.reason = st.Text(8);
      e.outcome = OutcomeFromName(st.Text(9)).value_or(Outcome::kProtocolError);
      e.error_code = static_cast<int>(st.OptionalInt(10).value_or(0));
      e.duration_us = st.Int(11);
      out.push_back(std::move(e));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (query.last) std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace weft::grants
