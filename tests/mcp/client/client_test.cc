// Client against a scripted server: era handshakes, auto fallback, MRTR,
// server→client requests, timeouts, cancellation, pagination, wire problems.
#include "mcp/client/client.h"

#include <atomic>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "mcp/client/child_process.h"
#include "tests/mcp/client/fake_server.h"

namespace weft::mcp {
namespace {

using std::chrono::milliseconds;
using testing::FakeServer;

Json InitializeResult(const std::string& version = "2025-11-25") {
  return {{"protocolVersion", version},
          {"capabilities", {{"tools", Json::object()}}},
          {"serverInfo", {{"name", "fake"}, {"version", "1"}}}};
}

Json DiscoverResult() {
  return {{"resultType", "complete"},
          {"supportedVersions", {"2026-07-28"}},
          {"capabilities", {{"tools", Json::object()}}},
          {"ttlMs", 0},
          {"cacheScope", "public"},
          {"_meta", {{meta::kServerInfo, {{"name", "fake"}, {"version", "2"}}}}}};
}

ClientOptions Options(EraMode era) {
  ClientOptions o;
  o.era = era;
  o.timeout = milliseconds(5000);
  return o;
}

TEST(Client, LegacyHandshakeSendsInitializeThenInitialized) {
  FakeServer server;
  server.On("initialize", FakeServer::Replies(InitializeResult("2025-06-18")));
  server.Start();
  Client client(server.client_end(), Options(EraMode::kLegacy));

  CallResult r = client.Connect();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(client.era(), Era::kLegacy);
  EXPECT_EQ(client.protocol_version(), "2025-06-18");
  EXPECT_EQ(client.server_info()["name"], "fake");
  EXPECT_TRUE(client.server_capabilities().contains("tools"));

  ASSERT_TRUE(server.WaitFor([](const Message& m) { return m.method == "notifications/initialized"; }));
  auto messages = server.received();
  ASSERT_GE(messages.size(), 2u);
  EXPECT_EQ(messages[0].method, "initialize");
  const Json& params = messages[0].params;
  EXPECT_EQ(params["protocolVersion"], "2025-11-25");
  EXPECT_TRUE(params["capabilities"].contains("roots"));
  EXPECT_TRUE(params["capabilities"].contains("elicitation"));
  EXPECT_FALSE(params["capabilities"].contains("sampling"));
  EXPECT_EQ(params["clientInfo"]["name"], "weft-mcp-client");
  EXPECT_EQ(messages[1].method, "notifications/initialized");
  EXPECT_TRUE(server.Requests("server/discover").empty());
}

TEST(Client, LegacyHandshakeRefusesUnsupportedVersion) {
  FakeServer server;
  server.On("initialize", FakeServer::Replies(InitializeResult("1999-01-01")));
  server.Start();
  Client client(server.client_end(), Options(EraMode::kLegacy));
  CallResult r = client.Connect();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("1999-01-01"), std::string::npos);
}

TEST(Client, LegacyHandshakeWithoutVersionIsMalformed) {
  FakeServer server;
  server.On("initialize", FakeServer::Replies({{"capabilities", Json::object()}}));
  server.Start();
  Client client(server.client_end(), Options(EraMode::kLegacy));
  CallResult r = client.Connect();
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
}

TEST(Client, AutoFallsBackToLegacyOnMethodNotFound) {
  FakeServer server;
  server.On("server/discover", FakeServer::Fails(rpc::kMethodNotFound, "Method not found"));
  server.On("initialize", FakeServer::Replies(InitializeResult()));
  server.Start();
  Client client(server.client_end(), Options(EraMode::kAuto));

  CallResult r = client.Connect();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(client.era(), Era::kLegacy);
  EXPECT_EQ(client.handshake_method(), "initialize");
  ASSERT_TRUE(client.probe().has_value());
  ASSERT_TRUE(client.probe()->rpc_error().has_value());
  EXPECT_EQ(client.probe()->rpc_error()->code, rpc::kMethodNotFound);

  auto discover = server.Requests("server/discover");
  ASSERT_EQ(discover.size(), 1u);
  EXPECT_EQ(discover[0].params["_meta"][meta::kProtocolVersion], "2026-07-28");
  EXPECT_EQ(server.Requests("initialize").size(), 1u);
}

TEST(Client, AutoFallsBackOnAnyNonModernError) {
  FakeServer server;
  server.On("server/discover", FakeServer::Fails(-32000, "Server not initialized"));
  server.On("initialize", FakeServer::Replies(InitializeResult()));
  server.Start();
  Client client(server.client_end(), Options(EraMode::kAuto));
  ASSERT_TRUE(client.Connect().ok());
  EXPECT_EQ(client.era(), Era::kLegacy);
}

TEST(Client, AutoFallsBackWhenDiscoverTimesOut) {
  FakeServer server;
  server.On("server/discover", FakeServer::Ignores());
  server.On("initialize", FakeServer::Replies(InitializeResult()));
  server.Start();
  ClientOptions options = Options(EraMode::kAuto);
  options.probe_timeout = milliseconds(100);
  Client client(server.client_end(), options);
  ASSERT_TRUE(client.Connect().ok());
  EXPECT_EQ(client.era(), Era::kLegacy);
  EXPECT_EQ(client.probe()->status().code(), StatusCode::kDeadlineExceeded);
}

TEST(Client, AutoStopsOnUnsupportedVersionWithoutLegacyVersions) {
  FakeServer server;
  server.On("server/discover", FakeServer::Fails(rpc::kUnsupportedVersion, "Unsupported protocol version",
                                                 {{"supported", {"2027-01-01"}}, {"requested", "2026-07-28"}}));
  server.Start();
  Client client(server.client_end(), Options(EraMode::kAuto));
  CallResult r = client.Connect();
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.rpc_error().has_value());
  EXPECT_EQ(r.rpc_error()->code, rpc::kUnsupportedVersion);
  EXPECT_TRUE(server.Requests("initialize").empty());
}

