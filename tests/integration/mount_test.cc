// Integration tests: `weft mount` and `weft umount` — background and
// foreground servers, signals, a server killed outright (stale mount), and
// bad arguments. They skip where the host cannot mount.
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

using std::chrono::seconds;

std::string Weft() { return BinaryDir() + "/bin/weft"; }

std::string MountTypeAt(const std::string& dir) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line, found;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, devno, root, point, word, type;
    f >> id >> parent >> devno >> root >> point;
    while (f >> word && word != "-") {
    }
    f >> type;
    if (point == dir) found = type;
  }
  return found;
}

// Polls until `cond` holds (servers start and stop asynchronously).
bool Eventually(const std::function<bool()>& cond) {
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

class MountCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no usable /dev/fuse on this host";
    if (::geteuid() != 0 && ::access("/usr/bin/fusermount3", X_OK) != 0) GTEST_SKIP() << "not root, no fusermount3";
    tmp_.WriteFile("proj/hello.txt", "hello\n");
    ASSERT_EQ(::mkdir(tmp_.Join("mnt").c_str(), 0755), 0);
    mnt_ = tmp_.Join("mnt");
  }
  void TearDown() override {
    if (!mnt_.empty() && !MountTypeAt(mnt_).empty()) ::umount2(mnt_.c_str(), MNT_DETACH);
  }
  std::vector<std::string> MountArgs(std::initializer_list<std::string> extra = {}) {
    std::vector<std::string> argv = {Weft(), "mount", mnt_, "--workspace", tmp_.Join("proj"), "--state",
                                     tmp_.Join("state")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  ScopedTempDir tmp_;
  std::string mnt_;
};

TEST_F(MountCli, BackgroundMountServesUntilUmount) {
  RunResult r = weft::testing::Run(MountArgs());
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_NE(r.err.find("mounted at " + mnt_), std::string::npos) << r.err;
  EXPECT_EQ(MountTypeAt(mnt_), "fuse.weft");
  EXPECT_EQ(ReadFileOrDie(mnt_ + "/hello.txt"), "hello\n");
  size_t at = r.err.find("server pid ");
  ASSERT_NE(at, std::string::npos);
  pid_t server = std::stoi(r.err.substr(at + 11));
  RunResult u = weft::testing::Run({Weft(), "umount", mnt_});
  ASSERT_EQ(u.exit_code(), 0) << u.err;
  EXPECT_EQ(MountTypeAt(mnt_), "");
  EXPECT_TRUE(Eventually([&] { return ::kill(server, 0) != 0; })) << "the server outlived its mount";
  // The log went under the state directory.
  RunResult logs = weft::testing::Run({"sh", "-c", "cat \"$0\"/mounts/*.log", tmp_.Join("state")});
  EXPECT_NE(logs.out.find("mounted workspace proj"), std::string::npos) << logs.out;
}

// The mount serves /.weft from the real venom registry, and `weft call`
// run inside the mount goes through its call files: the answer names the
// workspace the mount serves (its host directory), not the mount point.
TEST_F(MountCli, ServesWeftDirAndWeftCallInsideTheMountUsesIt) {
  RunResult r = weft::testing::Run(MountArgs());
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_NE(ReadFileOrDie(mnt_ + "/.weft/README.md").find("venoms/"), std::string::npos);
  EXPECT_NE(ReadFileOrDie(mnt_ + "/.weft/catalog/venoms.json").find("\"fs\""), std::string::npos);
  RunResult ls = weft::testing::Run({"ls", "-a", mnt_});
  EXPECT_EQ(ls.out.find(".weft"), std::string::npos) << ls.out;

  RunResult call = weft::testing::Run({"sh", "-c", "cd \"$0\" && exec \"$1\" call workspace.info", mnt_, Weft()});
  ASSERT_EQ(call.exit_code(), 0) << call.err;
  EXPECT_NE(call.out.find(tmp_.Join("proj")), std::string::npos) << call.out;
  EXPECT_EQ(call.out.find(mnt_), std::string::npos) << call.out;
  // Flags that only an in-process call uses are refused: the mount was found.
  RunResult flagged = weft::testing::Run(
      {"sh", "-c", "cd \"$0\" && exec \"$1\" call workspace.info --read-only", mnt_, Weft()});
  EXPECT_EQ(flagged.exit_code(), 2);
  EXPECT_NE(flagged.err.find("do not apply to calls through a mount"), std::string::npos) << flagged.err;

  // A shell transaction on the real call file.
  RunResult shell = weft::testing::Run(
      {"bash", "-c", "exec 3<>\"$0\"/.weft/venoms/fs/read; echo '{\"path\":\"hello.txt\"}' >&3; cat <&3", mnt_});
  ASSERT_EQ(shell.exit_code(), 0) << shell.err;
  EXPECT_NE(shell.out.find("hello"), std::string::npos) << shell.out;
  EXPECT_EQ(weft::testing::Run({Weft(), "umount", mnt_}).exit_code(), 0);
}

// workspace_mount over MCP: `weft serve` hosts the mount in its own process,
// and a server stopped by a signal or by its client hanging up leaves no
// mount behind.
TEST_F(MountCli, ServeHostsWorkspaceMountAndUnmountsWhenItStops) {
  for (bool by_signal : {true, false}) {
    SCOPED_TRACE(by_signal ? "SIGTERM" : "stdin closed");
    Subprocess server({Weft(), "serve", "--workspace", tmp_.Join("proj"), "--state", tmp_.Join("state")});
    std::string init =
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
        R"("capabilities":{},"clientInfo":{"name":"it","version":"1"}}})" "\n"
        R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n";
    ASSERT_TRUE(server.Write(init));
    ASSERT_TRUE(server.ReadLine(seconds(30)).has_value()) << server.DrainStderr();
    ASSERT_TRUE(server.Write(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"workspace_mount",)"
                             R"("arguments":{"dir":")" + mnt_ + R"("}}})" "\n"));
    std::optional<std::string> reply = server.ReadLine(seconds(30));
    ASSERT_TRUE(reply.has_value()) << server.DrainStderr();
    EXPECT_NE(reply->find("\"weft_dir\""), std::string::npos) << *reply;
    EXPECT_EQ(reply->find("\"isError\":true"), std::string::npos) << *reply;
    EXPECT_EQ(MountTypeAt(mnt_), "fuse.weft");
    EXPECT_EQ(ReadFileOrDie(mnt_ + "/hello.txt"), "hello\n");
    if (by_signal) {
      ASSERT_EQ(::kill(server.pid(), SIGTERM), 0);
    } else {
      server.CloseStdin();
    }
    std::optional<int> status = server.Wait(seconds(30));
    ASSERT_TRUE(status.has_value()) << "the server did not stop";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server.DrainStderr();
    EXPECT_EQ(MountTypeAt(mnt_), "") << "the server left its mount behind";
  }
}

