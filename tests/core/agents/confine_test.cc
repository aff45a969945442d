// ConfinedProcess::Launch: what each profile promises, checked with the fake
// agent (what it can and cannot do), the typed errors when a profile cannot
// be had, and what best_effort reports.
#include "core/agents/confine.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/clients/weft_http_server.h"
#include "tests/core/agents/agent_test_util.h"
#include "tests/support/subprocess.h"

namespace weft::agents {
namespace {

using testing::AgentDirs;
using testing::AgentRun;
using testing::RunFakeAgent;
using testing::SkipReason;

#define SKIP_UNLESS_PROFILE(profile, ...)                          \
  do {                                                             \
    std::string why = SkipReason(profile, ##__VA_ARGS__);          \
    if (!why.empty()) GTEST_SKIP() << why;                         \
  } while (0)

std::string ErrnoOf(const nlohmann::json& line) { return line.value("errno", ""); }

TEST(Profiles, NamesRoundTrip) {
  for (Profile p : {Profile::kNone, Profile::kWorkspace, Profile::kStrict}) {
    Result<Profile> parsed = ParseProfile(ProfileName(p));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, p);
  }
  Result<Profile> bad = ParseProfile("jail");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("none, workspace, strict"), std::string::npos) << bad.status();
}

TEST(ProfileNone, IsAnOrdinaryProcess) {
  AgentDirs dirs;
  std::string outside = dirs.root.Join("outside.txt");
  AgentRun run = RunFakeAgent({"ids", "write", outside, "env", "exit", "7"}, dirs.Spec(Profile::kNone));
  EXPECT_EQ(run.status.code, 7);
  EXPECT_FALSE(run.status.signaled);
  EXPECT_EQ(run.profile, Profile::kNone);
  nlohmann::json ids = run.Action("ids");
  EXPECT_EQ(ids.value("uid", -1), static_cast<int>(getuid()));
  EXPECT_EQ(ids.value("cwd", ""), dirs.workspace);
  EXPECT_EQ(ids.value("pgid", 0), ids.value("pid", -1));  // its own process group
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  EXPECT_EQ(ids.value("hostname", ""), host);
  EXPECT_TRUE(run.Action("write").value("ok", false)) << run.out;
  EXPECT_EQ(run.Action("env")["env"].value("HOME", ""), dirs.home);
}

TEST(ProfileWorkspace, WritesWorkspaceAndHomeOnly) {
  SKIP_UNLESS_PROFILE(Profile::kWorkspace);
  AgentDirs dirs;
  std::string outside = dirs.root.Join("outside.txt");
  AgentRun run = RunFakeAgent({"write", dirs.workspace + "/made.txt", "write", dirs.home + "/.config", "write",
                               "/usr/weft-fake-agent", "write", "/etc/weft-fake-agent", "write", outside, "write",
                               "/weft-fake-agent", "exit", "0"},
                              dirs.Spec(Profile::kWorkspace));
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(run.profile, Profile::kWorkspace);
  EXPECT_TRUE(run.dropped.empty());
  EXPECT_TRUE(run.Action("write", 0).value("ok", false)) << run.out;
  EXPECT_TRUE(run.Action("write", 1).value("ok", false)) << run.out;
  EXPECT_EQ(ErrnoOf(run.Action("write", 2)), "EROFS") << run.out;
  EXPECT_EQ(ErrnoOf(run.Action("write", 3)), "EROFS") << run.out;
  EXPECT_EQ(ErrnoOf(run.Action("write", 5)), "EROFS") << run.out;
  // Beside the workspace is the sandbox's own root (read-only) or, under
  // /tmp, its private /tmp: never the host's directory.
  nlohmann::json beside = run.Action("write", 4);
  if (outside.rfind("/tmp/", 0) == 0) {
    EXPECT_TRUE(beside.value("ok", false)) << run.out;
  } else {
    EXPECT_EQ(ErrnoOf(beside), "EROFS") << run.out;
  }
  struct stat st;
  EXPECT_NE(stat(outside.c_str(), &st), 0) << "the agent wrote beside its workspace on the host";
  ASSERT_EQ(stat((dirs.workspace + "/made.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, geteuid());  // owned by the real user, not an id of the namespace
}

TEST(ProfileWorkspace, SeesOnlyTheSystemAndItsPaths) {
  SKIP_UNLESS_PROFILE(Profile::kWorkspace);
  AgentDirs dirs;
  dirs.root.WriteFile("sibling.txt", "not for the agent\n");
  AgentRun run = RunFakeAgent({"list", "/", "read", dirs.root.Join("sibling.txt"), "read", "/etc/hostname", "list",
                               "/run", "read", "/usr/bin/true", "exit", "0"},
                              dirs.Spec(Profile::kWorkspace));
  ASSERT_EQ(run.status.code, 0) << run.err;
  std::vector<std::string> names = run.Action("list", 0)["names"].get<std::vector<std::string>>();
  for (const char* hidden : {"root", "home", "var", "srv", "mnt", "boot"}) {
    if (std::string(hidden) == "root" && dirs.root.path().rfind("/root", 0) == 0) continue;
    EXPECT_EQ(std::count(names.begin(), names.end(), hidden), 0) << hidden << " is visible: " << run.out;
  }
  for (const char* shown : {"usr", "etc", "proc", "dev", "tmp", "sys"}) {
    EXPECT_EQ(std::count(names.begin(), names.end(), shown), 1) << shown << " is missing: " << run.out;
  }
  EXPECT_EQ(ErrnoOf(run.Action("read", 0)), "ENOENT") << run.out;
  EXPECT_TRUE(run.Action("read", 1).value("ok", false)) << run.out;
  EXPECT_TRUE(run.Action("list", 1)["names"].empty()) << run.out;
  EXPECT_TRUE(run.Action("read", 2).value("ok", false)) << run.out;
}

// Host-wide knobs guarded by permission bits alone stay out of reach even
// of an agent that is root outside too: /proc/sys and /proc/irq are
// read-only, like /sys.
TEST(ProfileWorkspace, CannotTouchHostKnobs) {
  SKIP_UNLESS_PROFILE(Profile::kWorkspace);
  AgentDirs dirs;
  ConfineSpec spec = dirs.Spec(Profile::kWorkspace);
  spec.network = true;  // the host's network namespace: its sysctls are the host's
  AgentRun run = RunFakeAgent({"open-write", "/proc/sys/vm/swappiness", "open-write", "/proc/sys/net/ipv4/ip_forward",
                               "open-write", "/proc/irq/default_smp_affinity", "open-write",
                               "/sys/kernel/mm/transparent_hugepage/enabled", "open-write", "/proc/self/oom_score_adj",
                               "exit", "0"},
                              spec);
  ASSERT_EQ(run.status.code, 0) << run.err;
  for (size_t i = 0; i < 4; ++i) {
    nlohmann::json line = run.Action("open-write", i);
    std::string err = ErrnoOf(line);
    // EROFS where the file exists; ENOENT where this kernel lacks it.
    EXPECT_TRUE(err == "EROFS" || err == "ENOENT") << line.dump();
  }
  EXPECT_EQ(ErrnoOf(run.Action("open-write", 0)), "EROFS") << run.out;
  EXPECT_TRUE(run.Action("open-write", 4).value("ok", false)) << run.out;  // its own process's knobs
}

TEST(ProfileWorkspace, TmpIsPrivateAndEmpty) {
  SKIP_UNLESS_PROFILE(Profile::kWorkspace);
  AgentDirs dirs;
  AgentRun run = RunFakeAgent({"list", "/tmp", "write", "/tmp/scratch", "list", "/tmp", "exit", "0"},
                              dirs.Spec(Profile::kWorkspace));
  ASSERT_EQ(run.status.code, 0) << run.err;
  nlohmann::json before = run.Action("list", 0);
  ASSERT_TRUE(before.value("ok", false)) << run.out;
  // The workspace lives under the host's /tmp; only the path to it shows.
  for (const std::string& name : before["names"].get<std::vector<std::string>>()) {
    EXPECT_EQ(dirs.workspace.rfind("/tmp/" + name + "/", 0), 0u) << name << ": " << run.out;
  }
  EXPECT_TRUE(run.Action("write").value("ok", false)) << run.out;
  struct stat st;
  EXPECT_NE(stat("/tmp/scratch", &st), 0) << "the agent's /tmp reached the host's";
}

TEST(ProfileWorkspace, HasNoNetworkUnlessAsked) {
  SKIP_UNLESS_PROFILE(Profile::kWorkspace);
  AgentDirs dirs;
  AgentRun cut = RunFakeAgent({"connect", "192.0.2.1", "80", "connect", "127.0.0.1", "9", "exit", "0"},
                              dirs.Spec(Profile::kWorkspace));
  EXPECT_EQ(ErrnoOf(cut.Action("connect", 0)), "ENETUNREACH") << cut.out;
  // Loopback is up, and nothing listens on it.
  EXPECT_EQ(ErrnoOf(cut.Action("connect", 1)), "ECONNREFUSED") << cut.out;

  ConfineSpec spec = dirs.Spec(Profile::kWorkspace);
  spec.network = true;
  AgentRun kept = RunFakeAgent({"ids", "exit", "0"}, spec);
  EXPECT_EQ(kept.status.code, 0) << kept.err;
}

TEST(ProfileWorkspace, HasItsOwnPidsHostnameAndNoPrivileges) {
  SKIP_UNLESS_PROFILE(Profile::kWorkspace);
  AgentDirs dirs;
  AgentRun run = RunFakeAgent({"ids", "pids", "try", "mount", "try", "unshare-user", "read", "/etc/shadow",
                               "open-write", "/dev/tty", "exit", "0"},
                              dirs.Spec(Profile::kWorkspace));
  ASSERT_EQ(run.status.code, 0) << run.err;
  nlohmann::json ids = run.Action("ids");
  EXPECT_EQ(ids.value("pid", 0), 2);   // the init is 1
  EXPECT_EQ(ids.value("ppid", 0), 1);
  // A session of its own, so no controlling terminal of weft's.
  EXPECT_EQ(ids.value("sid", 0), 2);
  EXPECT_EQ(ErrnoOf(run.Action("open-write")), "ENXIO") << run.out;
  EXPECT_EQ(ids.value("uid", -1), static_cast<int>(geteuid()));
  EXPECT_EQ(ids.value("hostname", ""), "weft-agent");
  EXPECT_EQ(ids.value("cwd", ""), dirs.workspace);
  EXPECT_EQ(run.Action("pids").value("count", 0), 2);  // the init and the agent
  EXPECT_EQ(ErrnoOf(run.Action("try", 0)), "EPERM") << run.out;  // no capabilities
  // Nested user namespaces are the strict profile's to refuse.
  EXPECT_TRUE(run.Action("try", 1).value("ok", false)) << run.out;
  // The workspace profile gives the caller's own permissions on the
  // read-only system: root may read /etc/shadow, anyone else may not.
  nlohmann::json shadow = run.Action("read");
  if (geteuid() == 0) {
    EXPECT_TRUE(shadow.value("ok", false)) << run.out;
  } else {
    EXPECT_EQ(ErrnoOf(shadow), "EACCES") << run.out;
  }
}

// A FUSE mount of the workspace (`weft mount`) works as the agent's
// workspace: the mount belongs to the same uid the agent runs as.
TEST(ProfileWorkspace, WorksInAWeftMount) {
  SKIP_UNLESS_PROFILE(Profile::kWorkspace);
  if (access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no usable /dev/fuse on this host";
  AgentDirs dirs;
  std::string project = dirs.root.Join("project"), mnt = dirs.root.Join("mnt");
  dirs.root.WriteFile("project/hello.txt", "hello\n");
  ASSERT_EQ(mkdir(mnt.c_str(), 0755), 0);
  std::string weft = weft::testing::BinaryDir() + "/bin/weft";
  weft::testing::RunResult mounted =
      weft::testing::Run({weft, "mount", mnt, "--workspace", project, "--state", dirs.root.Join("state")});
  ASSERT_EQ(mounted.exit_code(), 0) << mounted.err;
  ConfineSpec spec = dirs.Spec(Profile::kWorkspace);
  spec.workspace_dir = mnt;
  AgentRun run = RunFakeAgent({"read", mnt + "/hello.txt", "write", mnt + "/from-agent.txt", "ids", "exit", "0"}, spec);
  weft::testing::RunResult unmounted = weft::testing::Run({weft, "umount", mnt});
  if (unmounted.exit_code() != 0) umount2(mnt.c_str(), MNT_DETACH);
  EXPECT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(run.Action("read").value("bytes", -1), 6) << run.out;
  EXPECT_TRUE(run.Action("write").value("ok", false)) << run.out;
  EXPECT_EQ(run.Action("ids").value("cwd", ""), mnt) << run.out;
  EXPECT_EQ(weft::testing::ReadFileOrDie(project + "/from-agent.txt"), "written by weft_fake_agent\n");
}

// The agent calls back into weft over Streamable HTTP with its bearer token
// (network: true; without it the agent's loopback is its own).
TEST(ProfileWorkspace, CallsBackIntoWeftWithItsToken) {
  SKIP_UNLESS_PROFILE(Profile::kWorkspace);
  weft::testing::WeftHttpServer server(weft::testing::BinaryDir() + "/bin/weft", {});
  ASSERT_FALSE(server.url().empty()) << server.error();
  std::string why;
  std::string token = server.Token(&why);
  ASSERT_FALSE(token.empty()) << why;
  AgentDirs dirs;
  ConfineSpec spec = dirs.Spec(Profile::kWorkspace);
  spec.network = true;
  AgentRun run = RunFakeAgent({"call", server.url(), token, "test_simple_text", "{}", "call", server.url(), "wrong-token",
                               "test_simple_text", "{}", "exit", "0"},
                              spec);
  nlohmann::json ok = run.Action("call", 0);
  EXPECT_EQ(ok.value("status", 0), 200) << run.out;
  nlohmann::json reply = nlohmann::json::parse(ok.value("body", ""), nullptr, false);
  ASSERT_FALSE(reply.is_discarded()) << ok.dump();
  EXPECT_EQ(reply["result"]["content"][0].value("text", ""), "This is a simple text response for testing.")
      << reply.dump();
  EXPECT_EQ(run.Action("call", 1).value("status", 0), 401) << run.out;

  AgentRun cut = RunFakeAgent({"call", server.url(), token, "test_simple_text", "{}", "exit", "0"},
                              dirs.Spec(Profile::kWorkspace));
  EXPECT_EQ(ErrnoOf(cut.Action("call")), "ECONNREFUSED") << cut.out;
}

TEST(ProfileStrict, RefusesWhatAnAgentHasNoBusinessDoing) {
  SKIP_UNLESS_PROFILE(Profile::kStrict);
  AgentDirs dirs;
  std::vector<std::string> actions;
  const std::vector<std::string> calls = {"mount", "umount", "chroot", "ptrace", "bpf", "unshare-user", "keyctl",
                                          "io-uring", "perf-event", "userfaultfd", "setns"};
  for (const std::string& call : calls) actions.insert(actions.end(), {"try", call});
  actions.insert(actions.end(), {"exit", "0"});
  AgentRun run = RunFakeAgent(actions, dirs.Spec(Profile::kStrict));
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(run.profile, Profile::kStrict);
  for (size_t i = 0; i < calls.size(); ++i) {
    nlohmann::json line = run.Action("try", i);
    EXPECT_EQ(line.value("call", ""), calls[i]);
    EXPECT_EQ(ErrnoOf(line), "EPERM") << calls[i] << ": " << line.dump();
  }
}

TEST(ProfileStrict, LandlockLimitsReadsAndWrites) {
  SKIP_UNLESS_PROFILE(Profile::kStrict);
  AgentDirs dirs;
  AgentRun run = RunFakeAgent({"read", "/etc/shadow", "read", "/etc/hostname", "read", "/usr/bin/true", "write",
                               dirs.workspace + "/ok.txt", "write", "/tmp/ok.txt", "read", "/proc/self/status",
                               "connect", "127.0.0.1", "9", "exit", "0"},
                              dirs.Spec(Profile::kStrict));
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(ErrnoOf(run.Action("read", 0)), "EACCES") << run.out;
  EXPECT_TRUE(run.Action("read", 1).value("ok", false)) << run.out;
  EXPECT_TRUE(run.Action("read", 2).value("ok", false)) << run.out;
  EXPECT_TRUE(run.Action("write", 0).value("ok", false)) << run.out;
  EXPECT_TRUE(run.Action("write", 1).value("ok", false)) << run.out;
  EXPECT_TRUE(run.Action("read", 3).value("ok", false)) << run.out;
  // With TCP rules (ABI ≥ 4) Landlock refuses before routing is tried.
  EXPECT_EQ(ErrnoOf(run.Action("connect")), ProbeHost().landlock_abi >= 4 ? "EACCES" : "ECONNREFUSED") << run.out;
}

TEST(Unavailable, FailsTypedNamingWhatIsMissing) {
  AgentDirs dirs;
  HostSupport host = ProbeHost();
  host.userns = {false, "clone(CLONE_NEWUSER): Operation not permitted", "enable user namespaces"};
  proc::LaunchSpec spec;
  spec.argv = {testing::FakeAgent(), "exit", "0"};
  Result<ConfinedProcess> p = ConfinedProcess::Launch(spec, dirs.Spec(Profile::kWorkspace), {}, host);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(p.status().message().rfind("profile_unavailable: ", 0), 0u) << p.status();
  EXPECT_NE(p.status().message().find("user namespaces"), std::string::npos) << p.status();
  EXPECT_NE(p.status().message().find("enable user namespaces"), std::string::npos) << p.status();

  HostSupport no_landlock = ProbeHost();
  no_landlock.landlock = {false, "landlock_create_ruleset: Function not implemented", "a newer kernel"};
  no_landlock.landlock_abi = 0;
  p = ConfinedProcess::Launch(spec, dirs.Spec(Profile::kStrict), {}, no_landlock);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message().rfind("profile_unavailable: the strict profile needs Landlock", 0), 0u)
      << p.status();
}

TEST(Unavailable, BestEffortRunsWeakerAndSaysWhatWasDropped) {
  SKIP_UNLESS_PROFILE(Profile::kWorkspace);
  AgentDirs dirs;
  HostSupport host = ProbeHost();
  host.landlock = {false, "landlock_create_ruleset: Function not implemented", "a newer kernel"};
  host.landlock_abi = 0;
  proc::LaunchSpec spec;
  spec.argv = {testing::FakeAgent(), "try", "mount", "exit", "0"};
  ConfineSpec confine = dirs.Spec(Profile::kStrict);
  confine.best_effort = true;
  Result<ConfinedProcess> p = ConfinedProcess::Launch(spec, confine, {}, host);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->profile(), Profile::kWorkspace);
  EXPECT_EQ(p->landlock_abi(), 0);
  EXPECT_EQ(p->seccomp_applied(), host.seccomp.ok);
  ASSERT_EQ(p->dropped().size(), 1u);
  EXPECT_EQ(p->dropped()[0].rfind("Landlock (landlock_create_ruleset: Function not implemented)", 0), 0u)
      << p->dropped()[0];
  AgentRun run = testing::Collect(*p);
  EXPECT_EQ(run.status.code, 0) << run.err;

  HostSupport bare = ProbeHost();
  bare.userns = {false, "no user namespaces here", "enable them"};
  confine.profile = Profile::kWorkspace;
  p = ConfinedProcess::Launch(spec, confine, {}, bare);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->profile(), Profile::kNone);
  ASSERT_EQ(p->dropped().size(), 1u);
  EXPECT_NE(p->dropped()[0].find("runs unconfined"), std::string::npos) << p->dropped()[0];
  EXPECT_EQ(testing::Collect(*p).status.code, 0);
}

TEST(Launch, NamesAProgramTheSandboxCannotSee) {
  SKIP_UNLESS_PROFILE(Profile::kWorkspace);
  AgentDirs dirs;
  ConfineSpec confine = dirs.Spec(Profile::kWorkspace);
  confine.readable_paths.clear();
  proc::LaunchSpec spec;
  spec.argv = {testing::FakeAgent(), "exit", "0"};
  Result<ConfinedProcess> p = ConfinedProcess::Launch(spec, confine, {});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
  EXPECT_NE(p.status().message().find("readable_paths"), std::string::npos) << p.status();

  spec.argv = {"weft-no-such-program"};
  p = ConfinedProcess::Launch(spec, confine, {});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
}

TEST(Launch, RefusesPathsThatWouldExposeTheHost) {
  SKIP_UNLESS_PROFILE(Profile::kWorkspace);
  AgentDirs dirs;
  proc::LaunchSpec spec;
  spec.argv = {testing::FakeAgent(), "exit", "0"};
  ConfineSpec confine = dirs.Spec(Profile::kWorkspace);
  confine.writable_paths = {"/"};
  Result<ConfinedProcess> p = ConfinedProcess::Launch(spec, confine, {});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << p.status();
  confine.writable_paths = {"/proc/self"};
  p = ConfinedProcess::Launch(spec, confine, {});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << p.status();
  confine.writable_paths = {"relative/path"};
  p = ConfinedProcess::Launch(spec, confine, {});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << p.status();
  confine.writable_paths = {dirs.root.Join("missing")};
  p = ConfinedProcess::Launch(spec, confine, {});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound) << p.status();
}

}  // namespace
}  // namespace weft::agents
