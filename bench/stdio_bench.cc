// weft_stdio_bench: measures MCP servers over stdio, side by side, on one tool
// call (the conformance fixture's test_simple_text), with a legacy-era
// handshake. For each server: cold start to the initialize response, latency
// of sequential calls, throughput with 1 and N requests in flight, server CPU
// per call and resident memory. The first server is the subject; every other
// one is a peer, and the table shows subject/peer ratios.
//
//   weft_stdio_bench [options] -- NAME CMD [ARGS...] [-- NAME CMD [ARGS...]]...
//
// Each server group starts with a label; a literal `--` cannot appear in a
// server's own arguments. Servers inherit this process's environment and
// working directory; their stderr goes to a temporary file shown on failure.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr char kToolName[] = "test_simple_text";
constexpr char kExpectedText[] = "This is a simple text response for testing.";
constexpr char kProtocolVersion[] = "2025-11-25";
constexpr auto kReplyTimeout = std::chrono::seconds(20);

struct Options {
  int spawns = 20;
  int warmup = 1000;
  int calls = 5000;
  int pipelined_calls = 20000;
  int in_flight = 16;
};

struct Server {
  std::string name;
  std::vector<std::string> argv;
};

// Benchmark failures (a server that dies, answers with an error or stalls)
// end the run with a message; they are not recoverable.
class BenchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A server process with pipes to its stdin and stdout, in its own process
// group. Stopped with the ladder: close stdin, wait, SIGTERM, wait, SIGKILL.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& stderr_path) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
      throw BenchError(std::string("pipe: ") + std::strerror(errno));
    }
    int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (err < 0) throw BenchError("open " + stderr_path + ": " + std::strerror(errno));
    std::vector<char*> cargv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) {
      std::string why = std::strerror(errno);
      for (int fd : {in[0], in[1], out[0], out[1], err}) ::close(fd);
      throw BenchError("fork: " + why);
    }
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::dup2(err, 2);
      ::execvp(cargv[0], cargv.data());
      std::fprintf(stderr, "exec %s: %s\n", cargv[0], std::strerror(errno));
      ::_exit(127);
    }
    ::setpgid(pid_, pid_);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err);
    in_ = in[1];
    out_ = out[0];
  }
  ~Child() { Stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }

  void Send(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t w = ::write(in_, data.data() + off, data.size() - off);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) throw BenchError(std::string("write to server: ") + std::strerror(errno));
      off += static_cast<size_t>(w);
    }
  }

  // One line from stdout (without the newline); throws on EOF or timeout.
  std::string ReadLine() {
    const auto deadline = Clock::now() + kReplyTimeout;
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
      if (left.count() <= 0) throw BenchError("no reply from the server within 20 s");
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

  void Stop() {
    if (pid_ <= 0) return;
    if (in_ >= 0) ::close(in_);
    in_ = -1;
    if (!WaitFor(std::chrono::seconds(2))) {
      ::kill(-pid_, SIGTERM);
      if (!WaitFor(std::chrono::seconds(2))) {
        ::kill(-pid_, SIGKILL);
        int status;
        ::waitpid(pid_, &status, 0);
      }
    }
    if (out_ >= 0) ::close(out_);
    out_ = -1;
    pid_ = -1;
  }

 private:
  bool WaitFor(std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    for (;;) {
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) return true;
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buf_;
  size_t scan_from_ = 0;
};

// Server CPU time (utime + stime, all threads) from /proc/<pid>/stat, in seconds.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may hold spaces.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) throw BenchError("cannot read /proc/<pid>/stat");
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  // fields(3) numbering: state is field 3, utime 14, stime 15.
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// VmRSS of the process in KiB.
long RssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  throw BenchError("no VmRSS in /proc/<pid>/status");
}

std::string Request(long id, const char* method, const json& params) {
  json r = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  return r.dump() + "\n";
}

std::string CallRequest(long id) {
  return Request(id, "tools/call", {{"name", kToolName}, {"arguments", json::object()}});
}

// Reads lines until the response to some request arrives (notifications and
// server requests are skipped); returns its id. Throws on an error response.
long ReadResponse(Child& child, bool check_payload) {
  for (;;) {
    std::string line = child.ReadLine();
    json msg = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!msg.is_object()) throw BenchError("server wrote a non-JSON line: " + line);
    if (msg.contains("method") || !msg.contains("id")) continue;
    if (msg.contains("error")) throw BenchError("server answered with an error: " + line);
    if (check_payload) {
      const json& content = msg["result"]["content"];
      if (!content.is_array() || content.empty() || content[0].value("text", "") != kExpectedText) {
        throw BenchError("unexpected tools/call result: " + line);
      }
    }
    if (!msg["id"].is_number_integer()) throw BenchError("unexpected response id: " + line);
    return msg["id"].get<long>();
  }
}

