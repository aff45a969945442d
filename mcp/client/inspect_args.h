// mcp-inspect's command line: the grammar, its parser and the exit codes.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcp/client/client.h"

namespace weft::mcp::inspect {

using Json = nlohmann::json;

// Exit codes (documented in --help and docs/mcp-inspect.md). When several
// apply, the smallest non-zero one is returned.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;          // bad command line
inline constexpr int kExitConnection = 2;     // could not start/connect (HTTP: unreachable, 401, 403, …), server died, timeout
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

  std::vector<std::string> server;  // the server command line (after --); empty with `url`

  // A Streamable HTTP server instead of a command line.
  std::string url;
  std::string token;         // bearer token: --token, or $WEFT_TOKEN / $MCP_TOKEN
  std::string token_source;  // "--token", "WEFT_TOKEN" or "MCP_TOKEN"; empty without a token
  std::vector<std::pair<std::string, std::string>> headers;  // --header NAME: VALUE
};

struct ParseOutcome {
  enum Kind { kRun, kHelp, kVersion, kUsageError } kind = kUsageError;
  Invocation invocation;
  std::string error;  // kUsageError: what is wrong, one line
};

// Reads an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Parses argv[1..]. The server is either an http(s):// URL given as the first
// word before the subcommand, or the command line after the first "--";
// before "--", options may appear anywhere around the subcommand and its
// arguments. `env` supplies WEFT_TOKEN / MCP_TOKEN for an HTTP server given
// no --token (null: the environment is not consulted).
ParseOutcome ParseArgs(const std::vector<std::string>& args, const EnvLookup& env = nullptr);

// The --help text.
std::string UsageText();

}  // namespace weft::mcp::inspect
