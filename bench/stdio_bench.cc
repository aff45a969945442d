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
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"

namespace {

using nlohmann::json;
using weft::bench::BenchError;
using weft::bench::Child;
using weft::bench::Clock;
using weft::bench::Percentile;
using weft::bench::Server;

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

// Server resident memory in MiB.
double RssMib(pid_t pid) {
  return static_cast<double>(weft::bench::ProcStatusKib(pid, "VmRSS")) / 1024.0;
}

std::string CallRequest(long id) {
  return weft::bench::JsonRpcRequest(id, "tools/call", {{"name", kToolName}, {"arguments", json::object()}});
}

// Reads the response to some request (see ReadJsonRpcResponse); returns its
// id. With `check_payload`, throws unless it is test_simple_text's text.
long ReadResponse(Child& child, bool check_payload) {
  json msg = weft::bench::ReadJsonRpcResponse(child, kReplyTimeout);
  if (check_payload) {
    const json& content = msg["result"]["content"];
    if (!content.is_array() || content.empty() || content[0].value("text", "") != kExpectedText) {
      throw BenchError("unexpected tools/call result: " + msg.dump());
    }
  }
  return msg["id"].get<long>();
}

void Handshake(Child& child) {
  weft::bench::McpHandshake(child, "weft_stdio_bench", kProtocolVersion, kReplyTimeout);
}

struct Figures {
  double cold_start_ms = 0;  // median
  double p50_us = 0, p99_us = 0;
  double calls_per_s_1 = 0, calls_per_s_n = 0;
  double cpu_us_per_call = 0;
  double rss_idle_mib = 0, rss_after_mib = 0;
};

double MedianColdStartMs(const Server& server, const Options& opt, const std::string& stderr_path) {
  std::vector<double> cold;
  for (int i = 0; i < opt.spawns; ++i) {
    auto t0 = Clock::now();
    Child child(server.argv, stderr_path, /*stdout_pipe=*/true);
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

  Child child(server.argv, stderr_path, /*stdout_pipe=*/true);
  Handshake(child);
  long id = 1;
  child.Send(CallRequest(id++));
  ReadResponse(child, /*check_payload=*/true);
  // Let a lazily initialising runtime settle before sampling idle memory.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  f.rss_idle_mib = RssMib(child.pid());

  for (int i = 0; i < opt.warmup; ++i) {
    child.Send(CallRequest(id++));
    ReadResponse(child, /*check_payload=*/true);
  }

  const double cpu_before = weft::bench::CpuSeconds(child.pid());
  SequentialPhase(child, opt, id, f);
  PipelinedPhase(child, opt, id, f);
  const double cpu_after = weft::bench::CpuSeconds(child.pid());
  f.cpu_us_per_call = (cpu_after - cpu_before) * 1e6 / (opt.calls + opt.pipelined_calls);
  f.rss_after_mib = RssMib(child.pid());
  child.Stop();
  return f;
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
  weft::bench::TextTable table;
  for (const auto& s : servers) table.heads.push_back(s.name);
  for (size_t i = 1; i < servers.size(); ++i) {
    table.heads.push_back(servers[0].name + "/" + servers[i].name);
  }
  for (const auto& r : rows) {
    auto& out = table.rows.emplace_back();
    out.label = r.label;
    for (const auto& f : figs) out.cells.push_back(weft::bench::Fixed(f.*(r.field), r.decimals));
    for (size_t i = 1; i < figs.size(); ++i) {
      double peer = figs[i].*(r.field);
      out.cells.push_back(peer > 0 ? weft::bench::Fixed(figs[0].*(r.field) / peer, 2) : "n/a");
    }
  }
  std::cout << "\nMCP stdio benchmark: tools/call " << kToolName << ", legacy handshake ("
            << kProtocolVersion << ")\n\n"
            << table.Render();
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
  return weft::bench::PositiveIntFlag(flag, value, [](const char* why) { Usage(why); });
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
  std::string why;
  const std::vector<Server> servers = weft::bench::ParseServers(argc, argv, i, &why);
  if (servers.empty()) Usage(why.c_str());

  std::vector<Figures> figs;
  for (const auto& s : servers) {
    std::string err_path = weft::bench::NewTempFile(s.name);
    std::cerr << "measuring " << s.name << " ..." << std::endl;
    try {
      figs.push_back(Measure(s, opt, err_path));
    } catch (const BenchError& e) {
      std::cerr << "weft_stdio_bench: " << s.name << ": " << e.what() << "\n";
      std::string text = weft::bench::FileTail(err_path, 4000);
      if (!text.empty()) std::cerr << "--- " << s.name << " stderr ---\n" << text << "\n";
      ::unlink(err_path.c_str());
      return 1;
    }
    ::unlink(err_path.c_str());
  }
  PrintTable(opt, servers, figs);
  return 0;
}
