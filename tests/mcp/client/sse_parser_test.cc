// SseParser: event framing, fields, split reads and limits.
#include "mcp/client/sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace weft::mcp {
namespace {

std::vector<SseEvent> FeedAll(SseParser& parser, const std::vector<std::string>& chunks) {
  std::vector<SseEvent> events;
  for (const auto& chunk : chunks) {
    parser.Feed(chunk, [&](const SseEvent& e) {
      events.push_back(e);
      return true;
    });
  }
  return events;
}

TEST(SseParser, JoinsDataLinesAndSkipsCommentsAndEmptyEvents) {
  SseParser parser(1024);
  auto events = FeedAll(parser, {": keep-alive\n\nid: 7\ndata:\n\nevent: message\ndata: {\"a\":1}\ndata:second\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "{\"a\":1}\nsecond");
  EXPECT_EQ(events[0].type, "message");
  EXPECT_EQ(events[0].last_event_id, "7");  // kept from the priming event with no data
  EXPECT_FALSE(events[0].oversized);
  EXPECT_EQ(parser.events(), 1u);
}

TEST(SseParser, EventsSplitAcrossReadsAndAnyLineEnding) {
  SseParser parser(1024);
  auto events = FeedAll(parser, {"\xEF\xBB\xBF", "da", "ta: one\r", "\n\r", "\ndata: two\r\rdata: three\n", "\n"});
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].data, "one");
  EXPECT_EQ(events[1].data, "two");
  EXPECT_EQ(events[2].data, "three");
}

TEST(SseParser, IdAndRetryFields) {
  SseParser parser(1024);
  auto events = FeedAll(parser, {"retry: 250\nid: ev-1\ndata: x\n\nretry: soon\ndata: y\n\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].last_event_id, "ev-1");
  EXPECT_EQ(events[1].last_event_id, "ev-1");
  EXPECT_EQ(parser.last_event_id(), "ev-1");
  ASSERT_TRUE(parser.retry_ms().has_value());
  EXPECT_EQ(*parser.retry_ms(), 250);  // a non-numeric retry is ignored
  auto no_colon = FeedAll(parser, {"data\n\n", "data\ndata: z\n\n"});
  ASSERT_EQ(no_colon.size(), 1u);  // "data" alone is an empty data line
  EXPECT_EQ(no_colon[0].data, "\nz");
}

TEST(SseParser, OversizedEventsAreReportedWithoutTheirData) {
  SseParser parser(8);
  auto events = FeedAll(parser, {"data: 0123456789\n\n", "data: ", std::string(5000, 'x'), "\n\ndata: ok\n\n"});
  ASSERT_EQ(events.size(), 3u);
  EXPECT_TRUE(events[0].oversized);
  EXPECT_EQ(events[0].data, "");
  EXPECT_TRUE(events[1].oversized);
  EXPECT_FALSE(events[2].oversized);
  EXPECT_EQ(events[2].data, "ok");
}

TEST(SseParser, StopsWhenTheCallbackSaysSo) {
  SseParser parser(1024);
  int seen = 0;
  EXPECT_FALSE(parser.Feed("data: a\n\ndata: b\n\n", [&](const SseEvent&) {
    ++seen;
    return false;
  }));
  EXPECT_EQ(seen, 1);
}

}  // namespace
}  // namespace weft::mcp
