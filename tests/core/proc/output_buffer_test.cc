// OutputBuffer: the head, the tail ring, offsets across the gap, and views.
#include "core/proc/output_buffer.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace weft::proc {
namespace {

TEST(OutputBuffer, KeepsEverythingThatFits) {
  OutputBuffer b(4, 8);
  b.Append("hello ");
  b.Append("world");
  EXPECT_EQ(b.total(), 11u);
  EXPECT_EQ(b.dropped(), 0u);
  OutputBuffer::Page p = b.Read(0, 100);
  EXPECT_EQ(p.bytes, "hello world");
  EXPECT_EQ(p.offset, 0u);
  EXPECT_EQ(p.skipped, 0u);
  EXPECT_EQ(b.Read(6, 3).bytes, "wor");
  EXPECT_EQ(b.Read(11, 3).bytes, "");
  EXPECT_EQ(b.Read(50, 3).offset, 11u) << "an offset past the end is clamped";
}

TEST(OutputBuffer, DropsTheMiddleAndCountsIt) {
  OutputBuffer b(4, 8);
  b.Append("0123456789ABCDEFGHIJ");
  EXPECT_EQ(b.total(), 20u);
  EXPECT_EQ(b.dropped(), 8u);
  EXPECT_EQ(b.tail_start(), 12u);
  OutputBuffer::Page head = b.Read(0, 100);
  EXPECT_EQ(head.bytes, "0123") << "a page never spans the gap";
  OutputBuffer::Page gap = b.Read(4, 100);
  EXPECT_EQ(gap.skipped, 8u);
  EXPECT_EQ(gap.offset, 12u);
  EXPECT_EQ(gap.bytes, "CDEFGHIJ");
  EXPECT_EQ(b.Read(15, 3).bytes, "FGH");
}

TEST(OutputBuffer, HeadAndTailShowsBothEndsWithTheOmittedCount) {
  OutputBuffer b(1000, 1000);
  std::string all;
  for (int i = 0; i < 300; ++i) all += std::to_string(i % 10);
  b.Append(all);
  OutputBuffer::View whole = b.HeadAndTail(1000);
  EXPECT_EQ(whole.head, all);
  EXPECT_EQ(whole.tail, "");
  EXPECT_EQ(whole.omitted, 0u);
  OutputBuffer::View cut = b.HeadAndTail(100);
  EXPECT_EQ(cut.head, all.substr(0, 25));
  EXPECT_EQ(cut.tail, all.substr(225));
  EXPECT_EQ(cut.omitted, 200u);
}

TEST(OutputBuffer, HeadAndTailNeverBridgesDroppedBytes) {
  OutputBuffer b(4, 8);
  b.Append("0123456789ABCDEFGHIJ");
  OutputBuffer::View v = b.HeadAndTail(100);
  EXPECT_EQ(v.head, "0123");
  EXPECT_EQ(v.tail, "CDEFGHIJ");
  EXPECT_EQ(v.omitted, 8u);
}

TEST(OutputBuffer, WithoutATailKeepsTheHeadAndCounts) {
  OutputBuffer b(3, 0);
  b.Append("abcdef");
  EXPECT_EQ(b.total(), 6u);
  EXPECT_EQ(b.Read(0, 10).bytes, "abc");
  OutputBuffer::Page rest = b.Read(3, 10);
  EXPECT_EQ(rest.skipped, 3u);
  EXPECT_EQ(rest.bytes, "");
}

// Random appends against a plain string: every read agrees with the model.
TEST(OutputBuffer, AgreesWithAPlainStringUnderRandomAppends) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    size_t head_cap = rng() % 20, tail_cap = 1 + rng() % 40;
    OutputBuffer b(head_cap, tail_cap);
    std::string all;
    for (int step = 0; step < 40; ++step) {
      std::string piece(rng() % 60, 'x');
      for (char& c : piece) c = static_cast<char>('a' + rng() % 26);
      b.Append(piece);
      all += piece;
      ASSERT_EQ(b.total(), all.size());
      size_t head = std::min(head_cap, all.size());
      size_t tail_start = std::max(head, all.size() > tail_cap ? all.size() - tail_cap : 0);
      ASSERT_EQ(b.dropped(), tail_start - head);
      uint64_t offset = rng() % (all.size() + 1);
      size_t max = rng() % 50;
      OutputBuffer::Page p = b.Read(offset, max);
      uint64_t expect_offset = offset >= head && offset < tail_start ? tail_start : offset;
      ASSERT_EQ(p.offset, expect_offset);
      ASSERT_EQ(p.skipped, expect_offset - offset);
      size_t end = expect_offset < head && tail_start > head ? head : all.size();
      ASSERT_EQ(p.bytes, all.substr(expect_offset, std::min<size_t>(max, end - expect_offset)));
    }
  }
}

}  // namespace
}  // namespace weft::proc
