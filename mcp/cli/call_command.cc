// weft call VENOM.OP [JSON|-]: one venom op, through the call file of the
// weft mount we are in, or in-process over a workspace set up as `weft
// serve` sets it up. Prints the call-file response (docs/weftdir.md).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/base/fd.h"
#include "core/base/log.h"
#include "core/base/state_dir.h"
#include "core/base/strings.h"
#include "core/weftdir/call_session.h"
#include "mcp/cli/commands.h"
#include "mcp/cli/flags.h"
#include "mcp/cli/weft_mount.h"
#include "mcp/cli/workspace_setup.h"

namespace weft::cli {
namespace {

constexpr const char kCallUsage[] =
    "Usage: weft call VENOM.OP [JSON | -] [options]\n"
    "\n"
    "Calls one venom op (VENOM.OP or the tool name VENOM_OP, e.g. fs.read or\n"
    "fs_read) with JSON arguments (default {}; - reads them from stdin), and prints\n"
    "the response: the op's result as one line of JSON, or {\"error\": {code,\n"
    "status, message}}. Exit status: 0 success, 1 the op failed, 2 usage error\n"
    "(including a request that is not a JSON object).\n"
    "\n"
    "Inside a weft mount (or with --mount), the call goes through the mount's call\n"
    "file .weft/venoms/VENOM/OP; otherwise weft opens the workspace itself, as\n"
    "`weft serve` would.\n"
    "\n"
    "Options:\n"
    "  --mount DIR              call through the weft mount at DIR\n"
    "  --workspace DIR          the workspace (default: the current directory)\n"
    "  --bind NSPATH=DIR[:ro]   also show DIR at NSPATH (repeatable)\n"
    "  --read-only              refuse every change to the workspace's files\n"
    "  --state DIR              state directory (default $XDG_STATE_HOME/weft)\n";

constexpr int kExitOk = 0;
constexpr int kExitOpFailed = 1;
constexpr int kExitUsage = 2;

int Usage(const std::string& message) {
  std::fprintf(stderr, "weft call: %s\n", message.c_str());
  return kExitUsage;
}

// "fs.read" or "fs_read" → {"fs", "read"}; venom names hold no '_'.
std::optional<std::pair<std::string, std::string>> SplitOpName(const std::string& name) {
  size_t cut = name.find('.');
  if (cut == std::string::npos) cut = name.find('_');
  if (cut == std::string::npos || cut == 0 || cut + 1 == name.size()) return std::nullopt;
  return std::make_pair(name.substr(0, cut), name.substr(cut + 1));
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// "unknown op 'fs.raed'; did you mean fs.read?" from the ops that exist ("venom.op").
std::string UnknownOp(const std::string& venom, const std::string& op, const std::vector<std::string>& known) {
  std::string wanted = venom + "." + op;
  std::vector<std::pair<size_t, std::string>> close;
  for (const std::string& k : known) {
    size_t d = EditDistance(wanted, k);
    bool same_part = k.rfind(venom + ".", 0) == 0 || k.substr(k.find('.') + 1) == op;
    if (d <= 3 || same_part) close.emplace_back(same_part && d > 3 ? 4 : d, k);
  }
  std::sort(close.begin(), close.end());
  std::string out = StrCat({"unknown op '", wanted, "'"});
  if (close.empty()) return out + "; `ls .weft/venoms/*` or docs/tools.md lists them";
  out += "; did you mean ";
  for (size_t i = 0; i < close.size() && i < 6; ++i) out += StrCat({i == 0 ? "" : ", ", close[i].second});
  return out + "?";
}

// The request bytes: the argument, stdin for "-", "{}" when absent.
Result<std::string> RequestText(const Flags& flags) {
  if (flags.positional().size() < 2) return std::string("{}");
  const std::string& arg = flags.positional()[1];
  if (arg != "-") return arg;
  std::string text;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "reading the request from stdin");
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > weftdir::kMaxRequestBytes) {
      return Status::ResourceExhausted(
          StrCat({"the request is over ", std::to_string(weftdir::kMaxRequestBytes), " bytes"}));
    }
  }
}

// Writes the request to the mount's call file and reads the response to EOF.
Result<std::string> CallThroughMount(const std::string& path, const std::string& request) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return Status::FromErrno(errno, path);
  for (size_t done = 0; done < request.size();) {
    ssize_t n = ::write(fd.get(), request.data() + done, request.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::FromErrno(errno, StrCat({"writing the request to ", path}));
    done += static_cast<size_t>(n);
  }
  std::string response;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, StrCat({"reading the response from ", path}));
    if (n == 0) return response;
    response.append(buf, static_cast<size_t>(n));
  }
}

