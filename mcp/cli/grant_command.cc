// weft grant: capability tokens from the command line — create a root grant
// or derive one from an existing grant (printing its token once), list,
// show and revoke them (docs/grants.md).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/base/state_dir.h"
#include "core/base/strings.h"
#include "core/grants/grant_store.h"
#include "core/store/store.h"
#include "mcp/cli/commands.h"
#include "mcp/cli/flags.h"
#include "mcp/cli/grant_setup.h"
#include "mcp/cli/time_format.h"

namespace weft::cli {
namespace {

constexpr const char kGrantUsage[] =
    "Usage: weft grant create [options]           a new root grant; prints its token\n"
    "       weft grant derive PARENT_ID [options] a grant derived from PARENT_ID\n"
    "       weft grant list [--all] [--json]      live grants (--all: revoked and\n"
    "                                             expired ones too)\n"
    "       weft grant show ID [--json]\n"
    "       weft grant revoke ID                  revoke ID and every grant derived\n"
    "                                             from it, at once\n"
    "\n"
    "A grant says which tools a bearer of its token may call, which namespace\n"
    "paths it may read and write, how many calls and spawns it may make and\n"
    "until when. `weft serve --http` accepts its token as a bearer token. A\n"
    "derived grant never allows more than its parent (docs/grants.md).\n"
    "\n"
    "Options of create and derive (each narrows; what is left out is the\n"
    "parent's, or everything for create):\n"
    "  --allow GLOB        tools that may be called (repeatable), e.g. 'fs_*'\n"
    "  --deny GLOB         tools that may never be called (repeatable)\n"
    "  --read PATH         namespace paths that may be read (repeatable), e.g. /src\n"
    "  --write PATH        namespace paths that may be changed (repeatable)\n"
    "  --read-only         no writes at all: read tools only\n"
    "  --max-calls N       tool calls allowed in all\n"
    "  --max-spawns N      agents that may be spawned in all\n"
    "  --expires-in TIME   e.g. 3600, 90s, 30m, 8h, 7d\n"
    "  --policy FILE       start from this grant request (JSON, docs/grants.md)\n"
    "  --subject TEXT      who holds it, shown in lists and the audit log\n"
    "  --json              print {\"token\", \"grant\"} as JSON\n"
    "Common options:\n"
    "  --state DIR         state directory (default $XDG_STATE_HOME/weft)\n"
    "\n"
    "The token is printed once and stored only as its SHA-256: keep it.\n";

int Fail(const Status& s) {
  std::fprintf(stderr, "weft grant: %s\n", s.message().c_str());
  return s.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

// "3600", "90s", "30m", "8h", "7d" → seconds.
Result<int64_t> ParseDuration(const std::string& text) {
  if (text.empty()) return Status::InvalidArgument("--expires-in needs a duration, e.g. 8h");
  int64_t unit = 1;
  std::string digits = text;
  switch (text.back()) {
    case 's': unit = 1; digits.pop_back(); break;
    case 'm': unit = 60; digits.pop_back(); break;
    case 'h': unit = 3600; digits.pop_back(); break;
    case 'd': unit = 86400; digits.pop_back(); break;
    default: break;
  }
  if (digits.empty() || digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(StrCat({"--expires-in '", text, "' is not a duration such as 3600, 90s, 30m, 8h "
                                           "or 7d"}));
  }
  int64_t n = std::stoll(digits) * unit;
  if (n <= 0) return Status::InvalidArgument("--expires-in must be at least 1 second");
  return n;
}

Result<int64_t> ParseCount(const std::string& flag, const std::string& text) {
  if (text.empty() || text.size() > 15 || text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(StrCat({"--", flag, " needs a whole number >= 0, not '", text, "'"}));
  }
  return std::stoll(text);
}

// The request create and derive make from their flags.
Result<grants::GrantRequest> RequestFromFlags(const Flags& flags) {
  grants::GrantRequest r;
  if (auto file = flags.Get("policy")) {
    WEFT_ASSIGN_OR_RETURN(r, ReadPolicyFile(*file));
  }
  Json j = r.ToJson();
  if (flags.Has("allow")) j["tools"] = flags.GetAll("allow");
  if (flags.Has("deny")) {
    std::vector<std::string> deny = r.deny_tools;
    for (const std::string& d : flags.GetAll("deny")) deny.push_back(d);
    j["deny_tools"] = deny;
  }
  if (flags.Has("read")) j["read_paths"] = flags.GetAll("read");
  if (flags.Has("write")) j["write_paths"] = flags.GetAll("write");
  if (flags.Has("read-only")) j["read_only"] = true;
  for (const char* flag : {"max-calls", "max-spawns"}) {
    if (auto v = flags.Get(flag)) {
      WEFT_ASSIGN_OR_RETURN(int64_t n, ParseCount(flag, *v));
      j[std::string(flag) == "max-calls" ? "max_calls" : "max_spawns"] = n;
    }
  }
  if (auto v = flags.Get("expires-in")) {
    WEFT_ASSIGN_OR_RETURN(int64_t seconds, ParseDuration(*v));
    j.erase("expires_at");
    j["expires_in"] = seconds;
  }
  // Through the JSON form, so flags meet the same checks as a policy file.
  return grants::GrantRequestFromJson(j);
}

std::string Budget(const std::optional<int64_t>& max, int64_t used) {
  return max ? StrCat({std::to_string(used), "/", std::to_string(*max)}) : StrCat({std::to_string(used), "/-"});
}

std::string State(const grants::Grant& g, int64_t now) {
  if (g.revoked_at) return "revoked";
  if (g.expires_at && *g.expires_at <= now) return "expired";
  return "live";
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += StrCat({out.empty() ? "" : ",", s});
  return out.empty() ? "-" : out;
}

void PrintGrant(const grants::Grant& g, int64_t now) {
  std::printf("%s  %s  %s\n", g.id.c_str(), State(g, now).c_str(), g.subject.c_str());
  std::printf("  parent       %s\n", g.parent_id.empty() ? "-" : g.parent_id.c_str());
  std::printf("  tools        %s%s%s\n", Joined(g.tools).c_str(), g.deny_tools.empty() ? "" : "  deny ",
              g.deny_tools.empty() ? "" : Joined(g.deny_tools).c_str());
  std::printf("  read         %s\n", Joined(g.read_paths).c_str());
  std::printf("  write        %s\n", Joined(g.write_paths).c_str());
  std::printf("  calls        %s   spawns %s\n", Budget(g.max_calls, g.calls).c_str(),
              Budget(g.max_spawns, g.spawns).c_str());
  std::printf("  created      %s\n", FormatUnixTime(g.created_at).c_str());
  if (g.expires_at) std::printf("  expires      %s\n", FormatUnixTime(*g.expires_at).c_str());
  if (g.revoked_at) std::printf("  revoked      %s\n", FormatUnixTime(*g.revoked_at).c_str());
}

int Issue(grants::GrantStore& grants, const Flags& flags, const std::string& parent) {
  Result<grants::GrantRequest> request = RequestFromFlags(flags);
  if (!request.ok()) return Fail(request.status());
  std::string subject = flags.Get("subject").value_or(parent.empty() ? "weft grant create" : "weft grant derive");
  Result<grants::GrantStore::Issued> issued =
      parent.empty() ? grants.IssueRoot(subject, *request) : grants.IssueDerived(parent, *request, subject);
  if (!issued.ok()) return Fail(issued.status());
  if (flags.Has("json")) {
    std::printf("%s\n", Json{{"token", issued->token}, {"grant", issued->grant.ToJson()}}.dump().c_str());
  } else {
    std::printf("%s\n", issued->token.c_str());
    std::fprintf(stderr, "grant %s; the token above is shown once (stored only as its SHA-256)\n",
                 issued->grant.id.c_str());
  }
  return 0;
}

int List(grants::GrantStore& grants, store::Store& store, const Flags& flags) {
  Result<std::vector<grants::Grant>> list = grants.List(flags.Has("all"));
  if (!list.ok()) return Fail(list.status());
  if (flags.Has("json")) {
    Json out = Json::array();
    for (const grants::Grant& g : *list) out.push_back(g.ToJson());
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  int64_t now = store.Now();
  for (const grants::Grant& g : *list) {
    std::printf("%-19s  %-7s  %-19s  calls %-9s  %s\n", g.id.c_str(), State(g, now).c_str(),
                g.parent_id.empty() ? "-" : g.parent_id.c_str(), Budget(g.max_calls, g.calls).c_str(),
                g.subject.c_str());
  }
  if (list->empty()) std::fprintf(stderr, "no %sgrants\n", flags.Has("all") ? "" : "live ");
  return 0;
}

}  // namespace

int RunGrant(const std::vector<std::string>& args) {
  Flags flags;
  if (auto exit_code = ParseSubcommandFlags("grant", args, {"read-only", "json", "all"},
                                            {"allow", "deny", "read", "write", "max-calls", "max-spawns",
                                             "expires-in", "policy", "subject", "state"},
                                            kGrantUsage, &flags)) {
    return *exit_code;
  }
  const std::vector<std::string>& pos = flags.positional();
  std::string action = pos.empty() ? "" : pos[0];
  size_t want_args = action == "create" || action == "list" ? 1 : 2;
  if (action != "create" && action != "derive" && action != "list" && action != "show" && action != "revoke") {
    std::fprintf(stderr, "weft grant: say create, derive, list, show or revoke\n\n%s", kGrantUsage);
    return 2;
  }
  if (pos.size() != want_args) {
    std::fprintf(stderr, "weft grant %s: %s\n\n%s", action.c_str(),
                 want_args == 1 ? "takes no further argument" : "needs one grant id", kGrantUsage);
    return 2;
  }
  Result<std::string> state = StateDir(flags.Get("state").value_or(""));
  if (!state.ok()) return Fail(state.status());
  Result<std::unique_ptr<store::Store>> store = store::Store::Open(store::Store::PathIn(*state));
  if (!store.ok()) return Fail(store.status());
  grants::GrantStore grants(**store);
  if (action == "create") return Issue(grants, flags, "");
  if (action == "derive") return Issue(grants, flags, pos[1]);
  if (action == "list") return List(grants, **store, flags);
  if (action == "revoke") {
    Status s = grants.Revoke(pos[1]);
    if (!s.ok()) return Fail(s);
    std::fprintf(stderr, "revoked %s and every grant derived from it\n", pos[1].c_str());
    return 0;
  }
  Result<grants::Grant> g = grants.Get(pos[1]);
  if (!g.ok()) return Fail(g.status());
  if (flags.Has("json")) {
    std::printf("%s\n", g->ToJson().dump().c_str());
  } else {
    PrintGrant(*g, (*store)->Now());
  }
  return 0;
}

}  // namespace weft::cli
