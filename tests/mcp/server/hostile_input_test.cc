// Property test: thousands of well-formed requests with randomly typed params
// against every method, in both eras. Each request must get exactly one
// answer (a result or a JSON-RPC error) and the server must keep serving.
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "mcp/fixture/conformance_fixture.h"
#include "mcp/jsonrpc/message.h"
#include "mcp/server/server.h"
#include "mcp/transport/memory_connection.h"

namespace weft::mcp {
namespace {

const char* const kMethods[] = {"initialize", "ping", "logging/setLevel", "resources/subscribe",
                                "resources/unsubscribe", "server/discover", "subscriptions/listen",
                                "tools/list", "tools/call", "resources/list", "resources/templates/list",
                                "resources/read", "prompts/list", "prompts/get", "completion/complete",
                                "no/such/method"};
const char* const kKeys[] = {"name", "arguments", "uri", "cursor", "level", "protocolVersion", "capabilities",
                             "clientInfo", "ref", "argument", "context", "notifications", "requestState",
                             "inputResponses", "_meta"};
const char* const kNames[] = {"test_simple_text", "test_error_handling", "json_schema_2020_12_tool",
                              "test_prompt_with_arguments", "test://static-text", "test://template/1/data",
                              "ref/prompt", "ref/resource", "debug", "2025-11-25", "2026-07-28"};

class RandomJson {
 public:
  explicit RandomJson(uint32_t seed) : rng_(seed) {}
  int Int(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  Json Value(int depth) {
    switch (Int(depth > 2 ? 6 : 8)) {
      case 0: return nullptr;
      case 1: return Int(2) == 0;
      case 2: return Int(2000) - 1000;
      case 3: return 0.5 * Int(100);
      case 4: return kNames[Int(std::size(kNames))];
      case 5: return std::string(static_cast<size_t>(Int(5)), 'x');
      case 6: {
        Json a = Json::array();
        for (int i = Int(3); i > 0; --i) a.push_back(Value(depth + 1));
        return a;
      }
      default: return Object(depth + 1);
    }
  }

  Json Object(int depth) {
    Json o = Json::object();
    for (int i = Int(4); i > 0; --i) o[kKeys[Int(std::size(kKeys))]] = Value(depth);
    return o;
  }

  Json Params(bool modern) {
    Json p = Object(0);
    if (modern) {
      Json meta = {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                   {"io.modelcontextprotocol/clientCapabilities", Int(2) ? Json::object() : Value(2)}};
      if (Int(3) == 0) meta["io.modelcontextprotocol/logLevel"] = Value(2);
      if (Int(3) == 0) meta["progressToken"] = Value(2);
      p["_meta"] = meta;
    }
    return p;
  }

 private:
  std::mt19937 rng_;
};

TEST(HostileInput, EveryRandomRequestGetsExactlyOneAnswer) {
  ToolRegistry tools;
  ResourceRegistry resources;
  PromptRegistry prompts;
  ConformanceFixtureOptions fo;
  fo.watched_resource_period = std::chrono::milliseconds(0);
  ConformanceFixture fixture(tools, resources, prompts, fo);
  ASSERT_TRUE(fixture.Register().ok());
  Server server(ServerOptions{}, tools, resources, prompts);
  auto [client, server_end] = MemoryConnection::Pair();
  std::thread serving([&, &end = server_end] { server.Serve(*end); });

  RandomJson gen(20261121);
  // A legacy session first, so legacy methods get past the handshake.
  ASSERT_TRUE(client->Write(R"({"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}})").ok());
  for (int id = 0; id < 3000; ++id) {
    bool modern = gen.Int(2) == 0;
    Json req = {{"jsonrpc", "2.0"}, {"id", id}, {"method", kMethods[gen.Int(std::size(kMethods))]}};
    if (gen.Int(8) != 0) req["params"] = gen.Params(modern);
    ASSERT_TRUE(client->Write(SerializeJson(req)).ok());
    // Read until this request's answer (skipping notifications and requests
    // the server makes of the client, which we decline).
    for (;;) {
      auto frame = client->ReadFor(std::chrono::seconds(10));
      ASSERT_TRUE(frame.has_value()) << "no answer to " << req.dump();
      Json msg = Json::parse(*frame, nullptr, false);
      ASSERT_TRUE(msg.is_object()) << *frame;
      if (msg.contains("method") && msg.contains("id")) {
        ASSERT_TRUE(client->Write(SerializeJson({{"jsonrpc", "2.0"}, {"id", msg["id"]},
                                                 {"error", {{"code", -32601}, {"message", "no"}}}})).ok());
        continue;
      }
      if (msg.contains("method")) {
        if (msg["method"] == "notifications/subscriptions/acknowledged") {
          // A listen stream stays open; end it so the id can be reused safely.
          ASSERT_TRUE(client->Write(SerializeJson({{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"},
                                                   {"params", {{"requestId", id}}}})).ok());
          break;
        }
        continue;
      }
      if (msg["id"] == "init") continue;
      ASSERT_EQ(msg["id"], id) << *frame;
      ASSERT_TRUE(msg.contains("result") != msg.contains("error")) << *frame;
      if (msg.contains("error")) {
        EXPECT_NE(msg["error"]["code"], rpc::kInternalError) << "internal error for " << req.dump() << ": " << *frame;
      }
      break;
    }
  }
  client->Close();
  serving.join();
}

}  // namespace
}  // namespace weft::mcp
