// mcp-inspect: a command-line MCP client that runs one request against a
// stdio or Streamable HTTP server and checks every reply against the spec
// (docs/mcp-inspect.md).
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "core/base/log.h"
#include "mcp/client/inspect_args.h"
#include "mcp/client/inspect_run.h"

int main(int argc, char** argv) {
  namespace inspect = weft::mcp::inspect;
  // A server that exits while we write to it must not take us down with it.
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  inspect::ParseOutcome parsed = inspect::ParseArgs(args, [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
  switch (parsed.kind) {
    case inspect::ParseOutcome::kHelp:
      std::cout << inspect::UsageText();
      return inspect::kExitOk;
    case inspect::ParseOutcome::kVersion:
      std::cout << "mcp-inspect " << WEFT_VERSION << "\n";
      return inspect::kExitOk;
    case inspect::ParseOutcome::kUsageError:
      std::cerr << "mcp-inspect: " << parsed.error << "\n";
      return inspect::kExitUsage;
    case inspect::ParseOutcome::kRun:
      break;
  }
  // Problems are reported in mcp-inspect's own words; library logging only
  // for what cannot be reported otherwise.
  weft::SetLogLevel(parsed.invocation.quiet ? weft::LogLevel::kOff : weft::LogLevel::kError);
  return inspect::Run(parsed.invocation, std::cout, std::cerr);
}
