// Tests for logging: levels and the file sink.
#include "core/base/log.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace weft {
namespace {

TEST(Log, ParsesLevels) {
  LogLevel l;
  EXPECT_TRUE(ParseLogLevel("debug", &l));
  EXPECT_EQ(l, LogLevel::kDebug);
  EXPECT_TRUE(ParseLogLevel("warn", &l));
  EXPECT_EQ(l, LogLevel::kWarning);
  EXPECT_FALSE(ParseLogLevel("loud", &l));
}

TEST(Log, WritesToFileAndFiltersByLevel) {
  testing::ScopedTempDir dir;
  std::string path = dir.Join("weft.log");
  ASSERT_TRUE(SetLogFile(path).ok());
  SetLogLevel(LogLevel::kWarning);
  WEFT_LOG(kInfo) << "hidden line";
  WEFT_LOG(kError) << "shown line " << 42;
  SetLogLevel(LogLevel::kInfo);
  ASSERT_TRUE(SetLogFile("").ok());
  std::string text = testing::ReadFileOrDie(path);
  EXPECT_EQ(text.find("hidden line"), std::string::npos);
  EXPECT_NE(text.find("shown line 42"), std::string::npos);
  EXPECT_NE(text.find(" E log_test.cc:"), std::string::npos);
}

TEST(Log, RefusesAnUnwritableFile) {
  Status s = SetLogFile("/nonexistent-dir/x.log");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace weft
