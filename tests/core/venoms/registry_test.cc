// The venom registry: declaration checks, lookup, and checked calls.
#include "core/venoms/registry.h"

#include <gtest/gtest.h>

#include "tests/support/fake_venom_context.h"

namespace weft::venoms {
namespace {

const SchemaStore& TestSchemas() {
  static const SchemaStore* store = [] {
    auto s = SchemaStore::FromFiles({
        {"demo/echo.input.json",
         R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"],"additionalProperties":false})"},
        {"demo/echo.output.json",
         R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"]})"},
        {"demo/only_input.input.json", R"({"type":"object"})"},
        {"demo/array_out.input.json", R"({"type":"object"})"},
        {"demo/array_out.output.json", R"({"type":"array"})"},
    });
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(s).value().release();
  }();
  return *store;
}

OpSpec Echo(Handler handler = nullptr) {
  OpSpec spec;
  spec.venom = "demo";
  spec.op = "echo";
  spec.title = "Echo";
  spec.description = "Returns its text.";
  spec.annotations.read_only = true;
  spec.right = Right::kFsRead;
  spec.handler = handler ? std::move(handler) : [](Context&, const Json& args) -> Result<Reply> {
    return Reply::WithText({{"text", args["text"]}}, args["text"].get<std::string>());
  };
  return spec;
}

TEST(VenomRegistry, RegistersAndFindsByVenomOpAndToolName) {
  Registry registry(TestSchemas());
  ASSERT_TRUE(registry.Add(Echo()).ok());
  const Op* op = registry.Find("demo", "echo");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->name, "demo_echo");
  EXPECT_EQ(registry.FindByName("demo_echo"), op);
  EXPECT_EQ(registry.Find("demo", "nope"), nullptr);
  EXPECT_EQ(registry.ops().size(), 1u);
}

TEST(VenomRegistry, RefusesBadNamesDuplicatesAndMissingPieces) {
  Registry registry(TestSchemas());
  OpSpec bad_venom = Echo();
  bad_venom.venom = "Demo";
  EXPECT_EQ(registry.Add(bad_venom).code(), StatusCode::kInvalidArgument);
  OpSpec bad_op = Echo();
  bad_op.op = "echo-it";
  EXPECT_EQ(registry.Add(bad_op).code(), StatusCode::kInvalidArgument);
  OpSpec no_handler = Echo();
  no_handler.handler = nullptr;
  EXPECT_EQ(registry.Add(no_handler).code(), StatusCode::kInvalidArgument);
  OpSpec no_description = Echo();
  no_description.description.clear();
  EXPECT_EQ(registry.Add(no_description).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(registry.Add(Echo()).ok());
  EXPECT_EQ(registry.Add(Echo()).code(), StatusCode::kAlreadyExists);
}

TEST(VenomRegistry, RequiresBothSchemasWithObjectRoots) {
  Registry registry(TestSchemas());
  OpSpec no_output = Echo();
  no_output.op = "only_input";
  Status s = registry.Add(no_output);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("demo/only_input.output.json"), std::string::npos) << s;
  OpSpec array_out = Echo();
  array_out.op = "array_out";
  EXPECT_EQ(registry.Add(array_out).code(), StatusCode::kInvalidArgument);
  OpSpec missing = Echo();
  missing.op = "missing";
  EXPECT_EQ(registry.Add(missing).code(), StatusCode::kNotFound);
}

TEST(VenomRegistry, CallChecksArgumentsBeforeTheHandlerRuns) {
  Registry registry(TestSchemas());
  bool ran = false;
  ASSERT_TRUE(registry.Add(Echo([&](Context&, const Json&) -> Result<Reply> {
                ran = true;
                return Reply{};
              })).ok());
  FakeVenomContext ctx;
  Result<Reply> r = registry.Call(ctx, *registry.Find("demo", "echo"), {{"text", 3}});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("/text"), std::string::npos) << r.status();
  EXPECT_FALSE(ran);
}

