// Flag parsing for the weft binary.
#include "mcp/cli/flags.h"

#include <limits.h>
#include <unistd.h>

#include <cstdio>

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
      flags.values_[name].push_back("");
    } else if (valued.count(name)) {
      if (!value) {
        if (i + 1 >= args.size()) return Status::InvalidArgument("--" + name + " needs a value");
        value = args[++i];
      }
      flags.values_[name].push_back(*value);
    } else {
      return Status::InvalidArgument("unknown option --" + name);
    }
  }
  return flags;
}

std::optional<std::string> Flags::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Flags::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<int> ParseSubcommandFlags(const char* command, const std::vector<std::string>& args,
                                        std::set<std::string> boolean, const std::set<std::string>& valued,
                                        const char* usage, Flags* out) {
  boolean.insert("help");
  auto flags = Flags::Parse(args, boolean, valued);
  if (!flags.ok()) {
    std::fprintf(stderr, "weft %s: %s\n\n%s", command, flags.status().message().c_str(), usage);
    return 2;
  }
  if (flags->Has("help")) {
    std::fputs(usage, stdout);
    return 0;
  }
  *out = std::move(flags).value();
  return std::nullopt;
}

std::string SelfExecutablePath() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "weft";
}

}  // namespace weft::cli
