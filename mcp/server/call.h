// Call: one incoming request being served; the RequestContext handlers see.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "mcp/jsonrpc/message.h"
#include "mcp/registry/request_context.h"
#include "mcp/server/gate.h"

namespace weft::mcp {

class Session;

// RFC 5424 levels, lowest first (MCP logging).
inline constexpr const char* kLogLevels[] = {"debug", "info",     "notice", "warning",
                                             "error", "critical", "alert",  "emergency"};
// Index of `level` in kLogLevels, or -1.
int LogLevelIndex(const std::string& level);

// Thread-safety: the handler's thread uses the RequestContext side; the
// session's reader may Cancel() the token concurrently.
class Call final : public RequestContext {
 public:
  struct Envelope {
    Era era = Era::kLegacy;
    std::string version;
    Json client_capabilities = Json::object();
    Json client_info = nullptr;
    Json meta = nullptr;           // params._meta
    int log_threshold = -1;        // index into kLogLevels; -1 all, kNoLogs none
  };
  static constexpr int kNoLogs = 1000;

  Call(std::shared_ptr<Session> session, Message request, Envelope envelope);

  // --- RequestContext ---
  Era era() const override { return env_.era; }
  const std::string& protocol_version() const override { return env_.version; }
  const Json& client_capabilities() const override { return env_.client_capabilities; }
  const Json& client_info() const override { return env_.client_info; }
  const Json& request_meta() const override { return env_.meta; }
  const CancellationToken& cancellation() const override { return token_; }
  void Progress(double progress, std::optional<double> total, const std::string& message) override;
  void Log(const std::string& level, const Json& data, const std::string& logger) override;
  Result<Json> RequestInput(const Json& requests) override;
  const Json& request_state() const override { return state_; }
  void SetRequestState(Json state) override { new_state_ = std::move(state); }
  std::optional<std::vector<std::string>> ClientRoots() override;
  const grants::Grant* grant() const override;

  // --- session side ---
  const Message& request() const { return request_; }
  const std::string& method() const { return request_.method; }
  // params as an object ({} when absent).
  const Json& params() const { return params_; }
  // The request id serialised, as the key of the session's in-flight map.
  const std::string& key() const { return key_; }
  CancellationToken& token() { return token_; }
  // Set when the call runs on the session's reader thread (a nonblocking tool).
  void set_on_reader_thread() { on_reader_thread_ = true; }
  bool on_reader_thread() const { return on_reader_thread_; }
  // Set for a tool declared nonblocking, wherever it runs: it may not ask
  // the client for input even when it was moved to a worker (to learn the
  // client's roots first).
  void set_nonblocking_tool() { nonblocking_tool_ = true; }

  // MRTR: answers received so far (from the retry, plus earlier rounds carried
  // in the sealed state) and the handler state from the last round.
  void SetInputResponses(Json responses) { input_responses_ = std::move(responses); }
  const Json& input_responses() const { return input_responses_; }
  void SetVerifiedState(Json state) { state_ = std::move(state); }
  const Json& new_state() const { return new_state_; }
  // Input requests the handler is waiting for (modern era); empty object if none.
  const Json& pending_inputs() const { return pending_inputs_; }
  // The client capability a RequestInput needed but the client lacks (modern era).
  const Json& missing_capability() const { return missing_capability_; }

  // Set by tools/call when the session's gate refused the call (the audit
  // record says so).
  void set_refusal(Refusal refusal) { refusal_ = std::move(refusal); }
  const std::optional<Refusal>& refusal() const { return refusal_; }
  // Set by tools/call once the gate and the input schema let the call run.
  void set_admitted() { admitted_ = true; }
  bool admitted() const { return admitted_; }

 private:
  // elicitation/create → "elicitation", etc.; empty for unknown methods.
  static std::string CapabilityFor(const std::string& method);

  std::shared_ptr<Session> session_;
  Message request_;
  Envelope env_;
  Json params_;
  std::string key_;
  Json progress_token_ = nullptr;
  std::optional<double> last_progress_;
  CancellationToken token_;

  Json input_responses_ = Json::object();
  Json state_ = nullptr;
  Json new_state_ = nullptr;
  Json pending_inputs_ = Json::object();
  Json missing_capability_ = nullptr;
  bool on_reader_thread_ = false;
  bool nonblocking_tool_ = false;
  std::optional<Refusal> refusal_;
  bool admitted_ = false;
};

}  // namespace weft::mcp
