// Tests for the JSON-with-comments reader and in-place member insertion.
#include "mcp/cli/jsonc.h"

#include <gtest/gtest.h>

namespace weft::cli {
namespace {

using Json = nlohmann::json;

Json Plain(const nlohmann::ordered_json& j) { return Json::parse(j.dump()); }

TEST(Jsonc, ReadsCommentsAndTrailingCommasButNotSlashesInStrings) {
  auto doc = ParseJsonc("{\n  // a comment\n  \"url\": \"http://x/*y*/\", /* block */\n  \"a\": [1, 2,],\n}\n");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_TRUE(doc->has_comments);
  EXPECT_TRUE(doc->has_trailing_commas);
  EXPECT_EQ(Plain(doc->value), Json::parse(R"({"url":"http://x/*y*/","a":[1,2]})"));

  auto plain = ParseJsonc(R"({"url": "http://x", "s": "a\"//b"})");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->has_comments);
  EXPECT_FALSE(plain->has_trailing_commas);
}

TEST(Jsonc, EmptyOrCommentOnlyTextIsNull) {
  auto doc = ParseJsonc("  // nothing yet\n");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_TRUE(doc->value.is_null());
}

TEST(Jsonc, RefusesBrokenTextWithALine) {
  EXPECT_FALSE(ParseJsonc("{\"a\": 1").ok());
  EXPECT_NE(ParseJsonc("{\n\"a\": \"x\n}").status().message().find("line 2"), std::string::npos);
  EXPECT_NE(ParseJsonc("{\n/* open\n}").status().message().find("unterminated"), std::string::npos);
  EXPECT_FALSE(ParseJsonc("{\"a\": 1 / 2}").ok());
}

TEST(Jsonc, InsertsIntoNestedObjectKeepingEveryOtherByte) {
  std::string text =
      "// my settings\n{\n  \"theme\": \"One Dark\", // dark\n  \"context_servers\": {\n"
      "    \"other\": {\"url\": \"http://h/mcp\"},\n  },\n}\n";
  auto out = InsertJsoncMember(text, {"context_servers"}, "weft", {{"command", "sh"}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "// my settings\n{\n  \"theme\": \"One Dark\", // dark\n  \"context_servers\": {\n"
            "    \"weft\": {\n      \"command\": \"sh\"\n    },\n"
            "    \"other\": {\"url\": \"http://h/mcp\"},\n  },\n}\n");
}

TEST(Jsonc, InsertsIntoEmptyObjects) {
  auto top = InsertJsoncMember("// c\n{}\n", {}, "k", 1);
  ASSERT_TRUE(top.ok()) << top.status();
  EXPECT_EQ(*top, "// c\n{\n  \"k\": 1\n}\n");
  auto nested = InsertJsoncMember("{ /* c */ \"s\": {} }", {"s"}, "k", true);
  ASSERT_TRUE(nested.ok()) << nested.status();
  EXPECT_EQ(Plain(ParseJsonc(*nested)->value), Json::parse(R"({"s":{"k":true}})"));
}

TEST(Jsonc, RefusesWhatItCannotProve) {
  EXPECT_EQ(InsertJsoncMember("// c\n[1]", {}, "k", 1).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(InsertJsoncMember("{\"s\": 1} // c", {"s"}, "k", 1).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(InsertJsoncMember("{\"k\": 1} // c", {}, "k", 2).status().code(), StatusCode::kFailedPrecondition);
  // Duplicate keys: the later "s" wins, and the insertion goes there.
  auto dup = InsertJsoncMember("{\"s\": {\"a\": 1}, \"s\": {\"b\": 2}}", {"s"}, "k", 3);
  ASSERT_TRUE(dup.ok()) << dup.status();
  EXPECT_EQ(Plain(ParseJsonc(*dup)->value), Json::parse(R"({"s":{"b":2,"k":3}})"));
}

}  // namespace
}  // namespace weft::cli
