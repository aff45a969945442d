// WeftHttpServer: starting weft's HTTP server for client tests and waiting
// for the line that announces its URL.
#include "tests/clients/weft_http_server.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

namespace weft::testing {
namespace {

std::string ReadIfExists(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

WeftHttpServer::WeftHttpServer(const std::string& weft, const Options& options)
    : weft_(weft),
      state_(std::make_unique<ScopedTempDir>()),
      workspace_(std::make_unique<ScopedTempDir>()),
      logs_(std::make_unique<ScopedTempDir>()),
      cwd_(std::filesystem::canonical(workspace_->path()).string()) {
  // env(1) gives the child alone its working directory: weft serves its cwd.
  std::vector<std::string> argv = {"env", "-C", cwd_, weft_, "serve", "--http", "127.0.0.1:0",
                                   "--conformance-fixture", "--state", state_->path(),
                                   "--log-file", log_path(), "--log-level", options.log_level};
  if (!options.auth) argv.emplace_back("--no-auth");
  process_ = std::make_unique<Subprocess>(argv);

  // ServeHttp logs "… listening on http://HOST:PORT/mcp" once it has bound.
  static const std::regex kListening(R"(listening on (http://127\.0\.0\.1:(\d+)/mcp))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    std::smatch m;
    const std::string log = Log();
    if (std::regex_search(log, m, kListening)) {
      url_ = m[1].str();
      port_ = std::stoi(m[2].str());
      return;
    }
    if (auto status = process_->Wait(std::chrono::milliseconds(0))) {
      exited_ = true;
      error_ = "weft serve --http exited (wait status " + std::to_string(*status) +
               ") before listening\nlog:\n" + Log() + "\nstderr:\n" + process_->DrainStderr();
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      error_ = "weft serve --http did not log its URL within 30 s\nlog:\n" + Log() +
               "\nstderr:\n" + process_->DrainStderr();
      return;
    }
    process_->DrainStderr();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

WeftHttpServer::~WeftHttpServer() {
  if (exited_ || process_->Wait(std::chrono::milliseconds(0))) return;
  ::kill(process_->pid(), SIGTERM);
  process_->Wait(std::chrono::seconds(5));
}

std::string WeftHttpServer::Log() const { return ReadIfExists(log_path()); }

std::string WeftHttpServer::Token(std::string* why) const {
  RunResult r = Run({weft_, "token", "--state", state_->path()}, "", std::chrono::seconds(30));
  std::string token = r.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (r.status == -1 || r.exit_code() != 0 || token.empty() ||
      token.find_first_of(" \t\n") != std::string::npos) {
    *why = "weft token --state " + state_->path() + " failed: exit " +
           (r.status == -1 ? std::string("(timed out)") : std::to_string(r.exit_code())) +
           "\nstdout: " + r.out + "\nstderr: " + r.err;
    return "";
  }
  return token;
}

}  // namespace weft::testing
