// The HTTP load generator of weft_http_bench; see http_load.h.
#include "bench/http_load.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "bench/bench_util.h"

namespace weft::bench {
namespace {

using nlohmann::json;

constexpr auto kReplyTimeout = std::chrono::seconds(20);
constexpr auto kRssSampleEvery = std::chrono::milliseconds(50);

// The start of a reply body, on one line, for error messages.
std::string Snippet(const std::string& body) {
  std::string s = body.substr(0, 300);
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return body.size() > s.size() ? s + "..." : s;
}

bool StartsWithIgnoreCase(const std::string& s, const char* prefix) {
  for (size_t i = 0; prefix[i] != '\0'; ++i) {
    if (i >= s.size() || std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool IsResponseTo(const json& msg, long id) {
  return msg.is_object() && !msg.contains("method") && msg.contains("id") &&
         msg["id"].is_number_integer() && msg["id"].get<long>() == id;
}

// Finds the JSON-RPC response to `id` in a reply that is either one JSON
// message or an event stream (which may carry notifications first). Returns
// "" and sets *msg, or says what is wrong.
std::string ResponseIn(const HttpResponse& r, long id, json* msg) {
  auto what = [&] { return "HTTP " + std::to_string(r.status) + " " + r.content_type + ": "; };
  if (r.status != 200) return what() + Snippet(r.body);
  if (StartsWithIgnoreCase(r.content_type, "text/event-stream")) {
    for (const std::string& data : SseEventData(r.body)) {
      json m = json::parse(data, nullptr, /*allow_exceptions=*/false);
      if (IsResponseTo(m, id)) {
        *msg = std::move(m);
        return "";
      }
    }
    return what() + "no response to id " + std::to_string(id) + " in the stream: " +
           Snippet(r.body);
  }
  if (!StartsWithIgnoreCase(r.content_type, "application/json")) {
    return what() + "unexpected Content-Type: " + Snippet(r.body);
  }
  json m = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!IsResponseTo(m, id)) {
    return what() + "not the response to id " + std::to_string(id) + ": " + Snippet(r.body);
  }
  *msg = std::move(m);
  return "";
}

// "" when the reply is a successful tools/call result for `id` carrying the
// fixture's text; otherwise what is wrong with it.
std::string CheckCallReply(const HttpResponse& r, long id) {
  json msg;
  std::string error = ResponseIn(r, id, &msg);
  if (!error.empty()) return error;
  const json* result = msg.contains("result") ? &msg["result"] : nullptr;
  if (result == nullptr || !result->is_object()) return "no result: " + Snippet(msg.dump());
  if (result->value("isError", false)) return "tool error: " + Snippet(msg.dump());
  const json* content = result->contains("content") ? &(*result)["content"] : nullptr;
  if (content == nullptr || !content->is_array() || content->empty() ||
      !(*content)[0].is_object() || (*content)[0].value("type", "") != "text" ||
      (*content)[0].value("text", "") != kExpectedText) {
    return "unexpected result: " + Snippet(msg.dump());
  }
  return "";
}

// The request line and headers of a POST, up to (not including) Content-Length.
std::string PostHead(const HttpEndpoint& ep, const char* protocol_version,
                     const std::string& session_id, const char* mcp_method, const char* mcp_name) {
  std::string h = "POST " + ep.path + " HTTP/1.1\r\nHost: " + ep.host + ":" +
                  std::to_string(ep.port) +
                  "\r\nContent-Type: application/json\r\n"
                  "Accept: application/json, text/event-stream\r\n";
  if (protocol_version != nullptr) {
    h += std::string("MCP-Protocol-Version: ") + protocol_version + "\r\n";
  }
  if (!session_id.empty()) h += "Mcp-Session-Id: " + session_id + "\r\n";
  if (mcp_method != nullptr) h += std::string("Mcp-Method: ") + mcp_method + "\r\n";
  if (mcp_name != nullptr) h += std::string("Mcp-Name: ") + mcp_name + "\r\n";
  return h;
}

std::string WithBody(const std::string& head, const std::string& body) {
  std::string r;
  r.reserve(head.size() + body.size() + 32);
  r += head;
  r += "Content-Length: ";
  r += std::to_string(body.size());
  r += "\r\n\r\n";
  r += body;
  return r;
}

std::string CallBody(Era era, long id) {
  std::string body = R"({"jsonrpc":"2.0","id":)" + std::to_string(id) +
                     R"(,"method":"tools/call","params":{"name":")" + kToolName +
                     R"(","arguments":{})";
  if (era == Era::kModern) {
    body += std::string(R"(,"_meta":{"io.modelcontextprotocol/protocolVersion":")") +
            kModernVersion + R"(","io.modelcontextprotocol/clientCapabilities":{}})";
  }
  return body + "}}";
}

// One MCP client on one connection. Single-threaded.
class McpClient {
 public:
  McpClient(const HttpEndpoint& ep, Era era) : ep_(ep), era_(era), conn_(ep) {}