TEST_F(MountCli, ForegroundServerUnmountsOnSigterm) {
  Subprocess server(MountArgs({"--foreground"}));
  ASSERT_TRUE(Eventually([&] { return MountTypeAt(mnt_) == "fuse.weft"; })) << server.DrainStderr();
  EXPECT_EQ(ReadFileOrDie(mnt_ + "/hello.txt"), "hello\n");
  ASSERT_EQ(::kill(server.pid(), SIGTERM), 0);
  std::optional<int> status = server.Wait(seconds(30));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server.DrainStderr();
  EXPECT_EQ(MountTypeAt(mnt_), "");
}

TEST_F(MountCli, AKilledServersStaleMountIsClearedByTheNextMount) {
  {
    Subprocess server(MountArgs({"--foreground"}));
    ASSERT_TRUE(Eventually([&] { return MountTypeAt(mnt_) == "fuse.weft"; })) << server.DrainStderr();
    ASSERT_EQ(::kill(server.pid(), SIGKILL), 0);
    server.Wait(seconds(30));
  }
  struct statvfs sv {};
  EXPECT_EQ(::statvfs(mnt_.c_str(), &sv), -1);
  EXPECT_EQ(errno, ENOTCONN);
  RunResult r = weft::testing::Run(MountArgs());
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_EQ(ReadFileOrDie(mnt_ + "/hello.txt"), "hello\n");
  EXPECT_EQ(weft::testing::Run({Weft(), "umount", mnt_}).exit_code(), 0);
  EXPECT_EQ(MountTypeAt(mnt_), "");
}

TEST_F(MountCli, RefusesBadArgumentsClearly) {
  RunResult none = weft::testing::Run({Weft(), "mount"});
  EXPECT_EQ(none.exit_code(), 2);
  RunResult inside = weft::testing::Run({Weft(), "mount", tmp_.Join("proj"), "--workspace", tmp_.Join("proj"), "--state",
                          tmp_.Join("state"), "--foreground"});
  EXPECT_EQ(inside.exit_code(), 1);
  EXPECT_NE(inside.err.find("the mount would serve itself"), std::string::npos) << inside.err;
  RunResult not_mounted = weft::testing::Run({Weft(), "umount", mnt_});
  EXPECT_EQ(not_mounted.exit_code(), 1);
  EXPECT_NE(not_mounted.err.find("is not a weft mount"), std::string::npos) << not_mounted.err;
  RunResult unknown = weft::testing::Run({Weft(), "mount", mnt_, "--workspace", "no-such-workspace", "--state", tmp_.Join("state")});
  EXPECT_EQ(unknown.exit_code(), 1);
  EXPECT_EQ(MountTypeAt(mnt_), "");
}

}  // namespace
}  // namespace weft::testing
