// The terminal venom's declaration: order, hints, right, and schemas a model can use.
#include "core/venoms/terminal/terminal_venom.h"

#include <set>

#include <gtest/gtest.h>

namespace weft::venoms {
namespace {

TEST(TerminalVenom, RegistersItsOpsInOrderWithTruthfulHints) {
  ns::Workspaces workspaces;
  Registry registry;
  RegisterTerminalVenom(registry, workspaces);
  std::vector<std::string> names;
  for (const auto& op : registry.ops()) names.push_back(op->name);
  EXPECT_EQ(names, (std::vector<std::string>{"terminal_exec", "terminal_start", "terminal_read", "terminal_write",
                                             "terminal_resize", "terminal_signal", "terminal_list",
                                             "terminal_remove"}));
  const std::set<std::string> looks_only = {"terminal_read", "terminal_list"};
  for (const auto& op : registry.ops()) {
    const Annotations& a = op->spec.annotations;
    EXPECT_EQ(op->spec.right, Right::kExec) << op->name;
    EXPECT_FALSE(a.open_world) << op->name;
    EXPECT_EQ(a.read_only, looks_only.count(op->name) == 1) << op->name;
    if (!a.read_only && op->name != "terminal_resize") {
      EXPECT_TRUE(a.destructive) << op->name;
    }
  }
}

TEST(TerminalVenom, InputSchemasAreClosedAndEveryPropertyDescribed) {
  ns::Workspaces workspaces;
  Registry registry;
  RegisterTerminalVenom(registry, workspaces);
  for (const auto& op : registry.ops()) {
    const Json& in = op->input->document();
    EXPECT_EQ(in.value("additionalProperties", true), false) << op->name;
    EXPECT_FALSE(in.contains("anyOf") || in.contains("oneOf")) << op->name << ": some clients refuse these at the root";
    const Json properties = in.value("properties", Json::object());
    for (const auto& [name, prop] : properties.items()) {
      EXPECT_FALSE(prop.value("description", "").empty()) << op->name << "." << name;
    }
    EXPECT_GE(op->spec.description.size(), 150u) << op->name;
    const Json& out = op->output->document();
    EXPECT_FALSE(out.value("required", Json::array()).empty()) << op->name;
  }
}

}  // namespace
}  // namespace weft::venoms
