// The git venom's registration, in the order tools/list shows the ops: the
// read-only ops (git.read) first, then those that change the repository
// (git.write).
#include "core/venoms/git/git_venom.h"

#include <memory>

#include "core/venoms/git/git_ops.h"

namespace weft::venoms {
namespace {

// Said once in every description: where the repository is and how paths read.
#define WEFT_GIT_WHERE                                                                                           \
  " The repository is the one containing `path` (default \"/\"; any directory inside it works); it must lie "   \
  "inside the workspace. Paths in arguments and results are workspace paths (e.g. /src/main.c); patch text uses " \
  "git's repository-relative a/… b/… names."

constexpr const char* kStatusDescription =
    "Show the state of a git repository: the current branch (its commit, upstream, ahead/behind counts) and every "
    "changed, staged, renamed, conflicted (unmerged) and untracked path, like `git status`. Use it before staging "
    "or committing, and to see what an edit changed. Each entry has kind (changed, renamed, copied, unmerged, "
    "untracked, ignored), index (staged state) and worktree (unstaged state) as git's one-letter codes (M "
    "modified, A added, D deleted, R renamed, T type changed, . unchanged), and orig_path for renames. paths "
    "narrows it; untracked: \"no\" hides untracked files, \"all\" lists them one by one instead of by directory. "
    "At most `limit` entries (default 500)." WEFT_GIT_WHERE;

constexpr const char* kDiffDescription =
    "Show changes as a unified diff with per-file statistics. By default the work tree against the index "
    "(unstaged changes); staged: true shows what would be committed (index against HEAD); from alone compares a "
    "revision with the work tree (or with the index when staged); from and to compare two revisions (branches, "
    "tags, commits, HEAD~2, …). paths narrows it; stat_only: true returns only the file list and counts. The "
    "patch is capped at max_bytes (default 100000) with truncated: true and a marker when cut: narrow it with "
    "paths. Binary files are listed, not shown; textconv and external diff drivers are never run." WEFT_GIT_WHERE;

constexpr const char* kLogDescription =
    "List commits, newest first, like `git log`: each with its full hash, parents, author and committer (name, "
    "email, ISO 8601 date), subject and body. rev picks where to start (a branch, tag, commit, or a range such as "
    "main..feature; default HEAD); paths keeps commits that touched them; author, grep (message), since and until "
    "filter (git's syntax: since: \"2 weeks ago\" or \"2026-01-01\"). At most max_count commits (default 20, at "
    "most 500); when truncated, call again with skip set to next_skip." WEFT_GIT_WHERE;

constexpr const char* kShowDescription =
    "Show one commit: its metadata, the files it changed with counts, and its patch (capped at max_bytes, default "
    "100000; merges are shown against their first parent), like `git show`. rev defaults to HEAD. With file, "
    "show that file's content as of rev instead (e.g. rev: \"HEAD~3\", file: \"/src/main.c\"); binary content is "
    "not shown." WEFT_GIT_WHERE;

constexpr const char* kBlameDescription =
    "Show who last changed each line of a file and in which commit, like `git blame`. file is required; rev "
    "blames the file as of that revision (default: the work tree, where uncommitted lines show commit "
    "0000000000000000000000000000000000000000); start_line/end_line pick a range (default: 500 lines from "
    "start_line). Returns lines (line number, commit, text) and the commits they come from (author, email, date, "
    "summary); when truncated, continue from next_line." WEFT_GIT_WHERE;

constexpr const char* kBranchListDescription =
    "List the repository's local branches (remotes: true adds remote-tracking ones) with the commit each points "
    "at, its upstream and ahead/behind counts, and which one is current." WEFT_GIT_WHERE;

constexpr const char* kStashListDescription =
    "List the stash entries (stash@{0} is the newest) with their messages and dates. git_stash_push saves "
    "changes, git_stash_pop restores them." WEFT_GIT_WHERE;

constexpr const char* kAddDescription =
    "Stage changes for the next commit, like `git add`: the given paths (files or directories; new, modified "
    "and deleted files alike), or every change in the repository with all: true. Ignored files are refused. "
    "Returns every path now staged. Filter drivers (clean/smudge, e.g. git-lfs) are not run." WEFT_GIT_WHERE;

constexpr const char* kCommitDescription =
    "Record the staged changes as a new commit on the current branch, with message (required; the first line is "
    "the subject). all: true first stages every change to tracked files (not new files). Refuses to make a "
    "commit without changes unless allow_empty: true. author {name, email} sets the author; the committer is "
    "the repository's configured identity, else the user's own git identity, else the author. Hooks do not run "
    "unless run_hooks: true and the server allows it; no editor is ever opened. Returns the new commit." WEFT_GIT_WHERE;

constexpr const char* kBranchCreateDescription =
    "Create a local branch at start_point (a branch, tag or commit; default HEAD) without switching to it. Use "
    "git_checkout with create: true to create and switch at once." WEFT_GIT_WHERE;

constexpr const char* kBranchDeleteDescription =
    "Delete a local branch. Refused when its commits are not merged into the current branch or its upstream, "
    "unless force: true (those commits then survive only in the reflog). The current branch cannot be deleted."
    WEFT_GIT_WHERE;

constexpr const char* kCheckoutDescription =
    "Switch the work tree to a branch, like `git switch`: target is the branch to switch to (a remote branch's "
    "name creates a local tracking branch). create: true makes a new branch named target at start_point (default "
    "HEAD) and switches to it; detach: true checks out a commit or tag without a branch. Refused when local "
    "changes would be overwritten, unless force: true, which discards them. Use git_restore to restore "
    "individual files." WEFT_GIT_WHERE;

constexpr const char* kRestoreDescription =
    "Restore files, like `git restore`: by default discard unstaged changes in the work tree (from the index); "
    "staged: true unstages them instead (the index from HEAD, the work tree untouched); both staged and worktree "
    "true do both. source takes the content from a revision instead (e.g. HEAD~2). Discarded changes cannot be "
    "recovered." WEFT_GIT_WHERE;

constexpr const char* kStashPushDescription =
    "Save the work tree's and index's changes to tracked files in a new stash entry and revert them to HEAD, "
    "like `git stash push`. include_untracked: true stashes new files too; keep_index: true keeps what is staged; "
    "paths stashes only those; message names the entry. stashed is false when there was nothing to save."
    WEFT_GIT_WHERE;

constexpr const char* kStashPopDescription =
    "Apply a stash entry (index 0, the newest, by default) to the work tree and drop it, like `git stash pop`; "
    "keep: true applies it and keeps the entry (`git stash apply`). On conflicts the entry is kept and the call "
    "fails naming them." WEFT_GIT_WHERE;

constexpr const char* kInitDescription =
    "Create an empty git repository in the directory `path` (default \"/\", which must exist; create it with "
    "fs_mkdir), with initial_branch as the first branch (default \"main\"). Running it on an existing repository "
    "is safe and changes nothing. The directory must be inside the workspace on a writable bind.";

#undef WEFT_GIT_WHERE

using OpHandler = Result<Reply> (*)(git::GitState&, Context&, const Json&);

struct GitOp {
  const char* op;
  const char* title;
  const char* description;
  OpHandler handler;
  Annotations annotations;
  size_t max_result_chars = 0;
};

constexpr Annotations kRead{.read_only = true, .destructive = false, .idempotent = true, .open_world = false};
constexpr Annotations kAdditive{.read_only = false, .destructive = false, .idempotent = true, .open_world = false};
constexpr Annotations kAppend{.read_only = false, .destructive = false, .idempotent = false, .open_world = false};
constexpr Annotations kDiscard{.read_only = false, .destructive = true, .idempotent = true, .open_world = false};

}  // namespace

void RegisterGitVenom(Registry& registry, const ns::Workspaces& workspaces) {
  RegisterGitVenom(registry, workspaces, GitOptions{});
}

void RegisterGitVenom(Registry& registry, const ns::Workspaces& workspaces, GitOptions options) {
  auto state = std::make_shared<git::GitState>(workspaces, std::move(options));
  const GitOp read_ops[] = {
      {"status", "Git status", kStatusDescription, git::StatusOp, kRead, 0},
      {"diff", "Git diff", kDiffDescription, git::Diff, kRead, 2'200'000},
      {"log", "Git log", kLogDescription, git::Log, kRead, 0},
      {"show", "Show a commit or a file at a revision", kShowDescription, git::Show, kRead, 2'200'000},
      {"blame", "Git blame", kBlameDescription, git::Blame, kRead, 0},
      {"branch_list", "List branches", kBranchListDescription, git::BranchList, kRead, 0},
      {"stash_list", "List stash entries", kStashListDescription, git::StashList, kRead, 0},
  };
  // add and restore overwrite index entries or files with other content;
  // branch_delete and checkout (with force) can lose work; commit, stash
  // push/pop and branch_create each add something new when repeated.
  const GitOp write_ops[] = {
      {"add", "Stage changes", kAddDescription, git::Add, kAdditive, 0},
      {"commit", "Commit staged changes", kCommitDescription, git::Commit, kAppend, 0},
      {"branch_create", "Create a branch", kBranchCreateDescription, git::BranchCreate, kAdditive, 0},
      {"branch_delete", "Delete a branch", kBranchDeleteDescription, git::BranchDelete, kDiscard, 0},
      {"checkout", "Switch branches", kCheckoutDescription, git::Checkout, kDiscard, 0},
      {"restore", "Restore or unstage files", kRestoreDescription, git::Restore, kDiscard, 0},
      {"stash_push", "Stash changes", kStashPushDescription, git::StashPush, kAppend, 0},
      {"stash_pop", "Apply a stash entry", kStashPopDescription, git::StashPop, kAppend, 0},
      {"init", "Create a repository", kInitDescription, git::Init, kAdditive, 0},
  };
  // git finds the repository upward from `path`, and one repository can
  // span the whole workspace: every op needs its access on all of it.
  auto add = [&](const GitOp& op, Right right) {
    OpHandler handler = op.handler;
    registry.AddOrDie({
        .venom = "git",
        .op = op.op,
        .title = op.title,
        .description = op.description,
        .annotations = op.annotations,
        .right = right,
        .handler = [state, handler](Context& ctx, const Json& args) { return handler(*state, ctx, args); },
        .nonblocking = false,
        .max_result_chars = op.max_result_chars,
        .paths = {PathUse::Whole(right == Right::kGitRead ? PathAccess::kRead : PathAccess::kWrite)},
    });
  };
  for (const GitOp& op : read_ops) add(op, Right::kGitRead);
  for (const GitOp& op : write_ops) add(op, Right::kGitWrite);
}

}  // namespace weft::venoms
