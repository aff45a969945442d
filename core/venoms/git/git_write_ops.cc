// The write side of the git venom: add, commit (with the identity rules of
// docs/git.md), restore and init.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/strings.h"
#include "core/venoms/args.h"
#include "core/venoms/git/git_ops.h"

namespace weft::venoms::git {
namespace {

struct Identity {
  std::string name;
  std::string email;
};

// user.name and user.email from `git config` output (-z --get-regexp).
void ReadIdentity(std::string_view z, Identity* id) {
  for (std::string_view record : Split(z, '\0')) {
    size_t nl = record.find('\n');
    if (nl == std::string_view::npos) continue;
    std::string key(record.substr(0, nl));
    std::string value(record.substr(nl + 1));
    if (key == "user.name" && id->name.empty()) id->name = value;
    if (key == "user.email" && id->email.empty()) id->email = value;
  }
}

// The user's own git config files, most important first: GitOptions's
// identity_config, else ~/.gitconfig then $XDG_CONFIG_HOME/git/config (the
// order in which git lets them override each other).
std::vector<std::string> UserConfigFiles(const GitOptions& options) {
  if (!options.identity_config.empty()) return {options.identity_config};
  std::vector<std::string> out;
  const char* home = getenv("HOME");
  const char* xdg = getenv("XDG_CONFIG_HOME");
  if (home != nullptr && *home != '\0') out.push_back(StrCat({home, "/.gitconfig"}));
  if (xdg != nullptr && *xdg != '\0') {
    out.push_back(StrCat({xdg, "/git/config"}));
  } else if (home != nullptr && *home != '\0') {
    out.push_back(StrCat({home, "/.config/git/config"}));
  }
  return out;
}

// Who a commit is made as when the repository's own config does not say:
// the user's identity from their git config (read for user.* only, never
// applied wholesale), then the author the call names. Returns the
// environment that fills in what the repository lacks; an error when
// nothing names an identity.
Result<EnvList> CommitIdentity(GitState& state, Context& ctx, const Repo& repo, const std::optional<Identity>& author) {
  const char* kUserKeys = R"(^user\.(name|email)$)";
  GitCall local;
  local.args = {"config", "-z", "--get-regexp", kUserKeys};
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGit(state, ctx, repo, std::move(local)));
  Identity repo_id;
  ReadIdentity(run.stdout_data, &repo_id);
  if (!repo_id.name.empty() && !repo_id.email.empty()) return EnvList{};
  Identity fallback;
  for (const std::string& file : UserConfigFiles(state.options())) {
    if (access(file.c_str(), R_OK) != 0) continue;
    GitCall user;
    user.args = {"config", "-z", "--includes", "--file", file, "--get-regexp", kUserKeys};
    WEFT_ASSIGN_OR_RETURN(proc::ProcessResult r, RunGit(state, ctx, repo, std::move(user)));
    ReadIdentity(r.stdout_data, &fallback);
  }
  if (author) {
    if (fallback.name.empty()) fallback.name = author->name;
    if (fallback.email.empty()) fallback.email = author->email;
  }
  Identity id = {repo_id.name.empty() ? fallback.name : repo_id.name,
                 repo_id.email.empty() ? fallback.email : repo_id.email};
  if (id.name.empty() || id.email.empty()) {
    return Status::FailedPrecondition(
        "no identity to commit as: neither the repository's config nor the user's git config sets user.name and "
        "user.email. Pass author: {name, email} (it is then used as the committer too), or ask the user to set "
        "their identity (`git config --global user.name \"…\"` and `git config --global user.email …`, or the "
        "same without --global for this repository only).");
  }
  return EnvList{{"GIT_AUTHOR_NAME", id.name},
                 {"GIT_AUTHOR_EMAIL", id.email},
                 {"GIT_COMMITTER_NAME", id.name},
                 {"GIT_COMMITTER_EMAIL", id.email}};
}

Result<std::optional<Identity>> AuthorArg(const Json& args) {
  auto it = args.find("author");
  if (it == args.end() || !it->is_object()) return std::optional<Identity>();
  Identity id{it->value("name", ""), it->value("email", "")};
  for (const std::string* s : {&id.name, &id.email}) {
    if (s->find_first_of("<>\n\r") != std::string::npos || s->find('\0') != std::string::npos) {
      return Status::InvalidArgument("author name and email may not contain '<', '>' or line breaks");
    }
  }
  return std::optional<Identity>(std::move(id));
}

bool NothingToCommit(const proc::ProcessResult& run) {
  for (const std::string* out : {&run.stdout_data, &run.stderr_data}) {
    if (out->find("nothing to commit") != std::string::npos || out->find("nothing added to commit") != std::string::npos ||
        out->find("no changes added to commit") != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<Reply> Add(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/true, /*worktree_content=*/true));
  WEFT_ASSIGN_OR_RETURN(std::vector<std::string> paths, RepoPathsArg(repo, args, "paths"));
  bool all = BoolArg(args, "all", false);
  if (paths.empty() && !all) {
    return Status::InvalidArgument("name the paths to stage, or pass all: true to stage every change in the repository");
  }
  GitCall call;
  call.args = {"add"};
  if (all) call.args.push_back("--all");
  call.args.push_back("--");
  for (std::string& p : paths) call.args.push_back(std::move(p));
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(call)));
  WEFT_ASSIGN_OR_RETURN(StatusReport report, RunStatus(state, ctx, repo, "no"));
  Json staged = Json::array();
  std::string text;
  for (const StatusEntry& e : report.entries) {
    if (e.index == '.' || e.kind == StatusEntry::Kind::kUnmerged) continue;
    staged.push_back({{"path", NsPath(repo, e.path)}, {"index", std::string(1, e.index)}});
    text += StrCat({std::string(1, e.index), " ", NsPath(repo, e.path), "\n"});
  }
  text += StrCat({std::to_string(staged.size()), staged.size() == 1 ? " path" : " paths",
                  " staged for the next commit.\n"});
  return Reply::WithText({{"repository", repo.ns_root}, {"staged", staged}}, std::move(text));
}

