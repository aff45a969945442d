// The agents table and its event log.
#include "core/store/agent_store.h"

#include <array>
#include <utility>

#include "core/base/random.h"
#include "core/base/strings.h"
#include "core/store/sqlite.h"

namespace weft::store {
namespace {

constexpr std::array<std::string_view, 7> kStateNames = {"starting", "running", "exited", "failed",
                                                         "killed",   "timed_out", "lost"};

constexpr const char* kSelectAgent =
    "SELECT id, name, workspace_id, command, cwd, host_cwd, profile, confinement, limits, grant_id, home_dir, "
    "log_dir, state, runner_pid, runner_start, pid, pid_start, exit_code, exit_signal, limit_hit, error, "
    "created_ms, started_ms, ended_ms FROM agents ";

std::optional<int64_t> OptionalInt(const sql::Statement& st, int column) {
  if (st.IsNull(column)) return std::nullopt;
  return st.Int(column);
}

AgentRecord RowToAgent(const sql::Statement& st) {
  AgentRecord r;
  r.id = st.Text(0);
  r.name = st.Text(1);
  r.workspace_id = st.Text(2);
  r.command = st.Text(3);
  r.cwd = st.Text(4);
  r.host_cwd = st.Text(5);
  r.profile = st.Text(6);
  r.confinement = st.Text(7);
  r.limits = st.Text(8);
  r.grant_id = st.Text(9);
  r.home_dir = st.Text(10);
  r.log_dir = st.Text(11);
  r.state = ParseAgentState(st.Text(12)).value_or(AgentState::kLost);
  r.runner_pid = st.Int(13);
  r.runner_start = st.Int(14);
  r.pid = st.Int(15);
  r.pid_start = st.Int(16);
  r.exit_code = OptionalInt(st, 17);
  r.exit_signal = OptionalInt(st, 18);
  r.limit = st.Text(19);
  r.error = st.Text(20);
  r.created_ms = st.Int(21);
  r.started_ms = st.Int(22);
  r.ended_ms = st.Int(23);
  return r;
}

Result<std::optional<AgentRecord>> ReadAgent(sql::Connection& db, std::string_view id) {
  WEFT_ASSIGN_OR_RETURN(sql::Statement st, db.Prepare(StrCat({kSelectAgent, "WHERE id = ?1"})));
  st.Bind(1, id);
  WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<AgentRecord>();
  return std::optional<AgentRecord>(RowToAgent(st));
}

Status InsertEvent(sql::Connection& db, std::string_view id, int64_t at_ms, std::string_view kind,
                   std::string_view detail) {
  WEFT_ASSIGN_OR_RETURN(sql::Statement ins, db.Prepare("INSERT INTO agent_events (agent_id, at_ms, kind, detail) "
                                                       "VALUES (?1, ?2, ?3, ?4)"));
  ins.Bind(1, id).Bind(2, at_ms).Bind(3, kind).Bind(4, detail);
  return ins.Run();
}

// The current state of `id`, or kNotFound.
Result<AgentState> StateOf(sql::Connection& db, std::string_view id) {
  WEFT_ASSIGN_OR_RETURN(sql::Statement st, db.Prepare("SELECT state FROM agents WHERE id = ?1"));
  st.Bind(1, id);
  WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NoSuchAgent(id);
  return ParseAgentState(st.Text(0)).value_or(AgentState::kLost);
}

}  // namespace

Status NoSuchAgent(std::string_view id) {
  return Status::NotFound(StrCat({"no agent '", id, "' (agent_list shows the agents there are)"}));
}

std::string_view AgentStateName(AgentState state) { return kStateNames[static_cast<size_t>(state)]; }

std::optional<AgentState> ParseAgentState(std::string_view name) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return static_cast<AgentState>(i);
  }
  return std::nullopt;
}

