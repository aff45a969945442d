// mcp-inspect's command-line grammar.
#include "mcp/client/inspect_args.h"

#include <map>

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
      {{"http://127.0.0.1:8080/mcp", "tools", "--", "s"}, "an HTTP URL takes no server command"},
      {{"tools", "--", "http://127.0.0.1:8080/mcp", "x"}, "nothing may follow the HTTP URL"},
      {{"http://user:pw@127.0.0.1/mcp", "tools"}, "credentials in the URL are not supported"},
      {{"http://127.0.0.1:99999/mcp", "tools"}, "port 99999 is out of range"},
      {{"http://:8080/mcp", "tools"}, "no host"},
      {{"http://127.0.0.1/m p", "tools"}, "the path has spaces"},
      {{"--cwd", "/tmp", "http://127.0.0.1/mcp", "tools"}, "--cwd applies to a server mcp-inspect starts"},
      {{"-e", "A=1", "http://127.0.0.1/mcp", "tools"}, "-e applies to a server mcp-inspect starts"},
      {{"--token", "t", "tools", "--", "s"}, "--token applies to an HTTP URL"},
      {{"--header", "X-A: 1", "tools", "--", "s"}, "--header applies to an HTTP URL"},
      {{"--token", "two words", "http://h/mcp", "tools"}, "--token needs a token of visible ASCII"},
      {{"--header", "NoColon", "http://h/mcp", "tools"}, "--header needs \"Name: value\""},
      {{"--header", "Bad Name: x", "http://h/mcp", "tools"}, "is not a valid header name"},
      {{"--header", "Mcp-Session-Id: abc", "http://h/mcp", "tools"}, "mcp-inspect sets this header itself"},
      {{"--header", "mcp-param-region: eu", "http://h/mcp", "tools"}, "mcp-inspect sets this header itself"},
      {{"--token", "t", "--header", "Authorization: Bearer u", "http://h/mcp", "tools"},
       "--token and --header Authorization both set the credentials"},
      {{"--era", "modern", "ping", "--", "s"}, "ping does not exist in protocol 2026-07-28"},
      {{"--era", "legacy", "discover", "--", "s"}, "discover is a protocol 2026-07-28 method"},
  };
  for (const auto& c : cases) {
    ParseOutcome o = Parse(c.args);
    EXPECT_EQ(o.kind, ParseOutcome::kUsageError) << ::testing::PrintToString(c.args);
    EXPECT_THAT(o.error, HasSubstr(c.error)) << ::testing::PrintToString(c.args);
  }
}

TEST(InspectArgs, AnHttpUrlBeforeTheSubcommandNamesTheServer) {
  ParseOutcome o = Parse({"--era", "legacy", "http://127.0.0.1:8080/mcp", "call", "echo", R"({"text":"hi"})",
                          "--token", "s3cret", "--header", "Origin:  http://localhost ", "--header", "X-Trace: 1"});
  ASSERT_EQ(o.kind, ParseOutcome::kRun) << o.error;
  const Invocation& inv = o.invocation;
  EXPECT_EQ(inv.url, "http://127.0.0.1:8080/mcp");
  EXPECT_TRUE(inv.server.empty());
  EXPECT_EQ(inv.command, Command::kCall);
  EXPECT_EQ(inv.target, "echo");
  EXPECT_EQ(inv.arguments, Json({{"text", "hi"}}));
  EXPECT_EQ(inv.era, EraMode::kLegacy);
  EXPECT_EQ(inv.token, "s3cret");
  EXPECT_EQ(inv.token_source, "--token");
  using Header = std::pair<std::string, std::string>;
  EXPECT_EQ(inv.headers, (std::vector<Header>{{"Origin", "http://localhost"}, {"X-Trace", "1"}}));

  // "-- URL" is the same server; a resource URI after `read` stays the target.
  ParseOutcome dashed = Parse({"tools", "--", "HTTPS://example.com/mcp"});
  ASSERT_EQ(dashed.kind, ParseOutcome::kRun) << dashed.error;
  EXPECT_EQ(dashed.invocation.url, "HTTPS://example.com/mcp");
  EXPECT_TRUE(dashed.invocation.server.empty());
  ParseOutcome read = Parse({"http://h/mcp", "read", "https://example.com/doc"});
  ASSERT_EQ(read.kind, ParseOutcome::kRun) << read.error;
  EXPECT_EQ(read.invocation.target, "https://example.com/doc");
}

TEST(InspectArgs, TheTokenComesFromTheEnvironmentUnlessGiven) {
  std::map<std::string, std::string> vars = {{"WEFT_TOKEN", "from-weft"}, {"MCP_TOKEN", "from-mcp"}};
  EnvLookup env = [&](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  ParseOutcome o = ParseArgs({"http://h/mcp", "tools"}, env);
  ASSERT_EQ(o.kind, ParseOutcome::kRun) << o.error;
  EXPECT_EQ(o.invocation.token, "from-weft");
  EXPECT_EQ(o.invocation.token_source, "WEFT_TOKEN");

  vars.erase("WEFT_TOKEN");
  EXPECT_EQ(ParseArgs({"http://h/mcp", "tools"}, env).invocation.token, "from-mcp");
  EXPECT_EQ(ParseArgs({"http://h/mcp", "tools"}, env).invocation.token_source, "MCP_TOKEN");
  EXPECT_EQ(ParseArgs({"--token", "flag", "http://h/mcp", "tools"}, env).invocation.token, "flag");
  ParseOutcome header = ParseArgs({"--header", "Authorization: Basic eA==", "http://h/mcp", "tools"}, env);
  ASSERT_EQ(header.kind, ParseOutcome::kRun) << header.error;
  EXPECT_EQ(header.invocation.token, "");
  // A stdio server never gets it.
  EXPECT_EQ(ParseArgs({"tools", "--", "srv"}, env).invocation.token, "");

  vars = {{"WEFT_TOKEN", "has space"}};
  ParseOutcome bad = ParseArgs({"http://h/mcp", "tools"}, env);
  EXPECT_EQ(bad.kind, ParseOutcome::kUsageError);
  EXPECT_THAT(bad.error, HasSubstr("WEFT_TOKEN holds characters a bearer token cannot have"));
}

}  // namespace
}  // namespace weft::mcp::inspect
