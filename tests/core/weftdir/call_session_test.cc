// Call sessions over a test registry: requests, responses, errors with MCP's
// codes, the write rules, reads by offset, isolation and cancellation.
#include "core/weftdir/call_session.h"

#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace weft::weftdir {
namespace {

const SchemaStore& TestSchemas() {
  static const SchemaStore* store = [] {
    auto s = SchemaStore::FromFiles({
        {"demo/echo.input.json",
         R"({"type":"object","additionalProperties":false,"properties":{"text":{"type":"string"},
             "workspace":{"type":"string"}}})"},
        {"demo/echo.output.json",
         R"({"type":"object","properties":{"text":{"type":"string"},"workspace":{"type":"string"}}})"},
        {"demo/fail.input.json", R"({"type":"object"})"},
        {"demo/fail.output.json", R"({"type":"object"})"},
        {"demo/bad_reply.input.json", R"({"type":"object"})"},
        {"demo/bad_reply.output.json", R"({"type":"object","required":["x"]})"},
        {"demo/block.input.json", R"({"type":"object"})"},
        {"demo/block.output.json", R"({"type":"object"})"},
    });
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(s).value().release();
  }();
  return *store;
}

venoms::OpSpec Spec(const char* op, venoms::Handler handler) {
  venoms::OpSpec spec;
  spec.venom = "demo";
  spec.op = op;
  spec.title = op;
  spec.description = "A test op.";
  spec.right = venoms::Right::kFsRead;
  spec.handler = std::move(handler);
  return spec;
}

class CallSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.AddOrDie(Spec("echo", [](venoms::Context&, const Json& args) -> Result<venoms::Reply> {
      venoms::Reply r;
      r.data = args;
      return r;
    }));
    registry_.AddOrDie(Spec("fail", [](venoms::Context&, const Json&) -> Result<venoms::Reply> {
      return Status::NotFound("no such thing: try another name");
    }));
    registry_.AddOrDie(Spec("bad_reply", [](venoms::Context&, const Json&) -> Result<venoms::Reply> {
      return venoms::Reply{};
    }));
    registry_.AddOrDie(Spec("block", [this](venoms::Context& ctx, const Json&) -> Result<venoms::Reply> {
      started_.set_value();
      while (!ctx.cancelled()) ctx.cancellation().SleepFor(std::chrono::hours(1));
      return Status::Cancelled("stopped");
    }));
  }

  std::unique_ptr<CallSession> Open(const char* op, CallOptions options = {}) {
    return NewOpCallSession(registry_, *registry_.Find("demo", op), std::move(options));
  }
  Json Call(const char* op, std::string_view request) {
    auto session = Open(op);
    Result<std::string> response = RunCall(*session, request);
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) return nullptr;
    EXPECT_EQ(response->back(), '\n');
    return Json::parse(*response, nullptr, false);
  }

  venoms::Registry registry_{TestSchemas()};
  std::promise<void> started_;
};

// A gate that refuses ops named in `refused` and records what ended.
class RecordingGate final : public CallGate {
 public:
  const grants::Grant* grant() const override { return nullptr; }
  Status Admit(const venoms::Op& op, const Json&) override {
    if (op.spec.op == "fail") return Status::PermissionDenied("revoked: the grant was revoked");
    return Status::Ok();
  }
  void Finished(const CallRecord& record) override {
    std::lock_guard<std::mutex> lock(mu);
    records.push_back({record.op->name, record.refusal.ok(), record.admitted, record.failed, record.protocol_error,
                       record.arguments != nullptr ? *record.arguments : Json()});
  }
  struct Seen {
    std::string op;
    bool allowed;
    bool admitted;
    bool failed;
    int protocol_error;
    Json arguments;
  };
  std::mutex mu;
  std::vector<Seen> records;
};