TEST(Client, AutoSelectsModernWhenDiscoverSucceeds) {
  FakeServer server;
  server.On("server/discover", FakeServer::Replies(DiscoverResult()));
  server.On("tools/list", FakeServer::Replies({{"resultType", "complete"}, {"tools", Json::array()}}));
  server.Start();
  Client client(server.client_end(), Options(EraMode::kAuto));

  CallResult r = client.Connect();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(client.era(), Era::kModern);
  EXPECT_EQ(client.protocol_version(), "2026-07-28");
  EXPECT_EQ(client.server_info()["version"], "2");
  ASSERT_TRUE(client.ListTools().ok());
  EXPECT_TRUE(server.Requests("initialize").empty());
  auto list = server.Requests("tools/list");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].params["_meta"][meta::kProtocolVersion], "2026-07-28");
}

TEST(Client, ModernRequestsCarryMetaAndNoHandshake) {
  FakeServer server;
  server.On("tools/call", FakeServer::Replies({{"resultType", "complete"}, {"content", Json::array()}}));
  server.Start();
  ClientOptions options = Options(EraMode::kModern);
  options.log_level = "warning";
  Client client(server.client_end(), options);
  ASSERT_TRUE(client.Connect().ok());

  Json args = {{"x", 1}};
  ASSERT_TRUE(client.CallTool("t", args).ok());
  auto received = server.received();
  ASSERT_EQ(received.size(), 1u);
  const Json& params = received[0].params;
  EXPECT_EQ(params["name"], "t");
  EXPECT_EQ(params["arguments"], args);
  const Json& meta = params["_meta"];
  EXPECT_EQ(meta[meta::kProtocolVersion], "2026-07-28");
  EXPECT_TRUE(meta[meta::kClientCapabilities].is_object());
  EXPECT_EQ(meta[meta::kClientInfo]["name"], "weft-mcp-client");
  EXPECT_EQ(meta[meta::kLogLevel], "warning");
}

