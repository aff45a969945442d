// HttpMetrics: Prometheus text with bounded label values.
#include "mcp/http/metrics.h"

#include <gtest/gtest.h>

#include "mcp/fixture/conformance_fixture.h"

namespace weft::mcp {
namespace {

TEST(HttpMetrics, RendersCountersHistogramAndGauges) {
  ToolRegistry tools;
  ResourceRegistry resources;
  PromptRegistry prompts;
  ConformanceFixture fixture(tools, resources, prompts, ConformanceFixtureOptions{std::chrono::milliseconds(0)});
  ASSERT_TRUE(fixture.Register().ok());
  HttpMetrics m(tools);
  m.CountRequest("POST", "tools/call", 200, 0.0007, false);
  m.CountRequest("POST", "tools/call", 200, 0.003, false);
  m.CountRequest("POST", "made/up/method", 404, 0.001, false);
  m.CountRequest("GET", "", 200, 12.0, true);
  m.SessionOpened();
  m.StreamOpened();
  RequestRecord call{"tools/call", Era::kModern, "test_simple_text", std::chrono::microseconds(5)};
  m.Observe(call);
  RequestRecord bogus{"tools/call", Era::kLegacy, "no_such_tool", std::chrono::microseconds(5)};
  bogus.error_code = -32602;
  m.Observe(bogus);
  std::string text = m.Render();
  EXPECT_NE(text.find("weft_http_requests_total{http_method=\"POST\",rpc_method=\"tools/call\",status=\"200\"} 2\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("rpc_method=\"other\",status=\"404\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("weft_http_request_duration_seconds_bucket{le=\"0.001\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("weft_http_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("weft_http_request_duration_seconds_count 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("weft_http_sessions_open 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("weft_http_streams_open 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("weft_mcp_tool_calls_total{tool=\"test_simple_text\",outcome=\"ok\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("weft_mcp_tool_calls_total{tool=\"unknown\",outcome=\"error\"} 1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("no_such_tool"), std::string::npos) << "client-chosen names must not become labels";
  EXPECT_EQ(text.find("made/up"), std::string::npos);
}

}  // namespace
}  // namespace weft::mcp
