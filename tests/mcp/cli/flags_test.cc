// Tests for the weft binary's flag parser.
#include "mcp/cli/flags.h"

#include <gtest/gtest.h>

namespace weft::cli {
namespace {

TEST(Flags, ParsesBooleanAndValuedFormsAndPositionals) {
  auto f = Flags::Parse({"--stdio", "--log-level", "debug", "--log-file=/tmp/x", "extra"},
                        {"stdio"}, {"log-level", "log-file"});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->Has("stdio"));
  EXPECT_EQ(f->Get("log-level").value_or(""), "debug");
  EXPECT_EQ(f->Get("log-file").value_or(""), "/tmp/x");
  EXPECT_EQ(f->positional(), std::vector<std::string>{"extra"});
  EXPECT_FALSE(f->Get("stdio-missing").has_value());
}

TEST(Flags, EverythingAfterDoubleDashIsPositional) {
  auto f = Flags::Parse({"--", "--stdio"}, {"stdio"}, {});
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->Has("stdio"));
  EXPECT_EQ(f->positional(), std::vector<std::string>{"--stdio"});
}

TEST(Flags, RefusesUnknownFlagsMissingValuesAndValuesOnBooleans) {
  EXPECT_NE(Flags::Parse({"--nope"}, {}, {}).status().message().find("--nope"), std::string::npos);
  EXPECT_NE(Flags::Parse({"--log-level"}, {}, {"log-level"}).status().message().find("needs a value"),
            std::string::npos);
  EXPECT_NE(Flags::Parse({"--stdio=yes"}, {"stdio"}, {}).status().message().find("takes no value"),
            std::string::npos);
}

}  // namespace
}  // namespace weft::cli
