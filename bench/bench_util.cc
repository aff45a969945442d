// Helpers shared by the benchmark drivers; see bench_util.h.
#include "bench/bench_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

extern char** environ;

namespace weft::bench {

std::vector<Server> ParseServers(int argc, char** argv, int first, std::string* why) {
  std::vector<Server> servers;
  int i = first;
  while (i < argc) {  // argv[i] is "--"
    Server s;
    for (++i; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
      if (s.name.empty()) s.name = argv[i];
      else s.argv.push_back(argv[i]);
    }
    if (s.argv.empty()) {
      *why = "each server needs a NAME and a command";
      return {};
    }
    servers.push_back(std::move(s));
  }
  if (servers.empty()) *why = "no server given";
  return servers;
}

Child::Child(const std::vector<std::string>& argv, const std::string& log_path, bool stdout_pipe,
             std::chrono::milliseconds stdin_grace)
    : stdin_grace_(stdin_grace) {
  int in[2], out[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) != 0 || (stdout_pipe && ::pipe2(out, O_CLOEXEC) != 0)) {
    throw BenchError(std::string("pipe: ") + std::strerror(errno));
  }
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) throw BenchError("open " + log_path + ": " + std::strerror(errno));
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) {
    std::string why = std::strerror(errno);
    for (int fd : {in[0], in[1], out[0], out[1], log}) {
      if (fd >= 0) ::close(fd);
    }
    throw BenchError("fork: " + why);
  }
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::dup2(in[0], 0);
    ::dup2(stdout_pipe ? out[1] : log, 1);
    ::dup2(log, 2);
    ::execvp(cargv[0], cargv.data());
    std::fprintf(stderr, "exec %s: %s\n", cargv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);
  ::close(in[0]);
  if (stdout_pipe) ::close(out[1]);
  ::close(log);
  in_ = in[1];
  out_ = out[0];
}

void Child::Send(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::write(in_, data.data() + off, data.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw BenchError(std::string("write to server: ") + std::strerror(errno));
    off += static_cast<size_t>(w);
  }
}

std::string Child::ReadLine(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    size_t nl = buf_.find('\n', scan_from_);
    if (nl != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      scan_from_ = 0;
      return line;
    }
    scan_from_ = buf_.size();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      throw BenchError("no reply from the server within " + std::to_string(timeout.count()) +
                       " ms");
    }
    struct pollfd p = {out_, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    char chunk[65536];
    ssize_t got = ::read(out_, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) throw BenchError("the server closed stdout (exited?)");
    buf_.append(chunk, static_cast<size_t>(got));
  }
}

bool Child::Exited() {
  if (pid_ <= 0 || reaped_) return true;
  int status;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) reaped_ = true;
  return reaped_;
}

void Child::Stop() {
  if (pid_ <= 0) return;
  if (in_ >= 0) ::close(in_);
  in_ = -1;
  if (!WaitFor(stdin_grace_)) {
    ::kill(-pid_, SIGTERM);
    if (!WaitFor(std::chrono::seconds(2))) {
      ::kill(-pid_, SIGKILL);
      int status;
      ::waitpid(pid_, &status, 0);
      reaped_ = true;
    }
  }
  if (out_ >= 0) ::close(out_);
  out_ = -1;
  pid_ = -1;
}

