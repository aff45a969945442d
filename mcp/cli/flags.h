// A small command-line flag parser: --name, --name=value, --name value.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace weft::cli {

class Flags {
 public:
  // `boolean` flags take no value; `valued` flags need one. Anything else
  // starting with "--" is an error naming the flag; other words are positional.
  static Result<Flags> Parse(const std::vector<std::string>& args, const std::set<std::string>& boolean,
                             const std::set<std::string>& valued);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The last value given (flags may repeat).
  std::optional<std::string> Get(const std::string& name) const;
  // Every value given, in command-line order.
  std::vector<std::string> GetAll(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// The usual preamble of a subcommand: parses `args` (adding a --help flag).
// Returns the exit code when the command should stop here: 2 after printing a
// usage error and `usage` on stderr, 0 after printing `usage` for --help.
// Otherwise returns nullopt and fills `*out`.
std::optional<int> ParseSubcommandFlags(const char* command, const std::vector<std::string>& args,
                                        std::set<std::string> boolean, const std::set<std::string>& valued,
                                        const char* usage, Flags* out);

// The absolute path of the running executable (/proc/self/exe), or "weft".
std::string SelfExecutablePath();

}  // namespace weft::cli
