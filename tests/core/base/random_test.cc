// Tests for secure randomness.
#include "core/base/random.h"

#include <set>

#include <gtest/gtest.h>

namespace weft {
namespace {

TEST(Random, HexHasTwoCharactersPerByteAndVaries) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string h = RandomHex(16);
    ASSERT_EQ(h.size(), 32u);
    EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(h);
  }
  EXPECT_EQ(seen.size(), 50u);
}

}  // namespace
}  // namespace weft