  // Legacy: initialize (keeping any session id) and notifications/initialized.
  // Modern: just connects. Throws BenchError.
  void Handshake() {
    if (era_ == Era::kModern) {
      call_head_ = PostHead(ep_, kModernVersion, "", "tools/call", kToolName);
      conn_.Connect();
      return;
    }
    const std::string init =
        std::string(
            R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":")") +
        kLegacyVersion +
        R"(","capabilities":{},"clientInfo":{"name":"weft_http_bench","version":"1"}}})";
    HttpResponse r = conn_.RoundTrip(WithBody(PostHead(ep_, nullptr, "", nullptr, nullptr), init),
                                     kReplyTimeout);
    json msg;
    std::string error = ResponseIn(r, 0, &msg);
    if (error.empty() && !msg.contains("result")) error = "no result: " + Snippet(msg.dump());
    if (!error.empty()) throw BenchError("initialize: " + error);
    const std::string version = msg["result"].value("protocolVersion", "");
    if (version != kLegacyVersion) {
      throw BenchError("initialize: the server chose protocol version '" + version + "'");
    }
    session_id_ = r.session_id;
    r = conn_.RoundTrip(WithBody(PostHead(ep_, kLegacyVersion, session_id_, nullptr, nullptr),
                                 R"({"jsonrpc":"2.0","method":"notifications/initialized"})"),
                        kReplyTimeout);
    if (r.status < 200 || r.status > 299) {
      throw BenchError("notifications/initialized: HTTP " + std::to_string(r.status) + ": " +
                       Snippet(r.body));
    }
    call_head_ = PostHead(ep_, kLegacyVersion, session_id_, nullptr, nullptr);
  }

  // One tools/call with `id`: "" on success, else what went wrong. Sets *done
  // to when the reply was complete.
  std::string Call(long id, Clock::time_point* done) {
    const std::string request = WithBody(call_head_, CallBody(era_, id));
    try {
      HttpResponse r = conn_.RoundTrip(request, kReplyTimeout);
      *done = Clock::now();
      return CheckCallReply(r, id);
    } catch (const BenchError& e) {
      *done = Clock::now();
      return e.what();
    }
  }

  // Ends the legacy session with DELETE, best effort (servers may answer 405).
  void EndSession() {
    if (session_id_.empty()) return;
    const std::string request =
        "DELETE " + ep_.path + " HTTP/1.1\r\nHost: " + ep_.host + ":" + std::to_string(ep_.port) +
        "\r\nMCP-Protocol-Version: " + kLegacyVersion + "\r\nMcp-Session-Id: " + session_id_ +
        "\r\nContent-Length: 0\r\n\r\n";
    try {
      conn_.RoundTrip(request, std::chrono::seconds(2));
    } catch (const BenchError&) {
    }
    session_id_.clear();
  }

  bool has_session() const { return !session_id_.empty(); }
  HttpConnection& connection() { return conn_; }

 private:
  const HttpEndpoint& ep_;
  Era era_;
  HttpConnection conn_;
  std::string session_id_;
  std::string call_head_;
};

enum Phase : int { kWarmup, kTimed, kStop };

// What the threads of one RunLoad share. `phase` is read on every call; the
// rest is guarded by `mu`.
struct Control {
  const HttpEndpoint* ep = nullptr;
  Era era = Era::kLegacy;
  long calls = 0;
  std::atomic<int> phase{kWarmup};
  std::mutex mu;
  std::condition_variable cv;
  int ready = 0;     // workers past their handshake
  bool go = false;   // set once all are ready
  int finished = 0;  // workers out of their call loop
};

struct WorkerResult {
  std::vector<double> latency_us;
  long failures = 0, reconnects = 0;
  std::string first_error;

  void Fail(const std::string& error) {
    if (failures++ == 0) first_error = error;
  }
};

