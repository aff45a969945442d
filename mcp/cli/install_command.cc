// weft install: adds weft to Claude Code (through `claude mcp add` when it is
// installed, else by editing its config files) or to Zed's settings.json.
#include "mcp/cli/install_command.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "mcp/cli/commands.h"
#include "mcp/cli/flags.h"
#include "mcp/cli/install_config.h"
#include "core/base/files.h"
#include "core/base/state_dir.h"
#include "mcp/http/security.h"

extern char** environ;

namespace weft::cli {
namespace {

constexpr const char kInstallUsage[] =
    "Usage:\n"
    "  weft install claude-code [--scope local|user|project] [--http URL [--no-auth] [--state DIR]]\n"
    "                           [--name NAME] [--force] [--dry-run]\n"
    "  weft install zed [--settings PATH] [--http URL [--no-auth] [--state DIR]] [--name NAME] [--force] [--dry-run]\n"
    "\n"
    "Registers this weft binary as an MCP server serving the current directory.\n"
    "\n"
    "claude-code  runs `claude mcp add` when `claude` is on PATH; otherwise edits\n"
    "             ./.mcp.json (--scope project) or ~/.claude.json (local: this\n"
    "             directory only, the default; user: every directory).\n"
    "zed          adds a context_servers entry to Zed's settings.json (default\n"
    "             $XDG_CONFIG_HOME/zed/settings.json or ~/.config/zed/settings.json).\n"
    "\n"
    "Options:\n"
    "  --scope S        Claude Code scope: local (default), user or project\n"
    "  --settings PATH  Zed settings file to edit (created if missing)\n"
    "  --http URL       connect to a running `weft serve --http` at URL instead of\n"
    "                   starting weft over stdio; the entry carries the server's\n"
    "                   bearer token (`weft token`) in an Authorization header\n"
    "  --no-auth        with --http: the server runs with --no-auth; send no token\n"
    "  --state DIR      with --http: the state directory holding the token\n"
    "  --name NAME      the server's name (default weft)\n"
    "  --force          replace an existing entry of that name\n"
    "  --dry-run        show what would be written or run, change nothing\n";

constexpr mode_t kPrivateFileMode = 0600;  // ~/.claude.json may hold tokens
constexpr mode_t kSharedFileMode = 0644;

struct InstallOptions {
  std::string name = "weft";
  std::optional<std::string> http_url;
  std::string token;  // with http_url: the bearer token to send; empty for --no-auth
  bool force = false;
  bool dry_run = false;
};

void PrintError(const std::string& message) { std::fprintf(stderr, "weft install: %s\n", message.c_str()); }

// argv as a shell line for display, with the token (a secret) masked.
std::string JoinQuoted(const std::vector<std::string>& argv, const std::string& secret = {}) {
  std::string out;
  for (std::string a : argv) {
    if (!secret.empty()) {
      for (size_t at = a.find(secret); at != std::string::npos; at = a.find(secret)) a.replace(at, secret.size(), "<token>");
    }
    out += (out.empty() ? "" : " ") + ShellQuote(a);
  }
  return out;
}

// Runs argv (no shell) with our stdin/stdout/stderr; the wait status, or an error.
Result<int> RunChild(const std::vector<std::string>& argv) {
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = -1;
  int err = ::posix_spawn(&pid, cargv[0], nullptr, nullptr, cargv.data(), environ);
  if (err != 0) return Status::FromErrno(err, "cannot run " + argv[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::FromErrno(errno, "waiting for " + argv[0]);
  }
  return status;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "ended abnormally";
}

void PrintClaudeNextSteps(ClaudeScope scope, const InstallOptions& options) {
  if (scope == ClaudeScope::kUser && !options.http_url) {
    std::fprintf(stderr, "At user scope weft serves whichever directory Claude Code runs in.\n");
  }
  if (scope == ClaudeScope::kProject) {
    std::fprintf(stderr, "Claude Code asks before starting project servers: run `claude` here and approve %s.\n",
                 options.name.c_str());
  }
  std::fprintf(stderr, "Next: run `claude mcp get %s` here; it should say \"Connected\".\n", options.name.c_str());
}

// `claude mcp add …` for the chosen scope and transport.
std::vector<std::string> ClaudeAddArgv(const std::string& claude, ClaudeScope scope, const InstallOptions& options,
                                       const InstallEnvironment& env) {
  std::vector<std::string> argv = {claude, "mcp", "add", "--scope", std::string(ClaudeScopeName(scope))};
  if (options.http_url) {
    argv.insert(argv.end(), {"--transport", "http", options.name, *options.http_url});
    if (!options.token.empty()) argv.insert(argv.end(), {"--header", "Authorization: Bearer " + options.token});
  } else {
    argv.insert(argv.end(), {options.name, "--", env.weft_path, "serve", "--stdio"});
  }
  return argv;
}

int InstallWithClaudeCli(const std::string& claude, ClaudeScope scope, const InstallOptions& options,
                         const InstallEnvironment& env) {
  std::vector<std::vector<std::string>> commands;
  if (options.force) commands.push_back({claude, "mcp", "remove", "--scope", std::string(ClaudeScopeName(scope)), options.name});
  commands.push_back(ClaudeAddArgv(claude, scope, options, env));
  for (const auto& argv : commands) {
    if (options.dry_run) {
      std::printf("would run: %s\n", JoinQuoted(argv, options.token).c_str());
      continue;
    }
    std::fprintf(stderr, "running: %s\n", JoinQuoted(argv, options.token).c_str());
    auto status = RunChild(argv);
    if (!status.ok()) {
      PrintError(status.status().message());
      return 1;
    }
    bool is_remove = argv[2] == "remove";
    if (*status != 0 && !is_remove) {  // removing an absent entry fails harmlessly
      PrintError("`claude mcp add` " + DescribeWaitStatus(*status) + "; weft was not added (its output is above)");
      return 1;
    }
  }
  if (options.dry_run) return 0;
  std::fprintf(stderr, "Added %s to Claude Code (%s scope) with `claude mcp add`.\n", options.name.c_str(),
               std::string(ClaudeScopeName(scope)).c_str());
  PrintClaudeNextSteps(scope, options);
  return 0;
}

// Reads `path` (a missing file is empty), merges with `merge`, and writes the
// result atomically. `where` says in words where the entry goes.
template <typename MergeFn>
int MergeFile(const std::string& path, const std::string& where, mode_t new_mode, const InstallOptions& options,
              MergeFn merge) {
  auto text = ReadWholeFile(path);
  if (!text.ok() && text.status().code() != StatusCode::kNotFound) {
    PrintError(text.status().message());
    return 1;
  }
  std::string old_text = text.ok() ? *text : "";
  Result<MergeResult> merged = merge(old_text);
  if (!merged.ok()) {
    PrintError(path + ": " + merged.status().message());
    return 1;
  }
  if (merged->unchanged) {
    std::fprintf(stderr, "%s already has this \"%s\" entry in %s; nothing to change.\n", path.c_str(),
                 options.name.c_str(), where.c_str());
    return 0;
  }
  if (options.dry_run) {
    std::printf("would write %s (%s \"%s\" in %s):\n%s", path.c_str(), merged->replaced ? "replacing" : "adding",
                options.name.c_str(), where.c_str(), merged->text.c_str());
    return 0;
  }
  if (Status s = WriteFileAtomically(path, merged->text, new_mode); !s.ok()) {
    PrintError(s.message() + "; " + path + " is unchanged");
    return 1;
  }
  std::fprintf(stderr, "%s \"%s\" %s %s in %s%s.\n", merged->replaced ? "Replaced" : "Added", options.name.c_str(),
               merged->replaced ? "in" : "to", where.c_str(), path.c_str(),
               merged->edited_in_place ? " (inserted into the text; comments and formatting kept)"
               : text.ok()             ? ""
                                       : " (new file)");
  return 0;
}

int InstallClaudeCode(const Flags& flags, const InstallOptions& options, const InstallEnvironment& env) {
  auto scope = ParseClaudeScope(flags.Get("scope").value_or("local"));
  if (!scope.ok()) {
    PrintError(scope.status().message());
    return 2;
  }
  if (auto claude = FindExecutableOnPath("claude", env.path)) return InstallWithClaudeCli(*claude, *scope, options, env);

  std::string path;
  if (*scope == ClaudeScope::kProject) {
    path = env.cwd + "/.mcp.json";
  } else if (!env.home) {
    PrintError("HOME is not set, so ~/.claude.json cannot be found; set HOME or use --scope project");
    return 1;
  } else {
    path = *env.home + "/.claude.json";
  }
  std::string where = *scope == ClaudeScope::kLocal ? "projects[\"" + env.cwd + "\"].mcpServers" : "mcpServers";
  MergeRequest request{options.name,
                       options.http_url ? ClaudeHttpEntry(*options.http_url, options.token) : ClaudeStdioEntry(env.weft_path),
                       options.force};
  if (!options.dry_run) std::fprintf(stderr, "`claude` is not on PATH; editing %s directly.\n", path.c_str());
  int rc = MergeFile(path, where, *scope == ClaudeScope::kProject ? kSharedFileMode : kPrivateFileMode, options,
                     [&](const std::string& text) { return MergeClaudeConfig(text, *scope, env.cwd, request); });
  if (rc == 0 && !options.dry_run) {
    std::fprintf(stderr, "A Claude Code session already running reads this at its next start.\n");
    PrintClaudeNextSteps(*scope, options);
  }
  return rc;
}

int InstallZed(const Flags& flags, const InstallOptions& options, const InstallEnvironment& env) {
  std::string path;
  if (auto settings = flags.Get("settings")) {
    path = (std::filesystem::path(env.cwd) / *settings).lexically_normal();  // an absolute PATH replaces cwd
  } else if (env.xdg_config_home) {
    path = *env.xdg_config_home + "/zed/settings.json";
  } else if (env.home) {
    path = *env.home + "/.config/zed/settings.json";
  } else {
    PrintError("HOME is not set, so Zed's settings.json cannot be found; set HOME or pass --settings PATH");
    return 1;
  }
  MergeRequest request{options.name,
                       options.http_url ? ZedHttpEntry(*options.http_url, options.token) : ZedStdioEntry(env.weft_path, env.cwd),
                       options.force};
  int rc = MergeFile(path, "context_servers", kSharedFileMode, options,
                     [&](const std::string& text) { return MergeZedSettings(text, request); });
  if (rc == 0 && !options.dry_run) {
    std::fprintf(stderr,
                 "Next: Zed reloads settings.json by itself; open the Agent panel's settings and check that %s "
                 "is active (restart Zed if it does not appear).\n",
                 options.name.c_str());
  }
  return rc;
}

}  // namespace

std::optional<std::string> FindExecutableOnPath(const std::string& name, const std::string& path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

InstallEnvironment InstallEnvironmentFromProcess() {
  InstallEnvironment env;
  if (const char* home = std::getenv("HOME"); home && *home) env.home = home;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg == '/') env.xdg_config_home = xdg;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg == '/') env.xdg_state_home = xdg;
  if (const char* path = std::getenv("PATH")) env.path = path;
  std::error_code ec;
  env.cwd = std::filesystem::current_path(ec).string();
  env.weft_path = SelfExecutablePath();
  return env;
}

int RunInstallIn(const std::vector<std::string>& args, const InstallEnvironment& env) {
  Flags command_flags;
  if (auto exit_code = ParseSubcommandFlags("install", args, {"force", "dry-run", "no-auth"},
                                            {"scope", "settings", "http", "name", "state"}, kInstallUsage,
                                            &command_flags)) {
    return *exit_code;
  }
  const Flags* flags = &command_flags;
  const auto& words = flags->positional();
  if (words.size() != 1) {
    std::fprintf(stderr, "weft install: %s\n\n%s",
                 words.empty() ? "name an editor: claude-code or zed" : ("unexpected argument '" + words[1] + "'").c_str(),
                 kInstallUsage);
    return 2;
  }
  InstallOptions options;
  options.name = flags->Get("name").value_or("weft");
  options.http_url = flags->Get("http");
  options.force = flags->Has("force");
  options.dry_run = flags->Has("dry-run");
  Status valid = ValidateServerName(options.name);
  if (valid.ok() && options.http_url) valid = ValidateServerUrl(*options.http_url);
  if (!valid.ok()) {
    PrintError(valid.message());
    return 2;
  }
  if (!options.http_url && (flags->Has("no-auth") || flags->Has("state"))) {
    PrintError("--no-auth and --state apply to --http only");
    return 2;
  }
  if (options.http_url && !flags->Has("no-auth")) {
    auto dir = StateDirFrom(flags->Get("state").value_or(""),
                            env.xdg_state_home ? env.xdg_state_home->c_str() : nullptr,
                            env.home ? env.home->c_str() : nullptr);
    auto token = dir.ok() ? mcp::LoadOrCreateToken(*dir) : Result<std::string>(dir.status());
    if (!token.ok()) {
      PrintError(token.status().message());
      return 1;
    }
    options.token = *token;
  }
  const std::string& editor = words[0];
  if (editor == "claude-code" || editor == "zed") {
    const char* wrong = editor == "zed" ? "scope" : "settings";
    if (flags->Has(wrong)) {
      PrintError("--" + std::string(wrong) + " does not apply to " + editor);
      return 2;
    }
    return editor == "zed" ? InstallZed(*flags, options, env) : InstallClaudeCode(*flags, options, env);
  }
  std::fprintf(stderr, "weft install: unknown editor '%s' (use claude-code or zed)\n\n%s", editor.c_str(),
               kInstallUsage);
  return 2;
}

int RunInstall(const std::vector<std::string>& args) { return RunInstallIn(args, InstallEnvironmentFromProcess()); }

}  // namespace weft::cli
