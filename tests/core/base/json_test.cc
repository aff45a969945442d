// Tests for the JSON helpers: the fast writer must give nlohmann's bytes.
#include "core/base/json.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

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
