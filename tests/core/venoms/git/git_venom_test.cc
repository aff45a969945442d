// The git venom's registration: every op, its right and annotations, and
// schemas that load (the registry refuses an op without both).
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "core/ns/workspace.h"
#include "core/venoms/git/git_venom.h"
#include "core/venoms/registry.h"

namespace weft::venoms {
namespace {

TEST(GitVenom, RegistersEveryOpWithItsRight) {
  ns::Workspaces workspaces;
  Registry registry;
  RegisterGitVenom(registry, workspaces);
  std::map<std::string, Right> expected = {
      {"status", Right::kGitRead},       {"diff", Right::kGitRead},           {"log", Right::kGitRead},
      {"show", Right::kGitRead},         {"blame", Right::kGitRead},          {"branch_list", Right::kGitRead},
      {"stash_list", Right::kGitRead},   {"add", Right::kGitWrite},           {"commit", Right::kGitWrite},
      {"branch_create", Right::kGitWrite}, {"branch_delete", Right::kGitWrite}, {"checkout", Right::kGitWrite},
      {"restore", Right::kGitWrite},     {"stash_push", Right::kGitWrite},    {"stash_pop", Right::kGitWrite},
      {"init", Right::kGitWrite},
  };
  ASSERT_EQ(registry.ops().size(), expected.size());
  for (const auto& [op, right] : expected) {
    const Op* found = registry.Find("git", op);
    ASSERT_NE(found, nullptr) << op;
    EXPECT_EQ(found->spec.right, right) << op;
    EXPECT_EQ(found->name, "git_" + op);
    EXPECT_NE(found->input, nullptr) << op;
    EXPECT_NE(found->output, nullptr) << op;
    EXPECT_FALSE(found->spec.nonblocking) << op;  // every op runs git
    EXPECT_FALSE(found->spec.annotations.open_world) << op;
  }
}

TEST(GitVenom, ReadOpsAreReadOnlyAndWriteOpsAreNot) {
  ns::Workspaces workspaces;
  Registry registry;
  RegisterGitVenom(registry, workspaces);
  for (const auto& op : registry.ops()) {
    bool read = op->spec.right == Right::kGitRead;
    EXPECT_EQ(op->spec.annotations.read_only, read) << op->name;
    if (read) {
      EXPECT_TRUE(op->spec.annotations.idempotent) << op->name;
    }
  }
  // What can lose work is marked destructive; what only adds is not.
  for (const char* op : {"branch_delete", "checkout", "restore"}) {
    EXPECT_TRUE(registry.Find("git", op)->spec.annotations.destructive) << op;
  }
  for (const char* op : {"add", "commit", "branch_create", "stash_push", "stash_pop", "init"}) {
    EXPECT_FALSE(registry.Find("git", op)->spec.annotations.destructive) << op;
  }
  EXPECT_FALSE(registry.Find("git", "commit")->spec.annotations.idempotent);
}

}  // namespace
}  // namespace weft::venoms
