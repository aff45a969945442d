// MountTest: mounting a temporary workspace for tests.
#include "tests/core/fuse/mount_fixture.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/fuse/mount_point.h"

namespace weft::fuse::testing {

std::string FuseUnavailable() {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) return "no usable /dev/fuse on this host";
  if (::geteuid() != 0 && ::access("/usr/bin/fusermount3", X_OK) != 0 && ::access("/bin/fusermount3", X_OK) != 0) {
    return "not root and no fusermount3";
  }
  return "";
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "<error: cannot open " + path + ">";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Spill(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

void MountTest::SetUp() {
  if (std::string why = FuseUnavailable(); !why.empty()) GTEST_SKIP() << why;
  ws_ = tmp_.Join("ws");
  mnt_ = tmp_.Join("mnt");
  ASSERT_EQ(::mkdir(ws_.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(mnt_.c_str(), 0755), 0);
}

void MountTest::TearDown() {
  session_.reset();
  if (!mnt_.empty() && MountTypeAt(mnt_)) ::umount2(mnt_.c_str(), MNT_DETACH);
}

void MountTest::Mount(const MountOptions& options, weftdir::SyntheticTree* tree, const std::vector<ExtraBind>& binds) {
  ns::MountTable table;
  ASSERT_TRUE(table.Add("/", ns::Source{ns::Source::Kind::kHost, "", ws_, false}).ok());
  for (const ExtraBind& b : binds) {
    std::string dir = tmp_.Join(b.rel_dir);
    ::mkdir(dir.c_str(), 0755);
    ASSERT_TRUE(table.Add(b.ns_path, ns::Source{ns::Source::Kind::kHost, "", dir, b.read_only}).ok());
  }
  auto ws = ns::Workspace::Open("ws_test", "test", std::move(table), false);
  ASSERT_TRUE(ws.ok()) << ws.status();
  workspace_ = std::move(ws).value();
  auto session = MountSession::Start(*workspace_, mnt_, options, tree);
  ASSERT_TRUE(session.ok()) << session.status();
  session_ = std::move(session).value();
}

std::pair<int, std::string> MountTest::Sh(const std::string& script, const std::string& cwd) {
  weft::testing::RunResult r =
      weft::testing::Run({"sh", "-c", "cd \"$0\" && " + script, cwd}, "", std::chrono::seconds(120));
  return {r.exit_code(), r.out + r.err};
}

}  // namespace weft::fuse::testing
