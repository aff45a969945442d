// The terminal venom's op handlers (terminal_run.cc: exec and start;
// terminal_sessions.cc: the rest), registered by terminal_venom.cc.
#pragma once

#include "core/base/json.h"
#include "core/base/result.h"
#include "core/venoms/registry.h"
#include "core/venoms/terminal/terminal_common.h"

namespace weft::venoms::terminal {

Result<Reply> Exec(TerminalState& state, Context& ctx, const Json& args);
Result<Reply> Start(TerminalState& state, Context& ctx, const Json& args);
Result<Reply> Read(TerminalState& state, Context& ctx, const Json& args);
Result<Reply> Write(TerminalState& state, Context& ctx, const Json& args);
Result<Reply> Resize(TerminalState& state, Context& ctx, const Json& args);
Result<Reply> Signal(TerminalState& state, Context& ctx, const Json& args);
Result<Reply> List(TerminalState& state, Context& ctx, const Json& args);
Result<Reply> Remove(TerminalState& state, Context& ctx, const Json& args);

}  // namespace weft::venoms::terminal
