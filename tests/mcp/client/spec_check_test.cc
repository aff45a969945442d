// Spec checks: every rule names the place (JSON Pointer) it found broken.
#include "mcp/client/spec_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace weft::mcp {
namespace {

using ::testing::HasSubstr;

const SpecContext kLegacy{Era::kLegacy, "2025-11-25"};
const SpecContext kModern{Era::kModern, "2026-07-28"};

Json ServerInfoMeta() { return {{meta::kServerInfo, {{"name", "s"}, {"version", "1"}}}}; }

// A well-formed modern result of a cacheable method, plus `fields`.
Json ModernCacheable(Json fields) {
  fields["resultType"] = "complete";
  fields["ttlMs"] = 1000;
  fields["cacheScope"] = "public";
  fields["_meta"] = ServerInfoMeta();
  return fields;
}

Json ModernResult(Json fields) {
  fields["resultType"] = "complete";
  fields["_meta"] = ServerInfoMeta();
  return fields;
}

std::vector<std::string> Errors(const std::vector<SpecProblem>& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) {
    if (p.severity == Severity::kError) out.push_back(p.ToString());
  }
  return out;
}

std::vector<std::string> Warnings(const std::vector<SpecProblem>& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) {
    if (p.severity == Severity::kWarning) out.push_back(p.ToString());
  }
  return out;
}

Json Tool(const std::string& name) {
  return {{"name", name}, {"inputSchema", {{"type", "object"}}}};
}

TEST(SpecCheck, WellFormedLegacyResultsPass) {
  Json init = {{"protocolVersion", "2025-11-25"},
               {"capabilities", {{"tools", {{"listChanged", true}}}, {"logging", Json::object()}}},
               {"serverInfo", {{"name", "s"}, {"version", "1"}}}};
  EXPECT_TRUE(CheckResult("initialize", init, kLegacy).empty());
  Json tools = {{"tools", {Tool("fs_read")}}, {"nextCursor", "2"}};
  EXPECT_TRUE(CheckResult("tools/list", tools, kLegacy).empty());
  Json call = {{"content", {{{"type", "text"}, {"text", "hi"}}}}, {"isError", false}};
  EXPECT_TRUE(CheckResult("tools/call", call, kLegacy).empty());
  EXPECT_TRUE(CheckResult("ping", Json::object(), kLegacy).empty());
}

TEST(SpecCheck, InitializeNeedsVersionCapabilitiesAndServerInfo) {
  Json init = {{"capabilities", {{"tools", {{"listChanged", "yes"}}}}}, {"serverInfo", {{"name", "s"}}}};
  EXPECT_THAT(Errors(CheckResult("initialize", init, kLegacy)),
              ::testing::UnorderedElementsAre("/protocolVersion: is required (a string)",
                                              "/capabilities/tools/listChanged: must be a boolean, not string",
                                              "/serverInfo/version: is required (a string)"));
}

TEST(SpecCheck, ModernResultWithoutResultTypeIsAnError) {
  Json tools = {{"tools", {Tool("a")}}, {"ttlMs", 0}, {"cacheScope", "private"}, {"_meta", ServerInfoMeta()}};
  auto errors = Errors(CheckResult("tools/list", tools, kModern));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("/resultType: is missing"));
  // The same result is fine in the legacy era, which has no resultType.
  tools.erase("ttlMs");
  tools.erase("cacheScope");
  EXPECT_TRUE(Errors(CheckResult("tools/list", tools, kLegacy)).empty());
}

TEST(SpecCheck, ModernResultTypeMustBeKnown) {
  Json r = ModernResult({{"content", Json::array()}});
  r["resultType"] = "task";
  EXPECT_THAT(Errors(CheckResult("tools/call", r, kModern)),
              ::testing::ElementsAre(HasSubstr("/resultType: \"task\" is not a result type")));
}

TEST(SpecCheck, ModernCacheableResultsNeedCacheHints) {
  Json r = ModernResult({{"contents", {{{"uri", "a://b"}, {"text", "x"}}}}});
  EXPECT_THAT(Errors(CheckResult("resources/read", r, kModern)),
              ::testing::UnorderedElementsAre(HasSubstr("/ttlMs: is required"), HasSubstr("/cacheScope: is required")));
  r["ttlMs"] = -5;
  r["cacheScope"] = "shared";
  EXPECT_THAT(Errors(CheckResult("resources/read", r, kModern)),
              ::testing::UnorderedElementsAre("/ttlMs: must be a non-negative integer",
                                              "/cacheScope: \"shared\" is not one of \"public\", \"private\""));
  r["ttlMs"] = 1.5;
  r["cacheScope"] = "private";
  EXPECT_THAT(Errors(CheckResult("resources/read", r, kModern)),
              ::testing::ElementsAre("/ttlMs: must be a non-negative integer"));
  // tools/call results are not cacheable.
  EXPECT_TRUE(Errors(CheckResult("tools/call", ModernResult({{"content", Json::array()}}), kModern)).empty());
}