// A tools/call that needs an elicitation and the roots before it completes.
void InputRequiredThenComplete(FakeServer& s, const Message& request) {
  if (!request.params.contains("requestState")) {
    s.Reply(request, {{"resultType", "input_required"},
                      {"inputRequests",
                       {{"confirm", {{"method", "elicitation/create"},
                                     {"params", {{"message", "Sure?"},
                                                 {"requestedSchema", {{"type", "object"},
                                                                      {"properties", Json::object()}}}}}}},
                        {"where", {{"method", "roots/list"}}}}},
                      {"requestState", "opaque-1"}});
    return;
  }
  s.Reply(request, {{"resultType", "complete"}, {"content", {{{"type", "text"}, {"text", "done"}}}}});
}

TEST(Client, ModernResolvesInputRequiredAndRetriesWithState) {
  FakeServer server;
  server.On("tools/call", InputRequiredThenComplete);
  server.Start();
  Client client(server.client_end(), Options(EraMode::kModern));
  ASSERT_TRUE(client.Connect().ok());

  CallResult r = client.CallTool("rm", {{"path", "x"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)["content"][0]["text"], "done");

  auto calls = server.Requests("tools/call");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_NE(calls[0].id, calls[1].id);
  const Json& retry = calls[1].params;
  EXPECT_EQ(retry["name"], "rm");
  EXPECT_EQ(retry["arguments"]["path"], "x");
  EXPECT_EQ(retry["requestState"], "opaque-1");
  EXPECT_EQ(retry["inputResponses"]["confirm"], Json({{"action", "decline"}}));
  const Json& roots = retry["inputResponses"]["where"]["roots"];
  ASSERT_EQ(roots.size(), 1u);
  EXPECT_EQ(roots[0]["uri"], FileUri(std::filesystem::current_path().string()));
  EXPECT_EQ(retry["_meta"][meta::kProtocolVersion], "2026-07-28");
}

TEST(Client, ModernGivesUpAfterTheInputRoundLimit) {
  FakeServer server;
  server.On("tools/call", FakeServer::Replies({{"resultType", "input_required"}, {"requestState", "again"}}));
  server.Start();
  ClientOptions options = Options(EraMode::kModern);
  options.max_input_rounds = 3;
  Client client(server.client_end(), options);
  ASSERT_TRUE(client.Connect().ok());
  CallResult r = client.CallTool("t", nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(server.Requests("tools/call").size(), 4u);
}

TEST(Client, ModernInputRequiredWithoutRequestsOrStateIsMalformed) {
  FakeServer server;
  server.On("tools/call", FakeServer::Replies({{"resultType", "input_required"}}));
  server.Start();
  Client client(server.client_end(), Options(EraMode::kModern));
  ASSERT_TRUE(client.Connect().ok());
  EXPECT_EQ(client.CallTool("t", nullptr).status().code(), StatusCode::kIoError);
}

TEST(Client, ModernInputRequestTheHandlerRefusesFailsTheCall) {
  FakeServer server;
  server.On("tools/call", FakeServer::Replies({{"resultType", "input_required"},
                                               {"inputRequests",
                                                {{"s", {{"method", "sampling/createMessage"},
                                                        {"params", {{"messages", Json::array()},
                                                                    {"maxTokens", 10}}}}}}}}));
  server.Start();
  Client client(server.client_end(), Options(EraMode::kModern));
  ASSERT_TRUE(client.Connect().ok());
  CallResult r = client.CallTool("t", nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(server.Requests("tools/call").size(), 1u);
}

TEST(Client, LegacyAnswersServerRequestsThroughTheHandler) {
  FakeServer server;
  server.On("initialize", FakeServer::Replies(InitializeResult()));
  std::map<std::string, Message> answers;
  server.On("tools/call", [&](FakeServer& s, const Message& request) {
    int id = 100;
    for (const char* method : {"roots/list", "elicitation/create", "sampling/createMessage", "ping", "bogus/x"}) {
      s.Send(Message::Request(id, method, Json::object()));
      if (auto a = s.WaitForResponse(id)) answers[method] = *a;
      ++id;
    }
    s.Reply(request, {{"content", Json::array()}});
  });
  server.Start();
  Client client(server.client_end(), Options(EraMode::kLegacy));
  ASSERT_TRUE(client.Connect().ok());
  ASSERT_TRUE(client.CallTool("t", nullptr).ok());

  ASSERT_EQ(answers.size(), 5u);
  EXPECT_EQ(answers["roots/list"].result["roots"][0]["uri"],
            FileUri(std::filesystem::current_path().string()));
  EXPECT_EQ(answers["elicitation/create"].result, Json({{"action", "decline"}}));
  EXPECT_EQ(answers["sampling/createMessage"].kind, MessageKind::kError);
  EXPECT_EQ(answers["sampling/createMessage"].error.code, rpc::kMethodNotFound);
  EXPECT_EQ(answers["ping"].result, Json::object());
  EXPECT_EQ(answers["bogus/x"].error.code, rpc::kMethodNotFound);
  EXPECT_TRUE(client.wire_problems().empty());
}

TEST(Client, ConfiguredSamplerAnswersAndIsDeclared) {
  FakeServer server;
  server.On("initialize", FakeServer::Replies(InitializeResult()));
  std::optional<Message> answer;
  server.On("tools/call", [&](FakeServer& s, const Message& request) {
    s.Send(Message::Request(7, "sampling/createMessage", {{"maxTokens", 5}}));
    answer = s.WaitForResponse(7);
    s.Reply(request, {{"content", Json::array()}});
  });
  server.Start();
  ClientOptions options = Options(EraMode::kLegacy);
  options.input_handler = std::make_shared<DefaultInputHandler>("/srv/project", [](const Json& params) -> InputReply {
    return Json{{"role", "assistant"}, {"content", {{"type", "text"}, {"text", "ok"}}},
                {"model", "m"}, {"echo", params["maxTokens"]}};
  });
  Client client(server.client_end(), options);
  ASSERT_TRUE(client.Connect().ok());
  EXPECT_TRUE(server.Requests("initialize")[0].params["capabilities"].contains("sampling"));
  ASSERT_TRUE(client.CallTool("t", nullptr).ok());
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->result["model"], "m");
  EXPECT_EQ(answer->result["echo"], 5);
}

TEST(Client, ModernEraServerRequestIsAWireProblem) {
  FakeServer server;
  server.On("tools/call", [](FakeServer& s, const Message& request) {
    s.Send(Message::Request(9, "roots/list", Json::object()));
    auto answer = s.WaitForResponse(9);
    s.Reply(request, {{"resultType", "complete"}, {"content", Json::array()},
                      {"answered", answer && answer->kind == MessageKind::kError}});
  });
  server.Start();
  Client client(server.client_end(), Options(EraMode::kModern));
  ASSERT_TRUE(client.Connect().ok());
  CallResult r = client.CallTool("t", nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["answered"], true);
  ASSERT_EQ(client.wire_problems().size(), 1u);
  EXPECT_NE(client.wire_problems()[0].find("roots/list"), std::string::npos);
}

TEST(Client, CallTimesOutAndCancelsTheRequest) {
  FakeServer server;
  server.On("tools/call", FakeServer::Ignores());
  server.Start();
  Client client(server.client_end(), Options(EraMode::kModern));
  ASSERT_TRUE(client.Connect().ok());
  CallOptions call;
  call.timeout = milliseconds(100);
  CallResult r = client.CallTool("slow", nullptr, call);
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  auto cancel = server.WaitFor([](const Message& m) { return m.method == "notifications/cancelled"; });
  ASSERT_TRUE(cancel.has_value());
  EXPECT_EQ(cancel->params["requestId"], server.Requests("tools/call")[0].id);
}

TEST(Client, CancellerStopsACallInFlight) {
  FakeServer server;
  server.On("tools/call", FakeServer::Ignores());
  server.Start();
  Client client(server.client_end(), Options(EraMode::kModern));
  ASSERT_TRUE(client.Connect().ok());
  CallCanceller canceller;
  CallOptions call;
  call.canceller = &canceller;
  std::thread cancel_later([&] {
    server.WaitFor([](const Message& m) { return m.method == "tools/call"; });
    canceller.Cancel("user pressed ^C");
  });
  CallResult r = client.CallTool("slow", nullptr, call);
  cancel_later.join();
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  auto cancel = server.WaitFor([](const Message& m) { return m.method == "notifications/cancelled"; });
  ASSERT_TRUE(cancel.has_value());
  EXPECT_EQ(cancel->params["reason"], "user pressed ^C");
}

TEST(Client, ServerClosingFailsTheCallInFlight) {
  FakeServer server;
  server.On("tools/call", [](FakeServer& s, const Message&) { s.Close(); });
  server.Start();
  Client client(server.client_end(), Options(EraMode::kModern));
  ASSERT_TRUE(client.Connect().ok());
  CallResult r = client.CallTool("t", nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("server closed"), std::string::npos);
  EXPECT_EQ(client.CallTool("t", nullptr).status().code(), StatusCode::kUnavailable);
}

TEST(Client, ServerProcessDyingMidCallFailsTheCall) {
  SpawnOptions spawn;
  spawn.argv = {"sh", "-c", "read x; exit 3"};
  auto child = ChildProcess::Spawn(spawn);
  ASSERT_TRUE(child.ok()) << child.status();
  {
    Client client((*child)->connection(), Options(EraMode::kLegacy));
    CallResult r = client.Connect();
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status();
  }
  ExitStatus status = (*child)->Shutdown();
  EXPECT_TRUE(status.exited);
  EXPECT_EQ(status.code, 3);
}

TEST(Client, RpcErrorKeepsCodeMessageAndData) {
  FakeServer server;
  server.On("resources/read", FakeServer::Fails(rpc::kInvalidParams, "Resource not found", {{"uri", "x://y"}}));
  server.Start();
  Client client(server.client_end(), Options(EraMode::kModern));
  ASSERT_TRUE(client.Connect().ok());
  CallResult r = client.ReadResource("x://y");
  ASSERT_TRUE(r.rpc_error().has_value());
  EXPECT_EQ(r.rpc_error()->code, rpc::kInvalidParams);
  EXPECT_EQ(r.rpc_error()->message, "Resource not found");
  EXPECT_EQ(r.rpc_error()->data["uri"], "x://y");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("-32602"), std::string::npos);
}

TEST(Client, ProgressGoesToTheCallAndOtherNotificationsToTheCallback) {
  FakeServer server;
  server.On("tools/call", [](FakeServer& s, const Message& request) {
    Json token = request.params["_meta"]["progressToken"];
    s.Send(Message::Notification("notifications/progress", {{"progressToken", token}, {"progress", 1}}));
    s.Send(Message::Notification("notifications/message", {{"level", "info"}, {"data", "hello"}}));
    s.Reply(request, {{"resultType", "complete"}, {"content", Json::array()}});
  });
  server.Start();
  std::mutex mu;
  std::vector<std::string> notifications;
  ClientOptions options = Options(EraMode::kModern);
  options.on_notification = [&](const std::string& method, const Json&) {
    std::lock_guard<std::mutex> lock(mu);
    notifications.push_back(method);
  };
  Client client(server.client_end(), options);
  ASSERT_TRUE(client.Connect().ok());
  std::vector<Json> progress;
  CallOptions call;
  call.on_progress = [&](const Json& p) { progress.push_back(p); };
  ASSERT_TRUE(client.CallTool("t", nullptr, call).ok());
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0]["progress"], 1);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(notifications, std::vector<std::string>{"notifications/message"});
}