bool Child::WaitFor(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    if (Exited()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::string JsonRpcRequest(long id, std::string_view method, const nlohmann::json& params) {
  nlohmann::json r = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  return r.dump() + "\n";
}

nlohmann::json ReadJsonRpcResponse(Child& child, std::chrono::milliseconds timeout,
                                   Clock::time_point* arrived) {
  for (;;) {
    std::string line = child.ReadLine(timeout);
    const auto at = Clock::now();
    nlohmann::json msg = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!msg.is_object()) throw BenchError("server wrote a non-JSON line: " + line.substr(0, 2000));
    if (msg.contains("method") || !msg.contains("id")) continue;
    if (msg.contains("error")) throw BenchError("server answered with an error: " + line.substr(0, 2000));
    if (!msg["id"].is_number_integer()) throw BenchError("unexpected response id: " + line.substr(0, 2000));
    if (arrived != nullptr) *arrived = at;
    return msg;
  }
}

nlohmann::json McpHandshake(Child& child, std::string_view client_name, std::string_view protocol_version,
                            std::chrono::milliseconds timeout) {
  child.Send(JsonRpcRequest(0, "initialize",
                            {{"protocolVersion", protocol_version},
                             {"capabilities", nlohmann::json::object()},
                             {"clientInfo", {{"name", client_name}, {"version", "1"}}}}));
  nlohmann::json reply = ReadJsonRpcResponse(child, timeout);
  child.Send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n");
  return reply["result"];
}

CommandRun RunCommand(const std::vector<std::string>& argv, const std::string& cwd, const std::string& err_path) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw BenchError(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  const char* err = err_path.empty() ? "/dev/null" : err_path.c_str();
  posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  CommandRun run;
  pid_t pid = -1;
  const auto t0 = Clock::now();
  int rc = ::posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    throw BenchError("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  char chunk[65536];
  for (;;) {
    ssize_t got = ::read(fds[0], chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    run.out.append(chunk, static_cast<size_t>(got));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may hold spaces.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) throw BenchError("cannot read /proc/<pid>/stat");
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  // proc(5) numbering: state is field 3, utime 14, stime 15.
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

long ProcStatusKib(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  const std::string key = std::string(field) + ":";
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
  }
  throw BenchError("no " + key + " in /proc/" + std::to_string(pid) + "/status");
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string NewTempFile(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/weft-bench-" + name + "-XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) throw BenchError("mkstemp: " + std::string(std::strerror(errno)));
  ::close(fd);
  return path;
}

std::string FileTail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

bool ParsePositive(const char* value, long max, long* out) {
  if (value == nullptr) return false;
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(value, &end, 10);
  if (end == value || *end != '\0' || errno != 0 || v <= 0 || v > max) return false;
  *out = v;
  return true;
}

int PositiveIntFlag(const char* flag, const char* value, void (*usage)(const char* why)) {
  long v = 0;
  if (!ParsePositive(value, 10000000, &v)) usage((std::string(flag) + " needs a positive integer").c_str());
  return static_cast<int>(v);
}

std::string TextTable::Render() const {
  size_t label_w = 0;
  for (const auto& r : rows) label_w = std::max(label_w, r.label.size());
  size_t col_w = min_col_width;
  for (const auto& h : heads) col_w = std::max(col_w, h.size() + 2);
  for (const auto& r : rows) {
    for (const auto& c : r.cells) col_w = std::max(col_w, c.size() + 2);
  }
  std::string out;
  auto cell = [&](const std::string& s) {
    out.append(col_w - std::min(col_w, s.size()), ' ');
    out += s;
  };
  out.append(label_w, ' ');
  for (const auto& h : heads) cell(h);
  out += "\n";
  for (const auto& r : rows) {
    out += r.label;
    out.append(label_w - r.label.size(), ' ');
    for (const auto& c : r.cells) cell(c);
    out += "\n";
  }
  return out;
}

ToolSession::ToolSession(const Server& server, const std::string& log_path) : child_(server.argv, log_path, true) {}

nlohmann::json ToolSession::Request(const char* method, const nlohmann::json& params,
                                    std::chrono::milliseconds timeout) {
  child_.Send(JsonRpcRequest(next_id_++, method, params));
  return ReadJsonRpcResponse(child_, timeout)["result"];
}

nlohmann::json ToolSession::Call(const std::string& tool, const nlohmann::json& args,
                                 std::chrono::milliseconds timeout, double* us) {
  const long id = next_id_++;
  const std::string line = JsonRpcRequest(id, "tools/call", {{"name", tool}, {"arguments", args}});
  const auto t0 = Clock::now();
  child_.Send(line);
  Clock::time_point arrived;
  nlohmann::json reply = ReadJsonRpcResponse(child_, timeout, &arrived);
  *us = std::chrono::duration<double, std::micro>(arrived - t0).count();
  if (reply["id"].get<long>() != id) throw BenchError("response id mismatch");
  nlohmann::json& result = reply["result"];
  if (!result.is_object()) throw BenchError(tool + ": no result: " + reply.dump().substr(0, 2000));
  if (result.value("isError", false)) {
    throw BenchError(tool + " " + args.dump() + " failed: " + result.dump().substr(0, 2000));
  }
  return std::move(result);
}

}  // namespace weft::bench
