// Venom op calls against a grant's tool globs, rights and path rules.
#include "core/grants/op_check.h"

#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/grants/glob.h"

namespace weft::grants {
namespace {

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += StrCat({out.empty() ? "" : ", ", s});
  return out.empty() ? "none" : out;
}

// Why `op` may not use `path`. `use` says where the path came from: a
// whole-workspace op, an argument's default, or the argument itself.
Status PathDenied(const Grant& grant, const venoms::Op& op, const std::string& path, const venoms::PathUse& use,
                  bool defaulted) {
  bool write = use.access == venoms::PathAccess::kWrite;
  const std::vector<std::string>& allowed = write ? grant.write_paths : grant.read_paths;
  std::string whole = use.arg.empty() ? " (it acts on the whole workspace)"
                      : defaulted     ? StrCat({" (the default of `", use.arg, "`)"})
                                      : "";
  return DenialStatus(Denial::kPermissionDenied,
                      StrCat({op.name, " needs to ", write ? "write " : "read ", path, whole, ", and this grant ",
                              write ? "writes" : "reads", " only ", Joined(allowed),
                              "; use paths inside those, or ask for a grant that covers it"}));
}

bool Allowed(const Grant& grant, const std::string& path, venoms::PathAccess access) {
  return access == venoms::PathAccess::kWrite ? CanWrite(grant, path) : CanRead(grant, path);
}

// The values of a path argument: one string or an array of them (the input schema guarantees which).
std::vector<std::string> PathValues(const Json& value) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_array()) {
    for (const Json& v : value) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

}  // namespace

Status CheckTool(const Grant& grant, std::string_view tool) {
  if (AllowsTool(grant, tool)) return Status::Ok();
  bool listed = false;
  for (const std::string& g : grant.tools) listed = listed || GlobMatches(g, tool);
  std::string why = listed ? StrCat({"this grant denies it (deny_tools: ", Joined(grant.deny_tools), ")"})
                           : StrCat({"this grant allows only ", Joined(grant.tools)});
  return DenialStatus(Denial::kPermissionDenied,
                      StrCat({"tool ", tool, " is not allowed: ", why, "; tools/list shows what is"}));
}

Status CheckOpRight(const Grant& grant, const venoms::Op& op) {
  WEFT_RETURN_IF_ERROR(CheckTool(grant, op.name));
  if (grant.read_only() && !venoms::IsReadRight(op.spec.right)) {
    return DenialStatus(Denial::kPermissionDenied,
                        StrCat({op.name, " needs the right ", venoms::RightName(op.spec.right),
                                ", and this grant is read-only (it writes nowhere); only read tools pass"}));
  }
  return Status::Ok();
}

Status CheckOpPaths(const Grant& grant, const venoms::Op& op, const Json& args, const ns::Workspaces& workspaces) {
  if (op.spec.paths.empty()) return Status::Ok();
  const ns::Workspace* ws = nullptr;
  for (const venoms::PathUse& use : op.spec.paths) {
    std::vector<std::string> values;
    auto it = use.arg.empty() ? args.end() : args.find(use.arg);
    bool defaulted = it == args.end();
    if (!defaulted) {
      values = PathValues(*it);
    } else if (!use.fallback.empty()) {
      values.push_back(use.fallback);
    }
    for (const std::string& value : values) {
      if (ws == nullptr) {
        auto named = args.find("workspace");
        Result<ns::Workspace*> picked =
            workspaces.Pick(named != args.end() && named->is_string() ? named->get<std::string>() : "");
        if (!picked.ok()) return picked.status();
        ws = *picked;
      }
      Result<std::string> canonical = ws->CanonicalPath(value);
      if (!canonical.ok()) return canonical.status();
      if (!Allowed(grant, *canonical, use.access)) return PathDenied(grant, op, *canonical, use, defaulted);
    }
  }
  return Status::Ok();
}

bool MayCall(const Grant& grant, const venoms::Op& op) {
  if (!CheckOpRight(grant, op).ok()) return false;
  for (const venoms::PathUse& use : op.spec.paths) {
    if (use.arg.empty() && !Allowed(grant, use.fallback, use.access)) return false;
  }
  return true;
}

}  // namespace weft::grants
