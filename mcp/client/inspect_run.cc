// mcp-inspect's run: one server (a process over stdio, or an HTTP endpoint),
// one Client, one subcommand, every reply checked against the spec, exit code
// by the worst outcome.
#include "mcp/client/inspect_run.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "mcp/client/child_process.h"
#include "mcp/client/client.h"
#include "mcp/client/http_connection.h"
#include "mcp/client/inspect_output.h"
#include "mcp/client/spec_check.h"

namespace weft::mcp::inspect {
namespace {

using std::chrono::milliseconds;

// How long auto mode waits for server/discover at most.
constexpr milliseconds kMaxProbeTimeout{10000};
// HTTP: connecting takes at most this (or --timeout, if shorter).
constexpr milliseconds kMaxConnectTimeout{10000};
// HTTP: how long a reply may stay silent at least. Longer --timeout values
// extend it; the per-request timeout is what normally ends a call.
constexpr milliseconds kMinReadTimeout{300000};

// Passes frames through, printing each one (--trace).
class TracingConnection final : public Connection {
 public:
  TracingConnection(Connection& inner, std::function<void(const std::string&)> print)
      : inner_(inner), print_(std::move(print)) {}

  Result<std::string> Read() override {
    Result<std::string> frame = inner_.Read();
    if (frame.ok()) print_("<- " + *frame);
    return frame;
  }
  Status Write(std::string_view frame, const WriteRoute& route) override {
    print_("-> " + std::string(frame));
    return inner_.Write(frame, route);
  }
  void Close() override { inner_.Close(); }
  void Abandon(const nlohmann::json& request_id) override { inner_.Abandon(request_id); }

 private:
  Connection& inner_;
  std::function<void(const std::string&)> print_;
};

int Worst(int a, int b) {
  if (a == kExitOk) return b;
  if (b == kExitOk) return a;
  return std::min(a, b);
}

class Inspection {
 public:
  Inspection(const Invocation& inv, std::ostream& out, std::ostream& err) : inv_(inv), out_(out), err_(err) {}
  int Run();

 private:
  void Note(const std::string& line);
  void AddProblem(const std::string& label, SpecProblem problem);
  void OnResult(const ResultEvent& event);
  void OnNotification(const std::string& method, const Json& params);
  int Failure(const std::string& what, const CallResult& r, bool connecting);
  // The connection to the server: a started process's, or an HTTP one.
  Result<Connection*> OpenConnection();
  int Finish(int code);
  void Print(const Json& raw, const std::string& human);
  CallOptions Options(bool with_progress);

  int RunCommand(const CallResult& handshake);
  int Info(const CallResult& handshake);
  int Discover(const CallResult& handshake);
  int Call();
  int Simple(const std::string& what, const CallResult& r, std::string (*format)(const Json&));
  int Ping();

  const Invocation& inv_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<ChildProcess> child_;        // a server command line
  std::unique_ptr<HttpConnection> http_;       // a server URL
  std::unique_ptr<TracingConnection> tracer_;
  std::unique_ptr<Client> client_;
  bool server_gone_ = false;  // a call failed because the connection closed

