// Tests for CompiledSchema and DescribeViolations: what passes, what fails,
// and how each failure is worded and located.
#include "core/schema/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace weft {

// Found by gtest through argument-dependent lookup when printing a mismatch.
void PrintTo(const SchemaViolation& v, std::ostream* os) { *os << "{\"" << v.path << "\": " << v.message << "}"; }

namespace {

std::unique_ptr<CompiledSchema> CompileOrNull(const std::string& text) {
  Result<std::unique_ptr<CompiledSchema>> compiled = CompiledSchema::Compile(Json::parse(text));
  if (!compiled.ok()) {
    ADD_FAILURE() << compiled.status();
    return nullptr;
  }
  return std::move(compiled).value();
}

std::vector<SchemaViolation> Check(const CompiledSchema& schema, const std::string& value) {
  return schema.Validate(Json::parse(value));
}

MATCHER_P2(Violation, path, message, "") { return arg.path == path && arg.message == message; }

constexpr const char* kPathSchema = R"({
  "type": "object",
  "properties": {"path": {"type": "string"}, "count": {"type": "integer"}},
  "required": ["path"],
  "additionalProperties": false
})";

// The exact schema the 2020-12 dialect test case uses: a $defs reference that
// draft-07 mode must resolve.
constexpr const char* kAddressSchema =
    R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},"additionalProperties":false})";

TEST(CompiledSchema, AcceptsConformingValue) {
  auto schema = CompileOrNull(kPathSchema);
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"({"path": "/tmp/x", "count": 3})").empty());
}

TEST(CompiledSchema, ReportsWrongTypeWithExpectedAndActualType) {
  auto schema = CompileOrNull(kPathSchema);
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"({"path": 5})"),
              ::testing::ElementsAre(Violation("/path", "expected type string, got integer")));
}

TEST(CompiledSchema, ReportsMissingRequiredPropertyAtItsObject) {
  auto schema = CompileOrNull(kPathSchema);
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"({})"),
              ::testing::ElementsAre(Violation("", "missing required property \"path\"")));
}

TEST(CompiledSchema, ReportsEveryDisallowedProperty) {
  auto schema = CompileOrNull(kPathSchema);
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"({"path": "x", "foo": 1, "bar": 2})"),
              ::testing::UnorderedElementsAre(Violation("", "property \"foo\" is not allowed"),
                                              Violation("", "property \"bar\" is not allowed")));
}

TEST(CompiledSchema, ReportsAllProblemsOfOneValue) {
  auto schema = CompileOrNull(kPathSchema);
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"({"count": "three", "foo": true})"),
              ::testing::UnorderedElementsAre(Violation("", "missing required property \"path\""),
                                              Violation("/count", "expected type integer, got string"),
                                              Violation("", "property \"foo\" is not allowed")));
}

TEST(CompiledSchema, ReportsRootTypeMismatch) {
  auto schema = CompileOrNull(kPathSchema);
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"([1, 2])"),
              ::testing::ElementsAre(Violation("", "expected type object, got array")));
}

TEST(CompiledSchema, LocatesArrayElementsAsJsonPointers) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{"tags":{"type":"array","items":{"type":"string"}}}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"({"tags": ["a", true, "c"]})"),
              ::testing::ElementsAre(Violation("/tags/1", "expected type string, got boolean")));
}

TEST(CompiledSchema, AppliesAnAdditionalPropertiesSchemaToUndeclaredProperties) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{"n":{"type":"integer"}},"additionalProperties":{"type":"string"}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"({"n": 1, "HOME": "/root"})").empty());
  EXPECT_THAT(Check(*schema, R"({"n": 1, "PORT": 80})"),
              ::testing::ElementsAre(Violation("/PORT", "expected type string, got integer")));
}

TEST(CompiledSchema, EscapesSlashAndTildeInPointers) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{"a/b~c":{"type":"string"}}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"({"a/b~c": 1})"),
              ::testing::ElementsAre(Violation("/a~1b~0c", "expected type string, got integer")));
}

