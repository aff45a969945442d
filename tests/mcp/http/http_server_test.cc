// The Streamable HTTP server end to end, in process: both eras on /mcp,
// sessions, streams, resumption, security, limits and hostile clients.
#include "mcp/http/http_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "tests/mcp/http/http_test_util.h"

namespace weft::mcp {
namespace {

using namespace std::chrono_literals;
using testing::BodyOf;
using testing::HttpHarness;
using testing::Json;
using testing::kToken;
using testing::ModernHeaders;
using testing::ModernRequest;
using testing::PostHeaders;
using testing::RawConnection;
using testing::RequestText;
using testing::Roundtrip;
using testing::StatusOf;

HttpOptions TestOptions() {
  HttpOptions o;
  o.token = kToken;
  o.token_hint = "/state/http-token";
  o.max_body_bytes = 64 * 1024;
  o.max_streams = 8;
  o.read_timeout = 1s;
  o.modern_ping = 50ms;
  o.legacy_ping = 200ms;
  o.json_window = 200ms;
  return o;
}

Json Parse(const std::string& body) { return Json::parse(body, nullptr, false); }

std::string Header(const std::string& response, const std::string& name) {
  size_t at = response.find("\r\n" + name + ": ");
  if (at == std::string::npos) return {};
  size_t start = at + name.size() + 4;
  return response.substr(start, response.find("\r\n", start) - start);
}

class HttpServerTest : public ::testing::Test {
 protected:
  explicit HttpServerTest(HttpOptions options = TestOptions()) : harness_(std::move(options)) {}

  int port() const { return harness_.port(); }

  // POST /mcp with `headers`; the whole response text.
  std::string Post(const Json& body, const std::map<std::string, std::string>& headers = PostHeaders()) {
    return Roundtrip(port(), RequestText("POST", "/mcp", headers, body.dump()));
  }

  // A legacy session at `version`; its id.
  std::string Initialize(const std::string& version = "2025-11-25") {
    std::string r = Post({{"jsonrpc", "2.0"},
                          {"id", 1},
                          {"method", "initialize"},
                          {"params", {{"protocolVersion", version},
                                      {"capabilities", Json::object()},
                                      {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}});
    EXPECT_EQ(StatusOf(r), 200) << r;
    std::string sid = Header(r, "Mcp-Session-Id");
    EXPECT_EQ(sid.size(), 32u) << r;
    Post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}},
         PostHeaders({{"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", version}}));
    return sid;
  }

  std::map<std::string, std::string> SessionHeaders(const std::string& sid) {
    return PostHeaders({{"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", "2025-11-25"}});
  }

  static Json CallBody(int id, const std::string& tool, Json meta = nullptr) {
    Json params = {{"name", tool}, {"arguments", Json::object()}};
    if (!meta.is_null()) params["_meta"] = std::move(meta);
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"}, {"params", std::move(params)}};
  }

