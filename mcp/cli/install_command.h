// weft install: registers this weft binary as an MCP server with Claude Code or Zed.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace weft::cli {

// What `weft install` takes from the process; tests build their own.
struct InstallEnvironment {
  std::optional<std::string> home;             // $HOME; nullopt when unset or empty
  std::optional<std::string> xdg_config_home;  // $XDG_CONFIG_HOME when absolute
  std::optional<std::string> xdg_state_home;   // $XDG_STATE_HOME when absolute (the HTTP token's home)
  std::string path;                            // $PATH, searched for `claude`
  std::string cwd;                             // absolute; the directory weft will serve
  std::string weft_path;                       // absolute path of the weft binary
};

InstallEnvironment InstallEnvironmentFromProcess();

// `weft install EDITOR [options]` against `env`. Messages go to stderr,
// --dry-run's would-be content to stdout. Returns the exit code: 0 done (or
// nothing to do), 1 refused or failed (nothing written), 2 usage error.
int RunInstallIn(const std::vector<std::string>& args, const InstallEnvironment& env);

// Searches the ':'-separated directories in `path` (an empty one is the
// current directory) for an executable file `name`: the first match, or nullopt.
std::optional<std::string> FindExecutableOnPath(const std::string& name, const std::string& path);

}  // namespace weft::cli
