// The call-file transaction for one venom op, and the response format call
// files and `weft call` share (docs/weftdir.md): the op's data on success, an
// {"error": {code, status, message}} object with MCP's meaning otherwise.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/base/json.h"
#include "core/base/result.h"
#include "core/venoms/registry.h"
#include "core/weftdir/call_gate.h"
#include "core/weftdir/synthetic.h"

namespace weft::weftdir {

// The largest request a call file takes: the largest message `weft serve
// --stdio` accepts (--max-message-bytes), so whatever an MCP client can send
// as arguments, a call file takes too (fs_write content up to 16 Mi code
// points, escaped), while a runaway writer cannot grow a session without bound.
inline constexpr size_t kMaxRequestBytes = size_t{32} << 20;
// Arrays and objects nested deeper are refused before parsing, as MCP refuses
// messages nested deeper than 64 levels (validation recurses).
inline constexpr size_t kMaxRequestDepth = 64;

// Error codes. Negative ones are the JSON-RPC errors MCP answers with for the
// same problem; positive ones are op failures (MCP: a tool result with
// isError: true), numbered by the op's Status code (ToolErrorCode).
inline constexpr int kParseError = -32700;      // the request is not JSON
inline constexpr int kInvalidRequest = -32600;  // nested deeper than kMaxRequestDepth
inline constexpr int kInvalidParams = -32602;   // JSON, but not an object of arguments
inline constexpr int kInternalError = -32603;   // the op broke its output schema (a weft bug)

// The op-failure code and status name for a Status code: invalid_argument 1,
// not_found 2, already_exists 3, permission_denied 4, failed_precondition 5,
// out_of_range 6, resource_exhausted 7, deadline_exceeded 8, cancelled 9,
// unavailable 10, unimplemented 11, io_error 12, internal 13. Fixed: scripts
// depend on them.
int ToolErrorCode(StatusCode code);
std::string_view ToolErrorStatus(StatusCode code);

// A success response: the op's data as compact JSON and a newline.
std::string SuccessResponse(const Json& data);
// {"error":{"code":…,"status":"…","message":"…"}} and a newline.
std::string ErrorResponse(int code, std::string_view status, std::string_view message);
// The response for an op that failed with `status`.
std::string ToolErrorResponse(const Status& status);

struct CallOptions {
  // When the op takes a "workspace" argument and the request names none, this
  // workspace id is filled in: a call file answers for the workspace whose
  // /.weft holds it. Empty: the op's default (the first workspace).
  std::string workspace;
  // The grant the calls run under (a mount's); null: unrestricted.
  std::shared_ptr<CallGate> gate = nullptr;
};

// A CallSession that runs `op` through `registry.Call` (arguments and reply
// checked against the op's schemas). `registry` and `op` must outlive it.
std::unique_ptr<CallSession> NewOpCallSession(const venoms::Registry& registry, const venoms::Op& op,
                                              CallOptions options = {});

// Writes all of `request` to a fresh `session` and reads the whole response:
// what `weft call` does in-process. Fails only where Write does (the cap).
Result<std::string> RunCall(CallSession& session, std::string_view request);

}  // namespace weft::weftdir