TEST(SpecCheck, ModernServerInfoIsExpectedButOnlyAWarning) {
  Json r = {{"resultType", "complete"}, {"content", Json::array()}};
  auto problems = CheckResult("tools/call", r, kModern);
  EXPECT_TRUE(Errors(problems).empty());
  EXPECT_THAT(Warnings(problems), ::testing::ElementsAre(HasSubstr("io.modelcontextprotocol/serverInfo")));
  r["_meta"] = {{meta::kServerInfo, {{"name", 3}}}};
  EXPECT_THAT(Errors(CheckResult("tools/call", r, kModern)),
              ::testing::UnorderedElementsAre(
                  "/_meta/io.modelcontextprotocol~1serverInfo/name: must be a string, not number",
                  "/_meta/io.modelcontextprotocol~1serverInfo/version: is required (a string)"));
}

TEST(SpecCheck, InputRequiredResultsAreChecked) {
  Json ok = {{"resultType", "input_required"},
             {"inputRequests", {{"a", {{"method", "roots/list"}}},
                                {"b", {{"method", "elicitation/create"}, {"params", {{"message", "?"}}}}}}},
             {"requestState", "s"}};
  EXPECT_TRUE(CheckResult("tools/call", ok, kModern).empty());
  Json bad = {{"resultType", "input_required"},
              {"inputRequests", {{"x", {{"method", "tools/call"}}}, {"y", {{"method", "sampling/createMessage"}}}}}};
  EXPECT_THAT(Errors(CheckResult("tools/call", bad, kModern)),
              ::testing::UnorderedElementsAre(HasSubstr("/inputRequests/x/method: \"tools/call\" is not one of"),
                                              "/inputRequests/y/params: is required (an object)"));
  Json empty = {{"resultType", "input_required"}};
  EXPECT_THAT(Errors(CheckResult("tools/call", empty, kModern)),
              ::testing::ElementsAre(HasSubstr("needs \"inputRequests\", \"requestState\" or both")));
}

TEST(SpecCheck, DiscoverNeedsVersionsAndCapabilities) {
  Json r = ModernCacheable({{"supportedVersions", Json::array()}});
  EXPECT_THAT(Errors(CheckResult("server/discover", r, kModern)),
              ::testing::UnorderedElementsAre("/supportedVersions: must name at least one version",
                                              "/capabilities: is required (an object)"));
}

TEST(SpecCheck, ToolsNeedObjectInputSchemasAndTypedAnnotations) {
  Json bad_schema = Tool("a");
  bad_schema["inputSchema"] = {{"type", "string"}};
  Json no_schema = {{"name", "b"}};
  Json bad_hints = Tool("c");
  bad_hints["annotations"] = {{"readOnlyHint", "true"}, {"title", 1}};
  Json r = {{"tools", {bad_schema, no_schema, bad_hints, Tool("a")}}};
  EXPECT_THAT(Errors(CheckResult("tools/list", r, kLegacy)),
              ::testing::UnorderedElementsAre(HasSubstr("/tools/0/inputSchema/type: must be \"object\""),
                                              "/tools/1/inputSchema: is required (an object)",
                                              "/tools/2/annotations/readOnlyHint: must be a boolean, not string",
                                              "/tools/2/annotations/title: must be a string, not number",
                                              "/tools/3: duplicate tool name \"a\""));
}

TEST(SpecCheck, ToolNamesOutsideThePatternAreWarnings) {
  Json r = {{"tools", {Tool("has space"), Tool(std::string(130, 'x')), Tool("ok.name-1_2")}}};
  auto problems = CheckResult("tools/list", r, kLegacy);
  EXPECT_TRUE(Errors(problems).empty());
  EXPECT_THAT(Warnings(problems), ::testing::UnorderedElementsAre(HasSubstr("/tools/0/name: tool name \"has space\""),
                                                                  HasSubstr("/tools/1/name: tool names SHOULD be at most 128")));
  EXPECT_THAT(Errors(CheckResult("tools/list", {{"tools", {Tool("")}}}, kLegacy)),
              ::testing::ElementsAre("/tools/0/name: must not be empty"));
}