  std::mutex mu_;  // err_, problems_, replies_: written from the reader thread too
  std::vector<std::pair<std::string, SpecProblem>> problems_;
  std::map<std::string, int> replies_;
};

void Inspection::Note(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  err_ << line << "\n" << std::flush;
}

void Inspection::AddProblem(const std::string& label, SpecProblem problem) {
  std::lock_guard<std::mutex> lock(mu_);
  problems_.emplace_back(label, std::move(problem));
}

void Inspection::OnResult(const ResultEvent& event) {
  int n;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = ++replies_[event.method];
  }
  std::string label = event.method + (n > 1 ? " (reply " + std::to_string(n) + ")" : "");
  for (auto& p : CheckResult(event.method, event.result, SpecContext{event.era, event.protocol_version})) {
    AddProblem(label, std::move(p));
  }
}

void Inspection::OnNotification(const std::string& method, const Json& params) {
  if (inv_.quiet) return;
  if (method == "notifications/message") Note(FormatLogMessage(params));
  else Note("[notification] " + method);
}

CallOptions Inspection::Options(bool with_progress) {
  CallOptions o;
  if (with_progress && !inv_.quiet) o.on_progress = [this](const Json& p) { Note(FormatProgress(p)); };
  return o;
}

void Inspection::Print(const Json& raw, const std::string& human) {
  if (inv_.json) out_ << raw.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
  else out_ << human;
  out_.flush();
}

int Inspection::Failure(const std::string& what, const CallResult& r, bool connecting) {
  if (const auto& e = r.rpc_error()) {
    if (IsTransportError(*e)) {
      // Made up by the HTTP transport: the server was not reached, or refused us.
      Note("mcp-inspect: " + what + " failed: " + e->message);
      return kExitConnection;
    }
    std::string data = e->data.is_null() ? "" : " (data: " + e->data.dump(-1, ' ', false, Json::error_handler_t::replace) + ")";
    Note("mcp-inspect: " + what + " failed: JSON-RPC error " + std::to_string(e->code) + ": " + e->message + data);
    if (client_->era() == Era::kModern && e->code == rpc::kResourceNotFoundLegacy) {
      AddProblem(what, {Severity::kError, "", "error code -32002 is reserved and MUST NOT be sent in protocol "
                                              "2026-07-28 (a missing resource is -32602)"});
    }
    return kExitProtocolError;
  }
  const Status& s = r.status();
  switch (s.code()) {
    case StatusCode::kIoError:
    case StatusCode::kResourceExhausted:
      AddProblem(what, {Severity::kError, "", s.message()});
      return kExitSpecViolation;
    case StatusCode::kFailedPrecondition:
      Note("mcp-inspect: " + s.message());
      return connecting ? kExitConnection : kExitProtocolError;
    case StatusCode::kUnavailable:
      server_gone_ = true;
      Note("mcp-inspect: " + s.message());
      return kExitConnection;
    default:
      Note("mcp-inspect: " + s.message());
      return kExitConnection;
  }
}

Result<Connection*> Inspection::OpenConnection() {
  if (!inv_.url.empty()) {
    HttpConnectionOptions http;
    http.url = inv_.url;
    http.bearer_token = inv_.token;
    http.headers = inv_.headers;
    http.token_hint = inv_.token_source.empty()
                          ? "pass --token TOKEN or set WEFT_TOKEN (`weft token` prints a weft server's token)"
                          : inv_.token_source == "--token" ? "check the token given with --token"
                                                          : "check the token in $" + inv_.token_source;
    http.connect_timeout = std::min(inv_.timeout, kMaxConnectTimeout);
    http.read_timeout = std::max(kMinReadTimeout, inv_.timeout + kMaxConnectTimeout);
    Result<std::unique_ptr<HttpConnection>> opened = HttpConnection::Open(std::move(http));
    if (!opened.ok()) return opened.status();
    http_ = std::move(opened).value();
    return static_cast<Connection*>(http_.get());
  }
  SpawnOptions spawn;
  spawn.argv = inv_.server;
  spawn.env = inv_.env;
  spawn.cwd = inv_.cwd;
  if (!inv_.server_stderr.empty()) {
    spawn.stderr_mode = StderrMode::kFile;
    spawn.stderr_path = inv_.server_stderr;
  }
  Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Spawn(std::move(spawn));
  if (!child.ok()) return child.status().WithContext("cannot start the server");
  child_ = std::move(child).value();
  return &child_->connection();
}

int Inspection::Run() {
  Result<Connection*> opened = OpenConnection();
  if (!opened.ok()) {
    Note("mcp-inspect: " + opened.status().message());
    return kExitConnection;
  }
  Connection* connection = *opened;
  if (inv_.trace) {
    tracer_ = std::make_unique<TracingConnection>(*connection, [this](const std::string& l) { Note(l); });
    connection = tracer_.get();
  }
  ClientOptions options;
  options.client_info = {{"name", "mcp-inspect"}, {"title", "weft mcp-inspect"}, {"version", WEFT_VERSION}};
  options.era = inv_.era;
  options.timeout = inv_.timeout;
  options.probe_timeout = std::min(inv_.timeout, kMaxProbeTimeout);
  options.log_level = inv_.log_level;
  options.on_notification = [this](const std::string& m, const Json& p) { OnNotification(m, p); };
  options.on_result = [this](const ResultEvent& e) { OnResult(e); };
  client_ = std::make_unique<Client>(*connection, std::move(options));

  CallResult handshake = client_->Connect();
  int code = handshake.ok() ? RunCommand(handshake) : Failure(client_->handshake_method(), handshake, true);
  return Finish(code);
}

int Inspection::Finish(int code) {
  client_->Close();
  if (child_) {
    ExitStatus status = child_->Shutdown();
    if (server_gone_) {
      Note("mcp-inspect: the server exited (" + status.ToString() + ")");
    } else if (child_->shutdown_forced() && code != kExitConnection) {
      AddProblem("shutdown", {Severity::kWarning, "",
                              "the server did not exit after its stdin closed (" + status.ToString() +
                                  "); stdio servers SHOULD exit on EOF"});
    }
  }
  for (auto& w : client_->wire_problems()) AddProblem("wire", {Severity::kError, "", std::move(w)});
  std::lock_guard<std::mutex> lock(mu_);
  bool errors = false;
  // Identical problems (a server printing the same junk before every reply)
  // are shown once, with a count.
  std::vector<std::pair<std::string, int>> lines;
  for (const auto& [label, p] : problems_) {
    if (p.severity == Severity::kError) errors = true;
    else if (inv_.quiet) continue;
    std::string line = std::string(p.severity == Severity::kError ? "spec error: " : "spec warning: ") +
                       label + ": " + p.ToString();
    auto same = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == line; });
    if (same != lines.end()) ++same->second;
    else lines.emplace_back(std::move(line), 1);
  }
  for (const auto& [line, count] : lines) {
    err_ << line << (count > 1 ? " (" + std::to_string(count) + " times)" : "") << "\n";
  }
  err_.flush();
  return errors ? Worst(code, kExitSpecViolation) : code;
}