Result<Reply> Commit(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/true, /*worktree_content=*/true));
  bool run_hooks = BoolArg(args, "run_hooks", false);
  if (run_hooks && !state.options().allow_hooks) {
    return Status::PermissionDenied(
        "run_hooks: this server does not run repository hooks (they are programs from the repository). Commit "
        "without run_hooks, or run the hook's checks yourself (e.g. with a terminal tool) before committing.");
  }
  repo.hooks = run_hooks;
  std::string message = StringArg(args, "message");
  if (message.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("the commit message is empty: say what the commit changes");
  }
  WEFT_ASSIGN_OR_RETURN(std::optional<Identity> author, AuthorArg(args));
  WEFT_ASSIGN_OR_RETURN(EnvList identity, CommitIdentity(state, ctx, repo, author));
  GitCall call;
  call.args = {"commit", "--quiet", "--file=-", "--cleanup=whitespace"};
  if (!run_hooks) call.args.push_back("--no-verify");
  if (BoolArg(args, "all", false)) call.args.push_back("--all");
  if (BoolArg(args, "allow_empty", false)) call.args.push_back("--allow-empty");
  if (author) call.args.push_back(StrCat({"--author=", author->name, " <", author->email, ">"}));
  call.stdin_data = message;
  call.env = std::move(identity);
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGit(state, ctx, repo, std::move(call)));
  if (!run.exited_ok()) {
    if (NothingToCommit(run)) {
      return Status::FailedPrecondition(
          "nothing to commit: no changes are staged. Stage them with git_add (or pass all: true to commit every "
          "change to tracked files), or pass allow_empty: true to make a commit without changes.");
    }
    return GitFailure(repo, run, "commit");
  }
  GitCall log;
  log.args = {"log", "-1", "-z", "--no-color", kLogFormat, "HEAD", "--"};
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult shown, RunGitOk(state, ctx, repo, std::move(log)));
  Json commit = CommitJson(std::string_view(shown.stdout_data).substr(0, shown.stdout_data.find('\0')));
  WEFT_ASSIGN_OR_RETURN(StatusReport report, RunStatus(state, ctx, repo, "no"));
  Json data = {{"repository", repo.ns_root}, {"commit", commit}, {"branch", BranchJson(report.branch)}};
  std::string text = StrCat({"[", report.branch.head.value_or("detached HEAD"), " ",
                             commit["commit"].get<std::string>().substr(0, 10), "] ",
                             commit["subject"].get<std::string>(), "\n"});
  return Reply::WithText(std::move(data), std::move(text));
}

Result<Reply> Restore(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/true, /*worktree_content=*/true));
  WEFT_ASSIGN_OR_RETURN(std::vector<std::string> paths, RepoPathsArg(repo, args, "paths"));
  WEFT_ASSIGN_OR_RETURN(std::optional<std::string> source, RevisionArg(args, "source"));
  if (paths.empty()) return Status::InvalidArgument("name the paths to restore");
  bool staged = BoolArg(args, "staged", false);
  bool worktree = BoolArg(args, "worktree", !staged);
  if (!staged && !worktree) return Status::InvalidArgument("staged and worktree are both false: nothing to restore");
  GitCall call;
  // restore takes no --end-of-options in git 2.39 (it would be read as a
  // path): source is checked and attached to its option, paths follow "--".
  call.args = {"restore"};
  if (staged) call.args.push_back("--staged");
  if (worktree) call.args.push_back("--worktree");
  if (source) call.args.push_back(StrCat({"--source=", *source}));
  call.args.push_back("--");
  Json restored = Json::array();
  for (std::string& p : paths) {
    restored.push_back(NsPath(repo, p));
    call.args.push_back(std::move(p));
  }
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(call)));
  Json data = {{"repository", repo.ns_root}, {"restored", restored}, {"staged", staged}, {"worktree", worktree}};
  if (source) data["source"] = *source;
  std::string what = staged && worktree ? "index and work tree" : staged ? "index (unstaged)" : "work tree";
  return Reply::WithText(std::move(data), StrCat({"Restored ", std::to_string(restored.size()),
                                                  restored.size() == 1 ? " path" : " paths", " in the ", what,
                                                  source ? StrCat({" from ", *source}) : "", ".\n"}));
}

Result<Reply> Init(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace* ws, WorkspaceArg(ctx, state.workspaces(), args));
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenDirectory(*ws, StringArg(args, "path", ws->DefaultDir()), /*write=*/true));
  std::string branch = StringArg(args, "initial_branch", "main");
  WEFT_RETURN_IF_ERROR(CheckRevision("initial_branch", branch));
  struct stat st;
  bool existed = fstatat(repo.dir.get(), ".git", &st, AT_SYMLINK_NOFOLLOW) == 0;
  GitCall call;
  call.args = {"init", "--quiet", StrCat({"--initial-branch=", branch})};
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(call)));
  Json data = {{"repository", repo.ns_root}, {"reinitialized", existed}};
  if (!existed) data["initial_branch"] = branch;
  return Reply::WithText(std::move(data),
                         existed ? StrCat({"Reinitialized the existing repository at ", repo.ns_root,
                                           " (nothing in it changed).\n"})
                                 : StrCat({"Initialized an empty repository at ", repo.ns_root, " on branch ",
                                           branch, ".\n"}));
}

}  // namespace weft::venoms::git
