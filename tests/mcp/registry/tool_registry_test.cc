// Tests for ToolRegistry: what a declaration must get right, the tools/list
// entry derived from it, ordering, removal and change notifications.
#include "mcp/registry/tool_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/fake_request_context.h"

namespace weft::mcp {
namespace {

using ::testing::HasSubstr;

constexpr const char* kReadInput = R"({"type":"object","properties":{"path":{"type":"string"}},"required":["path"]})";
constexpr const char* kReadOutput = R"({"type":"object","properties":{"content":{"type":"string"}}})";
constexpr const char* kStringSchema = R"({"type":"string"})";

std::unique_ptr<SchemaStore> TestSchemas() {
  auto store = SchemaStore::FromFiles({{"fs/read.input.json", kReadInput},
                                       {"fs/read.output.json", kReadOutput},
                                       {"fs/bare.output.json", kStringSchema}});
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(store).value() : nullptr;
}

ToolSpec ReadSpec(const std::string& name = "read_file") {
  ToolSpec spec;
  spec.name = name;
  spec.input_schema = "fs/read.input.json";
  spec.handler = [](RequestContext&, const Json& args) -> Result<Json> {
    return Json{{"content", Json::array({{{"type", "text"}, {"text", args.value("path", "")}}})}};
  };
  return spec;
}

class ToolRegistryTest : public ::testing::Test {
 protected:
  std::unique_ptr<SchemaStore> schemas_ = TestSchemas();
  ToolRegistry registry_{*schemas_};
};

TEST_F(ToolRegistryTest, DescriptorHoldsOnlyNameAndInputSchemaWhenNothingElseIsSet) {
  ASSERT_TRUE(registry_.Add(ReadSpec()).ok());
  std::shared_ptr<const Tool> tool = registry_.Find("read_file");
  ASSERT_NE(tool, nullptr);
  EXPECT_EQ(tool->descriptor, Json({{"name", "read_file"}, {"inputSchema", Json::parse(kReadInput)}}));
  EXPECT_EQ(tool->output, nullptr);
}

TEST_F(ToolRegistryTest, DescriptorCarriesEveryDeclaredField) {
  ToolSpec spec = ReadSpec();
  spec.title = "Read file";
  spec.description = "Reads a text file. Use it to look at code.";
  spec.output_schema = "fs/read.output.json";
  spec.annotations.read_only = true;
  spec.annotations.destructive = false;
  spec.annotations.idempotent = true;
  spec.annotations.open_world = false;
  spec.meta = {{"anthropic/maxResultSizeChars", 100000}};
  ASSERT_TRUE(registry_.Add(std::move(spec)).ok());
  EXPECT_EQ(registry_.Find("read_file")->descriptor, Json::parse(R"({
    "name": "read_file",
    "title": "Read file",
    "description": "Reads a text file. Use it to look at code.",
    "inputSchema": {"type":"object","properties":{"path":{"type":"string"}},"required":["path"]},
    "outputSchema": {"type":"object","properties":{"content":{"type":"string"}}},
    "annotations": {"title": "Read file", "readOnlyHint": true, "destructiveHint": false,
                    "idempotentHint": true, "openWorldHint": false},
    "_meta": {"anthropic/maxResultSizeChars": 100000}
  })"));
}

TEST_F(ToolRegistryTest, AnnotationsHoldOnlyTheStatedHints) {
  ToolSpec spec = ReadSpec();
  spec.annotations.destructive = false;
  ASSERT_TRUE(registry_.Add(std::move(spec)).ok());
  EXPECT_EQ(registry_.Find("read_file")->descriptor["annotations"], Json({{"destructiveHint", false}}));
}

TEST_F(ToolRegistryTest, ExposesTheCompiledSchemas) {
  ToolSpec spec = ReadSpec();
  spec.output_schema = "fs/read.output.json";
  ASSERT_TRUE(registry_.Add(std::move(spec)).ok());
  std::shared_ptr<const Tool> tool = registry_.Find("read_file");
  ASSERT_NE(tool->input, nullptr);
  ASSERT_NE(tool->output, nullptr);
  EXPECT_EQ(tool->input, *schemas_->Get("fs/read.input.json"));
  EXPECT_EQ(DescribeViolations(tool->input->Validate(Json::object())), "at the root: missing required property \"path\"");
  EXPECT_TRUE(tool->output->Validate(Json{{"content", "x"}}).empty());
}

TEST_F(ToolRegistryTest, KeepsTheHandler) {
  ASSERT_TRUE(registry_.Add(ReadSpec()).ok());
  testing::FakeRequestContext ctx(Era::kLegacy, Json::object());
  Result<ToolResult> result = registry_.Find("read_file")->spec.handler(ctx, Json{{"path", "/a"}});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->result["content"][0]["text"], "/a");
}

TEST(IsValidToolName, AcceptsTheAllowedCharactersUpTo128) {
  EXPECT_TRUE(IsValidToolName("read_file"));
  EXPECT_TRUE(IsValidToolName("git.log-v2_X"));
  EXPECT_TRUE(IsValidToolName(std::string(128, 'a')));
}

TEST(IsValidToolName, RefusesEverythingElse) {
  for (const std::string& name : {std::string(), std::string(129, 'a'), std::string("read file"),
                                  std::string("a/b"), std::string("caf\xc3\xa9"), std::string("x:y")}) {
    EXPECT_FALSE(IsValidToolName(name)) << name;
  }
}

TEST_F(ToolRegistryTest, RefusesAnInvalidName) {
  Status status = registry_.Add(ReadSpec("read file"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("tool name \"read file\" is invalid"));
  EXPECT_TRUE(registry_.List().empty());
}

TEST_F(ToolRegistryTest, RefusesADuplicateAndKeepsTheFirst) {
  ToolSpec first = ReadSpec();
  first.title = "First";
  ASSERT_TRUE(registry_.Add(std::move(first)).ok());
  Status status = registry_.Add(ReadSpec());
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(status.message(), HasSubstr("\"read_file\" is already registered"));
  ASSERT_EQ(registry_.List().size(), 1u);
  EXPECT_EQ(registry_.Find("read_file")->spec.title, "First");
}

TEST_F(ToolRegistryTest, RefusesAMissingInputSchema) {
  ToolSpec spec = ReadSpec();
  spec.input_schema.clear();
  Status status = registry_.Add(std::move(spec));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("has no input schema"));
}

TEST_F(ToolRegistryTest, RefusesAnUnknownInputSchema) {
  ToolSpec spec = ReadSpec();
  spec.input_schema = "fs/nope.input.json";
  Status status = registry_.Add(std::move(spec));
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("fs/nope.input.json"));
}

