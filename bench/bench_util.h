// Helpers shared by the benchmark drivers (stdio_bench.cc, http_bench.cc,
// fs_bench.cc, fuse_bench.cc): server processes, JSON-RPC over their stdio,
// commands run to their end, /proc sampling, percentiles, option parsing and
// tables.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace weft::bench {

using Clock = std::chrono::steady_clock;

// Benchmark failures (a server that dies, answers with an error or stalls)
// end the run with a message; they are not recoverable.
class BenchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A server given on the command line as `-- NAME CMD [ARGS...]`.
struct Server {
  std::string name;
  std::vector<std::string> argv;
};

// Parses the server groups starting at argv[first] (which is "--"). Returns an
// empty vector and sets *why when a group lacks a name or a command.
std::vector<Server> ParseServers(int argc, char** argv, int first, std::string* why);

// A server process in its own process group, with a pipe to its stdin. Its
// stderr is appended to `log_path`; its stdout is a pipe read with ReadLine()
// when `stdout_pipe`, else it goes to the log too. Stopped with the ladder:
// close stdin, wait `stdin_grace`, SIGTERM the group, wait 2 s, SIGKILL; reaped
// exactly once. Single-threaded use only.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log_path, bool stdout_pipe,
        std::chrono::milliseconds stdin_grace = std::chrono::seconds(2));
  ~Child() { Stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }

  // Writes all of `data` to the child's stdin; throws if the pipe is broken.
  void Send(const std::string& data);

  // One line from stdout (without the newline); throws on EOF or after `timeout`.
  std::string ReadLine(std::chrono::milliseconds timeout);

  // True once the process has exited (reaps it).
  bool Exited();

  void Stop();

 private:
  bool WaitFor(std::chrono::milliseconds limit);

  pid_t pid_ = -1;
  bool reaped_ = false;
  int in_ = -1, out_ = -1;
  std::chrono::milliseconds stdin_grace_;
  std::string buf_;
  size_t scan_from_ = 0;
};

// JSON-RPC 2.0 over a Child's stdin/stdout, one message per line (the MCP
// stdio transport).

// A request line (with its newline).
std::string JsonRpcRequest(long id, std::string_view method, const nlohmann::json& params);

// Reads lines until a response arrives (a message with an id and no method;
// notifications and server requests are skipped) and returns it. When
// `arrived` is given it receives the time the response's line was complete,
// before it was parsed, so a caller can leave the client's own JSON decoding
// out of a timing. Throws BenchError on a non-JSON line, an error response,
// a response without an integer id, or no response within `timeout`.
nlohmann::json ReadJsonRpcResponse(Child& child, std::chrono::milliseconds timeout,
                                   Clock::time_point* arrived = nullptr);

// The legacy-era handshake: initialize (id 0) with `protocol_version` and no
// client capabilities, its reply, then notifications/initialized. Returns
// the initialize result.
nlohmann::json McpHandshake(Child& child, std::string_view client_name, std::string_view protocol_version,
                            std::chrono::milliseconds timeout);

// An MCP server over stdio (a Child speaking JSON-RPC), with tools/call timed
// from the request's write to the arrival of the reply's last byte: the
// client's JSON decoding is no part of any timing.
class ToolSession {
 public:
  ToolSession(const Server& server, const std::string& log_path);

  Child& child() { return child_; }

  // A request's result; throws on an error response or none within `timeout`.
  nlohmann::json Request(const char* method, const nlohmann::json& params, std::chrono::milliseconds timeout);

  // Calls `tool`; `*us` gets the round trip. Throws on isError.
  nlohmann::json Call(const std::string& tool, const nlohmann::json& args, std::chrono::milliseconds timeout,
                      double* us);

 private:
  Child child_;
  long next_id_ = 1;
};

// A command run to its end: how it exited, what it wrote to stdout, and the
// wall time from posix_spawnp to reaping it with its output read, in ms.
struct CommandRun {
  int status = -1;  // the exit code; -1 if a signal ended it
  std::string out;
  double ms = 0;
};

// Runs `argv` (looked up in PATH) in `cwd` ("" for ours) with stdin from
// /dev/null, stdout read from a pipe to EOF, and stderr appended to
// `err_path` ("" for /dev/null). Throws BenchError if it cannot be started.
CommandRun RunCommand(const std::vector<std::string>& argv, const std::string& cwd, const std::string& err_path);

// CPU time (utime + stime, all threads) of a process from /proc/<pid>/stat, in seconds.
double CpuSeconds(pid_t pid);

// A "Vm*:" field of /proc/<pid>/status (VmRSS, VmHWM, ...) in KiB.
long ProcStatusKib(pid_t pid, const char* field);

// The q-quantile (0 < q <= 1) of `v` by the nearest-rank method; v must not be empty.
double Percentile(std::vector<double> v, double q);

// Creates an empty file under $TMPDIR (default /tmp) named after `name`; returns its path.
std::string NewTempFile(const std::string& name);

// The last `max_bytes` of a file ("..." marks a cut), or "" if it cannot be read.
std::string FileTail(const std::string& path, size_t max_bytes);

// `v` with `decimals` digits after the point.
std::string Fixed(double v, int decimals);

// Parses a decimal integer in [1, max]; false if `value` is null or not one.
bool ParsePositive(const char* value, long max, long* out);
// The value of a positive-integer flag (at most 10,000,000); on a bad value
// calls `usage` with "<flag> needs a positive integer", which must not return.
int PositiveIntFlag(const char* flag, const char* value, void (*usage)(const char* why));

// A text table: a header row of right-aligned columns after a label column.
struct TextTable {
  struct Row {
    std::string label;
    std::vector<std::string> cells;
  };
  std::vector<std::string> heads;
  std::vector<Row> rows;
  size_t min_col_width = 10;

  std::string Render() const;
};

}  // namespace weft::bench