TEST_F(CallSessionTest, AGateAdmitsEveryCallAndHearsHowItEnded) {
  auto gate = std::make_shared<RecordingGate>();
  CallOptions options;
  options.gate = gate;
  auto run = [&](const char* op, std::string_view request) {
    auto session = Open(op, options);
    Result<std::string> response = RunCall(*session, request);
    EXPECT_TRUE(response.ok());
    return Json::parse(*response, nullptr, false);
  };
  EXPECT_EQ(run("echo", R"({"text": "hi"})"), (Json{{"text", "hi"}}));
  Json refused = run("fail", "{}");
  EXPECT_EQ(refused["error"]["status"], "permission_denied");
  EXPECT_EQ(refused["error"]["message"], "revoked: the grant was revoked");
  EXPECT_EQ(run("echo", "not json")["error"]["code"], kParseError);
  std::lock_guard<std::mutex> lock(gate->mu);
  ASSERT_EQ(gate->records.size(), 3u);
  EXPECT_TRUE(gate->records[0].allowed);
  EXPECT_TRUE(gate->records[0].admitted);
  EXPECT_FALSE(gate->records[0].failed);
  EXPECT_EQ(gate->records[0].arguments, (Json{{"text", "hi"}}));
  EXPECT_FALSE(gate->records[1].allowed);
  EXPECT_FALSE(gate->records[1].admitted);
  EXPECT_EQ(gate->records[2].protocol_error, kParseError);
  EXPECT_FALSE(gate->records[2].admitted);
}

TEST_F(CallSessionTest, SuccessIsTheOpsDataAsOneLine) {
  auto session = Open("echo");
  Result<std::string> response = RunCall(*session, R"({"text": "hi"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(*response, "{\"text\":\"hi\"}\n");
}

TEST_F(CallSessionTest, EmptyAndBlankRequestsMeanNoArguments) {
  EXPECT_EQ(Call("echo", ""), Json::object());
  EXPECT_EQ(Call("echo", " \n"), Json::object());
  EXPECT_EQ(Call("echo", "null"), Json::object());
}

TEST_F(CallSessionTest, MalformedJsonIsAParseError) {
  Json r = Call("echo", "{\"text\": ");
  EXPECT_EQ(r["error"]["code"], kParseError);
  EXPECT_EQ(r["error"]["status"], "parse_error");
  EXPECT_NE(r["error"]["message"].get<std::string>().find("Parse error"), std::string::npos);
}

TEST_F(CallSessionTest, NonObjectRequestIsInvalidParams) {
  for (const char* request : {"[1]", "\"text\"", "3", "true"}) {
    Json r = Call("echo", request);
    EXPECT_EQ(r["error"]["code"], kInvalidParams) << request;
    EXPECT_EQ(r["error"]["status"], "invalid_params") << request;
  }
}

TEST_F(CallSessionTest, DeeplyNestedRequestIsRefusedBeforeParsing) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  Json r = Call("echo", "{\"text\":" + deep + "}");
  EXPECT_EQ(r["error"]["code"], kInvalidRequest);
}

TEST_F(CallSessionTest, SchemaInvalidArgumentsAreAToolError) {
  Json r = Call("echo", R"({"txet": "hi"})");
  EXPECT_EQ(r["error"]["code"], 1);
  EXPECT_EQ(r["error"]["status"], "invalid_argument");
  EXPECT_NE(r["error"]["message"].get<std::string>().find("txet"), std::string::npos) << r;
}

TEST_F(CallSessionTest, OpFailureCarriesItsStatus) {
  Json r = Call("fail", "{}");
  EXPECT_EQ(r["error"]["code"], 2);
  EXPECT_EQ(r["error"]["status"], "not_found");
  EXPECT_EQ(r["error"]["message"], "no such thing: try another name");
}

TEST_F(CallSessionTest, ReplyBreakingItsSchemaIsAnInternalError) {
  Json r = Call("bad_reply", "{}");
  EXPECT_EQ(r["error"]["code"], kInternalError);
  EXPECT_EQ(r["error"]["status"], "internal_error");
}

