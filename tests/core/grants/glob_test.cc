// Tool globs: syntax, matching, and the containment Derive narrows by,
// checked against brute force over every short name.
#include "core/grants/glob.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace weft::grants {
namespace {

TEST(ToolGlob, AcceptsNamesAndWildcards) {
  for (const char* g : {"*", "fs_*", "fs_read", "git_*_list", "a?c", "x.y-z", "**"}) {
    EXPECT_TRUE(CheckToolGlob(g).ok()) << g;
  }
}

TEST(ToolGlob, RefusesOtherCharactersSayingWhich) {
  Status s = CheckToolGlob("fs_[rw]*");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'['"), std::string::npos) << s;
  EXPECT_FALSE(CheckToolGlob("").ok());
  EXPECT_FALSE(CheckToolGlob("fs read").ok());
  EXPECT_NE(CheckToolGlob(std::string("a\nb")).message().find("control character"), std::string::npos);
  EXPECT_FALSE(CheckToolGlob(std::string(kMaxGlobLength + 1, 'a')).ok());
  EXPECT_TRUE(CheckToolGlob(std::string(kMaxGlobLength, 'a')).ok());
}

TEST(ToolGlob, Matches) {
  EXPECT_TRUE(GlobMatches("*", ""));
  EXPECT_TRUE(GlobMatches("*", "fs_read"));
  EXPECT_TRUE(GlobMatches("fs_*", "fs_read"));
  EXPECT_TRUE(GlobMatches("fs_*", "fs_"));
  EXPECT_FALSE(GlobMatches("fs_*", "git_status"));
  EXPECT_TRUE(GlobMatches("git_*_list", "git_branch_list"));
  EXPECT_FALSE(GlobMatches("git_*_list", "git_branch_create"));
  EXPECT_TRUE(GlobMatches("fs_rea?", "fs_read"));
  EXPECT_FALSE(GlobMatches("fs_rea?", "fs_rea"));
  EXPECT_FALSE(GlobMatches("fs_read", "fs_read_many"));
  EXPECT_TRUE(GlobMatches("*a*a*a*", "aaa"));
  EXPECT_FALSE(GlobMatches("*a*a*a*b", std::string(200, 'a')));
}

// Every string over {a, b} up to `max_len` characters.
std::vector<std::string> AllNames(size_t max_len) {
  std::vector<std::string> out = {""};
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].size() < max_len) {
      out.push_back(out[i] + "a");
      out.push_back(out[i] + "b");
    }
  }
  return out;
}

std::string RandomGlob(std::mt19937& rng) {
  static const char kSymbols[] = {'a', 'b', '*', '?'};
  std::uniform_int_distribution<int> len(0, 4);
  std::uniform_int_distribution<int> sym(0, 3);
  std::string g;
  for (int i = len(rng); i > 0; --i) g += kSymbols[sym(rng)];
  return g.empty() ? "*" : g;
}

TEST(ToolGlob, WithinIsSoundAgainstEveryShortName) {
  // Containment claimed by GlobWithin must hold for every name: 8 symbols
  // bound what globs of 4 symbols can tell apart.
  std::vector<std::string> names = AllNames(8);
  std::mt19937 rng(7);
  int claimed = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string narrow = RandomGlob(rng);
    std::string wide = RandomGlob(rng);
    if (!GlobWithin(narrow, wide)) continue;
    ++claimed;
    for (const std::string& name : names) {
      if (GlobMatches(narrow, name)) {
        ASSERT_TRUE(GlobMatches(wide, name)) << narrow << " within " << wide << " but " << name;
      }
    }
  }
  EXPECT_GT(claimed, 300);  // the test saw many containments, not a vacuous few
}

TEST(ToolGlob, WithinRecognisesTheUsualShapes) {
  EXPECT_TRUE(GlobWithin("fs_read", "*"));
  EXPECT_TRUE(GlobWithin("fs_read", "fs_*"));
  EXPECT_TRUE(GlobWithin("fs_*", "*"));
  EXPECT_TRUE(GlobWithin("fs_*", "fs_*"));
  EXPECT_TRUE(GlobWithin("fs_re*", "fs_*"));
  EXPECT_TRUE(GlobWithin("git_*_list", "git_*"));
  EXPECT_TRUE(GlobWithin("fs_rea?", "fs_*"));
  EXPECT_FALSE(GlobWithin("*", "fs_*"));
  EXPECT_FALSE(GlobWithin("fs_*", "fs_read"));
  EXPECT_FALSE(GlobWithin("fs_*", "*_read"));
  EXPECT_FALSE(GlobWithin("fs_*", "fs_?*"));  // "fs_" itself is not within
  EXPECT_FALSE(GlobWithin("git_*", "fs_*"));
}

}  // namespace
}  // namespace weft::grants