  HttpHarness harness_;
};

TEST_F(HttpServerTest, ServesBothErasOnOneEndpoint) {
  std::string sid = Initialize();
  std::string legacy = Post(CallBody(2, "test_simple_text"), SessionHeaders(sid));
  ASSERT_EQ(StatusOf(legacy), 200) << legacy;
  EXPECT_NE(legacy.find("Content-Type: application/json"), std::string::npos);
  Json reply = Parse(BodyOf(legacy));
  EXPECT_EQ(reply["id"], 2);
  EXPECT_EQ(reply["result"]["content"][0]["text"], "This is a simple text response for testing.");
  EXPECT_FALSE(reply["result"].contains("resultType"));

  std::string modern = Post(ModernRequest(3, "tools/call", {{"name", "test_simple_text"}}),
                            ModernHeaders("tools/call", "test_simple_text"));
  ASSERT_EQ(StatusOf(modern), 200) << modern;
  EXPECT_EQ(Header(modern, "Mcp-Session-Id"), "");
  reply = Parse(BodyOf(modern));
  EXPECT_EQ(reply["result"]["resultType"], "complete");
  EXPECT_EQ(reply["result"]["content"][0]["text"], "This is a simple text response for testing.");
}

TEST_F(HttpServerTest, ProgressStreamsAsSseBeforeTheResult) {
  RawConnection c(port());
  Json body = ModernRequest(7, "tools/call", {{"name", "test_tool_with_progress"}, {"arguments", Json::object()}});
  body["params"]["_meta"]["progressToken"] = "tok";
  ASSERT_TRUE(c.Send(RequestText("POST", "/mcp", ModernHeaders("tools/call", "test_tool_with_progress"), body.dump())));
  ASSERT_TRUE(c.ReadResponse()) << c.received();
  const std::string& r = c.received();
  EXPECT_EQ(StatusOf(r), 200);
  EXPECT_NE(r.find("Content-Type: text/event-stream"), std::string::npos) << r;
  EXPECT_NE(r.find("X-Accel-Buffering: no"), std::string::npos) << r;
  size_t p0 = r.find("\"progress\":0");
  size_t p100 = r.find("\"progress\":100");
  size_t result = r.find("\"id\":7");
  ASSERT_NE(p0, std::string::npos) << r;
  ASSERT_NE(p100, std::string::npos) << r;
  ASSERT_NE(result, std::string::npos) << r;
  EXPECT_LT(p0, p100);
  EXPECT_LT(p100, result);
  EXPECT_EQ(r.find("\nid: "), std::string::npos) << "2026-07-28 streams are not resumable: no event ids";
}

TEST_F(HttpServerTest, LegacySessionLifecycle) {
  Json list = {{"jsonrpc", "2.0"}, {"id", 5}, {"method", "tools/list"}};
  std::string r = Post(list);
  EXPECT_EQ(StatusOf(r), 400) << r;
  EXPECT_NE(BodyOf(r).find("Mcp-Session-Id"), std::string::npos) << r;
  EXPECT_EQ(Parse(BodyOf(r))["id"], 5);

  r = Post(list, SessionHeaders("0123456789abcdef0123456789abcdef"));
  EXPECT_EQ(StatusOf(r), 404) << r;

  std::string sid = Initialize();
  r = Post(list, SessionHeaders(sid));
  EXPECT_EQ(StatusOf(r), 200) << r;
  r = Post(list, PostHeaders({{"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", "1999-01-01"}}));
  EXPECT_EQ(StatusOf(r), 400) << r;
  r = Post(list, PostHeaders({{"Mcp-Session-Id", sid}}));  // no version header: 2025-03-26 assumed
  EXPECT_EQ(StatusOf(r), 200) << r;

  r = Roundtrip(port(), RequestText("DELETE", "/mcp", SessionHeaders(sid)));
  EXPECT_EQ(StatusOf(r), 200) << r;
  r = Post(list, SessionHeaders(sid));
  EXPECT_EQ(StatusOf(r), 404) << r;
  r = Roundtrip(port(), RequestText("DELETE", "/mcp", SessionHeaders(sid)));
  EXPECT_EQ(StatusOf(r), 404) << r;
}

TEST_F(HttpServerTest, ModernEraRefusesGetAndDeleteAndUnknownMethods) {
  auto modern_get = PostHeaders({{"MCP-Protocol-Version", "2026-07-28"}});
  std::string r = Roundtrip(port(), RequestText("GET", "/mcp", modern_get));
  EXPECT_EQ(StatusOf(r), 405) << r;
  EXPECT_EQ(Header(r, "Allow"), "POST");
  r = Roundtrip(port(), RequestText("DELETE", "/mcp", modern_get));
  EXPECT_EQ(StatusOf(r), 405) << r;

  r = Post(ModernRequest(9, "no/such/method"), ModernHeaders("no/such/method"));
  EXPECT_EQ(StatusOf(r), 404) << r;
  EXPECT_EQ(Parse(BodyOf(r))["error"]["code"], -32601);
  r = Post(ModernRequest(9, "ping"), ModernHeaders("ping"));
  EXPECT_EQ(StatusOf(r), 404) << r;
  r = Post(ModernRequest(9, "initialize"), ModernHeaders("initialize"));
  EXPECT_EQ(StatusOf(r), 404) << r;
  EXPECT_EQ(Parse(BodyOf(r))["id"], 9);

  r = Post({{"jsonrpc", "2.0"}, {"id", 3}, {"result", Json::object()}}, ModernHeaders("x"));
  EXPECT_EQ(StatusOf(r), 400) << r;
  r = Post({{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", ModernRequest(0, "x")["params"]}},
           ModernHeaders("notifications/cancelled"));
  EXPECT_EQ(StatusOf(r), 202) << r;
}

TEST_F(HttpServerTest, HeaderBodyMismatchIs400WithHeaderMismatch) {
  std::string r = Post(ModernRequest(4, "tools/call", {{"name", "test_simple_text"}}),
                       ModernHeaders("tools/call", "test_error_handling"));
  EXPECT_EQ(StatusOf(r), 400) << r;
  Json reply = Parse(BodyOf(r));
  EXPECT_EQ(reply["error"]["code"], -32020);
  EXPECT_EQ(reply["id"], 4);
  r = Post(ModernRequest(4, "tools/list"), ModernHeaders("tools/call"));
  EXPECT_EQ(Parse(BodyOf(r))["error"]["code"], -32020);
  auto no_version = ModernHeaders("tools/list");
  no_version.erase("MCP-Protocol-Version");
  r = Post(ModernRequest(4, "tools/list"), no_version);
  EXPECT_EQ(StatusOf(r), 400) << r;
  EXPECT_EQ(Parse(BodyOf(r))["error"]["code"], -32020);
}

TEST_F(HttpServerTest, StandaloneStreamCarriesListChangesAndResumes) {
  std::string sid = Initialize();
  auto get_headers = SessionHeaders(sid);
  RawConnection stream(port());
  ASSERT_TRUE(stream.Send(RequestText("GET", "/mcp", get_headers)));
  ASSERT_TRUE(stream.ReadUntil("text/event-stream")) << stream.received();
  std::string second_get = Roundtrip(port(), RequestText("GET", "/mcp", get_headers));
  EXPECT_EQ(StatusOf(second_get), 409) << second_get;

  ASSERT_EQ(StatusOf(Post(CallBody(2, "test_trigger_tool_change"), SessionHeaders(sid))), 200);
  ASSERT_TRUE(stream.ReadUntil("notifications/tools/list_changed")) << stream.received();
  size_t id_at = stream.received().rfind("id: 0-");
  ASSERT_NE(id_at, std::string::npos) << stream.received();
  std::string last_id = stream.received().substr(id_at + 4, stream.received().find('\n', id_at) - id_at - 4);
  stream.Close();

  // While no stream is open, the next change waits for the client.
  ASSERT_EQ(StatusOf(Post(CallBody(3, "test_trigger_tool_change"), SessionHeaders(sid))), 200);
  auto resume = get_headers;
  resume["Last-Event-ID"] = last_id;
  RawConnection again(port());
  bool sent = false;
  for (int i = 0; i < 100 && !sent; ++i) {  // the old stream's release is asynchronous
    RawConnection probe(port());
    probe.Send(RequestText("GET", "/mcp", resume));
    probe.ReadUntil("\r\n\r\n", 2s);
    if (StatusOf(probe.received()) == 200) {
      ASSERT_TRUE(probe.ReadUntil("notifications/tools/list_changed")) << probe.received();
      EXPECT_EQ(probe.received().find("id: " + last_id + "\n"), std::string::npos) << "replayed an old event";
      sent = true;
    } else {
      std::this_thread::sleep_for(20ms);
    }
  }
  EXPECT_TRUE(sent);
}

TEST_F(HttpServerTest, BrokenPostStreamResumesWithLastEventId) {
  std::string sid = Initialize();
  RawConnection c(port());
  ASSERT_TRUE(c.Send(RequestText("POST", "/mcp", SessionHeaders(sid),
                                 CallBody(8, "test_tool_with_progress", {{"progressToken", 1}}).dump())));
  ASSERT_TRUE(c.ReadUntil("\"progress\":0")) << c.received();
  size_t id_at = c.received().find("id: ");
  ASSERT_NE(id_at, std::string::npos) << c.received();
  std::string first_id = c.received().substr(id_at + 4, c.received().find('\n', id_at) - id_at - 4);
  c.Close();  // a legacy disconnect is not a cancellation

  auto resume = SessionHeaders(sid);
  resume["Last-Event-ID"] = first_id;
  std::string rest;
  for (int i = 0; i < 100; ++i) {
    RawConnection g(port());
    g.Send(RequestText("GET", "/mcp", resume));
    g.ReadUntil("\r\n\r\n", 5s);
    if (StatusOf(g.received()) == 200) {  // 409 while the broken stream is still being released
      g.ReadUntil("\"id\":8", 5s);
      rest = g.received();
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(rest.find("\"progress\":0,"), std::string::npos) << rest;
  EXPECT_NE(rest.find("\"progress\":100"), std::string::npos) << rest;
  EXPECT_NE(rest.find("Reported progress 0, 50 and 100 of 100"), std::string::npos) << rest;
}

TEST_F(HttpServerTest, ListenStreamGetsTaggedChanges) {
  RawConnection listen(port());
  Json body = ModernRequest(11, "subscriptions/listen", {{"notifications", {{"toolsListChanged", true}}}});
  ASSERT_TRUE(listen.Send(RequestText("POST", "/mcp", ModernHeaders("subscriptions/listen"), body.dump())));
  ASSERT_TRUE(listen.ReadUntil("notifications/subscriptions/acknowledged")) << listen.received();
  std::string r = Post(ModernRequest(12, "tools/call", {{"name", "test_trigger_tool_change"}}),
                       ModernHeaders("tools/call", "test_trigger_tool_change"));
  ASSERT_EQ(StatusOf(r), 200) << r;
  ASSERT_TRUE(listen.ReadUntil("notifications/tools/list_changed")) << listen.received();
  EXPECT_NE(listen.received().find("\"io.modelcontextprotocol/subscriptionId\":11"), std::string::npos)
      << listen.received();
}

TEST_F(HttpServerTest, ClosingAModernStreamCancelsItsRequest) {
  {
    RawConnection c(port());
    ASSERT_TRUE(c.Send(RequestText("POST", "/mcp", ModernHeaders("tools/call", "test_block"),
                                   ModernRequest(1, "tools/call", {{"name", "test_block"}}).dump())));
    for (int i = 0; i < 1000 && harness_.block_started() == 0; ++i) std::this_thread::sleep_for(5ms);
    ASSERT_EQ(harness_.block_started(), 1);
    ASSERT_TRUE(c.ReadUntil("text/event-stream")) << c.received();  // past the JSON window: a stream
  }
  for (int i = 0; i < 1000 && harness_.block_cancelled() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(harness_.block_cancelled(), 1);
  EXPECT_EQ(StatusOf(Roundtrip(port(), RequestText("GET", "/healthz", {}))), 200);
}

TEST_F(HttpServerTest, BadRequestsGetClearStatusesAndErrors) {
  Json list = ModernRequest(1, "tools/list");
  auto headers = ModernHeaders("tools/list");

  auto wrong_type = headers;
  wrong_type["Content-Type"] = "text/plain";
  std::string r = Post(list, wrong_type);
  EXPECT_EQ(StatusOf(r), 415) << r;
  EXPECT_EQ(Parse(BodyOf(r))["error"]["code"], -32600);

  auto no_accept = headers;
  no_accept.erase("Accept");
  EXPECT_EQ(StatusOf(Post(list, no_accept)), 406);
  no_accept["Accept"] = "application/json";
  EXPECT_EQ(StatusOf(Post(list, no_accept)), 406);

  r = Roundtrip(port(), RequestText("POST", "/mcp", headers, "{\"jsonrpc\": \"2.0\", \"id\": 1, "));
  EXPECT_EQ(StatusOf(r), 400) << r;
  EXPECT_EQ(Parse(BodyOf(r))["error"]["code"], -32700);

  r = Roundtrip(port(), RequestText("POST", "/mcp", headers, "[" + list.dump() + "]"));
  EXPECT_EQ(StatusOf(r), 400) << r;
  EXPECT_EQ(Parse(BodyOf(r))["error"]["code"], -32600);

  r = Roundtrip(port(), RequestText("POST", "/mcp", headers, std::string(100 * 1024, ' ')));
  EXPECT_EQ(StatusOf(r), 413) << r.substr(0, 300);
  EXPECT_NE(BodyOf(r).find("Payload Too Large"), std::string::npos) << r.substr(0, 300);

  auto many = headers;
  for (int i = 0; i < 200; ++i) many["X-Filler-" + std::to_string(i)] = "x";
  r = Post(list, many);
  EXPECT_EQ(StatusOf(r), 431) << r;
  EXPECT_NE(BodyOf(r).find("the limit is 100"), std::string::npos) << r;
  r = Roundtrip(port(), "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 414) << r;
  r = Roundtrip(port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 400) << r;
  EXPECT_NE(BodyOf(r).find("8 KiB"), std::string::npos) << r;

  r = Roundtrip(port(), RequestText("PUT", "/mcp", headers, "{}"));
  EXPECT_EQ(StatusOf(r), 405) << r;
  r = Roundtrip(port(), RequestText("GET", "/nowhere", {}));
  EXPECT_EQ(StatusOf(r), 404) << r;
  EXPECT_NE(BodyOf(r).find("/mcp"), std::string::npos) << r;

  // The server is still fine.
  EXPECT_EQ(StatusOf(Post(list, headers)), 200);
}

TEST_F(HttpServerTest, BatchesOnlyInsideA20250326Session) {
  Json a = {{"jsonrpc", "2.0"}, {"id", 21}, {"method", "tools/list"}};
  Json b = {{"jsonrpc", "2.0"}, {"id", 22}, {"method", "ping"}};
  std::string new_sid = Initialize("2025-11-25");
  std::string r = Post(Json::array({a, b}), SessionHeaders(new_sid));
  EXPECT_EQ(StatusOf(r), 200) << r;
  EXPECT_EQ(Parse(BodyOf(r))["error"]["code"], -32600) << r;

  std::string old_sid = Initialize("2025-03-26");
  r = Post(Json::array({a, b}), PostHeaders({{"Mcp-Session-Id", old_sid}, {"MCP-Protocol-Version", "2025-03-26"}}));
  ASSERT_EQ(StatusOf(r), 200) << r;
  Json replies = Parse(BodyOf(r));
  ASSERT_TRUE(replies.is_array()) << r;
  EXPECT_EQ(replies.size(), 2u);
}

TEST_F(HttpServerTest, ForeignOriginAndHostAreForbidden) {
  auto headers = ModernHeaders("tools/list");
  headers["Origin"] = "http://evil.example";
  std::string r = Post(ModernRequest(1, "tools/list"), headers);
  EXPECT_EQ(StatusOf(r), 403) << r;
  EXPECT_EQ(Parse(BodyOf(r))["error"]["code"], -32600);
  headers["Origin"] = "http://localhost:5173";
  EXPECT_EQ(StatusOf(Post(ModernRequest(1, "tools/list"), headers)), 200);
  headers.erase("Origin");
  headers["Host"] = "evil.example:80";
  EXPECT_EQ(StatusOf(Post(ModernRequest(1, "tools/list"), headers)), 403);
}

TEST_F(HttpServerTest, MissingOrWrongTokenIs401WithWwwAuthenticate) {
  auto headers = ModernHeaders("tools/list");
  headers.erase("Authorization");
  std::string r = Post(ModernRequest(1, "tools/list"), headers);
  EXPECT_EQ(StatusOf(r), 401) << r;
  EXPECT_EQ(Header(r, "WWW-Authenticate"), "Bearer realm=\"weft\"");
  EXPECT_NE(BodyOf(r).find("/state/http-token"), std::string::npos) << r;
  EXPECT_EQ(BodyOf(r).find(kToken), std::string::npos);
  headers["Authorization"] = "Bearer not-the-token";
  r = Post(ModernRequest(1, "tools/list"), headers);
  EXPECT_EQ(StatusOf(r), 401) << r;
  EXPECT_NE(Header(r, "WWW-Authenticate").find("invalid_token"), std::string::npos) << r;

  EXPECT_EQ(StatusOf(Roundtrip(port(), RequestText("GET", "/metrics", {}))), 401);
  EXPECT_EQ(StatusOf(Roundtrip(port(), RequestText("GET", "/healthz", {}))), 200);
}

TEST_F(HttpServerTest, MetricsCountRequestsToolCallsSessionsAndStreams) {
  std::string sid = Initialize();
  Post(CallBody(2, "test_simple_text"), SessionHeaders(sid));
  Post(CallBody(3, "test_error_handling"), SessionHeaders(sid));
  std::string r = Roundtrip(port(), RequestText("GET", "/metrics", {{"Authorization", std::string("Bearer ") + kToken}}));
  ASSERT_EQ(StatusOf(r), 200) << r;
  std::string text = BodyOf(r);
  EXPECT_NE(text.find("weft_http_requests_total{http_method=\"POST\",rpc_method=\"tools/call\",status=\"200\"} 2"),
            std::string::npos) << text;
  EXPECT_NE(text.find("weft_mcp_tool_calls_total{tool=\"test_simple_text\",outcome=\"ok\"} 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("weft_mcp_tool_calls_total{tool=\"test_error_handling\",outcome=\"tool_error\"} 1"),
            std::string::npos) << text;
  EXPECT_NE(text.find("weft_http_sessions_open 1"), std::string::npos) << text;
  EXPECT_NE(text.find("weft_http_request_duration_seconds_bucket{le=\"+Inf\"}"), std::string::npos) << text;
}

TEST_F(HttpServerTest, AThousandStreamsHitTheCapAndOthersAreStillServed) {
  std::vector<std::unique_ptr<RawConnection>> open;
  int refused = 0;
  Json body = ModernRequest(1, "subscriptions/listen", {{"notifications", {{"toolsListChanged", true}}}});
  std::string request = RequestText("POST", "/mcp", ModernHeaders("subscriptions/listen"), body.dump());
  for (int i = 0; i < 1000; ++i) {
    auto c = std::make_unique<RawConnection>(port());
    ASSERT_TRUE(c->Send(request));
    ASSERT_TRUE(c->ReadUntil("\r\n\r\n")) << i;
    int status = StatusOf(c->received());
    if (status == 200) {
      open.push_back(std::move(c));
    } else {
      ASSERT_EQ(status, 503) << c->received();
      ASSERT_TRUE(c->ReadResponse());
      EXPECT_NE(BodyOf(c->received()).find("event streams are open"), std::string::npos);
      ++refused;
    }
  }
  EXPECT_EQ(open.size(), 8u);
  EXPECT_EQ(refused, 992);
  EXPECT_EQ(StatusOf(Post(ModernRequest(2, "tools/list"), ModernHeaders("tools/list"))), 200);
  open.clear();  // hang up: the slots come back
  bool reopened = false;
  for (int i = 0; i < 200 && !reopened; ++i) {
    RawConnection c(port());
    c.Send(request);
    c.ReadUntil("\r\n\r\n");
    reopened = StatusOf(c.received()) == 200;
    if (!reopened) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(reopened);
}

TEST_F(HttpServerTest, SlowAndStalledRequestsDoNotStopOthers) {
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 40; ++i) {
    auto c = std::make_unique<RawConnection>(port());
    ASSERT_TRUE(c->Send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le"));
    slow.push_back(std::move(c));
  }
  auto partial_body = std::make_unique<RawConnection>(port());
  ASSERT_TRUE(partial_body->Send(
      RequestText("POST", "/mcp", ModernHeaders("tools/list"), ModernRequest(1, "tools/list").dump()).substr(0, 330)));
  EXPECT_EQ(StatusOf(Post(ModernRequest(2, "tools/list"), ModernHeaders("tools/list"))), 200);
  // Stalled connections are dropped within the keep-alive plus the read
  // timeout (5 s + 1 s here).
  for (auto& c : slow) EXPECT_TRUE(c->WaitForClose(20s));
  EXPECT_TRUE(partial_body->WaitForClose(20s));
  EXPECT_EQ(StatusOf(Post(ModernRequest(3, "tools/list"), ModernHeaders("tools/list"))), 200);
}

TEST_F(HttpServerTest, AClientThatHangsUpMidResponseLeavesTheServerServing) {
  for (int i = 0; i < 20; ++i) {
    RawConnection c(port());
    Json body = ModernRequest(i, "tools/call", {{"name", "test_tool_with_progress"}});
    body["params"]["_meta"]["progressToken"] = i;
    ASSERT_TRUE(c.Send(RequestText("POST", "/mcp", ModernHeaders("tools/call", "test_tool_with_progress"), body.dump())));
    c.ReadUntil("\"progress\":0", 5s);
  }
  std::string r = Post(ModernRequest(99, "tools/call", {{"name", "test_simple_text"}}),
                       ModernHeaders("tools/call", "test_simple_text"));
  EXPECT_EQ(StatusOf(r), 200) << r;
}

class HttpLimitsTest : public HttpServerTest {
 protected:
  static HttpOptions Options() {
    HttpOptions o = TestOptions();
    o.max_sessions = 2;
    o.session_idle_timeout = 1s;
    return o;
  }
  HttpLimitsTest() : HttpServerTest(Options()) {}
};

TEST_F(HttpLimitsTest, SessionCapAndIdleExpiry) {
  std::string a = Initialize();
  std::string b = Initialize();
  Json init = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
               {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                           {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}};
  std::string r = Post(init);
  EXPECT_EQ(StatusOf(r), 503) << r;
  EXPECT_NE(BodyOf(r).find("sessions are open"), std::string::npos) << r;
  // Watch the gauge rather than the sessions: a request would keep them alive.
  bool expired = false;
  for (int i = 0; i < 100 && !expired; ++i) {
    std::this_thread::sleep_for(100ms);
    std::string m = Roundtrip(port(), RequestText("GET", "/metrics", {{"Authorization", std::string("Bearer ") + kToken}}));
    expired = BodyOf(m).find("weft_http_sessions_open 0\n") != std::string::npos;
  }
  EXPECT_TRUE(expired);
  Json list = {{"jsonrpc", "2.0"}, {"id", 5}, {"method", "tools/list"}};
  EXPECT_EQ(StatusOf(Post(list, SessionHeaders(a))), 404);
  EXPECT_EQ(StatusOf(Post(list, SessionHeaders(b))), 404);
  EXPECT_EQ(StatusOf(Post(init)), 200);  // room again
}

class HttpNoAuthTest : public HttpServerTest {
 protected:
  static HttpOptions Options() {
    HttpOptions o = TestOptions();
    o.token.clear();
    return o;
  }
  HttpNoAuthTest() : HttpServerTest(Options()) {}
};

TEST_F(HttpNoAuthTest, NoTokenNeededWhenAuthIsOff) {
  auto headers = ModernHeaders("tools/list");
  headers.erase("Authorization");
  EXPECT_EQ(StatusOf(Post(ModernRequest(1, "tools/list"), headers)), 200);
}

// A gate that shows (and admits) only the tools it names.
class ListGate final : public Gate {
 public:
  explicit ListGate(std::set<std::string> tools) : tools_(std::move(tools)) {}
  const grants::Grant* grant() const override { return nullptr; }
  bool ShowsTool(const Tool& tool) const override { return tools_.count(tool.spec.name) > 0; }
  std::optional<Refusal> AdmitTool(const Tool& tool) override {
    if (ShowsTool(tool)) return std::nullopt;
    return Refusal{"permission_denied", "not in this grant"};
  }
  std::optional<Refusal> AdmitArguments(const Tool&, const Json&) override { return std::nullopt; }
  std::optional<Refusal> AdmitResource(const std::string&) override { return std::nullopt; }
  bool ShowsResource(const std::string&) const override { return true; }
  std::optional<Refusal> AdmitPrompt(const std::string&) override { return std::nullopt; }
  void Finished(const ToolCallRecord&) override {}

 private:
  std::set<std::string> tools_;
};

constexpr char kGrantA[] = "wg_grant-token-a";
constexpr char kGrantB[] = "wg_grant-token-b";

// Bearer tokens besides the owner's stand for grants (docs/grants.md).
class HttpGrantTokensTest : public HttpServerTest {
 protected:
  static HttpOptions Options(std::vector<std::string>* subjects, std::mutex* mu) {
    HttpOptions o = TestOptions();
    o.owner_gate = [subjects, mu](const std::string& subject) -> std::shared_ptr<Gate> {
      std::lock_guard<std::mutex> lock(*mu);
      subjects->push_back("owner " + subject);
      return std::make_shared<ListGate>(std::set<std::string>{"test_simple_text", "test_image_content"});
    };
    o.token_gate = [subjects, mu](const std::string& token, const std::string& subject) -> std::shared_ptr<Gate> {
      if (token != kGrantA && token != kGrantB) return nullptr;
      std::lock_guard<std::mutex> lock(*mu);
      subjects->push_back(token + " " + subject);
      return std::make_shared<ListGate>(std::set<std::string>{"test_simple_text"});
    };
    return o;
  }
  HttpGrantTokensTest() : HttpServerTest(Options(&subjects_, &mu_)) {}

  static std::map<std::string, std::string> WithToken(std::map<std::string, std::string> headers,
                                                      const std::string& token) {
    headers["Authorization"] = "Bearer " + token;
    return headers;
  }
  std::vector<std::string> ToolNames(const std::string& response) {
    std::vector<std::string> names;
    std::string body = BodyOf(response);
    size_t data = body.find("data: ");  // an SSE body holds the JSON after "data: "
    Json j = Parse(data == std::string::npos ? body : body.substr(data + 6));
    for (const Json& t : j["result"]["tools"]) names.push_back(t["name"]);
    return names;
  }

  std::mutex mu_;
  std::vector<std::string> subjects_;
};

TEST_F(HttpGrantTokensTest, AnUnknownTokenIs401AndAGrantTokenIsServedUnderItsGrant) {
  std::string unknown = Post(ModernRequest(1, "tools/list"), WithToken(ModernHeaders("tools/list"), "wg_nope"));
  EXPECT_EQ(StatusOf(unknown), 401) << unknown;
  std::string granted = Post(ModernRequest(2, "tools/list"), WithToken(ModernHeaders("tools/list"), kGrantA));
  EXPECT_EQ(StatusOf(granted), 200) << granted;
  EXPECT_EQ(ToolNames(granted), std::vector<std::string>{"test_simple_text"});
  std::string owner = Post(ModernRequest(3, "tools/list"), ModernHeaders("tools/list"));
  EXPECT_EQ(ToolNames(owner), (std::vector<std::string>{"test_simple_text", "test_image_content"}));
  Json call = ModernRequest(4, "tools/call", {{"name", "test_image_content"}, {"arguments", Json::object()}});
  std::string refused = Post(call, WithToken(ModernHeaders("tools/call", "test_image_content"), kGrantA));
  EXPECT_NE(BodyOf(refused).find("permission_denied: not in this grant"), std::string::npos) << refused;
  // Metrics are the owner's.
  EXPECT_EQ(StatusOf(Roundtrip(port(), RequestText("GET", "/metrics", {{"Authorization",
                                                                        std::string("Bearer ") + kGrantA}}))),
            401);
}

TEST_F(HttpGrantTokensTest, ALegacySessionRunsUnderAndBelongsToTheTokenThatOpenedIt) {
  std::string r = Post({{"jsonrpc", "2.0"},
                        {"id", 1},
                        {"method", "initialize"},
                        {"params", {{"protocolVersion", "2025-11-25"},
                                    {"capabilities", Json::object()},
                                    {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}},
                       WithToken(PostHeaders(), kGrantA));
  ASSERT_EQ(StatusOf(r), 200) << r;
  std::string sid = Header(r, "Mcp-Session-Id");
  Json list = {{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/list"}};
  std::string mine = Post(list, WithToken(SessionHeaders(sid), kGrantA));
  EXPECT_EQ(ToolNames(mine), std::vector<std::string>{"test_simple_text"});
  // Another grant's token, or the owner's, finds no such session.
  EXPECT_EQ(StatusOf(Post(list, WithToken(SessionHeaders(sid), kGrantB))), 404);
  EXPECT_EQ(StatusOf(Post(list, SessionHeaders(sid))), 404);
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_NE(std::find(subjects_.begin(), subjects_.end(), std::string(kGrantA) + " http session " + sid),
            subjects_.end());
}

TEST(HttpServerBind, RefusesNoAuthOffLoopback) {
  ToolRegistry tools;
  ResourceRegistry resources;
  PromptRegistry prompts;
  Server server(ServerOptions{}, tools, resources, prompts);
  HttpOptions o;
  o.host = "0.0.0.0";
  HttpServer http(server, o);
  Status s = http.Bind();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("without a token"), std::string::npos) << s;
}

}  // namespace
}  // namespace weft::mcp
