// CallResult: JSON-RPC error replies keep their details and map to Status codes.
#include "mcp/client/call_result.h"

#include <gtest/gtest.h>

namespace weft::mcp {
namespace {

TEST(CallResult, RpcErrorKeepsItsDetails) {
  CallResult r = CallResult::FromRpcError(RpcError{rpc::kInvalidParams, "Unknown tool: x", {{"name", "x"}}});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.rpc_error().has_value());
  EXPECT_EQ(r.rpc_error()->data["name"], "x");
  EXPECT_EQ(r.status().message(), "JSON-RPC error -32602: Unknown tool: x");
}

TEST(CallResult, LocalFailuresHaveNoRpcError) {
  CallResult r(Status::DeadlineExceeded("no reply"));
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.rpc_error().has_value());
  CallResult value(Json{{"a", 1}});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ((*value)["a"], 1);
}

TEST(CallResult, ErrorCodesMapToStatusCodes) {
  auto code = [](int rpc_code) { return RpcErrorStatus(RpcError{rpc_code, "m", nullptr}).code(); };
  EXPECT_EQ(code(rpc::kMethodNotFound), StatusCode::kUnimplemented);
  EXPECT_EQ(code(rpc::kInvalidParams), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(rpc::kParseError), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(rpc::kResourceNotFoundLegacy), StatusCode::kNotFound);
  EXPECT_EQ(code(rpc::kUnsupportedVersion), StatusCode::kFailedPrecondition);
  EXPECT_EQ(code(rpc::kInternalError), StatusCode::kInternal);
  EXPECT_EQ(code(-32000), StatusCode::kInternal);
}

}  // namespace
}  // namespace weft::mcp
