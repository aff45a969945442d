// What every git op shares: finding git, locating the repository a call
// names (inside the workspace, never above its bind), running git isolated
// from the user's configuration and from anything that could run code or
// wait on a terminal, checking the revisions and paths callers pass, and
// turning git's failures into errors a model can act on. docs/git.md.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/fd.h"
#include "core/base/json.h"
#include "core/base/result.h"
#include "core/base/utf8.h"
#include "core/ns/workspace.h"
#include "core/proc/spawn.h"
#include "core/venoms/git/git_venom.h"
#include "core/venoms/registry.h"

namespace weft::venoms::git {

// Shared by the ops of one registration; lives as long as the handlers.
// Thread-safe.
class GitState {
 public:
  GitState(const ns::Workspaces& workspaces, GitOptions options);

  const ns::Workspaces& workspaces() const { return workspaces_; }
  const GitOptions& options() const { return options_; }
  proc::Spawner& spawner() const { return *spawner_; }

  // The git binary: options.git, else $WEFT_GIT, else `git` on PATH. Found
  // once and remembered; a failure (kFailedPrecondition saying how to
  // install git) is looked up again on the next call.
  Result<std::string> GitBinary();
  void ForgetGitBinary();

 private:
  const ns::Workspaces& workspaces_;
  GitOptions options_;
  proc::Spawner* spawner_;
  proc::ProgramCache git_;
};

// The error for a missing git, naming where weft looked.
Status GitMissing(std::string_view looked);

using EnvList = std::vector<std::pair<std::string, std::string>>;

// A directory git runs in, resolved beneath its bind: for most ops the top
// level of the repository's work tree (so every path git prints or takes
// is relative to it), for git_init the directory to initialise.
struct Repo {
  const ns::Workspace* ws = nullptr;
  const ns::Mount* mount = nullptr;
  int root_fd = -1;       // the bind's root (O_PATH), owned by the workspace
  std::string bind_real;  // the bind root's real host path ("/proc/self/fd" of its fd)
  std::string ns_root;    // namespace path of `dir`
  UniqueFd dir;           // git's working directory
  bool write = false;     // the op changes the repository (no GIT_OPTIONAL_LOCKS=0)
  bool hooks = false;     // the repository's hooks may run (git_commit with run_hooks)
  // Config that neutralises the repository's filter and merge drivers
  // (programs named in .git/config), added to the isolation config.
  EnvList driver_config;
};

// Locates the `path` argument (default "/") and opens it as a directory.
// `write`: refused on a read-only bind or workspace. Errors name the
// namespace path.
Result<Repo> OpenDirectory(const ns::Workspace& ws, std::string_view user_path, bool write);

// OpenDirectory, then finds the repository that directory lies in and
// makes the repository's top level the working directory. Refuses a
// directory in no repository, a bare repository, and a repository whose
// work tree or git directory lies outside the bind (git's upward search
// stops at the bind root: GIT_CEILING_DIRECTORIES). `worktree_content`: the
// op reads or writes file contents in the work tree, so the repository's
// filter and merge drivers are listed and neutralised.
Result<Repo> OpenRepo(GitState& state, Context& ctx, const Json& args, bool write, bool worktree_content);

// One git invocation: `args` follow "git"; `env` goes on top of the
// isolation environment.
struct GitCall {
  std::vector<std::string> args;
  std::optional<std::string> stdin_data;
  size_t stdout_cap = 8 << 20;
  EnvList env;
};

// Runs git in repo.dir with the isolation environment (GitEnvironment).
// An error when git is missing, timed out (kDeadlineExceeded) or the call
// was cancelled; any exit status is a result.
Result<proc::ProcessResult> RunGit(GitState& state, Context& ctx, const Repo& repo, GitCall call);
// RunGit that also requires exit status 0; otherwise GitFailure.
Result<proc::ProcessResult> RunGitOk(GitState& state, Context& ctx, const Repo& repo, GitCall call);

// The environment every git run gets (on top of core/proc's curated one):
// no global or system config (GIT_CONFIG_GLOBAL=/dev/null,
// GIT_CONFIG_NOSYSTEM), no pager, editor, terminal prompt or lazy fetch,
// the ceiling at the bind root's parent, and config
// overrides (GIT_CONFIG_COUNT/KEY/VALUE, which reach child gits too) that
// switch off hooks, fsmonitor, signing, colour, auto gc and every transport.
EnvList GitEnvironment(const Repo& repo);

// A failed git run as a tool error carrying git's message (stderr, else
// stdout), host paths replaced by namespace paths.
Status GitFailure(const Repo& repo, const proc::ProcessResult& run, std::string_view subcommand);

// Host paths of the repository's bind in `text` replaced by namespace paths.
std::string ScrubHostPaths(const Repo& repo, std::string text);

// Refuses a revision, branch name or other ref-like value that git could
// read as an option (it begins with '-') or that cannot be an argument (NUL,
// line breaks, empty). `what` names the argument in the message.
Status CheckRevision(std::string_view what, std::string_view value);

// The string argument `key` when present, checked with CheckRevision.
Result<std::optional<std::string>> RevisionArg(const Json& args, const char* key);

// The array argument `key` of namespace paths as literal pathspecs
// (":(literal)<path relative to the top level>", "." for the top level
// itself), for after "--". Refuses paths that begin with '-' (say ./-x),
// '..', and paths outside the repository.
Result<std::vector<std::string>> RepoPathsArg(const Repo& repo, const Json& args, const char* key);
// One path relative to the top level, checked the same way (a file name,
// not a pathspec).
Result<std::string> RepoPath(const Repo& repo, std::string_view user_path);

// The namespace path of `rel`, a path relative to the repository's top
// level (or a pathspec from RepoPathsArg).
std::string NsPath(const Repo& repo, std::string_view rel);

// The text of a capped output: its first `max` bytes (cut at a line end
// when one is near, never inside a UTF-8 sequence), valid UTF-8.
std::string CapText(std::string_view bytes, size_t max, bool* cut);

}  // namespace weft::venoms::git
