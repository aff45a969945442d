// ReadLineWithin: one line from a pipe, with a deadline and a size cap.
#include "core/base/line_read.h"

#include <unistd.h>

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "core/base/fd.h"

namespace weft {
namespace {

using std::chrono::milliseconds;

struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    in.Reset(fds[0]);
    out.Reset(fds[1]);
  }
  void Write(const std::string& s) { ASSERT_EQ(::write(out.get(), s.data(), s.size()), static_cast<ssize_t>(s.size())); }
  UniqueFd in, out;
};

TEST(ReadLineWithin, ReadsOneLineAndLeavesTheRest) {
  Pipe p;
  p.Write("first\nsecond\n");
  Result<LineRead> a = ReadLineWithin(p.in.get(), milliseconds(1000), 100);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->text, "first");
  EXPECT_FALSE(a->closed);
  Result<LineRead> b = ReadLineWithin(p.in.get(), milliseconds(1000), 100);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->text, "second");
}

TEST(ReadLineWithin, SaysWhenTheWriterClosedFirst) {
  Pipe p;
  p.Write("partial");
  p.out.Reset();
  Result<LineRead> r = ReadLineWithin(p.in.get(), milliseconds(1000), 100);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->closed);
  EXPECT_EQ(r->text, "partial");
}

TEST(ReadLineWithin, GivesUpAtTheDeadlineAndPastTheCap) {
  Pipe p;
  Result<LineRead> late = ReadLineWithin(p.in.get(), milliseconds(50), 100);
  EXPECT_EQ(late.status().code(), StatusCode::kDeadlineExceeded);
  p.Write(std::string(200, 'x') + "\n");
  Result<LineRead> big = ReadLineWithin(p.in.get(), milliseconds(1000), 100);
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace weft
