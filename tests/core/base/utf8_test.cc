// Tests for the shared UTF-8 checks.
#include "core/base/utf8.h"

#include <gtest/gtest.h>

namespace weft {
namespace {

TEST(Utf8SequenceLength, AcceptsValidSequencesOfEveryLength) {
  const std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8E\x89";  // a é € 🎉
  EXPECT_EQ(Utf8SequenceLength(s, 0), 1u);
  EXPECT_EQ(Utf8SequenceLength(s, 1), 2u);
  EXPECT_EQ(Utf8SequenceLength(s, 3), 3u);
  EXPECT_EQ(Utf8SequenceLength(s, 6), 4u);
}

TEST(Utf8SequenceLength, RefusesWhatRfc3629Excludes) {
  for (const std::string& bad : {std::string("\x80"), std::string("\xC0\xAF"), std::string("\xC1\xBF"),
                                 std::string("\xE0\x80\xAF"), std::string("\xED\xA0\x80"),
                                 std::string("\xF0\x80\x80\xAF"), std::string("\xF4\x90\x80\x80"),
                                 std::string("\xF5\x80\x80\x80"), std::string("\xFF"), std::string("\xE2\x28\xA1")}) {
    EXPECT_EQ(Utf8SequenceLength(bad, 0), 0u) << testing::PrintToString(bad);
  }
}

TEST(Utf8SequenceLength, ACutSequenceCountsOnlyWhenPartialIsAllowed) {
  const std::string cut = "\xE2\x82";  // the first two bytes of €
  EXPECT_EQ(Utf8SequenceLength(cut, 0), 0u);
  EXPECT_EQ(Utf8SequenceLength(cut, 0, /*partial=*/true), 2u);
  EXPECT_EQ(Utf8SequenceLength("\xE2\x28", 0, /*partial=*/true), 0u);  // not a beginning of one
}

TEST(ValidUtf8, ReplacesInvalidBytes) {
  EXPECT_EQ(ValidUtf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(ValidUtf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  std::string out = "kept:";
  AppendValidUtf8(&out, "\xC3\xA9\xC3");
  EXPECT_EQ(out, "kept:\xC3\xA9\xEF\xBF\xBD");
}

}  // namespace
}  // namespace weft
