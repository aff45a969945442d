// weft audit: the audit log of tool calls (docs/grants.md), newest last;
// --follow keeps printing calls as they are recorded.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "core/base/state_dir.h"
#include "core/base/strings.h"
#include "core/grants/audit_log.h"
#include "core/store/store.h"
#include "mcp/cli/commands.h"
#include "mcp/cli/flags.h"
#include "mcp/cli/time_format.h"

namespace weft::cli {
namespace {

constexpr const char kAuditUsage[] =
    "Usage: weft audit [--last N] [--follow] [--grant ID] [--json] [--state DIR]\n"
    "\n"
    "Prints the audit log: one line per tool call any weft process made through\n"
    "this state directory — when, under which grant, from which session, which\n"
    "tool, whether it was allowed or denied (and why), how it ended, how long it\n"
    "took, and a digest of its arguments (the arguments themselves are never\n"
    "kept).\n"
    "\n"
    "Options:\n"
    "  --last N      the last N calls (default 20)\n"
    "  --follow      then keep printing new calls as they come (Ctrl-C stops)\n"
    "  --grant ID    only calls made under grant ID\n"
    "  --json        one JSON object per line\n"
    "  --state DIR   state directory (default $XDG_STATE_HOME/weft)\n";

constexpr auto kPollInterval = std::chrono::milliseconds(200);

std::string Line(const grants::AuditEntry& e) {
  std::string decision = e.denial ? "denied" : "allowed";
  std::string line = StrCat({FormatUnixMillis(e.at_ms), "  ", e.grant_id.empty() ? "-" : e.grant_id, "  ", e.subject,
                             "  ", e.tool, "  ", decision, "  ", grants::OutcomeName(e.outcome)});
  if (e.error_code != 0) line += StrCat({" ", std::to_string(e.error_code)});
  line += StrCat({"  ", std::to_string(e.duration_us), "us  args:", e.args_sha256.substr(0, 12)});
  if (e.denial) line += StrCat({"  ", grants::DenialName(*e.denial), ": ", e.reason});
  return line;
}

// Prints `entries`; false once stdout is gone (a closed pipe).
bool Print(const std::vector<grants::AuditEntry>& entries, bool json) {
  for (const grants::AuditEntry& e : entries) {
    std::string text = json ? e.ToJson().dump() : Line(e);
    if (std::printf("%s\n", text.c_str()) < 0) return false;
  }
  return std::fflush(stdout) == 0;
}

}  // namespace

int RunAudit(const std::vector<std::string>& args) {
  Flags flags;
  if (auto exit_code = ParseSubcommandFlags("audit", args, {"follow", "json"}, {"last", "grant", "state"},
                                            kAuditUsage, &flags)) {
    return *exit_code;
  }
  if (!flags.positional().empty()) {
    std::fprintf(stderr, "weft audit: unexpected argument '%s'\n\n%s", flags.positional()[0].c_str(), kAuditUsage);
    return 2;
  }
  grants::AuditQuery query;
  query.last = 20;
  if (auto last = flags.Get("last")) {
    if (last->empty() || last->size() > 9 || last->find_first_not_of("0123456789") != std::string::npos) {
      std::fprintf(stderr, "weft audit: --last needs a whole number, e.g. --last 100\n");
      return 2;
    }
    query.last = static_cast<size_t>(std::stoul(*last));
  }
  query.grant_id = flags.Get("grant").value_or("");
  Result<std::string> state = StateDir(flags.Get("state").value_or(""));
  Result<std::unique_ptr<store::Store>> store =
      state.ok() ? store::Store::Open(store::Store::PathIn(*state)) : Result<std::unique_ptr<store::Store>>(state.status());
  if (!store.ok()) {
    std::fprintf(stderr, "weft audit: %s\n", store.status().message().c_str());
    return 1;
  }
  bool json = flags.Has("json");
  Result<std::vector<grants::AuditEntry>> entries = grants::ReadAudit(**store, query);
  while (true) {
    if (!entries.ok()) {
      std::fprintf(stderr, "weft audit: %s\n", entries.status().message().c_str());
      return 1;
    }
    if (!Print(*entries, json)) return 0;
    if (!flags.Has("follow")) return 0;
    if (!entries->empty()) query.after_id = entries->back().id;
    query.last.reset();
    if (query.after_id == 0) {
      // Nothing printed yet: start after whatever is newest now.
      grants::AuditQuery newest = query;
      newest.last = 1;
      Result<std::vector<grants::AuditEntry>> top = grants::ReadAudit(**store, newest);
      if (top.ok() && !top->empty()) query.after_id = top->back().id;
    }
    std::this_thread::sleep_for(kPollInterval);
    entries = grants::ReadAudit(**store, query);
  }
}

}  // namespace weft::cli
