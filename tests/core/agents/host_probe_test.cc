// ProbeHost: cached, consistent, and every missing feature explained.
#include "core/agents/host_probe.h"

#include <gtest/gtest.h>

#include "core/agents/landlock.h"

namespace weft::agents {
namespace {

TEST(ProbeHost, IsProbedOnceAndAgreesWithAFreshProbe) {
  const HostSupport& first = ProbeHost();
  EXPECT_EQ(&first, &ProbeHost());
  HostSupport fresh = ProbeHostNow();
  EXPECT_EQ(fresh.userns.ok, first.userns.ok);
  EXPECT_EQ(fresh.netns.ok, first.netns.ok);
  EXPECT_EQ(fresh.landlock_abi, first.landlock_abi);
  EXPECT_EQ(fresh.seccomp.ok, first.seccomp.ok);
  EXPECT_EQ(fresh.cgroup.layout, first.cgroup.layout);
  EXPECT_EQ(fresh.cgroup.v2_dir, first.cgroup.v2_dir);
  EXPECT_EQ(fresh.bwrap, first.bwrap);
}

TEST(ProbeHost, ExplainsEveryMissingFeatureAndHowToFixIt) {
  const HostSupport& host = ProbeHost();
  for (const FeatureSupport* f : {&host.userns, &host.netns, &host.landlock, &host.seccomp}) {
    if (f->ok) {
      EXPECT_TRUE(f->why.empty()) << f->why;
    } else {
      EXPECT_FALSE(f->why.empty());
      EXPECT_FALSE(f->fix.empty()) << f->why;
    }
  }
  bool limits_missing = host.cgroup.MemoryMechanism().empty() || host.cgroup.PidsMechanism().empty();
  EXPECT_EQ(host.cgroup.why.empty(), !limits_missing) << host.cgroup.why;
  if (limits_missing) {
    EXPECT_FALSE(host.cgroup.fix.empty());
  }
}

TEST(ProbeHost, LandlockAbiIsTheKernels) {
  int err = 0;
  EXPECT_EQ(ProbeHost().landlock_abi, landlock::ProbeAbi(&err));
  EXPECT_EQ(ProbeHost().landlock.ok, ProbeHost().landlock_abi > 0);
}

TEST(CgroupSupport, LimitsUseV2ControllersFirstThenV1) {
  CgroupSupport cg;
  EXPECT_EQ(cg.MemoryMechanism(), "");
  EXPECT_EQ(cg.PidsMechanism(), "");
  cg.v1_memory_dir = "/sys/fs/cgroup/memory";
  cg.v1_pids_dir = "/sys/fs/cgroup/pids";
  EXPECT_EQ(cg.MemoryMechanism(), "cgroup v1 memory.limit_in_bytes");
  EXPECT_EQ(cg.PidsMechanism(), "cgroup v1 pids.max");
  cg.v2_dir = "/sys/fs/cgroup/weft.service";
  cg.v2_controllers = {"cpu", "memory"};
  EXPECT_EQ(cg.MemoryMechanism(), "cgroup v2 memory.max");
  EXPECT_EQ(cg.PidsMechanism(), "cgroup v1 pids.max");
  cg.v2_dir.clear();  // controllers of a v2 cgroup weft cannot write to are no use
  EXPECT_EQ(cg.MemoryMechanism(), "cgroup v1 memory.limit_in_bytes");
}

}  // namespace
}  // namespace weft::agents
