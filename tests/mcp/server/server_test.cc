// Tests for the protocol engine's session behaviour that transcripts cannot pin
// well: concurrency, cancellation, disconnects, MRTR sealing, schema checks.
#include "mcp/server/server.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "core/base/json.h"
#include "mcp/jsonrpc/message.h"
#include "mcp/transport/memory_connection.h"

namespace weft::mcp {
namespace {

const char kModern[] = "2026-07-28";

Json ModernMeta(Json caps = Json::object()) {
  return {{"io.modelcontextprotocol/protocolVersion", kModern},
          {"io.modelcontextprotocol/clientCapabilities", std::move(caps)},
          {"io.modelcontextprotocol/clientInfo", {{"name", "test"}, {"version", "1"}}}};
}

std::unique_ptr<SchemaStore> TestSchemas() {
  auto store = SchemaStore::FromFiles({
      {"test/empty.input.json", R"({"type":"object","additionalProperties":false})"},
      {"test/echo.input.json",
       R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"],"additionalProperties":false})"},
      {"test/echo.output.json",
       R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"]})"},
  });
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(store).value();
}

// A server on a thread and the client end of its pipe.
class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    schemas_ = TestSchemas();
    tools_ = std::make_unique<ToolRegistry>(*schemas_);
    tools_->AddOrDie({"echo", "Echo", "Echoes text.", "test/echo.input.json", "test/echo.output.json", {}, nullptr,
                      [](RequestContext&, const Json& a) -> Result<Json> {
                        std::string t = a["text"];
                        if (t == "break-schema") {
                          return Json{{"content", Json::array()}, {"structuredContent", {{"text", 5}}}};
                        }
                        return Json{{"content", {{{"type", "text"}, {"text", t}}}},
                                    {"structuredContent", {{"text", t}}}};
                      }});
    tools_->AddOrDie({"echo_text", "Echo as text", "Echoes text, its structured content written as JSON text.",
                      "test/echo.input.json", "test/echo.output.json", {}, nullptr,
                      [](RequestContext&, const Json& a) -> Result<ToolResult> {
                        std::string json = "{\"text\":";
                        AppendJsonString(a["text"].get<std::string>(), &json);
                        json += "}";
                        return ToolResult(Json{{"content", {{{"type", "text"}, {"text", "echoed"}}}}}, std::move(json));
                      }});
    tools_->AddOrDie({"wait", "Wait", "Waits until cancelled.", "test/empty.input.json", "", {}, nullptr,
                      [this](RequestContext& ctx, const Json&) -> Result<Json> {
                        started_ = true;
                        while (!ctx.cancelled()) ctx.SleepFor(std::chrono::milliseconds(5));
                        cancelled_seen_ = true;
                        return Json{{"content", Json::array()}};
                      }});
    tools_->AddOrDie({"ask", "Ask", "Asks the user a question.", "test/empty.input.json", "", {}, nullptr,
                      [](RequestContext& ctx, const Json&) -> Result<Json> {
                        Json req = {{"q", {{"method", "elicitation/create"},
                                           {"params", {{"message", "Name?"},
                                                       {"requestedSchema", {{"type", "object"}}}}}}}};
                        WEFT_ASSIGN_OR_RETURN(Json answers, ctx.RequestInput(req));
                        std::string name = answers["q"].value("content", Json::object()).value("name", "?");
                        return Json{{"content", {{{"type", "text"}, {"text", "Hello, " + name}}}}};
                      }});
    ToolSpec fast{"fast_ask", "Fast ask", "Wrongly asks for input while declared nonblocking.",
                  "test/empty.input.json", "", {}, nullptr,
                  [](RequestContext& ctx, const Json&) -> Result<Json> {
                    WEFT_ASSIGN_OR_RETURN(Json answers, ctx.RequestInput({{"q", {{"method", "roots/list"}}}}));
                    return Json{{"content", Json::array()}};
                  }};
    fast.nonblocking = true;
    tools_->AddOrDie(std::move(fast));
    // The client's roots as the tool sees them ("none" when it has none to use).
    auto roots_tool = [](RequestContext& ctx, const Json&) -> Result<Json> {
      std::optional<std::vector<std::string>> roots = ctx.ClientRoots();
      std::string text = "none";
      if (roots) {
        text.clear();
        for (const std::string& r : *roots) text += r + ";";
      }
      return Json{{"content", {{{"type", "text"}, {"text", text}}}}};
    };
    tools_->AddOrDie({"roots", "Roots", "Says the client's roots.", "test/empty.input.json", "", {}, nullptr, roots_tool});
    ToolSpec fast_roots{"fast_roots", "Fast roots", "Says the client's roots, on the reader thread.",
                        "test/empty.input.json", "", {}, nullptr, roots_tool};
    fast_roots.nonblocking = true;
    tools_->AddOrDie(std::move(fast_roots));
    server_ = std::make_unique<Server>(ServerOptions{}, *tools_, resources_, prompts_);
    server_->AddObserver([this](const RequestRecord& r) {
      std::lock_guard<std::mutex> lock(records_mu_);
      records_.push_back(r);
    });
    auto [c, s] = MemoryConnection::Pair();
    client_ = std::move(c);
    server_end_ = std::move(s);
    thread_ = std::thread([this] { server_->Serve(*server_end_); });
  }
  void TearDown() override {
    client_->Close();
    if (thread_.joinable()) thread_.join();
  }

