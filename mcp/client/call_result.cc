// CallResult: JSON-RPC error replies as Status values.
#include "mcp/client/call_result.h"

namespace weft::mcp {

CallResult CallResult::FromRpcError(RpcError error) {
  CallResult r(RpcErrorStatus(error));
  r.rpc_error_ = std::move(error);
  return r;
}

Status RpcErrorStatus(const RpcError& error) {
  std::string text = "JSON-RPC error " + std::to_string(error.code) + ": " + error.message;
  switch (error.code) {
    case rpc::kMethodNotFound:
      return Status::Unimplemented(std::move(text));
    case rpc::kParseError:
    case rpc::kInvalidRequest:
    case rpc::kInvalidParams:
      return Status::InvalidArgument(std::move(text));
    case rpc::kResourceNotFoundLegacy:
      return Status::NotFound(std::move(text));
    case rpc::kMissingClientCapability:
    case rpc::kUnsupportedVersion:
      return Status::FailedPrecondition(std::move(text));
    default:
      return Status::Internal(std::move(text));
  }
}

}  // namespace weft::mcp
