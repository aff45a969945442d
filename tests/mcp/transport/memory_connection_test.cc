// Tests for the in-memory connection pair.
#include "mcp/transport/memory_connection.h"

#include <thread>

#include <gtest/gtest.h>

namespace weft::mcp {
namespace {

TEST(MemoryConnection, DeliversFramesInOrderBothWays) {
  auto [a, b] = MemoryConnection::Pair();
  ASSERT_TRUE(a->Write("1").ok());
  ASSERT_TRUE(a->Write("2").ok());
  ASSERT_TRUE(b->Write("x").ok());
  EXPECT_EQ(*b->Read(), "1");
  EXPECT_EQ(*b->Read(), "2");
  EXPECT_EQ(*a->Read(), "x");
  EXPECT_FALSE(a->TryRead().has_value());
}

TEST(MemoryConnection, CloseDrainsThenReportsClosed) {
  auto [a, b] = MemoryConnection::Pair();
  ASSERT_TRUE(a->Write("last").ok());
  a->Close();
  EXPECT_EQ(*b->Read(), "last");
  EXPECT_EQ(b->Read().status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(b->Write("x").ok());
}

TEST(MemoryConnection, ReadForTimesOut) {
  auto [a, b] = MemoryConnection::Pair();
  EXPECT_FALSE(b->ReadFor(std::chrono::milliseconds(20)).has_value());
  std::thread t([&] { ASSERT_TRUE(a->Write("late").ok()); });
  EXPECT_EQ(b->ReadFor(std::chrono::seconds(5)).value_or(""), "late");
  t.join();
}

}  // namespace
}  // namespace weft::mcp
