// Op argument accessors.
#include "core/venoms/args.h"

namespace weft::venoms {

std::string StringArg(const Json& args, const char* key, std::string fallback) {
  auto it = args.find(key);
  return it != args.end() && it->is_string() ? it->get<std::string>() : fallback;
}

int64_t IntArg(const Json& args, const char* key, int64_t fallback) {
  auto it = args.find(key);
  return it != args.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

bool BoolArg(const Json& args, const char* key, bool fallback) {
  auto it = args.find(key);
  return it != args.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

Result<ns::Workspace*> WorkspaceArg(const Context& ctx, const ns::Workspaces& workspaces, const Json& args) {
  const ns::Workspaces* own = ctx.workspaces();
  return (own != nullptr ? *own : workspaces).Pick(StringArg(args, "workspace"));
}

}  // namespace weft::venoms
