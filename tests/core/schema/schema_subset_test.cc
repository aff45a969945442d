// Tests for CheckSchemaSubset and HasObjectRoot: the keyword subset of
// schemas/README.md, what it refuses and how it says so.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/schema/schema.h"

namespace weft {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::vector<std::string> Problems(const std::string& text) { return CheckSchemaSubset(Json::parse(text)); }

// A schema with `keyword: value` on the property "p" (location /properties/p).
std::vector<std::string> ProblemsWithPropertyKeyword(const std::string& keyword, const Json& value) {
  Json schema = {{"type", "object"}, {"properties", {{"p", {{keyword, value}}}}}};
  return CheckSchemaSubset(schema);
}

TEST(SchemaSubset, AcceptsEveryAllowedKeyword) {
  EXPECT_THAT(Problems(R"({
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Everything", "description": "Uses every allowed keyword.",
    "type": "object",
    "$defs": {"name": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[a-z]+$"}},
    "properties": {
      "name": {"$ref": "#/$defs/name", "title": "Name", "description": "Who."},
      "count": {"type": "integer", "minimum": 0, "maximum": 10, "default": 1, "examples": [1, 2]},
      "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
      "mode": {"enum": ["a", "b"]},
      "kind": {"const": "file"},
      "when": {"type": "string", "format": "date-time"},
      "tags": {"type": "array", "items": {"type": "string"}, "minItems": 0, "maxItems": 5, "uniqueItems": true},
      "env": {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 0, "maxProperties": 9},
      "either": {"anyOf": [{"type": "string"}, {"type": "null"}]},
      "one": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
      "all": {"allOf": [{"type": "string"}, {"not": {"const": ""}}]},
      "region": {"type": "string", "x-mcp-header": "Region"}
    },
    "required": ["name"],
    "additionalProperties": false
  })"),
              IsEmpty());
}

TEST(SchemaSubset, AcceptsBothDialectIdentifiers) {
  EXPECT_THAT(Problems(R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"object"})"), IsEmpty());
  EXPECT_THAT(Problems(R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"})"), IsEmpty());
}

TEST(SchemaSubset, RefusesOtherDialects) {
  EXPECT_THAT(Problems(R"({"$schema":"http://json-schema.org/draft-04/schema#"})"),
              ElementsAre(HasSubstr("at the root: \"$schema\" must be")));
}

TEST(SchemaSubset, RefusesDialectBelowTheRoot) {
  EXPECT_THAT(ProblemsWithPropertyKeyword("$schema", "http://json-schema.org/draft-07/schema#"),
              ElementsAre("at /properties/p: \"$schema\" is only allowed at the root"));
}

TEST(SchemaSubset, AcceptsBooleanSubschemas) {
  EXPECT_THAT(Problems(R"({"type":"object","properties":{"a":true,"b":false},"additionalProperties":false})"),
              IsEmpty());
}

TEST(SchemaSubset, RefusesEachUnsupportedKeywordNamingItAndWhere) {
  const std::vector<std::pair<std::string, Json>> kRefused = {
      {"prefixItems", Json::array({Json::object()})},
      {"additionalItems", false},
      {"dependentRequired", {{"a", {"b"}}}},
      {"dependentSchemas", {{"a", Json::object()}}},
      {"dependencies", {{"a", {"b"}}}},
      {"unevaluatedProperties", false},
      {"unevaluatedItems", false},
      {"$id", "https://example.com/s"},
      {"id", "s"},
      {"$anchor", "here"},
      {"$dynamicRef", "#here"},
      {"$dynamicAnchor", "here"},
      {"$recursiveRef", "#"},
      {"$recursiveAnchor", true},
      {"definitions", Json::object()},
      {"if", Json::object()},
      {"then", Json::object()},
      {"else", Json::object()},
      {"contains", Json::object()},
      {"minContains", 1},
      {"maxContains", 1},
      {"propertyNames", Json::object()},
      {"patternProperties", {{"^x", Json::object()}}},
      {"multipleOf", 2},
      {"$comment", "note"},
      {"readOnly", true},
  };
  for (const auto& [keyword, value] : kRefused) {
    std::vector<std::string> problems = ProblemsWithPropertyKeyword(keyword, value);
    ASSERT_THAT(problems, SizeIs(1)) << keyword;
    EXPECT_THAT(problems[0], HasSubstr("at /properties/p: keyword \"" + keyword + "\" is not")) << keyword;
  }
}

TEST(SchemaSubset, ExplainsWhyAWellKnownKeywordIsRefused) {
  EXPECT_THAT(ProblemsWithPropertyKeyword("prefixItems", Json::array({Json::object()})),
              ElementsAre(HasSubstr("tuples are spelled differently in draft-07 and 2020-12")));
  EXPECT_THAT(ProblemsWithPropertyKeyword("multipleOf", 2),
              ElementsAre(HasSubstr("is not in the allowed subset (schemas/README.md)")));
}

TEST(SchemaSubset, RefusesTupleItems) {
  EXPECT_THAT(ProblemsWithPropertyKeyword("items", Json::array({{{"type", "string"}}})),
              ElementsAre(HasSubstr("at /properties/p: \"items\" must be a single schema")));
}

TEST(SchemaSubset, ChecksSubschemasEverywhere) {
  EXPECT_THAT(Problems(R"({"type":"object","properties":{"list":{"type":"array","items":{"anyOf":[{"if":{}}]}}}})"),
              ElementsAre(HasSubstr("at /properties/list/items/anyOf/0: keyword \"if\"")));
  EXPECT_THAT(Problems(R"({"type":"object","additionalProperties":{"not":{"contains":{}}}})"),
              ElementsAre(HasSubstr("at /additionalProperties/not: keyword \"contains\"")));
}

TEST(SchemaSubset, PropertiesNamedLikeKeywordsAreNotKeywords) {
  EXPECT_THAT(Problems(R"({"type":"object","properties":{"if":{"type":"string"},"$ref":{"type":"string"},"items":{}}})"),
              IsEmpty());
}

TEST(SchemaSubset, EscapesPropertyNamesInLocations) {
  EXPECT_THAT(Problems(R"({"type":"object","properties":{"a/b":{"if":{}}}})"),
              ElementsAre(HasSubstr("at /properties/a~1b: keyword \"if\"")));
}

TEST(SchemaSubset, AcceptsOnlyLocalDefsReferences) {
  const char* kDefs = R"("$defs":{"x":{"type":"string"}})";
  EXPECT_THAT(Problems(std::string(R"({"type":"object",)") + kDefs + R"(,"properties":{"a":{"$ref":"#/$defs/x"}}})"),
              IsEmpty());
  for (const char* ref : {"#/definitions/x", "other.json#/$defs/x", "#", "#/$defs/x/properties", "#x"}) {
    EXPECT_THAT(Problems(std::string(R"({"type":"object",)") + kDefs + R"(,"properties":{"a":{"$ref":")" + ref + R"("}}})"),
                ElementsAre(HasSubstr("at /properties/a: \"$ref\" must be a local reference")))
        << ref;
  }
}

TEST(SchemaSubset, RefusesReferenceToAMissingDefinition) {
  EXPECT_THAT(Problems(R"({"type":"object","properties":{"a":{"$ref":"#/$defs/nope"}}})"),
              ElementsAre(HasSubstr("which is not in the root's \"$defs\"")));
}

TEST(SchemaSubset, AllowsOnlyTitleAndDescriptionBesideRef) {
  const char* kPrefix = R"({"type":"object","$defs":{"x":{"type":"string"}},"properties":{"a":{"$ref":"#/$defs/x",)";
  EXPECT_THAT(Problems(std::string(kPrefix) + R"("title":"A","description":"An a."}}})"), IsEmpty());
  EXPECT_THAT(Problems(std::string(kPrefix) + R"("type":"string"}}})"),
              ElementsAre(HasSubstr("at /properties/a: keyword \"type\" is not allowed beside \"$ref\"")));
  EXPECT_THAT(Problems(std::string(kPrefix) + R"("default":"d"}}})"),
              ElementsAre(HasSubstr("keyword \"default\" is not allowed beside \"$ref\"")));
}

TEST(SchemaSubset, RefusesDefsBelowTheRoot) {
  EXPECT_THAT(ProblemsWithPropertyKeyword("$defs", {{"x", Json::object()}}),
              ElementsAre(HasSubstr("at /properties/p: \"$defs\" is only allowed at the root")));
}

TEST(SchemaSubset, RefusesDefinitionNamesThatNeedEscaping) {
  EXPECT_THAT(Problems(R"({"$defs":{"a b":{}}})"), ElementsAre(HasSubstr("at /$defs/a b: a \"$defs\" name")));
}

TEST(SchemaSubset, RefusesReferenceCycleThatNeverDescends) {
  EXPECT_THAT(Problems(R"({"$defs":{"a":{"allOf":[{"$ref":"#/$defs/b"}]},"b":{"anyOf":[{"$ref":"#/$defs/a"}]}}})"),
              ElementsAre(HasSubstr("at /$defs/a: refers back to itself"), HasSubstr("at /$defs/b: refers back to itself")));
  EXPECT_THAT(Problems(R"({"$defs":{"a":{"not":{"$ref":"#/$defs/a"}}}})"),
              ElementsAre(HasSubstr("at /$defs/a: refers back to itself")));
}

TEST(SchemaSubset, AcceptsRecursionThroughPropertiesAndItems) {
  EXPECT_THAT(Problems(R"({"$defs":{"node":{"type":"object","properties":{
                          "children":{"type":"array","items":{"$ref":"#/$defs/node"}},
                          "next":{"$ref":"#/$defs/node"}},
                          "additionalProperties":{"$ref":"#/$defs/node"}}},
                          "type":"object","properties":{"root":{"$ref":"#/$defs/node"}}})"),
              IsEmpty());
}

TEST(SchemaSubset, RefusesDraft4BooleanExclusiveBounds) {
  EXPECT_THAT(ProblemsWithPropertyKeyword("exclusiveMinimum", true),
              ElementsAre("at /properties/p: \"exclusiveMinimum\" must be a number (the draft-04 boolean form is not allowed)"));
}

TEST(SchemaSubset, PatternNeedsABoundedMaxLengthBesideIt) {
  EXPECT_THAT(Problems(R"({"type":"string","pattern":"^a+$"})"),
              ElementsAre(HasSubstr("at the root: \"pattern\" needs \"maxLength\" of at most 1000 beside it")));
  EXPECT_THAT(Problems(R"({"type":"string","pattern":"^a+$","maxLength":1001})"), SizeIs(1));
  EXPECT_THAT(Problems(R"({"type":"string","pattern":"^a+$","maxLength":1000})"), IsEmpty());
}

TEST(SchemaSubset, RefusesPatternThatIsNotARegularExpression) {
  EXPECT_THAT(Problems(R"({"type":"string","pattern":"([a-z","maxLength":10})"),
              ElementsAre(HasSubstr("\"pattern\" is not a valid ECMAScript regular expression")));
}

TEST(SchemaSubset, RefusesMalformedKeywordValues) {
  EXPECT_THAT(ProblemsWithPropertyKeyword("type", "str"), ElementsAre(HasSubstr("\"type\" must be one of")));
  EXPECT_THAT(ProblemsWithPropertyKeyword("type", Json::array({"string", "string"})),
              ElementsAre(HasSubstr("\"type\" must be one of")));
  EXPECT_THAT(ProblemsWithPropertyKeyword("required", Json::array({"a", "a"})),
              ElementsAre(HasSubstr("\"required\" must be an array of distinct property names")));
  EXPECT_THAT(ProblemsWithPropertyKeyword("minLength", -1),
              ElementsAre(HasSubstr("\"minLength\" must be a non-negative integer")));
  EXPECT_THAT(ProblemsWithPropertyKeyword("maxItems", 1.5),
              ElementsAre(HasSubstr("\"maxItems\" must be a non-negative integer")));
  EXPECT_THAT(ProblemsWithPropertyKeyword("enum", Json::array()), ElementsAre(HasSubstr("\"enum\" must be a non-empty array")));
  EXPECT_THAT(ProblemsWithPropertyKeyword("anyOf", Json::array()),
              ElementsAre(HasSubstr("\"anyOf\" must be a non-empty array of schemas")));
  EXPECT_THAT(ProblemsWithPropertyKeyword("properties", Json::array()),
              ElementsAre(HasSubstr("\"properties\" must be an object")));
  EXPECT_THAT(ProblemsWithPropertyKeyword("description", 3), ElementsAre(HasSubstr("\"description\" must be a string")));
  EXPECT_THAT(ProblemsWithPropertyKeyword("examples", "x"), ElementsAre(HasSubstr("\"examples\" must be an array")));
  EXPECT_THAT(ProblemsWithPropertyKeyword("uniqueItems", "yes"), ElementsAre(HasSubstr("\"uniqueItems\" must be true or false")));
  EXPECT_THAT(ProblemsWithPropertyKeyword("not", 7), ElementsAre(HasSubstr("at /properties/p/not: a schema must be an object or a boolean")));
}

TEST(SchemaSubset, RefusesADocumentThatIsNotAnObject) {
  EXPECT_THAT(CheckSchemaSubset(Json::array()), ElementsAre("at the root: a schema document must be a JSON object, got array"));
  EXPECT_THAT(CheckSchemaSubset(true), ElementsAre("at the root: a schema document must be a JSON object, got boolean"));
}

TEST(SchemaSubset, ReportsEveryProblemNotJustTheFirst) {
  EXPECT_THAT(Problems(R"({"type":"object","if":{},"properties":{"a":{"prefixItems":[]},"b":{"minLength":"2"}}})"),
              SizeIs(3));
}

TEST(HasObjectRoot, RequiresTypeObjectAtTheRoot) {
  EXPECT_TRUE(HasObjectRoot(Json::parse(R"({"type":"object"})")));
  EXPECT_FALSE(HasObjectRoot(Json::parse(R"({"type":"string"})")));
  EXPECT_FALSE(HasObjectRoot(Json::parse(R"({"type":["object","null"]})")));
  EXPECT_FALSE(HasObjectRoot(Json::parse(R"({"properties":{}})")));
  EXPECT_FALSE(HasObjectRoot(Json::parse("true")));
}

}  // namespace
}  // namespace weft
