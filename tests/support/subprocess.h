// Subprocess: a child process with pipes to its stdin/stdout/stderr, for tests
// that drive real binaries. Spawned with argv (no shell), in its own process
// group; the destructor kills the group and reaps the child.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace weft::testing {

class Subprocess {
 public:
  // Starts argv[0] (searched on PATH) with `env_extra` ("K=V") added to the environment.
  explicit Subprocess(const std::vector<std::string>& argv,
                      const std::vector<std::string>& env_extra = {});
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  int stdin_fd() const { return in_; }
  int stdout_fd() const { return out_; }
  int stderr_fd() const { return err_; }

  // Writes all of `data` to the child's stdin.
  bool Write(const std::string& data);
  void CloseStdin();
  // Reads one line (without '\n') from stdout, waiting up to `timeout`.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Everything on stderr so far (non-blocking drain).
  std::string DrainStderr();
  // Waits up to `timeout` for exit; the exit status as from waitpid, or nullopt.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string out_buf_;
  std::string err_buf_;
  bool reaped_ = false;
};

// Runs argv to completion (stdin from /dev/null) and returns {exit status, stdout, stderr}.
struct RunResult {
  int status = -1;  // waitpid status
  std::string out;
  std::string err;
  int exit_code() const;
};
RunResult Run(const std::vector<std::string>& argv, const std::string& stdin_data = "",
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace weft::testing