TEST(CompiledSchema, ResolvesDefsReferenceInDraft7Mode) {
  auto schema = CompileOrNull(kAddressSchema);
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"({"name": "Ada", "address": {"street": "1 Main St", "city": "Leeds"}})").empty());
  EXPECT_THAT(Check(*schema, R"({"name": "Ada", "address": {"city": 5}})"),
              ::testing::ElementsAre(Violation("/address/city", "expected type string, got integer")));
  EXPECT_THAT(Check(*schema, R"({"address": "Leeds"})"),
              ::testing::ElementsAre(Violation("/address", "expected type object, got string")));
}

TEST(CompiledSchema, EnforcesAdditionalPropertiesBesideDefs) {
  auto schema = CompileOrNull(kAddressSchema);
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"({"name": "Ada", "zip": "LS1"})"),
              ::testing::ElementsAre(Violation("", "property \"zip\" is not allowed")));
}

TEST(CompiledSchema, ValidatesRecursiveDefinitions) {
  auto schema = CompileOrNull(R"({
    "type": "object",
    "$defs": {"node": {"type": "object", "required": ["name"],
                       "properties": {"name": {"type": "string"},
                                      "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
    "properties": {"root": {"$ref": "#/$defs/node"}}
  })");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"({"root": {"name": "a", "children": [{"name": "b", "children": []}]}})").empty());
  EXPECT_THAT(Check(*schema, R"({"root": {"name": "a", "children": [{"name": "b", "children": [{"name": 7}]}]}})"),
              ::testing::ElementsAre(Violation("/root/children/0/children/0/name", "expected type string, got integer")));
}

TEST(CompiledSchema, ReportsEnumWithTheAllowedValues) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{"mode":{"enum":["rewrite","append"]}}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"({"mode": "insert"})"),
              ::testing::ElementsAre(Violation("/mode", "must be one of \"rewrite\" or \"append\", got \"insert\"")));
}

TEST(CompiledSchema, ReportsConstWithTheRequiredValue) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{"kind":{"const":"file"}}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"({"kind": "dir"})"),
              ::testing::ElementsAre(Violation("/kind", "must be \"file\", got \"dir\"")));
}

TEST(CompiledSchema, ReportsNumericBoundsWithTheSchemasNumbers) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{
      "a":{"maximum":10}, "b":{"exclusiveMaximum":10}, "c":{"minimum":0.5}, "d":{"exclusiveMinimum":0}}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"({"a": 12, "b": 10, "c": 0.25, "d": 0})"),
              ::testing::UnorderedElementsAre(Violation("/a", "must be at most 10, got 12"),
                                              Violation("/b", "must be less than 10, got 10"),
                                              Violation("/c", "must be at least 0.5, got 0.25"),
                                              Violation("/d", "must be greater than 0, got 0")));
  EXPECT_TRUE(Check(*schema, R"({"a": 10, "b": 9.5, "c": 0.5, "d": 1})").empty());
}

TEST(CompiledSchema, CountsStringLengthInCharacters) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{"s":{"minLength":2,"maxLength":3}}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"({"s": "hé"})").empty());
  EXPECT_THAT(Check(*schema, R"({"s": "héllo"})"),
              ::testing::ElementsAre(Violation("/s", "must be at most 3 characters long, got 5")));
  EXPECT_THAT(Check(*schema, R"({"s": "é"})"),
              ::testing::ElementsAre(Violation("/s", "must be at least 2 characters long, got 1")));
}

TEST(CompiledSchema, ReportsArrayAndObjectSizes) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{
      "list":{"type":"array","minItems":1,"maxItems":2},
      "map":{"type":"object","minProperties":1,"maxProperties":1}}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"({"list": [1, 2, 3], "map": {}})"),
              ::testing::UnorderedElementsAre(Violation("/list", "must have at most 2 items, got 3"),
                                              Violation("/map", "must have at least 1 properties, got 0")));
}

