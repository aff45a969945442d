// HttpConnection against a fake Streamable HTTP server: the headers of each
// era, replies as JSON and as event streams, synthesized errors, cancellation
// and Close().
#include "mcp/client/http_connection.h"

#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/base/base64.h"
#include "mcp/client/client.h"
#include "tests/mcp/client/fake_http_server.h"

namespace weft::mcp {
namespace {

using ::testing::HasSubstr;
using testing::FakeHttpServer;
using Recorded = FakeHttpServer::Recorded;

const char* const kInitialize =
    R"({"id":1,"jsonrpc":"2.0","method":"initialize","params":{"capabilities":{},)"
    R"("clientInfo":{"name":"test","version":"1"},"protocolVersion":"2025-11-25"}})";
const char* const kInitialized = R"({"jsonrpc":"2.0","method":"notifications/initialized"})";

Json ModernMeta() {
  return {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
          {"io.modelcontextprotocol/clientCapabilities", Json::object()}};
}

std::string Request(int id, const std::string& method, Json params, bool modern) {
  if (modern) params["_meta"].update(ModernMeta());
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}.dump();
}

std::string ToolCall(int id, const std::string& name, Json arguments, bool modern, Json meta = Json::object()) {
  return Request(id, "tools/call", {{"name", name}, {"arguments", std::move(arguments)}, {"_meta", std::move(meta)}},
                 modern);
}

Json Progress(const Json& token, int n) {
  return {{"jsonrpc", "2.0"},
          {"method", "notifications/progress"},
          {"params", {{"progressToken", token}, {"progress", n}, {"total", 2}}}};
}

Json Text(int id, const std::string& text, bool modern) {
  Json result = {{"content", {{{"type", "text"}, {"text", text}}}}};
  if (modern) {
    result["resultType"] = "complete";
    result["_meta"] = {{"io.modelcontextprotocol/serverInfo", {{"name", "fake-http"}, {"version", "1.0"}}}};
  }
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", result}};
}

std::unique_ptr<HttpConnection> Open(const std::string& url, HttpConnectionOptions options = {}) {
  options.url = url;
  Result<std::unique_ptr<HttpConnection>> c = HttpConnection::Open(std::move(options));
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(c).value() : nullptr;
}

// Read(), but a missing frame fails the test instead of hanging it: after
// 10 s the connection is closed, which unblocks Read().
Result<std::string> ReadFrame(HttpConnection& c) {
  auto pending = std::async(std::launch::async, [&c] { return c.Read(); });
  if (pending.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "no frame arrived";
    c.Close();
  }
  return pending.get();
}

Json ReadJson(HttpConnection& c) {
  Result<std::string> frame = ReadFrame(c);
  if (!frame.ok()) {
    ADD_FAILURE() << frame.status();
    return nullptr;
  }
  Json j = Json::parse(*frame, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << *frame;
  return j;
}

void Initialize(HttpConnection& c) {
  ASSERT_TRUE(c.Write(kInitialize).ok());
  Json reply = ReadJson(c);
  ASSERT_EQ(reply["result"]["protocolVersion"], "2025-06-18") << reply;
  ASSERT_TRUE(c.Write(kInitialized).ok());
}

std::vector<Recorded> Posts(const FakeHttpServer& server) {
  std::vector<Recorded> posts;
  for (auto& r : server.requests()) {
    if (r.verb == "POST") posts.push_back(r);
  }
  return posts;
}

std::function<bool(const Recorded&)> PostOf(const std::string& method) {
  return [method](const Recorded& r) { return r.verb == "POST" && r.rpc_method() == method; };
}

TEST(HttpConnection, LegacySessionAndVersionFollowInitialize) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Write(kInitialize).ok());
  Result<std::string> init = ReadFrame(*c);
  ASSERT_TRUE(init.ok()) << init.status();
  Json expected_init = {{"jsonrpc", "2.0"},
                        {"id", 1},
                        {"result",
                         {{"protocolVersion", "2025-06-18"},
                          {"capabilities", {{"tools", Json::object()}}},
                          {"serverInfo", {{"name", "fake-http"}, {"version", "1.0"}}}}}};
  EXPECT_EQ(*init, expected_init.dump());
  EXPECT_EQ(c->session_id(), "session-1");

