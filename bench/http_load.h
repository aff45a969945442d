// The HTTP load generator of weft_http_bench: MCP clients for both protocol
// eras over Streamable HTTP, checks of every reply, and the closed-loop run
// of C connections (one thread and one request in flight each) against one
// server process.
#pragma once

#include <sys/types.h>

#include <string>

#include "bench/http_client.h"

namespace weft::bench {

inline constexpr char kToolName[] = "test_simple_text";
inline constexpr char kExpectedText[] = "This is a simple text response for testing.";
inline constexpr char kLegacyVersion[] = "2025-11-25";
inline constexpr char kModernVersion[] = "2026-07-28";

enum class Era { kLegacy, kModern };

// "legacy" or "modern".
const char* EraName(Era era);

struct LoadOptions {
  double warmup_s = 1.0;
  double duration_s = 5.0;
  long calls = 0;  // timed calls per connection; 0 times duration_s instead
};

// The figures of one configuration (server, era, connection count). Counts
// are doubles so that report tables can address every field the same way.
struct Figures {
  double reqs_per_s = 0;
  double p50_us = 0, p99_us = 0, max_us = 0;
  double cpu_us_per_call = 0;         // server utime+stime over the timed phase
  double client_cpu_us_per_call = 0;  // this process, same phase
  double rss_peak_mib = 0;            // highest VmRSS sampled during warm-up and timed phase
  double calls = 0;                   // successful calls completed in the timed phase
  double failures = 0;                // failed calls and handshakes, in any phase
  double reconnects = 0;              // connections reopened after a close or an error
  std::string first_error;
};

// Runs `connections` clients against the server process `pid` listening at
// `ep`: each connects, does its era's handshake, then calls test_simple_text
// in a loop through a warm-up and a timed phase. Every reply is checked; a
// bad one counts as a failure and the loop goes on. Throws BenchError only
// when the server process cannot be sampled.
Figures RunLoad(pid_t pid, const HttpEndpoint& ep, Era era, int connections,
                const LoadOptions& opt);

// A legacy handshake and one call on a fresh connection, then the session is
// ended. Returns whether the server issued an Mcp-Session-Id; throws
// BenchError describing the first thing that went wrong.
bool ProbeLegacy(const HttpEndpoint& ep);

// One modern-era call on a fresh connection: "" when it succeeds, else what
// the server answered.
std::string ProbeModern(const HttpEndpoint& ep);

// The load averages from /proc/loadavg ("1.02 0.87 0.55"), or "unknown".
std::string LoadAverage();

}  // namespace weft::bench