  void Send(const Json& j) { ASSERT_TRUE(client_->Write(SerializeJson(j)).ok()); }
  Json Next(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto f = client_->ReadFor(timeout);
    return f ? Json::parse(*f) : Json();
  }
  Json Request(int id, const std::string& method, Json params) {
    Json msg = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null()) msg["params"] = std::move(params);
    Send(msg);
    for (;;) {
      Json m = Next();
      if (m.is_null()) return m;
      if (m.contains("id") && m["id"] == id && !m.contains("method")) return m;
    }
  }
  void Initialize(Json caps = Json::object()) {
    Json r = Request(0, "initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", caps},
                                       {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
    ASSERT_EQ(r["result"]["protocolVersion"], "2025-11-25");
    Send({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }

  std::unique_ptr<SchemaStore> schemas_;
  std::unique_ptr<ToolRegistry> tools_;
  ResourceRegistry resources_;
  PromptRegistry prompts_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<MemoryConnection> client_, server_end_;
  std::thread thread_;
  std::mutex records_mu_;
  std::vector<RequestRecord> records_;
  std::atomic<bool> started_{false};
  std::atomic<bool> cancelled_seen_{false};
};

TEST_F(ServerFixture, CancelledRequestGetsNoResponseAndStopsItsWork) {
  Initialize();
  Send({{"jsonrpc", "2.0"}, {"id", 5}, {"method", "tools/call"}, {"params", {{"name", "wait"}}}});
  for (int i = 0; i < 500 && !started_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_TRUE(started_);
  Send({{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 5}, {"reason", "user"}}}});
  Json pong = Request(6, "ping", Json::object());
  EXPECT_EQ(pong["result"], Json::object());
  for (int i = 0; i < 500 && !cancelled_seen_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_TRUE(cancelled_seen_);
  EXPECT_TRUE(Next(std::chrono::milliseconds(200)).is_null()) << "a cancelled request was answered";
}

TEST_F(ServerFixture, OtherRequestsAreServedWhileACallIsRunning) {
  Initialize();
  Send({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", {{"name", "wait"}}}});
  Json r = Request(2, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "hi"}}}});
  EXPECT_EQ(r["result"]["structuredContent"]["text"], "hi");
  Send({{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 1}}}});
}

TEST_F(ServerFixture, DisconnectMidCallCancelsTheCallAndServeReturns) {
  Initialize();
  Send({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", {{"name", "wait"}}}});
  for (int i = 0; i < 500 && !started_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  client_->Close();
  thread_.join();
  EXPECT_TRUE(cancelled_seen_);
}

TEST_F(ServerFixture, DuplicateInFlightIdIsRefused) {
  Initialize();
  Send({{"jsonrpc", "2.0"}, {"id", 9}, {"method", "tools/call"}, {"params", {{"name", "wait"}}}});
  for (int i = 0; i < 500 && !started_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  Json r = Request(9, "ping", Json::object());
  EXPECT_EQ(r["error"]["code"], rpc::kInvalidRequest);
  Send({{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 9}}}});
}

TEST_F(ServerFixture, ArgumentsBreakingTheSchemaAreAToolErrorNamingTheField) {
  Initialize();
  Json r = Request(1, "tools/call", {{"name", "echo"}, {"arguments", {{"text", 3}}}});
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_EQ(r["result"]["isError"], true);
  std::string text = r["result"]["content"][0]["text"];
  EXPECT_NE(text.find("/text"), std::string::npos) << text;
  Json missing = Request(2, "tools/call", {{"name", "echo"}, {"arguments", Json::object()}});
  EXPECT_NE(missing["result"]["content"][0]["text"].get<std::string>().find("text"), std::string::npos);
}

TEST_F(ServerFixture, ResultBreakingTheOutputSchemaIsAnInternalError) {
  Initialize();
  Json r = Request(1, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "break-schema"}}}});
  EXPECT_EQ(r["error"]["code"], rpc::kInternalError);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("output schema"), std::string::npos);
}

