// The git venom: the git CLI over repositories inside a workspace (status,
// diff, log, show, blame, branches, staging, commits, checkout, restore,
// stash, init), argv only, isolated from the user's git configuration.
// docs/git.md states the safety rules.
#pragma once

#include <chrono>
#include <string>

#include "core/ns/workspace.h"
#include "core/venoms/registry.h"

namespace weft::proc {
class Spawner;
}

namespace weft::venoms {

// How the git ops run git; the defaults suit a server.
struct GitOptions {
  // Runs git; null means proc::SystemSpawner(). Not owned; must outlive the registry.
  proc::Spawner* spawner = nullptr;
  // The git binary; empty means $WEFT_GIT when set, else `git` on PATH.
  std::string git;
  // Where a commit's identity comes from when neither the call nor the
  // repository's own config names one: this git config file, read for
  // user.name and user.email only. Empty means the user's global git config
  // (`git config --global`, i.e. ~/.gitconfig or $XDG_CONFIG_HOME/git/config).
  std::string identity_config;
  // Whether git_commit may run the repository's hooks when asked
  // (run_hooks: true). Hooks are programs from the repository, so this turns
  // git.write into running code; off, such a call is refused. Hooks never
  // run otherwise.
  bool allow_hooks = false;
  // Wall-clock limit of one git run; reaching it stops git and fails the op.
  std::chrono::milliseconds timeout{120'000};
};

// Registers git_status, git_diff, git_log, git_show, git_blame,
// git_branch_list, git_stash_list (git.read, read-only), then git_add,
// git_commit, git_branch_create, git_branch_delete, git_checkout,
// git_restore, git_stash_push, git_stash_pop and git_init (git.write).
// Handlers keep a reference to `workspaces`, which must outlive the
// registry's use.
void RegisterGitVenom(Registry& registry, const ns::Workspaces& workspaces);
void RegisterGitVenom(Registry& registry, const ns::Workspaces& workspaces, GitOptions options);

}  // namespace weft::venoms
