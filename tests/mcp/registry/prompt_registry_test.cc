// Tests for PromptRegistry: registration, the prompts/list entry, removal and
// change notifications.
#include "mcp/registry/prompt_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/fake_request_context.h"

namespace weft::mcp {
namespace {

using ::testing::HasSubstr;

PromptSpec Prompt(const std::string& name) {
  PromptSpec spec;
  spec.name = name;
  spec.handler = [](RequestContext&, const Json& args) -> Result<Json> {
    return Json{{"messages", Json::array({{{"role", "user"},
                                           {"content", {{"type", "text"}, {"text", args.value("topic", "")}}}}})}};
  };
  return spec;
}

TEST(PromptRegistry, FindsAnAddedPromptAndRunsItsHandler) {
  PromptRegistry registry;
  ASSERT_TRUE(registry.Add(Prompt("explain")).ok());
  std::shared_ptr<const PromptSpec> prompt = registry.Find("explain");
  ASSERT_NE(prompt, nullptr);
  testing::FakeRequestContext ctx(Era::kLegacy, Json::object());
  Result<Json> result = prompt->handler(ctx, Json{{"topic", "pipes"}});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)["messages"][0]["content"]["text"], "pipes");
  EXPECT_EQ(registry.Find("other"), nullptr);
}

TEST(PromptRegistry, DescriptorHoldsOnlyTheNameWhenNothingElseIsSet) {
  EXPECT_EQ(PromptRegistry::Descriptor(Prompt("simple")), Json({{"name", "simple"}}));
}

TEST(PromptRegistry, DescriptorListsArgumentsWithRequiredAlwaysStated) {
  PromptSpec spec = Prompt("review");
  spec.title = "Review";
  spec.description = "Reviews a change.";
  spec.arguments = {{"path", "File to review", true}, {"style", "", false}};
  EXPECT_EQ(PromptRegistry::Descriptor(spec), Json::parse(R"({
    "name": "review", "title": "Review", "description": "Reviews a change.",
    "arguments": [{"name": "path", "description": "File to review", "required": true},
                  {"name": "style", "required": false}]
  })"));
}

TEST(PromptRegistry, RefusesADuplicateAndKeepsTheFirst) {
  PromptRegistry registry;
  PromptSpec first = Prompt("explain");
  first.title = "First";
  ASSERT_TRUE(registry.Add(std::move(first)).ok());
  Status status = registry.Add(Prompt("explain"));
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(status.message(), HasSubstr("\"explain\""));
  EXPECT_EQ(registry.Find("explain")->title, "First");
}

TEST(PromptRegistry, RefusesIncompleteDeclarations) {
  PromptRegistry registry;
  EXPECT_EQ(registry.Add(Prompt("")).code(), StatusCode::kInvalidArgument);
  PromptSpec no_handler = Prompt("a");
  no_handler.handler = nullptr;
  EXPECT_THAT(registry.Add(std::move(no_handler)).message(), HasSubstr("has no handler"));
  PromptSpec unnamed_arg = Prompt("b");
  unnamed_arg.arguments = {{"", "", false}};
  EXPECT_EQ(registry.Add(std::move(unnamed_arg)).code(), StatusCode::kInvalidArgument);
  PromptSpec twice = Prompt("c");
  twice.arguments = {{"x", "", false}, {"x", "", true}};
  EXPECT_THAT(registry.Add(std::move(twice)).message(), HasSubstr("declares argument \"x\" twice"));
  EXPECT_TRUE(registry.List().empty());
}

TEST(PromptRegistry, ListsInRegistrationOrderAndRemoves) {
  PromptRegistry registry;
  for (const char* name : {"b", "a", "c"}) ASSERT_TRUE(registry.Add(Prompt(name)).ok());
  ASSERT_TRUE(registry.Remove("a").ok());
  std::vector<std::string> names;
  for (const auto& p : registry.List()) names.push_back(p->name);
  EXPECT_EQ(names, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(registry.Remove("a").code(), StatusCode::kNotFound);
}

TEST(PromptRegistry, AddAndRemovePublishPromptsChanged) {
  PromptRegistry registry;
  std::vector<ChangeKind> events;
  registry.changes().Subscribe([&](const ChangeEvent& e) { events.push_back(e.kind); });
  ASSERT_TRUE(registry.Add(Prompt("a")).ok());
  EXPECT_FALSE(registry.Add(Prompt("a")).ok());
  ASSERT_TRUE(registry.Remove("a").ok());
  EXPECT_FALSE(registry.Remove("a").ok());
  EXPECT_EQ(events, (std::vector<ChangeKind>{ChangeKind::kPromptsChanged, ChangeKind::kPromptsChanged}));
}

TEST(PromptRegistry, AddOrDieAbortsOnADuplicate) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  PromptRegistry registry;
  registry.AddOrDie(Prompt("a"));
  EXPECT_DEATH(registry.AddOrDie(Prompt("a")), "cannot register prompt \"a\"");
}

}  // namespace
}  // namespace weft::mcp
