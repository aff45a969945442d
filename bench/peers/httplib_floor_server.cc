// The floor of cpp-httplib itself: the Debian libcpp-httplib that weft uses,
// configured as weft configures it (TCP_NODELAY, unbounded keep-alive, a
// thread per connection),
// answering initialize and tools/call test_simple_text with fixed JSON and no
// MCP engine at all. weft_http_bench measures it as a reference: the distance
// between weft and this server is weft's own cost per request; the rest is
// the library's connection handling (several select() calls, getpeername and
// getsockname, and two send() calls per response).
#include <httplib.h>

#include <cstdio>

#include <nlohmann/json.hpp>

int main() {
  httplib::Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1'000'000);
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  server.Post("/mcp", [](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json msg = nlohmann::json::parse(req.body, nullptr, false);
    if (!msg.is_object() || !msg.contains("id")) {
      res.status = 202;
      return;
    }
    nlohmann::json reply = {{"jsonrpc", "2.0"}, {"id", msg["id"]}};
    if (msg.value("method", "") == "initialize") {
      reply["result"] = {{"protocolVersion", "2025-11-25"},
                         {"capabilities", {{"tools", nlohmann::json::object()}}},
                         {"serverInfo", {{"name", "httplib-floor"}, {"version", "1"}}}};
    } else {
      reply["result"] = {
          {"content", {{{"type", "text"}, {"text", "This is a simple text response for testing."}}}}};
    }
    res.set_content(reply.dump(), "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) return 1;
  std::fprintf(stderr, "listening on http://127.0.0.1:%d/mcp\n", port);
  return server.listen_after_bind() ? 0 : 1;
}