TEST(Client, ListAllFollowsNextCursor) {
  FakeServer server;
  server.On("tools/list", [](FakeServer& s, const Message& request) {
    std::string cursor = request.params.value("cursor", std::string());
    Json page = {{"resultType", "complete"}, {"ttlMs", 0}, {"cacheScope", "public"}};
    if (cursor.empty()) {
      page["tools"] = {{{"name", "a"}}};
      page["nextCursor"] = "2";
    } else if (cursor == "2") {
      page["tools"] = {{{"name", "b"}}, {{"name", "c"}}};
      page["nextCursor"] = "3";
    } else {
      page["tools"] = {{{"name", "d"}}};
    }
    s.Reply(request, page);
  });
  server.Start();
  Client client(server.client_end(), Options(EraMode::kModern));
  ASSERT_TRUE(client.Connect().ok());
  CallResult r = client.ListTools();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ((*r)["tools"].size(), 4u);
  EXPECT_EQ((*r)["tools"][3]["name"], "d");
  EXPECT_FALSE(r->contains("nextCursor"));
  EXPECT_EQ((*r)["ttlMs"], 0);
  EXPECT_EQ(server.Requests("tools/list").size(), 3u);
}

TEST(Client, ListAllRefusesARepeatedCursor) {
  FakeServer server;
  server.On("prompts/list", FakeServer::Replies({{"prompts", Json::array()}, {"nextCursor", "same"}}));
  server.On("initialize", FakeServer::Replies(InitializeResult()));
  server.Start();
  Client client(server.client_end(), Options(EraMode::kLegacy));
  ASSERT_TRUE(client.Connect().ok());
  CallResult r = client.ListPrompts();
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
  EXPECT_EQ(server.Requests("prompts/list").size(), 2u);
}