  ASSERT_TRUE(c->Write(kInitialized).ok());
  ASSERT_TRUE(c->Write(Request(2, "tools/list", Json::object(), false)).ok());
  // The notification's 202 put nothing in the queue: the next frame is the reply.
  Json list = ReadJson(*c);
  EXPECT_EQ(list["id"], 2);
  EXPECT_EQ(list["result"]["tools"].size(), 4u);

  std::vector<Recorded> posts = Posts(server);
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].rpc_method(), "initialize");
  EXPECT_FALSE(posts[0].has("Mcp-Session-Id"));
  EXPECT_FALSE(posts[0].has("MCP-Protocol-Version"));
  EXPECT_EQ(posts[1].rpc_method(), "notifications/initialized");
  EXPECT_EQ(posts[1].status, 202);
  EXPECT_EQ(posts[2].rpc_method(), "tools/list");
  for (const auto& p : posts) {
    EXPECT_EQ(p.header("Content-Type"), "application/json");
    EXPECT_EQ(p.header("Accept"), "application/json, text/event-stream");
    EXPECT_FALSE(p.has("Authorization"));
    EXPECT_FALSE(p.has("Mcp-Method"));
  }
  for (size_t i = 1; i < posts.size(); ++i) {
    EXPECT_EQ(posts[i].header("Mcp-Session-Id"), "session-1");
    EXPECT_EQ(posts[i].header("MCP-Protocol-Version"), "2025-06-18");
  }
  // The GET stream is tried after initialized; this server has none (405).
  auto get = server.WaitFor([](const Recorded& r) { return r.verb == "GET"; });
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->header("Mcp-Session-Id"), "session-1");
  EXPECT_EQ(get->header("Accept"), "text/event-stream");

  c->Close();
  auto del = server.WaitFor([](const Recorded& r) { return r.verb == "DELETE"; });
  ASSERT_TRUE(del);
  EXPECT_EQ(del->header("Mcp-Session-Id"), "session-1");
  EXPECT_EQ(del->status, 200);
}

TEST(HttpConnection, AnEventStreamIsReadAsItArrives) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  Initialize(*c);
  ASSERT_TRUE(c->Write(ToolCall(3, "progress", {{"gate", true}}, false, {{"progressToken", "tok"}})).ok());
  // The reply is held back until both progress notifications were read here.
  Result<std::string> first = ReadFrame(*c);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, Progress("tok", 1).dump());
  Result<std::string> second = ReadFrame(*c);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, Progress("tok", 2).dump());
  server.Release();
  Result<std::string> reply = ReadFrame(*c);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(*reply, Text(3, "done", false).dump());
  EXPECT_TRUE(server.released_in_time());
}

