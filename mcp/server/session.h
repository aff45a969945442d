// Session: one client connection's protocol state and the dispatch of its
// messages. Internal to mcp/server; Server::Serve creates one per connection.
//
// Threads: one reader (Run) decodes frames and dispatches. Cheap methods run
// inline on it; tools/call, resources/read, prompts/get and completion/complete
// run on the session's worker pool so that cancellations, responses to our own
// requests and further calls keep flowing while they work. Workers are
// detached and hold a shared_ptr to the session, so a handler that ignores
// cancellation cannot make Run() hang or leave a dangling session behind; the
// Outbox is shut when Run() returns, so such a straggler writes nothing.
//
// Lock order: Session::mu_ before Outbox::mu_. Registry change listeners take
// mu_ only; nothing holds mu_ while calling into a registry.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcp/jsonrpc/message.h"
#include "mcp/registry/request_context.h"
#include "mcp/server/gate.h"
#include "mcp/server/server.h"
#include "mcp/transport/connection.h"

namespace weft::mcp {

using Json = nlohmann::json;

// Result of one method: a result object or a JSON-RPC error.
struct RpcOutcome {
  Json result;
  std::optional<RpcError> error;
  // The request stays open with no reply now (subscriptions/listen).
  bool keep_open = false;
  // Members of `result` written as JSON text (Message::result_text).
  std::vector<JsonTextMember> result_text;

  static RpcOutcome Ok(Json result, std::vector<JsonTextMember> result_text = {}) {
    return {std::move(result), std::nullopt, false, std::move(result_text)};
  }
  static RpcOutcome Fail(int code, std::string message, Json data = nullptr) {
    return {nullptr, RpcError{code, std::move(message), std::move(data)}, false, {}};
  }
  static RpcOutcome KeepOpen() { return {nullptr, std::nullopt, true, {}}; }
};

// The write side of a session, shared with workers that may outlive Serve()
// (a handler that ignores cancellation): once Shut(), writes are dropped.
class Outbox {
 public:
  explicit Outbox(Connection& conn) : conn_(conn) {}
  // Serialises and writes `msg`; false once shut or when the write fails.
  bool Send(const Message& msg, const WriteRoute& route = {});
  // Writes an already serialised frame (a batch reply).
  bool SendRaw(const std::string& frame, const WriteRoute& route = {});
  // Tells the transport that `request_id` will get no reply (Connection::Abandon).
  void Abandon(const Json& request_id);
  void Shut();

 private:
  std::mutex mu_;
  Connection& conn_;  // valid until Shut()
  bool shut_ = false;  // guarded by mu_
};

class Call;
class Session;

// The route of a final response (or error) to the request it answers.
WriteRoute FinalRoute(const Message& reply);

// One row of the method table: which eras have the method, where it runs, and
// whether its modern result carries cache hints (2026-07-28 caching).
struct MethodInfo {
  const char* name;
  bool legacy;     // exists in the initialize era (<= 2025-11-25)
  bool modern;     // exists in 2026-07-28
  bool worker;     // may block: runs on a worker thread, not the reader
  bool cacheable;  // modern result gets ttlMs and cacheScope
  bool mrtr;       // may answer resultType "input_required"
  bool params;     // params are required (their fields are checked by the handler)
  RpcOutcome (Session::*handler)(Call&);
};
// The method table row for `method`, or null for an unknown method.
const MethodInfo* FindMethod(const std::string& method);

class Session : public std::enable_shared_from_this<Session> {
 public:
  friend const MethodInfo* FindMethod(const std::string& method);

  // `gate` (may be null: unrestricted) is what the session may do.
  Session(Server& server, Connection& conn, std::shared_ptr<Gate> gate = nullptr);
  ~Session();

  // Reads and dispatches until the connection closes; then cancels what is in
  // flight and waits (bounded) for workers. Equivalent to Open(), then
  // HandleFrame() per frame read, then Close().
  void Run();

  // --- push mode, for transports that receive frames themselves (HTTP) ---
  // Subscribes to registry changes. Call at most once, before the first
  // message; a session that never calls it gets no change notifications.
  void Open();
  // Dispatches one message on the calling thread (which acts as the reader).
  // Returns the reply when the request was answered on this thread; nullopt
  // when the reply will be written to the connection later, or never (a
  // notification, a response, a listen stream, a cancelled request).
  std::optional<Message> HandleMessage(Message msg, bool in_batch);
  // Dispatches a batch; returns the serialised array reply (or error) if any.
  std::optional<std::string> HandleBatch(std::vector<Json> elements);
  // Like end of input: in-flight requests get kDrainGrace to finish, then are
  // cancelled; returns when workers are done (bounded) and writes are shut.
  void Close();
  // Cancels everything now and shuts writes without waiting (the transport is
  // going away or the client ended the session).
  void Abort();