TEST(Client, ListAllStopsAtThePageCap) {
  FakeServer server;
  std::atomic<int> n{0};
  server.On("resources/list", [&](FakeServer& s, const Message& request) {
    s.Reply(request, {{"resources", Json::array()}, {"nextCursor", std::to_string(++n)}});
  });
  server.On("initialize", FakeServer::Replies(InitializeResult()));
  server.Start();
  ClientOptions options = Options(EraMode::kLegacy);
  options.max_pages = 3;
  Client client(server.client_end(), options);
  ASSERT_TRUE(client.Connect().ok());
  EXPECT_EQ(client.ListResources().status().code(), StatusCode::kResourceExhausted);
}

TEST(Client, NonObjectResultIsMalformed) {
  FakeServer server;
  server.On("tools/call", FakeServer::Replies(Json::array()));
  server.Start();
  Client client(server.client_end(), Options(EraMode::kModern));
  ASSERT_TRUE(client.Connect().ok());
  EXPECT_EQ(client.CallTool("t", nullptr).status().code(), StatusCode::kIoError);
}

TEST(Client, RecordsLinesThatAreNotJsonRpcAndStrayReplies) {
  FakeServer server;
  server.On("tools/call", [](FakeServer& s, const Message& request) {
    s.SendRaw("Server listening on stdio");
    s.SendRaw(R"({"jsonrpc":"2.0","id":999,"result":{}})");
    s.Reply(request, {{"resultType", "complete"}, {"content", Json::array()}});
  });
  server.Start();
  Client client(server.client_end(), Options(EraMode::kModern));
  ASSERT_TRUE(client.Connect().ok());
  ASSERT_TRUE(client.CallTool("t", nullptr).ok());
  auto problems = client.wire_problems();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("not JSON"), std::string::npos);
  EXPECT_NE(problems[1].find("999"), std::string::npos);
}