TEST(HttpConnection, ModernRequestsCarryTheirHeadersAndNoSession) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  Initialize(*c);  // a legacy session exists; modern requests must not use it
  ASSERT_TRUE(c->Write(Request(10, "tools/list", Json::object(), true)).ok());
  Json list = ReadJson(*c);
  EXPECT_EQ(list["result"]["resultType"], "complete");

  // tools/list declared echo's `region` as x-mcp-header "Region".
  ASSERT_TRUE(c->Write(ToolCall(11, "echo", {{"text", "hi"}, {"region", " eu-wést"}}, true)).ok());
  Result<std::string> echo = ReadFrame(*c);
  ASSERT_TRUE(echo.ok()) << echo.status();
  EXPECT_EQ(*echo, Text(11, "hi", true).dump());
  ASSERT_TRUE(c->Write(ToolCall(12, "naïve tool", Json::object(), true)).ok());
  Json unknown = ReadJson(*c);
  EXPECT_EQ(unknown["error"]["code"], -32602);

  auto call = server.WaitFor([](const Recorded& r) { return r.body.find("\"id\":11") != std::string::npos; });
  ASSERT_TRUE(call);
  EXPECT_EQ(call->header("MCP-Protocol-Version"), "2026-07-28");
  EXPECT_EQ(call->header("Mcp-Method"), "tools/call");
  EXPECT_EQ(call->header("Mcp-Name"), "echo");
  EXPECT_EQ(call->header("Mcp-Param-Region"), "=?base64?" + Base64Encode(" eu-wést") + "?=");
  EXPECT_FALSE(call->has("Mcp-Session-Id"));
  auto naive = server.WaitFor([](const Recorded& r) { return r.body.find("\"id\":12") != std::string::npos; });
  ASSERT_TRUE(naive);
  EXPECT_EQ(naive->header("Mcp-Name"), "=?base64?" + Base64Encode("naïve tool") + "?=");
  EXPECT_EQ(naive->header("Mcp-Name", /*decode=*/true), "naïve tool");
  auto listed = server.WaitFor([](const Recorded& r) { return r.body.find("\"id\":10") != std::string::npos; });
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->header("Mcp-Method"), "tools/list");
  EXPECT_FALSE(listed->has("Mcp-Name"));
}

constexpr int kNoHttpStatus = 0;   // the error must carry no httpStatus
constexpr int kAnyHttpStatus = -1;  // not checked

// `reply` is the transport error the connection made up for request `id`:
// its message contains `message_part`; data.httpStatus is `http_status`.
void ExpectTransportError(const Json& reply, int id, const std::string& message_part, int http_status) {
  EXPECT_EQ(reply["id"], id);
  EXPECT_EQ(reply["error"]["code"], kTransportErrorCode);
  EXPECT_THAT(reply["error"]["message"].get<std::string>(), HasSubstr(message_part));
  if (http_status == kNoHttpStatus) {
    EXPECT_FALSE(reply["error"]["data"].contains("httpStatus"));
  } else if (http_status != kAnyHttpStatus) {
    EXPECT_EQ(reply["error"]["data"]["httpStatus"], http_status);
  }
}

TEST(HttpConnection, MissingOrWrongTokenIsATransportError) {
  FakeHttpServer server([] {
    testing::FakeHttpServer::Options o;
    o.token = "s3cret";
    return o;
  }());
  HttpConnectionOptions options;
  options.token_hint = "pass --token TOKEN";
  auto anonymous = Open(server.url(), options);
  ASSERT_TRUE(anonymous);
  ASSERT_TRUE(anonymous->Write(kInitialize).ok());
  Json refused = ReadJson(*anonymous);
  EXPECT_EQ(refused["id"], 1);
  EXPECT_EQ(refused["error"]["code"], kTransportErrorCode);
  EXPECT_EQ(refused["error"]["message"],
            "HTTP 401 Unauthorized: the server requires a bearer token: pass --token TOKEN");
  EXPECT_EQ(refused["error"]["data"]["httpStatus"], 401);
  EXPECT_EQ(refused["error"]["data"]["url"], server.url());
  EXPECT_TRUE(IsTransportError(RpcError{refused["error"]["code"], "", refused["error"]["data"]}));

  options.bearer_token = "wrong";
  auto wrong = Open(server.url(), options);
  ASSERT_TRUE(wrong);
  ASSERT_TRUE(wrong->Write(kInitialize).ok());
  EXPECT_THAT(ReadJson(*wrong)["error"]["message"].get<std::string>(),
              HasSubstr("HTTP 401 Unauthorized: the server refused the credentials"));

  options.bearer_token = "s3cret";
  auto good = Open(server.url(), options);
  ASSERT_TRUE(good);
  Initialize(*good);
  auto init = server.WaitFor([](const Recorded& r) { return r.status == 200 && r.rpc_method() == "initialize"; });
  ASSERT_TRUE(init);
  EXPECT_EQ(init->header("Authorization"), "Bearer s3cret");
}