void CallLoop(Control& ctl, McpClient& client, WorkerResult& res) {
  long timed = 0;
  for (long id = 1; ctl.phase.load(std::memory_order_acquire) != kStop; ++id) {
    const auto t0 = Clock::now();
    Clock::time_point t1;
    const std::string error = client.Call(id, &t1);
    const bool in_timed = ctl.phase.load(std::memory_order_acquire) == kTimed;
    if (!error.empty()) {
      res.Fail(error);
    } else if (in_timed) {
      res.latency_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    if (!client.connection().IsOpen()) {
      ++res.reconnects;
      try {
        client.connection().Connect();
      } catch (const BenchError& e) {
        res.Fail(e.what());
        return;
      }
    }
    if (in_timed && ctl.calls > 0 && ++timed == ctl.calls) return;
  }
}

void Worker(Control& ctl, WorkerResult& res) {
  res.latency_us.reserve(1 << 16);
  McpClient client(*ctl.ep, ctl.era);
  bool usable = true;
  try {
    client.Handshake();
  } catch (const BenchError& e) {
    res.Fail(std::string("handshake: ") + e.what());
    usable = false;
  }
  {
    std::unique_lock<std::mutex> lock(ctl.mu);
    ++ctl.ready;
    ctl.cv.notify_all();
    ctl.cv.wait(lock, [&] { return ctl.go; });
  }
  if (usable) CallLoop(ctl, client, res);
  {
    std::lock_guard<std::mutex> lock(ctl.mu);
    ++ctl.finished;
  }
  ctl.cv.notify_all();
  client.EndSession();
}

// Samples the server's VmRSS every kRssSampleEvery until `deadline` or until
// all `workers` have finished, keeping the peak in *peak_kib.
void SampleUntil(Control& ctl, pid_t pid, Clock::time_point deadline, int workers, long* peak_kib) {
  std::unique_lock<std::mutex> lock(ctl.mu);
  while (ctl.finished < workers) {
    const auto now = Clock::now();
    if (now >= deadline) return;
    lock.unlock();
    *peak_kib = std::max(*peak_kib, ProcStatusKib(pid, "VmRSS"));
    lock.lock();
    ctl.cv.wait_until(lock, std::min(deadline, now + kRssSampleEvery));
  }
}

double SelfCpuSeconds() {
  struct rusage u;
  ::getrusage(RUSAGE_SELF, &u);
  auto secs = [](const struct timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

// Drives the phases once every worker is ready; fills the timing and CPU figures.
void DrivePhases(Control& ctl, pid_t pid, int workers, const LoadOptions& opt, Figures* f,
                 double* seconds) {
  {
    std::unique_lock<std::mutex> lock(ctl.mu);
    ctl.cv.wait(lock, [&] { return ctl.ready == workers; });
    ctl.go = true;
  }
  ctl.cv.notify_all();
  long peak_kib = 0;
  const auto warm_end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(opt.warmup_s));
  SampleUntil(ctl, pid, warm_end, workers, &peak_kib);
  const double cpu0 = CpuSeconds(pid), self0 = SelfCpuSeconds();
  const auto t0 = Clock::now();
  ctl.phase.store(kTimed, std::memory_order_release);
  const auto end = opt.calls > 0 ? Clock::time_point::max()
                                 : t0 + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(opt.duration_s));
  SampleUntil(ctl, pid, end, workers, &peak_kib);
  const auto t1 = Clock::now();
  ctl.phase.store(kStop, std::memory_order_release);
  const double cpu1 = CpuSeconds(pid), self1 = SelfCpuSeconds();
  *seconds = std::chrono::duration<double>(t1 - t0).count();
  f->cpu_us_per_call = (cpu1 - cpu0) * 1e6;  // divided by the calls later
  f->client_cpu_us_per_call = (self1 - self0) * 1e6;
  f->rss_peak_mib = static_cast<double>(peak_kib) / 1024.0;
}

void Summarise(const std::vector<WorkerResult>& results, double seconds, Figures* f) {
  std::vector<double> all;
  for (const auto& r : results) {
    all.insert(all.end(), r.latency_us.begin(), r.latency_us.end());
    f->failures += static_cast<double>(r.failures);
    f->reconnects += static_cast<double>(r.reconnects);
    if (f->first_error.empty()) f->first_error = r.first_error;
  }
  f->calls = static_cast<double>(all.size());
  if (all.empty()) {
    f->cpu_us_per_call = f->client_cpu_us_per_call = 0;
    return;
  }
  f->reqs_per_s = f->calls / seconds;
  f->cpu_us_per_call /= f->calls;
  f->client_cpu_us_per_call /= f->calls;
  f->p50_us = Percentile(all, 0.5);
  f->p99_us = Percentile(all, 0.99);
  f->max_us = *std::max_element(all.begin(), all.end());
}

}  // namespace

const char* EraName(Era era) { return era == Era::kLegacy ? "legacy" : "modern"; }

Figures RunLoad(pid_t pid, const HttpEndpoint& ep, Era era, int connections,
                const LoadOptions& opt) {
  Control ctl;
  ctl.ep = &ep;
  ctl.era = era;
  ctl.calls = opt.calls;
  std::vector<WorkerResult> results(static_cast<size_t>(connections));
  std::vector<std::thread> threads;
  threads.reserve(results.size());
  for (auto& r : results) threads.emplace_back(Worker, std::ref(ctl), std::ref(r));
  Figures f;
  double seconds = 0;
  try {
    DrivePhases(ctl, pid, connections, opt, &f, &seconds);
  } catch (const BenchError&) {
    ctl.phase.store(kStop, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lock(ctl.mu);
      ctl.go = true;
    }
    ctl.cv.notify_all();
    for (auto& t : threads) t.join();
    throw;
  }
  for (auto& t : threads) t.join();
  Summarise(results, seconds, &f);
  return f;
}

bool ProbeLegacy(const HttpEndpoint& ep) {
  McpClient client(ep, Era::kLegacy);
  client.Handshake();
  Clock::time_point done;
  const std::string error = client.Call(1, &done);
  if (!error.empty()) throw BenchError("tools/call: " + error);
  const bool sessions = client.has_session();
  client.EndSession();
  return sessions;
}

std::string ProbeModern(const HttpEndpoint& ep) {
  try {
    McpClient client(ep, Era::kModern);
    client.Handshake();
    Clock::time_point done;
    return client.Call(1, &done);
  } catch (const BenchError& e) {
    return e.what();
  }
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  if (!(in >> a >> b >> c)) return "unknown";
  return a + " " + b + " " + c;
}

}  // namespace weft::bench