TEST(Client, ObserverSeesEveryResultWithItsEra) {
  FakeServer server;
  server.On("server/discover", FakeServer::Fails(rpc::kMethodNotFound, "Method not found"));
  server.On("initialize", FakeServer::Replies(InitializeResult("2025-06-18")));
  server.On("ping", FakeServer::Replies(Json::object()));
  server.Start();
  std::vector<std::pair<std::string, std::string>> seen;
  ClientOptions options = Options(EraMode::kAuto);
  options.on_result = [&](const ResultEvent& e) { seen.emplace_back(e.method, e.protocol_version); };
  Client client(server.client_end(), options);
  ASSERT_TRUE(client.Connect().ok());
  ASSERT_TRUE(client.Ping().ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(std::string("initialize"), std::string("2025-11-25")));
  EXPECT_EQ(seen[1], std::make_pair(std::string("ping"), std::string("2025-06-18")));
}

TEST(Client, CallsFromManyThreadsGetTheirOwnReplies) {
  FakeServer server;
  server.On("tools/call", [](FakeServer& s, const Message& request) {
    s.Reply(request, {{"resultType", "complete"}, {"content", Json::array()}, {"echo", request.params["name"]}});
  });
  server.Start();
  Client client(server.client_end(), Options(EraMode::kModern));
  ASSERT_TRUE(client.Connect().ok());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        CallResult r = client.CallTool(name, nullptr);
        if (!r.ok() || (*r)["echo"] != name) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace weft::mcp
