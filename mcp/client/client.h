// Client: an MCP client over one Connection, speaking either protocol era
// (legacy `initialize` sessions or 2026-07-28 per-request `_meta`).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mcp/client/call_result.h"
#include "mcp/client/input_handler.h"
#include "mcp/jsonrpc/message.h"
#include "mcp/protocol/versions.h"
#include "mcp/transport/connection.h"

namespace weft::mcp {

// Which era to open with (reference/mcp.md §1.3).
enum class EraMode {
  kLegacy,  // initialize 2025-11-25 → notifications/initialized
  kModern,  // no handshake; every request carries the 2026-07-28 _meta
  kAuto,    // server/discover first; on a non-modern error or timeout, legacy
};
std::string_view EraModeName(EraMode mode);
bool ParseEraMode(std::string_view text, EraMode* out);
std::string_view EraName(Era era);

// Every result the client receives, as it arrives (handshakes, list pages and
// intermediate input_required rounds included), for validation.
struct ResultEvent {
  const std::string& method;
  const Json& result;
  Era era;                              // the era the request was sent in
  const std::string& protocol_version;  // the revision the request was sent at
};

struct ClientOptions {
  EraMode era = EraMode::kAuto;
  // The Implementation object sent as clientInfo.
  Json client_info;  // null: {"name":"weft-mcp-client","version":<weft version>}
  // Answers roots/list, elicitation/create and sampling/createMessage.
  std::shared_ptr<InputHandler> input_handler;  // null: DefaultInputHandler()
  // Per request, unless CallOptions says otherwise.
  std::chrono::milliseconds timeout{30000};
  // How long auto mode waits for server/discover before assuming legacy.
  std::chrono::milliseconds probe_timeout{5000};
  // input_required rounds per call before giving up (kResourceExhausted).
  int max_input_rounds = 10;
  // Pages a list helper follows before giving up (kResourceExhausted).
  size_t max_pages = 1000;
  // RFC 5424 level for server log notifications; empty asks for none. Modern:
  // sent as _meta logLevel on every request. Legacy: logging/setLevel after
  // the handshake when the server declares the logging capability.
  std::string log_level;
  // Server notifications other than progress (which goes to the call's own
  // callback). Runs on the reader thread: must not wait on this Client.
  std::function<void(const std::string& method, const Json& params)> on_notification;
  // Observer of every result (see ResultEvent). Runs on the calling thread.
  std::function<void(const ResultEvent& event)> on_result;
};

// Lets another thread cancel a call in flight (notifications/cancelled).
// Thread-safe. One canceller serves one call at a time.
class CallCanceller {
 public:
  void Cancel(std::string reason = "cancelled by the client");
  bool cancelled() const;

 private:
  friend class Client;
  mutable std::mutex mu_;
  bool cancelled_ = false;
  std::string reason_;
  std::function<void()> wake_;  // set by the Client while a request is waiting
};

struct CallOptions {
  std::chrono::milliseconds timeout{0};  // 0: ClientOptions::timeout
  // notifications/progress params for this call (a progressToken is sent
  // only when this is set). Runs on the reader thread.
  std::function<void(const Json& params)> on_progress;
  CallCanceller* canceller = nullptr;
};

// Threading: Connect() once, then any number of threads may Call() at once.
// A reader thread routes replies to waiting calls by id and hands server
// notifications to the callbacks; a responder thread answers server→client
// requests. Failures (CallResult::status()):
//   kUnavailable       the server closed the connection (it exited), or Close()
//   kDeadlineExceeded  no reply within the timeout (the request is cancelled)
//   kCancelled         CallCanceller::Cancel()
//   kIoError           a malformed reply (result not an object, bad handshake,
//                      bad input_required result)
//   kFailedPrecondition  the server's protocol version is not supported, or it
//                      asked for input this client cannot give
//   kResourceExhausted too many input_required rounds or list pages
//   JSON-RPC error replies: rpc_error() set, status per RpcErrorStatus().
class Client {
 public:
  // Does not own `connection`; it must outlive the Client. Starts the reader.
  Client(Connection& connection, ClientOptions options);
  // Close()s.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Opens the session in the configured era and returns the handshake result:
  // the InitializeResult (legacy), the DiscoverResult (auto → modern) or an
  // empty object (modern, which has no handshake).
  CallResult Connect();

