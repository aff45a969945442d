// GrantGate over a real workspace, weft.db and the engine: a revocation from
// another connection (as `weft grant revoke` in another process) refuses the
// very next call; expiry likewise; the audit log records allowed, denied and
// failed calls with their grant, tool, digest and outcome; tools that are no
// venom op pass a read-only grant only when annotated read-only; venom ops
// see the session's grant.
#include "mcp/bridge/grant_gate.h"

#include <atomic>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/grants/audit_log.h"
#include "core/grants/grant_store.h"
#include "core/store/store.h"
#include "mcp/bridge/workspace_surface.h"
#include "mcp/jsonrpc/message.h"
#include "mcp/server/server.h"
#include "mcp/transport/memory_connection.h"
#include "tests/support/temp_dir.h"

namespace weft::mcp {
namespace {

class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override { return std::chrono::steady_clock::now(); }
  int64_t WallMillis() const override { return millis_.load(); }
  void AdvanceSeconds(int64_t s) { millis_ += s * 1000; }

 private:
  std::atomic<int64_t> millis_{1'700'000'000'000};
};

class GrantGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.WriteFile("proj/src/a.c", "int a;\n");
    tmp_.WriteFile("proj/README.md", "# readme\n");
    ns::MountTable table;
    ASSERT_TRUE(table.Add("/", ns::Source{ns::Source::Kind::kHost, "", tmp_.Join("proj"), false}).ok());
    auto ws = ns::Workspace::Open("ws_test", "test", std::move(table), false);
    ASSERT_TRUE(ws.ok()) << ws.status();
    workspaces_.Add(std::move(ws).value());
    surface_ = std::make_unique<WorkspaceSurface>(workspaces_);
    ASSERT_TRUE(surface_->Register(tools_, resources_, prompts_).ok());
    // A tool that is no venom op, not annotated read-only.
    ASSERT_TRUE(tools_.Add({"plain", "Plain", "A tool of no venom.", "workspace/list.input.json", "", {}, nullptr,
                            [](RequestContext&, const Json&) -> Result<Json> {
                              return Json{{"content", Json::array()}};
                            }})
                    .ok());
    auto store = store::Store::Open(tmp_.Join("weft.db"), clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    grants_ = std::make_unique<grants::GrantStore>(*store_);
    audit_ = std::make_unique<grants::AuditLog>(*store_);
    server_ = std::make_unique<Server>(ServerOptions{}, tools_, resources_, prompts_);
  }
  void TearDown() override {
    if (client_ != nullptr) client_->Close();
    if (thread_.joinable()) thread_.join();
  }

