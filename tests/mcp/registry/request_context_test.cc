// Tests for CancellationToken and the RequestContext helpers built on it.
#include "mcp/registry/request_context.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/support/fake_request_context.h"

namespace weft::mcp {
namespace {

using std::chrono::milliseconds;

// Longer than any test may run: a sleep this long only ends by cancellation.
constexpr auto kForever = std::chrono::hours(1);

TEST(CancellationToken, StartsNotCancelled) {
  CancellationToken token;
  EXPECT_FALSE(token.cancelled());
}

TEST(CancellationToken, CancelSetsTheFlagForGood) {
  CancellationToken token;
  token.Cancel();
  token.Cancel();
  EXPECT_TRUE(token.cancelled());
}

TEST(CancellationToken, SleepForReturnsTrueAfterAnUncancelledSleep) {
  CancellationToken token;
  EXPECT_TRUE(token.SleepFor(milliseconds(1)));
  EXPECT_TRUE(token.SleepFor(milliseconds(0)));
}

TEST(CancellationToken, SleepForReturnsFalseAtOnceWhenAlreadyCancelled) {
  CancellationToken token;
  token.Cancel();
  EXPECT_FALSE(token.SleepFor(std::chrono::duration_cast<milliseconds>(kForever)));
}

TEST(CancellationToken, CancelWakesASleeper) {
  CancellationToken token;
  bool slept_through = true;
  std::thread sleeper([&] { slept_through = token.SleepFor(std::chrono::duration_cast<milliseconds>(kForever)); });
  std::this_thread::sleep_for(milliseconds(20));
  token.Cancel();
  sleeper.join();
  EXPECT_FALSE(slept_through);
}

TEST(RequestContext, CancelledAndSleepForFollowTheToken) {
  testing::FakeRequestContext ctx(Era::kLegacy, Json::object());
  EXPECT_FALSE(ctx.cancelled());
  EXPECT_TRUE(ctx.SleepFor(milliseconds(1)));
  ctx.Cancel();
  EXPECT_TRUE(ctx.cancelled());
  EXPECT_FALSE(ctx.SleepFor(std::chrono::duration_cast<milliseconds>(kForever)));
}

}  // namespace
}  // namespace weft::mcp
