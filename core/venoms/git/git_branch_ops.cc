// Branches and stashes: branch_list, branch_create, branch_delete,
// checkout (git switch), stash_list, stash_push, stash_pop.
#include "core/base/strings.h"
#include "core/venoms/args.h"
#include "core/venoms/git/git_ops.h"

namespace weft::venoms::git {
namespace {

constexpr size_t kMaxBranches = 2000;

Result<std::string> NameArg(const Json& args, const char* key) {
  std::string value = StringArg(args, key);
  WEFT_RETURN_IF_ERROR(CheckRevision(key, value));
  return value;
}

// The commit a local branch points at, or nullopt when there is no such branch.
Result<std::optional<std::string>> BranchCommit(GitState& state, Context& ctx, const Repo& repo,
                                                const std::string& name) {
  GitCall call;
  call.args = {"rev-parse", "--verify", "--quiet", StrCat({"refs/heads/", name})};
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGit(state, ctx, repo, std::move(call)));
  if (!run.exited_ok()) return std::optional<std::string>();
  std::string commit = run.stdout_data.substr(0, run.stdout_data.find('\n'));
  return std::optional<std::string>(std::move(commit));
}

Result<Json> StashEntries(GitState& state, Context& ctx, const Repo& repo, size_t max) {
  GitCall call;
  call.args = {"stash", "list", "-z", "--no-color", "--format=%gd%x1f%H%x1f%gs%x1f%cI",
               StrCat({"--max-count=", std::to_string(max)})};
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(call)));
  Json out = Json::array();
  for (std::string_view record : Split(run.stdout_data, '\0')) {
    while (!record.empty() && record.front() == '\n') record.remove_prefix(1);
    std::vector<std::string_view> f = Split(record, '\x1f');
    if (f.size() < 4) continue;
    out.push_back({{"index", out.size()}, {"ref", std::string(f[0])}, {"commit", std::string(f[1])},
                   {"message", ValidUtf8(f[2])}, {"date", std::string(f[3])}});
  }
  return out;
}

}  // namespace

Result<Reply> BranchList(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/false, /*worktree_content=*/false));
  GitCall call;
  call.args = {"for-each-ref",
               "--format=%(HEAD)%1f%(refname)%1f%(refname:short)%1f%(objectname)%1f%(upstream:short)%1f"
               "%(upstream:track,nobracket)%1f%(committerdate:iso-strict)%1f%(subject)",
               "refs/heads"};
  if (BoolArg(args, "remotes", false)) call.args.push_back("refs/remotes");
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(call)));
  Json branches = Json::array();
  Json current = nullptr;
  std::string text;
  for (std::string_view line : Split(run.stdout_data, '\n')) {
    std::vector<std::string_view> f = Split(line, '\x1f');
    f.resize(8);
    if (f[1].ends_with("/HEAD") || branches.size() >= kMaxBranches) continue;  // origin/HEAD is an alias
    bool is_current = f[0] == "*";
    Json b = {{"name", ValidUtf8(f[2])},      {"commit", std::string(f[3])}, {"current", is_current},
              {"remote", f[1].starts_with("refs/remotes/")}, {"date", std::string(f[6])},
              {"subject", ValidUtf8(f[7])}};
    if (!f[4].empty()) {
      b["upstream"] = ValidUtf8(f[4]);
      std::optional<int64_t> ahead, behind;
      ParseTrack(f[5], &ahead, &behind);
      if (f[5] == "gone") b["upstream_gone"] = true;
      if (ahead) b["ahead"] = *ahead;
      if (behind) b["behind"] = *behind;
    }
    if (is_current) current = b["name"];
    text += StrCat({is_current ? "* " : "  ", b["name"].get<std::string>(), " ", std::string(f[3]).substr(0, 10),
                    " ", b["subject"].get<std::string>(), "\n"});
    branches.push_back(std::move(b));
  }
  if (branches.empty()) text = "No branches yet (the repository has no commits).\n";
  Json data = {{"repository", repo.ns_root}, {"current", current}, {"branches", branches}};
  return Reply::WithText(std::move(data), std::move(text));
}