TEST_F(ServerFixture, StructuredContentWrittenAsTextIsSplicedIntoTheReply) {
  Initialize();
  Send({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"},
        {"params", {{"name", "echo_text"}, {"arguments", {{"text", "a\"b"}}}}}});
  std::optional<std::string> frame = client_->ReadFor(std::chrono::seconds(5));
  ASSERT_TRUE(frame);
  EXPECT_EQ(*frame, R"({"id":1,"jsonrpc":"2.0","result":{"content":[{"text":"echoed","type":"text"}],)"
                    R"("structuredContent":{"text":"a\"b"}}})");
  Json modern =
      Request(2, "tools/call", {{"name", "echo_text"}, {"arguments", {{"text", "hi"}}}, {"_meta", ModernMeta()}});
  EXPECT_EQ(modern["result"]["structuredContent"], Json({{"text", "hi"}}));
  EXPECT_EQ(modern["result"]["resultType"], "complete");
  EXPECT_TRUE(modern["result"]["_meta"].contains("io.modelcontextprotocol/serverInfo")) << modern;
}

TEST_F(ServerFixture, BatchRepliesCarryStructuredContentWrittenAsText) {
  Json r = Request(0, "initialize", {{"protocolVersion", "2025-03-26"}, {"capabilities", Json::object()},
                                     {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
  ASSERT_EQ(r["result"]["protocolVersion"], "2025-03-26");
  Send({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  Send(Json::array({{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}},
                    {{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/call"},
                     {"params", {{"name", "echo_text"}, {"arguments", {{"text", "x"}}}}}}}));
  Json replies = Next();
  ASSERT_TRUE(replies.is_array()) << replies;
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0]["result"], Json::object());
  EXPECT_EQ(replies[1]["result"]["structuredContent"], Json({{"text", "x"}}));
}

TEST_F(ServerFixture, LegacyInputIsARealRequestToTheClient) {
  Initialize({{"elicitation", Json::object()}});
  Send({{"jsonrpc", "2.0"}, {"id", 3}, {"method", "tools/call"}, {"params", {{"name", "ask"}}}});
  Json req = Next();
  ASSERT_EQ(req["method"], "elicitation/create") << req;
  Send({{"jsonrpc", "2.0"}, {"id", req["id"]}, {"result", {{"action", "accept"}, {"content", {{"name", "Ada"}}}}}});
  Json r = Next();
  EXPECT_EQ(r["id"], 3);
  EXPECT_EQ(r["result"]["content"][0]["text"], "Hello, Ada");
}

// Answers the server's roots/list request `req` with `uris`.
Json RootsAnswer(const Json& req, const std::vector<std::string>& uris) {
  Json roots = Json::array();
  for (const std::string& u : uris) roots.push_back({{"uri", u}});
  return {{"jsonrpc", "2.0"}, {"id", req["id"]}, {"result", {{"roots", roots}}}};
}

TEST_F(ServerFixture, ClientRootsAreAskedForOnceRelatedToTheFirstCallThatNeedsThem) {
  Initialize({{"roots", {{"listChanged", true}}}});
  Send({{"jsonrpc", "2.0"}, {"id", 3}, {"method", "tools/call"}, {"params", {{"name", "roots"}}}});
  Json req = Next();
  ASSERT_EQ(req["method"], "roots/list") << req;
  Send(RootsAnswer(req, {"file:///a", "file:///b"}));
  Json r = Next();
  EXPECT_EQ(r["id"], 3);
  EXPECT_EQ(r["result"]["content"][0]["text"], "file:///a;file:///b;");
  // Known now: the next call, even one on the reader thread, does not ask again.
  Json again = Request(4, "tools/call", {{"name", "fast_roots"}});
  EXPECT_EQ(again["result"]["content"][0]["text"], "file:///a;file:///b;");
}

TEST_F(ServerFixture, RootsListChangedMakesTheNextCallAskAgain) {
  Initialize({{"roots", {{"listChanged", true}}}});
  Send({{"jsonrpc", "2.0"}, {"id", 3}, {"method", "tools/call"}, {"params", {{"name", "roots"}}}});
  Json req = Next();
  ASSERT_EQ(req["method"], "roots/list");
  Send(RootsAnswer(req, {"file:///old"}));
  EXPECT_EQ(Next()["result"]["content"][0]["text"], "file:///old;");
  Send({{"jsonrpc", "2.0"}, {"method", "notifications/roots/list_changed"}});
  // A nonblocking tool must not wait on its own thread: it moves to a worker and asks.
  Send({{"jsonrpc", "2.0"}, {"id", 4}, {"method", "tools/call"}, {"params", {{"name", "fast_roots"}}}});
  Json again = Next();
  ASSERT_EQ(again["method"], "roots/list") << again;
  Send(RootsAnswer(again, {"file:///new"}));
  EXPECT_EQ(Next()["result"]["content"][0]["text"], "file:///new;");
}

TEST_F(ServerFixture, NoRootsWithoutTheCapabilityAndNoneWhenTheClientFailsToAnswer) {
  Initialize();
  Json r = Request(3, "tools/call", {{"name", "roots"}});
  EXPECT_EQ(r["result"]["content"][0]["text"], "none");
  client_->Close();
  thread_.join();
  SetUp();
  Initialize({{"roots", Json::object()}});
  Send({{"jsonrpc", "2.0"}, {"id", 5}, {"method", "tools/call"}, {"params", {{"name", "roots"}}}});
  Json req = Next();
  ASSERT_EQ(req["method"], "roots/list");
  Send({{"jsonrpc", "2.0"}, {"id", req["id"]}, {"error", {{"code", -32601}, {"message", "no roots here"}}}});
  EXPECT_EQ(Next()["result"]["content"][0]["text"], "none");
}

TEST_F(ServerFixture, ModernEraHasNoClientRoots) {
  Json r = Request(1, "tools/call", {{"name", "roots"}, {"_meta", ModernMeta({{"roots", Json::object()}})}});
  EXPECT_EQ(r["result"]["content"][0]["text"], "none") << r;
}

TEST_F(ServerFixture, LegacyInputWithoutTheCapabilityFailsTheTool) {
  Initialize();
  Json r = Request(3, "tools/call", {{"name", "ask"}});
  EXPECT_EQ(r["result"]["isError"], true);
  EXPECT_NE(r["result"]["content"][0]["text"].get<std::string>().find("elicitation"), std::string::npos);
}

TEST_F(ServerFixture, ModernInputRoundTripsThroughSealedState) {
  Json meta = ModernMeta({{"elicitation", Json::object()}});
  Json first = Request(1, "tools/call", {{"name", "ask"}, {"_meta", meta}});
  ASSERT_EQ(first["result"]["resultType"], "input_required") << first;
  EXPECT_EQ(first["result"]["inputRequests"]["q"]["method"], "elicitation/create");
  std::string state = first["result"]["requestState"];
  Json retry = Request(2, "tools/call",
                       {{"name", "ask"}, {"_meta", meta}, {"requestState", state},
                        {"inputResponses", {{"q", {{"action", "accept"}, {"content", {{"name", "Lin"}}}}}}}});
  EXPECT_EQ(retry["result"]["resultType"], "complete");
  EXPECT_EQ(retry["result"]["content"][0]["text"], "Hello, Lin");
}

TEST_F(ServerFixture, TamperedRequestStateIsRefused) {
  Json meta = ModernMeta({{"elicitation", Json::object()}});
  Json first = Request(1, "tools/call", {{"name", "ask"}, {"_meta", meta}});
  std::string state = first["result"]["requestState"];
  state[state.size() / 3] = state[state.size() / 3] == 'A' ? 'B' : 'A';
  Json r = Request(2, "tools/call", {{"name", "ask"}, {"_meta", meta}, {"requestState", state},
                                     {"inputResponses", {{"q", {{"action", "decline"}}}}}});
  EXPECT_EQ(r["error"]["code"], rpc::kInvalidParams) << r;
}

TEST_F(ServerFixture, StateIssuedForOneToolIsRefusedByAnother) {
  Json meta = ModernMeta({{"elicitation", Json::object()}});
  Json first = Request(1, "tools/call", {{"name", "ask"}, {"_meta", meta}});
  Json r = Request(2, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "x"}}}, {"_meta", meta},
                                     {"requestState", first["result"]["requestState"]}});
  EXPECT_EQ(r["error"]["code"], rpc::kInvalidParams);
}

