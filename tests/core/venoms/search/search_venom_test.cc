// The search venom's declaration: order, hints, right, and schemas a model can use.
#include "core/venoms/search/search_venom.h"

#include <gtest/gtest.h>

namespace weft::venoms {
namespace {

TEST(SearchVenom, RegistersCodeThenFilesAsReadOnlyOps) {
  ns::Workspaces workspaces;
  Registry registry;
  RegisterSearchVenom(registry, workspaces);
  ASSERT_EQ(registry.ops().size(), 2u);
  EXPECT_EQ(registry.ops()[0]->name, "search_code");
  EXPECT_EQ(registry.ops()[1]->name, "search_files");
  for (const auto& op : registry.ops()) {
    const Annotations& a = op->spec.annotations;
    EXPECT_TRUE(a.read_only) << op->name;
    EXPECT_TRUE(a.idempotent) << op->name;
    EXPECT_FALSE(a.destructive) << op->name;
    EXPECT_FALSE(a.open_world) << op->name;
    EXPECT_EQ(op->spec.right, Right::kFsRead) << op->name;
    EXPECT_FALSE(op->spec.nonblocking) << op->name << " runs a process";
  }
}

TEST(SearchVenom, InputSchemasAreClosedAndEveryPropertyDescribed) {
  ns::Workspaces workspaces;
  Registry registry;
  RegisterSearchVenom(registry, workspaces);
  for (const auto& op : registry.ops()) {
    const Json& in = op->input->document();
    EXPECT_EQ(in.value("additionalProperties", true), false) << op->name;
    const Json properties = in.value("properties", Json::object());
    for (const auto& [name, prop] : properties.items()) {
      EXPECT_FALSE(prop.value("description", "").empty()) << op->name << "." << name;
    }
    EXPECT_GE(op->spec.description.size(), 200u) << op->name;
    const Json& out = op->output->document();
    EXPECT_FALSE(out.value("required", Json::array()).empty()) << op->name;
  }
}

}  // namespace
}  // namespace weft::venoms