Result<Reply> BranchCreate(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/true, /*worktree_content=*/false));
  WEFT_ASSIGN_OR_RETURN(std::string name, NameArg(args, "name"));
  WEFT_ASSIGN_OR_RETURN(std::optional<std::string> start, RevisionArg(args, "start_point"));
  GitCall call;
  call.args = {"branch", "--end-of-options", name};
  if (start) call.args.push_back(*start);
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(call)));
  WEFT_ASSIGN_OR_RETURN(std::optional<std::string> commit, BranchCommit(state, ctx, repo, name));
  if (!commit) return Status::Internal(StrCat({"git branch succeeded but refs/heads/", name, " does not exist"}));
  Json data = {{"repository", repo.ns_root}, {"name", name}, {"commit", *commit}};
  return Reply::WithText(std::move(data), StrCat({"Created branch ", name, " at ", commit->substr(0, 10),
                                                  ". Switch to it with git_checkout.\n"}));
}

Result<Reply> BranchDelete(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/true, /*worktree_content=*/false));
  WEFT_ASSIGN_OR_RETURN(std::string name, NameArg(args, "name"));
  WEFT_ASSIGN_OR_RETURN(std::optional<std::string> commit, BranchCommit(state, ctx, repo, name));
  if (!commit) {
    return Status::NotFound(StrCat({"no local branch named ", name, " (git_branch_list shows the branches)"}));
  }
  bool force = BoolArg(args, "force", false);
  GitCall call;
  call.args = {"branch", force ? "-D" : "-d", "--end-of-options", name};
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGit(state, ctx, repo, std::move(call)));
  if (!run.exited_ok()) {
    Status failure = GitFailure(repo, run, "branch");
    if (run.stderr_data.find("not fully merged") == std::string::npos) return failure;
    return Status::FailedPrecondition(StrCat({failure.message(), "\nThe branch has commits that no other branch "
                                              "holds; pass force: true to delete it anyway (those commits are "
                                              "then reachable only through the reflog)."}));
  }
  Json data = {{"repository", repo.ns_root}, {"name", name}, {"commit", *commit}};
  return Reply::WithText(std::move(data), StrCat({"Deleted branch ", name, " (was ", commit->substr(0, 10), ").\n"}));
}

Result<Reply> Checkout(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/true, /*worktree_content=*/true));
  WEFT_ASSIGN_OR_RETURN(std::string target, NameArg(args, "target"));
  WEFT_ASSIGN_OR_RETURN(std::optional<std::string> start, RevisionArg(args, "start_point"));
  bool create = BoolArg(args, "create", false);
  bool detach = BoolArg(args, "detach", false);
  if (create && detach) return Status::InvalidArgument("create and detach cannot be combined");
  if (start && !create) return Status::InvalidArgument("start_point is only used with create: true");
  GitCall call;
  call.args = {"switch", "--no-progress"};
  if (BoolArg(args, "force", false)) call.args.push_back("--discard-changes");
  if (detach) call.args.push_back("--detach");
  if (create) {
    call.args.push_back(StrCat({"--create=", target}));
    call.args.push_back("--end-of-options");
    if (start) call.args.push_back(*start);
  } else {
    call.args.push_back("--end-of-options");
    call.args.push_back(target);
  }
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGit(state, ctx, repo, std::move(call)));
  if (!run.exited_ok()) {
    Status failure = GitFailure(repo, run, "switch");
    if (run.stderr_data.find("a branch is expected") != std::string::npos) {
      return Status::FailedPrecondition(StrCat({failure.message(), "\n", target, " is not a branch: pass detach: "
                                                "true to check out that commit without a branch, or create: true "
                                                "to start a new branch named ", target}));
    }
    if (run.stderr_data.find("would be overwritten") != std::string::npos) {
      return Status::FailedPrecondition(StrCat({failure.message(), "\nCommit or stash (git_stash_push) the "
                                                "changes first, or pass force: true to discard them."}));
    }
    return failure;
  }
  WEFT_ASSIGN_OR_RETURN(StatusReport report, RunStatus(state, ctx, repo, "no"));
  Json data = {{"repository", repo.ns_root}, {"branch", BranchJson(report.branch)}};
  std::string text = report.branch.head ? StrCat({"Now on branch ", *report.branch.head})
                                        : StrCat({"HEAD is now detached at ", report.branch.oid.value_or("?")});
  return Reply::WithText(std::move(data), text + ".\n");
}

