// FakeHttpServer: the handlers (POST per era, GET streams, DELETE), the
// scripted tools and the request log.
#include "tests/mcp/client/fake_http_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/base/base64.h"

namespace weft::mcp::testing {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;

constexpr const char* kLegacyVersion = "2025-06-18";
constexpr const char* kModernVersion = "2026-07-28";
constexpr const char* kMetaVersion = "io.modelcontextprotocol/protocolVersion";
constexpr milliseconds kGateLimit{10000};
constexpr milliseconds kTick{20};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Decode(const std::string& value) {
  const std::string prefix = "=?base64?", suffix = "?=";
  if (value.size() < prefix.size() + suffix.size() || value.compare(0, prefix.size(), prefix) != 0 ||
      value.compare(value.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return value;
  }
  return Base64Decode(value.substr(prefix.size(), value.size() - prefix.size() - suffix.size()))
      .value_or("<malformed base64>");
}

std::string Event(const Json& message, const std::string& id = "", const std::string& retry = "") {
  std::string e;
  if (!id.empty()) e += "id: " + id + "\n";
  if (!retry.empty()) e += "retry: " + retry + "\n";
  return e + "data: " + message.dump() + "\n\n";
}

Json Error(const Json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

Json ToolsList() {
  Json echo = {{"name", "echo"},
               {"description", "Echoes its text."},
               {"inputSchema",
                {{"type", "object"},
                 {"properties",
                  {{"text", {{"type", "string"}}}, {"region", {{"type", "string"}, {"x-mcp-header", "Region"}}}}}}}};
  Json no_args = {{"type", "object"}};
  return Json::array({echo,
                      {{"name", "progress"}, {"description", "Reports progress."}, {"inputSchema", no_args}},
                      {{"name", "drop"}, {"description", "Drops its stream."}, {"inputSchema", no_args}},
                      {{"name", "hold"}, {"description", "Never replies."}, {"inputSchema", no_args}}});
}

}  // namespace

struct FakeHttpServer::Impl {
  explicit Impl(Options o) : options(std::move(o)) {}

  size_t Record(const httplib::Request& req);
  void Answer(size_t index, httplib::Response& res, int status, const Json& body = nullptr);
  bool Authorized(size_t index, const httplib::Request& req, httplib::Response& res);
  // Requires mu. Answers 404 (no body) and returns true when `sid` is unknown.
  bool RefuseUnknownSession(const std::string& sid, size_t index, httplib::Response& res);
  void Post(const httplib::Request& req, httplib::Response& res);
  void PostModern(size_t index, const httplib::Request& req, httplib::Response& res, const Json& msg);
  void Get(const httplib::Request& req, httplib::Response& res);
  void Delete(const httplib::Request& req, httplib::Response& res);
  void Dispatch(size_t index, httplib::Response& res, const Json& msg, bool modern, const std::string& session);
  Json Complete(Json result, bool modern) const;
  void Stream(httplib::Response& res, std::function<bool(httplib::DataSink&)> script);
  bool Sleep(milliseconds d);

  const Options options;
  httplib::Server server;
  std::thread thread;
  int port = 0;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<Recorded> log;
  std::set<std::string> sessions;
  std::map<std::string, std::string> resumable;  // "session|event id" → event text
  int next_session = 1;
  bool released = false;
  bool released_in_time = false;
  bool hold_ended = false;
  bool stopping = false;
  std::deque<std::string> stream_queue;
};

size_t FakeHttpServer::Impl::Record(const httplib::Request& req) {
  Recorded r;
  r.verb = req.method;
  for (const auto& [name, value] : req.headers) r.headers.emplace(Lower(name), value);
  r.body = req.body;
  std::lock_guard<std::mutex> lock(mu);
  log.push_back(std::move(r));
  cv.notify_all();
  return log.size() - 1;
}

void FakeHttpServer::Impl::Answer(size_t index, httplib::Response& res, int status, const Json& body) {
  res.status = status;
  if (!body.is_null()) res.set_content(body.dump(), "application/json");
  std::lock_guard<std::mutex> lock(mu);
  log[index].status = status;
  cv.notify_all();
}

bool FakeHttpServer::Impl::RefuseUnknownSession(const std::string& sid, size_t index, httplib::Response& res) {
  if (sessions.count(sid)) return false;
  res.status = 404;
  log[index].status = 404;
  cv.notify_all();
  return true;
}

bool FakeHttpServer::Impl::Authorized(size_t index, const httplib::Request& req, httplib::Response& res) {
  if (req.has_header("Origin") && req.get_header_value("Origin") != "http://localhost") {
    Answer(index, res, 403, Error(nullptr, -32600, "Forbidden: origin " + req.get_header_value("Origin")));
    return false;
  }
  if (options.token.empty() || req.get_header_value("Authorization") == "Bearer " + options.token) return true;
  res.set_header("WWW-Authenticate", "Bearer");
  Answer(index, res, 401);
  return false;
}

Json FakeHttpServer::Impl::Complete(Json result, bool modern) const {
  if (modern) {
    result["resultType"] = "complete";
    result["_meta"] = {{"io.modelcontextprotocol/serverInfo", {{"name", "fake-http"}, {"version", "1.0"}}}};
  }
  return result;
}

bool FakeHttpServer::Impl::Sleep(milliseconds d) {
  std::unique_lock<std::mutex> lock(mu);
  return !cv.wait_for(lock, d, [&] { return stopping; });
}

void FakeHttpServer::Impl::Stream(httplib::Response& res, std::function<bool(httplib::DataSink&)> script) {
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider("text/event-stream", [script](size_t, httplib::DataSink& sink) {
    if (!script(sink)) return false;
    sink.done();
    return true;
  });
}

void FakeHttpServer::Impl::Post(const httplib::Request& req, httplib::Response& res) {
  size_t index = Record(req);
  if (!Authorized(index, req, res)) return;
  Json msg = Json::parse(req.body, nullptr, false);
  if (!msg.is_object()) return Answer(index, res, 400, Error(nullptr, -32700, "Parse error"));
  std::string sid = req.get_header_value("Mcp-Session-Id");
  const Json meta = msg.contains("params") ? msg["params"].value("_meta", Json::object()) : Json::object();
  if (sid.empty() && meta.is_object() && meta.contains(kMetaVersion)) return PostModern(index, req, res, msg);
  std::string method = msg.value("method", "");
  if (method == "initialize") {
    std::string id;
    {
      std::lock_guard<std::mutex> lock(mu);
      id = "session-" + std::to_string(next_session++);
      sessions.insert(id);
    }
    res.set_header("Mcp-Session-Id", id);
    Json result = {{"protocolVersion", kLegacyVersion},
                   {"capabilities", {{"tools", Json::object()}}},
                   {"serverInfo", {{"name", "fake-http"}, {"version", "1.0"}}}};
    return Answer(index, res, 200, {{"jsonrpc", "2.0"}, {"id", msg["id"]}, {"result", result}});
  }
  if (sid.empty()) return Answer(index, res, 400, Error(nullptr, -32600, "Bad Request: missing Mcp-Session-Id"));
  {
    std::lock_guard<std::mutex> lock(mu);
    if (RefuseUnknownSession(sid, index, res)) return;
  }
  if (req.get_header_value("MCP-Protocol-Version") != kLegacyVersion) {
    return Answer(index, res, 400, Error(nullptr, -32600, "Bad Request: MCP-Protocol-Version must be 2025-06-18"));
  }
  if (!msg.contains("id") || !msg.contains("method")) return Answer(index, res, 202);
  Dispatch(index, res, msg, false, sid);
}

void FakeHttpServer::Impl::PostModern(size_t index, const httplib::Request& req, httplib::Response& res,
                                      const Json& msg) {
  if (!options.discover) {
    // A legacy-only server: a request without a session is refused.
    return Answer(index, res, 400, Error(nullptr, -32600, "Bad Request: missing Mcp-Session-Id"));
  }
  const Json& params = msg["params"];
  auto mismatch = [&](const std::string& what) {
    Answer(index, res, 400, Error(nullptr, -32020, "Header mismatch: " + what));
  };
  if (req.get_header_value("MCP-Protocol-Version") != params["_meta"][kMetaVersion].get<std::string>()) {
    return mismatch("MCP-Protocol-Version");
  }
  std::string method = msg.value("method", "");
  if (Decode(req.get_header_value("Mcp-Method")) != method) return mismatch("Mcp-Method");
  const char* field = method == "tools/call" || method == "prompts/get" ? "name"
                      : method == "resources/read"                      ? "uri"
                                                                        : nullptr;
  if (field && (!req.has_header("Mcp-Name") || Decode(req.get_header_value("Mcp-Name")) != params.value(field, ""))) {
    return mismatch("Mcp-Name");
  }
  if (method == "tools/call" && params.value("name", "") == "echo") {
    const Json args = params.value("arguments", Json::object());
    if (args.contains("region") && Decode(req.get_header_value("Mcp-Param-Region")) != args["region"]) {
      return mismatch("Mcp-Param-Region");
    }
  }
  if (!msg.contains("id")) return Answer(index, res, 202);
  Dispatch(index, res, msg, true, "");
}

void FakeHttpServer::Impl::Dispatch(size_t index, httplib::Response& res, const Json& msg, bool modern,
                                    const std::string& session) {
  const Json id = msg["id"];
  const std::string method = msg.value("method", "");
  const Json params = msg.value("params", Json::object());
  auto reply = [&](const Json& result) {
    Answer(index, res, 200, {{"jsonrpc", "2.0"}, {"id", id}, {"result", Complete(result, modern)}});
  };
  if (method == "server/discover") {
    return reply({{"supportedVersions", {kModernVersion}},
                  {"capabilities", {{"tools", Json::object()}}},
                  {"ttlMs", 0},
                  {"cacheScope", "public"}});
  }
  if (method == "tools/list") {
    Json result = {{"tools", ToolsList()}};
    if (modern) result.update({{"ttlMs", 0}, {"cacheScope", "public"}});
    return reply(result);
  }
  if (method == "ping") return reply(Json::object());
  if (method != "tools/call") {
    return Answer(index, res, modern ? 404 : 200, Error(id, -32601, "Method not found: " + method));
  }
  const std::string name = params.value("name", "");
  const Json args = params.value("arguments", Json::object());
  const Json meta = params.value("_meta", Json::object());
  const Json token = meta.is_object() ? meta.value("progressToken", Json()) : Json();
  auto progress = [token](int n) {
    return Json{{"jsonrpc", "2.0"},
                {"method", "notifications/progress"},
                {"params", {{"progressToken", token}, {"progress", n}, {"total", 2}}}};
  };
  Json done = {{"jsonrpc", "2.0"},
               {"id", id},
               {"result", Complete({{"content", {{{"type", "text"}, {"text", "done"}}}}}, modern)}};
  {
    std::lock_guard<std::mutex> lock(mu);
    log[index].status = 200;
    cv.notify_all();
  }
  if (name == "echo") {
    Json result = {{"jsonrpc", "2.0"},
                   {"id", id},
                   {"result", Complete({{"content", {{{"type", "text"}, {"text", args.value("text", "")}}}}}, modern)}};
    if (!options.sse_replies) return Answer(index, res, 200, result);
    return Stream(res, [result](httplib::DataSink& sink) {
      std::string e = Event(result);
      return sink.write(e.data(), e.size());
    });
  }
  if (name == "progress") {
    bool gate = args.value("gate", false);
    return Stream(res, [this, token, progress, done, gate](httplib::DataSink& sink) {
      for (int n = 1; n <= 2 && !token.is_null(); ++n) {
        std::string e = Event(progress(n));
        if (!sink.write(e.data(), e.size())) return false;
      }
      if (gate) {
        std::unique_lock<std::mutex> lock(mu);
        bool in_time = cv.wait_for(lock, kGateLimit, [&] { return released || stopping; });
        released_in_time = in_time && released;
      }
      std::string e = Event(done);
      return sink.write(e.data(), e.size());
    });
  }
  if (name == "drop") {
    if (!session.empty()) {
      Json resumed = done;
      resumed["result"]["content"][0]["text"] = "resumed";
      std::lock_guard<std::mutex> lock(mu);
      resumable[session + "|ev-1"] = Event(resumed, "ev-2");
    }
    Json note = token.is_null() ? Json{{"jsonrpc", "2.0"},
                                       {"method", "notifications/message"},
                                       {"params", {{"level", "info"}, {"data", "dropping"}}}}
                                : progress(1);
    return Stream(res, [note](httplib::DataSink& sink) {
      std::string e = Event(note, "ev-1", "0");
      return sink.write(e.data(), e.size());
    });
  }
  if (name == "hold") {
    return Stream(res, [this](httplib::DataSink& sink) {
      static constexpr char kAlive[] = ": keep-alive\n\n";
      while (Sleep(kTick)) {
        if (!sink.write(kAlive, sizeof kAlive - 1)) {
          std::lock_guard<std::mutex> lock(mu);
          hold_ended = true;
          cv.notify_all();
          return false;
        }
      }
      return false;
    });
  }
  Answer(index, res, 200, Error(id, -32602, "Unknown tool: " + name));
}

void FakeHttpServer::Impl::Get(const httplib::Request& req, httplib::Response& res) {
  size_t index = Record(req);
  if (!Authorized(index, req, res)) return;
  if (!options.standalone_stream && !req.has_header("Last-Event-ID")) return Answer(index, res, 405);
  std::string sid = req.get_header_value("Mcp-Session-Id");
  std::string resumed;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (RefuseUnknownSession(sid, index, res)) return;
    if (req.has_header("Last-Event-ID")) {
      auto it = resumable.find(sid + "|" + req.get_header_value("Last-Event-ID"));
      if (it == resumable.end()) {
        res.status = 404;
        log[index].status = 404;
        cv.notify_all();
        return;
      }
      resumed = it->second;
    }
    log[index].status = 200;
    cv.notify_all();
  }
  if (!resumed.empty()) {
    return Stream(res, [resumed](httplib::DataSink& sink) { return sink.write(resumed.data(), resumed.size()); });
  }
  Stream(res, [this](httplib::DataSink& sink) {
    static constexpr char kAlive[] = ": keep-alive\n\n";
    while (Sleep(kTick)) {
      std::string out;
      {
        std::lock_guard<std::mutex> lock(mu);
        while (!stream_queue.empty()) {
          out += "data: " + stream_queue.front() + "\n\n";
          stream_queue.pop_front();
        }
      }
      if (out.empty()) out = kAlive;
      if (!sink.write(out.data(), out.size())) return false;
    }
    return false;
  });
}

void FakeHttpServer::Impl::Delete(const httplib::Request& req, httplib::Response& res) {
  size_t index = Record(req);
  if (!Authorized(index, req, res)) return;
  std::lock_guard<std::mutex> lock(mu);
  bool known = sessions.erase(req.get_header_value("Mcp-Session-Id")) > 0;
  res.status = known ? 200 : 404;
  log[index].status = res.status;
  cv.notify_all();
}

bool FakeHttpServer::Recorded::has(const std::string& name) const { return headers.count(Lower(name)) > 0; }

std::string FakeHttpServer::Recorded::header(const std::string& name, bool decode) const {
  auto it = headers.find(Lower(name));
  if (it == headers.end()) return "";
  return decode ? Decode(it->second) : it->second;
}

std::string FakeHttpServer::Recorded::rpc_method() const {
  Json j = Json::parse(body, nullptr, false);
  return j.is_object() ? j.value("method", "") : "";
}

FakeHttpServer::FakeHttpServer(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {
  Impl* impl = impl_.get();
  impl->server.new_task_queue = [] { return new httplib::ThreadPool(32); };
  impl->server.Post("/mcp", [impl](const httplib::Request& q, httplib::Response& r) { impl->Post(q, r); });
  impl->server.Get("/mcp", [impl](const httplib::Request& q, httplib::Response& r) { impl->Get(q, r); });
  impl->server.Delete("/mcp", [impl](const httplib::Request& q, httplib::Response& r) { impl->Delete(q, r); });
  impl->port = impl->server.bind_to_any_port("127.0.0.1");
  impl->thread = std::thread([impl] { impl->server.listen_after_bind(); });
  // httplib's stop() does nothing to a server that is not running yet, so a
  // Stop() right after construction would otherwise never end.
  for (int i = 0; i < 5000 && !impl->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

FakeHttpServer::~FakeHttpServer() { Stop(); }

void FakeHttpServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
    impl_->cv.notify_all();
  }
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int FakeHttpServer::port() const { return impl_->port; }

std::string FakeHttpServer::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port) + "/mcp"; }

std::vector<FakeHttpServer::Recorded> FakeHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->log;
}

std::optional<FakeHttpServer::Recorded> FakeHttpServer::WaitFor(const std::function<bool(const Recorded&)>& match) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  std::optional<Recorded> found;
  impl_->cv.wait_for(lock, std::chrono::seconds(10), [&] {
    for (const auto& r : impl_->log) {
      if (r.status != 0 && match(r)) {
        found = r;
        return true;
      }
    }
    return false;
  });
  return found;
}

void FakeHttpServer::Release() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->released = true;
  impl_->cv.notify_all();
}

bool FakeHttpServer::released_in_time() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->released_in_time;
}

bool FakeHttpServer::hold_ended() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->hold_ended;
}

bool FakeHttpServer::WaitHoldEnded() {
  std::unique_lock<std::mutex> lock(impl_->mu);
  return impl_->cv.wait_for(lock, std::chrono::seconds(10), [&] { return impl_->hold_ended; });
}

void FakeHttpServer::ForgetSessions() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->sessions.clear();
}

void FakeHttpServer::SendOnStream(std::string frame) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->stream_queue.push_back(std::move(frame));
}

}  // namespace weft::mcp::testing