TEST_F(ServerFixture, ModernInputWithoutTheCapabilityIsMissingCapabilityError) {
  Json r = Request(1, "tools/call", {{"name", "ask"}, {"_meta", ModernMeta()}});
  EXPECT_EQ(r["error"]["code"], rpc::kMissingClientCapability) << r;
  EXPECT_EQ(r["error"]["data"]["requiredCapabilities"], Json({{"elicitation", Json::object()}}));
}

TEST_F(ServerFixture, ListenStreamGetsTaggedListChangedAfterAck) {
  Send({{"jsonrpc", "2.0"}, {"id", "L"}, {"method", "subscriptions/listen"},
        {"params", {{"_meta", ModernMeta()}, {"notifications", {{"toolsListChanged", true}}}}}});
  Json ack = Next();
  ASSERT_EQ(ack["method"], "notifications/subscriptions/acknowledged") << ack;
  EXPECT_EQ(ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "L");
  EXPECT_EQ(ack["params"]["notifications"], Json({{"toolsListChanged", true}}));
  ASSERT_TRUE(tools_->Remove("wait").ok());
  Json changed = Next();
  EXPECT_EQ(changed["method"], "notifications/tools/list_changed");
  EXPECT_EQ(changed["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "L");
  // After cancelling the stream nothing more arrives on it.
  Send({{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", "L"}}}});
  Json pong = Request(2, "tools/list", {{"_meta", ModernMeta()}});
  ASSERT_TRUE(pong.contains("result"));
  ASSERT_TRUE(tools_->Remove("ask").ok());
  EXPECT_TRUE(Next(std::chrono::milliseconds(150)).is_null());
}

TEST_F(ServerFixture, LegacySessionHearsListChangedOnlyAfterInitialize) {
  ASSERT_TRUE(tools_->Remove("ask").ok());
  EXPECT_TRUE(Next(std::chrono::milliseconds(100)).is_null());
  Initialize();
  ASSERT_TRUE(tools_->Remove("wait").ok());
  EXPECT_EQ(Next()["method"], "notifications/tools/list_changed");
}

TEST_F(ServerFixture, ObserversSeeEachRequestWithItsOutcome) {
  Initialize();
  Request(1, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "x"}}}});
  Request(2, "tools/call", {{"name", "echo"}, {"arguments", {{"text", 1}}}});
  Request(3, "tools/call", {{"name", "nope"}});
  std::lock_guard<std::mutex> lock(records_mu_);
  ASSERT_EQ(records_.size(), 4u);  // initialize + three calls
  EXPECT_EQ(records_[0].method, "initialize");
  EXPECT_EQ(records_[1].target, "echo");
  EXPECT_FALSE(records_[1].tool_error);
  EXPECT_TRUE(records_[2].tool_error);
  EXPECT_EQ(records_[3].error_code, rpc::kInvalidParams);
  EXPECT_EQ(records_[3].era, Era::kLegacy);
}

TEST_F(ServerFixture, MethodsThatNeedParamsSayWhenTheyAreMissing) {
  Initialize();
  Json r = Request(1, "tools/call", nullptr);
  EXPECT_EQ(r["error"]["code"], rpc::kInvalidParams);
}

TEST_F(ServerFixture, NonblockingToolsCannotAskForInput) {
  Initialize({{"roots", Json::object()}});
  Json r = Request(1, "tools/call", {{"name", "fast_ask"}});
  EXPECT_EQ(r["result"]["isError"], true) << r;
  EXPECT_NE(r["result"]["content"][0]["text"].get<std::string>().find("nonblocking"), std::string::npos);
  EXPECT_TRUE(Next(std::chrono::milliseconds(100)).is_null()) << "no request may reach the client";
}

TEST_F(ServerFixture, SealedStateVerifiesOnlyForThisProcessKey) {
  std::string sealed = server_->SealState({{"x", 1}});
  EXPECT_EQ((*server_->UnsealState(sealed))["x"], 1);
  Server other(ServerOptions{}, *tools_, resources_, prompts_);
  EXPECT_EQ(other.UnsealState(sealed).status().code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(server_->UnsealState("no-dot").ok());
}

}  // namespace
}  // namespace weft::mcp
