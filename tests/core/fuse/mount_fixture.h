// MountTest: a temporary workspace (ws/) mounted at mnt/ for tests that need
// a real FUSE mount. Skips with a reason where the host cannot mount; the
// mount is gone after each test, even a failed one (TearDown stops it and
// detaches whatever is left).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/fuse/mount_session.h"
#include "core/ns/workspace.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::fuse::testing {

// Why this host cannot run mount tests, or "" when it can.
std::string FuseUnavailable();

// The whole content of a file, or "<error: …>".
std::string Slurp(const std::string& path);
void Spill(const std::string& path, const std::string& content);
bool Exists(const std::string& path);

struct ExtraBind {
  std::string ns_path;  // e.g. "/docs"
  std::string rel_dir;  // host directory, relative to the temp dir
  bool read_only = false;
};

class MountTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Mounts ws/ (plus `binds`) at mnt/; fails the test on error.
  void Mount(const MountOptions& options = {}, weftdir::SyntheticTree* tree = nullptr,
             const std::vector<ExtraBind>& binds = {});
  void Unmount() { session_.reset(); }

  std::string M(const std::string& rel) const { return mnt_ + "/" + rel; }  // through the mount
  std::string W(const std::string& rel) const { return ws_ + "/" + rel; }   // the host side
  // Runs `script` with sh -c in directory `cwd`; returns {exit code, stdout + stderr}.
  std::pair<int, std::string> Sh(const std::string& script, const std::string& cwd);

  weft::testing::ScopedTempDir tmp_;
  std::string ws_, mnt_;
  std::unique_ptr<ns::Workspace> workspace_;
  std::unique_ptr<MountSession> session_;
};

}  // namespace weft::fuse::testing
