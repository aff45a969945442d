// The sandbox's file system plan: what it shows where, in which order, and
// the paths it refuses. (Assembling it is tested through Launch.)
#include "core/agents/sandbox_fs.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace weft::agents {
namespace {

std::string Real(const std::string& path) {
  char real[PATH_MAX];
  return realpath(path.c_str(), real) != nullptr ? std::string(real) : path;
}

const MountPlan::Clone* CloneOf(const MountPlan& plan, const std::string& source) {
  for (const MountPlan::Clone& c : plan.clones) {
    if (c.source == source) return &c;
  }
  return nullptr;
}

// The index of the step attaching `source`, or -1.
int AttachStep(const MountPlan& plan, const std::string& source) {
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const MountPlan::Step& s = plan.steps[i];
    if (s.op == MountPlan::Op::kAttach && plan.clones[static_cast<size_t>(s.clone)].source == source) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(MountPlan, ShowsTheSystemReadOnlyAndThePathsWritableAtTheirPlace) {
  weft::testing::ScopedTempDir tmp;
  tmp.WriteFile("ws/a.txt", "x");
  std::string ws = Real(tmp.Join("ws"));
  Result<MountPlan> plan = BuildMountPlan(FsView{{ws}, {}, false});
  ASSERT_TRUE(plan.ok()) << plan.status();
  const MountPlan::Clone* usr = CloneOf(*plan, "/usr");
  ASSERT_NE(usr, nullptr);
  EXPECT_TRUE(usr->recursive);
  EXPECT_TRUE(usr->attr_set & MOUNT_ATTR_RDONLY);
  const MountPlan::Clone* mine = CloneOf(*plan, ws);
  ASSERT_NE(mine, nullptr);
  EXPECT_FALSE(mine->attr_set & MOUNT_ATTR_RDONLY);
  EXPECT_TRUE(mine->attr_set & MOUNT_ATTR_NOSUID);
  ASSERT_GE(AttachStep(*plan, ws), 0);
  EXPECT_EQ(plan->steps[static_cast<size_t>(AttachStep(*plan, ws))].path, ws.substr(1));
  for (const char* ro : {"/usr", "/etc", "/sys", "/proc"}) EXPECT_TRUE(Contains(plan->read_only_paths, ro)) << ro;
  for (const std::string& rw : {std::string("/dev"), std::string("/tmp"), ws}) {
    EXPECT_TRUE(Contains(plan->writable_paths, rw)) << rw;
  }
  EXPECT_EQ(plan->clone_fds.size(), plan->clones.size());
  // Nothing else of the host: no clone of /, /home, /root or /var.
  for (const char* hidden : {"/", "/home", "/root", "/var", "/run", "/tmp"}) {
    EXPECT_EQ(CloneOf(*plan, hidden), nullptr) << hidden;
  }
}

TEST(MountPlan, OuterPathsFirstAndWritableWinsOverReadOnly) {
  weft::testing::ScopedTempDir tmp;
  tmp.WriteFile("outer/inner/f", "x");
  std::string outer = Real(tmp.Join("outer")), inner = outer + "/inner";
  Result<MountPlan> plan = BuildMountPlan(FsView{{inner}, {inner, outer}, false});
  ASSERT_TRUE(plan.ok()) << plan.status();
  int o = AttachStep(*plan, outer), i = AttachStep(*plan, inner);
  ASSERT_GE(o, 0);
  ASSERT_GE(i, 0);
  EXPECT_LT(o, i);
  EXPECT_EQ(std::count_if(plan->clones.begin(), plan->clones.end(),
                          [&](const MountPlan::Clone& c) { return c.source == inner; }),
            1);
  EXPECT_FALSE(CloneOf(*plan, inner)->attr_set & MOUNT_ATTR_RDONLY);
  EXPECT_TRUE(CloneOf(*plan, outer)->attr_set & MOUNT_ATTR_RDONLY);
}

TEST(MountPlan, RefusesPathsThatWouldExposeTheHost) {
  weft::testing::ScopedTempDir tmp;
  struct Case {
    std::string path;
    StatusCode code;
  };
  for (const Case& c : {Case{"/", StatusCode::kInvalidArgument}, Case{"/proc/self", StatusCode::kInvalidArgument},
                        Case{"/dev/shm", StatusCode::kInvalidArgument}, Case{"/sys", StatusCode::kInvalidArgument},
                        Case{"relative", StatusCode::kInvalidArgument}, Case{"", StatusCode::kInvalidArgument},
                        Case{tmp.Join("missing"), StatusCode::kNotFound}}) {
    Result<MountPlan> plan = BuildMountPlan(FsView{{c.path}, {}, false});
    ASSERT_FALSE(plan.ok()) << c.path;
    EXPECT_EQ(plan.status().code(), c.code) << c.path << ": " << plan.status();
  }
}

TEST(MountPlan, DescribesTheStepThatFailed) {
  weft::testing::ScopedTempDir tmp;
  tmp.WriteFile("ws/a.txt", "x");
  std::string ws = Real(tmp.Join("ws"));
  Result<MountPlan> plan = BuildMountPlan(FsView{{ws}, {}, false});
  ASSERT_TRUE(plan.ok()) << plan.status();
  int step = AttachStep(*plan, ws);
  EXPECT_EQ(DescribeMountFailure(*plan, step), "mounting " + ws + " at " + ws);
  EXPECT_EQ(DescribeMountFailure(*plan, -1), "cloning " + plan->clones[0].source + " for the agent's view");
  EXPECT_EQ(DescribeMountFailure(*plan, kPivotFailed), "pivot_root into the agent's root");
}

TEST(MountPlan, ShowsResolvConfsTargetOnlyWithTheNetwork) {
  weft::testing::ScopedTempDir tmp;
  tmp.WriteFile("run/resolve/stub-resolv.conf", "nameserver 127.0.0.53\n");
  tmp.WriteFile("ws/a", "x");
  std::string target = Real(tmp.Join("run/resolve/stub-resolv.conf")), link = tmp.Join("resolv.conf");
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  FsView view{{Real(tmp.Join("ws"))}, {}, false, link};
  Result<MountPlan> cut = BuildMountPlan(view);
  view.network = true;
  Result<MountPlan> networked = BuildMountPlan(view);
  ASSERT_TRUE(cut.ok() && networked.ok());
  EXPECT_EQ(CloneOf(*cut, target), nullptr);
  ASSERT_NE(CloneOf(*networked, target), nullptr);
  EXPECT_TRUE(CloneOf(*networked, target)->attr_set & MOUNT_ATTR_RDONLY);
}

}  // namespace
}  // namespace weft::agents
