// Tests for SchemaStore, and for the real schemas/ tree: every file there must
// parse, keep to the subset, compile, and be the one embedded in the binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/schema/schema.h"
#include "tests/support/temp_dir.h"

namespace weft {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kObject = R"({"type":"object","properties":{"path":{"type":"string"}}})";

TEST(SchemaStore, CompilesEveryFileAndFindsItByPath) {
  auto store = SchemaStore::FromFiles({{"fs/read.input.json", kObject}, {"fs/read.output.json", kObject}});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_THAT((*store)->Paths(), ElementsAre("fs/read.input.json", "fs/read.output.json"));
  Result<const CompiledSchema*> schema = (*store)->Get("fs/read.input.json");
  ASSERT_TRUE(schema.ok()) << schema.status();
  EXPECT_EQ((*schema)->document(), Json::parse(kObject));
  EXPECT_THAT((*schema)->Validate(Json::parse(R"({"path": 1})")), ::testing::SizeIs(1));
}

TEST(SchemaStore, UnknownPathIsNotFound) {
  auto store = SchemaStore::FromFiles({{"fs/read.input.json", kObject}});
  ASSERT_TRUE(store.ok()) << store.status();
  Result<const CompiledSchema*> schema = (*store)->Get("fs/write.input.json");
  ASSERT_FALSE(schema.ok());
  EXPECT_EQ(schema.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(schema.status().message(), HasSubstr("fs/write.input.json"));
}

TEST(SchemaStore, FailsOnInvalidJsonNamingTheFile) {
  auto store = SchemaStore::FromFiles({{"fs/ok.input.json", kObject}, {"fs/bad.input.json", "{\"type\":"}});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.status().message(), "fs/bad.input.json: not valid JSON");
}

TEST(SchemaStore, FailsOnSchemaOutsideTheSubsetNamingFileAndKeyword) {
  auto store = SchemaStore::FromFiles({{"fs/bad.output.json", R"({"type":"object","if":{}})"}});
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("fs/bad.output.json: at the root: keyword \"if\""));
}

TEST(SchemaStore, RefusesInputSchemaWithoutObjectRoot) {
  auto store = SchemaStore::FromFiles({{"fs/bad.input.json", R"({"type":"string"})"}});
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("fs/bad.input.json: an input schema needs \"type\":\"object\""));
}

TEST(SchemaStore, BuiltinIsBuiltOnceForAllThreads) {
  std::vector<const SchemaStore*> seen(4, nullptr);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] { seen[i] = &SchemaStore::Builtin(); });
  }
  for (std::thread& t : threads) t.join();
  for (const SchemaStore* s : seen) EXPECT_EQ(s, &SchemaStore::Builtin());
}

// Paths of every .json file under the source tree's schemas/, relative to it.
std::set<std::string> SchemaFilesInSourceTree() {
  std::filesystem::path root = std::filesystem::path(testing::SourceDir()) / "schemas";
  std::set<std::string> out;
  if (!std::filesystem::is_directory(root)) {
    ADD_FAILURE() << "no schemas/ directory at " << root;
    return out;
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      out.insert(entry.path().lexically_relative(root).generic_string());
    }
  }
  return out;
}

TEST(SchemaTree, EveryFileUnderSchemasIsInTheSubsetAndCompiles) {
  std::set<std::string> files = SchemaFilesInSourceTree();
  ASSERT_FALSE(files.empty()) << "schemas/ holds no .json files";
  for (const std::string& rel : files) {
    SCOPED_TRACE(rel);
    std::string text = testing::ReadFileOrDie(testing::SourceDir() + "/schemas/" + rel);
    Json document = Json::parse(text, nullptr, false);
    ASSERT_FALSE(document.is_discarded()) << "not valid JSON";
    EXPECT_THAT(CheckSchemaSubset(document), ::testing::IsEmpty());
    Result<std::unique_ptr<CompiledSchema>> compiled = CompiledSchema::Compile(document);
    EXPECT_TRUE(compiled.ok()) << compiled.status();
    if (rel.size() > 11 && rel.substr(rel.size() - 11) == ".input.json") {
      EXPECT_TRUE(HasObjectRoot(document)) << "an input schema needs \"type\":\"object\" at its root";
    }
  }
}

TEST(SchemaTree, EveryFileFollowsTheLayout) {
  std::set<std::string> files = SchemaFilesInSourceTree();
  ASSERT_FALSE(files.empty()) << "schemas/ holds no .json files";
  const std::regex kLayout(R"(^[a-z0-9_]+/[a-z0-9_]+\.(input|output)\.json$)");
  for (const std::string& rel : files) {
    EXPECT_TRUE(std::regex_match(rel, kLayout)) << rel << " is not <area>/<name>.input.json|.output.json";
  }
}

TEST(SchemaTree, BuiltinHoldsExactlyTheFilesUnderSchemas) {
  std::set<std::string> files = SchemaFilesInSourceTree();
  ASSERT_FALSE(files.empty()) << "schemas/ holds no .json files";
  std::vector<std::string> builtin = SchemaStore::Builtin().Paths();
  EXPECT_EQ(std::set<std::string>(builtin.begin(), builtin.end()), files);
  for (const std::string& rel : files) {
    Result<const CompiledSchema*> schema = SchemaStore::Builtin().Get(rel);
    ASSERT_TRUE(schema.ok()) << schema.status();
    EXPECT_EQ((*schema)->document(), Json::parse(testing::ReadFileOrDie(testing::SourceDir() + "/schemas/" + rel)))
        << rel;
  }
}

}  // namespace
}  // namespace weft
