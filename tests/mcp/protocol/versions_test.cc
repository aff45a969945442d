// Tests for protocol version negotiation.
#include "mcp/protocol/versions.h"

#include <gtest/gtest.h>

namespace weft::mcp {
namespace {

TEST(Versions, EchoesSupportedLegacyVersions) {
  for (auto v : kLegacyVersions) EXPECT_EQ(NegotiateLegacyVersion(v), v);
}

TEST(Versions, AnswersNewestLegacyForUnknownOrModern) {
  EXPECT_EQ(NegotiateLegacyVersion("1999-01-01"), "2025-11-25");
  EXPECT_EQ(NegotiateLegacyVersion("2026-07-28"), "2025-11-25");
  EXPECT_EQ(NegotiateLegacyVersion(""), "2025-11-25");
}

TEST(Versions, BatchesOnlyBefore20250618) {
  EXPECT_TRUE(AllowsBatches("2025-03-26"));
  EXPECT_TRUE(AllowsBatches("2024-11-05"));
  EXPECT_FALSE(AllowsBatches("2025-06-18"));
  EXPECT_FALSE(AllowsBatches("2025-11-25"));
  EXPECT_FALSE(AllowsBatches("2026-07-28"));
}

}  // namespace
}  // namespace weft::mcp