TEST(VenomRegistry, CallReturnsTheReplyWhenItConforms) {
  Registry registry(TestSchemas());
  ASSERT_TRUE(registry.Add(Echo()).ok());
  FakeVenomContext ctx;
  Result<Reply> r = registry.Call(ctx, *registry.Find("demo", "echo"), {{"text", "hi"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data, Json({{"text", "hi"}}));
  EXPECT_EQ(r->content[0]["text"], "hi");
}

TEST(VenomRegistry, CallReportsAReplyThatBreaksTheOutputSchemaAsInternal) {
  Registry registry(TestSchemas());
  ASSERT_TRUE(registry.Add(Echo([](Context&, const Json&) -> Result<Reply> {
                Reply r;
                r.data = {{"text", 42}};
                return r;
              })).ok());
  FakeVenomContext ctx;
  Result<Reply> r = registry.Call(ctx, *registry.Find("demo", "echo"), {{"text", "hi"}});
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(VenomRegistry, CallParsesAndChecksDataWrittenAsJsonText) {
  Registry registry(TestSchemas());
  std::string written;
  ASSERT_TRUE(registry.Add(Echo([&written](Context&, const Json&) -> Result<Reply> {
                return Reply::WithJsonText(written, "said it");
              })).ok());
  const Op& op = *registry.Find("demo", "echo");
  FakeVenomContext ctx;
  written = R"({"text":"hi"})";
  Result<Reply> r = registry.Call(ctx, op, {{"text", "hi"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data, Json({{"text", "hi"}}));
  EXPECT_EQ(r->data_json, written);
  EXPECT_EQ(r->content[0]["text"], "said it");
  Registry::Stage stage = Registry::Stage::kArguments;
  written = R"({"text":42})";
  r = registry.Call(ctx, op, {{"text", "hi"}}, &stage);
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_EQ(stage, Registry::Stage::kReply);
  written = R"({"text":)";
  r = registry.Call(ctx, op, {{"text", "hi"}}, &stage);
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("not JSON"), std::string::npos) << r.status();
  EXPECT_EQ(stage, Registry::Stage::kReply);
}

TEST(VenomRegistry, CallPassesHandlerErrorsThrough) {
  Registry registry(TestSchemas());
  ASSERT_TRUE(registry.Add(Echo([](Context&, const Json&) -> Result<Reply> {
                return Status::NotFound("no such thing");
              })).ok());
  FakeVenomContext ctx;
  Result<Reply> r = registry.Call(ctx, *registry.Find("demo", "echo"), {{"text", "hi"}});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no such thing");
}

TEST(VenomRegistry, PathUsesMustNameStringArgumentsAndWritingRightsMustWrite) {
  Registry registry(TestSchemas());
  OpSpec unknown = Echo();
  unknown.paths = {PathUse::Arg("path", PathAccess::kRead)};
  Status s = registry.Add(unknown);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("\"path\" is not a string"), std::string::npos) << s;
  OpSpec empty = Echo();
  empty.paths = {PathUse{}};
  EXPECT_EQ(registry.Add(empty).code(), StatusCode::kInvalidArgument);
  OpSpec writes_nothing = Echo();
  writes_nothing.right = Right::kFsWrite;
  writes_nothing.paths = {PathUse::Arg("text", PathAccess::kRead)};
  s = registry.Add(writes_nothing);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("needs a kWrite path use"), std::string::npos) << s;
  OpSpec good = Echo();
  good.right = Right::kExec;
  good.paths = {PathUse::Arg("text", PathAccess::kRead), PathUse::Whole(PathAccess::kWrite)};
  EXPECT_TRUE(registry.Add(good).ok());
  EXPECT_EQ(registry.ops()[0]->spec.paths.size(), 2u);
  EXPECT_TRUE(IsReadRight(Right::kGitRead));
  EXPECT_FALSE(IsReadRight(Right::kAdmin));
}

TEST(VenomRegistry, RightNamesMatchTheDesign) {
  EXPECT_EQ(RightName(Right::kFsRead), "fs.read");
  EXPECT_EQ(RightName(Right::kFsWrite), "fs.write");
  EXPECT_EQ(RightName(Right::kExec), "exec");
  EXPECT_EQ(RightName(Right::kGitWrite), "git.write");
  EXPECT_EQ(RightName(Right::kAgentSpawn), "agent.spawn");
  EXPECT_EQ(RightName(Right::kAdmin), "admin");
}

}  // namespace
}  // namespace weft::venoms
