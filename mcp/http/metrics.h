// HttpMetrics: the counters behind /metrics, rendered in the Prometheus text
// exposition format (version 0.0.4). Label values come only from fixed sets
// or registered tool names, so a client cannot grow the series without bound.
// Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "mcp/registry/tool_registry.h"
#include "mcp/server/server.h"

namespace weft::mcp {

class HttpMetrics {
 public:
  explicit HttpMetrics(const ToolRegistry& tools) : tools_(tools) {}

  // One HTTP exchange: its verb, the JSON-RPC method it carried (empty when
  // none), the status, and its latency (to the end of the response; streams
  // are counted but kept out of the latency histogram).
  void CountRequest(std::string_view http_method, std::string_view rpc_method, int status, double seconds,
                    bool stream);
  // One dispatched request (a RequestObserver).
  void Observe(const RequestRecord& record);

  void SessionOpened() { ++sessions_; }
  void SessionClosed() { --sessions_; }
  void StreamOpened() { ++streams_; }
  void StreamClosed() { --streams_; }
  int64_t open_sessions() const { return sessions_.load(); }
  int64_t open_streams() const { return streams_.load(); }

  std::string Render() const;

  // A JSON-RPC method name as a label value: known methods as themselves,
  // anything else "other".
  static std::string_view MethodLabel(std::string_view method);

 private:
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  const ToolRegistry& tools_;
  std::atomic<int64_t> sessions_{0};
  std::atomic<int64_t> streams_{0};

  mutable std::mutex mu_;
  std::map<std::string, uint64_t> requests_;     // label set → count; guarded by mu_
  std::array<uint64_t, kBuckets.size() + 1> latency_counts_{};  // guarded by mu_
  double latency_sum_ = 0;                       // guarded by mu_
  uint64_t latency_count_ = 0;                   // guarded by mu_
  std::map<std::string, uint64_t> rpc_;          // guarded by mu_
  std::map<std::string, uint64_t> tool_calls_;   // guarded by mu_
};

}  // namespace weft::mcp
