// Tests for CheckSchemaReferences: references must resolve inside the document
// and must not loop without descending into the value.
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

std::vector<std::string> Problems(const std::string& text) { return CheckSchemaReferences(Json::parse(text)); }

TEST(SchemaReferences, AcceptsLocalReferencesInEitherSpelling) {
  EXPECT_THAT(Problems(R"({"$defs":{"a":{"type":"string"}},"properties":{"x":{"$ref":"#/$defs/a"}}})"), IsEmpty());
  EXPECT_THAT(Problems(R"({"definitions":{"a":{"type":"string"}},"items":{"$ref":"#/definitions/a"}})"), IsEmpty());
  EXPECT_THAT(Problems(R"({"properties":{"a/b":{"type":"string"},"c":{"$ref":"#/properties/a~1b"}}})"), IsEmpty());
  EXPECT_THAT(Problems(R"({"anyOf":[{"type":"string"},{"$ref":"#/anyOf/0"}]})"), IsEmpty());
}

TEST(SchemaReferences, AcceptsRecursionThatDescendsIntoTheValue) {
  EXPECT_THAT(Problems(R"({"type":"object","properties":{"child":{"$ref":"#"}}})"), IsEmpty());
  EXPECT_THAT(Problems(R"({"type":"array","items":{"$ref":"#"}})"), IsEmpty());
  EXPECT_THAT(Problems(R"({"additionalProperties":{"allOf":[{"$ref":"#"}]}})"), IsEmpty());
}

TEST(SchemaReferences, RefusesReferencesThatDoNotResolveHere) {
  for (const char* ref : {"other.json", "https://example.com/s.json#/a", "#/$defs/missing", "#missing", "#/items/01"}) {
    EXPECT_THAT(Problems(std::string(R"({"items":[{}],"properties":{"a":{"$ref":")") + ref + R"("}}})"),
                ElementsAre(HasSubstr("does not point into this document")))
        << ref;
  }
  EXPECT_THAT(Problems(R"({"$ref":7})"), ElementsAre(HasSubstr("reference 7 does not point into this document")));
}

TEST(SchemaReferences, RefusesInPlaceCyclesThroughEveryInPlaceKeyword) {
  for (const char* text : {
           R"({"$ref":"#"})",
           R"({"allOf":[{"$ref":"#"}]})",
           R"({"anyOf":[{"type":"string"},{"$ref":"#"}]})",
           R"({"oneOf":[{"$ref":"#"}]})",
           R"({"not":{"$ref":"#"}})",
           R"({"if":{"$ref":"#"}})",
           R"({"then":{"$ref":"#"}})",
           R"({"else":{"$ref":"#"}})",
           R"({"dependencies":{"a":{"$ref":"#"}}})",
           R"({"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"allOf":[{"$ref":"#/$defs/a"}]}},"properties":{"x":{"$ref":"#/$defs/a"}}})",
       }) {
    EXPECT_THAT(Problems(text), ElementsAre(HasSubstr("validation would never end"))) << text;
  }
}

TEST(SchemaReferences, FindsCyclesBelowTheRoot) {
  EXPECT_THAT(Problems(R"({"properties":{"x":{"allOf":[{"$ref":"#/properties/x"}]}}})"),
              ElementsAre(HasSubstr("validation would never end")));
}

}  // namespace
}  // namespace weft
