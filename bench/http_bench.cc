// weft_http_bench: measures MCP servers over Streamable HTTP, side by side, on
// one tool call (the conformance fixture's test_simple_text). Closed loop:
// each of C keep-alive HTTP/1.1 connections has one request in flight at a
// time, C = 1 and 32 by default. Legacy era (2025-11-25): every connection
// does initialize (keeping any Mcp-Session-Id) and notifications/initialized
// before its timed tools/call loop. Modern era (2026-07-28): no handshake;
// each POST carries the protocol version and method headers and _meta.
// Reported per server and configuration: requests/s, latency p50/p99/max,
// server CPU per call (/proc/PID/stat over the timed phase), peak server RSS
// (VmRSS sampled during the load), load generator CPU per call and failures.
// The first server is the subject; the ratio tables show subject/peer.
//
//   weft_http_bench [options] -- NAME CMD [ARGS...] [-- NAME CMD [ARGS...]]...
//
// Each server must print a line containing "listening on http://HOST:PORT/PATH"
// on stderr or stdout when ready. Servers inherit this process's environment
// and working directory; their output goes to a temporary file shown on failure.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "bench/http_load.h"

namespace {

using weft::bench::BenchError;
using weft::bench::Child;
using weft::bench::Clock;
using weft::bench::Era;
using weft::bench::Figures;
using weft::bench::Fixed;
using weft::bench::HttpEndpoint;
using weft::bench::LoadOptions;
using weft::bench::Server;

struct Options {
  LoadOptions load;
  std::vector<int> connections = {1, 32};
  std::vector<std::string> expect_modern;
  // Servers measured for context (their ratios are shown) but not targets.
  std::vector<std::string> references;
  double startup_timeout_s = 20;
  double target_ratio = 8;
  double target_p99_ms = 5;
  double target_rss_mib = 20;
};

// Everything measured for one server.
struct ServerRun {
  bool ok = false;
  std::string error;  // why the server could not be measured at all
  std::string url;
  bool sessions = false;  // the legacy handshake returned an Mcp-Session-Id
  double rss_start_mib = 0, hwm_mib = 0;
  std::vector<Figures> legacy, modern;  // one per connection count
  std::string modern_skipped;           // why the modern era was not measured
};

double Mib(long kib) { return static_cast<double>(kib) / 1024.0; }

// Waits for the "listening on http://..." line in the server's output file.
HttpEndpoint WaitForUrl(Child& child, const std::string& log_path, double timeout_s) {
  constexpr std::string_view kMarker = "listening on http://";
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    std::string text = weft::bench::FileTail(log_path, 1 << 20);
    size_t at = text.find(kMarker);
    if (at != std::string::npos) {
      size_t start = at + kMarker.size() - std::strlen("http://");
      size_t end = text.find_first_of(" \t\r\n", start);
      if (end != std::string::npos) {
        std::string url = text.substr(start, end - start);
        while (!url.empty() && std::strchr(".,;)", url.back()) != nullptr) url.pop_back();
        HttpEndpoint ep;
        if (!HttpEndpoint::Parse(url, &ep)) throw BenchError("cannot use the server's URL " + url);
        return ep;
      }
    }
    if (child.Exited()) throw BenchError("the server exited before listening");
    if (Clock::now() >= deadline) {
      throw BenchError("no \"listening on http://\" line within " + Fixed(timeout_s, 0) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<Figures> MeasureEra(Child& child, const HttpEndpoint& ep, Era era, const Options& opt) {
  std::vector<Figures> out;
  for (int conns : opt.connections) {
    std::cerr << "  " << weft::bench::EraName(era) << " era, " << conns << " connection"
              << (conns == 1 ? "" : "s") << " ..." << std::endl;
    out.push_back(weft::bench::RunLoad(child.pid(), ep, era, conns, opt.load));
    if (child.Exited()) throw BenchError("the server exited during the load");
  }
  return out;
}

ServerRun MeasureServer(const Server& server, const Options& opt, const std::string& log_path) {
  ServerRun run;
  Child child(server.argv, log_path, /*stdout_pipe=*/false, std::chrono::milliseconds(500));
  HttpEndpoint ep = WaitForUrl(child, log_path, opt.startup_timeout_s);
  run.url = ep.Url();
  run.sessions = weft::bench::ProbeLegacy(ep);
  // Let a lazily initialising runtime settle before sampling its memory.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  run.rss_start_mib = Mib(weft::bench::ProcStatusKib(child.pid(), "VmRSS"));
  run.legacy = MeasureEra(child, ep, Era::kLegacy, opt);
  run.modern_skipped = weft::bench::ProbeModern(ep);
  if (run.modern_skipped.empty()) run.modern = MeasureEra(child, ep, Era::kModern, opt);
  run.hwm_mib = Mib(weft::bench::ProcStatusKib(child.pid(), "VmHWM"));
  child.Stop();
  run.ok = true;
  return run;
}

// Column headings, one per configuration measured.
std::vector<std::string> ConfigHeads(const Options& opt, const ServerRun& run) {
  std::vector<std::string> heads;
  for (Era era : {Era::kLegacy, Era::kModern}) {
    if (era == Era::kModern && run.modern.empty()) continue;
    for (int c : opt.connections) {
      heads.push_back(std::string(weft::bench::EraName(era)) + " x" + std::to_string(c));
    }
  }
  return heads;
}

struct Metric {
  const char* name;
  const char* unit;  // appended to the name in the per-server tables
  double Figures::*field;
  int decimals;
  bool in_ratio;
};

const std::vector<Metric>& Metrics() {
  static const std::vector<Metric> metrics = {
      {"requests/s", "", &Figures::reqs_per_s, 0, true},
      {"latency p50", ", us", &Figures::p50_us, 0, true},
      {"latency p99", ", us", &Figures::p99_us, 0, true},
      {"latency max", ", us", &Figures::max_us, 0, true},
      {"server CPU per call (utime+stime)", ", us", &Figures::cpu_us_per_call, 1, true},
      {"server RSS peak under load (VmRSS every 50 ms)", ", MiB", &Figures::rss_peak_mib, 1, true},
      {"load generator CPU per call", ", us", &Figures::client_cpu_us_per_call, 1, false},
      {"calls timed", "", &Figures::calls, 0, false},
      {"failed calls (warm-up and timed)", "", &Figures::failures, 0, false},
      {"reconnects", "", &Figures::reconnects, 0, false},
  };
  return metrics;
}

void PrintServer(const Options& opt, const Server& server, const ServerRun& run) {
  std::cout << "\n" << server.name << "  " << run.url << "\n";
  if (!run.ok) {
    std::cout << "  NOT MEASURED: " << run.error << "\n";
    return;
  }
  weft::bench::TextTable table;
  table.heads = ConfigHeads(opt, run);
  std::vector<const Figures*> figs;
  for (const auto& f : run.legacy) figs.push_back(&f);
  for (const auto& f : run.modern) figs.push_back(&f);
  for (const auto& m : Metrics()) {
    auto& row = table.rows.emplace_back();
    row.label = std::string(m.name) + m.unit;
    for (const Figures* f : figs) row.cells.push_back(Fixed(f->*m.field, m.decimals));
  }
  std::cout << table.Render() << "legacy handshake: "
            << (run.sessions ? "Mcp-Session-Id returned, one session per connection"
                             : "no Mcp-Session-Id (stateless)")
            << "\nserver RSS after start and one call " << Fixed(run.rss_start_mib, 1)
            << " MiB, VmHWM at the end " << Fixed(run.hwm_mib, 1) << " MiB\n";
  if (!run.modern_skipped.empty()) {
    std::cout << "modern era (" << weft::bench::kModernVersion
              << ") not measured: " << run.modern_skipped << "\n";
  }
}

// Subject/peer ratios for each configuration both servers ran.
void PrintRatios(const Options& opt, const std::vector<Server>& servers,
                 const std::vector<ServerRun>& runs) {
  const ServerRun& subject = runs[0];
  for (size_t p = 1; p < runs.size(); ++p) {
    if (!subject.ok || !runs[p].ok) continue;
    weft::bench::TextTable table;
    std::vector<std::pair<const Figures*, const Figures*>> pairs;
    for (size_t c = 0; c < opt.connections.size(); ++c) {
      table.heads.push_back("legacy x" + std::to_string(opt.connections[c]));
      pairs.emplace_back(&subject.legacy[c], &runs[p].legacy[c]);
    }
    for (const auto& m : Metrics()) {
      if (!m.in_ratio) continue;
      auto& row = table.rows.emplace_back();
      row.label = m.name;
      for (const auto& [s, peer] : pairs) {
        double v = peer->*m.field;
        row.cells.push_back(v > 0 ? Fixed(s->*m.field / v, 2) : "n/a");
      }
    }
    std::cout << "\n" << servers[0].name << "/" << servers[p].name << "\n" << table.Render();
  }
  std::cout << "\nRatios are subject/peer: above 1 is better for requests/s; below 1 is better "
               "for latency, CPU and memory.\n";
}

// The subject's targets: throughput ratio at every connection count, p99 and
// RSS at the largest, all in the legacy era (the one every peer speaks).
void PrintTargets(const Options& opt, const std::vector<Server>& servers,
                  const std::vector<ServerRun>& runs) {
  const ServerRun& s = runs[0];
  if (!s.ok) return;
  auto verdict = [](bool met) { return met ? "  met" : "  MISSED"; };
  std::cout << "\nTargets for " << servers[0].name << " (legacy era):\n";
  for (size_t p = 1; p < runs.size(); ++p) {
    if (!runs[p].ok) continue;
    bool reference = std::find(opt.references.begin(), opt.references.end(), servers[p].name) !=
                     opt.references.end();
    for (size_t c = 0; c < opt.connections.size(); ++c) {
      double peer = runs[p].legacy[c].reqs_per_s;
      double ratio = peer > 0 ? s.legacy[c].reqs_per_s / peer : 0;
      if (reference) {
        std::cout << "  (reference) requests/s vs " << servers[p].name << " at " << opt.connections[c]
                  << " connection(s): " << Fixed(ratio, 2) << "x\n";
        continue;
      }
      std::cout << "  requests/s >= " << Fixed(opt.target_ratio, 0) << "x " << servers[p].name
                << " at " << opt.connections[c] << " connection(s): " << Fixed(ratio, 2) << "x"
                << verdict(ratio >= opt.target_ratio) << "\n";
    }
  }
  const Figures& big = s.legacy.back();
  const std::string at = " at " + std::to_string(opt.connections.back()) + " connection(s): ";
  std::cout << "  p99 <= " << Fixed(opt.target_p99_ms, 1) << " ms" << at
            << Fixed(big.p99_us / 1000, 2) << " ms"
            << verdict(big.p99_us <= opt.target_p99_ms * 1000)
            << "\n  peak RSS <= " << Fixed(opt.target_rss_mib, 0) << " MiB" << at
            << Fixed(big.rss_peak_mib, 1) << " MiB"
            << verdict(big.rss_peak_mib <= opt.target_rss_mib) << "\n";
}

// Every failure in the run; empty when there were none.
std::string FailureSummary(const std::vector<Server>& servers, const std::vector<ServerRun>& runs,
                           const Options& opt) {
  std::ostringstream out;
  for (size_t i = 0; i < runs.size(); ++i) {
    const ServerRun& r = runs[i];
    if (!r.ok) out << "  " << servers[i].name << ": not measured: " << r.error << "\n";
    if (!r.modern_skipped.empty() && std::find(opt.expect_modern.begin(), opt.expect_modern.end(),
                                               servers[i].name) != opt.expect_modern.end()) {
      out << "  " << servers[i].name << ": modern era expected but failed: " << r.modern_skipped
          << "\n";
    }
    for (Era era : {Era::kLegacy, Era::kModern}) {
      const auto& figs = era == Era::kLegacy ? r.legacy : r.modern;
      for (size_t c = 0; c < figs.size(); ++c) {
        if (figs[c].failures == 0) continue;
        out << "  " << servers[i].name << " " << weft::bench::EraName(era) << " x"
            << opt.connections[c] << ": " << Fixed(figs[c].failures, 0)
            << " failed calls; first: " << figs[c].first_error << "\n";
      }
    }
  }
  return out.str();
}

[[noreturn]] void Usage(const char* why) {
  if (why != nullptr) std::cerr << "weft_http_bench: " << why << "\n";
  const Options d;
  std::cerr
      << "usage: weft_http_bench [OPTIONS] -- NAME CMD [ARGS...] [-- NAME CMD [ARGS...]]...\n"
         "Each server must serve the tool test_simple_text over MCP Streamable HTTP and print\n"
         "\"listening on http://HOST:PORT/PATH\" when ready. The first is the subject; the\n"
         "ratio tables compare it with each of the others.\n"
         "Options:\n"
      << "  --warmup SECONDS      untimed load before each timed phase (default "
      << Fixed(d.load.warmup_s, 1) << ")\n"
      << "  --duration SECONDS    length of each timed phase (default "
      << Fixed(d.load.duration_s, 1) << ")\n"
      << "  --calls N             time N calls per connection instead of a duration\n"
      << "  --connections LIST    comma-separated connection counts (default 1,32)\n"
      << "  --reference NAME      measure NAME for context: its ratios are shown, it is no target\n"
      << "  --expect-modern NAME  fail the run if NAME cannot be measured in the "
      << weft::bench::kModernVersion << " era\n"
      << "  --startup-timeout S   wait this long for the URL line (default "
      << Fixed(d.startup_timeout_s, 0) << ")\n"
      << "  --target-ratio X      subject requests/s over each peer's (default "
      << Fixed(d.target_ratio, 0) << ")\n"
      << "  --target-p99-ms X     subject p99 at the most connections (default "
      << Fixed(d.target_p99_ms, 0) << ")\n"
      << "  --target-rss-mib X    subject peak RSS at the most connections (default "
      << Fixed(d.target_rss_mib, 0) << ")\n";
  std::exit(why == nullptr ? 0 : 2);
}

double PositiveNumber(const std::string& flag, const char* value) {
  char* end = nullptr;
  double v = value ? std::strtod(value, &end) : 0;
  if (value == nullptr || end == value || *end != '\0' || !(v > 0) || v > 1e6) {
    Usage((flag + " needs a positive number").c_str());
  }
  return v;
}

std::vector<int> ConnectionList(const char* value) {
  std::vector<int> out;
  std::istringstream in(value ? value : "");
  std::string item;
  while (std::getline(in, item, ',')) {
    long n = 0;
    if (!weft::bench::ParsePositive(item.c_str(), 4096, &n)) {
      Usage("--connections needs comma-separated counts from 1 to 4096");
    }
    out.push_back(static_cast<int>(n));
  }
  if (out.empty()) Usage("--connections needs comma-separated counts from 1 to 4096");
  return out;
}

// Parses the options before the first "--"; returns the index of that "--".
int ParseOptions(int argc, char** argv, Options* opt) {
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "-h" || a == "--help") Usage(nullptr);
    if (v == nullptr) Usage(("missing value or unknown option: " + a).c_str());
    if (a == "--warmup") {
      opt->load.warmup_s = PositiveNumber(a, v);
    } else if (a == "--duration") {
      opt->load.duration_s = PositiveNumber(a, v);
    } else if (a == "--calls") {
      if (!weft::bench::ParsePositive(v, 100000000, &opt->load.calls)) {
        Usage("--calls needs a positive integer");
      }
    } else if (a == "--connections") {
      opt->connections = ConnectionList(v);
    } else if (a == "--expect-modern") {
      opt->expect_modern.push_back(v);
    } else if (a == "--reference") {
      opt->references.push_back(v);
    } else if (a == "--startup-timeout") {
      opt->startup_timeout_s = PositiveNumber(a, v);
    } else if (a == "--target-ratio") {
      opt->target_ratio = PositiveNumber(a, v);
    } else if (a == "--target-p99-ms") {
      opt->target_p99_ms = PositiveNumber(a, v);
    } else if (a == "--target-rss-mib") {
      opt->target_rss_mib = PositiveNumber(a, v);
    } else {
      Usage(("unknown option " + a).c_str());
    }
    ++i;
  }
  return i;
}

std::string RunDescription(const Options& opt) {
  std::ostringstream out;
  out << "MCP Streamable HTTP benchmark: tools/call " << weft::bench::kToolName
      << ", HTTP/1.1 keep-alive, closed loop (one request in flight per connection)\n";
  if (opt.load.calls > 0) {
    out << opt.load.calls << " timed calls per connection";
  } else {
    out << Fixed(opt.load.duration_s, 1) << " s timed";
  }
  out << " after " << Fixed(opt.load.warmup_s, 1) << " s of warm-up, per configuration.\n"
      << "legacy = " << weft::bench::kLegacyVersion
      << " (initialize + notifications/initialized per connection); modern = "
      << weft::bench::kModernVersion << " (no handshake).\n"
      << "Load generator and servers share this machine (" << std::thread::hardware_concurrency()
      << " CPUs, load average at start " << weft::bench::LoadAverage() << ").\n";
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  Options opt;
  int first = ParseOptions(argc, argv, &opt);
  std::string why;
  const std::vector<Server> servers = weft::bench::ParseServers(argc, argv, first, &why);
  if (servers.empty()) Usage(why.c_str());

  const std::string description = RunDescription(opt);
  std::vector<ServerRun> runs;
  for (const auto& s : servers) {
    std::string log_path = weft::bench::NewTempFile(s.name);
    std::cerr << "measuring " << s.name << " ..." << std::endl;
    ServerRun run;
    try {
      run = MeasureServer(s, opt, log_path);
    } catch (const BenchError& e) {
      run.ok = false;
      run.error = e.what();
      std::cerr << "weft_http_bench: " << s.name << ": " << e.what() << "\n";
      std::string text = weft::bench::FileTail(log_path, 4000);
      if (!text.empty()) std::cerr << "--- " << s.name << " output ---\n" << text << "\n";
    }
    ::unlink(log_path.c_str());
    runs.push_back(std::move(run));
  }

  std::cout << "\n" << description;
  for (size_t i = 0; i < servers.size(); ++i) PrintServer(opt, servers[i], runs[i]);
  if (servers.size() > 1) PrintRatios(opt, servers, runs);
  PrintTargets(opt, servers, runs);
  const std::string failures = FailureSummary(servers, runs, opt);
  if (!failures.empty()) {
    const std::string banner =
        "\n!!! THIS BENCHMARK HAD FAILURES; the figures above do not describe working servers:\n" +
        failures;
    std::cout << banner;
    std::cerr << "weft_http_bench: THE RUN HAD FAILURES (listed at the end of the report)\n";
    return 1;
  }
  return 0;
}
