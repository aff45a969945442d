// The agent venom end to end: agents started through the registry run under
// real runners (the weft binary's `__agent-run`), recorded in a real weft.db.
#include "core/venoms/agent/agent_venom.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sys/socket.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/agents/host_probe.h"
#include "core/base/unix_socket.h"
#include "core/grants/grant_store.h"
#include "core/store/store.h"
#include "core/venoms/agent/agent_runner.h"
#include "tests/core/venoms/venom_fixture.h"

namespace weft::venoms {
namespace {

class AgentVenomTest : public VenomTest {
 protected:
  AgentVenomTest() : VenomTest("agent") {}

  void SetUp() override {
    weft_ = weft::testing::BinaryDir() + "/bin/weft";
    ASSERT_EQ(::access(weft_.c_str(), X_OK), 0) << weft_ << " is not built";
    ws_dir_ = tmp_.Join("ws");
    tmp_.WriteFile("ws/hello.txt", "hi\n");
    auto db = store::Store::Open(tmp_.Join("state/weft.db"));
    ASSERT_TRUE(db.ok()) << db.status();
    store_ = std::move(db).value();
    // Recorded, as a server records what it serves: an agent's runner opens
    // its workspace from the record for the agent's callback sessions.
    Result<store::WorkspaceRecord> recorded = store_->EnsureWorkspace(ws_dir_, {});
    ASSERT_TRUE(recorded.ok()) << recorded.status();
    MakeWorkspace({{"/", ws_dir_}}, false, recorded->id);
    host_ = std::make_unique<agent::AgentHost>(*store_, tmp_.Join("state"), weft_, /*own_agents=*/true);
    RegisterAgentVenom(*registry_, *workspaces_, host_.get());
  }

  void TearDown() override {
    registry_.reset();
    host_.reset();  // stops what is still running
  }

  Json Spawn(Json args) {
    Json data = Data("spawn", args);
    return data.value("agent", Json::object());
  }
  Json WaitFor(const std::string& id, int timeout_ms = 20000) {
    Json data = Data("wait", {{"id", id}, {"timeout_ms", timeout_ms}});
    EXPECT_TRUE(data.value("ended", false)) << data.dump();
    return data.value("agent", Json::object());
  }
  std::string Logs(const std::string& id, const std::string& stream = "stdout") {
    return Data("logs", {{"id", id}, {"stream", stream}, {"max_bytes", 1048576}}).value("text", "");
  }

