// Tests for JSON-RPC decoding and encoding, including hostile input.
#include "mcp/jsonrpc/message.h"

#include <gtest/gtest.h>

namespace weft::mcp {
namespace {

Message MustDecode(const std::string& text) {
  auto d = Decode(text);
  EXPECT_TRUE(std::holds_alternative<Message>(d)) << text;
  return std::holds_alternative<Message>(d) ? std::get<Message>(d) : Message{};
}

RpcError MustFail(const std::string& text) {
  auto d = Decode(text);
  EXPECT_TRUE(std::holds_alternative<DecodeFailure>(d)) << text;
  if (!std::holds_alternative<DecodeFailure>(d)) return {};
  return std::get<DecodeFailure>(d).reply.error;
}

TEST(Decode, ClassifiesTheFourKinds) {
  Message req = MustDecode(R"({"jsonrpc":"2.0","id":7,"method":"ping"})");
  EXPECT_EQ(req.kind, MessageKind::kRequest);
  EXPECT_EQ(req.id, 7);
  EXPECT_FALSE(req.has_params());
  Message note = MustDecode(R"({"jsonrpc":"2.0","method":"notifications/initialized","params":{}})");
  EXPECT_EQ(note.kind, MessageKind::kNotification);
  EXPECT_TRUE(note.has_params());
  Message res = MustDecode(R"({"jsonrpc":"2.0","id":"a","result":{"x":1}})");
  EXPECT_EQ(res.kind, MessageKind::kResponse);
  EXPECT_EQ(res.id, "a");
  Message err = MustDecode(R"({"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"m","data":[1]}})");
  EXPECT_EQ(err.kind, MessageKind::kError);
  EXPECT_EQ(err.error.code, -1);
  EXPECT_EQ(err.error.data, Json::array({1}));
}

TEST(Decode, MalformedJsonIsAParseError) {
  RpcError e = MustFail("{\"jsonrpc\":\"2.0\",");
  EXPECT_EQ(e.code, rpc::kParseError);
  EXPECT_NE(e.message.find("Parse error"), std::string::npos);
}

TEST(Decode, NonObjectsAndBadEnvelopesAreInvalidRequests) {
  EXPECT_EQ(MustFail("42").code, rpc::kInvalidRequest);
  EXPECT_EQ(MustFail("\"x\"").code, rpc::kInvalidRequest);
  EXPECT_EQ(MustFail(R"({"id":1,"method":"ping"})").code, rpc::kInvalidRequest);          // no jsonrpc
  EXPECT_EQ(MustFail(R"({"jsonrpc":"1.0","id":1,"method":"ping"})").code, rpc::kInvalidRequest);
  EXPECT_EQ(MustFail(R"({"jsonrpc":"2.0","id":1,"method":5})").code, rpc::kInvalidRequest);
  EXPECT_EQ(MustFail(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})").code, rpc::kInvalidRequest);
  EXPECT_EQ(MustFail(R"({"jsonrpc":"2.0","id":null,"method":"ping"})").code, rpc::kInvalidRequest);
  EXPECT_EQ(MustFail(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":3})").code, rpc::kInvalidRequest);
  EXPECT_EQ(MustFail(R"({"jsonrpc":"2.0","id":1})").code, rpc::kInvalidRequest);
  EXPECT_EQ(MustFail(R"({"jsonrpc":"2.0","id":1,"result":1,"error":{}})").code, rpc::kInvalidRequest);
  EXPECT_EQ(MustFail(R"({"jsonrpc":"2.0","id":1,"error":{"code":"x","message":"m"}})").code, rpc::kInvalidRequest);
}

TEST(Decode, ErrorRepliesKeepAReadableId) {
  auto d = Decode(R"({"jsonrpc":"1.0","id":9,"method":"ping"})");
  ASSERT_TRUE(std::holds_alternative<DecodeFailure>(d));
  EXPECT_EQ(std::get<DecodeFailure>(d).reply.id, 9);
}

TEST(Decode, InvalidUtf8IsAParseError) {
  std::string bad = "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"s\":\"\xff\xfe\"}}";
  EXPECT_EQ(MustFail(bad).code, rpc::kParseError);
}

