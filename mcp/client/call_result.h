// CallResult: what one request to an MCP server produced: its result object,
// the server's JSON-RPC error reply, or a local failure (Status).
#pragma once

#include <cassert>
#include <optional>

#include "core/base/status.h"
#include "mcp/jsonrpc/message.h"

namespace weft::mcp {

// Like Result<Json>, but a JSON-RPC error reply keeps its code, message and
// data (rpc_error()) besides the Status every failure has.
class [[nodiscard]] CallResult {
 public:
  CallResult(Json result) : result_(std::move(result)) {}  // NOLINT: implicit by design
  CallResult(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "CallResult built from an ok Status has no value");
    if (status_.ok()) status_ = Status::Internal("CallResult built from an ok Status");
  }
  // A failure because the server answered with a JSON-RPC error.
  static CallResult FromRpcError(RpcError error);

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // Set exactly when the server answered with a JSON-RPC error.
  const std::optional<RpcError>& rpc_error() const { return rpc_error_; }

  Json& value() & { assert(ok()); return result_; }
  const Json& value() const& { assert(ok()); return result_; }
  Json&& value() && { assert(ok()); return std::move(result_); }
  Json* operator->() { return &value(); }
  const Json* operator->() const { return &value(); }
  const Json& operator*() const& { return value(); }

 private:
  Json result_;
  Status status_;
  std::optional<RpcError> rpc_error_;
};

// The Status for a JSON-RPC error reply: "JSON-RPC error <code>: <message>"
// with the code mapped to the nearest StatusCode (-32601 kUnimplemented;
// -32700, -32600, -32602 kInvalidArgument; -32002 kNotFound; -32021, -32022
// kFailedPrecondition; anything else kInternal).
Status RpcErrorStatus(const RpcError& error);

}  // namespace weft::mcp
