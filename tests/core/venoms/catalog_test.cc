// The catalog over the real built-in venoms: docs/tools.md is current, and
// every op keeps the rules a model depends on (schemas/README.md).
#include "core/venoms/catalog.h"

#include <cstdlib>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "core/venoms/builtin.h"
#include "tests/support/temp_dir.h"

namespace weft::venoms {
namespace {

class BuiltinVenoms : public ::testing::Test {
 protected:
  void SetUp() override { RegisterBuiltinVenoms(registry_, workspaces_); }
  ns::Workspaces workspaces_;  // empty: nothing here calls a handler
  Registry registry_;
};

TEST_F(BuiltinVenoms, ToolsDocIsCurrent) {
  const std::string path = testing::SourceDir() + "/docs/tools.md";
  const std::string generated = ToolsMarkdown(registry_);
  const char* update = std::getenv("WEFT_UPDATE_DOCS");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << generated;
  }
  std::ifstream in(path, std::ios::binary);
  std::string on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(on_disk == generated)
      << "docs/tools.md is stale: regenerate it with WEFT_UPDATE_DOCS=1 "
         "build/tests/core/weft_core_venoms_builtin_test --gtest_filter=BuiltinVenoms.ToolsDocIsCurrent";
}

TEST_F(BuiltinVenoms, CatalogListsEveryOpOnceUnderItsVenom) {
  Json catalog = CatalogJson(registry_);
  std::set<std::string> tools;
  size_t count = 0;
  for (const Json& venom : catalog["venoms"]) {
    for (const Json& op : venom["ops"]) {
      EXPECT_EQ(op["tool"], venom["name"].get<std::string>() + "_" + op["op"].get<std::string>());
      EXPECT_TRUE(tools.insert(op["tool"].get<std::string>()).second) << op["tool"];
      ++count;
    }
  }
  EXPECT_EQ(count, registry_.ops().size());
  EXPECT_TRUE(tools.count("fs_read"));
  EXPECT_TRUE(tools.count("search_code"));
}

TEST_F(BuiltinVenoms, HintsAreConsistent) {
  for (const auto& op : registry_.ops()) {
    const Annotations& a = op->spec.annotations;
    if (a.read_only) {
      EXPECT_FALSE(a.destructive) << op->name << " is read-only, so it cannot be destructive";
      // Reading may still need a right beyond the read ones (terminal_read
      // shows process output, so it needs exec), never one to make changes.
      EXPECT_TRUE(op->spec.right != Right::kFsWrite && op->spec.right != Right::kGitWrite &&
                  op->spec.right != Right::kAgentSpawn)
          << op->name << " is read-only but needs a right that allows changes";
    }
  }
}

TEST_F(BuiltinVenoms, InputSchemasAreClosedAndDescribed) {
  for (const auto& op : registry_.ops()) {
    const Json& in = op->input->document();
    EXPECT_EQ(in.value("additionalProperties", true), false) << op->name << ": set additionalProperties false";
    const Json properties = in.value("properties", Json::object());
    for (const auto& [name, prop] : properties.items()) {
      EXPECT_FALSE(prop.value("description", "").empty()) << op->name << "." << name << " has no description";
    }
    EXPECT_GE(op->spec.description.size(), 60u) << op->name << ": describe it for a model";
  }
}

}  // namespace
}  // namespace weft::venoms
