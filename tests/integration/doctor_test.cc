// Integration tests: `weft doctor` on this host, as a table and as JSON, and
// what it says when a required program is missing.
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

std::string Weft() { return BinaryDir() + "/bin/weft"; }

const std::set<std::string> kChecks = {"FUSE", "user namespaces", "network namespaces", "Landlock", "seccomp",
                                       "cgroups", "git", "rg", "bwrap", "Node 22 (client tests)"};

TEST(DoctorCli, ReportsEveryCheckAsJson) {
  RunResult r = weft::testing::Run({Weft(), "doctor", "--json"});
  ASSERT_EQ(r.exit_code(), 0) << r.out << r.err;  // git is installed wherever the tests run
  nlohmann::json report = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out;
  EXPECT_TRUE(report.value("ok", false));
  std::set<std::string> names;
  for (const nlohmann::json& check : report["checks"]) {
    std::string name = check.value("name", "");
    names.insert(name);
    std::string status = check.value("status", "");
    EXPECT_TRUE(status == "ok" || status == "degraded" || status == "missing") << check.dump();
    EXPECT_FALSE(check.value("detail", "").empty()) << check.dump();
    // Anything short of ok says what it costs and how to fix it.
    if (status != "ok") {
      EXPECT_FALSE(check.value("consequence", "").empty()) << check.dump();
      EXPECT_FALSE(check.value("fix", "").empty()) << check.dump();
    }
    if (name == "git") {
      EXPECT_EQ(status, "ok") << check.dump();
      EXPECT_TRUE(check.value("required", false));
    }
  }
  EXPECT_EQ(names, kChecks);
}

TEST(DoctorCli, PrintsATableAndSaysWeftCanRun) {
  RunResult r = weft::testing::Run({Weft(), "doctor"});
  ASSERT_EQ(r.exit_code(), 0) << r.out << r.err;
  for (const std::string& name : kChecks) EXPECT_NE(r.out.find("  " + name + " "), std::string::npos) << name;
  EXPECT_NE(r.out.find("weft can run here."), std::string::npos) << r.out;
}

TEST(DoctorCli, FailsWhenGitIsMissing) {
  ScopedTempDir empty;
  RunResult r = weft::testing::Run({"env", "PATH=" + empty.path(), Weft(), "doctor", "--json"});
  EXPECT_EQ(r.exit_code(), 1) << r.out << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out;
  EXPECT_FALSE(report.value("ok", true));
  for (const nlohmann::json& check : report["checks"]) {
    if (check.value("name", "") != "git") continue;
    EXPECT_EQ(check.value("status", ""), "missing");
    EXPECT_EQ(check.value("fix", ""), "apt-get install git");
  }
}

TEST(DoctorCli, RefusesArguments) {
  RunResult r = weft::testing::Run({Weft(), "doctor", "everything"});
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_NE(r.err.find("unexpected argument 'everything'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace weft::testing
