// mcp-inspect's command-line grammar.
#include "mcp/client/inspect_args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace weft::mcp::inspect {
namespace {

using ::testing::HasSubstr;

ParseOutcome Parse(std::vector<std::string> args) { return ParseArgs(args); }

TEST(InspectArgs, SubcommandBeforeTheServerCommand) {
  ParseOutcome o = Parse({"--json", "call", "fs_read", R"({"path":"a"})", "--", "weft", "serve", "--stdio"});
  ASSERT_EQ(o.kind, ParseOutcome::kRun) << o.error;
  const Invocation& inv = o.invocation;
  EXPECT_EQ(inv.command, Command::kCall);
  EXPECT_EQ(inv.target, "fs_read");
  EXPECT_EQ(inv.arguments, Json({{"path", "a"}}));
  EXPECT_TRUE(inv.json);
  EXPECT_EQ(inv.era, EraMode::kAuto);
  EXPECT_EQ(inv.server, (std::vector<std::string>{"weft", "serve", "--stdio"}));
}

TEST(InspectArgs, OptionsMayFollowTheSubcommandAndServerFlagsStayTheServers) {
  ParseOutcome o = Parse({"tools", "--era", "legacy", "--timeout=250", "-q", "--", "srv", "--json", "--", "-x"});
  ASSERT_EQ(o.kind, ParseOutcome::kRun) << o.error;
  EXPECT_EQ(o.invocation.command, Command::kTools);
  EXPECT_EQ(o.invocation.era, EraMode::kLegacy);
  EXPECT_EQ(o.invocation.timeout.count(), 250);
  EXPECT_TRUE(o.invocation.quiet);
  EXPECT_FALSE(o.invocation.json);
  EXPECT_EQ(o.invocation.server, (std::vector<std::string>{"srv", "--json", "--", "-x"}));
}

TEST(InspectArgs, DefaultsAndRepeatableOptions) {
  ParseOutcome o = Parse({"-e", "A=1", "--env", "B=x=y", "--cwd", "/tmp", "--server-stderr", "/tmp/log",
                          "call", "t", "--", "srv"});
  ASSERT_EQ(o.kind, ParseOutcome::kRun) << o.error;
  EXPECT_EQ(o.invocation.env, (std::vector<std::string>{"A=1", "B=x=y"}));
  EXPECT_EQ(o.invocation.cwd, "/tmp");
  EXPECT_EQ(o.invocation.server_stderr, "/tmp/log");
  EXPECT_EQ(o.invocation.arguments, Json::object());
  EXPECT_EQ(o.invocation.timeout.count(), 30000);
  EXPECT_EQ(o.invocation.log_level, "info");
  EXPECT_EQ(Parse({"-q", "tools", "--", "s"}).invocation.log_level, "");
  EXPECT_EQ(Parse({"--log-level", "debug", "-q", "tools", "--", "s"}).invocation.log_level, "debug");
  EXPECT_EQ(Parse({"--log-level", "none", "tools", "--", "s"}).invocation.log_level, "");
}

TEST(InspectArgs, HelpAndVersionNeedNoServer) {
  EXPECT_EQ(Parse({"--help"}).kind, ParseOutcome::kHelp);
  EXPECT_EQ(Parse({"tools", "-h"}).kind, ParseOutcome::kHelp);
  EXPECT_EQ(Parse({"--version"}).kind, ParseOutcome::kVersion);
  EXPECT_THAT(UsageText(), HasSubstr("Exit codes:"));
}

struct BadLine {
  std::vector<std::string> args;
  std::string error;
};

TEST(InspectArgs, RefusesBadCommandLines) {
  const std::vector<BadLine> cases = {
      {{}, "no subcommand"},
      {{"tools"}, "missing \"--\""},
      {{"tools", "--"}, "no server command"},
      {{"frobnicate", "--", "s"}, "unknown subcommand \"frobnicate\""},
      {{"tools", "extra", "--", "s"}, "tools: expected no arguments"},
      {{"call", "--", "s"}, "call: expected NAME [JSON]"},
      {{"read", "--", "s"}, "read: expected URI"},
      {{"call", "t", "[1]", "--", "s"}, "must be a JSON object"},
      {{"call", "t", "{bad", "--", "s"}, "must be a JSON object"},
      {{"prompt", "p", R"({"n":1})", "--", "s"}, "argument \"n\" must be a string"},
      {{"--era", "future", "tools", "--", "s"}, "--era must be legacy, modern or auto"},
      {{"--timeout", "0", "tools", "--", "s"}, "--timeout needs"},
      {{"--timeout", "12x", "tools", "--", "s"}, "--timeout needs"},
      {{"--log-level", "loud", "tools", "--", "s"}, "--log-level must be"},
      {{"-e", "NOEQUALS", "tools", "--", "s"}, "-e needs KEY=VALUE"},
      {{"tools", "--era"}, "--era needs a value"},
      {{"--frob", "tools", "--", "s"}, "unknown option --frob"},
      {{"tools", "--", "https://example.com/mcp"}, "HTTP servers are not supported yet"},
      {{"tools", "--", "http://127.0.0.1:8080/mcp"}, "HTTP servers are not supported yet"},
      {{"--era", "modern", "ping", "--", "s"}, "ping does not exist in protocol 2026-07-28"},
      {{"--era", "legacy", "discover", "--", "s"}, "discover is a protocol 2026-07-28 method"},
  };
  for (const auto& c : cases) {
    ParseOutcome o = Parse(c.args);
    EXPECT_EQ(o.kind, ParseOutcome::kUsageError) << ::testing::PrintToString(c.args);
    EXPECT_THAT(o.error, HasSubstr(c.error)) << ::testing::PrintToString(c.args);
  }
}

}  // namespace
}  // namespace weft::mcp::inspect
