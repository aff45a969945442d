// The weft binary's subcommands. Each returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace weft::cli {

inline constexpr const char* kVersion = WEFT_VERSION;

// weft serve [--stdio] [--conformance-fixture] [--log-level L] [--log-file F] ...
int RunServe(const std::vector<std::string>& args);

// weft token [--state DIR] [--path]
int RunToken(const std::vector<std::string>& args);

// weft call VENOM.OP [JSON | -] [--mount DIR] [--workspace DIR] [--bind B] [--read-only] [--state DIR]
int RunCall(const std::vector<std::string>& args);

// weft install claude-code|zed [--scope S] [--settings PATH] [--http URL] [--name NAME] [--force] [--dry-run]
int RunInstall(const std::vector<std::string>& args);

// weft mount DIR [--workspace ID|DIR] [--read-only] [--foreground] [--state DIR] ...
int RunMount(const std::vector<std::string>& args);

// weft umount DIR [--lazy]
int RunUmount(const std::vector<std::string>& args);

// weft spawn [options] -- COMMAND [ARG…]
int RunSpawn(const std::vector<std::string>& args);

// weft agents [list | status ID | logs ID | wait ID | signal ID SIG | remove ID]
int RunAgents(const std::vector<std::string>& args);

// weft __agent-run --state DIR ID: the runner of one agent (agent_runner.h).
int RunAgentRun(const std::vector<std::string>& args);

// weft connect SOCKET: stdin/stdout to an agent's callback socket (agent_callbacks.h).
int RunConnect(const std::vector<std::string>& args);

// weft doctor [--json]
int RunDoctor(const std::vector<std::string>& args);

// weft grant create|derive PARENT|list|show ID|revoke ID [options]
int RunGrant(const std::vector<std::string>& args);

// weft audit [--last N] [--follow] [--grant ID] [--json] [--state DIR]
int RunAudit(const std::vector<std::string>& args);

}  // namespace weft::cli