TEST(SpecCheck, LegacyOutputSchemaMustDescribeAnObject) {
  Json tool = Tool("a");
  tool["outputSchema"] = {{"type", "array"}};
  Json r = {{"tools", {tool}}};
  EXPECT_THAT(Errors(CheckResult("tools/list", r, kLegacy)),
              ::testing::ElementsAre(HasSubstr("/tools/0/outputSchema/type: must be \"object\"")));
  EXPECT_TRUE(Errors(CheckResult("tools/list", ModernCacheable(r), kModern)).empty());
}

TEST(SpecCheck, ContentBlocksNeedTheirFields) {
  Json content = {
      {{"type", "image"}, {"mimeType", "image/png"}},
      {{"type", "audio"}, {"data", "not base64!"}, {"mimeType", "audio/wav"}},
      {{"type", "resource_link"}, {"uri", "file:///a"}},
      {{"type", "resource"}, {"resource", {{"uri", "file:///a"}}}},
      {{"type", "resource"}, {"resource", {{"uri", "file:///a"}, {"text", "x"}, {"blob", "eA=="}}}},
      {{"type", "video"}},
      {{"text", "untyped"}},
      {{"type", "text"}, {"text", "ok"}, {"annotations", {{"audience", {"robot"}}, {"priority", 2}}}},
  };
  EXPECT_THAT(Errors(CheckResult("tools/call", {{"content", content}}, kLegacy)),
              ::testing::UnorderedElementsAre(
                  "/content/0/data: is required (a string)",
                  "/content/1/data: is not valid base64",
                  "/content/2/name: is required (a string)",
                  "/content/3/resource: has neither \"text\" nor \"blob\"; resource contents carry exactly one",
                  "/content/4/resource: has both \"text\" and \"blob\"; resource contents carry exactly one",
                  HasSubstr("/content/5/type: unknown content block type \"video\""),
                  "/content/6/type: is required (a string)",
                  "/content/7/annotations/audience/0: must be \"user\" or \"assistant\"",
                  "/content/7/annotations/priority: must be between 0 and 1"));
}

TEST(SpecCheck, CallToolResultNeedsContentAndABooleanIsError) {
  EXPECT_THAT(Errors(CheckResult("tools/call", {{"isError", "no"}}, kLegacy)),
              ::testing::UnorderedElementsAre("/content: is required (an array)",
                                              "/isError: must be a boolean, not string"));
}

TEST(SpecCheck, StructuredContentIsAnObjectBeforeTheModernEra) {
  Json r = {{"content", {{{"type", "text"}, {"text", "[1]"}}}}, {"structuredContent", {1}}};
  EXPECT_THAT(Errors(CheckResult("tools/call", r, kLegacy)),
              ::testing::ElementsAre("/structuredContent: must be an object in protocol 2025-11-25"));
  EXPECT_TRUE(Errors(CheckResult("tools/call", ModernResult(r), kModern)).empty());
}

TEST(SpecCheck, StructuredContentWithoutTextIsAWarning) {
  Json r = {{"content", Json::array()}, {"structuredContent", {{"a", 1}}}};
  auto problems = CheckResult("tools/call", r, kLegacy);
  EXPECT_TRUE(Errors(problems).empty());
  EXPECT_THAT(Warnings(problems), ::testing::ElementsAre(HasSubstr("/content: has no text block")));
}

TEST(SpecCheck, ResourceReadNeverHasEmptyContents) {
  EXPECT_THAT(Errors(CheckResult("resources/read", {{"contents", Json::array()}}, kLegacy)),
              ::testing::ElementsAre(HasSubstr("/contents: is empty")));
  Json r = {{"contents", {{{"uri", "a://b"}, {"blob", "aGVsbG8="}, {"mimeType", "application/octet-stream"}}}}};
  EXPECT_TRUE(CheckResult("resources/read", r, kLegacy).empty());
}

TEST(SpecCheck, ResourceListsAndTemplates) {
  Json resources = {{"resources", {{{"uri", "a://b"}, {"name", "b"}, {"size", -1}}, {{"name", "c"}}}}};
  EXPECT_THAT(Errors(CheckResult("resources/list", resources, kLegacy)),
              ::testing::UnorderedElementsAre("/resources/0/size: must not be negative",
                                              "/resources/1/uri: is required (a string)"));
  Json templates = {{"resourceTemplates", {{{"uriTemplate", "a://{x}"}}}}, {"nextCursor", 3}};
  EXPECT_THAT(Errors(CheckResult("resources/templates/list", templates, kLegacy)),
              ::testing::UnorderedElementsAre("/resourceTemplates/0/name: is required (a string)",
                                              "/nextCursor: must be a string, not number"));
}