TEST(Decode, NulByteIsAParseError) {
  std::string bad = std::string("{\"jsonrpc\":\"2.0\",\"method\":\"x\"") + '\0' + "}";
  EXPECT_EQ(MustFail(bad).code, rpc::kParseError);
}

TEST(Decode, DeepNestingIsRefusedWithoutRecursion) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  RpcError e = MustFail(deep);
  EXPECT_EQ(e.code, rpc::kInvalidRequest);
  EXPECT_NE(e.message.find("nested deeper"), std::string::npos);
  // Brackets inside strings do not count.
  Message m = MustDecode(R"({"jsonrpc":"2.0","method":"x","params":{"s":")" + std::string(500, '[') + R"("}})");
  EXPECT_EQ(m.kind, MessageKind::kNotification);
}

TEST(Decode, ArraysAreBatchesAndEmptyBatchIsInvalid) {
  auto d = Decode(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},3])");
  ASSERT_TRUE(std::holds_alternative<std::vector<Json>>(d));
  EXPECT_EQ(std::get<std::vector<Json>>(d).size(), 2u);
  EXPECT_EQ(MustFail("[]").code, rpc::kInvalidRequest);
}

TEST(Encode, ProducesOneLineWithTheRightMembers) {
  std::string s = Message::Request(1, "tools/list", Json::object()).Serialize();
  EXPECT_EQ(s.find('\n'), std::string::npos);
  Json j = Json::parse(s);
  EXPECT_EQ(j["jsonrpc"], "2.0");
  EXPECT_EQ(j["method"], "tools/list");
  Json e = Json::parse(Message::Error(nullptr, RpcError{rpc::kParseError, "bad", nullptr}).Serialize());
  EXPECT_TRUE(e["id"].is_null());
  EXPECT_FALSE(e["error"].contains("data"));
  Json n = Json::parse(Message::Notification("x", Json(Json::value_t::discarded)).Serialize());
  EXPECT_FALSE(n.contains("params"));
}

TEST(Encode, SerializeIsTheDumpOfToJson) {
  const Json params = {{"name", "fs_read"}, {"arguments", {{"path", "/a \"b\"\n"}}}};
  for (const Message& m : {Message::Request(7, "tools/call", params), Message::Request("s-1", "ping", nullptr),
                           Message::Request(1, "ping", Json(Json::value_t::discarded)),
                           Message::Notification("notifications/progress", params),
                           Message::Notification("x", Json(Json::value_t::discarded)),
                           Message::Response(3, {{"content", Json::array({{{"type", "text"}, {"text", "é\t"}}})}}),
                           Message::Response("r", nullptr),
                           Message::Error(nullptr, RpcError{rpc::kParseError, "bad", nullptr}),
                           Message::Error(9, RpcError{rpc::kInvalidParams, "no", {{"field", "x"}}})}) {
    EXPECT_EQ(m.Serialize(), SerializeJson(m.ToJson()));
    EXPECT_EQ(m.Serialize(), m.ToJson().dump(-1, ' ', false, Json::error_handler_t::replace));
  }
}

TEST(Encode, ResultMembersWrittenAsTextAreSplicedInKeyOrder) {
  Json result = {{"content", Json::array()}, {"resultType", "complete"}};
  Message m = Message::Response(4, result, {{"structuredContent", R"({"a":[1,"x"]})"}, {"_meta", "{}"}});
  EXPECT_EQ(m.Serialize(), R"({"id":4,"jsonrpc":"2.0","result":{"_meta":{},"content":[],"resultType":"complete",)"
                           R"("structuredContent":{"a":[1,"x"]}}})");
  EXPECT_EQ(m.Serialize(), SerializeJson(m.ToJson()));
  EXPECT_EQ(m.ToJson()["result"]["structuredContent"]["a"][1], "x");
}

TEST(Encode, ReplacesInvalidUtf8InsteadOfThrowing) {
  Json v = {{"text", std::string("ok\xff")}};
  std::string s = SerializeJson(v);
  EXPECT_TRUE(Json::parse(s, nullptr, false).is_object());
}

}  // namespace
}  // namespace weft::mcp