  // Serves one session under a root grant made from `policy`.
  grants::Grant Serve(const grants::GrantRequest& policy) {
    auto issued = grants_->IssueRoot("test", policy);
    EXPECT_TRUE(issued.ok()) << issued.status();
    GrantServices services{grants_.get(), audit_.get(), &surface_->venoms(), &workspaces_};
    auto gate = std::make_shared<GrantGate>(services, issued->grant, "test session");
    auto [c, s] = MemoryConnection::Pair();
    client_ = std::move(c);
    server_end_ = std::move(s);
    thread_ = std::thread([this, gate] { server_->Serve(*server_end_, gate); });
    Json init = Request(0, "initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                          {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
    EXPECT_TRUE(init.contains("result")) << init;
    return issued->grant;
  }
  Json Request(int id, const std::string& method, Json params) {
    EXPECT_TRUE(client_
                    ->Write(SerializeJson(
                        {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}))
                    .ok());
    for (;;) {
      auto f = client_->ReadFor(std::chrono::seconds(10));
      if (!f) return Json();
      Json m = Json::parse(*f);
      if (m.contains("id") && m["id"] == id && !m.contains("method")) return m;
    }
  }
  Json Call(int id, const std::string& name, Json args) {
    return Request(id, "tools/call", {{"name", name}, {"arguments", std::move(args)}});
  }
  static bool Succeeded(const Json& reply) {
    return reply.is_object() && reply.contains("result") && !reply["result"].value("isError", false);
  }
  static std::string Code(const Json& reply) {
    const Json& meta = reply["result"].value("_meta", Json::object());
    return meta.contains("weft/denial") ? meta["weft/denial"]["code"].get<std::string>() : "";
  }

  weft::testing::ScopedTempDir tmp_;
  FakeClock clock_;
  ns::Workspaces workspaces_;
  ToolRegistry tools_;
  ResourceRegistry resources_;
  PromptRegistry prompts_;
  std::unique_ptr<WorkspaceSurface> surface_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<grants::GrantStore> grants_;
  std::unique_ptr<grants::AuditLog> audit_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<MemoryConnection> client_, server_end_;
  std::thread thread_;
};

TEST_F(GrantGateTest, ARevocationFromAnotherConnectionRefusesTheVeryNextCall) {
  grants::Grant grant = Serve({});
  EXPECT_TRUE(Succeeded(Call(1, "fs_read", {{"path", "/src/a.c"}})));
  {
    auto other = store::Store::Open(tmp_.Join("weft.db"), clock_);
    ASSERT_TRUE(other.ok());
    grants::GrantStore theirs(**other);
    ASSERT_TRUE(theirs.Revoke(grant.id).ok());
  }
  Json refused = Call(2, "fs_read", {{"path", "/src/a.c"}});
  EXPECT_EQ(Code(refused), "revoked");
  EXPECT_EQ(refused["result"]["isError"], true);
  Json read = Request(3, "resources/read", {{"uri", "weft://test/src/a.c"}});
  EXPECT_EQ(read["error"]["data"]["code"], "revoked");
}

TEST_F(GrantGateTest, AnExpiredGrantIsRefused) {
  grants::GrantRequest policy;
  policy.expires_in = 60;
  Serve(policy);
  EXPECT_TRUE(Succeeded(Call(1, "fs_read", {{"path", "/src/a.c"}})));
  clock_.AdvanceSeconds(60);
  EXPECT_EQ(Code(Call(2, "fs_read", {{"path", "/src/a.c"}})), "expired");
}

TEST_F(GrantGateTest, TheAuditLogRecordsAllowedDeniedAndFailedCalls) {
  grants::GrantRequest policy;
  policy.read_paths = {"/src"};
  grants::Grant grant = Serve(policy);
  Call(1, "fs_read", {{"path", "/src/a.c"}});      // allowed, ok
  Call(2, "fs_read", {{"path", "/README.md"}});    // denied: path
  Call(3, "fs_read", {{"path", "/src/none.c"}});   // allowed, fails
  Call(4, "fs_read", {{"path", 5}});               // schema-invalid
  Call(5, "nope", Json::object());                 // unknown tool
  client_->Close();
  thread_.join();
  ASSERT_TRUE(audit_->Flush().ok());
  auto rows = grants::ReadAudit(*store_, {});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 5u);
  std::map<std::string, grants::AuditEntry> by_digest;
  for (const grants::AuditEntry& e : *rows) {
    EXPECT_EQ(e.grant_id, grant.id);
    EXPECT_EQ(e.subject, "test session");
    // When the call arrived, by the wall clock.
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_LT(std::abs(now_ms - e.at_ms), 3'600'000);
    by_digest[e.args_sha256] = e;
  }
  const grants::AuditEntry& ok = by_digest[grants::ArgumentsDigest({{"path", "/src/a.c"}})];
  EXPECT_EQ(ok.tool, "fs_read");
  EXPECT_FALSE(ok.denial.has_value());
  EXPECT_EQ(ok.outcome, grants::Outcome::kOk);
  const grants::AuditEntry& denied = by_digest[grants::ArgumentsDigest({{"path", "/README.md"}})];
  EXPECT_EQ(denied.denial, grants::Denial::kPermissionDenied);
  EXPECT_NE(denied.reason.find("/README.md"), std::string::npos);
  EXPECT_EQ(denied.outcome, grants::Outcome::kToolError);
  const grants::AuditEntry& failed = by_digest[grants::ArgumentsDigest({{"path", "/src/none.c"}})];
  EXPECT_FALSE(failed.denial.has_value());
  EXPECT_EQ(failed.outcome, grants::Outcome::kToolError);
  const grants::AuditEntry& invalid = by_digest[grants::ArgumentsDigest({{"path", 5}})];
  EXPECT_EQ(invalid.outcome, grants::Outcome::kToolError);
  const grants::AuditEntry& unknown = by_digest[grants::ArgumentsDigest(Json::object())];
  EXPECT_EQ(unknown.tool, "nope");
  EXPECT_EQ(unknown.outcome, grants::Outcome::kProtocolError);
  EXPECT_EQ(unknown.error_code, -32602);
  // The two calls that ran were counted on the grant (no budget: counted by the log).
  EXPECT_EQ(grants_->Get(grant.id)->calls, 2);
}

TEST_F(GrantGateTest, ToolsOfNoVenomPassAReadOnlyGrantOnlyWhenAnnotatedReadOnly) {
  grants::GrantRequest policy;
  policy.read_only = true;
  Serve(policy);
  Json list = Request(1, "tools/list", Json::object());
  std::set<std::string> names;
  for (const Json& t : list["result"]["tools"]) names.insert(t["name"]);
  EXPECT_FALSE(names.count("plain"));
  EXPECT_FALSE(names.count("fs_write"));
  EXPECT_TRUE(names.count("fs_read"));
  EXPECT_EQ(Code(Call(2, "plain", Json::object())), "permission_denied");
}

TEST_F(GrantGateTest, CallBudgetsAreChargedForCallsThatRun) {
  grants::GrantRequest policy;
  policy.max_calls = 1;
  grants::Grant grant = Serve(policy);
  Json invalid = Call(1, "fs_read", {{"path", 5}});  // schema-invalid: not charged
  EXPECT_EQ(invalid["result"]["isError"], true);
  EXPECT_EQ(Code(invalid), "");
  EXPECT_TRUE(Succeeded(Call(2, "fs_read", {{"path", "/src/a.c"}})));
  EXPECT_EQ(Code(Call(3, "fs_read", {{"path", "/src/a.c"}})), "budget_exceeded");
  EXPECT_EQ(grants_->Get(grant.id)->calls, 1);
}

}  // namespace
}  // namespace weft::mcp
