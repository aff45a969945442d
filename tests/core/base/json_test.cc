// Tests for the JSON helpers: the fast writer must give nlohmann's bytes.
#include "core/base/json.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace weft {
namespace {

std::string Reference(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

TEST(DumpJson, EscapesLikeNlohmann) {
  for (std::string s : {std::string(""), std::string("plain ascii text, longer than eight bytes"),
                        std::string("quote \" backslash \\ slash / tab\t newline\n cr\r"),
                        std::string("\b\f\x01\x1f\x7f"), std::string("é ü 中文 🎉 U+FFFD \xef\xbf\xbd"),
                        std::string("nul \0 inside", 12), std::string("12345678\"2345678\\")}) {
    EXPECT_EQ(DumpJson(Json(s)), Reference(Json(s))) << s;
  }
}

TEST(DumpJson, ReplacesInvalidUtf8LikeNlohmann) {
  for (std::string s : {std::string("ok\xff"), std::string("\xc0\xaf overlong"), std::string("\xed\xa0\x80 surrogate"),
                        std::string("\xf4\x90\x80\x80 past U+10FFFF"), std::string("cut \xe2\x82"),
                        std::string("abcdefgh\x80ijklmnop")}) {
    EXPECT_EQ(DumpJson(Json(s)), Reference(Json(s))) << s;
  }
}

TEST(DumpJson, WritesEveryTypeLikeNlohmann) {
  Json v = {{"z", nullptr},   {"a", true},        {"b", false},          {"i", -42},
            {"u", 18446744073709551615ULL}, {"f", 0.1},    {"e", 1e300},   {"arr", Json::array({1, "x", Json::object()})},
            {"obj", {{"k", Json::array()}}}, {"int_min", INT64_MIN}};
  EXPECT_EQ(DumpJson(v), Reference(v));
}

// Random strings drawn mostly from bytes that need care (controls,
// quotes, UTF-8 lead and continuation bytes) at random offsets, so the
// eight-byte fast path meets them at every alignment.
TEST(DumpJson, MatchesNlohmannOnRandomStrings) {
  std::mt19937 rng(20261121);
  const std::string alphabet = std::string("abc \"\\\n\t\x01\x1f\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\x89\x80\xbf\xff", 27);
  for (int round = 0; round < 5000; ++round) {
    std::string s;
    size_t n = rng() % 40;
    for (size_t i = 0; i < n; ++i) s += rng() % 3 == 0 ? alphabet[rng() % alphabet.size()] : 'x';
    Json v = {{"s", s}, {s, Json::array({s})}};
    ASSERT_EQ(DumpJson(v), Reference(v)) << "round " << round;
  }
}

// Text of many short lines, as listings and file contents are: a byte to
// escape every few bytes, at every alignment.
TEST(DumpJson, MatchesNlohmannOnTextOfShortLines) {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += std::string(static_cast<size_t>(i % 23), static_cast<char>('a' + i % 26));
    text += i % 7 ? "\n" : "\t\"\n";
  }
  EXPECT_EQ(DumpJson(Json(text)), Reference(Json(text)));
}

TEST(PlainJsonPrefix, StopsAtTheFirstByteJsonWouldChange) {
  EXPECT_EQ(PlainJsonPrefix(""), 0u);
  EXPECT_EQ(PlainJsonPrefix("entry-00001.txt"), 15u);
  EXPECT_EQ(PlainJsonPrefix("a long plain name, with spaces/and~marks"), 40u);
  EXPECT_EQ(PlainJsonPrefix("quote\""), 5u);
  EXPECT_EQ(PlainJsonPrefix("0123456789back\\slash"), 14u);
  EXPECT_EQ(PlainJsonPrefix("tab\there"), 3u);
  EXPECT_EQ(PlainJsonPrefix("del\x7f is kept"), 12u);
  EXPECT_EQ(PlainJsonPrefix("caf\xc3\xa9"), 3u);
  std::mt19937 rng(7);
  const std::string alphabet = std::string("abc \"\\\n\x01\x7f\xc3\xa9\xff", 12);
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    size_t n = rng() % 30;
    for (size_t i = 0; i < n; ++i) s += rng() % 4 == 0 ? alphabet[rng() % alphabet.size()] : 'x';
    size_t plain = 0;
    while (plain < s.size()) {
      unsigned char c = static_cast<unsigned char>(s[plain]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++plain;
    }
    ASSERT_EQ(PlainJsonPrefix(s), plain) << "round " << round;
    // Exactly the bytes AppendJsonString copies unchanged.
    std::string quoted;
    AppendJsonString(s.substr(0, plain), &quoted);
    EXPECT_EQ(quoted, "\"" + s.substr(0, plain) + "\"");
  }
}

TEST(AppendJsonObject, SplicesTextMembersInKeyOrder) {
  Json object = {{"b", 1}, {"d", Json::array({true})}};
  std::vector<JsonTextMember> members = {{"e", "null"}, {"a", R"({"x":"y"})"}, {"c", R"("\u00e9")"}};
  std::string out = "prefix:";
  AppendJsonObject(object, members, &out);
  EXPECT_EQ(out, R"(prefix:{"a":{"x":"y"},"b":1,"c":"\u00e9","d":[true],"e":null})");
  Json merged = MergeJsonTextMembers(object, members);
  EXPECT_EQ(merged["c"], "é");
  EXPECT_EQ(DumpJson(merged), R"({"a":{"x":"y"},"b":1,"c":"é","d":[true],"e":null})");
  std::string plain;
  AppendJsonObject(object, {}, &plain);
  EXPECT_EQ(plain, DumpJson(object));
  std::string only;
  AppendJsonObject(Json::object(), {{"k", "[]"}}, &only);
  EXPECT_EQ(only, R"({"k":[]})");
}

TEST(MergeJsonTextMembers, TextThatIsNotJsonBecomesNull) {
  EXPECT_EQ(MergeJsonTextMembers(Json::object(), {{"k", "{oops"}}), Json({{"k", nullptr}}));
}

// Strings that are all escapes, of every length around the eight-byte
// steps: the written string grows to six times the text, and twice.
TEST(DumpJson, MatchesNlohmannOnStringsOfNothingButEscapes) {
  for (size_t n : {1, 7, 8, 9, 63, 64, 65, 10000}) {
    for (char c : {'\x01', '\n', '"'}) {
      std::string text(n, c);
      ASSERT_EQ(DumpJson(Json(text)), Reference(Json(text))) << n << " of " << static_cast<int>(c);
      std::string mixed;
      for (size_t i = 0; i < n; ++i) mixed += i % 2 ? c : '\xe9';  // an invalid byte among them: nlohmann's path
      ASSERT_EQ(DumpJson(Json(mixed)), Reference(Json(mixed))) << n << " mixed";
    }
  }
}

TEST(AppendJsonString, AppendsAfterWhatIsThere) {
  std::string out = "prefix:";
  AppendJsonString("a\"b", &out);
  EXPECT_EQ(out, "prefix:\"a\\\"b\"");
  out = "prefix:";
  AppendJsonString("bad\xff", &out);
  EXPECT_EQ(out, "prefix:" + Reference(Json("bad\xff")));
}

}  // namespace
}  // namespace weft