TEST(CompiledSchema, ReportsDuplicateItems) {
  auto schema = CompileOrNull(R"({"type":"array","uniqueItems":true})");
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(Check(*schema, R"(["a", "b", "a"])"),
              ::testing::ElementsAre(Violation("", "items must be unique, but items 0 and 2 are equal")));
}

TEST(CompiledSchema, UniqueItemsComparesValuesNotSpellings) {
  auto schema = CompileOrNull(R"({"type":"array","uniqueItems":true})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"([1, "1", [1], {"a": 1}, {"a": 2}])").empty());
  EXPECT_THAT(Check(*schema, R"([{"a": 1, "b": 2}, {"b": 2, "a": 1}])"),
              ::testing::ElementsAre(Violation("", "items must be unique, but items 0 and 1 are equal")));
  EXPECT_THAT(Check(*schema, R"([1, 1.0])"),
              ::testing::ElementsAre(Violation("", "items must be unique, but items 0 and 1 are equal")));
}

TEST(CompiledSchema, UniqueItemsReportsOnlyTheFirstRepeatOfAHugeArray) {
  auto schema = CompileOrNull(R"({"type":"array","uniqueItems":true})");
  ASSERT_NE(schema, nullptr);
  Json value = Json::array();
  for (int i = 0; i < 200000; ++i) value.push_back("same");
  EXPECT_THAT(schema->Validate(value),
              ::testing::ElementsAre(Violation("", "items must be unique, but items 0 and 1 are equal")));
}

TEST(CompiledSchema, UniqueItemsFalseAllowsRepeats) {
  auto schema = CompileOrNull(R"({"type":"array","uniqueItems":false})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, "[1, 1]").empty());
}

TEST(CompiledSchema, CompileRefusesSchemasNestedTooDeep) {
  Json schema = Json::object();
  for (int i = 0; i < 300; ++i) schema = Json{{"not", schema}};
  Result<std::unique_ptr<CompiledSchema>> compiled = CompiledSchema::Compile(schema);
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.status().message(), "schema is nested more than 256 levels deep");
}

TEST(CompiledSchema, ReportsPatternMismatchWithThePattern) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{"id":{"type":"string","pattern":"^[a-z]+$","maxLength":20}}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"({"id": "abc"})").empty());
  EXPECT_THAT(Check(*schema, R"({"id": "ABC"})"),
              ::testing::ElementsAre(Violation("/id", "must match the pattern \"^[a-z]+$\"")));
}

TEST(CompiledSchema, HugeStringAgainstPatternFailsOnLengthWithoutRunningTheRegex) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{"id":{"type":"string","pattern":"^(a|b)*$","maxLength":1000}}})");
  ASSERT_NE(schema, nullptr);
  Json value = {{"id", std::string(1'000'000, 'a')}};
  std::vector<SchemaViolation> violations = schema->Validate(value);
  EXPECT_THAT(violations, ::testing::Contains(Violation("/id", "must be at most 1000 characters long, got 1000000")));
  EXPECT_THAT(violations, ::testing::Contains(Violation("/id", "is too long to be checked against the pattern \"^(a|b)*$\"")));
}

TEST(CompiledSchema, TreatsFormatAsAnAnnotation) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{"when":{"format":"date-time"}}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"({"when": "yesterday"})").empty());
  EXPECT_TRUE(Check(*schema, R"({"when": 17})").empty());
}

