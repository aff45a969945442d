// The onboarding prompt: binds, read-only marks and tools, from the registry.
#include "mcp/bridge/workspace_prompts.h"

#include <gtest/gtest.h>

#include "core/venoms/builtin.h"
#include "tests/support/fake_request_context.h"
#include "tests/support/temp_dir.h"

namespace weft::mcp {
namespace {

TEST(OnboardPrompt, DescribesBindsAndEveryTool) {
  weft::testing::ScopedTempDir tmp;
  tmp.WriteFile("proj/a.txt", "a");
  tmp.WriteFile("ref/b.txt", "b");
  ns::MountTable table;
  ASSERT_TRUE(table.Add("/", ns::Source{ns::Source::Kind::kHost, "", tmp.Join("proj"), false}).ok());
  ASSERT_TRUE(table.Add("/ref", ns::Source{ns::Source::Kind::kHost, "", tmp.Join("ref"), true}).ok());
  ns::Workspaces workspaces;
  workspaces.Add(std::move(ns::Workspace::Open("ws_9", "proj", std::move(table), false)).value());
  venoms::Registry venoms;
  venoms::RegisterBuiltinVenoms(venoms, workspaces);
  PromptRegistry prompts;
  ASSERT_TRUE(AddWorkspacePrompts(workspaces, venoms, prompts).ok());

  auto onboard = prompts.Find("onboard");
  ASSERT_NE(onboard, nullptr);
  testing::FakeRequestContext ctx(Era::kLegacy);
  Result<Json> got = onboard->handler(ctx, Json::object());
  ASSERT_TRUE(got.ok()) << got.status();
  const std::string text = (*got)["messages"][0]["content"]["text"];
  EXPECT_NE(text.find("\"proj\""), std::string::npos) << text;
  EXPECT_NE(text.find("`/ref` → host:" + tmp.Join("ref") + ":ro (read-only)"), std::string::npos) << text;
  for (const auto& op : venoms.ops()) EXPECT_NE(text.find("`" + op->name + "`"), std::string::npos) << op->name;
  EXPECT_EQ(onboard->handler(ctx, {{"workspace", "nope"}}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(onboard->completer("workspace", "pr", Json::object()), std::vector<std::string>{"proj"});
}

}  // namespace
}  // namespace weft::mcp