void Handshake(Child& child) {
  child.Send(Request(0, "initialize",
                     {{"protocolVersion", kProtocolVersion},
                      {"capabilities", json::object()},
                      {"clientInfo", {{"name", "weft_stdio_bench"}, {"version", "1"}}}}));
  ReadResponse(child, false);
  child.Send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n");
}

struct Figures {
  double cold_start_ms = 0;  // median
  double p50_us = 0, p99_us = 0;
  double calls_per_s_1 = 0, calls_per_s_n = 0;
  double cpu_us_per_call = 0;
  double rss_idle_mib = 0, rss_after_mib = 0;
};

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string NewStderrFile(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/weft-bench-" + name + "-XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) throw BenchError("mkstemp: " + std::string(std::strerror(errno)));
  ::close(fd);
  return path;
}

double MedianColdStartMs(const Server& server, const Options& opt, const std::string& stderr_path) {
  std::vector<double> cold;
  for (int i = 0; i < opt.spawns; ++i) {
    auto t0 = Clock::now();
    Child child(server.argv, stderr_path);
    Handshake(child);
    cold.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return Percentile(cold, 0.5);
}

// One request at a time: latency percentiles and calls/s with 1 in flight.
void SequentialPhase(Child& child, const Options& opt, long& id, Figures& f) {
  std::vector<double> lat;
  lat.reserve(static_cast<size_t>(opt.calls));
  auto start = Clock::now();
  for (int i = 0; i < opt.calls; ++i) {
    auto t0 = Clock::now();
    long want = id;
    child.Send(CallRequest(id++));
    if (ReadResponse(child, /*check_payload=*/true) != want) throw BenchError("response id mismatch");
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  f.p50_us = Percentile(lat, 0.5);
  f.p99_us = Percentile(lat, 0.99);
  f.calls_per_s_1 = opt.calls / seconds;
}

// Keeps `in_flight` requests outstanding, sending one more as each answer lands.
void PipelinedPhase(Child& child, const Options& opt, long& id, Figures& f) {
  int sent = 0, received = 0;
  auto start = Clock::now();
  std::string batch;
  for (; sent < std::min(opt.in_flight, opt.pipelined_calls); ++sent) batch += CallRequest(id++);
  child.Send(batch);
  while (received < opt.pipelined_calls) {
    ReadResponse(child, /*check_payload=*/true);
    ++received;
    if (sent < opt.pipelined_calls) {
      child.Send(CallRequest(id++));
      ++sent;
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  f.calls_per_s_n = opt.pipelined_calls / seconds;
}

Figures Measure(const Server& server, const Options& opt, const std::string& stderr_path) {
  Figures f;
  f.cold_start_ms = MedianColdStartMs(server, opt, stderr_path);

  Child child(server.argv, stderr_path);
  Handshake(child);
  long id = 1;
  child.Send(CallRequest(id++));
  ReadResponse(child, /*check_payload=*/true);
  // Let a lazily initialising runtime settle before sampling idle memory.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  f.rss_idle_mib = static_cast<double>(RssKib(child.pid())) / 1024.0;

  for (int i = 0; i < opt.warmup; ++i) {
    child.Send(CallRequest(id++));
    ReadResponse(child, /*check_payload=*/true);
  }

  const double cpu_before = CpuSeconds(child.pid());
  SequentialPhase(child, opt, id, f);
  PipelinedPhase(child, opt, id, f);
  const double cpu_after = CpuSeconds(child.pid());
  f.cpu_us_per_call = (cpu_after - cpu_before) * 1e6 / (opt.calls + opt.pipelined_calls);
  f.rss_after_mib = static_cast<double>(RssKib(child.pid())) / 1024.0;
  child.Stop();
  return f;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

void PrintTable(const Options& opt, const std::vector<Server>& servers,
                const std::vector<Figures>& figs) {
  struct Row {
    std::string label;
    double Figures::*field;
    int decimals;
  };
  const std::string n = std::to_string(opt.in_flight);
  const std::vector<Row> rows = {
      {"cold start to initialize reply, ms (median of " + std::to_string(opt.spawns) + ")",
       &Figures::cold_start_ms, 1},
      {"latency p50, us (" + std::to_string(opt.calls) + " sequential calls)", &Figures::p50_us, 0},
      {"latency p99, us", &Figures::p99_us, 0},
      {"calls/s, 1 in flight", &Figures::calls_per_s_1, 0},
      {"calls/s, " + n + " in flight (" + std::to_string(opt.pipelined_calls) + " calls)",
       &Figures::calls_per_s_n, 0},
      {"server CPU per call, us (utime+stime)", &Figures::cpu_us_per_call, 1},
      {"server RSS idle after handshake, MiB", &Figures::rss_idle_mib, 1},
      {"server RSS after the run, MiB", &Figures::rss_after_mib, 1},
  };
  size_t label_w = 0;
  for (const auto& r : rows) label_w = std::max(label_w, r.label.size());
  std::vector<std::string> heads;
  for (const auto& s : servers) heads.push_back(s.name);
  for (size_t i = 1; i < servers.size(); ++i) heads.push_back(servers[0].name + "/" + servers[i].name);
  size_t col_w = 10;
  for (const auto& h : heads) col_w = std::max(col_w, h.size() + 2);

  auto cell = [&](const std::string& s) {
    std::cout << std::string(col_w - std::min(col_w, s.size()), ' ') << s;
  };
  std::cout << "\nMCP stdio benchmark: tools/call " << kToolName << ", legacy handshake ("
            << kProtocolVersion << ")\n\n"
            << std::string(label_w, ' ');
  for (const auto& h : heads) cell(h);
  std::cout << "\n";
  for (const auto& r : rows) {
    std::cout << r.label << std::string(label_w - r.label.size(), ' ');
    for (const auto& f : figs) cell(Fixed(f.*(r.field), r.decimals));
    for (size_t i = 1; i < figs.size(); ++i) {
      double peer = figs[i].*(r.field);
      cell(peer > 0 ? Fixed(figs[0].*(r.field) / peer, 2) : "n/a");
    }
    std::cout << "\n";
  }
  std::cout << "\nRatios are " << servers[0].name
            << "/peer: below 1 is better for times, CPU and memory; above 1 is better for calls/s.\n";
}

[[noreturn]] void Usage(const char* why) {
  if (why != nullptr) std::cerr << "weft_stdio_bench: " << why << "\n";
  const Options d;
  std::cerr << "usage: weft_stdio_bench [OPTIONS] -- NAME CMD [ARGS...] [-- NAME CMD [ARGS...]]...\n"
               "Each server must expose the tool test_simple_text over MCP stdio. The first\n"
               "is the subject; the table shows its ratio to each of the others.\n"
               "Options:\n"
            << "  --spawns N           cold starts to time (default " << d.spawns << ")\n"
            << "  --warmup N           untimed calls before measuring (default " << d.warmup << ")\n"
            << "  --calls N            sequential timed calls (default " << d.calls << ")\n"
            << "  --pipelined-calls N  calls in the pipelined phase (default " << d.pipelined_calls
            << ")\n"
            << "  --in-flight N        requests outstanding in that phase (default " << d.in_flight
            << ")\n";
  std::exit(why == nullptr ? 0 : 2);
}

int PositiveInt(const char* flag, const char* value) {
  char* end = nullptr;
  long v = value ? std::strtol(value, &end, 10) : 0;
  if (value == nullptr || *end != '\0' || v <= 0 || v > 10000000) {
    Usage((std::string(flag) + " needs a positive integer").c_str());
  }
  return static_cast<int>(v);
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  Options opt;
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--spawns") opt.spawns = PositiveInt("--spawns", v);
    else if (a == "--warmup") opt.warmup = PositiveInt("--warmup", v);
    else if (a == "--calls") opt.calls = PositiveInt("--calls", v);
    else if (a == "--pipelined-calls") opt.pipelined_calls = PositiveInt("--pipelined-calls", v);
    else if (a == "--in-flight") opt.in_flight = PositiveInt("--in-flight", v);
    else if (a == "-h" || a == "--help") Usage(nullptr);
    else Usage(("unknown option " + a).c_str());
    ++i;
  }
  std::vector<Server> servers;
  while (i < argc) {  // argv[i] is "--"
    Server s;
    for (++i; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
      if (s.name.empty()) s.name = argv[i];
      else s.argv.push_back(argv[i]);
    }
    if (s.argv.empty()) Usage("each server needs a NAME and a command");
    servers.push_back(std::move(s));
  }
  if (servers.empty()) Usage("no server given");

  std::vector<Figures> figs;
  for (const auto& s : servers) {
    std::string err_path = NewStderrFile(s.name);
    std::cerr << "measuring " << s.name << " ..." << std::endl;
    try {
      figs.push_back(Measure(s, opt, err_path));
    } catch (const BenchError& e) {
      std::cerr << "weft_stdio_bench: " << s.name << ": " << e.what() << "\n";
      std::ifstream in(err_path);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (text.size() > 4000) text = "..." + text.substr(text.size() - 4000);
      if (!text.empty()) std::cerr << "--- " << s.name << " stderr ---\n" << text << "\n";
      ::unlink(err_path.c_str());
      return 1;
    }
    ::unlink(err_path.c_str());
  }
  PrintTable(opt, servers, figs);
  return 0;
}
