// mcp-inspect's argument parser: options, subcommand, server command after "--".
#include "mcp/client/inspect_args.h"

#include <array>
#include <charconv>

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
         name == "-e" || name == "--env" || name == "--server-stderr";
}

// Applies one option; returns an error message or "".
std::string ApplyOption(std::string_view name, const std::string& value, Invocation& inv,
                        bool& log_level_given) {
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
    log_level_given = true;
  } else if (name == "--cwd") {
    inv.cwd = value;
  } else if (name == "-e" || name == "--env") {
    size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0) return name == "-e" ? "-e needs KEY=VALUE" : "--env needs KEY=VALUE";
    inv.env.push_back(value);
  } else if (name == "--server-stderr") {
    inv.server_stderr = value;
  } else {
    return "unknown option " + std::string(name);
  }
  return "";
}

// Fills command, target and arguments from the positional words.
std::string ApplyPositionals(const std::vector<std::string>& words, Invocation& inv) {
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

}  // namespace

std::string_view CommandName(Command command) {
  for (const auto& c : kCommands) {
    if (c.command == command) return c.name;
  }
  return "?";
}

ParseOutcome ParseArgs(const std::vector<std::string>& args) {
  ParseOutcome out;
  Invocation& inv = out.invocation;
  std::vector<std::string> words;
  bool log_level_given = false;
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
    if (std::string e = ApplyOption(name, value, inv, log_level_given); !e.empty()) return Fail(e);
  }
  if (std::string e = ApplyPositionals(words, inv); !e.empty()) return Fail(e);
  if (i >= args.size()) return Fail("missing \"--\" before the server command (try --help)");
  inv.server.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  if (inv.server.empty()) return Fail("no server command after \"--\"");
  if (StartsWith(inv.server[0], "http://") || StartsWith(inv.server[0], "https://")) {
    return Fail("HTTP servers are not supported yet; give the command line of a stdio server after \"--\"");
  }
  if (inv.command == Command::kPing && inv.era == EraMode::kModern) {
    return Fail("ping does not exist in protocol 2026-07-28; use --era legacy or auto");
  }
  if (inv.command == Command::kDiscover && inv.era == EraMode::kLegacy) {
    return Fail("discover is a protocol 2026-07-28 method; use --era modern or auto");
  }
  if (!log_level_given && !inv.quiet) inv.log_level = "info";
  out.kind = ParseOutcome::kRun;
  return out;
}

std::string UsageText() {
  return R"(Usage: mcp-inspect [OPTIONS] SUBCOMMAND [ARGS...] -- SERVER_COMMAND [SERVER_ARGS...]

Starts an MCP server over stdio, runs one request, prints the result and checks
every reply against the MCP specification (and tool results against the tool's
outputSchema). Everything after "--" is the server's command line, passed to it
as is (no shell).

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
  -e, --env KEY=VALUE       set an environment variable for the server (repeatable)
  --cwd DIR                 run the server in DIR
  --server-stderr FILE      append the server's stderr to FILE (default: ours)
  -h, --help                this text
  --version                 the version

Exit codes:
  0  ok
  1  usage error
  2  could not start or connect to the server, it died, or a request timed out
  3  the server answered with a JSON-RPC error (code and message are printed)
  4  a reply broke the specification or a declared schema (every problem is printed)
  5  the tool result had isError: true
  When several apply, the smallest non-zero code is returned.

Examples:
  mcp-inspect tools -- weft serve --stdio
  mcp-inspect --json call fs_read '{"path":"README.md"}' -- weft serve --stdio
  mcp-inspect --era legacy info -- npx -y @modelcontextprotocol/server-everything
)";
}

}  // namespace weft::mcp::inspect
