// weft serve: the MCP server for the current directory, over stdio or
// Streamable HTTP; weft token: the HTTP bearer token.
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <filesystem>
#include <string>
#include <thread>

#include "core/base/log.h"
#include "core/base/state_dir.h"
#include "mcp/cli/commands.h"
#include "mcp/cli/flags.h"
#include "mcp/cli/grant_setup.h"
#include "mcp/cli/workspace_setup.h"
#include "core/base/strings.h"
#include "mcp/fixture/conformance_fixture.h"
#include "mcp/http/http_module.h"
#include "mcp/http/security.h"
#include "mcp/server/server.h"
#include "mcp/transport/stdio_connection.h"

namespace weft::cli {
namespace {

constexpr const char kServeUsage[] =
    "Usage: weft serve [--stdio | --http HOST:PORT] [options]\n"
    "\n"
    "Serves a workspace (the current directory unless --workspace says otherwise)\n"
    "as an MCP server, on stdin/stdout (newline-delimited JSON-RPC) or over\n"
    "Streamable HTTP at http://HOST:PORT/mcp. Speaks both protocol eras: the\n"
    "initialize handshake (2024-11-05 … 2025-11-25) and the stateless 2026-07-28\n"
    "protocol.\n"
    "\n"
    "Options:\n"
    "  --workspace DIR          serve DIR as a workspace (repeatable; the first is the\n"
    "                           default for tools; default: the current directory)\n"
    "  --bind NSPATH=DIR[:ro]   also show DIR at NSPATH in the first workspace, read-\n"
    "                           only with :ro (repeatable), e.g. --bind /docs=../docs:ro\n"
    "  --read-only              refuse every change to the workspaces' files (and leave\n"
    "                           out the terminal venom, whose processes could write);\n"
    "                           sessions run under a read-only grant\n"
    "  --allow GLOB             sessions may call only tools matching GLOB (repeatable),\n"
    "                           e.g. --allow 'fs_*' --allow 'search_*'\n"
    "  --deny GLOB              sessions may never call tools matching GLOB (repeatable)\n"
    "  --policy FILE            sessions run under the grant FILE describes (JSON: tools,\n"
    "                           deny_tools, read_paths, write_paths, budgets, expiry; see\n"
    "                           docs/grants.md); --allow, --deny and --read-only narrow it\n"
    "  --token-env              sessions run under the grant whose token $WEFT_TOKEN\n"
    "                           holds (the MCP config a spawned agent gets uses it)\n"
    "  --ignore-roots           serve the whole workspace to every client; by default a\n"
    "                           client's roots (its project directories) narrow what its\n"
    "                           session may use, never widen it\n"
    "  --stdio                  serve on stdin/stdout (the default)\n"
    "  --http HOST:PORT         serve over HTTP; port 0 picks a free one. Use a\n"
    "                           loopback HOST (127.0.0.1) unless you mean otherwise\n"
    "  --no-auth                HTTP without the bearer token (loopback only)\n"
    "                           (tokens from `weft grant create` work besides `weft token`'s)\n"
    "  --state DIR              state directory (default $XDG_STATE_HOME/weft or\n"
    "                           ~/.local/state/weft); holds weft.db and the HTTP token\n"
    "  --max-body-bytes N       HTTP: refuse request bodies over N bytes (default 16777216)\n"
    "  --conformance-fixture    serve the tools, resources and prompts the official\n"
    "                           MCP conformance suite expects (protocol testing)\n"
    "  --log-level LEVEL        debug, info, warning, error or off (default info)\n"
    "  --log-file PATH          append logs to PATH instead of stderr\n"
    "  --max-message-bytes N    refuse messages larger than N bytes (default 33554432)\n";

// On a terminal, a person started us by hand: tell them how editors connect.
void PrintConnectHelp(const std::string& dir) {
  std::string self = SelfExecutablePath();
  std::fprintf(stderr,
               "weft %s: serving %s over MCP on stdin/stdout.\n"
               "Editors start this command themselves; to connect one, from this directory:\n"
               "  Claude Code:  %s install claude-code\n"
               "  Zed:          %s install zed\n"
               "  Any client:   mcp-inspect tools -- %s serve --stdio\n"
               "Type JSON-RPC lines here to talk to it; Ctrl-D ends.\n",
               kVersion, dir.c_str(), self.c_str(), self.c_str(), self.c_str());
}

constexpr const char kTokenUsage[] =
    "Usage: weft token [--state DIR] [--path]\n"
    "\n"
    "Prints the bearer token that `weft serve --http` requires (generating it\n"
    "on first use), or with --path the file that holds it (mode 0600).\n";

// Splits HOST:PORT ("[::1]:PORT" for IPv6).
bool ParseHostPort(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  std::string h = text.substr(0, colon);
  if (h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string p = text.substr(colon + 1);
  if (p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return false;
  int v = std::stoi(p);
  if (v > 65535 || h.empty()) return false;
  *host = h;
  *port = v;
  return true;
}

std::optional<size_t> ParseSize(const std::optional<std::string>& text, size_t minimum) {
  if (!text) return std::nullopt;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text->c_str(), &end, 10);
  if (end == text->c_str() || *end != '\0' || v < minimum) return 0;
  return static_cast<size_t>(v);
}

// Where a person reading stderr learns how to connect editors to the HTTP server.
void PrintHttpConnectHelp(const std::string& dir, const std::string& url, const mcp::HttpOptions& http) {
  std::string self = SelfExecutablePath();
  std::string auth_header;
  std::string zed_headers;
  if (!http.token.empty()) {
    // The token itself goes only to a terminal, never into a redirected log.
    std::string shown = ::isatty(STDERR_FILENO) ? http.token : "<output of `" + self + " token`>";
    auth_header = " --header \"Authorization: Bearer $(" + self + " token)\"";
    zed_headers = ",\n      \"headers\": { \"Authorization\": \"Bearer " + shown + "\" }";
  }
  std::fprintf(stderr,
               "weft %s: serving %s over MCP (Streamable HTTP)\n"
               "  URL:    %s\n"
               "  Token:  %s\n"
               "Claude Code (from any directory):\n"
               "  claude mcp add --transport http weft %s%s\n"
               "  (or: %s install claude-code --http %s)\n"
               "Zed (settings.json; or: %s install zed --http %s):\n"
               "  \"context_servers\": {\n"
               "    \"weft\": {\n"
               "      \"url\": \"%s\"%s\n"
               "    }\n"
               "  }\n"
               "Any client:  mcp-inspect %s%s tools\n"
               "Ctrl-C stops the server.\n",
               kVersion, dir.c_str(), url.c_str(),
               http.token.empty() ? "none (--no-auth)" : (http.token_hint + " (print it with `" + self + " token`)").c_str(),
               url.c_str(), auth_header.c_str(), self.c_str(), url.c_str(), self.c_str(), url.c_str(), url.c_str(),
               zed_headers.c_str(), url.c_str(), http.token.empty() ? "" : (" --token $(" + self + " token)").c_str());
}

// The workspaces from --workspace/--bind/--read-only, recorded in the state directory.
Result<std::unique_ptr<WorkspaceHost>> ServeWorkspaces(const Flags& flags, mcp::ToolRegistry& tools,
                                                       mcp::ResourceRegistry& resources,
                                                       mcp::PromptRegistry& prompts) {
  WorkspaceFlags ws;
  ws.dirs = flags.GetAll("workspace");
  ws.binds = flags.GetAll("bind");
  ws.read_only = flags.Has("read-only");
  ws.host_mounts = true;  // workspace_mount's mounts live as long as this server
  ws.own_agents = true;   // and so do the agents it starts, unless detached
  WEFT_ASSIGN_OR_RETURN(ws.state_dir, StateDir(flags.Get("state").value_or("")));
  return SetUpWorkspaces(ws, tools, resources, prompts);
}

int ServeHttp(mcp::Server& server, const mcp::HttpOptions& options, const std::string& dir, sigset_t stop_signals,
              bool fixture, bool log_file, venoms::agent::AgentHost* agents) {
  Result<std::unique_ptr<mcp::HttpService>> service = mcp::CreateHttpService(server, options);
  if (!service.ok()) {
    std::fprintf(stderr, "weft serve: %s\n", service.status().message().c_str());
    return 1;
  }
  mcp::HttpService& http = **service;
  if (Status s = http.Bind(); !s.ok()) {
    std::fprintf(stderr, "weft serve: %s\n", s.message().c_str());
    return 1;
  }
  // Spawned agents call back here with their own tokens.
  if (agents != nullptr) agents->set_callback_url(http.url());
  if (options.token.empty()) {
    WEFT_LOG(kWarning) << "AUTHENTICATION IS OFF (--no-auth): any local process or user can use this server";
  }
  std::thread([&http, stop_signals] {
    int sig = 0;
    if (sigwait(&stop_signals, &sig) == 0) {
      WEFT_LOG(kInfo) << "signal " << sig << ": shutting down";
      http.Stop();
    }
  }).detach();
  // Scripts and tests wait for this line; keep its shape. It is logged, and
  // also written to stderr when the log goes to a file or skips info lines.
  std::string ready = "weft " + std::string(kVersion) + " serving " + dir +
                      (fixture ? " (conformance fixture)" : "") + "; listening on " + http.url();
  WEFT_LOG(kInfo) << ready;
  if (log_file || GetLogLevel() > LogLevel::kInfo) std::fprintf(stderr, "%s\n", ready.c_str());
  if (::isatty(STDERR_FILENO) || !fixture) PrintHttpConnectHelp(dir, http.url(), options);
  Status s = http.Run();
  if (!s.ok()) {
    std::fprintf(stderr, "weft serve: %s\n", s.message().c_str());
    return 1;
  }
  WEFT_LOG(kInfo) << "stopped";
  return 0;
}

}  // namespace

int RunToken(const std::vector<std::string>& args) {
  Flags flags;
  if (auto exit_code = ParseSubcommandFlags("token", args, {"path"}, {"state"}, kTokenUsage, &flags)) {
    return *exit_code;
  }
  auto dir = StateDir(flags.Get("state").value_or(""));
  if (!dir.ok()) {
    std::fprintf(stderr, "weft token: %s\n", dir.status().message().c_str());
    return 1;
  }
  if (flags.Has("path")) {
    std::printf("%s\n", mcp::TokenPath(*dir).c_str());
    return 0;
  }
  auto token = mcp::LoadOrCreateToken(*dir);
  if (!token.ok()) {
    std::fprintf(stderr, "weft token: %s\n", token.status().message().c_str());
    return 1;
  }
  std::printf("%s\n", token->c_str());
  return 0;
}

int RunServe(const std::vector<std::string>& args) {
  Flags command_flags;
  if (auto exit_code = ParseSubcommandFlags("serve", args, {"stdio", "conformance-fixture", "no-auth", "read-only", "ignore-roots", "token-env"},
                                            {"log-level", "log-file", "max-message-bytes", "http", "state",
                                             "max-body-bytes", "workspace", "bind", "allow", "deny", "policy"},
                                            kServeUsage, &command_flags)) {
    return *exit_code;
  }
  const Flags* flags = &command_flags;
  if (!flags->positional().empty()) {
    std::fprintf(stderr, "weft serve: unexpected argument '%s'\n\n%s", flags->positional()[0].c_str(), kServeUsage);
    return 2;
  }
  if (auto level = flags->Get("log-level")) {
    LogLevel parsed;
    if (!ParseLogLevel(*level, &parsed)) {
      std::fprintf(stderr, "weft serve: --log-level must be debug, info, warning, error or off\n");
      return 2;
    }
    SetLogLevel(parsed);
  }
  if (auto file = flags->Get("log-file")) {
    if (Status s = SetLogFile(*file); !s.ok()) {
      std::fprintf(stderr, "weft serve: %s\n", s.message().c_str());
      return 2;
    }
  }
  mcp::StdioOptions stdio_options;
  if (auto max = ParseSize(flags->Get("max-message-bytes"), 1024)) {
    if (*max == 0) {
      std::fprintf(stderr, "weft serve: --max-message-bytes needs a number >= 1024\n");
      return 2;
    }
    stdio_options.max_frame_bytes = *max;
  }
  std::optional<mcp::HttpOptions> http;
  if (auto addr = flags->Get("http")) {
    if (flags->Has("stdio")) {
      std::fprintf(stderr, "weft serve: choose one of --stdio and --http\n");
      return 2;
    }
    http.emplace();
    if (!ParseHostPort(*addr, &http->host, &http->port)) {
      std::fprintf(stderr, "weft serve: --http needs HOST:PORT, e.g. 127.0.0.1:8765 (port 0 picks a free one)\n");
      return 2;
    }
    if (auto max = ParseSize(flags->Get("max-body-bytes"), 1024)) {
      if (*max == 0) {
        std::fprintf(stderr, "weft serve: --max-body-bytes needs a number >= 1024\n");
        return 2;
      }
      http->max_body_bytes = *max;
    }
    if (flags->Has("no-auth")) {
      if (!mcp::IsLoopbackAddress(http->host)) {
        std::fprintf(stderr, "weft serve: --no-auth is allowed only on a loopback address (127.0.0.1, ::1)\n");
        return 2;
      }
    } else {
      auto dir = StateDir(flags->Get("state").value_or(""));
      if (!dir.ok()) {
        std::fprintf(stderr, "weft serve: %s\n", dir.status().message().c_str());
        return 1;
      }
      bool created = false;
      auto token = mcp::LoadOrCreateToken(*dir, &created);
      if (!token.ok()) {
        std::fprintf(stderr, "weft serve: %s\n", token.status().message().c_str());
        return 1;
      }
      http->token = *token;
      http->token_hint = mcp::TokenPath(*dir);
      if (created) {
        WEFT_LOG(kInfo) << "generated a bearer token in " << http->token_hint;
      }
    }
  } else if (flags->Has("no-auth") || flags->Has("max-body-bytes")) {
    std::fprintf(stderr, "weft serve: --no-auth and --max-body-bytes apply to --http only\n");
    return 2;
  }

  // SIGINT/SIGTERM close the connection so that Serve() returns cleanly. They
  // are blocked before any thread starts, so only the sigwait thread sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::string dir = std::filesystem::current_path().string();
  mcp::ToolRegistry tools;
  mcp::ResourceRegistry resources;
  mcp::PromptRegistry prompts;
  mcp::ServerOptions options;
  options.version = kVersion;
  options.client_roots = !flags->Has("ignore-roots");
  std::unique_ptr<mcp::ConformanceFixture> fixture;
  std::unique_ptr<WorkspaceHost> host;
  std::unique_ptr<store::Store> fixture_store;  // the fixture keeps grants and audit too
  if (!flags->Has("conformance-fixture")) {
    auto set_up = ServeWorkspaces(*flags, tools, resources, prompts);
    if (!set_up.ok()) {
      std::fprintf(stderr, "weft serve: %s\n", set_up.status().message().c_str());
      return 1;
    }
    host = std::move(set_up).value();
    dir = DescribeWorkspaces(host->workspaces);
    options.instructions = ServerInstructions(host->workspaces);
  } else {
    if (flags->Has("workspace") || flags->Has("bind") || flags->Has("read-only")) {
      std::fprintf(stderr, "weft serve: --conformance-fixture serves no workspace; drop --workspace, --bind "
                           "and --read-only\n");
      return 2;
    }
    auto state = StateDir(flags->Get("state").value_or(""));
    Result<std::unique_ptr<store::Store>> opened =
        state.ok() ? store::Store::Open(store::Store::PathIn(*state)) : Result<std::unique_ptr<store::Store>>(state.status());
    if (!opened.ok()) {
      std::fprintf(stderr, "weft serve: %s\n", opened.status().message().c_str());
      return 1;
    }
    fixture_store = std::move(opened).value();
    options.name = "weft-conformance-fixture";
    options.instructions = "The MCP conformance-suite fixture, served by weft for protocol testing.";
    fixture = std::make_unique<mcp::ConformanceFixture>(tools, resources, prompts);
    if (Status s = fixture->Register(); !s.ok()) {
      std::fprintf(stderr, "weft serve: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  // Every session runs under a grant: this process's, from the command line.
  store::Store& store = host != nullptr ? *host->store : *fixture_store;
  std::string subject = StrCat({"weft serve --", http ? "http" : "stdio", " (pid ", std::to_string(::getpid()), ")"});
  Result<std::unique_ptr<GrantHost>> granted = Status::Internal("unset");
  if (flags->Has("token-env")) {
    // An agent's MCP client starting weft for it: the session runs under the
    // agent's grant (what $WEFT_TOKEN stands for), narrowed by --read-only.
    const char* token = std::getenv("WEFT_TOKEN");
    if (token == nullptr || token[0] == '\0') {
      std::fprintf(stderr, "weft serve: --token-env: WEFT_TOKEN is not set\n");
      return 2;
    }
    if (flags->Has("allow") || flags->Has("deny") || flags->Has("policy")) {
      std::fprintf(stderr, "weft serve: --token-env takes the grant of $WEFT_TOKEN; derive a narrower token with "
                           "`weft grant derive` instead of --allow, --deny or --policy\n");
      return 2;
    }
    grants::GrantRequest request;
    request.read_only = flags->Has("read-only");
    granted = GrantHost::StartUnder(store, token, request, subject);
    if (!granted.ok()) granted = granted.status().WithContext("--token-env: the grant of $WEFT_TOKEN");
  } else {
    Result<grants::Grant> rules = RulesFromFlags(*flags, store.Now());
    if (!rules.ok()) {
      std::fprintf(stderr, "weft serve: %s\n", rules.status().message().c_str());
      return 2;
    }
    granted = GrantHost::Start(store, subject, std::move(rules).value());
  }
  if (!granted.ok()) {
    std::fprintf(stderr, "weft serve: %s\n", granted.status().message().c_str());
    return 1;
  }
  std::unique_ptr<GrantHost> grant_host = std::move(granted).value();
  if (host != nullptr) {
    grant_host->SetSurface(&host->surface->venoms(), &host->workspaces);
    if (venoms::HostedMounts* mounts = host->surface->mounts()) {
      GrantHost* g = grant_host.get();
      mounts->SetGates([g](const grants::Grant& caller, const std::string& mount_dir, bool read_only) {
        return g->MountGate(caller, mount_dir, read_only);
      });
    }
  }
  mcp::Server server(options, tools, resources, prompts);
  if (http) {
    GrantHost* g = grant_host.get();
    http->owner_gate = [g](const std::string& session) { return g->RootGate(session); };
    http->token_gate = [g](const std::string& token, const std::string& session) {
      return g->TokenGate(token, session);
    };
    return ServeHttp(server, *http, dir, stop_signals, fixture != nullptr, flags->Has("log-file"),
                     host != nullptr ? host->agents.get() : nullptr);
  }

  mcp::StdioConnection conn(STDIN_FILENO, STDOUT_FILENO, stdio_options);
  std::thread([&conn, stop_signals] {
    int sig = 0;
    if (sigwait(&stop_signals, &sig) == 0) {
      WEFT_LOG(kInfo) << "signal " << sig << ": shutting down";
      conn.Close();
    }
  }).detach();

  if (::isatty(STDIN_FILENO)) PrintConnectHelp(dir);
  WEFT_LOG(kInfo) << "weft " << kVersion << " serving " << dir << " over stdio"
                  << (fixture ? " (conformance fixture)" : "");
  server.Serve(conn, grant_host->RootGate("stdio"));
  WEFT_LOG(kInfo) << "client disconnected; exiting";
  return 0;
}

}  // namespace weft::cli
