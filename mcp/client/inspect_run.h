// mcp-inspect's run: start the server, connect, run one subcommand, check
// every reply, report, stop the server.
#pragma once

#include <ostream>

#include "mcp/client/inspect_args.h"

namespace weft::mcp::inspect {

// Runs `invocation`, printing results to `out` and diagnostics to `err`.
// Returns the process exit code (kExit* in inspect_args.h).
int Run(const Invocation& invocation, std::ostream& out, std::ostream& err);

}  // namespace weft::mcp::inspect