// Every op a mount offers, as "venom.op".
std::vector<std::string> MountOps(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& venom : std::filesystem::directory_iterator(root + "/.weft/venoms", ec)) {
    std::error_code inner;
    for (const auto& op : std::filesystem::directory_iterator(venom.path(), inner)) {
      out.push_back(venom.path().filename().string() + "." + op.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Prints the response and turns it into the exit status.
int Finish(const std::string& dotted, const std::string& response) {
  std::fwrite(response.data(), 1, response.size(), stdout);
  if (response.empty() || response.back() != '\n') std::fputc('\n', stdout);
  std::fflush(stdout);
  Json parsed = Json::parse(response, nullptr, false);
  // Op results never hold a top-level "error" (tests/core/weftdir keep it so).
  if (!parsed.is_object() || !parsed.contains("error") || !parsed["error"].is_object()) return kExitOk;
  const Json& error = parsed["error"];
  auto code_it = error.find("code");
  int code = code_it != error.end() && code_it->is_number_integer() ? code_it->get<int>() : 0;
  auto message_it = error.find("message");
  std::string message =
      message_it != error.end() && message_it->is_string() ? message_it->get<std::string>() : "failed";
  std::fprintf(stderr, "weft call: %s: %s\n", dotted.c_str(), message.c_str());
  bool bad_request = code == weftdir::kParseError || code == weftdir::kInvalidParams ||
                     code == weftdir::kInvalidRequest;
  return bad_request ? kExitUsage : kExitOpFailed;
}

int CallInProcess(const Flags& flags, const std::string& venom, const std::string& op, const std::string& request) {
  WorkspaceFlags ws;
  ws.dirs = flags.GetAll("workspace");
  ws.binds = flags.GetAll("bind");
  ws.read_only = flags.Has("read-only");
  Result<std::string> state = StateDir(flags.Get("state").value_or(""));
  if (!state.ok()) return Usage(state.status().message());
  ws.state_dir = *state;
  mcp::ToolRegistry tools;
  mcp::ResourceRegistry resources;
  mcp::PromptRegistry prompts;
  Result<std::unique_ptr<WorkspaceHost>> host = SetUpWorkspaces(ws, tools, resources, prompts);
  if (!host.ok()) return Usage(StrCat({"cannot open the workspace: ", host.status().message()}));
  const venoms::Registry& registry = (*host)->surface->venoms();
  const venoms::Op* found = registry.Find(venom, op);
  if (found == nullptr) {
    std::vector<std::string> known;
    for (const auto& o : registry.ops()) known.push_back(o->spec.venom + "." + o->spec.op);
    return Usage(UnknownOp(venom, op, known));
  }
  std::unique_ptr<weftdir::CallSession> session = weftdir::NewOpCallSession(registry, *found);
  Result<std::string> response = weftdir::RunCall(*session, request);
  if (!response.ok()) return Usage(response.status().message());
  return Finish(venom + "." + op, *response);
}

}  // namespace

int RunCall(const std::vector<std::string>& args) {
  Flags flags;
  if (auto exit_code = ParseSubcommandFlags("call", args, {"read-only"}, {"mount", "workspace", "bind", "state"},
                                            kCallUsage, &flags)) {
    return *exit_code;
  }
  if (flags.positional().empty()) {
    return Usage(StrCat({"name the op to call, e.g. weft call fs.read '{\"path\":\"README.md\"}'\n\n", kCallUsage}));
  }
  if (flags.positional().size() > 2) return Usage(StrCat({"unexpected argument '", flags.positional()[2], "'"}));
  auto name = SplitOpName(flags.positional()[0]);
  if (!name) return Usage(StrCat({"'", flags.positional()[0], "' is not an op name: write VENOM.OP, e.g. fs.read"}));
  const auto& [venom, op] = *name;
  Result<std::string> request = RequestText(flags);
  if (!request.ok()) return Usage(request.status().message());
  SetLogLevel(LogLevel::kWarning);  // setting up a workspace logs at info; stdout is the response's

  std::optional<std::string> mount = flags.Get("mount");
  if (mount) {
    if (!HasWeftDir(*mount)) return Usage(StrCat({"--mount ", *mount, ": not a weft mount (no .weft/venoms there)"}));
  } else if (!flags.Has("workspace")) {
    std::error_code ec;
    std::filesystem::path cwd = std::filesystem::current_path(ec);
    if (!ec) mount = FindWeftMount(cwd.string());
  }
  if (!mount) return CallInProcess(flags, venom, op, *request);
  if (flags.Has("workspace") || flags.Has("bind") || flags.Has("read-only") || flags.Has("state")) {
    return Usage("--workspace, --bind, --read-only and --state do not apply to calls through a mount");
  }
  std::string path = StrCat({*mount, "/.weft/venoms/", venom, "/", op});
  if (::access(path.c_str(), F_OK) != 0) return Usage(UnknownOp(venom, op, MountOps(*mount)));
  Result<std::string> response = CallThroughMount(path, *request);
  if (!response.ok()) {
    std::fprintf(stderr, "weft call: %s\n", response.status().message().c_str());
    return kExitOpFailed;
  }
  return Finish(venom + "." + op, *response);
}

}  // namespace weft::cli
