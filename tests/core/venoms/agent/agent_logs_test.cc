// Capped, segmented agent logs.
#include "core/venoms/agent/agent_logs.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace weft::venoms::agent {
namespace {

TEST(AgentLogs, ReadsWhatWasWrittenFromAnyOffset) {
  testing::ScopedTempDir dir;
  auto w = LogWriter::Open(dir.path(), "stdout", 1000);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE(w->Append("hello ").ok());
  ASSERT_TRUE(w->Append("world").ok());
  auto all = ReadLog(dir.path(), "stdout", 0, 100);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->data, "hello world");
  EXPECT_EQ(all->next, 11u);
  EXPECT_EQ(all->end, 11u);
  EXPECT_EQ(all->dropped, 0u);
  auto part = ReadLog(dir.path(), "stdout", 6, 3);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->data, "wor");
  EXPECT_EQ(part->next, 9u);
  auto past = ReadLog(dir.path(), "stdout", 50, 10);
  ASSERT_TRUE(past.ok());
  EXPECT_EQ(past->data, "");
  EXPECT_EQ(past->next, 50u);
}

TEST(AgentLogs, KeepsAtMostTheCapAndReportsWhatWasDropped) {
  testing::ScopedTempDir dir;
  auto w = LogWriter::Open(dir.path(), "stderr", 100);
  ASSERT_TRUE(w.ok());
  std::string all;
  for (int i = 0; i < 37; ++i) {
    std::string piece = std::to_string(i) + ",";
    all += piece;
    ASSERT_TRUE(w->Append(piece).ok());
  }
  auto chunk = ReadLog(dir.path(), "stderr", 0, 1000);
  ASSERT_TRUE(chunk.ok());
  EXPECT_EQ(chunk->end, all.size());
  EXPECT_GT(chunk->dropped, 0u);
  EXPECT_EQ(chunk->dropped, w->dropped());
  EXPECT_LE(chunk->end - chunk->dropped, 100u);
  EXPECT_EQ(chunk->offset, chunk->dropped);
  EXPECT_EQ(chunk->data, all.substr(chunk->dropped));
}

TEST(AgentLogs, AStreamNeverWrittenReadsEmpty) {
  testing::ScopedTempDir dir;
  auto chunk = ReadLog(dir.path(), "stdout", 0, 10);
  ASSERT_TRUE(chunk.ok());
  EXPECT_EQ(chunk->data, "");
  EXPECT_EQ(chunk->end, 0u);
}

TEST(AgentLogs, AMissingDirectoryIsAnErrorNamingIt) {
  auto chunk = ReadLog("/nonexistent/weft-logs", "stdout", 0, 10);
  ASSERT_FALSE(chunk.ok());
  EXPECT_NE(chunk.status().message().find("/nonexistent/weft-logs"), std::string::npos);
}

}  // namespace
}  // namespace weft::venoms::agent
