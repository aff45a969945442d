// Command-line grants: --policy files (size, depth, JSON, schema) and how
// --allow, --deny and --read-only narrow them.
#include "mcp/cli/grant_setup.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace weft::cli {
namespace {

constexpr int64_t kNow = 1'700'000'000;

Flags Parse(const std::vector<std::string>& args) {
  Result<Flags> flags = Flags::Parse(args, {"read-only"}, {"allow", "deny", "policy"});
  EXPECT_TRUE(flags.ok()) << flags.status();
  return *flags;
}

TEST(GrantSetup, WithoutFlagsTheRulesAllowEverything) {
  Result<grants::Grant> rules = RulesFromFlags(Parse({}), kNow);
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->tools, std::vector<std::string>{"*"});
  EXPECT_EQ(rules->write_paths, std::vector<std::string>{"/"});
}

TEST(GrantSetup, FlagsNarrowThePolicyFile) {
  weft::testing::ScopedTempDir tmp;
  tmp.WriteFile("p.json", R"({"tools": ["fs_*", "search_*"], "read_paths": ["/src"], "max_calls": 9})");
  Result<grants::Grant> rules =
      RulesFromFlags(Parse({"--policy", tmp.Join("p.json"), "--allow", "fs_read", "--deny", "fs_list", "--read-only"}),
                     kNow);
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->tools, std::vector<std::string>{"fs_read"});
  EXPECT_EQ(rules->deny_tools, std::vector<std::string>{"fs_list"});
  EXPECT_EQ(rules->read_paths, std::vector<std::string>{"/src"});
  EXPECT_TRUE(rules->read_only());
  EXPECT_EQ(rules->max_calls, 9);
  // --allow cannot widen the policy.
  Result<grants::Grant> wider = RulesFromFlags(Parse({"--policy", tmp.Join("p.json"), "--allow", "git_*"}), kNow);
  ASSERT_FALSE(wider.ok());
  EXPECT_NE(wider.status().message().find("--allow/--deny"), std::string::npos) << wider.status();
}

TEST(GrantSetup, PolicyFilesAreCheckedBeforeTheyAreRead) {
  weft::testing::ScopedTempDir tmp;
  tmp.WriteFile("big.json", std::string(kMaxPolicyBytes + 1, ' '));
  tmp.WriteFile("deep.json", std::string(65, '[') + std::string(65, ']'));
  tmp.WriteFile("text.json", "read everything");
  tmp.WriteFile("wrong.json", R"({"tools": "fs_*"})");
  struct Case {
    std::string path;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{{tmp.Join("none.json"), "none.json"},
                                         {tmp.path(), "not a regular file"},
                                         {tmp.Join("big.json"), "a policy is at most"},
                                         {tmp.Join("deep.json"), "deeper than 64"},
                                         {tmp.Join("text.json"), "is not JSON"},
                                         {tmp.Join("wrong.json"), "/tools"}}) {
    Result<grants::GrantRequest> r = ReadPolicyFile(c.path);
    ASSERT_FALSE(r.ok()) << c.path;
    EXPECT_NE(r.status().message().find(c.says), std::string::npos) << c.path << ": " << r.status();
  }
}

}  // namespace
}  // namespace weft::cli