Result<Reply> StashList(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/false, /*worktree_content=*/false));
  WEFT_ASSIGN_OR_RETURN(Json entries, StashEntries(state, ctx, repo, 1000));
  std::string text;
  for (const Json& e : entries) {
    text += StrCat({e["ref"].get<std::string>(), ": ", e["message"].get<std::string>(), "\n"});
  }
  if (entries.empty()) text = "No stash entries.\n";
  return Reply::WithText({{"repository", repo.ns_root}, {"stashes", entries}}, std::move(text));
}

Result<Reply> StashPush(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/true, /*worktree_content=*/true));
  WEFT_ASSIGN_OR_RETURN(std::vector<std::string> paths, RepoPathsArg(repo, args, "paths"));
  GitCall call;
  call.args = {"stash", "push", "--quiet"};
  if (BoolArg(args, "include_untracked", false)) call.args.push_back("--include-untracked");
  if (BoolArg(args, "keep_index", false)) call.args.push_back("--keep-index");
  std::string message = StringArg(args, "message");
  if (!message.empty()) call.args.push_back(StrCat({"--message=", message}));
  if (!paths.empty()) call.args.push_back("--");
  for (std::string& p : paths) call.args.push_back(std::move(p));
  WEFT_ASSIGN_OR_RETURN(Json before, StashEntries(state, ctx, repo, 1));
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(call)));
  WEFT_ASSIGN_OR_RETURN(Json after, StashEntries(state, ctx, repo, 1));
  bool stashed = !after.empty() && (before.empty() || before[0]["commit"] != after[0]["commit"]);
  Json data = {{"repository", repo.ns_root}, {"stashed", stashed}};
  if (!stashed) return Reply::WithText(std::move(data), "No local changes to stash.\n");
  data["stash"] = after[0];
  return Reply::WithText(std::move(data), StrCat({"Saved as ", after[0]["ref"].get<std::string>(), ": ",
                                                  after[0]["message"].get<std::string>(), "\n"}));
}

Result<Reply> StashPop(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/true, /*worktree_content=*/true));
  int64_t index = IntArg(args, "index", 0);
  bool keep = BoolArg(args, "keep", false);
  std::string ref = StrCat({"stash@{", std::to_string(index), "}"});
  GitCall call;
  call.args = {"stash", keep ? "apply" : "pop", "--quiet", ref};
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGit(state, ctx, repo, std::move(call)));
  if (!run.exited_ok()) {
    Status failure = GitFailure(repo, run, StrCat({"stash ", keep ? "apply" : "pop"}));
    std::string all = run.stdout_data + run.stderr_data;
    if (all.find("CONFLICT") != std::string::npos || all.find("conflict") != std::string::npos) {
      return Status::FailedPrecondition(StrCat({failure.message(), "\nThe stash was applied with conflicts and is "
                                                "kept; resolve the conflicted files (git_status lists them), then "
                                                "stage them with git_add."}));
    }
    return failure;
  }
  WEFT_ASSIGN_OR_RETURN(StatusReport report, RunStatus(state, ctx, repo, "normal"));
  Json changed = Json::array();
  for (const StatusEntry& e : report.entries) changed.push_back(NsPath(repo, e.path));
  Json data = {{"repository", repo.ns_root}, {"ref", ref}, {"dropped", !keep}, {"changed", changed}};
  return Reply::WithText(std::move(data), StrCat({"Applied ", ref, keep ? " (kept in the stash)" : " and dropped it",
                                                  "; ", std::to_string(changed.size()), " paths now differ from HEAD.\n"}));
}

}  // namespace weft::venoms::git
