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
  std::optional<std::string> Get(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace weft::cli
