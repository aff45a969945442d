// EventStream: numbering, retention, one writer, waiting.
#include "mcp/http/event_stream.h"

#include <gtest/gtest.h>

#include <thread>

namespace weft::mcp {
namespace {

using Clock = std::chrono::steady_clock;

TEST(EventStream, DeliversInOrderAndEndsAfterTheFinalEvent) {
  EventStream s("3-", 16);
  s.Push("a");
  s.Push("b", true, -32602);
  s.Push("late");  // nothing after the final reply
  EventStream::Event e;
  ASSERT_EQ(s.Next(0, &e, Clock::now()), EventStream::Wait::kEvent);
  EXPECT_EQ(e.seq, 1u);
  EXPECT_EQ(s.Format(e), "id: 3-1\nevent: message\ndata: a\n\n");
  ASSERT_EQ(s.Next(1, &e, Clock::now()), EventStream::Wait::kEvent);
  EXPECT_TRUE(e.final);
  EXPECT_EQ(e.error_code, -32602);
  EXPECT_EQ(s.Next(2, &e, Clock::now()), EventStream::Wait::kEnd);
  EXPECT_TRUE(s.finished());
}

TEST(EventStream, KeepsOnlyTheRetainedTailForResumption) {
  EventStream s("0-", 2);
  for (int i = 0; i < 5; ++i) s.Push(std::to_string(i));
  EventStream::Event e;
  ASSERT_EQ(s.Next(0, &e, Clock::now()), EventStream::Wait::kEvent);
  EXPECT_EQ(e.seq, 4u);  // 1..3 were dropped
  EXPECT_EQ(e.data, "3");
}

TEST(EventStream, OneWriterAtATime) {
  EventStream s("", 4);
  EXPECT_TRUE(s.Attach());
  EXPECT_FALSE(s.Attach());
  s.Detach();
  EXPECT_TRUE(s.Attach());
}

TEST(EventStream, WaitsForAPushOrTimesOutOrEndsOnClose) {
  EventStream s("", 4);
  EventStream::Event e;
  EXPECT_EQ(s.Next(0, &e, Clock::now() + std::chrono::milliseconds(10)), EventStream::Wait::kTimeout);
  std::thread pusher([&] { s.Push("x"); });
  EXPECT_EQ(s.Next(0, &e, Clock::now() + std::chrono::seconds(30)), EventStream::Wait::kEvent);
  pusher.join();
  std::thread closer([&] { s.Close(); });
  EXPECT_EQ(s.Next(1, &e, Clock::now() + std::chrono::seconds(30)), EventStream::Wait::kEnd);
  closer.join();
  s.Push("after close");
  EXPECT_EQ(s.Next(1, &e, Clock::now()), EventStream::Wait::kEnd);
}

}  // namespace
}  // namespace weft::mcp
