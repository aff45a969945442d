// weft serve: the MCP server over stdio for the current directory.
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "core/base/log.h"
#include "mcp/cli/commands.h"
#include "mcp/cli/flags.h"
#include "mcp/fixture/conformance_fixture.h"
#include "mcp/server/server.h"
#include "mcp/transport/stdio_connection.h"

namespace weft::cli {
namespace {

constexpr const char kServeUsage[] =
    "Usage: weft serve [--stdio] [options]\n"
    "\n"
    "Serves the current directory as an MCP server on stdin/stdout (newline-\n"
    "delimited JSON-RPC). Speaks both protocol eras: the initialize handshake\n"
    "(2024-11-05 … 2025-11-25) and the stateless 2026-07-28 protocol.\n"
    "\n"
    "Options:\n"
    "  --stdio                  serve on stdin/stdout (the default)\n"
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

}  // namespace

int RunServe(const std::vector<std::string>& args) {
  Flags command_flags;
  if (auto exit_code = ParseSubcommandFlags("serve", args, {"stdio", "conformance-fixture"},
                                            {"log-level", "log-file", "max-message-bytes"}, kServeUsage, &command_flags)) {
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
  if (auto max = flags->Get("max-message-bytes")) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(max->c_str(), &end, 10);
    if (end == max->c_str() || *end != '\0' || v < 1024) {
      std::fprintf(stderr, "weft serve: --max-message-bytes needs a number >= 1024\n");
      return 2;
    }
    stdio_options.max_frame_bytes = static_cast<size_t>(v);
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
  options.instructions =
      "weft serves the workspace at " + dir +
      ". Use its tools to work with files, search, terminals, git and agents in that workspace.";
  std::unique_ptr<mcp::ConformanceFixture> fixture;
  if (flags->Has("conformance-fixture")) {
    options.name = "weft-conformance-fixture";
    options.instructions = "The MCP conformance-suite fixture, served by weft for protocol testing.";
    fixture = std::make_unique<mcp::ConformanceFixture>(tools, resources, prompts);
    if (Status s = fixture->Register(); !s.ok()) {
      std::fprintf(stderr, "weft serve: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  mcp::Server server(options, tools, resources, prompts);

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
  server.Serve(conn);
  WEFT_LOG(kInfo) << "client disconnected; exiting";
  return 0;
}

}  // namespace weft::cli
