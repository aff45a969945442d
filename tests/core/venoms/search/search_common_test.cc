// The search ops' shared helpers: UTF-8 clean-up, cursors, globs, paths.
#include "core/venoms/search/search_common.h"

#include <gtest/gtest.h>

namespace weft::venoms::search {
namespace {

TEST(ToUtf8, EscapesInvalidBytesOnly) {
  bool escaped = false;
  EXPECT_EQ(ToUtf8("plain é ✓ 😀", &escaped), "plain é ✓ 😀");
  EXPECT_FALSE(escaped);
  EXPECT_EQ(ToUtf8("caf\xe9!", &escaped), "caf\\xE9!");
  EXPECT_TRUE(escaped);
  // Overlong forms, surrogates and a cut-off sequence are not UTF-8 either.
  EXPECT_EQ(ToUtf8("\xc0\xaf", nullptr), "\\xC0\\xAF");
  EXPECT_EQ(ToUtf8("\xed\xa0\x80", nullptr), "\\xED\\xA0\\x80");
  EXPECT_EQ(ToUtf8("ab\xe2\x9c", nullptr), "ab\\xE2\\x9C");
}

TEST(CutUtf8, CutsAtACharacterBoundary) {
  bool cut = false;
  EXPECT_EQ(CutUtf8("héllo", 2, &cut), "h");
  EXPECT_TRUE(cut);
  EXPECT_EQ(CutUtf8("héllo", 3, &cut), "hé");
  EXPECT_EQ(CutUtf8("hi", 5, &cut), "hi");
  EXPECT_FALSE(cut);
}

TEST(Cursor, RoundTripsAndChecksTheArguments) {
  Json args = {{"pattern", "x"}, {"limit", 5}};
  uint32_t check = ArgsCheck(args, "w1");
  std::string cursor = EncodeCursor(42, check);
  Result<uint64_t> skip = DecodeCursor(cursor, check);
  ASSERT_TRUE(skip.ok()) << skip.status();
  EXPECT_EQ(*skip, 42u);
  // limit and cursor do not change the check; other arguments and the workspace do.
  EXPECT_EQ(ArgsCheck({{"pattern", "x"}, {"limit", 9}, {"cursor", cursor}}, "w1"), check);
  EXPECT_NE(ArgsCheck({{"pattern", "y"}}, "w1"), check);
  EXPECT_NE(ArgsCheck({{"pattern", "x"}}, "w2"), check);
  EXPECT_FALSE(DecodeCursor(cursor, check + 1).ok());
  for (const char* bad : {"", "12", "a.00000000", "1.0000000g", "1.000000000", ".00000000"}) {
    EXPECT_FALSE(DecodeCursor(bad, check).ok()) << bad;
  }
}

TEST(EscapeGlob, MakesMetacharactersLiteral) {
  EXPECT_EQ(EscapeGlob("a*b?[c]{d}\\!e"), "a\\*b\\?\\[c\\]\\{d\\}\\\\\\!e");
  EXPECT_EQ(EscapeGlob("docs/api"), "docs/api");
}

TEST(NsJoin, JoinsRipgrepPathsBelowADirectory) {
  EXPECT_EQ(NsJoin("/", "./src/a.c"), "/src/a.c");
  EXPECT_EQ(NsJoin("/docs", "./a.md"), "/docs/a.md");
  EXPECT_EQ(NsJoin("/docs", "a.md"), "/docs/a.md");
  EXPECT_EQ(NsJoin("/docs", "."), "/docs");
}

}  // namespace
}  // namespace weft::venoms::search