  // --- used by Call (the RequestContext of one request) ---
  Server& server() { return server_; }
  Outbox& outbox() { return *outbox_; }
  Gate* gate() const { return gate_.get(); }
  // Legacy log threshold: index into kLogLevels; -1 means "send everything".
  int legacy_log_threshold() const;
  // Sends a server→client request and waits for its response (legacy era),
  // up to `timeout`.
  Result<Json> RequestFromClient(const std::string& method, const Json& params,
                                 const CancellationToken& cancel, const Json& related,
                                 std::chrono::milliseconds timeout = kClientAnswerTimeout);
  // The client's roots (legacy era; see RequestContext::ClientRoots). The
  // first caller asks the client, related to its own request so the question
  // travels on that request's stream; concurrent callers wait for the answer.
  // A call on the reader thread never waits: it gets what is known.
  std::optional<std::vector<std::string>> ClientRoots(Call& call);
  // How long a client may take to answer a question a person answers
  // (elicitation, sampling).
  static constexpr std::chrono::milliseconds kClientAnswerTimeout{10 * 60 * 1000};

 private:
  struct Pending;  // an outgoing request awaiting the client's response
  struct ListenStream;  // a modern subscriptions/listen stream

  void HandleFrame(std::string frame);
  void HandleNotification(const Message& msg);
  void HandleResponse(const Message& msg);
  std::optional<Message> HandleRequest(Message msg, bool in_batch);

  // Decides the era and validates the request envelope; an error or a Call.
  std::variant<RpcError, std::shared_ptr<Call>> Admit(Message& msg);
  void RunCall(const std::shared_ptr<Call>& call);
  // True (and marks the call) when it may run on the reader thread: a
  // tools/call of a tool declared nonblocking, skipping the worker hand-off.
  bool RunsInline(Call& call);
  Message Finish(Call& call, RpcOutcome outcome);
  RpcOutcome Dispatch(Call& call);
  // MRTR: restores answers and state carried by a retry; an error if forged.
  std::optional<RpcError> RestoreRound(Call& call);
  // MRTR: the input_required result (or -32021) after a handler asked for input.
  std::optional<RpcOutcome> InputOutcome(Call& call);

  // Method handlers (session_methods.cc).
  RpcOutcome Initialize(Call& call);
  RpcOutcome Ping(Call& call);
  RpcOutcome Discover(Call& call);
  RpcOutcome SetLogLevel(Call& call);
  RpcOutcome ToolsList(Call& call);
  RpcOutcome ToolsCall(Call& call);
  RpcOutcome ResourcesList(Call& call);
  RpcOutcome TemplatesList(Call& call);
  RpcOutcome ResourcesRead(Call& call);
  RpcOutcome Subscribe(Call& call);
  RpcOutcome Unsubscribe(Call& call);
  RpcOutcome PromptsList(Call& call);
  RpcOutcome PromptsGet(Call& call);
  RpcOutcome Complete(Call& call);
  RpcOutcome Listen(Call& call);

  // Registry change events → notifications.
  void OnChange(const ChangeEvent& event);
  void StopWatching();
  // Gives back the interest in resource updates that ended listen streams
  // and dropped legacy subscriptions held (ResourceRegistry::DropInterest).
  // Call without holding mu_.
  void ReleaseInterest(const std::vector<std::shared_ptr<ListenStream>>& streams,
                       const std::set<std::string>& uris);
  void StartWorker(std::function<void()> job);
  void CancelAll();

  Server& server_;
  Connection& conn_;  // read by Run() only
  const std::shared_ptr<Gate> gate_;  // null: unrestricted
  std::shared_ptr<Outbox> outbox_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // a job was queued, or stopping_ was set
  std::condition_variable idle_cv_;  // a job finished (Run() waits for the drain)
  // Legacy era state (guarded by mu_).
  bool initialized_ = false;
  std::string legacy_version_;
  Json legacy_client_caps_ = Json::object();
  Json legacy_client_info_ = nullptr;
  int log_threshold_ = -1;
  std::set<std::string> subscribed_uris_;
  // Requests being worked on, by serialised id (guarded by mu_).
  std::map<std::string, std::shared_ptr<Call>> in_flight_;
  std::map<std::string, std::shared_ptr<ListenStream>> listens_;
  // Our own requests to the client, by id (guarded by mu_).
  int64_t next_outgoing_id_ = 0;
  std::map<int64_t, std::shared_ptr<Pending>> pending_;
  // Worker pool (guarded by mu_).
  std::deque<std::function<void()>> jobs_;
  size_t workers_ = 0;
  size_t idle_workers_ = 0;
  size_t running_jobs_ = 0;
  bool stopping_ = false;

  // Client roots (guarded by mu_): kUnknown until asked, and again after
  // notifications/roots/list_changed (which bumps roots_epoch_ so an answer
  // to an older question is not kept).
  enum class RootsState { kUnknown, kAsking, kKnown };
  bool UsesClientRoots() const;  // with mu_ held
  RootsState roots_state_ = RootsState::kUnknown;
  std::optional<std::vector<std::string>> roots_;
  uint64_t roots_epoch_ = 0;
  std::condition_variable roots_cv_;

  int change_subs_[3] = {0, 0, 0};
  bool watching_ = false;  // Open() subscribed change_subs_ (reader thread only)
};

}  // namespace weft::mcp
