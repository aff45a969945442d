// RequestContext: what a handler (tool, resource, prompt, completion) knows
// about the request it serves, and how it talks back to the client while it runs.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/cancellation.h"
#include "core/base/result.h"
#include "mcp/protocol/versions.h"

namespace weft::grants {
struct Grant;
}  // namespace weft::grants

namespace weft::mcp {

using Json = nlohmann::json;

// Everything a handler may do besides returning its result. One instance per
// incoming request, owned by the session; handlers borrow it for their call.
// Thread-safety: used by the one thread running the handler.
class RequestContext {
 public:
  virtual ~RequestContext() = default;

  virtual Era era() const = 0;
  // The negotiated (legacy) or per-request (modern) protocol revision.
  virtual const std::string& protocol_version() const = 0;
  // ClientCapabilities object the client declared (empty object if none).
  virtual const Json& client_capabilities() const = 0;
  // The client's Implementation info (null if not sent).
  virtual const Json& client_info() const = 0;
  // The request's `params._meta` (null when absent).
  virtual const Json& request_meta() const = 0;

  virtual const CancellationToken& cancellation() const = 0;
  bool cancelled() const { return cancellation().cancelled(); }
  // Sleeps up to `d`; false if the request was cancelled meanwhile.
  bool SleepFor(std::chrono::milliseconds d) const { return cancellation().SleepFor(d); }

  // notifications/progress for this request; a no-op without a progressToken.
  // `progress` must increase between calls (the session enforces it).
  virtual void Progress(double progress, std::optional<double> total,
                        const std::string& message = "") = 0;
  // notifications/message at RFC 5424 `level` ("debug" … "emergency"), sent only
  // if the client's log level admits it (legacy: logging/setLevel, default all;
  // modern: the request's io.modelcontextprotocol/logLevel, default none).
  virtual void Log(const std::string& level, const Json& data, const std::string& logger = "") = 0;

  // Asks the client for input: `requests` maps keys to {method, params} with
  // method one of elicitation/create, sampling/createMessage, roots/list.
  // Returns {key: client result} for every key.
  //  - Legacy era: sends real server→client requests and waits for the answers.
  //  - Modern era (MRTR): answers come from the retry's `inputResponses`; when
  //    any is missing, returns kUnavailable and the session replies with
  //    resultType "input_required" for the missing keys — handlers just
  //    propagate the error (WEFT_ASSIGN_OR_RETURN).
  // Fails with kFailedPrecondition if the client lacks the needed capability.
  virtual Result<Json> RequestInput(const Json& requests) = 0;

  // MRTR state: what this handler stored in an earlier round (verified, never
  // client-forged), or null. SetRequestState() stores state for the next round;
  // it is signed with the server's per-process key before it leaves.
  virtual const Json& request_state() const = 0;
  virtual void SetRequestState(Json state) = 0;

  // The client's roots (the `uri`s of its roots/list answer, normally
  // file:// URIs of project directories) when it has told or will tell them:
  // initialize era, the client declared the `roots` capability, and the
  // server uses roots (ServerOptions::client_roots). Asked for on first use
  // and again after notifications/roots/list_changed, so the first call may
  // block briefly while the client answers. nullopt when there are none to
  // use: 2026-07-28 deprecates roots and has no session to keep them in.
  // Roots are a hint, never a grant: callers may only narrow with them.
  virtual std::optional<std::vector<std::string>> ClientRoots() { return std::nullopt; }

  // The grant the request's session runs under (docs/grants.md), already
  // checked for this request; nullptr when the session is unrestricted.
  // Handlers that hand out authority derive from it (agent_spawn).
  virtual const grants::Grant* grant() const { return nullptr; }
};

}  // namespace weft::mcp