TEST(SpecCheck, PromptsAndPromptMessages) {
  Json list = {{"prompts", {{{"name", "p"}, {"arguments", {{{"name", "a"}, {"required", "yes"}}}}}}}};
  EXPECT_THAT(Errors(CheckResult("prompts/list", list, kLegacy)),
              ::testing::ElementsAre("/prompts/0/arguments/0/required: must be a boolean, not string"));
  Json get = {{"messages", {{{"role", "system"}, {"content", {{"type", "text"}, {"text", "x"}}}}, {{"role", "user"}}}}};
  EXPECT_THAT(Errors(CheckResult("prompts/get", get, kLegacy)),
              ::testing::UnorderedElementsAre("/messages/0/role: \"system\" is not one of \"user\", \"assistant\"",
                                              "/messages/1/content: is required (an object)"));
}

TEST(SpecCheck, CompletionValuesAreAtMostAHundredStrings) {
  Json values = Json::array();
  for (int i = 0; i < 101; ++i) values.push_back("v" + std::to_string(i));
  values[5] = 5;
  Json r = {{"completion", {{"values", values}, {"hasMore", "no"}}}};
  EXPECT_THAT(Errors(CheckResult("completion/complete", r, kLegacy)),
              ::testing::UnorderedElementsAre("/completion/values: has 101 items; at most 100 are allowed",
                                              "/completion/values/5: must be a string, not number",
                                              "/completion/hasMore: must be a boolean, not string"));
}

TEST(SpecCheck, ResultsMustBeObjects) {
  EXPECT_THAT(Errors(CheckResult("tools/list", Json::array(), kLegacy)),
              ::testing::ElementsAre("a result must be a JSON object, not array"));
}

Json ToolWithOutput() {
  Json tool = Tool("sum");
  tool["outputSchema"] = {{"type", "object"},
                          {"properties", {{"total", {{"type", "integer"}}}}},
                          {"required", {"total"}}};
  return tool;
}

TEST(ToolResultCheck, ConformingStructuredContentPasses) {
  Json r = {{"content", {{{"type", "text"}, {"text", "{\"total\":3}"}}}}, {"structuredContent", {{"total", 3}}}};
  EXPECT_TRUE(CheckToolResult(ToolWithOutput(), r).empty());
}

TEST(ToolResultCheck, MissingStructuredContentIsAnError) {
  Json r = {{"content", {{{"type", "text"}, {"text", "3"}}}}};
  EXPECT_THAT(Errors(CheckToolResult(ToolWithOutput(), r)),
              ::testing::ElementsAre(HasSubstr("/structuredContent: is missing: tool \"sum\" declares an outputSchema")));
}

TEST(ToolResultCheck, StructuredContentViolatingTheSchemaIsAnError) {
  Json r = {{"content", Json::array()}, {"structuredContent", {{"total", "three"}}}};
  auto errors = Errors(CheckToolResult(ToolWithOutput(), r));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("/structuredContent/total"));
  EXPECT_THAT(errors[0], HasSubstr("outputSchema of tool \"sum\""));
}

TEST(ToolResultCheck, ErrorResultsAndToolsWithoutSchemasAreNotChecked) {
  Json error = {{"content", {{{"type", "text"}, {"text", "failed"}}}}, {"isError", true}};
  EXPECT_TRUE(CheckToolResult(ToolWithOutput(), error).empty());
  Json plain = {{"content", Json::array()}};
  EXPECT_TRUE(CheckToolResult(Tool("plain"), plain).empty());
}

TEST(ToolResultCheck, AnUncompilableSchemaIsAWarning) {
  Json tool = Tool("odd");
  tool["outputSchema"] = {{"type", "object"}, {"properties", {{"a", {{"type", 12}}}}}};
  Json r = {{"content", Json::array()}, {"structuredContent", {{"a", 1}}}};
  auto problems = CheckToolResult(tool, r);
  EXPECT_TRUE(Errors(problems).empty());
  EXPECT_THAT(Warnings(problems), ::testing::ElementsAre(HasSubstr("cannot be compiled")));
}

}  // namespace
}  // namespace weft::mcp