TEST(HttpConnection, ExtraHeadersAreSentAndA403IsATransportError) {
  FakeHttpServer server;
  HttpConnectionOptions options;
  options.headers = {{"Origin", "http://localhost"}, {"X-Trace", "t1"}};
  auto allowed = Open(server.url(), options);
  ASSERT_TRUE(allowed);
  Initialize(*allowed);
  auto init = server.WaitFor(PostOf("initialize"));
  ASSERT_TRUE(init);
  EXPECT_EQ(init->header("Origin"), "http://localhost");
  EXPECT_EQ(init->header("X-Trace"), "t1");

  options.headers = {{"Origin", "http://evil.example"}};
  auto refused = Open(server.url(), options);
  ASSERT_TRUE(refused);
  ASSERT_TRUE(refused->Write(kInitialize).ok());
  Json error = ReadJson(*refused);
  ExpectTransportError(error, 1, "HTTP 403 Forbidden: the server refused this client: its Host or Origin header", 403);
  EXPECT_THAT(error["error"]["message"].get<std::string>(),
              HasSubstr("(server: Forbidden: origin http://evil.example)"));
}

TEST(HttpConnection, AnUnknownSessionIsReportedAsExpired) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  Initialize(*c);
  server.WaitFor(PostOf("notifications/initialized"));
  server.ForgetSessions();
  ASSERT_TRUE(c->Write(Request(2, "tools/list", Json::object(), false)).ok());
  ExpectTransportError(ReadJson(*c), 2, "HTTP 404 Not Found: the server no longer knows session session-1", 404);
}

TEST(HttpConnection, AJsonRpcErrorBodyIsPassedOnWithTheRequestId) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  // No initialize: the server answers 400 with an error whose id is null.
  ASSERT_TRUE(c->Write(Request(5, "tools/list", Json::object(), false)).ok());
  Json refused = ReadJson(*c);
  EXPECT_EQ(refused, Json::parse(R"({"jsonrpc":"2.0","id":5,"error":{"code":-32600,
                                  "message":"Bad Request: missing Mcp-Session-Id"}})"));
  // 2026-07-28: an unknown method is HTTP 404 with a JSON-RPC body.
  ASSERT_TRUE(c->Write(Request(6, "nothing/here", Json::object(), true)).ok());
  Json missing = ReadJson(*c);
  EXPECT_EQ(missing["id"], 6);
  EXPECT_EQ(missing["error"]["code"], -32601);
}

TEST(HttpConnection, AnUnreachableServerIsATransportError) {
  int port;
  {
    FakeHttpServer gone;
    port = gone.port();
  }
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/mcp";
  auto c = Open(url);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Write(kInitialize).ok());
  Json error = ReadJson(*c);
  ExpectTransportError(error, 1, "cannot connect to " + url, kNoHttpStatus);
  EXPECT_EQ(error["error"]["message"],
            "cannot connect to " + url + ": nothing is listening there, or the host is unreachable");
}

TEST(HttpConnection, CloseUnblocksReadAndRefusesWrites) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  auto reading = std::async(std::launch::async, [&] { return c->Read(); });
  c->Close();
  Result<std::string> r = reading.get();
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(c->Write(kInitialize).code(), StatusCode::kUnavailable);
  EXPECT_EQ(c->Read().status().code(), StatusCode::kUnavailable);
  c->Close();  // idempotent
}

TEST(HttpConnection, CloseEndsAStreamInFlight) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  Initialize(*c);
  ASSERT_TRUE(c->Write(ToolCall(3, "hold", Json::object(), false)).ok());
  ASSERT_TRUE(server.WaitFor(PostOf("tools/call")));
  auto reading = std::async(std::launch::async, [&] { return c->Read(); });
  c->Close();
  EXPECT_EQ(reading.get().status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(server.WaitHoldEnded());
}