  // The era and facts below are fixed by Connect(); read them after it returns.
  Era era() const { return era_; }
  // The negotiated legacy revision, or "2026-07-28".
  const std::string& protocol_version() const { return protocol_version_; }
  // From the handshake (legacy or auto); null/empty until known.
  const Json& server_info() const { return server_info_; }
  const Json& server_capabilities() const { return server_capabilities_; }
  const std::string& instructions() const { return instructions_; }
  // Auto mode: what server/discover produced (the result, or why it failed).
  const std::optional<CallResult>& probe() const { return probe_; }
  // The method of the handshake's last request: "initialize",
  // "server/discover", or empty (modern mode has no handshake).
  const std::string& handshake_method() const { return handshake_method_; }

  // One request. Modern era: adds the _meta, and resolves input_required
  // results (each input request through the InputHandler, then the original
  // request again with inputResponses and the echoed requestState).
  CallResult Call(const std::string& method, Json params, const CallOptions& options = {});
  Status Notify(const std::string& method, Json params);

  // Follows nextCursor; the value is the first page's result with the items
  // of every page under `items_key` and no nextCursor.
  CallResult ListAll(const std::string& method, const std::string& items_key,
                     const CallOptions& options = {});
  CallResult ListTools(const CallOptions& options = {});
  CallResult ListResources(const CallOptions& options = {});
  CallResult ListResourceTemplates(const CallOptions& options = {});
  CallResult ListPrompts(const CallOptions& options = {});
  CallResult CallTool(const std::string& name, Json arguments, const CallOptions& options = {});
  CallResult ReadResource(const std::string& uri, const CallOptions& options = {});
  CallResult GetPrompt(const std::string& name, Json arguments, const CallOptions& options = {});
  CallResult Ping(const CallOptions& options = {});
  CallResult Discover(const CallOptions& options = {});

  // Closes the connection, fails calls in flight with kUnavailable, joins the
  // threads. Idempotent; not from a callback.
  void Close();

  // Things the server sent that belong to no call: lines that are not JSON-RPC,
  // replies to ids never used, requests it may not send in its era (the
  // first 100).
  std::vector<std::string> wire_problems() const;

 private:
  struct Pending;

  void ReadLoop();
  void Dispatch(Message message);
  void DispatchReply(Message message);
  void DispatchRequest(Message message);
  void RespondLoop();
  void AddWireProblem(std::string problem);
  void FailAll(const Status& status);

  // One JSON-RPC round trip; `era`/`version` tag the ResultEvent.
  CallResult RoundTrip(const std::string& method, Json params, const CallOptions& options,
                       Era era, const std::string& version);
  // Waits for `pending`; cleans up and sends notifications/cancelled on timeout or cancel.
  CallResult Await(int64_t id, const std::string& method, std::shared_ptr<Pending> pending,
                   const CallOptions& options);
  Json ModernMeta() const;
  Result<Json> AnswerInputRequests(const Json& input_requests);
  CallResult ConnectLegacy();

  Connection& connection_;
  ClientOptions options_;
  std::shared_ptr<InputHandler> handler_;
  Json client_capabilities_;

  Era era_ = Era::kLegacy;
  std::string protocol_version_{kLatestLegacyVersion};
  Json server_info_;
  Json server_capabilities_ = Json::object();
  std::string instructions_;
  std::optional<CallResult> probe_;
  std::string handshake_method_;
  // What the reader thread needs to know about the era.
  std::atomic<bool> modern_{false};
  std::atomic<bool> batches_allowed_{false};

  mutable std::mutex mu_;
  int64_t next_id_ = 1;                                  // guarded by mu_
  std::map<int64_t, std::shared_ptr<Pending>> pending_;  // guarded by mu_
  Status closed_;                                        // guarded by mu_; non-ok once closed
  std::vector<std::string> wire_problems_;               // guarded by mu_
  std::deque<Message> inbox_;                            // server requests; guarded by mu_
  std::condition_variable inbox_cv_;
  bool stopping_ = false;  // guarded by mu_; set by Close()

  std::mutex close_mu_;  // serialises Close() so the threads are joined once

  std::thread reader_;
  std::thread responder_;
};

}  // namespace weft::mcp
