// mcp-inspect's argument parser: options, subcommand, server command after "--".
#include "mcp/client/inspect_args.h"

#include <array>
#include <charconv>

#include "mcp/client/http_wire.h"

namespace weft::mcp::inspect {
namespace {

struct CommandSpec {
  Command command;
  std::string_view name;
  int min_args;
  int max_args;
};

constexpr std::array<CommandSpec, 10> kCommands = {{
    {Command::kInfo, "info", 0, 0},
    {Command::kTools, "tools", 0, 0},
    {Command::kCall, "call", 1, 2},
    {Command::kResources, "resources", 0, 0},
    {Command::kRead, "read", 1, 1},
    {Command::kTemplates, "templates", 0, 0},
    {Command::kPrompts, "prompts", 0, 0},
    {Command::kPrompt, "prompt", 1, 2},
    {Command::kPing, "ping", 0, 0},
    {Command::kDiscover, "discover", 0, 0},
}};

constexpr std::array<std::string_view, 8> kLogLevels = {
    "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};

ParseOutcome Fail(std::string error) {
  ParseOutcome o;
  o.kind = ParseOutcome::kUsageError;
  o.error = std::move(error);
  return o;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Options taking a value, as "--opt VALUE" or "--opt=VALUE".
bool TakesValue(std::string_view name) {
  return name == "--era" || name == "--timeout" || name == "--log-level" || name == "--cwd" ||
         name == "-e" || name == "--env" || name == "--server-stderr" || name == "--token" ||
         name == "--header";
}

// Options given that apply to one kind of server only, for the checks once
// the kind is known.
struct Given {
  bool log_level = false;
  std::string stdio_only;  // the first of -e/--env, --cwd, --server-stderr
  std::string http_only;   // the first of --token, --header
};

bool IsBearerToken(std::string_view token) {
  if (token.empty()) return false;
  for (char c : token) {
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  return true;
}

// Applies one option; returns an error message or "".
std::string ApplyOption(std::string_view name, const std::string& value, Invocation& inv, Given& given) {
  if (name == "-e" || name == "--env" || name == "--cwd" || name == "--server-stderr") {
    if (given.stdio_only.empty()) given.stdio_only = name;
  } else if (name == "--token" || name == "--header") {
    if (given.http_only.empty()) given.http_only = name;
  }
  if (name == "--json") inv.json = true;
  else if (name == "-q" || name == "--quiet") inv.quiet = true;
  else if (name == "--trace") inv.trace = true;
  else if (name == "--era") {
    if (!ParseEraMode(value, &inv.era)) return "--era must be legacy, modern or auto, not \"" + value + "\"";
  } else if (name == "--timeout") {
    long long ms = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec != std::errc() || end != value.data() + value.size() || ms <= 0 || ms > 86'400'000) {
      return "--timeout needs a number of milliseconds between 1 and 86400000, not \"" + value + "\"";
    }
    inv.timeout = std::chrono::milliseconds(ms);
  } else if (name == "--log-level") {
    bool known = value == "none";
    for (auto level : kLogLevels) known = known || value == level;
    if (!known) return "--log-level must be none or an RFC 5424 level (debug … emergency), not \"" + value + "\"";
    inv.log_level = value == "none" ? "" : value;
    given.log_level = true;
  } else if (name == "--cwd") {
    inv.cwd = value;
  } else if (name == "-e" || name == "--env") {
    size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0) return name == "-e" ? "-e needs KEY=VALUE" : "--env needs KEY=VALUE";
    inv.env.push_back(value);
  } else if (name == "--server-stderr") {
    inv.server_stderr = value;
  } else if (name == "--token") {
    if (!IsBearerToken(value)) return "--token needs a token of visible ASCII characters (no spaces)";
    inv.token = value;
    inv.token_source = "--token";
  } else if (name == "--header") {
    Result<std::pair<std::string, std::string>> header = ParseHeaderLine(value);
    if (!header.ok()) return header.status().message();
    if (IsTransportHeader(header->first)) {
      return "--header " + header->first + ": mcp-inspect sets this header itself";
    }
    inv.headers.push_back(std::move(header).value());
  } else {
    return "unknown option " + std::string(name);
  }
  return "";
}

// Fills command, target and arguments from the positional words.
std::string ApplyPositionals(std::vector<std::string> words, Invocation& inv) {
  if (!words.empty() && LooksLikeHttpUrl(words[0])) {
    inv.url = words[0];
    words.erase(words.begin());
  }
  if (words.empty()) return "no subcommand given (try --help)";
  const CommandSpec* spec = nullptr;
  for (const auto& c : kCommands) {
    if (c.name == words[0]) spec = &c;
  }
  if (!spec) return "unknown subcommand \"" + words[0] + "\" (try --help)";
  inv.command = spec->command;
  int n = static_cast<int>(words.size()) - 1;
  if (n < spec->min_args || n > spec->max_args) {
    return std::string(spec->name) + ": expected " +
           (spec->command == Command::kRead ? std::string("URI")
            : spec->max_args == 0          ? std::string("no arguments")
                                           : std::string("NAME [JSON]")) +
           ", got " + std::to_string(n) + " argument(s)";
  }
  if (n >= 1) inv.target = words[1];
  inv.arguments = Json::object();
  if (n == 2) {
    Json parsed = Json::parse(words[2], nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      return std::string(spec->name) + ": the arguments must be a JSON object, e.g. '{\"path\":\"a.txt\"}'";
    }
    if (spec->command == Command::kPrompt) {
      for (const auto& [k, v] : parsed.items()) {
        if (!v.is_string()) return "prompt: argument \"" + k + "\" must be a string (prompt arguments are strings)";
      }
    }
    inv.arguments = std::move(parsed);
  }
  return "";
}

bool HasAuthorizationHeader(const Invocation& inv) {
  for (const auto& [name, value] : inv.headers) {
    if (SameHeaderName(name, "Authorization")) return true;
  }
  return false;
}

// Checks an HTTP target and fills in the token from the environment.
std::string FinishHttp(Invocation& inv, const Given& given, const EnvLookup& env) {
  Result<HttpUrl> url = ParseHttpUrl(inv.url);
  if (!url.ok()) return url.status().message();
  if (!given.stdio_only.empty()) {
    return given.stdio_only + " applies to a server mcp-inspect starts, not to an HTTP URL";
  }
  if (!inv.token.empty() && HasAuthorizationHeader(inv)) {
    return "--token and --header Authorization both set the credentials; keep one";
  }
  if (inv.token.empty() && !HasAuthorizationHeader(inv) && env) {
    for (const char* name : {"WEFT_TOKEN", "MCP_TOKEN"}) {
      std::optional<std::string> token = env(name);
      if (!token || token->empty()) continue;
      if (!IsBearerToken(*token)) return std::string(name) + " holds characters a bearer token cannot have";
      inv.token = *token;
      inv.token_source = name;
      break;
    }
  }
  return "";
}

}  // namespace

std::string_view CommandName(Command command) {
  for (const auto& c : kCommands) {
    if (c.command == command) return c.name;
  }
  return "?";
}

ParseOutcome ParseArgs(const std::vector<std::string>& args, const EnvLookup& env) {
  ParseOutcome out;
  Invocation& inv = out.invocation;
  std::vector<std::string> words;
  Given given;
  size_t i = 0;
  for (; i < args.size() && args[i] != "--"; ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      out.kind = ParseOutcome::kHelp;
      return out;
    }
    if (a == "--version") {
      out.kind = ParseOutcome::kVersion;
      return out;
    }
    if (a.size() < 2 || a[0] != '-') {
      words.push_back(a);
      continue;
    }
    std::string name = a, value;
    if (size_t eq = a.find('='); StartsWith(a, "--") && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if (TakesValue(name)) {
      if (i + 1 >= args.size() || args[i + 1] == "--") return Fail(name + " needs a value");
      value = args[++i];
    }
    if (std::string e = ApplyOption(name, value, inv, given); !e.empty()) return Fail(e);
  }
  if (std::string e = ApplyPositionals(std::move(words), inv); !e.empty()) return Fail(e);
  if (!inv.url.empty()) {
    if (i < args.size()) return Fail("an HTTP URL takes no server command: drop \"--\" and what follows it");
  } else {
    if (i >= args.size()) {
      return Fail("missing \"--\" before the server command, or an http:// URL before the subcommand (try --help)");
    }
    inv.server.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
    if (inv.server.empty()) return Fail("no server command after \"--\"");
    if (LooksLikeHttpUrl(inv.server[0])) {
      // "-- http://host/mcp" names the same server as the URL before the subcommand.
      if (inv.server.size() > 1) return Fail("nothing may follow the HTTP URL after \"--\"");
      inv.url = inv.server[0];
      inv.server.clear();
    }
  }
  if (!inv.url.empty()) {
    if (std::string e = FinishHttp(inv, given, env); !e.empty()) return Fail(e);
  } else if (!given.http_only.empty()) {
    return Fail(given.http_only + " applies to an HTTP URL, not to a server command line");
  }
  if (inv.command == Command::kPing && inv.era == EraMode::kModern) {
    return Fail("ping does not exist in protocol 2026-07-28; use --era legacy or auto");
  }
  if (inv.command == Command::kDiscover && inv.era == EraMode::kLegacy) {
    return Fail("discover is a protocol 2026-07-28 method; use --era modern or auto");
  }
  if (!given.log_level && !inv.quiet) inv.log_level = "info";
  out.kind = ParseOutcome::kRun;
  return out;
}

std::string UsageText() {
  return R"usage(Usage: mcp-inspect [OPTIONS] SUBCOMMAND [ARGS...] -- SERVER_COMMAND [SERVER_ARGS...]
       mcp-inspect [OPTIONS] URL SUBCOMMAND [ARGS...]

Runs one request against an MCP server, prints the result and checks every
reply against the MCP specification (and tool results against the tool's
outputSchema). The server is either a command line after "--", started and
spoken to over stdio (passed to it as is, no shell), or the http:// or
https:// URL of a Streamable HTTP endpoint, e.g. http://127.0.0.1:8080/mcp.

Subcommands:
  info                 the handshake: era, protocol version, server, capabilities
  tools                list the tools (all pages)
  call NAME [JSON]     call a tool; JSON is the arguments object (default {})
  resources            list the resources (all pages)
  read URI             read a resource
  templates            list the resource templates (all pages)
  prompts              list the prompts (all pages)
  prompt NAME [JSON]   get a prompt; JSON is an object of string arguments
  ping                 ping the server (legacy era only)
  discover             server/discover (protocol 2026-07-28)

Options:
  --era legacy|modern|auto  protocol era (default auto: try server/discover,
                            fall back to initialize)
  --json                    print the raw result JSON on stdout
  --timeout MS              per-request timeout in milliseconds (default 30000)
  -q, --quiet               no progress, log or warning output on stderr
  --log-level LEVEL         server log level to ask for: none, debug, info, notice,
                            warning, error, critical, alert, emergency (default info)
  --trace                   print every message sent and received on stderr
  -h, --help                this text
  --version                 the version
Server command only:
  -e, --env KEY=VALUE       set an environment variable for the server (repeatable)
  --cwd DIR                 run the server in DIR
  --server-stderr FILE      append the server's stderr to FILE (default: ours)
HTTP URL only:
  --token TOKEN             send Authorization: Bearer TOKEN; without it (and
                            without an Authorization --header) the token is
                            taken from $WEFT_TOKEN, else $MCP_TOKEN
  --header 'NAME: VALUE'    send this header on every request (repeatable)

Exit codes:
  0  ok
  1  usage error
  2  could not start or reach the server (HTTP: no connection, 401, 403, an
     expired session, another HTTP error without a JSON-RPC body, or a stream
     that ended without the reply), it died, or a request timed out
  3  the server answered with a JSON-RPC error (code and message are printed)
  4  a reply broke the specification or a declared schema (every problem is printed)
  5  the tool result had isError: true
  When several apply, the smallest non-zero code is returned.

Examples:
  mcp-inspect tools -- weft serve --stdio
  mcp-inspect --json call fs_read '{"path":"README.md"}' -- weft serve --stdio
  mcp-inspect --era legacy info -- npx -y @modelcontextprotocol/server-everything
  mcp-inspect http://127.0.0.1:8080/mcp --token "$(weft token)" tools
  mcp-inspect http://127.0.0.1:8080/mcp --era legacy call test_simple_text
)usage";
}

}  // namespace weft::mcp::inspect
