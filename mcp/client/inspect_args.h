// mcp-inspect's command line: the grammar, its parser and the exit codes.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcp/client/client.h"

namespace weft::mcp::inspect {

using Json = nlohmann::json;

// Exit codes (documented in --help and docs/mcp-inspect.md). When several
// apply, the smallest non-zero one is returned.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;          // bad command line
inline constexpr int kExitConnection = 2;     // could not start/connect, server died, timeout
inline constexpr int kExitProtocolError = 3;  // the server answered with a JSON-RPC error
inline constexpr int kExitSpecViolation = 4;  // a reply broke the spec or a declared schema
inline constexpr int kExitToolError = 5;      // the tool result had isError: true

enum class Command { kInfo, kTools, kCall, kResources, kRead, kTemplates, kPrompts, kPrompt, kPing, kDiscover };
std::string_view CommandName(Command command);

// A parsed command line.
struct Invocation {
  Command command = Command::kInfo;
  std::string target;  // call/prompt: NAME; read: URI
  Json arguments;      // call/prompt: the JSON object given, or an empty object

  EraMode era = EraMode::kAuto;
  bool json = false;
  bool quiet = false;
  bool trace = false;
  std::chrono::milliseconds timeout{30000};
  std::string log_level;  // RFC 5424 level; empty: none
  std::string cwd;
  std::vector<std::string> env;  // KEY=VALUE for the server
  std::string server_stderr;     // file for the server's stderr; empty: ours

  std::vector<std::string> server;  // the server command line (after --)
};

struct ParseOutcome {
  enum Kind { kRun, kHelp, kVersion, kUsageError } kind = kUsageError;
  Invocation invocation;
  std::string error;  // kUsageError: what is wrong, one line
};

// Parses argv[1..]. Everything after the first "--" is the server command;
// before it, options may appear anywhere around the subcommand and its arguments.
ParseOutcome ParseArgs(const std::vector<std::string>& args);

// The --help text.
std::string UsageText();

}  // namespace weft::mcp::inspect
