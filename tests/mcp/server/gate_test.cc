// The engine under a Gate (docs/grants.md): tools/list filtered in both eras,
// every tools/call admitted before and after its schema check, refusals as
// isError results with the code in _meta (never structuredContent), every
// tools/call reported once however it ends, resources and prompts checked,
// and the session's grant visible to handlers.
#include "mcp/server/gate.h"

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/base/json.h"
#include "core/grants/grant.h"
#include "mcp/jsonrpc/message.h"
#include "mcp/server/server.h"
#include "mcp/transport/memory_connection.h"

namespace weft::mcp {
namespace {

// A gate whose answers the test sets, recording what the engine asked.
class FakeGate final : public Gate {
 public:
  const grants::Grant* grant() const override { return &grant_; }
  bool ShowsTool(const Tool& tool) const override { return hidden.count(tool.spec.name) == 0; }
  std::optional<Refusal> AdmitTool(const Tool& tool) override {
    std::lock_guard<std::mutex> lock(mu);
    admitted_tools.push_back(tool.spec.name);
    if (refused.count(tool.spec.name)) return Refusal{"permission_denied", "not for you"};
    return std::nullopt;
  }
  std::optional<Refusal> AdmitArguments(const Tool& tool, const Json& args) override {
    std::lock_guard<std::mutex> lock(mu);
    admitted_args.push_back({tool.spec.name, args});
    if (args.value("text", "") == "over budget") return Refusal{"budget_exceeded", "no calls left"};
    return std::nullopt;
  }
  std::optional<Refusal> AdmitResource(const std::string& uri) override {
    if (uri.find("secret") != std::string::npos) return Refusal{"permission_denied", "secret"};
    return std::nullopt;
  }
  bool ShowsResource(const std::string& uri) const override { return uri.find("secret") == std::string::npos; }
  std::optional<Refusal> AdmitPrompt(const std::string&) override {
    if (revoked) return Refusal{"revoked", "the grant was revoked"};
    return std::nullopt;
  }
  void Finished(const ToolCallRecord& record) override {
    std::lock_guard<std::mutex> lock(mu);
    finished.push_back(record);
    finished_args.push_back(record.arguments != nullptr ? *record.arguments : Json());
  }

  std::set<std::string> hidden;
  std::set<std::string> refused;
  std::atomic<bool> revoked{false};
  std::mutex mu;
  std::vector<std::string> admitted_tools;
  std::vector<std::pair<std::string, Json>> admitted_args;
  std::vector<ToolCallRecord> finished;  // `arguments` is not valid after Finished: see finished_args
  std::vector<Json> finished_args;
  grants::Grant grant_ = [] {
    grants::Grant g;
    g.id = "gr_0123456789abcdef";
    return g;
  }();
};

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto schemas = SchemaStore::FromFiles({
        {"test/echo.input.json",
         R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"],"additionalProperties":false})"},
        {"test/echo.output.json", R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"]})"},
        {"test/empty.input.json", R"({"type":"object","additionalProperties":false})"},
    });
    ASSERT_TRUE(schemas.ok()) << schemas.status();
    schemas_ = std::move(schemas).value();
    tools_ = std::make_unique<ToolRegistry>(*schemas_);
    auto echo = [this](RequestContext& ctx, const Json& a) -> Result<Json> {
      ++runs_;
      seen_grant_ = ctx.grant();
      std::string t = a["text"];
      return Json{{"content", {{{"type", "text"}, {"text", t}}}}, {"structuredContent", {{"text", t}}}};
    };
    tools_->AddOrDie({"echo", "Echo", "Echoes text.", "test/echo.input.json", "test/echo.output.json", {}, nullptr,
                      echo});
    tools_->AddOrDie({"hidden", "Hidden", "Hidden by the gate.", "test/empty.input.json", "", {}, nullptr,
                      [this](RequestContext&, const Json&) -> Result<Json> {
                        ++runs_;
                        return Json{{"content", Json::array()}};
                      }});
    tools_->AddOrDie({"wait", "Wait", "Waits until cancelled.", "test/empty.input.json", "", {}, nullptr,
                      [this](RequestContext& ctx, const Json&) -> Result<Json> {
                        started_ = true;
                        while (!ctx.cancelled()) ctx.SleepFor(std::chrono::milliseconds(5));
                        return Json{{"content", Json::array()}};
                      }});
    ResourceSpec open;
    open.uri = "mem://open";
    open.name = "open";
    open.mime_type = "text/plain";
    open.reader = [](RequestContext&, const std::string& uri) -> Result<Json> {
      return Json::array({{{"uri", uri}, {"text", "open"}}});
    };
    ASSERT_TRUE(resources_.Add(open).ok());
    ResourceSpec secret = open;
    secret.uri = "mem://secret";
    secret.name = "secret";
    ASSERT_TRUE(resources_.Add(secret).ok());
    PromptSpec prompt;
    prompt.name = "hello";
    prompt.description = "Says hello.";
    prompt.handler = [](RequestContext&, const Json&) -> Result<Json> {
      return Json{{"messages", Json::array({{{"role", "user"}, {"content", {{"type", "text"}, {"text", "hi"}}}}})}};
    };
    ASSERT_TRUE(prompts_.Add(prompt).ok());
    gate_ = std::make_shared<FakeGate>();
    gate_->hidden = {"hidden"};
    gate_->refused = {"hidden"};
    server_ = std::make_unique<Server>(ServerOptions{}, *tools_, resources_, prompts_);
    auto [c, s] = MemoryConnection::Pair();
    client_ = std::move(c);
    server_end_ = std::move(s);
    thread_ = std::thread([this] { server_->Serve(*server_end_, gate_); });
  }
  void TearDown() override {
    client_->Close();
    if (thread_.joinable()) thread_.join();
  }

