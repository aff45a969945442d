// The git venom's op handlers, registered by git_venom.cc: the read side
// (git_read_ops.cc: status, diff, log, show, blame), branches and stashes
// (git_branch_ops.cc: branch_list, branch_create, branch_delete, checkout,
// stash_list, stash_push, stash_pop) and the write side (git_write_ops.cc:
// add, commit, restore, init).
#pragma once

#include <string>

#include "core/base/json.h"
#include "core/base/result.h"
#include "core/venoms/git/git_parse.h"
#include "core/venoms/git/git_run.h"
#include "core/venoms/registry.h"

namespace weft::venoms::git {

Result<Reply> StatusOp(GitState& state, Context& ctx, const Json& args);
Result<Reply> Diff(GitState& state, Context& ctx, const Json& args);
Result<Reply> Log(GitState& state, Context& ctx, const Json& args);
Result<Reply> Show(GitState& state, Context& ctx, const Json& args);
Result<Reply> Blame(GitState& state, Context& ctx, const Json& args);

Result<Reply> BranchList(GitState& state, Context& ctx, const Json& args);
Result<Reply> BranchCreate(GitState& state, Context& ctx, const Json& args);
Result<Reply> BranchDelete(GitState& state, Context& ctx, const Json& args);
Result<Reply> Checkout(GitState& state, Context& ctx, const Json& args);
Result<Reply> StashList(GitState& state, Context& ctx, const Json& args);
Result<Reply> StashPush(GitState& state, Context& ctx, const Json& args);
Result<Reply> StashPop(GitState& state, Context& ctx, const Json& args);

Result<Reply> Add(GitState& state, Context& ctx, const Json& args);
Result<Reply> Commit(GitState& state, Context& ctx, const Json& args);
Result<Reply> Restore(GitState& state, Context& ctx, const Json& args);
Result<Reply> Init(GitState& state, Context& ctx, const Json& args);

// Shared by the handlers (git_read_ops.cc).

// `git log` format of one commit (fields \x1f-separated; records end in
// \0 with -z) and the JSON of one such record (see schemas/git/log.output.json).
extern const char* const kLogFormat;
Json CommitJson(std::string_view record);

// `git status --porcelain=v2 --branch -z` in the repository.
Result<StatusReport> RunStatus(GitState& state, Context& ctx, const Repo& repo, const std::string& untracked);
// {name, commit, detached, upstream?, ahead?, behind?}
Json BranchJson(const StatusBranch& branch);

// The common start of the diff family: no colour, external diff drivers or
// textconv programs, renames found.
std::vector<std::string> DiffFlags();

}  // namespace weft::venoms::git
