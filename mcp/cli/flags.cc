// Flag parsing for the weft binary.
#include "mcp/cli/flags.h"

namespace weft::cli {

Result<Flags> Flags::Parse(const std::vector<std::string>& args, const std::set<std::string>& boolean,
                           const std::set<std::string>& valued) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      flags.positional_.insert(flags.positional_.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (a.rfind("--", 0) != 0 || a.size() == 2) {
      flags.positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (boolean.count(name)) {
      if (value) return Status::InvalidArgument("--" + name + " takes no value");
      flags.values_[name] = "";
    } else if (valued.count(name)) {
      if (!value) {
        if (i + 1 >= args.size()) return Status::InvalidArgument("--" + name + " needs a value");
        value = args[++i];
      }
      flags.values_[name] = *value;
    } else {
      return Status::InvalidArgument("unknown option --" + name);
    }
  }
  return flags;
}

std::optional<std::string> Flags::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

}  // namespace weft::cli
