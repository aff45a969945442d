// The weft binary: subcommand dispatch.
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "mcp/cli/commands.h"

namespace {

constexpr const char kUsage[] =
    "weft - an agent workspace host\n"
    "\n"
    "Usage:\n"
    "  weft serve [--stdio] [options]   serve this directory over MCP on stdin/stdout\n"
    "  weft serve --http 127.0.0.1:PORT [options]\n"
    "                                   serve it over MCP Streamable HTTP\n"
    "  weft mount DIR [options]         mount this directory's workspace at DIR (FUSE)\n"
    "  weft umount DIR                  unmount it\n"
    "  weft call VENOM.OP [JSON | -]    call one venom op (e.g. fs.read) and print its JSON answer\n"
    "  weft spawn [options] -- CMD…     start CMD as an agent in this directory's workspace\n"
    "  weft agents [list|status|logs|wait|signal|remove]\n"
    "                                   the agents and what they do\n"
    "  weft connect SOCKET              MCP on stdin/stdout through an agent's socket\n"
    "                                   (the command in a spawned agent's MCP config)\n"
    "  weft token                       print the bearer token HTTP clients need\n"
    "  weft doctor [--json]             what this host offers weft (FUSE, sandboxing, cgroups, tools)\n"
    "  weft grant create [options]      make a capability token (also derive, list,\n"
    "                                   show, revoke)\n"
    "  weft audit [--follow]            print the audit log of tool calls\n"
    "  weft install claude-code [options]\n"
    "                                   add weft for this directory to Claude Code\n"
    "  weft install zed [options]       add weft for this directory to Zed's settings.json\n"
    "  weft --version                   print the version\n"
    "  weft --help                      print this help\n"
    "\n"
    "Run 'weft <command> --help' (serve, call, mount, install, grant, audit) for their options.\n";

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);  // a vanished client is an error return, not a crash
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string& cmd = args[0];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "--version" || cmd == "version") {
    std::printf("weft %s\n", weft::cli::kVersion);
    return 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (cmd == "serve") return weft::cli::RunServe(rest);
  if (cmd == "install") return weft::cli::RunInstall(rest);
  if (cmd == "token") return weft::cli::RunToken(rest);
  if (cmd == "mount") return weft::cli::RunMount(rest);
  if (cmd == "umount") return weft::cli::RunUmount(rest);
  if (cmd == "call") return weft::cli::RunCall(rest);
  if (cmd == "spawn") return weft::cli::RunSpawn(rest);
  if (cmd == "agents") return weft::cli::RunAgents(rest);
  if (cmd == "__agent-run") return weft::cli::RunAgentRun(rest);
  if (cmd == "connect") return weft::cli::RunConnect(rest);
  if (cmd == "doctor") return weft::cli::RunDoctor(rest);
  if (cmd == "grant") return weft::cli::RunGrant(rest);
  if (cmd == "audit") return weft::cli::RunAudit(rest);
  std::fprintf(stderr, "weft: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return 2;
}
