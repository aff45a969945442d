// weft connect SOCKET: stdin/stdout to an agent's callback socket, for the
// agent's MCP client (the command its $WEFT_MCP_CONFIG names).
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/base/unix_socket.h"
#include "core/proc/io.h"
#include "mcp/cli/agent_callbacks.h"
#include "mcp/cli/commands.h"
#include "mcp/cli/flags.h"

namespace weft::cli {
namespace {

constexpr const char kConnectUsage[] =
    "Usage: weft connect SOCKET\n"
    "\n"
    "Connects stdin and stdout to the MCP service at SOCKET, presenting the token\n"
    "in $WEFT_TOKEN: the MCP stdio transport, for a session under that token's\n"
    "grant. An agent weft spawned finds this command in the MCP config its\n"
    "$WEFT_MCP_CONFIG names (SOCKET is <its home>/.weft-mcp.sock, served by its\n"
    "runner); it works inside any sandbox profile, with or without network.\n";

// How long the service may take to answer the hello (it opens the workspace
// on the first connection).
constexpr int kAnswerTimeoutMs = 30'000;

int Fail(const std::string& why) {
  std::fprintf(stderr, "weft connect: %s\n", why.c_str());
  return 1;
}

// Copies what `from` has to `to`; false at EOF or on an error.
bool Copy(int from, int to) {
  char buf[65536];
  ssize_t n;
  do {
    n = ::read(from, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  return proc::WriteNoSigpipe(to, buf, static_cast<size_t>(n)) == n;
}

}  // namespace

int RunConnect(const std::vector<std::string>& args) {
  Flags flags;
  if (auto exit_code = ParseSubcommandFlags("connect", args, {}, {}, kConnectUsage, &flags)) return *exit_code;
  if (flags.positional().size() != 1) {
    std::fprintf(stderr, "weft connect: give the socket's path\n\n%s", kConnectUsage);
    return 2;
  }
  const char* token = std::getenv("WEFT_TOKEN");
  if (token == nullptr || token[0] == '\0') return Fail("WEFT_TOKEN is not set (the MCP config sets it)");
  Result<UniqueFd> sock = ConnectUnix(flags.positional()[0]);
  if (!sock.ok()) return Fail(sock.status().message());
  std::string hello = Json{{"token", token}}.dump() + "\n";
  if (proc::WriteNoSigpipe(sock->get(), hello.data(), hello.size()) != static_cast<ssize_t>(hello.size())) {
    return Fail("the service closed the connection");
  }
  Result<std::string> answer = ReadHelloLine(sock->get(), kAnswerTimeoutMs);
  if (!answer.ok()) return Fail(StrCat({"no answer from ", flags.positional()[0], ": ", answer.status().message()}));
  Json parsed = Json::parse(*answer, nullptr, false);
  if (!parsed.is_object() || !parsed.value("ok", false)) {
    return Fail(parsed.is_object() ? parsed.value("error", "refused") : "a malformed answer");
  }
  // Both ways until the service closes; end of input half-closes.
  bool input_open = true;
  while (true) {
    pollfd fds[2] = {{sock->get(), POLLIN, 0}, {STDIN_FILENO, static_cast<short>(input_open ? POLLIN : 0), 0}};
    int rc = ::poll(fds, input_open ? 2 : 1, -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return Fail(StrCat({"poll: ", std::strerror(errno)}));
    if (fds[0].revents != 0 && !Copy(sock->get(), STDOUT_FILENO)) return 0;
    if (input_open && fds[1].revents != 0 && !Copy(STDIN_FILENO, sock->get())) {
      input_open = false;
      ::shutdown(sock->get(), SHUT_WR);
    }
  }
}

}  // namespace weft::cli
