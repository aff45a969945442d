// WeftHttpServer: `weft serve --http 127.0.0.1:0 --conformance-fixture` as a
// child process with its own state directory, working directory and log file,
// for the tests that drive it with real HTTP clients.
#pragma once

#include <memory>
#include <string>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {

class WeftHttpServer {
 public:
  struct Options {
    bool auth = true;  // false: --no-auth
    std::string log_level = "info";
  };

  // Starts `weft` (the binary's path) and waits up to 30 s for the log line
  // "listening on http://…/mcp". On failure url() is empty and error() says
  // why, with the server's log and stderr.
  WeftHttpServer(const std::string& weft, const Options& options);
  // SIGTERM, then up to 5 s for a clean exit; the Subprocess destructor
  // kills the process group if it is still there.
  ~WeftHttpServer();
  WeftHttpServer(const WeftHttpServer&) = delete;
  WeftHttpServer& operator=(const WeftHttpServer&) = delete;

  const std::string& url() const { return url_; }  // http://127.0.0.1:PORT/mcp
  int port() const { return port_; }
  const std::string& error() const { return error_; }
  // The directory weft serves (its working directory), canonical.
  const std::string& cwd() const { return cwd_; }
  const std::string& state_dir() const { return state_->path(); }
  std::string log_path() const { return logs_->Join("weft.log"); }
  // The server's log so far.
  std::string Log() const;

  // The bearer token, as `weft token --state DIR` prints it; empty on failure,
  // with the reason in *why.
  std::string Token(std::string* why) const;

 private:
  std::string weft_;
  std::unique_ptr<ScopedTempDir> state_, workspace_, logs_;
  std::string cwd_;
  std::unique_ptr<Subprocess> process_;
  bool exited_ = false;  // reaped by the constructor: never signal its pid again
  std::string url_;
  int port_ = 0;
  std::string error_;
};

}  // namespace weft::testing
