// Tests for the newline-delimited stdio transport, over pipes.
#include "mcp/transport/stdio_connection.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include <gtest/gtest.h>

namespace weft::mcp {
namespace {

struct Pipes {
  int in[2];   // test writes in[1], connection reads in[0]
  int out[2];  // connection writes out[1], test reads out[0]
  Pipes() {
    EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
  }
  ~Pipes() {
    for (int fd : {in[0], in[1], out[0], out[1]}) {
      if (fd >= 0) ::close(fd);
    }
  }
  void Send(const std::string& s) { ASSERT_EQ(::write(in[1], s.data(), s.size()), static_cast<ssize_t>(s.size())); }
  void CloseInput() {
    ::close(in[1]);
    in[1] = -1;
  }
};

TEST(StdioConnection, ReadsFramesSkippingBlankLinesAndCarriageReturns) {
  Pipes p;
  StdioConnection conn(p.in[0], p.out[1]);
  p.Send("{\"a\":1}\n\n   \n{\"b\":2}\r\n{\"c\":3}");
  p.CloseInput();
  EXPECT_EQ(*conn.Read(), "{\"a\":1}");
  EXPECT_EQ(*conn.Read(), "{\"b\":2}");
  EXPECT_EQ(*conn.Read(), "{\"c\":3}");  // final frame without a newline still counts
  auto eof = conn.Read();
  ASSERT_FALSE(eof.ok());
  EXPECT_EQ(eof.status().code(), StatusCode::kUnavailable);
}

TEST(StdioConnection, SkipsAnOversizeFrameAndKeepsReading) {
  Pipes p;
  StdioConnection conn(p.in[0], p.out[1], StdioOptions{1024});
  std::thread writer([&] {
    p.Send(std::string(5000, 'x') + "\n{\"ok\":true}\n");
    p.CloseInput();
  });
  auto big = conn.Read();
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(big.status().message().find("1024"), std::string::npos);
  EXPECT_EQ(*conn.Read(), "{\"ok\":true}");
  writer.join();
}

TEST(StdioConnection, A100MiBLineIsRefusedWithBoundedMemory) {
  Pipes p;
  StdioConnection conn(p.in[0], p.out[1]);  // default limit: 32 MiB
  std::thread writer([&] {
    std::string chunk(1 << 20, 'y');
    for (int i = 0; i < 100; ++i) p.Send(chunk);
    p.Send("\n{\"after\":1}\n");
    p.CloseInput();
  });
  auto big = conn.Read();
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(*conn.Read(), "{\"after\":1}");
  writer.join();
}

TEST(StdioConnection, WriteAppendsNewlineAndFramesStayWhole) {
  Pipes p;
  StdioConnection conn(p.in[0], p.out[1]);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) ASSERT_TRUE(conn.Write(std::string(3000, static_cast<char>('a' + t))).ok());
    });
  }
  std::string all;
  std::thread reader([&] {
    char buf[65536];
    while (all.size() < 4 * 50 * 3001) {
      ssize_t n = ::read(p.out[0], buf, sizeof(buf));
      if (n <= 0) break;
      all.append(buf, static_cast<size_t>(n));
    }
  });
  for (auto& t : threads) t.join();
  reader.join();
  size_t pos = 0;
  int lines = 0;
  while (pos < all.size()) {
    size_t nl = all.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    std::string line = all.substr(pos, nl - pos);
    ASSERT_EQ(line.size(), 3000u);
    EXPECT_EQ(line.find_first_not_of(line[0]), std::string::npos) << "interleaved frame";
    pos = nl + 1;
    ++lines;
  }
  EXPECT_EQ(lines, 200);
}

TEST(StdioConnection, CloseUnblocksAPendingRead) {
  Pipes p;
  StdioConnection conn(p.in[0], p.out[1]);
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    conn.Close();
  });
  auto r = conn.Read();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  closer.join();
  EXPECT_FALSE(conn.Write("x").ok());
}

TEST(StdioConnection, WriteToAClosedPipeFailsCleanly) {
  Pipes p;
  StdioConnection conn(p.in[0], p.out[1]);
  ::close(p.out[0]);
  p.out[0] = -1;
  ::signal(SIGPIPE, SIG_IGN);
  Status s = conn.Write("{}");
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace weft::mcp
