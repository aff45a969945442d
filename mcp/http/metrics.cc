// HttpMetrics: counting and Prometheus text rendering.
#include "mcp/http/metrics.h"

#include <cstdio>

namespace weft::mcp {
namespace {

constexpr std::string_view kKnownMethods[] = {
    "initialize",          "ping",          "server/discover",        "logging/setLevel",
    "tools/list",          "tools/call",    "resources/list",         "resources/templates/list",
    "resources/read",      "resources/subscribe", "resources/unsubscribe", "prompts/list",
    "prompts/get",         "completion/complete", "subscriptions/listen",
};

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string_view Outcome(const RequestRecord& r) {
  if (r.cancelled) return "cancelled";
  if (r.error_code != 0) return "error";
  if (r.input_required) return "input_required";
  if (r.tool_error) return "tool_error";
  return "ok";
}

}  // namespace

std::string_view HttpMetrics::MethodLabel(std::string_view method) {
  if (method.empty()) return "";
  for (std::string_view m : kKnownMethods) {
    if (m == method) return m;
  }
  if (method.rfind("notifications/", 0) == 0) return "notification";
  return "other";
}

void HttpMetrics::CountRequest(std::string_view http_method, std::string_view rpc_method, int status,
                               double seconds, bool stream) {
  std::string key = "http_method=\"" + std::string(http_method == "POST" || http_method == "GET" ||
                                                            http_method == "DELETE"
                                                        ? http_method
                                                        : "other") +
                    "\",rpc_method=\"" + std::string(MethodLabel(rpc_method)) + "\",status=\"" +
                    std::to_string(status) + "\"";
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[key];
  if (stream) return;
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  ++latency_counts_[i];
  latency_sum_ += seconds;
  ++latency_count_;
}

void HttpMetrics::Observe(const RequestRecord& r) {
  std::string outcome(Outcome(r));
  std::string key = "method=\"" + std::string(MethodLabel(r.method)) + "\",era=\"" +
                    (r.era == Era::kModern ? "modern" : "legacy") + "\",outcome=\"" + outcome + "\"";
  std::string tool_key;
  if (r.method == "tools/call") {
    std::string tool = tools_.Find(r.target) ? r.target : "unknown";
    tool_key = "tool=\"" + tool + "\",outcome=\"" + outcome + "\"";
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++rpc_[key];
  if (!tool_key.empty()) ++tool_calls_[tool_key];
}

std::string HttpMetrics::Render() const {
  std::string out;
  auto counter = [&out](const char* name, const char* help, const std::map<std::string, uint64_t>& series) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
    for (const auto& [labels, n] : series) out += std::string(name) + "{" + labels + "} " + std::to_string(n) + "\n";
  };
  std::lock_guard<std::mutex> lock(mu_);
  counter("weft_http_requests_total", "HTTP requests by verb, JSON-RPC method and status.", requests_);
  out += "# HELP weft_http_request_duration_seconds Latency of HTTP requests answered without a stream.\n"
         "# TYPE weft_http_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += latency_counts_[i];
    out += "weft_http_request_duration_seconds_bucket{le=\"" + Num(kBuckets[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  cumulative += latency_counts_[kBuckets.size()];
  out += "weft_http_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
  out += "weft_http_request_duration_seconds_sum " + Num(latency_sum_) + "\n";
  out += "weft_http_request_duration_seconds_count " + std::to_string(latency_count_) + "\n";
  out += "# HELP weft_http_sessions_open Legacy-era sessions open.\n# TYPE weft_http_sessions_open gauge\n";
  out += "weft_http_sessions_open " + std::to_string(sessions_.load()) + "\n";
  out += "# HELP weft_http_streams_open SSE streams open.\n# TYPE weft_http_streams_open gauge\n";
  out += "weft_http_streams_open " + std::to_string(streams_.load()) + "\n";
  counter("weft_mcp_requests_total", "MCP requests by method, era and outcome.", rpc_);
  counter("weft_mcp_tool_calls_total", "Tool calls by tool and outcome.", tool_calls_);
  return out;
}

}  // namespace weft::mcp
