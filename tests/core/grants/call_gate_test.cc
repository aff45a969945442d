// GrantCallGate: a mount's call files under a grant — the op's right and
// declared paths checked, budgets charged, refusals and outcomes audited.
#include "core/grants/call_gate.h"

#include <gtest/gtest.h>

#include "core/store/store.h"
#include "core/venoms/builtin.h"
#include "core/weftdir/call_session.h"
#include "tests/support/temp_dir.h"

namespace weft::grants {
namespace {

class CallGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.WriteFile("proj/src/a.c", "int a;\n");
    tmp_.WriteFile("proj/README.md", "# readme\n");
    ns::MountTable table;
    ASSERT_TRUE(table.Add("/", ns::Source{ns::Source::Kind::kHost, "", tmp_.Join("proj"), false}).ok());
    auto ws = ns::Workspace::Open("ws_test", "test", std::move(table), false);
    ASSERT_TRUE(ws.ok()) << ws.status();
    workspaces_.Add(std::move(ws).value());
    venoms::RegisterBuiltinVenoms(registry_, workspaces_);
    store_ = std::move(store::Store::Open(tmp_.Join("weft.db"))).value();
    grants_ = std::make_shared<GrantStore>(*store_);
    audit_ = std::make_shared<AuditLog>(*store_);
  }
  std::shared_ptr<GrantCallGate> Gate(const GrantRequest& policy) {
    auto issued = grants_->IssueRoot("mount test", policy);
    EXPECT_TRUE(issued.ok()) << issued.status();
    return std::make_shared<GrantCallGate>(grants_, audit_, workspaces_, issued->grant, "mount /mnt/test");
  }
  Json Call(const std::shared_ptr<GrantCallGate>& gate, const char* tool, const Json& args) {
    weftdir::CallOptions options;
    options.gate = gate;
    auto session = weftdir::NewOpCallSession(registry_, *registry_.FindByName(tool), options);
    Result<std::string> response = weftdir::RunCall(*session, args.dump());
    EXPECT_TRUE(response.ok()) << response.status();
    return Json::parse(*response, nullptr, false);
  }

  weft::testing::ScopedTempDir tmp_;
  ns::Workspaces workspaces_;
  venoms::Registry registry_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<GrantStore> grants_;
  std::shared_ptr<AuditLog> audit_;
};

TEST_F(CallGateTest, ChecksRightsAndPathsAndAuditsEveryCall) {
  GrantRequest policy;
  policy.read_only = true;
  policy.read_paths = {"/src"};
  auto gate = Gate(policy);
  Json ok = Call(gate, "fs_read", {{"path", "/src/a.c"}});
  EXPECT_EQ(ok["text"], "int a;\n") << ok;
  Json outside = Call(gate, "fs_read", {{"path", "/README.md"}});
  EXPECT_EQ(outside["error"]["status"], "permission_denied");
  EXPECT_EQ(outside["error"]["message"].get<std::string>().rfind("permission_denied: fs_read needs to read", 0), 0u)
      << outside;
  Json write = Call(gate, "fs_write", {{"path", "/src/b.c"}, {"content", "x"}});
  EXPECT_NE(write["error"]["message"].get<std::string>().find("read-only"), std::string::npos) << write;
  Json invalid = Call(gate, "fs_read", {{"path", 5}});
  EXPECT_EQ(invalid["error"]["status"], "invalid_argument") << invalid;
  ASSERT_TRUE(audit_->Flush().ok());
  auto rows = ReadAudit(*store_, {});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0].subject, "mount /mnt/test");
  EXPECT_EQ((*rows)[0].outcome, Outcome::kOk);
  EXPECT_EQ((*rows)[1].denial, Denial::kPermissionDenied);
  EXPECT_EQ((*rows)[2].denial, Denial::kPermissionDenied);
  EXPECT_FALSE((*rows)[3].denial.has_value());
  EXPECT_EQ((*rows)[3].outcome, Outcome::kToolError);
}

TEST_F(CallGateTest, RevocationAndBudgetsApplyToCallFiles) {
  GrantRequest policy;
  policy.max_calls = 1;
  auto gate = Gate(policy);
  EXPECT_EQ(Call(gate, "fs_read", {{"path", "/src/a.c"}})["text"], "int a;\n");
  Json over = Call(gate, "fs_read", {{"path", "/src/a.c"}});
  EXPECT_EQ(over["error"]["status"], "resource_exhausted");
  EXPECT_EQ(over["error"]["message"].get<std::string>().rfind("budget_exceeded: ", 0), 0u) << over;
  ASSERT_TRUE(grants_->Revoke(gate->grant()->id).ok());
  Json revoked = Call(gate, "fs_read", {{"path", "/src/a.c"}});
  EXPECT_EQ(revoked["error"]["message"].get<std::string>().rfind("revoked: ", 0), 0u) << revoked;
}

}  // namespace
}  // namespace weft::grants