int Inspection::RunCommand(const CallResult& handshake) {
  switch (inv_.command) {
    case Command::kInfo: return Info(handshake);
    case Command::kDiscover: return Discover(handshake);
    case Command::kTools: return Simple("tools/list", client_->ListTools(Options(false)), FormatTools);
    case Command::kCall: return Call();
    case Command::kResources:
      return Simple("resources/list", client_->ListResources(Options(false)), FormatResources);
    case Command::kRead:
      return Simple("resources/read", client_->ReadResource(inv_.target, Options(true)), FormatResourceContents);
    case Command::kTemplates:
      return Simple("resources/templates/list", client_->ListResourceTemplates(Options(false)), FormatTemplates);
    case Command::kPrompts: return Simple("prompts/list", client_->ListPrompts(Options(false)), FormatPrompts);
    case Command::kPrompt:
      return Simple("prompts/get", client_->GetPrompt(inv_.target, inv_.arguments, Options(true)), FormatPrompt);
    case Command::kPing: return Ping();
  }
  return kExitUsage;
}

int Inspection::Simple(const std::string& what, const CallResult& r, std::string (*format)(const Json&)) {
  if (!r.ok()) return Failure(what, r, false);
  Print(*r, format(*r));
  return kExitOk;
}

HandshakeSummary SummaryOfDiscover(const Json& result) {
  HandshakeSummary s;
  s.era = "modern";
  s.protocol_version = std::string(kModernVersion);
  const Json meta = result.value("_meta", Json::object());
  if (meta.is_object()) s.server_info = meta.value(meta::kServerInfo, Json());
  s.capabilities = result.value("capabilities", Json());
  if (result.contains("instructions") && result["instructions"].is_string()) {
    s.instructions = result["instructions"].get<std::string>();
  }
  s.supported_versions = result.value("supportedVersions", Json());
  return s;
}

int Inspection::Info(const CallResult& handshake) {
  if (client_->era() == Era::kModern) {
    // Explicit modern has no handshake: server/discover is how to learn the facts.
    CallResult r = inv_.era == EraMode::kModern ? client_->Discover(Options(false)) : handshake;
    if (!r.ok()) return Failure("server/discover", r, false);
    HandshakeSummary s = SummaryOfDiscover(*r);
    Print(HandshakeJson(s, *r), FormatHandshake(s));
    return kExitOk;
  }
  HandshakeSummary s;
  s.era = "legacy";
  s.protocol_version = client_->protocol_version();
  s.server_info = client_->server_info();
  s.capabilities = client_->server_capabilities();
  s.instructions = client_->instructions();
  Print(HandshakeJson(s, *handshake), FormatHandshake(s));
  return kExitOk;
}

int Inspection::Discover(const CallResult& handshake) {
  CallResult r = inv_.era == EraMode::kModern ? client_->Discover(Options(false))
                 : client_->probe()           ? *client_->probe()
                                              : handshake;
  if (!r.ok()) return Failure("server/discover", r, false);
  Print(*r, FormatHandshake(SummaryOfDiscover(*r)));
  return kExitOk;
}

int Inspection::Call() {
  CallResult tools = client_->ListTools(Options(false));
  if (!tools.ok()) return Failure("tools/list", tools, false);
  Json tool;
  for (const auto& t : tools->value("tools", Json::array())) {
    if (t.is_object() && t.value("name", Json()) == inv_.target) tool = t;
  }
  if (tool.is_null()) {
    AddProblem("tools/call", {Severity::kWarning, "", "tool \"" + inv_.target +
                                                          "\" is not in tools/list; its result is not "
                                                          "checked against an outputSchema"});
  }
  CallResult r = client_->CallTool(inv_.target, inv_.arguments, Options(true));
  if (!r.ok()) return Failure("tools/call", r, false);
  for (auto& p : CheckToolResult(tool, *r)) AddProblem("tools/call", std::move(p));
  Print(*r, FormatToolResult(*r));
  if (r->contains("isError") && (*r)["isError"] == true) {
    if (!inv_.quiet) Note("mcp-inspect: the tool reported an error (isError: true)");
    return kExitToolError;
  }
  return kExitOk;
}

int Inspection::Ping() {
  if (client_->era() == Era::kModern) {
    Note("mcp-inspect: ping does not exist in protocol 2026-07-28, which this server speaks "
         "(use discover)");
    return kExitUsage;
  }
  auto start = std::chrono::steady_clock::now();
  CallResult r = client_->Ping(Options(false));
  if (!r.ok()) return Failure("ping", r, false);
  auto ms = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start).count();
  Print(*r, "pong (" + std::to_string(ms) + " ms)\n");
  return kExitOk;
}

}  // namespace

int Run(const Invocation& invocation, std::ostream& out, std::ostream& err) {
  Inspection inspection(invocation, out, err);
  return inspection.Run();
}

}  // namespace weft::mcp::inspect