Result<AgentRecord> AgentStore::Create(AgentRecord record, const std::function<void(AgentRecord&)>& complete) {
  record.state = AgentState::kStarting;
  record.created_ms = NowMs();
  Status st = store_.Write([&](sql::Connection& db) -> Status {
    while (true) {
      record.id = StrCat({"ag_", RandomHex(6)});
      WEFT_ASSIGN_OR_RETURN(std::optional<AgentRecord> taken, ReadAgent(db, record.id));
      if (!taken) break;
    }
    if (complete) complete(record);
    WEFT_ASSIGN_OR_RETURN(
        sql::Statement ins,
        db.Prepare("INSERT INTO agents (id, name, workspace_id, command, cwd, host_cwd, profile, confinement, "
                   "limits, grant_id, home_dir, log_dir, state, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                   "?8, ?9, ?10, ?11, ?12, 'starting', ?13)"));
    ins.Bind(1, record.id).Bind(2, record.name).Bind(3, record.workspace_id).Bind(4, record.command);
    ins.Bind(5, record.cwd).Bind(6, record.host_cwd).Bind(7, record.profile).Bind(8, record.confinement);
    ins.Bind(9, record.limits).Bind(10, record.grant_id).Bind(11, record.home_dir).Bind(12, record.log_dir);
    ins.Bind(13, record.created_ms);
    WEFT_RETURN_IF_ERROR(ins.Run());
    return InsertEvent(db, record.id, record.created_ms, "created",
                       StrCat({"created with profile ", record.profile, " in ", record.cwd}));
  });
  if (!st.ok()) return st;
  return record;
}

Result<AgentRecord> AgentStore::Get(std::string_view id) const {
  std::optional<AgentRecord> found;
  Status read = store_.Read([&](sql::Connection& db) -> Status {
    WEFT_ASSIGN_OR_RETURN(found, ReadAgent(db, id));
    return Status::Ok();
  });
  if (!read.ok()) return read;
  if (!found) return NoSuchAgent(id);
  return std::move(*found);
}

Result<std::vector<AgentRecord>> AgentStore::List(const std::vector<AgentState>& states,
                                                  std::string_view workspace_id) const {
  std::vector<AgentRecord> out;
  Status read = store_.Read([&](sql::Connection& db) -> Status {
    WEFT_ASSIGN_OR_RETURN(sql::Statement st,
                          db.Prepare(StrCat({kSelectAgent, "WHERE (coalesce(?1, '') = '' OR workspace_id = ?1) "
                                                           "ORDER BY created_ms DESC, id"})));
    st.Bind(1, workspace_id);
    while (true) {
      WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      AgentRecord r = RowToAgent(st);
      bool wanted = states.empty();
      for (AgentState s : states) wanted = wanted || s == r.state;
      if (wanted) out.push_back(std::move(r));
    }
    return Status::Ok();
  });
  if (!read.ok()) return read;
  return out;
}

Status AgentStore::SetRunner(std::string_view id, int64_t runner_pid, int64_t runner_start) {
  return store_.Write([&](sql::Connection& db) -> Status {
    WEFT_ASSIGN_OR_RETURN(AgentState state, StateOf(db, id));
    if (state != AgentState::kStarting) {
      return Status::FailedPrecondition(StrCat({"agent ", id, " is ", AgentStateName(state), ", not starting"}));
    }
    WEFT_ASSIGN_OR_RETURN(sql::Statement up,
                          db.Prepare("UPDATE agents SET runner_pid = ?2, runner_start = ?3 WHERE id = ?1"));
    up.Bind(1, id).Bind(2, runner_pid).Bind(3, runner_start);
    return up.Run();
  });
}

Status AgentStore::SetRunning(std::string_view id, int64_t pid, int64_t pid_start, std::string confinement) {
  int64_t now = NowMs();
  return store_.Write([&](sql::Connection& db) -> Status {
    WEFT_ASSIGN_OR_RETURN(AgentState state, StateOf(db, id));
    if (state != AgentState::kStarting) {
      return Status::FailedPrecondition(StrCat({"agent ", id, " is ", AgentStateName(state), ", not starting"}));
    }
    WEFT_ASSIGN_OR_RETURN(sql::Statement up,
                          db.Prepare("UPDATE agents SET state = 'running', pid = ?2, pid_start = ?3, "
                                     "confinement = ?4, started_ms = ?5 WHERE id = ?1"));
    up.Bind(1, id).Bind(2, pid).Bind(3, pid_start).Bind(4, confinement).Bind(5, now);
    WEFT_RETURN_IF_ERROR(up.Run());
    return InsertEvent(db, id, now, "started", StrCat({"running as pid ", std::to_string(pid)}));
  });
}

Status AgentStore::SetEnded(std::string_view id, const AgentEnd& end) {
  int64_t now = NowMs();
  return store_.Write([&](sql::Connection& db) -> Status {
    WEFT_ASSIGN_OR_RETURN(AgentState state, StateOf(db, id));
    if (!IsLive(state)) {
      return Status::FailedPrecondition(StrCat({"agent ", id, " has already ended (", AgentStateName(state), ")"}));
    }
    WEFT_ASSIGN_OR_RETURN(sql::Statement up,
                          db.Prepare("UPDATE agents SET state = ?2, exit_code = ?3, exit_signal = ?4, "
                                     "limit_hit = ?5, error = ?6, ended_ms = ?7 WHERE id = ?1"));
    up.Bind(1, id).Bind(2, AgentStateName(end.state));
    if (end.exit_code) up.Bind(3, *end.exit_code);
    if (end.exit_signal) up.Bind(4, *end.exit_signal);
    up.Bind(5, end.limit).Bind(6, end.error).Bind(7, now);
    WEFT_RETURN_IF_ERROR(up.Run());
    return InsertEvent(db, id, now, AgentStateName(end.state), end.detail);
  });
}

Status AgentStore::SetGrant(std::string_view id, std::string_view grant_id) {
  return store_.Write([&](sql::Connection& db) -> Status {
    WEFT_RETURN_IF_ERROR(StateOf(db, id).status());
    WEFT_ASSIGN_OR_RETURN(sql::Statement up, db.Prepare("UPDATE agents SET grant_id = ?2 WHERE id = ?1"));
    up.Bind(1, id).Bind(2, grant_id);
    return up.Run();
  });
}

Status AgentStore::AddEvent(std::string_view id, std::string_view kind, std::string_view detail) {
  int64_t now = NowMs();
  return store_.Write([&](sql::Connection& db) -> Status {
    WEFT_RETURN_IF_ERROR(StateOf(db, id).status());
    return InsertEvent(db, id, now, kind, detail);
  });
}

Result<std::vector<AgentEvent>> AgentStore::Events(std::string_view id, int64_t after_seq, int limit) const {
  std::vector<AgentEvent> out;
  Status read = store_.Read([&](sql::Connection& db) -> Status {
    WEFT_RETURN_IF_ERROR(StateOf(db, id).status());
    WEFT_ASSIGN_OR_RETURN(sql::Statement st,
                          db.Prepare("SELECT seq, agent_id, at_ms, kind, detail FROM agent_events "
                                     "WHERE agent_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"));
    st.Bind(1, id).Bind(2, after_seq).Bind(3, static_cast<int64_t>(limit));
    while (true) {
      WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back({st.Int(0), st.Text(1), st.Int(2), st.Text(3), st.Text(4)});
    }
    return Status::Ok();
  });
  if (!read.ok()) return read;
  return out;
}

Status AgentStore::Remove(std::string_view id) {
  return store_.Write([&](sql::Connection& db) -> Status {
    WEFT_ASSIGN_OR_RETURN(AgentState state, StateOf(db, id));
    if (IsLive(state)) {
      return Status::FailedPrecondition(
          StrCat({"agent ", id, " is still ", AgentStateName(state), "; stop it first"}));
    }
    WEFT_ASSIGN_OR_RETURN(sql::Statement del, db.Prepare("DELETE FROM agents WHERE id = ?1"));
    del.Bind(1, id);
    return del.Run();
  });
}

}  // namespace weft::store