TEST(CompiledSchema, IntegerRejectsFractions) {
  auto schema = CompileOrNull(R"({"type":"integer"})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, "3").empty());
  EXPECT_THAT(Check(*schema, "1.5"), ::testing::ElementsAre(Violation("", "expected type integer, got number")));
}

TEST(CompiledSchema, ListsEveryTypeOfATypeArray) {
  auto schema = CompileOrNull(R"({"type":["string","null"]})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, "null").empty());
  EXPECT_THAT(Check(*schema, "[]"), ::testing::ElementsAre(Violation("", "expected type string or null, got array")));
}

TEST(CompiledSchema, ReportsAnyOfWithTheAlternativesTypes) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{"v":{"anyOf":[{"type":"string"},{"type":"integer"}]}}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"({"v": 3})").empty());
  EXPECT_THAT(Check(*schema, R"({"v": true})"),
              ::testing::ElementsAre(Violation("/v", "expected type string or integer, got boolean"),
                                     Violation("/v", "does not match any of the alternatives in \"anyOf\"")));
}

TEST(CompiledSchema, ReportsOneOfMatchingMoreThanOne) {
  auto schema = CompileOrNull(R"({"oneOf":[{"type":"integer"},{"minimum":0}]})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, "-3").empty());
  EXPECT_THAT(Check(*schema, "3"),
              ::testing::ElementsAre(Violation("", "matches more than one of the alternatives in \"oneOf\", but must match exactly one")));
}

TEST(CompiledSchema, ReportsNot) {
  auto schema = CompileOrNull(R"({"not":{"const":"root"}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"("user")").empty());
  EXPECT_THAT(Check(*schema, R"("root")"),
              ::testing::ElementsAre(Violation("", "matches the schema in \"not\", which it must not")));
}

TEST(CompiledSchema, AllOfAppliesEverySchema) {
  auto schema = CompileOrNull(R"({"allOf":[{"type":"object","required":["a"]},{"required":["b"]}]})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"({"a": 1, "b": 2})").empty());
  EXPECT_THAT(Check(*schema, R"({"a": 1})"),
              ::testing::ElementsAre(Violation("", "missing required property \"b\"")));
}

TEST(CompiledSchema, FalseSubschemaIsReportedWhereItApplies) {
  auto schema = CompileOrNull(R"({"type":"object","properties":{"legacy":false}})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"({})").empty());
  EXPECT_THAT(Check(*schema, R"({"legacy": 1})"),
              ::testing::ElementsAre(Violation("/legacy", "no value is allowed here")));
}

TEST(CompiledSchema, RefusesValuesNestedTooDeep) {
  auto schema = CompileOrNull(R"({})");
  ASSERT_NE(schema, nullptr);
  Json value = Json::array();
  for (int i = 0; i < 300; ++i) value = Json::array({value});
  std::vector<SchemaViolation> violations = schema->Validate(value);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].path, "");
  EXPECT_EQ(violations[0].message, "is nested more than 256 levels deep");
}

TEST(CompiledSchema, CompilesDraft07SchemasOutsideTheSubset) {
  // Compile is for any schema valijson can run (a client checks other servers'
  // schemas); the subset is SchemaStore's rule.
  auto schema = CompileOrNull(R"({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "definitions": {"id": {"type": "string", "format": "uuid", "pattern": "^[0-9a-f]+$"}},
    "type": "object",
    "properties": {"id": {"$ref": "#/definitions/id"}},
    "if": {"required": ["a"]}, "then": {"required": ["b"]},
    "patternProperties": {"^x-": {"type": "integer"}}
  })");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(Check(*schema, R"({"id": "00ff", "x-n": 1})").empty());
  EXPECT_THAT(Check(*schema, R"({"id": 7})"),
              ::testing::ElementsAre(Violation("/id", "expected type string, got integer")));
  EXPECT_THAT(Check(*schema, R"({"id": "XYZ"})"),
              ::testing::ElementsAre(Violation("/id", "must match the pattern \"^[0-9a-f]+$\"")));
  EXPECT_THAT(Check(*schema, R"({"a": 1})"),
              ::testing::ElementsAre(Violation("", "missing required property \"b\""),
                                     Violation("", "does not match the \"then\" or \"else\" schema that its \"if\" selects")));
  std::vector<SchemaViolation> pattern_property = Check(*schema, R"({"x-n": "one"})");
  ASSERT_EQ(pattern_property.size(), 1u);
  EXPECT_EQ(pattern_property[0].path, "/x-n");
}

TEST(CompiledSchema, CompileRefusesReferencesOutsideTheDocument) {
  Result<std::unique_ptr<CompiledSchema>> compiled =
      CompiledSchema::Compile(Json::parse(R"({"properties":{"a":{"$ref":"https://example.com/a.json"}}})"));
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(compiled.status().message(), ::testing::HasSubstr("does not point into this document"));
}

TEST(CompiledSchema, CompileRefusesSchemasThatWouldNeverFinishValidating) {
  for (const char* text : {R"({"$ref":"#"})", R"({"allOf":[{"$ref":"#"}]})",
                           R"({"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}}})"}) {
    Result<std::unique_ptr<CompiledSchema>> compiled = CompiledSchema::Compile(Json::parse(text));
    ASSERT_FALSE(compiled.ok()) << text;
    EXPECT_THAT(compiled.status().message(), ::testing::HasSubstr("validation would never end")) << text;
  }
}

