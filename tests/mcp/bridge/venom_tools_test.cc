// Venom ops as MCP tools: names, hints, _meta, and the shape of results.
#include "mcp/bridge/venom_tools.h"

#include <gtest/gtest.h>

#include "tests/support/fake_request_context.h"

namespace weft::mcp {
namespace {

const SchemaStore& DemoSchemas() {
  static const SchemaStore* store = [] {
    auto s = SchemaStore::FromFiles({
        {"demo/say.input.json", R"({"type":"object","properties":{"text":{"type":"string"}},"additionalProperties":false})"},
        {"demo/say.output.json", R"({"type":"object","properties":{"said":{"type":"string"}},"required":["said"]})"},
    });
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(s).value().release();
  }();
  return *store;
}

venoms::OpSpec Say(venoms::Handler handler) {
  venoms::OpSpec spec;
  spec.venom = "demo";
  spec.op = "say";
  spec.title = "Say";
  spec.description = "Says its text back.";
  spec.annotations.read_only = true;
  spec.annotations.idempotent = true;
  spec.right = venoms::Right::kFsRead;
  spec.max_result_chars = 500000;
  spec.handler = std::move(handler);
  return spec;
}

TEST(VenomTools, ToolCarriesNameSchemasEveryHintAndMeta) {
  venoms::Registry venoms(DemoSchemas());
  ASSERT_TRUE(venoms.Add(Say([](venoms::Context&, const Json&) -> Result<venoms::Reply> {
                return venoms::Reply{};
              })).ok());
  ToolRegistry tools(DemoSchemas());
  ASSERT_TRUE(AddVenomTools(venoms, tools).ok());
  auto tool = tools.Find("demo_say");
  ASSERT_NE(tool, nullptr);
  const Json& d = tool->descriptor;
  EXPECT_EQ(d["title"], "Say");
  EXPECT_EQ(d["inputSchema"]["properties"]["text"]["type"], "string");
  EXPECT_EQ(d["outputSchema"]["required"][0], "said");
  EXPECT_EQ(d["annotations"]["readOnlyHint"], true);
  EXPECT_EQ(d["annotations"]["destructiveHint"], false);
  EXPECT_EQ(d["annotations"]["idempotentHint"], true);
  EXPECT_EQ(d["annotations"]["openWorldHint"], false);
  EXPECT_EQ(d["_meta"]["anthropic/maxResultSizeChars"], 500000);
}

TEST(VenomTools, ReplyBecomesContentAndStructuredContent) {
  venoms::Reply reply = venoms::Reply::WithText({{"said", "hi"}}, "I said hi");
  ToolResult tool_result = ToolResultFromReply(reply);
  const Json& result = tool_result.result;
  EXPECT_TRUE(tool_result.structured_json.empty());
  EXPECT_EQ(result["content"][0]["text"], "I said hi");
  EXPECT_EQ(result["structuredContent"]["said"], "hi");
  EXPECT_FALSE(result.contains("isError"));
  venoms::Reply bare;
  bare.data = {{"said", "x"}};
  Json rendered = ToolResultFromReply(bare).result;
  EXPECT_EQ(Json::parse(rendered["content"][0]["text"].get<std::string>()), bare.data);
}

TEST(VenomTools, DataWrittenAsJsonTextIsPassedOnUnparsed) {
  venoms::Reply reply = venoms::Reply::WithJsonText(R"({"said":"hi"})", "I said hi");
  ToolResult tool_result = ToolResultFromReply(reply);
  EXPECT_EQ(tool_result.structured_json, R"({"said":"hi"})");
  EXPECT_FALSE(tool_result.result.contains("structuredContent"));
  EXPECT_EQ(tool_result.result["content"][0]["text"], "I said hi");
  EXPECT_EQ(tool_result.ToJson()["structuredContent"], Json({{"said", "hi"}}));
  // Without content of its own, the text block is the data's text itself.
  venoms::Reply bare;
  bare.data_json = R"({"said":"x"})";
  ToolResult rendered = ToolResultFromReply(bare);
  EXPECT_EQ(rendered.result["content"][0]["text"], R"({"said":"x"})");
  EXPECT_EQ(rendered.structured_json, R"({"said":"x"})");
}

TEST(VenomTools, HandlerSeesCancellationAndReportsProgressThroughTheRequest) {
  venoms::Registry venoms(DemoSchemas());
  ASSERT_TRUE(venoms.Add(Say([](venoms::Context& ctx, const Json&) -> Result<venoms::Reply> {
                ctx.Progress(1, 2, "half way");
                if (ctx.cancelled()) return Status::Cancelled("stopped");
                return venoms::Reply::WithText({{"said", "done"}}, "done");
              })).ok());
  ToolSpec spec = VenomToolSpec(*venoms.Find("demo", "say"));
  testing::FakeRequestContext ctx(Era::kLegacy);
  Result<ToolResult> ok = spec.handler(ctx, Json::object());
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_EQ(ctx.progress().size(), 1u);
  EXPECT_EQ(ctx.progress()[0].message, "half way");
  ctx.Cancel();
  EXPECT_EQ(spec.handler(ctx, Json::object()).status().code(), StatusCode::kCancelled);
}

}  // namespace
}  // namespace weft::mcp