TEST_F(CallSessionTest, WorkspaceArgumentDefaultsToTheSessionsWorkspace) {
  auto session = Open("echo", CallOptions{"w9"});
  Result<std::string> response = RunCall(*session, "{}");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(Json::parse(*response)["workspace"], "w9");
  auto named = Open("echo", CallOptions{"w9"});
  response = RunCall(*named, R"({"workspace":"other"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(Json::parse(*response)["workspace"], "other");
}

TEST_F(CallSessionTest, WritesMustBeSequential) {
  auto session = Open("echo");
  EXPECT_TRUE(session->Write(0, "{\"te").ok());
  EXPECT_EQ(session->Write(0, "{").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(session->Write(9, "x").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(session->Write(4, "xt\":\"a\"}").ok());
  Result<std::string> r = session->Read(0, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "{\"text\":\"a\"}\n");
}

TEST_F(CallSessionTest, WritesAfterTheRunAreRefused) {
  auto session = Open("echo");
  ASSERT_TRUE(session->Write(0, "{}").ok());
  ASSERT_TRUE(session->Read(2, 10).ok());
  EXPECT_EQ(session->Write(2, "{}").code(), StatusCode::kFailedPrecondition);
}

TEST_F(CallSessionTest, RequestsOverTheCapAreRefused) {
  auto session = Open("echo");
  std::string chunk(1 << 20, ' ');
  for (size_t i = 0; i < kMaxRequestBytes / chunk.size(); ++i) {
    ASSERT_TRUE(session->Write(i * chunk.size(), chunk).ok()) << i;
  }
  EXPECT_EQ(session->Write(kMaxRequestBytes, "x").code(), StatusCode::kResourceExhausted);
  // What was collected is still a request: blank, so no arguments.
  Result<std::string> r = session->Read(kMaxRequestBytes, 10);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "{}\n");
}

TEST_F(CallSessionTest, ReadsByOffsetFromWhereTheFirstReadBegan) {
  auto session = Open("echo");
  const std::string request = R"({"text":"abcdef"})";
  ASSERT_TRUE(session->Write(0, request).ok());
  // A shell reads on from the position its write left: the request's length.
  uint64_t base = request.size();
  Result<std::string> first = session->Read(base, 5);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, "{\"tex");
  Result<std::string> next = session->Read(base + 5, 100);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, "t\":\"abcdef\"}\n");
  Result<std::string> end = session->Read(base + 100, 100);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, "");
  Result<std::string> again = session->Read(0, 3);  // below the first read: from the start
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "{\"t");
}

TEST_F(CallSessionTest, ConcurrentSessionsOnOneOpEachGetTheirOwnAnswer) {
  constexpr int kThreads = 8;
  std::vector<std::unique_ptr<CallSession>> sessions;
  for (int i = 0; i < kThreads; ++i) sessions.push_back(Open("echo"));
  std::vector<std::string> answers(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Json request = {{"text", "caller " + std::to_string(i)}};
      Result<std::string> r = RunCall(*sessions[i], request.dump());
      answers[i] = r.ok() ? *r : r.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(answers[i], "{\"text\":\"caller " + std::to_string(i) + "\"}\n");
  }
}

TEST_F(CallSessionTest, CancelStopsARunningOp) {
  auto session = Open("block");
  std::future<void> started = started_.get_future();
  std::thread reader;
  Result<std::string> response = Status::Internal("not read");
  reader = std::thread([&] { response = session->Read(0, 1000); });
  started.wait();
  session->Cancel();
  reader.join();
  ASSERT_TRUE(response.ok());
  Json r = Json::parse(*response);
  EXPECT_EQ(r["error"]["code"], 9);
  EXPECT_EQ(r["error"]["status"], "cancelled");
}

TEST_F(CallSessionTest, CancelBeforeTheFirstReadRunsNothing) {
  auto session = Open("block");
  session->Cancel();
  Result<std::string> response = session->Read(0, 1000);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(Json::parse(*response)["error"]["status"], "cancelled");
}

TEST(ToolErrorCodes, AreFixedPerStatusCode) {
  EXPECT_EQ(ToolErrorCode(StatusCode::kInvalidArgument), 1);
  EXPECT_EQ(ToolErrorCode(StatusCode::kPermissionDenied), 4);
  EXPECT_EQ(ToolErrorCode(StatusCode::kInternal), 13);
  EXPECT_EQ(ToolErrorStatus(StatusCode::kIoError), "io_error");
  EXPECT_EQ(ToolErrorResponse(Status::PermissionDenied("no")),
            "{\"error\":{\"code\":4,\"message\":\"no\",\"status\":\"permission_denied\"}}\n");
}

}  // namespace
}  // namespace weft::weftdir