  testing::ScopedTempDir tmp_;
  std::string weft_, ws_dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<agent::AgentHost> host_;
};

TEST_F(AgentVenomTest, RunsACommandInTheWorkspaceAndRecordsItsExit) {
  // The command waits for `go`, so that it is surely still running when the
  // spawn answers (a command that ends at once may have ended by then).
  Json a = Spawn({{"command",
                   {"sh", "-c", "while [ ! -e go ]; do sleep 0.01; done; cat hello.txt; pwd; echo oops >&2; exit 3"}},
                  {"profile", "none"}});
  ASSERT_EQ(a.value("state", ""), "running") << a.dump();
  EXPECT_GT(a.value("pid", 0), 0);
  tmp_.WriteFile("ws/go", "");
  Json done = WaitFor(a["id"]);
  EXPECT_EQ(done.value("state", ""), "exited");
  EXPECT_EQ(done.value("exit_code", -1), 3);
  EXPECT_EQ(Logs(a["id"]), "hi\n" + ws_dir_ + "\n");
  EXPECT_EQ(Logs(a["id"], "stderr"), "oops\n");
  EXPECT_TRUE(done.contains("ended_at"));
}

TEST_F(AgentVenomTest, TheAgentHasItsOwnHomeAndACleanEnvironment) {
  Json a = Spawn({{"command", {"sh", "-c", "echo $HOME; echo $WEFT_AGENT_ID; echo ${SECRET_OF_HOST:-unset}; echo $X"}},
                  {"env", {{"X", "given"}}},
                  {"profile", "none"}});
  ::setenv("SECRET_OF_HOST", "leak", 1);
  WaitFor(a["id"]);
  ::unsetenv("SECRET_OF_HOST");
  std::string home = a.value("home", "");
  EXPECT_EQ(Logs(a["id"]), home + "\n" + a.value("id", "") + "\nunset\ngiven\n");
  struct stat st {};
  EXPECT_EQ(::stat(home.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST_F(AgentVenomTest, AMissingProgramFailsWithTheReason) {
  Status err = Error("spawn", {{"command", {"no-such-program-xyz"}}, {"profile", "none"}});
  EXPECT_NE(err.message().find("no-such-program-xyz"), std::string::npos) << err;
  Json list = Data("list", {{"state", "failed"}});
  ASSERT_EQ(list["agents"].size(), 1u);
  EXPECT_NE(list["agents"][0].value("error", "").find("no-such-program-xyz"), std::string::npos);
}

TEST_F(AgentVenomTest, WallClockLimitTimesTheAgentOut) {
  Json a = Spawn({{"command", {"sleep", "30"}}, {"profile", "none"}, {"limits", {{"wall_seconds", 1}}}});
  Json done = WaitFor(a["id"]);
  EXPECT_EQ(done.value("state", ""), "timed_out");
  EXPECT_EQ(done.value("limit", ""), "wall_seconds");
  EXPECT_EQ(done.value("exit_signal", 0), SIGTERM);
}

TEST_F(AgentVenomTest, OutputLimitStopsAnAgentThatWritesTooMuch) {
  Json a = Spawn({{"command", {"yes"}}, {"profile", "none"}, {"limits", {{"output_bytes", 100000}}}});
  Json done = WaitFor(a["id"]);
  EXPECT_EQ(done.value("state", ""), "killed");
  EXPECT_EQ(done.value("limit", ""), "output_bytes");
}

TEST_F(AgentVenomTest, LogsKeepTheLatestBytesAndSayHowManyWereDropped) {
  // 20 MB of output against the 8 MiB per-stream cap.
  Json a = Spawn({{"command", {"sh", "-c", "head -c 20000000 /dev/zero | tr '\\0' x; echo END"}},
                  {"profile", "none"}});
  WaitFor(a["id"], 60000);
  Json chunk = Data("logs", {{"id", a["id"]}, {"offset", 0}, {"max_bytes", 16}});
  EXPECT_EQ(chunk.value("end", 0), 20000004);
  EXPECT_GT(chunk.value("dropped", 0), 0);
  EXPECT_EQ(chunk.value("offset", 0), chunk.value("dropped", 0));
  EXPECT_LE(chunk.value("end", 0) - chunk.value("dropped", 0), 8 << 20);
  Json tail = Data("logs", {{"id", a["id"]}, {"offset", 20000000}});
  EXPECT_EQ(tail.value("text", ""), "END\n");
}

TEST_F(AgentVenomTest, FollowingLogsWaitsForNewOutput) {
  Json a = Spawn({{"command", {"sh", "-c", "sleep 0.3; echo late"}}, {"profile", "none"}});
  Json chunk = Data("logs", {{"id", a["id"]}, {"wait_ms", 10000}});
  EXPECT_EQ(chunk.value("text", ""), "late\n");
  EXPECT_EQ(chunk.value("next_offset", 0), 5);
}

TEST_F(AgentVenomTest, SignalReachesTheAgent) {
  Json a = Spawn({{"command", {"sh", "-c", "trap 'echo got-usr1; exit 7' USR1; while :; do sleep 0.05; done"}},
                  {"profile", "none"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the trap be set
  Data("signal", {{"id", a["id"]}, {"signal", "USR1"}});
  Json done = WaitFor(a["id"]);
  EXPECT_EQ(done.value("exit_code", -1), 7);
  EXPECT_EQ(Logs(a["id"]), "got-usr1\n");
  Status err = Error("signal", {{"id", a["id"]}, {"signal", "TERM"}});
  EXPECT_NE(err.message().find("already ended"), std::string::npos) << err;
}

TEST_F(AgentVenomTest, AnAgentThatIgnoresTermIsKilledAndNothingItStartedSurvives) {
  Json a = Spawn({{"command", {"sh", "-c", "trap '' TERM; sleep 300 & echo $!; wait"}}, {"profile", "none"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::string child = Logs(a["id"]);
  ASSERT_FALSE(child.empty());
  pid_t child_pid = std::stoi(child);
  Json removed = Data("remove", {{"id", a["id"]}});
  EXPECT_EQ(removed.value("was", ""), "running");
  // Gone, or a zombie waiting for init to reap it: not running.
  EXPECT_FALSE(agent::ProcessStartTime(child_pid).has_value()) << "the agent's child survived";
  EXPECT_FALSE(Call("status", {{"id", a["id"]}}).ok());
  struct stat st {};
  EXPECT_NE(::stat((tmp_.path() + "/state/agents/" + a.value("id", "")).c_str(), &st), 0);
}

TEST_F(AgentVenomTest, AgentsAStoppedHostOwnedAreStoppedWithIt) {
  Json owned = Spawn({{"command", {"sleep", "300"}}, {"profile", "none"}});
  Json detached = Spawn({{"command", {"sleep", "300"}}, {"profile", "none"}, {"detach", true}});
  host_->StopOwned();
  Json o = Data("status", {{"id", owned["id"]}})["agent"];
  Json d = Data("status", {{"id", detached["id"]}})["agent"];
  EXPECT_EQ(o.value("state", ""), "killed");
  EXPECT_EQ(d.value("state", ""), "running");
  Data("remove", {{"id", detached["id"]}});
}

TEST_F(AgentVenomTest, AnAgentWhoseRunnerDiedIsFoundLostAndStopped) {
  Json a = Spawn({{"command", {"sleep", "300"}}, {"profile", "none"}, {"detach", true}});
  auto record = host_->agents().Get(a.value("id", ""));
  ASSERT_TRUE(record.ok());
  ASSERT_EQ(::kill(static_cast<pid_t>(record->runner_pid), SIGKILL), 0);
  // The runner is reaped by init; wait until it is gone from /proc.
  for (int i = 0; i < 200 && agent::ProcessStartTime(static_cast<pid_t>(record->runner_pid)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto lost = host_->Reconcile();
  ASSERT_TRUE(lost.ok()) << lost.status();
  EXPECT_EQ(*lost, 1);
  Json s = Data("status", {{"id", a["id"]}})["agent"];
  EXPECT_EQ(s.value("state", ""), "lost");
  for (int i = 0; i < 200 && agent::ProcessStartTime(static_cast<pid_t>(record->pid)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(agent::ProcessStartTime(static_cast<pid_t>(record->pid)).has_value()) << "the orphaned agent runs";
}

TEST_F(AgentVenomTest, ARunningAgentIsStillFoundByAnotherHost) {
  Json a = Spawn({{"command", {"sleep", "300"}}, {"profile", "none"}});
  agent::AgentHost other(*store_, tmp_.Join("state"), weft_, false);
  auto lost = other.Reconcile();
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(*lost, 0);
  ASSERT_TRUE(other.Stop(a.value("id", "")).ok());
  auto done = other.Wait(a.value("id", ""), std::chrono::seconds(10));
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state, store::AgentState::kKilled);
}

TEST_F(AgentVenomTest, CwdMustBeADirectoryInsideTheWorkspace) {
  EXPECT_FALSE(Call("spawn", {{"command", {"true"}}, {"cwd", "../"}, {"profile", "none"}}).ok());
  EXPECT_FALSE(Call("spawn", {{"command", {"true"}}, {"cwd", "hello.txt"}, {"profile", "none"}}).ok());
  EXPECT_FALSE(Call("spawn", {{"command", {"true"}}, {"cwd", "/nope"}, {"profile", "none"}}).ok());
}

TEST_F(AgentVenomTest, WaitReportsProgressAndReturnsLiveOnTimeout) {
  Json a = Spawn({{"command", {"sleep", "300"}}, {"profile", "none"}});
  FakeVenomContext ctx;
  Result<Reply> r = Call(ctx, "wait", {{"id", a["id"]}, {"timeout_ms", 1500}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->data.value("ended", true));
  EXPECT_EQ(r->data["agent"].value("state", ""), "running");
  EXPECT_GE(ctx.progress().size(), 1u);
}

TEST_F(AgentVenomTest, ByDefaultAnAgentIsConfinedToTheWorkspace) {
  if (!agents::ProbeHost().userns.ok) GTEST_SKIP() << "no user namespaces: " << agents::ProbeHost().userns.why;
  Json a = Spawn({{"command", {"sh", "-c", "echo made > made.txt; touch /usr/weft-agent-test 2>/dev/null || echo ro"}}});
  EXPECT_EQ(a.value("profile", ""), "workspace");
  Json done = WaitFor(a["id"]);
  EXPECT_EQ(done.value("exit_code", -1), 0);
  EXPECT_EQ(done["confinement"].value("profile", ""), "workspace");
  EXPECT_EQ(Logs(a["id"]), "ro\n");
  std::ifstream made(ws_dir_ + "/made.txt");
  std::string line;
  std::getline(made, line);
  EXPECT_EQ(line, "made");
}

TEST_F(AgentVenomTest, ACpuLimitThatFiresIsNamedInTheStatus) {
  Json a = Spawn({{"command", {"sh", "-c", "while :; do :; done"}}, {"limits", {{"cpu_seconds", 1}}}});
  Json done = WaitFor(a["id"], 30000);
  EXPECT_EQ(done.value("state", ""), "killed") << done.dump();
  EXPECT_EQ(done.value("limit", ""), "cpu_seconds") << done.dump();
}

TEST_F(AgentVenomTest, TheAgentGetsATokenForANarrowerGrantAndAnMcpConfig) {
  Json a = Spawn({{"command", {"sh", "-c", "echo $WEFT_TOKEN; echo $WEFT_MCP_CONFIG"}},
                  {"profile", "none"},
                  {"grant", {{"tools", {"fs_read", "fs_list"}}, {"read_only", true}}}});
  WaitFor(a["id"]);
  std::string out = Logs(a["id"]);
  std::string token = out.substr(0, out.find('\n'));
  std::string config_path = out.substr(token.size() + 1, out.size() - token.size() - 2);
  ASSERT_EQ(token.rfind("wg_", 0), 0u) << out;
  grants::GrantStore grants(*store_);
  auto grant = grants.Authenticate(token);
  ASSERT_TRUE(grant.ok()) << grant.status();
  EXPECT_EQ(grant->id, a.value("grant", ""));
  EXPECT_TRUE(grant->read_only());
  EXPECT_EQ(grant->tools, (std::vector<std::string>{"fs_read", "fs_list"}));
  std::ifstream in(config_path);
  Json config = Json::parse(in, nullptr, false);
  ASSERT_TRUE(config.is_object()) << config_path;
  const Json& server = config["mcpServers"]["weft"];
  EXPECT_EQ(server.value("type", ""), "stdio");
  EXPECT_EQ(server.value("command", ""), weft_);
  EXPECT_EQ(server["args"], Json({"connect", a.value("home", "") + "/.weft-mcp.sock"}));
  EXPECT_EQ(server["env"].value("WEFT_TOKEN", ""), token);
  struct stat st {};
  ASSERT_EQ(::stat(config_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Removing the agent revokes its grant.
  Data("remove", {{"id", a["id"]}});
  auto after = grants.Get(grant->id);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->revoked_at.has_value());
}

TEST_F(AgentVenomTest, TheAgentCallsBackIntoWeftWithItsTokenAndOnlyItsGrantApplies) {
  // The agent runs the MCP server its config names (as its client would)
  // and asks for one allowed and one denied tool.
  tmp_.WriteFile("ws/requests.jsonl",
                 R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
                 R"("capabilities":{},"clientInfo":{"name":"agent","version":"1"}}})" "\n"
                 R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n"
                 R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"fs_read",)"
                 R"("arguments":{"path":"hello.txt"}}})" "\n"
                 R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"fs_write",)"
                 R"("arguments":{"path":"x.txt","content":"no"}}})" "\n");
  std::string script =
      "set -e; c=$WEFT_MCP_CONFIG; "
      "exec \"$0\" serve --stdio --token-env --log-level error --workspace \"$1\" --state \"$2\" < requests.jsonl";
  Json a = Spawn({{"command", {"sh", "-c", script, weft_, ws_dir_, tmp_.Join("state")}},
                  {"profile", "none"},
                  {"grant", {{"tools", {"fs_read"}}}}});
  WaitFor(a["id"], 30000);
  std::string out = Logs(a["id"]);
  EXPECT_NE(out.find("hi\\n"), std::string::npos) << out;  // fs_read's text, JSON-escaped
  EXPECT_NE(out.find("permission_denied"), std::string::npos) << out;
  struct stat st {};
  EXPECT_NE(::stat((ws_dir_ + "/x.txt").c_str(), &st), 0) << "the denied write happened";
}

// One JSON line per fake-agent action, in order.
std::vector<Json> ActionLines(const std::string& out) {
  std::vector<Json> lines;
  size_t start = 0, nl;
  while ((nl = out.find('\n', start)) != std::string::npos) {
    Json j = Json::parse(out.substr(start, nl - start), nullptr, false);
    if (j.is_object() && j.contains("action")) lines.push_back(std::move(j));
    start = nl + 1;
  }
  return lines;
}

TEST_F(AgentVenomTest, AConfinedAgentWithoutNetworkCallsBackThroughItsMcpConfig) {
  if (!agents::ProbeHost().userns.ok) GTEST_SKIP() << "no user namespaces: " << agents::ProbeHost().userns.why;
  // The fake agent inside the workspace (the sandbox shows it there), doing
  // what its MCP client would with $WEFT_MCP_CONFIG.
  std::string fake = ws_dir_ + "/fake_agent";
  tmp_.WriteFile("ws/fake_agent", weft::testing::ReadFileOrDie(weft::testing::BinaryDir() +
                                                                "/tests/support/weft_fake_agent"));
  ASSERT_EQ(::chmod(fake.c_str(), 0755), 0);
  Json a = Spawn({{"command", {fake, "connect", "127.0.0.1", "9", "mcp-config-call", "fs_read", R"({"path":"hello.txt"})",
                               "mcp-config-call", "fs_write", R"({"path":"x.txt","content":"no"})"}},
                  {"grant", {{"tools", {"fs_read"}}}}});
  EXPECT_EQ(a.value("profile", ""), "workspace");
  Json done = WaitFor(a["id"], 30000);
  EXPECT_EQ(done.value("exit_code", -1), 0) << done.dump() << Logs(a["id"], "stderr");
  std::vector<Json> lines = ActionLines(Logs(a["id"]));
  ASSERT_EQ(lines.size(), 3u) << Logs(a["id"]) << Logs(a["id"], "stderr");
  EXPECT_FALSE(lines[0].value("ok", true)) << "the agent reached the network: " << lines[0].dump();
  ASSERT_TRUE(lines[1].value("ok", false)) << lines[1].dump() << Logs(a["id"], "stderr");
  Json read = Json::parse(lines[1].value("reply", ""), nullptr, false);
  EXPECT_FALSE(read["result"].value("isError", false)) << read.dump();
  EXPECT_TRUE(read.contains("result")) << read.dump();
  EXPECT_NE(read.dump().find("hi\\n"), std::string::npos) << read.dump();
  EXPECT_EQ(lines[1].value("server_exit", -1), 0);
  Json write = Json::parse(lines[2].value("reply", ""), nullptr, false);
  EXPECT_TRUE(write["result"].value("isError", false)) << write.dump();
  EXPECT_NE(write.dump().find("permission_denied"), std::string::npos) << write.dump();
  struct stat st {};
  EXPECT_NE(::stat((ws_dir_ + "/x.txt").c_str(), &st), 0) << "the denied write happened";
  // The socket goes with the agent.
  EXPECT_NE(::lstat((a.value("home", "") + "/.weft-mcp.sock").c_str(), &st), 0);
}

TEST_F(AgentVenomTest, TheCallbackSocketRefusesABadTokenAndServesAGoodOne) {
  Json a = Spawn({{"command", {"sleep", "30"}}, {"profile", "none"}});
  std::string socket = a.value("home", "") + "/.weft-mcp.sock";
  auto exchange = [&](const std::string& send) {
    Result<UniqueFd> conn = ConnectUnix(socket);
    EXPECT_TRUE(conn.ok()) << conn.status();
    if (!conn.ok()) return std::string();
    EXPECT_EQ(::write(conn->get(), send.data(), send.size()), static_cast<ssize_t>(send.size()));
    ::shutdown(conn->get(), SHUT_WR);
    std::string got;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(conn->get(), buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
    return got;
  };
  EXPECT_NE(exchange("{\"token\":\"wg_not-a-token\"}\n").find("\"ok\":false"), std::string::npos);
  EXPECT_NE(exchange("not json\n").find("weft connect"), std::string::npos);
  grants::GrantStore grants(*store_);
  auto issued = grants.IssueRoot("test", {});
  ASSERT_TRUE(issued.ok()) << issued.status();
  std::string got = exchange("{\"token\":\"" + issued->token + "\"}\n" +
                             R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":)"
                             R"("2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})" "\n"
                             R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n"
                             R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})" "\n");
  EXPECT_EQ(got.rfind("{\"ok\":true}\n", 0), 0u) << got;
  EXPECT_NE(got.find("fs_read"), std::string::npos) << got;
  // Once the agent ends, nothing listens there any more.
  Data("signal", {{"id", a["id"]}, {"signal", "KILL"}});
  WaitFor(a["id"]);
  EXPECT_FALSE(ConnectUnix(socket).ok());
}

TEST_F(AgentVenomTest, ADerivedGrantSeesAndSteersOnlyTheAgentsSpawnedUnderIt) {
  grants::GrantStore grants(*store_);
  auto root = grants.IssueRoot("test root", {});
  ASSERT_TRUE(root.ok()) << root.status();
  auto one = grants.IssueDerived(root->grant.id, {}, "session one");
  auto two = grants.IssueDerived(root->grant.id, {}, "session two");
  ASSERT_TRUE(one.ok() && two.ok());
  ctx_.set_grant(&one->grant);
  Json a = Spawn({{"command", {"sleep", "30"}}, {"profile", "none"}});
  std::string id = a.value("id", "");
  ASSERT_FALSE(id.empty()) << a.dump();
  auto listed = [&](const grants::Grant* as) {
    ctx_.set_grant(as);
    Json agents = Data("list", Json::object())["agents"];
    for (const Json& ag : agents) {
      if (ag.value("id", "") == id) return true;
    }
    return false;
  };
  EXPECT_TRUE(listed(&one->grant));   // its spawner's session
  EXPECT_TRUE(listed(&root->grant));  // a root grant sees every agent
  EXPECT_TRUE(listed(nullptr));
  EXPECT_FALSE(listed(&two->grant));  // a sibling session does not
  for (const char* op : {"status", "logs", "wait", "remove"}) {
    Json args = {{"id", id}};
    if (std::string(op) == "wait") args["timeout_ms"] = 0;
    Status err = Error(op, args);
    EXPECT_EQ(err.code(), StatusCode::kNotFound) << op << ": " << err;
  }
  EXPECT_EQ(Error("signal", {{"id", id}, {"signal", "KILL"}}).code(), StatusCode::kNotFound);
  ctx_.set_grant(&one->grant);
  EXPECT_EQ(Data("status", {{"id", id}})["agent"].value("state", ""), "running");
  Data("signal", {{"id", id}, {"signal", "KILL"}});
  ctx_.set_grant(nullptr);
  EXPECT_EQ(WaitFor(id).value("state", ""), "killed");
}

TEST_F(AgentVenomTest, ANodeIsRefusedUntilNodesExist) {
  Status err = Error("spawn", {{"command", {"true"}}, {"profile", "none"}, {"node", "builder-2"}});
  EXPECT_EQ(err.code(), StatusCode::kNotFound);
  EXPECT_NE(err.message().find("no such node 'builder-2'"), std::string::npos) << err;
  EXPECT_TRUE(Data("list", Json::object())["agents"].empty()) << "a refused spawn left a record";
}

TEST_F(AgentVenomTest, OpsOnAnUnknownAgentSaySo) {
  Status err = Error("status", {{"id", "ag_000000000000"}});
  EXPECT_EQ(err.code(), StatusCode::kNotFound);
  EXPECT_NE(err.message().find("agent_list"), std::string::npos);
}

}  // namespace
}  // namespace weft::venoms