TEST_F(ToolRegistryTest, RefusesAnInputSchemaWithoutObjectRoot) {
  ToolSpec spec = ReadSpec();
  spec.input_schema = "fs/bare.output.json";
  Status status = registry_.Add(std::move(spec));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("must have \"type\":\"object\" at its root"));
}

TEST_F(ToolRegistryTest, RefusesAnUnknownOutputSchema) {
  ToolSpec spec = ReadSpec();
  spec.output_schema = "fs/nope.output.json";
  Status status = registry_.Add(std::move(spec));
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("output schema"));
}

TEST_F(ToolRegistryTest, RefusesAnOutputSchemaWithoutObjectRoot) {
  ToolSpec spec = ReadSpec();
  spec.output_schema = "fs/bare.output.json";
  EXPECT_EQ(registry_.Add(std::move(spec)).code(), StatusCode::kInvalidArgument);
}

TEST_F(ToolRegistryTest, RefusesAMissingHandler) {
  ToolSpec spec = ReadSpec();
  spec.handler = nullptr;
  Status status = registry_.Add(std::move(spec));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("has no handler"));
}

TEST_F(ToolRegistryTest, ListsInRegistrationOrder) {
  for (const char* name : {"zeta", "alpha", "mid"}) ASSERT_TRUE(registry_.Add(ReadSpec(name)).ok());
  std::vector<std::string> names;
  for (const auto& tool : registry_.List()) names.push_back(tool->spec.name);
  EXPECT_EQ(names, (std::vector<std::string>{"zeta", "alpha", "mid"}));
}

TEST_F(ToolRegistryTest, RemoveDropsTheToolButNotACallInFlight) {
  ASSERT_TRUE(registry_.Add(ReadSpec()).ok());
  std::shared_ptr<const Tool> in_flight = registry_.Find("read_file");
  ASSERT_TRUE(registry_.Remove("read_file").ok());
  EXPECT_EQ(registry_.Find("read_file"), nullptr);
  EXPECT_TRUE(registry_.List().empty());
  EXPECT_EQ(in_flight->spec.name, "read_file");
  EXPECT_EQ(registry_.Remove("read_file").code(), StatusCode::kNotFound);
}

TEST_F(ToolRegistryTest, AddAndRemovePublishToolsChanged) {
  std::vector<ChangeKind> events;
  registry_.changes().Subscribe([&](const ChangeEvent& e) { events.push_back(e.kind); });
  ASSERT_TRUE(registry_.Add(ReadSpec()).ok());
  EXPECT_FALSE(registry_.Add(ReadSpec()).ok());
  EXPECT_FALSE(registry_.Remove("unknown").ok());
  ASSERT_TRUE(registry_.Remove("read_file").ok());
  EXPECT_EQ(events, (std::vector<ChangeKind>{ChangeKind::kToolsChanged, ChangeKind::kToolsChanged}));
}

TEST_F(ToolRegistryTest, ListenerMayReadTheRegistry) {
  size_t seen = 0;
  registry_.changes().Subscribe([&](const ChangeEvent&) { seen = registry_.List().size(); });
  ASSERT_TRUE(registry_.Add(ReadSpec()).ok());
  EXPECT_EQ(seen, 1u);
}

TEST_F(ToolRegistryTest, AddOrDieAbortsOnABadDeclaration) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  ToolSpec spec = ReadSpec();
  spec.input_schema = "fs/nope.input.json";
  EXPECT_DEATH(registry_.AddOrDie(std::move(spec)), "cannot register tool \"read_file\"");
}

}  // namespace
}  // namespace weft::mcp