  void Send(const Json& j) { ASSERT_TRUE(client_->Write(SerializeJson(j)).ok()); }
  Json Request(int id, const std::string& method, Json params) {
    Send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
    for (;;) {
      auto f = client_->ReadFor(std::chrono::seconds(5));
      if (!f) return Json();
      Json m = Json::parse(*f);
      if (m.contains("id") && m["id"] == id && !m.contains("method")) return m;
    }
  }
  void Initialize() {
    Json r = Request(0, "initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                       {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
    ASSERT_TRUE(r.contains("result")) << r;
    Send({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }
  Json Call(int id, const std::string& name, Json args) {
    return Request(id, "tools/call", {{"name", name}, {"arguments", std::move(args)}});
  }
  // The gate hears of a call after its reply is written: wait for it.
  std::vector<ToolCallRecord> Finished(size_t n) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard<std::mutex> lock(gate_->mu);
        if (gate_->finished.size() >= n) return gate_->finished;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::lock_guard<std::mutex> lock(gate_->mu);
    return gate_->finished;
  }
  static std::vector<std::string> Names(const Json& list) {
    std::vector<std::string> out;
    for (const Json& t : list["result"]["tools"]) out.push_back(t["name"]);
    return out;
  }

  std::unique_ptr<SchemaStore> schemas_;
  std::unique_ptr<ToolRegistry> tools_;
  ResourceRegistry resources_;
  PromptRegistry prompts_;
  std::shared_ptr<FakeGate> gate_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<MemoryConnection> client_, server_end_;
  std::thread thread_;
  std::atomic<int> runs_{0};
  std::atomic<bool> started_{false};
  std::atomic<const grants::Grant*> seen_grant_{nullptr};
};

TEST_F(GateTest, ToolsListIsFilteredInBothEras) {
  Initialize();
  EXPECT_EQ(Names(Request(1, "tools/list", Json::object())), (std::vector<std::string>{"echo", "wait"}));
  Json meta = {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
               {"io.modelcontextprotocol/clientCapabilities", Json::object()},
               {"io.modelcontextprotocol/clientInfo", {{"name", "t"}, {"version", "1"}}}};
  Json modern = Request(2, "tools/list", {{"_meta", meta}});
  EXPECT_EQ(Names(modern), (std::vector<std::string>{"echo", "wait"}));
  // Lists differ by grant: no cache shared between clients may hold them.
  EXPECT_EQ(modern["result"]["cacheScope"], "private");
}

TEST_F(GateTest, ARefusedCallIsAToolErrorWithItsCodeInMeta) {
  Initialize();
  Json r = Call(1, "hidden", Json::object());
  ASSERT_TRUE(r.contains("result")) << r;
  const Json& result = r["result"];
  EXPECT_EQ(result["isError"], true);
  EXPECT_EQ(result["content"][0]["text"], "permission_denied: not for you");
  EXPECT_EQ(result["_meta"]["weft/denial"],
            (Json{{"code", "permission_denied"}, {"tool", "hidden"}, {"reason", "not for you"}}));
  EXPECT_FALSE(result.contains("structuredContent"));
  EXPECT_EQ(runs_.load(), 0);
}

TEST_F(GateTest, ArgumentsAreAdmittedOnlyOnceTheyPassTheSchema) {
  Initialize();
  Json bad = Call(1, "echo", {{"text", 5}});
  EXPECT_EQ(bad["result"]["isError"], true);
  EXPECT_FALSE(bad["result"].contains("_meta"));  // a schema error, not a refusal
  Json over = Call(2, "echo", {{"text", "over budget"}});
  EXPECT_EQ(over["result"]["_meta"]["weft/denial"]["code"], "budget_exceeded");
  Json ok = Call(3, "echo", {{"text", "hi"}});
  EXPECT_EQ(ok["result"]["structuredContent"]["text"], "hi");
  std::lock_guard<std::mutex> lock(gate_->mu);
  EXPECT_EQ(gate_->admitted_tools, (std::vector<std::string>{"echo", "echo", "echo"}));
  ASSERT_EQ(gate_->admitted_args.size(), 2u);  // not the schema-invalid call
  EXPECT_EQ(gate_->admitted_args[1].second, (Json{{"text", "hi"}}));
  EXPECT_EQ(runs_.load(), 1);
}

TEST_F(GateTest, EveryToolsCallIsReportedOnceHoweverItEnds) {
  Initialize();
  Call(1, "echo", {{"text", "hi"}});                // ok
  Call(2, "hidden", Json::object());                 // refused
  Call(3, "echo", {{"text", 5}});                    // schema-invalid
  Call(4, "no_such_tool", Json::object());           // unknown: -32602
  Send({{"jsonrpc", "2.0"}, {"id", 5}, {"method", "tools/call"}, {"params", {{"name", "wait"}}}});
  for (int i = 0; i < 500 && !started_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  Send({{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 5}}}});
  std::vector<ToolCallRecord> done = Finished(5);
  ASSERT_EQ(done.size(), 5u);
  std::map<std::string, ToolCallRecord> by_tool;
  for (const ToolCallRecord& r : done) by_tool[r.tool + (r.tool == "echo" && r.tool_error ? "/bad" : "")] = r;
  EXPECT_TRUE(by_tool["echo"].admitted);
  EXPECT_FALSE(by_tool["echo"].tool_error);
  EXPECT_FALSE(by_tool["echo"].refusal.has_value());
  ASSERT_TRUE(by_tool["hidden"].refusal.has_value());
  EXPECT_EQ(by_tool["hidden"].refusal->code, "permission_denied");
  EXPECT_FALSE(by_tool["hidden"].admitted);
  EXPECT_TRUE(by_tool["hidden"].tool_error);
  EXPECT_FALSE(by_tool["echo/bad"].admitted);
  EXPECT_FALSE(by_tool["echo/bad"].refusal.has_value());
  EXPECT_EQ(by_tool["no_such_tool"].error_code, -32602);
  EXPECT_TRUE(by_tool["wait"].cancelled);
  std::lock_guard<std::mutex> lock(gate_->mu);
  EXPECT_EQ(gate_->finished_args[0], (Json{{"text", "hi"}}));
}

TEST_F(GateTest, ResourcesAndPromptsAreChecked) {
  Initialize();
  Json list = Request(1, "resources/list", Json::object());
  ASSERT_EQ(list["result"]["resources"].size(), 1u) << list;
  EXPECT_EQ(list["result"]["resources"][0]["uri"], "mem://open");
  Json open = Request(2, "resources/read", {{"uri", "mem://open"}});
  EXPECT_EQ(open["result"]["contents"][0]["text"], "open");
  Json secret = Request(3, "resources/read", {{"uri", "mem://secret"}});
  EXPECT_EQ(secret["error"]["code"], -32602);
  EXPECT_EQ(secret["error"]["data"]["code"], "permission_denied");
  EXPECT_EQ(secret["error"]["message"], "permission_denied: secret");
  Json subscribe = Request(4, "resources/subscribe", {{"uri", "mem://secret"}});
  EXPECT_EQ(subscribe["error"]["data"]["code"], "permission_denied");
  EXPECT_TRUE(Request(5, "prompts/get", {{"name", "hello"}}).contains("result"));
  gate_->revoked = true;
  Json refused = Request(6, "prompts/get", {{"name", "hello"}});
  EXPECT_EQ(refused["error"]["data"]["code"], "revoked");
}

TEST_F(GateTest, HandlersSeeTheSessionsGrant) {
  Initialize();
  Call(1, "echo", {{"text", "hi"}});
  ASSERT_NE(seen_grant_.load(), nullptr);
  EXPECT_EQ(seen_grant_.load()->id, "gr_0123456789abcdef");
}

}  // namespace
}  // namespace weft::mcp
