// Where weft keeps its state (the HTTP token now; the database later):
// `--state DIR` when given, else $XDG_STATE_HOME/weft, else ~/.local/state/weft.
#pragma once

#include <string>

#include "core/base/result.h"

namespace weft {

// The state directory for `override_dir` (empty: the default, from this
// process's environment). Not created.
Result<std::string> StateDir(const std::string& override_dir);
// The same rule with explicit values of XDG_STATE_HOME and HOME (null: unset).
Result<std::string> StateDirFrom(const std::string& override_dir, const char* xdg_state_home, const char* home);
// Creates `dir` and missing parents; `dir` itself gets mode 0700. Refuses a
// path that exists and is not a directory.
Status EnsurePrivateDir(const std::string& dir);
}  // namespace weft
