// Integration tests: grants end to end with the real binary (docs/grants.md)
// — every denial code over stdio and over HTTP, a revocation refusing the
// very next call of a live HTTP session, `weft grant` and `weft audit`, a
// mount under a read-only grant, and hostile policy input.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <httplib.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

std::string Weft() { return BinaryDir() + "/bin/weft"; }

// The denial code of a tools/call reply ("" when it was not refused).
std::string DenialCode(const Json& reply) {
  const Json& result = reply.value("result", Json::object());
  const Json& meta = result.value("_meta", Json::object());
  return meta.contains("weft/denial") ? meta["weft/denial"]["code"].get<std::string>() : "";
}

// A tools/call reply that is a result and no error.
bool Succeeded(const Json& reply) {
  return reply.is_object() && reply.contains("result") && !reply["result"].value("isError", false);
}

// `weft serve --stdio` on a workspace, spoken to line by line.
class StdioSession {
 public:
  StdioSession(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {Weft(), "serve", "--stdio", "--log-level", "warning"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    p_ = std::make_unique<Subprocess>(argv);
    Json init = Request("initialize", {{"protocolVersion", "2025-11-25"},
                                       {"capabilities", Json::object()},
                                       {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
    EXPECT_TRUE(init.contains("result")) << init << p_->DrainStderr();
    p_->Write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n");
  }
  Json Request(const std::string& method, Json params) {
    int id = ++next_id_;
    Json msg = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
    if (!p_->Write(msg.dump() + "\n")) return Json();
    for (;;) {
      std::optional<std::string> line = p_->ReadLine(15s);
      if (!line) return Json();
      Json m = Json::parse(*line, nullptr, false);
      if (m.is_object() && m.contains("id") && m["id"] == id) return m;
    }
  }
  Json Call(const std::string& tool, Json args) { return Request("tools/call", {{"name", tool}, {"arguments", args}}); }
  Subprocess& p() { return *p_; }

 private:
  std::unique_ptr<Subprocess> p_;
  int next_id_ = 0;
};

// `weft serve --http 127.0.0.1:0` and a client that presents a bearer token.
class HttpServe {
 public:
  explicit HttpServe(std::vector<std::string> extra) {
    std::vector<std::string> argv = {Weft(), "serve", "--http", "127.0.0.1:0", "--log-level", "info"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    p_ = std::make_unique<Subprocess>(argv);
    std::string err;
    for (int i = 0; i < 1000 && port_ == 0; ++i) {
      err += p_->DrainStderr();
      std::smatch m;
      if (std::regex_search(err, m, std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)/mcp"))) {
        port_ = std::stoi(m[1]);
      } else {
        std::this_thread::sleep_for(10ms);
      }
    }
    EXPECT_NE(port_, 0) << err;
  }
  // POSTs one message; the HTTP status and the JSON-RPC reply (from a JSON
  // body or the SSE stream's data line).
  std::pair<int, Json> Post(const Json& msg, const std::string& token, httplib::Headers extra = {}) {
    httplib::Client cli("127.0.0.1", port_);
    cli.set_read_timeout(15, 0);
    httplib::Headers h = {{"Accept", "application/json, text/event-stream"}, {"Authorization", "Bearer " + token}};
    h.insert(extra.begin(), extra.end());
    auto res = cli.Post("/mcp", h, msg.dump(), "application/json");
    if (!res) return {0, Json()};
    std::string body = res->body;
    size_t data = body.rfind("data: ");
    if (data != std::string::npos) body = body.substr(data + 6, body.find('\n', data) - data - 6);
    if (res->has_header("Mcp-Session-Id")) session_ = res->get_header_value("Mcp-Session-Id");
    return {res->status, Json::parse(body, nullptr, false)};
  }
  // A 2026-07-28 tools/call (one request, no session).
  std::pair<int, Json> ModernCall(int id, const std::string& tool, Json args, const std::string& token) {
    Json meta = {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                 {"io.modelcontextprotocol/clientCapabilities", Json::object()}};
    Json msg = {{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"},
                {"params", {{"name", tool}, {"arguments", args}, {"_meta", meta}}}};
    return Post(msg, token, {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/call"},
                             {"Mcp-Name", tool}});
  }
  // A legacy session opened with `token`.
  void Initialize(const std::string& token) {
    auto [status, reply] = Post({{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                                 {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                             {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}},
                                token);
    EXPECT_EQ(status, 200) << reply;
    Post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, token, SessionHeaders());
  }
  Json SessionCall(int id, const std::string& tool, Json args, const std::string& token) {
    return Post({{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"},
                 {"params", {{"name", tool}, {"arguments", args}}}},
                token, SessionHeaders())
        .second;
  }

 private:
  httplib::Headers SessionHeaders() const {
    return {{"Mcp-Session-Id", session_}, {"MCP-Protocol-Version", "2025-11-25"}};
  }
  std::unique_ptr<Subprocess> p_;
  int port_ = 0;
  std::string session_;
};

class GrantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.WriteFile("proj/src/a.c", "int a;\n");
    tmp_.WriteFile("proj/README.md", "# readme\n");
  }
  std::vector<std::string> Serving(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {"--workspace", tmp_.Join("proj"), "--state", state_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
  RunResult WeftCli(std::vector<std::string> args) {
    args.insert(args.begin(), Weft());
    args.insert(args.end(), {"--state", state_});
    return ::weft::testing::Run(args);
  }
  // `weft grant create … --json`: {token, grant}.
  Json Create(std::vector<std::string> options) {
    options.insert(options.begin(), {"grant", "create", "--json"});
    RunResult r = WeftCli(options);
    EXPECT_EQ(r.exit_code(), 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  }
  // The live grant of the process `pid` started from the command line.
  std::string GrantOfProcess(pid_t pid) {
    RunResult r = WeftCli({"grant", "list", "--json"});
    for (const Json& g : Json::parse(r.out, nullptr, false)) {
      if (g["subject"].get<std::string>().find("(pid " + std::to_string(pid) + ")") != std::string::npos) {
        return g["id"];
      }
    }
    return "";
  }
  std::string WriteFile(const std::string& rel, const std::string& content) {
    tmp_.WriteFile(rel, content);
    return tmp_.Join(rel);
  }

  ScopedTempDir tmp_;
  std::string state_ = tmp_.Join("state");
};

TEST_F(GrantsTest, EveryDenialCodeOverStdio) {
  std::string policy = WriteFile("policy.json", R"({"write_paths": ["/src"], "max_calls": 3})");
  StdioSession s(Serving({"--policy", policy}));
  EXPECT_EQ(DenialCode(s.Call("fs_write", {{"path", "/README.md"}, {"content", "x"}})), "permission_denied");
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Succeeded(s.Call("fs_read", {{"path", "/src/a.c"}}))) << i;
  Json over = s.Call("fs_read", {{"path", "/src/a.c"}});
  EXPECT_EQ(DenialCode(over), "budget_exceeded");
  EXPECT_EQ(over["result"]["isError"], true);

  std::string id = GrantOfProcess(s.p().pid());
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(WeftCli({"grant", "revoke", id}).exit_code(), 0);
  Json revoked = s.Call("fs_read", {{"path", "/src/a.c"}});
  EXPECT_EQ(DenialCode(revoked), "revoked");
  EXPECT_NE(revoked["result"]["content"][0]["text"].get<std::string>().find("revoked: "), std::string::npos);

  std::string soon = WriteFile("soon.json", R"({"expires_in": 1})");
  StdioSession later(Serving({"--policy", soon}));
  EXPECT_TRUE(Succeeded(later.Call("fs_read", {{"path", "/src/a.c"}})));
  std::this_thread::sleep_for(1100ms);  // past the expiry: a second goes by
  EXPECT_EQ(DenialCode(later.Call("fs_read", {{"path", "/src/a.c"}})), "expired");
}

TEST_F(GrantsTest, ReadOnlyAllowAndDenyFlagsNarrowStdioSessions) {
  StdioSession s(Serving({"--allow", "fs_*", "--deny", "fs_remove"}));
  Json list = s.Request("tools/list", Json::object());
  std::set<std::string> names;
  for (const Json& t : list["result"]["tools"]) names.insert(t["name"]);
  EXPECT_TRUE(names.count("fs_read"));
  EXPECT_FALSE(names.count("fs_remove"));
  EXPECT_FALSE(names.count("git_status"));
  EXPECT_EQ(DenialCode(s.Call("git_status", Json::object())), "permission_denied");

  StdioSession ro(Serving({"--read-only"}));
  Json write = ro.Call("fs_write", {{"path", "/src/b.c"}, {"content", "x"}});
  EXPECT_EQ(DenialCode(write), "permission_denied");
  EXPECT_NE(write.dump().find("read-only"), std::string::npos) << write;
}

TEST_F(GrantsTest, GrantTokensOverHttpIncludingARevocationMidSession) {
  Json reader = Create({"--read-only", "--subject", "reader"});
  Json one_call = Create({"--max-calls", "1"});
  Json brief = Create({"--expires-in", "1s"});
  HttpServe serve(Serving());
  auto [unknown_status, unknown] = serve.ModernCall(1, "fs_read", {{"path", "/src/a.c"}}, "wg_" + std::string(64, 'f'));
  EXPECT_EQ(unknown_status, 401) << unknown;

  std::string token = reader["token"];
  serve.Initialize(token);
  EXPECT_TRUE(Succeeded(serve.SessionCall(1, "fs_read", {{"path", "/src/a.c"}}, token)));
  EXPECT_EQ(DenialCode(serve.SessionCall(2, "fs_write", {{"path", "/src/b.c"}, {"content", "x"}}, token)),
            "permission_denied");
  ASSERT_EQ(WeftCli({"grant", "revoke", reader["grant"]["id"]}).exit_code(), 0);
  // The very next call of the same live session.
  EXPECT_EQ(DenialCode(serve.SessionCall(3, "fs_read", {{"path", "/src/a.c"}}, token)), "revoked");

  EXPECT_TRUE(Succeeded(serve.ModernCall(4, "fs_read", {{"path", "/src/a.c"}}, one_call["token"]).second));
  EXPECT_EQ(DenialCode(serve.ModernCall(5, "fs_read", {{"path", "/src/a.c"}}, one_call["token"]).second),
            "budget_exceeded");
  std::this_thread::sleep_for(1100ms);  // past the expiry: a second goes by
  EXPECT_EQ(DenialCode(serve.ModernCall(6, "fs_read", {{"path", "/src/a.c"}}, brief["token"]).second), "expired");
}

TEST_F(GrantsTest, GrantCommandCreatesDerivesListsShowsAndRevokes) {
  Json root = Create({"--allow", "fs_*", "--read", "/src", "--subject", "ci"});
  ASSERT_TRUE(root.contains("token")) << root;
  std::string root_id = root["grant"]["id"];
  EXPECT_EQ(root["grant"]["tools"], Json::array({"fs_*"}));
  RunResult wider = WeftCli({"grant", "derive", root_id, "--allow", "git_*"});
  EXPECT_EQ(wider.exit_code(), 2);
  EXPECT_NE(wider.err.find("tool glob 'git_*' is not within"), std::string::npos) << wider.err;
  RunResult child = WeftCli({"grant", "derive", root_id, "--read", "/src/lib", "--max-calls", "5", "--json"});
  ASSERT_EQ(child.exit_code(), 0) << child.err;
  Json child_json = Json::parse(child.out);
  std::string child_id = child_json["grant"]["id"];
  EXPECT_EQ(child_json["grant"]["parent_id"], root_id);
  EXPECT_EQ(child_json["grant"]["read_paths"], Json::array({"/src/lib"}));

  RunResult shown = WeftCli({"grant", "show", child_id});
  EXPECT_EQ(shown.exit_code(), 0);
  EXPECT_NE(shown.out.find("calls        0/5"), std::string::npos) << shown.out;
  RunResult list = WeftCli({"grant", "list"});
  EXPECT_NE(list.out.find(root_id), std::string::npos);
  EXPECT_NE(list.out.find(child_id), std::string::npos);

  ASSERT_EQ(WeftCli({"grant", "revoke", root_id}).exit_code(), 0);
  list = WeftCli({"grant", "list"});
  EXPECT_EQ(list.out.find(child_id), std::string::npos) << list.out;
  RunResult all = WeftCli({"grant", "list", "--all", "--json"});
  for (const Json& g : Json::parse(all.out)) EXPECT_FALSE(g["revoked_at"].is_null()) << g;
  EXPECT_EQ(WeftCli({"grant", "revoke", "gr_0000000000000000"}).exit_code(), 1);
  EXPECT_EQ(WeftCli({"grant", "frob"}).exit_code(), 2);
}

TEST_F(GrantsTest, HostilePolicyInputGetsClearErrors) {
  struct Case {
    std::string file;
    std::string says;
  };
  std::string huge(2 << 20, ' ');
  huge[0] = '{';
  huge.back() = '}';
  std::vector<Case> cases = {
      {tmp_.Join("missing.json"), "missing.json"},
      {WriteFile("text.json", "tools: everything"), "is not JSON"},
      {WriteFile("huge.json", huge), "at most 1048576"},
      {WriteFile("glob.json", R"({"tools": ["fs_[a]"]})"), "'['"},
      {WriteFile("dotdot.json", R"({"read_paths": ["/a/../etc"]})"), "'..'"},
      {WriteFile("type.json", R"({"max_calls": "lots"})"), "/max_calls"},
      {WriteFile("deep.json", std::string(100, '[') + std::string(100, ']')), "deeper than 64"},
  };
  for (const Case& c : cases) {
    RunResult serve = ::weft::testing::Run({Weft(), "serve", "--stdio", "--workspace", tmp_.Join("proj"), "--state", state_,
                           "--policy", c.file});
    EXPECT_NE(serve.exit_code(), 0) << c.file;
    EXPECT_NE(serve.err.find(c.says), std::string::npos) << c.file << ": " << serve.err;
    RunResult create = WeftCli({"grant", "create", "--policy", c.file});
    EXPECT_NE(create.exit_code(), 0) << c.file;
    EXPECT_NE(create.err.find(c.says), std::string::npos) << c.file << ": " << create.err;
  }
  RunResult bad_flag = ::weft::testing::Run({Weft(), "serve", "--stdio", "--workspace", tmp_.Join("proj"), "--state", state_,
                            "--allow", "git status"});
  EXPECT_EQ(bad_flag.exit_code(), 2);
  EXPECT_NE(bad_flag.err.find("holds ' '"), std::string::npos) << bad_flag.err;
  RunResult bad_duration = WeftCli({"grant", "create", "--expires-in", "soon"});
  EXPECT_EQ(bad_duration.exit_code(), 2);
  EXPECT_NE(bad_duration.err.find("is not a duration"), std::string::npos) << bad_duration.err;
}

TEST_F(GrantsTest, AuditCommandShowsEveryCallAndFollowsNewOnes) {
  {
    StdioSession s(Serving({"--allow", "fs_read"}));
    s.Call("fs_read", {{"path", "/src/a.c"}});
    s.Call("fs_write", {{"path", "/src/b.c"}, {"content", "x"}});
    s.Call("fs_read", {{"path", "/src/none.c"}});
    s.p().CloseStdin();
    ASSERT_TRUE(s.p().Wait(10s).has_value());
  }
  RunResult audit = WeftCli({"audit", "--json"});
  ASSERT_EQ(audit.exit_code(), 0) << audit.err;
  std::vector<Json> rows;
  std::istringstream lines(audit.out);
  for (std::string line; std::getline(lines, line);) rows.push_back(Json::parse(line));
  ASSERT_EQ(rows.size(), 3u) << audit.out;
  EXPECT_EQ(rows[0]["tool"], "fs_read");
  EXPECT_EQ(rows[0]["decision"], "allowed");
  EXPECT_EQ(rows[0]["outcome"], "ok");
  EXPECT_EQ(rows[1]["tool"], "fs_write");
  EXPECT_EQ(rows[1]["decision"], "denied");
  EXPECT_EQ(rows[1]["code"], "permission_denied");
  EXPECT_EQ(rows[2]["outcome"], "tool_error");
  EXPECT_EQ(rows[0]["args_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(audit.out.find("/src/a.c"), std::string::npos) << "arguments must not be kept";
  RunResult text = WeftCli({"audit", "--last", "1"});
  EXPECT_NE(text.out.find("fs_read  allowed  tool_error"), std::string::npos) << text.out;
  EXPECT_EQ(WeftCli({"audit", "--grant", "gr_0000000000000000"}).out, "");

  Subprocess follow({Weft(), "audit", "--follow", "--json", "--last", "0", "--state", state_});
  std::this_thread::sleep_for(300ms);  // let it start after the rows that exist
  StdioSession s(Serving());
  s.Call("fs_stat", {{"path", "/src"}});
  std::optional<std::string> line = follow.ReadLine(15s);
  ASSERT_TRUE(line.has_value()) << follow.DrainStderr();
  EXPECT_EQ(Json::parse(*line)["tool"], "fs_stat");
}

TEST_F(GrantsTest, AMountUnderAReadOnlyGrantIsReadOnlyAndChecksItsCallFiles) {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no usable /dev/fuse on this host";
  if (::geteuid() != 0 && ::access("/usr/bin/fusermount3", X_OK) != 0) GTEST_SKIP() << "not root, no fusermount3";
  std::string mnt = tmp_.Join("mnt");
  ASSERT_EQ(::mkdir(mnt.c_str(), 0755), 0);
  Json reader = Create({"--read-only"});
  Subprocess mount({Weft(), "mount", mnt, "--workspace", tmp_.Join("proj"), "--state", state_, "--token-env",
                    "--foreground"},
                   {"WEFT_TOKEN=" + reader["token"].get<std::string>()});
  bool up = false;
  for (int i = 0; i < 1500 && !up; ++i) {
    up = ::access((mnt + "/src/a.c").c_str(), F_OK) == 0;
    if (!up) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(up) << mount.DrainStderr();
  EXPECT_EQ(std::ofstream(mnt + "/new.txt").is_open(), false);  // EROFS
  // A call file runs under the mount's grant: reads pass, writes are refused.
  auto call = [&](const std::string& op, const std::string& request) {
    int fd = ::open((mnt + "/.weft/venoms/fs/" + op).c_str(), O_RDWR);
    if (fd < 0) return std::string("cannot open the call file");
    std::string answer;
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) answer.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return answer;
  };
  EXPECT_NE(call("read", R"({"path": "/src/a.c"})").find("int a;"), std::string::npos);
  std::string refused = call("write", R"({"path": "/src/b.c", "content": "x"})");
  EXPECT_NE(refused.find("permission_denied"), std::string::npos) << refused;
  RunResult umount = ::weft::testing::Run({Weft(), "umount", mnt});
  EXPECT_EQ(umount.exit_code(), 0) << umount.err;
  ASSERT_TRUE(mount.Wait(30s).has_value());
  RunResult audit = WeftCli({"audit", "--json"});
  EXPECT_NE(audit.out.find("\"subject\":\"mount " + mnt + "\""), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("\"code\":\"permission_denied\""), std::string::npos) << audit.out;

  // A grant that may not read the whole workspace cannot mount at all.
  Json narrow = Create({"--read", "/src"});
  // Without WEFT_TOKEN in its environment, --token-env is refused first.
  RunResult refused_mount = ::weft::testing::Run({Weft(), "mount", mnt, "--workspace", tmp_.Join("proj"), "--state", state_,
                                 "--token-env", "--foreground"},
                                "", 30s);
  EXPECT_NE(refused_mount.err.find("WEFT_TOKEN is not set"), std::string::npos) << refused_mount.err;
  Subprocess narrow_mount({Weft(), "mount", mnt, "--workspace", tmp_.Join("proj"), "--state", state_, "--token-env",
                           "--foreground"},
                          {"WEFT_TOKEN=" + narrow["token"].get<std::string>()});
  std::optional<int> status = narrow_mount.Wait(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_NE(*status, 0);
  EXPECT_NE(narrow_mount.DrainStderr().find("may not read all of it"), std::string::npos);
}

TEST_F(GrantsTest, WorkspaceMountUnderAGrantThatCannotWriteEverythingIsReadOnly) {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no usable /dev/fuse on this host";
  if (::geteuid() != 0 && ::access("/usr/bin/fusermount3", X_OK) != 0) GTEST_SKIP() << "not root, no fusermount3";
  std::string mnt = tmp_.Join("mnt");
  ASSERT_EQ(::mkdir(mnt.c_str(), 0755), 0);
  std::string policy = WriteFile("policy.json", R"({"write_paths": ["/src"]})");
  StdioSession s(Serving({"--policy", policy}));
  Json mounted = s.Call("workspace_mount", {{"dir", mnt}});
  ASSERT_TRUE(Succeeded(mounted)) << mounted;
  EXPECT_EQ(mounted["result"]["structuredContent"]["read_only"], true);
  EXPECT_FALSE(std::ofstream(mnt + "/src/new.c").is_open());  // EROFS, though the grant writes /src
  int fd = ::open((mnt + "/.weft/venoms/fs/write").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  std::string request = R"({"path": "/src/b.c", "content": "x"})";
  ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  ASSERT_GT(n, 0);
  // The mount's grant is derived read-only from the session's.
  EXPECT_NE(std::string(buf, static_cast<size_t>(n)).find("read-only"), std::string::npos);
  EXPECT_TRUE(Succeeded(s.Call("workspace_unmount", {{"dir", mnt}})));
}

}  // namespace
}  // namespace weft::testing