TEST(CompiledSchema, KeepsTheDocumentVerbatim) {
  Json document = Json::parse(R"({"type":"object","x-mcp-header":"Region",
      "properties":{"id":{"type":"string","format":"uuid","pattern":"^[0-9a-f-]+$","maxLength":36}}})");
  auto schema = CompileOrNull(document.dump());
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->document(), document);
}

TEST(CompiledSchema, ValidatesConcurrentlyWithConsistentResults) {
  auto schema = CompileOrNull(kAddressSchema);
  ASSERT_NE(schema, nullptr);
  const Json good = Json::parse(R"({"name": "Ada", "address": {"city": "Leeds"}})");
  const Json bad = Json::parse(R"({"name": 1, "address": {"city": 5}})");
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (!schema->Validate(good).empty()) ++failures[t];
        if (schema->Validate(bad).size() != 2) ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

TEST(DescribeViolations, JoinsViolationsAndNamesTheRoot) {
  EXPECT_EQ(DescribeViolations({{"", "missing required property \"path\""},
                                {"/count", "expected type integer, got string"}}),
            "at the root: missing required property \"path\"; at /count: expected type integer, got string");
}

TEST(DescribeViolations, EmptyListGivesEmptyText) { EXPECT_EQ(DescribeViolations({}), ""); }

}  // namespace
}  // namespace weft

namespace weft {
namespace {

TEST(CompiledSchema, DeferredCompilationReportsABadSchemaAtFirstUse) {
  const Json bad = Json::parse(R"({"type": 5})");
  EXPECT_FALSE(CompiledSchema::Compile(bad).ok());
  Result<std::unique_ptr<CompiledSchema>> deferred = CompiledSchema::Compile(bad, CompiledSchema::When::kOnFirstUse);
  ASSERT_TRUE(deferred.ok()) << deferred.status();
  std::vector<SchemaViolation> violations = (*deferred)->Validate(Json::object());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0].message, ::testing::HasSubstr("schema could not be compiled"));
}

TEST(CompiledSchema, DeferredCompilationValidatesLikeEager) {
  const Json schema = Json::parse(R"({"type":"object","required":["a"],"properties":{"a":{"type":"integer"}}})");
  Result<std::unique_ptr<CompiledSchema>> deferred =
      CompiledSchema::Compile(schema, CompiledSchema::When::kOnFirstUse);
  ASSERT_TRUE(deferred.ok());
  EXPECT_TRUE((*deferred)->Validate(Json{{"a", 1}}).empty());
  EXPECT_FALSE((*deferred)->Validate(Json{{"a", "x"}}).empty());
  EXPECT_FALSE((*deferred)->ValidateFully(Json::object()).empty());
}

}  // namespace
}  // namespace weft
