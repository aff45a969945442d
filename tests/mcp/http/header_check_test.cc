// Era detection and 2026-07-28 header validation for Streamable HTTP.
#include "mcp/http/header_check.h"

#include <gtest/gtest.h>

#include <map>

#include "mcp/fixture/conformance_fixture.h"
#include "mcp/protocol/versions.h"

namespace weft::mcp {
namespace {

Json ModernMeta() {
  return {{meta::kProtocolVersion, "2026-07-28"}, {meta::kClientCapabilities, Json::object()}};
}

Message Call(const std::string& tool, Json args = Json::object()) {
  return Message::Request(1, "tools/call", {{"name", tool}, {"arguments", std::move(args)}, {"_meta", ModernMeta()}});
}

class HeaderCheckTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fixture_.Register().ok()); }

  std::optional<HttpRpcError> Check(const Message& msg) {
    HeaderLookup lookup = [this](const std::string& name) -> std::optional<std::string> {
      auto it = headers_.find(name);
      if (it == headers_.end()) return std::nullopt;
      return it->second;
    };
    return CheckModernRequest(msg, lookup, tools_);
  }

  ToolRegistry tools_;
  ResourceRegistry resources_;
  PromptRegistry prompts_;
  ConformanceFixture fixture_{tools_, resources_, prompts_, ConformanceFixtureOptions{std::chrono::milliseconds(0)}};
  std::map<std::string, std::string> headers_ = {
      {"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/call"}, {"Mcp-Name", "test_simple_text"}};
};

TEST(DecodeHeaderValue, DecodesStrictBase64AndPassesOtherValuesThrough) {
  EXPECT_EQ(DecodeHeaderValue("plain value"), "plain value");
  EXPECT_EQ(DecodeHeaderValue("=?base64?IHNwYWNlZCA=?="), " spaced ");
  EXPECT_EQ(DecodeHeaderValue("=?base64?5pel5pys?="), "日本");
  EXPECT_EQ(DecodeHeaderValue("=?base64?5pel5pys=?="), std::nullopt);  // bad padding
  EXPECT_EQ(DecodeHeaderValue("=?base64?!!!!?="), std::nullopt);       // outside the alphabet
  EXPECT_EQ(DecodeHeaderValue("=?base64?"), "=?base64?");              // not the encoded form at all
}

TEST(IsModernPost, FollowsTheReferenceRule) {
  Message legacy_init = Message::Request(1, "initialize", {{"protocolVersion", "2025-11-25"}});
  EXPECT_FALSE(IsModernPost(legacy_init, std::nullopt));
  EXPECT_FALSE(IsModernPost(legacy_init, std::string("2025-11-25")));  // a legacy header without modern _meta
  EXPECT_TRUE(IsModernPost(legacy_init, std::string("2026-07-28")));
  Message modern = Message::Request(1, "tools/list", {{"_meta", ModernMeta()}});
  EXPECT_TRUE(IsModernPost(modern, std::nullopt));  // → then refused for the missing header
  EXPECT_TRUE(IsModernPost(modern, std::string("2025-11-25")));
  Message progress_only = Message::Request(1, "tools/call", {{"_meta", {{"progressToken", 1}}}});
  EXPECT_FALSE(IsModernPost(progress_only, std::nullopt));
}

TEST_F(HeaderCheckTest, AcceptsMatchingHeaders) { EXPECT_EQ(Check(Call("test_simple_text")), std::nullopt); }

TEST_F(HeaderCheckTest, MissingVersionHeaderIsAHeaderMismatch) {
  headers_.erase("MCP-Protocol-Version");
  auto err = Check(Call("test_simple_text"));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 400);
  EXPECT_EQ(err->error.code, rpc::kHeaderMismatch);
}

TEST_F(HeaderCheckTest, MissingMetaFieldsAreInvalidParams) {
  Message msg = Call("test_simple_text");
  msg.params["_meta"].erase(meta::kClientCapabilities);
  auto err = Check(msg);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 400);
  EXPECT_EQ(err->error.code, rpc::kInvalidParams);
}

TEST_F(HeaderCheckTest, VersionHeaderMustEqualMetaAndBeSupported) {
  headers_["MCP-Protocol-Version"] = "2026-01-01";
  auto err = Check(Call("test_simple_text"));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->error.code, rpc::kHeaderMismatch);

  Message msg = Call("test_simple_text");
  msg.params["_meta"][meta::kProtocolVersion] = "2026-01-01";
  err = Check(msg);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 400);
  EXPECT_EQ(err->error.code, rpc::kUnsupportedVersion);
  EXPECT_EQ(err->error.data["requested"], "2026-01-01");
  EXPECT_EQ(err->error.data["supported"], Json::array({"2026-07-28"}));
}

TEST_F(HeaderCheckTest, MethodAndNameMustMatchTheBody) {
  headers_["Mcp-Method"] = "tools/list";
  EXPECT_EQ(Check(Call("test_simple_text"))->error.code, rpc::kHeaderMismatch);
  headers_["Mcp-Method"] = "tools/call";
  headers_["Mcp-Name"] = "test_error_handling";
  EXPECT_EQ(Check(Call("test_simple_text"))->error.code, rpc::kHeaderMismatch);
  headers_.erase("Mcp-Name");
  EXPECT_EQ(Check(Call("test_simple_text"))->error.code, rpc::kHeaderMismatch);
  headers_["Mcp-Name"] = "=?base64?dGVzdF9zaW1wbGVfdGV4dA==?=";  // base64 of the name
  EXPECT_EQ(Check(Call("test_simple_text")), std::nullopt);
}

TEST_F(HeaderCheckTest, XMcpHeaderParametersAreValidated) {
  headers_["Mcp-Name"] = "test_custom_header";
  EXPECT_EQ(Check(Call("test_custom_header", {{"region", "eu-west"}}))->error.code, rpc::kHeaderMismatch);
  headers_["Mcp-Param-Region"] = "eu-west";
  EXPECT_EQ(Check(Call("test_custom_header", {{"region", "eu-west"}})), std::nullopt);
  EXPECT_EQ(Check(Call("test_custom_header", {{"region", "us-east"}}))->error.code, rpc::kHeaderMismatch);
  EXPECT_EQ(Check(Call("test_custom_header"))->error.code, rpc::kHeaderMismatch);  // header without argument
  headers_["Mcp-Param-Region"] = "=?base64?IGV1IA==?=";
  EXPECT_EQ(Check(Call("test_custom_header", {{"region", " eu "}})), std::nullopt);
  headers_["Mcp-Param-Region"] = "=?base64?IGV1IA=?=";
  EXPECT_EQ(Check(Call("test_custom_header", {{"region", " eu "}}))->error.code, rpc::kHeaderMismatch);
}

TEST(ModernErrorStatus, MapsTransportErrorsToStatuses) {
  EXPECT_EQ(ModernErrorStatus(rpc::kMethodNotFound), 404);
  EXPECT_EQ(ModernErrorStatus(rpc::kMissingClientCapability), 400);
  EXPECT_EQ(ModernErrorStatus(rpc::kUnsupportedVersion), 400);
  EXPECT_EQ(ModernErrorStatus(rpc::kInvalidParams), 200);
  EXPECT_EQ(ModernErrorStatus(rpc::kInternalError), 200);
}

}  // namespace
}  // namespace weft::mcp
