// Tests for ExplainSchemaErrors: how valijson's raw reports become violations.
#include "core/schema/schema_violations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace weft {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

auto Violation(const std::string& path, const std::string& message) {
  return ::testing::AllOf(Field(&SchemaViolation::path, path), Field(&SchemaViolation::message, message));
}

const Json kSchema = Json::parse(R"({"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}}}}})");

TEST(ExplainSchemaErrors, DropsWrappersBelowWhichSomethingIsSaid) {
  Json value = Json::parse(R"({"a": {"b": 1}})");
  EXPECT_THAT(ExplainSchemaErrors(kSchema, value,
                                  {{{"<root>", "[a]", "[b]"}, "Value type not permitted by 'type' constraint."},
                                   {{"<root>", "[a]"}, "Failed to validate against schema associated with property name 'b'."},
                                   {{"<root>"}, "Failed to validate against schema associated with property name 'a'."}}),
              ElementsAre(Violation("/a/b", "expected type string, got integer")));
}

TEST(ExplainSchemaErrors, KeepsTheWrappersTargetWhenNothingBelowExplainsIt) {
  Json value = Json::parse(R"({"a": {"b": "x"}, "list": [1]})");
  EXPECT_THAT(ExplainSchemaErrors(kSchema, value,
                                  {{{"<root>"}, "Failed to validate against schema associated with property name 'a'."},
                                   {{"<root>", "[list]"}, "Failed to validate item #0 in array."}}),
              ElementsAre(Violation("/a", "no value is allowed here"), Violation("/list/0", "no value is allowed here")));
}

TEST(ExplainSchemaErrors, NeverReturnsAnEmptyList) {
  EXPECT_THAT(ExplainSchemaErrors(kSchema, Json::object(), {}), ElementsAre(Violation("", "does not match the schema")));
}

TEST(ExplainSchemaErrors, ReportsARepeatedProblemOnce) {
  Json value = Json::parse(R"({"a": 5})");
  RawSchemaError error{{"<root>", "[a]"}, "Value type not permitted by 'type' constraint."};
  EXPECT_THAT(ExplainSchemaErrors(kSchema, value, {error, error}),
              ElementsAre(Violation("/a", "expected type object, got integer")));
}

TEST(ExplainSchemaErrors, PlainsAnyOtherWording) {
  EXPECT_THAT(ExplainSchemaErrors(kSchema, Json::object(), {{{"<root>"}, "Something else went wrong."}}),
              ElementsAre(Violation("", "something else went wrong")));
}

TEST(ExplainSchemaErrors, KeepsBracketsInsidePropertyNames) {
  Json schema = Json::parse(R"({"properties":{"[x]":{"type":"string"}}})");
  Json value = Json::parse(R"({"[x]": 1})");
  EXPECT_THAT(ExplainSchemaErrors(schema, value, {{{"<root>", "[[x]]"}, "Value type not permitted by 'type' constraint."}}),
              ElementsAre(Violation("/[x]", "expected type string, got integer")));
}

}  // namespace
}  // namespace weft