TEST(HttpConnection, RequestsRunConcurrently) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Write(ToolCall(3, "hold", Json::object(), true)).ok());
  ASSERT_TRUE(c->Write(ToolCall(4, "echo", {{"text", "meanwhile"}}, true)).ok());
  Result<std::string> echo = ReadFrame(*c);
  ASSERT_TRUE(echo.ok()) << echo.status();
  EXPECT_EQ(*echo, Text(4, "meanwhile", true).dump());
}

TEST(HttpConnection, WritesBeyondTheLimitAreRefused) {
  FakeHttpServer server;
  HttpConnectionOptions options;
  options.max_requests_in_flight = 2;
  auto c = Open(server.url(), options);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Write(ToolCall(3, "hold", Json::object(), true)).ok());
  ASSERT_TRUE(c->Write(ToolCall(4, "hold", Json::object(), true)).ok());
  EXPECT_EQ(c->Write(ToolCall(5, "echo", {{"text", "x"}}, true)).code(), StatusCode::kResourceExhausted);
  // Notifications are not requests: they still go.
  EXPECT_TRUE(c->Write(R"({"jsonrpc":"2.0","method":"notifications/progress","params":{}})").ok());
  EXPECT_EQ(c->Write("not json").code(), StatusCode::kInvalidArgument);
}

TEST(HttpConnection, ARequestIdInFlightCannotBeReused) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Write(ToolCall(3, "hold", Json::object(), true)).ok());
  EXPECT_EQ(c->Write(ToolCall(3, "echo", Json::object(), true)).code(), StatusCode::kInvalidArgument);
}

TEST(HttpConnection, ModernCancellationClosesTheStreamInsteadOfPosting) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Write(ToolCall(4, "hold", Json::object(), true)).ok());
  ASSERT_TRUE(server.WaitFor(PostOf("tools/call")));
  ASSERT_TRUE(c->Write(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":4}})").ok());
  EXPECT_TRUE(server.WaitHoldEnded());
  // Nothing is reported for the cancelled request; the next frame is the next reply.
  ASSERT_TRUE(c->Write(Request(5, "tools/list", Json::object(), true)).ok());
  EXPECT_EQ(ReadJson(*c)["id"], 5);
  for (const auto& r : server.requests()) EXPECT_NE(r.rpc_method(), "notifications/cancelled");
}

TEST(HttpConnection, LegacyCancellationIsSentThenTheStreamCloses) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  Initialize(*c);
  ASSERT_TRUE(c->Write(ToolCall(3, "hold", Json::object(), false)).ok());
  ASSERT_TRUE(server.WaitFor(PostOf("tools/call")));
  ASSERT_TRUE(c->Write(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}})").ok());
  auto cancel = server.WaitFor(PostOf("notifications/cancelled"));
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->status, 202);
  EXPECT_EQ(cancel->header("Mcp-Session-Id"), "session-1");
  EXPECT_TRUE(server.WaitHoldEnded());
}

TEST(HttpConnection, ALegacyStreamIsResumedWithLastEventId) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  Initialize(*c);
  ASSERT_TRUE(c->Write(ToolCall(3, "drop", Json::object(), false, {{"progressToken", 3}})).ok());
  Result<std::string> progress = ReadFrame(*c);
  ASSERT_TRUE(progress.ok()) << progress.status();
  EXPECT_EQ(*progress, Progress(3, 1).dump());
  Result<std::string> reply = ReadFrame(*c);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(*reply, Text(3, "resumed", false).dump());
  auto resume = server.WaitFor([](const Recorded& r) { return r.verb == "GET" && r.has("Last-Event-ID"); });
  ASSERT_TRUE(resume);
  EXPECT_EQ(resume->header("Last-Event-ID"), "ev-1");
  EXPECT_EQ(resume->header("Mcp-Session-Id"), "session-1");
}

TEST(HttpConnection, AModernStreamEndingWithoutTheReplyIsAnError) {
  FakeHttpServer server;
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Write(ToolCall(7, "drop", Json::object(), true)).ok());
  Json note = ReadJson(*c);
  EXPECT_EQ(note["method"], "notifications/message");
  ExpectTransportError(ReadJson(*c), 7, "the server ended the event stream before replying to tools/call",
                       kAnyHttpStatus);
}

TEST(HttpConnection, TheGetStreamCarriesServerRequestsAndTheClientAnswers) {
  FakeHttpServer server([] {
    testing::FakeHttpServer::Options o;
    o.standalone_stream = true;
    return o;
  }());
  auto c = Open(server.url());
  ASSERT_TRUE(c);
  ClientOptions options;
  options.era = EraMode::kLegacy;
  Client client(*c, options);
  CallResult handshake = client.Connect();
  ASSERT_TRUE(handshake.ok()) << handshake.status();
  EXPECT_EQ(client.protocol_version(), "2025-06-18");
  auto stream = server.WaitFor([](const Recorded& r) { return r.verb == "GET" && r.status == 200; });
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->header("Mcp-Session-Id"), "session-1");
  EXPECT_EQ(stream->header("MCP-Protocol-Version"), "2025-06-18");

  server.SendOnStream(R"({"jsonrpc":"2.0","id":"srv-1","method":"ping"})");
  auto answer = server.WaitFor([](const Recorded& r) {
    Json body = Json::parse(r.body, nullptr, false);
    return r.verb == "POST" && body.is_object() && body.value("id", Json()) == "srv-1";
  });
  ASSERT_TRUE(answer);
  EXPECT_EQ(Json::parse(answer->body)["result"], Json::object());
  EXPECT_EQ(answer->status, 202);
  EXPECT_EQ(answer->header("Mcp-Session-Id"), "session-1");
  client.Close();
  EXPECT_TRUE(server.WaitFor([](const Recorded& r) { return r.verb == "DELETE"; }));
}

TEST(HttpConnection, TheClientSeesProgressBeforeTheResultInBothEras) {
  for (EraMode era : {EraMode::kLegacy, EraMode::kModern}) {
    SCOPED_TRACE(std::string(EraModeName(era)));
    FakeHttpServer server;
    auto c = Open(server.url());
    ASSERT_TRUE(c);
    ClientOptions options;
    options.era = era;
    Client client(*c, options);
    ASSERT_TRUE(client.Connect().ok());
    std::vector<Json> progress;
    CallOptions call;
    call.on_progress = [&](const Json& p) {
      progress.push_back(p);
      if (progress.size() == 2) server.Release();
    };
    CallResult r = client.CallTool("progress", {{"gate", true}}, call);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ((*r)["content"][0]["text"], "done");
    ASSERT_EQ(progress.size(), 2u);
    EXPECT_EQ(progress[0]["progress"], 1);
    EXPECT_EQ(progress[1]["progress"], 2);
    EXPECT_TRUE(server.released_in_time());
    client.Close();
  }
}

TEST(HttpConnection, OpenRefusesBadOptions) {
  HttpConnectionOptions options;
  options.url = "ftp://h/";
  EXPECT_EQ(HttpConnection::Open(options).status().code(), StatusCode::kInvalidArgument);
  options.url = "http://127.0.0.1:1/mcp";
  options.headers = {{"Mcp-Session-Id", "x"}};
  EXPECT_THAT(HttpConnection::Open(options).status().message(), HasSubstr("set by the HTTP transport"));
  options.headers = {{"Authorization", "Bearer a"}};
  options.bearer_token = "b";
  EXPECT_THAT(HttpConnection::Open(options).status().message(), HasSubstr("keep one"));
  options.headers = {{"X-A", "a\nb"}};
  options.bearer_token = "";
  EXPECT_EQ(HttpConnection::Open(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace weft::mcp
