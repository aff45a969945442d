// Running git for the git ops: the binary, the repository a call names, the
// isolation environment, argument checks and git's errors.
#include "core/venoms/git/git_run.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "core/base/fd.h"
#include "core/base/strings.h"
#include "core/ns/resolve.h"
#include "core/venoms/args.h"

namespace weft::venoms::git {
namespace {

constexpr size_t kMaxMessageBytes = 4000;  // of git's message in an error
constexpr int kMaxAlternatesDepth = 5;     // git's own limit on nested alternates
// Pathspec magic: the path names itself, no glob characters. Per path rather
// than GIT_LITERAL_PATHSPECS, which would also reach the pathspecs git
// passes its own subprocesses (git stash -u breaks under it).
constexpr std::string_view kLiteral = ":(literal)";

// Config every git run gets, as command-line config (GIT_CONFIG_KEY_n), so it
// beats the repository's own .git/config and reaches the gits git starts.
// Each entry closes a way for a repository to run a program or wait.
constexpr std::pair<const char*, const char*> kIsolationConfig[] = {
    {"core.pager", "cat"},
    {"core.editor", ":"},
    {"sequence.editor", ":"},
    {"core.fsmonitor", "false"},  // a hook program, or a background daemon
    {"core.quotePath", "false"},  // UTF-8 names as they are in patches
    {"color.ui", "false"},
    {"color.diff", "false"},
    {"color.status", "false"},
    {"color.branch", "false"},
    {"protocol.allow", "never"},  // no transport at all: no lazy fetch, no ssh
    {"commit.gpgSign", "false"},  // gpg.program is a program
    {"tag.gpgSign", "false"},
    {"log.showSignature", "false"},
    {"user.useConfigOnly", "true"},  // never guess an identity from the host
    {"gc.auto", "0"},                 // no background gc after a commit
    {"maintenance.auto", "false"},
    {"submodule.recurse", "false"},  // submodules' own config is not neutralised
    {"safe.bareRepository", "explicit"},  // never enter a bare repository embedded in a tree
    {"blame.ignoreRevsFile", ""},         // a file that may lie outside the workspace
    {"mailmap.file", ""},
    {"mailmap.blob", ""},
    {"log.mailmap", "false"},
};

// `path` is `base` or lies below it (both absolute, no trailing '/').
bool Under(std::string_view path, std::string_view base) {
  if (base == "/") return !path.empty() && path.front() == '/';
  return path == base || (path.size() > base.size() && path.substr(0, base.size()) == base && path[base.size()] == '/');
}

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
  size_t start = 0;
  while (start < text.size() && (text[start] == '\n' || text[start] == ' ')) ++start;
  return text.substr(start);
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Objects borrowed from other repositories (objects/info/alternates) must
// lie in the bind too, or git would read another repository on the host.
Status CheckAlternates(const Repo& repo, const std::string& objects_dir, int depth) {
  std::string file = StrCat({objects_dir, "/info/alternates"});
  if (!Under(file, repo.bind_real)) return Status::Ok();
  std::string rel = file.substr(repo.bind_real == "/" ? 1 : repo.bind_real.size() + 1);
  Result<UniqueFd> fd = ns::OpenBeneath(repo.root_fd, rel, O_RDONLY | O_NONBLOCK);
  if (!fd.ok()) return Status::Ok();  // none
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd->get(), buf, sizeof(buf))) > 0 && text.size() < (1 << 20)) text.append(buf, static_cast<size_t>(n));
  for (const std::string& line : SplitLines(text)) {
    if (line.empty() || line[0] == '#') continue;
    std::string path = line[0] == '/' ? line : StrCat({objects_dir, "/", line});
    char real[PATH_MAX];
    if (realpath(path.c_str(), real) == nullptr) continue;  // git skips it too
    if (!Under(real, repo.bind_real) || depth >= kMaxAlternatesDepth) {
      return Status::PermissionDenied(
          StrCat({"the repository at ", repo.ns_root, " borrows objects from a directory outside the workspace "
                  "(objects/info/alternates), which weft does not read; use a repository with its own objects"}));
    }
    WEFT_RETURN_IF_ERROR(CheckAlternates(repo, real, depth + 1));
  }
  return Status::Ok();
}

// The repository's filter drivers (clean/smudge/process) and merge drivers
// are programs named in its config: listed here and switched off.
Result<EnvList> NeutraliseDrivers(GitState& state, Context& ctx, const Repo& repo) {
  GitCall call;
  call.args = {"config", "-z", "--get-regexp", R"(^(filter|merge)\..*\.(clean|smudge|process|required|driver)$)"};
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGit(state, ctx, repo, std::move(call)));
  if (run.status.code == 1 && !run.status.signaled) return EnvList{};  // none configured
  if (!run.exited_ok()) return GitFailure(repo, run, "config");
  EnvList out;
  size_t start = 0;
  const std::string& z = run.stdout_data;
  while (start < z.size()) {
    size_t end = z.find('\0', start);
    if (end == std::string::npos) end = z.size();
    std::string_view record(z.data() + start, end - start);
    start = end + 1;
    std::string key(record.substr(0, record.find('\n')));
    size_t dot = key.rfind('.');
    if (dot == std::string::npos) continue;
    std::string field = key.substr(dot + 1);
    // "required" must go too: a required filter that does nothing fails.
    std::string value = field == "required" ? "false" : field == "driver" ? "false" : "";
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

}  // namespace

GitState::GitState(const ns::Workspaces& workspaces, GitOptions options)
    : workspaces_(workspaces),
      options_(std::move(options)),
      spawner_(options_.spawner != nullptr ? options_.spawner : &proc::SystemSpawner()),
      git_("git", options_.git, "WEFT_GIT") {}

Result<std::string> GitState::GitBinary() {
  Result<std::string> found = git_.Find();
  if (!found.ok()) return GitMissing(found.status().message());
  return found;
}

void GitState::ForgetGitBinary() { git_.Forget(); }

Status GitMissing(std::string_view looked) {
  return Status::FailedPrecondition(
      StrCat({"the git ops need git on the machine that runs weft, and it is not there (", looked,
              "). Ask the user to install it: `apt-get install git` (Debian, Ubuntu), `dnf install git` (Fedora), "
              "`brew install git` (macOS), or set WEFT_GIT to the git binary, then restart weft."}));
}

Result<Repo> OpenDirectory(const ns::Workspace& ws, std::string_view user_path, bool write) {
  WEFT_ASSIGN_OR_RETURN(ns::Place place, ws.Locate(user_path, write ? ns::Access::kWrite : ns::Access::kRead));
  // O_NONBLOCK so that a FIFO never blocks the open; it is refused below.
  WEFT_ASSIGN_OR_RETURN(UniqueFd fd, ns::OpenBeneathAs(place.root_fd, place.rest, place.path, O_RDONLY | O_NONBLOCK));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, place.path);
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(StrCat({place.path, " is not a directory: pass the repository's directory (or "
                                           "a directory inside it) as path"}));
  }
  Repo repo;
  repo.ws = &ws;
  repo.mount = place.mount;
  repo.root_fd = place.root_fd;
  char real[PATH_MAX];
  std::string link = FdProcPath(place.root_fd);
  ssize_t n = readlink(link.c_str(), real, sizeof(real) - 1);
  repo.bind_real = n > 0 ? std::string(real, static_cast<size_t>(n)) : place.mount->source.dir;
  repo.ns_root = place.path;
  repo.dir = std::move(fd);
  repo.write = write;
  return repo;
}

Result<Repo> OpenRepo(GitState& state, Context& ctx, const Json& args, bool write, bool worktree_content) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace* ws, WorkspaceArg(ctx, state.workspaces(), args));
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenDirectory(*ws, StringArg(args, "path", ws->DefaultDir()), write));
  GitCall call;
  call.args = {"rev-parse",     "--path-format=absolute", "--git-dir", "--git-common-dir", "--is-bare-repository",
               "--show-toplevel"};
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGit(state, ctx, repo, std::move(call)));
  std::vector<std::string> lines = SplitLines(run.stdout_data);
  if (lines.size() >= 3 && lines[2] == "true") {
    return Status::FailedPrecondition(StrCat({repo.ns_root, " is in a bare repository (no work tree), which the "
                                              "git ops do not work on"}));
  }
  if (!run.exited_ok() || lines.size() != 4) {
    if (run.stderr_data.find("not a git repository") != std::string::npos) {
      return Status::FailedPrecondition(
          StrCat({repo.ns_root, " is not in a git repository (git looked there and in its parent directories up "
                  "to the bind root ", repo.mount->path, "): pass the path of a repository, or create one with "
                  "git_init"}));
    }
    return GitFailure(repo, run, "rev-parse");
  }
  const std::string& top = lines[3];
  for (size_t i : {0, 1, 3}) {
    if (!Under(lines[i], repo.bind_real)) {
      return Status::PermissionDenied(StrCat(
          {"the repository at ", repo.ns_root, " keeps its ", i == 3 ? "work tree" : "git directory",
           " outside the workspace (a .git file, core.worktree or a linked worktree pointing elsewhere); the git "
           "ops only work on repositories that lie entirely inside the workspace"}));
    }
  }
  WEFT_RETURN_IF_ERROR(CheckAlternates(repo, StrCat({lines[1], "/objects"}), 0));
  std::string rel = top.size() > repo.bind_real.size() ? top.substr(repo.bind_real == "/" ? 1 : repo.bind_real.size() + 1) : "";
  std::string ns_top = rel.empty() ? repo.mount->path : repo.mount->path == "/" ? StrCat({"/", rel})
                                                                                : StrCat({repo.mount->path, "/", rel});
  WEFT_ASSIGN_OR_RETURN(repo.dir, ns::OpenBeneathAs(repo.root_fd, rel, ns_top, O_RDONLY | O_DIRECTORY));
  repo.ns_root = std::move(ns_top);
  if (worktree_content) {
    WEFT_ASSIGN_OR_RETURN(repo.driver_config, NeutraliseDrivers(state, ctx, repo));
  }
  return repo;
}

EnvList GitEnvironment(const Repo& repo) {
  EnvList env = {
      {"GIT_CONFIG_GLOBAL", "/dev/null"}, {"GIT_CONFIG_NOSYSTEM", "1"}, {"GIT_ATTR_NOSYSTEM", "1"},
      {"GIT_TERMINAL_PROMPT", "0"},       {"GIT_PAGER", "cat"},         {"PAGER", "cat"},
      {"GIT_EDITOR", ":"},                {"GIT_SEQUENCE_EDITOR", ":"}, {"GIT_NO_LAZY_FETCH", "1"},
      {"LC_ALL", "C"},
  };
  if (!repo.write) env.emplace_back("GIT_OPTIONAL_LOCKS", "0");
  if (repo.bind_real != "/") {
    size_t slash = repo.bind_real.rfind('/');
    env.emplace_back("GIT_CEILING_DIRECTORIES", slash == 0 ? "/" : repo.bind_real.substr(0, slash));
  }
  size_t count = 0;
  auto add = [&env, &count](const std::string& key, const std::string& value) {
    env.emplace_back(StrCat({"GIT_CONFIG_KEY_", std::to_string(count)}), key);
    env.emplace_back(StrCat({"GIT_CONFIG_VALUE_", std::to_string(count)}), value);
    ++count;
  };
  for (const auto& [key, value] : kIsolationConfig) add(key, value);
  if (!repo.hooks) add("core.hooksPath", "/dev/null");
  for (const auto& [key, value] : repo.driver_config) add(key, value);
  env.emplace_back("GIT_CONFIG_COUNT", std::to_string(count));
  return env;
}

Result<proc::ProcessResult> RunGit(GitState& state, Context& ctx, const Repo& repo, GitCall call) {
  WEFT_ASSIGN_OR_RETURN(std::string git, state.GitBinary());
  std::string subcommand = call.args.empty() ? "" : call.args.front();
  proc::ProcessSpec spec;
  spec.argv.reserve(call.args.size() + 1);
  spec.argv.push_back(git);
  for (std::string& a : call.args) spec.argv.push_back(std::move(a));
  spec.env = GitEnvironment(repo);
  for (auto& e : call.env) spec.env.push_back(std::move(e));
  spec.cwd_fd = repo.dir.get();
  spec.stdin_data = std::move(call.stdin_data);
  spec.stdout_cap = call.stdout_cap;
  spec.stderr_cap = 64 << 10;
  spec.timeout = state.options().timeout;
  spec.term_grace = std::chrono::milliseconds(500);
  spec.cancel = &ctx.cancellation();
  Result<proc::ProcessResult> run = state.spawner().Run(spec);
  if (!run.ok()) {
    if (run.status().code() != StatusCode::kNotFound) return run.status();
    state.ForgetGitBinary();
    return GitMissing(run.status().message());
  }
  switch (run->stop) {
    case proc::ProcessResult::Stop::kCancelled:
      return Status::Cancelled(StrCat({"the call was cancelled; git ", subcommand, " was stopped"}));
    case proc::ProcessResult::Stop::kTimeout:
      return Status::DeadlineExceeded(
          StrCat({"git ", subcommand, " did not finish within ",
                  std::to_string(state.options().timeout.count() / 1000), " s and was stopped",
                  repo.hooks ? " (a hook may be waiting for input: hooks get no terminal and no stdin)" : ""}));
    case proc::ProcessResult::Stop::kCallback:
    case proc::ProcessResult::Stop::kNone:
      break;
  }
  return run;
}

Result<proc::ProcessResult> RunGitOk(GitState& state, Context& ctx, const Repo& repo, GitCall call) {
  std::string subcommand = call.args.empty() ? "" : call.args.front();
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGit(state, ctx, repo, std::move(call)));
  if (!run.exited_ok()) return GitFailure(repo, run, subcommand);
  return run;
}

Status GitFailure(const Repo& repo, const proc::ProcessResult& run, std::string_view subcommand) {
  std::string message = Trim(run.stderr_data);
  if (message.empty()) message = Trim(run.stdout_data);
  bool cut = false;
  message = CapText(ScrubHostPaths(repo, std::move(message)), kMaxMessageBytes, &cut);
  if (cut) message += "\n…";
  if (message.empty()) message = "(git printed no message)";
  // Exit 128 is git's "fatal"; 1 and 129 are refusals and usage errors.
  StatusCode code = run.status.signaled ? StatusCode::kInternal : StatusCode::kFailedPrecondition;
  return Status(code, StrCat({"git ", subcommand, " failed (", run.status.ToString(), "):\n", message}));
}

std::string ScrubHostPaths(const Repo& repo, std::string text) {
  std::vector<std::pair<std::string, std::string>> dirs;
  if (repo.bind_real.size() > 1) dirs.emplace_back(repo.bind_real, repo.mount->path);
  if (repo.mount->source.dir.size() > 1 && repo.mount->source.dir != repo.bind_real) {
    dirs.emplace_back(repo.mount->source.dir, repo.mount->path);
  }
  std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& [dir, ns_path] : dirs) {
    size_t pos = 0;
    while ((pos = text.find(dir, pos)) != std::string::npos) {
      size_t end = pos + dir.size();
      bool slash = end < text.size() && text[end] == '/';
      std::string replacement = ns_path == "/" && slash ? "" : ns_path;
      text.replace(pos, dir.size(), replacement);
      pos += replacement.size() + (slash ? 1 : 0);
    }
  }
  return text;
}

Status CheckRevision(std::string_view what, std::string_view value) {
  if (value.empty()) return Status::InvalidArgument(StrCat({what, " is empty: name a branch, tag or commit"}));
  if (value.front() == '-') {
    return Status::InvalidArgument(
        StrCat({what, " \"", value, "\" begins with '-', so git could read it as an option; weft refuses such "
                "values. Name a branch, tag or commit (e.g. main, HEAD~2, a1b2c3d); a ref whose name really begins "
                "with '-' can be given in full, e.g. refs/heads/-name"}));
  }
  for (char c : value) {
    if (c == '\0' || c == '\n' || c == '\r') {
      return Status::InvalidArgument(StrCat({what, " contains a NUL byte or a line break, which no git ref can"}));
    }
  }
  return Status::Ok();
}

Result<std::optional<std::string>> RevisionArg(const Json& args, const char* key) {
  auto it = args.find(key);
  if (it == args.end() || !it->is_string()) return std::optional<std::string>();
  std::string value = it->get<std::string>();
  WEFT_RETURN_IF_ERROR(CheckRevision(key, value));
  return std::optional<std::string>(std::move(value));
}

Result<std::string> RepoPath(const Repo& repo, std::string_view user_path) {
  if (!user_path.empty() && user_path.front() == '-') {
    return Status::InvalidArgument(
        StrCat({"the path \"", user_path, "\" begins with '-', so git could read it as an option; weft refuses "
                "such paths. To name a file whose name begins with '-', write ./", user_path}));
  }
  WEFT_ASSIGN_OR_RETURN(std::string path, repo.ws->CanonicalPath(user_path));
  if (!Under(path, repo.ns_root)) {
    return Status::InvalidArgument(StrCat({path, " is not inside the repository at ", repo.ns_root,
                                           " (paths are workspace paths, e.g. ",
                                           repo.ns_root == "/" ? "/src/main.c" : StrCat({repo.ns_root, "/README.md"}),
                                           ")"}));
  }
  if (path.size() == repo.ns_root.size()) return std::string(".");
  return path.substr(repo.ns_root == "/" ? 1 : repo.ns_root.size() + 1);
}

Result<std::vector<std::string>> RepoPathsArg(const Repo& repo, const Json& args, const char* key) {
  std::vector<std::string> out;
  auto it = args.find(key);
  if (it == args.end() || !it->is_array()) return out;
  for (const Json& p : *it) {
    if (!p.is_string()) continue;
    WEFT_ASSIGN_OR_RETURN(std::string rel, RepoPath(repo, p.get<std::string>()));
    out.push_back(StrCat({kLiteral, rel}));
  }
  return out;
}

std::string NsPath(const Repo& repo, std::string_view rel) {
  if (rel.starts_with(kLiteral)) rel.remove_prefix(kLiteral.size());
  while (rel.substr(0, 2) == "./") rel.remove_prefix(2);
  if (rel.empty() || rel == ".") return repo.ns_root;
  std::string clean = ValidUtf8(rel);
  return repo.ns_root == "/" ? StrCat({"/", clean}) : StrCat({repo.ns_root, "/", clean});
}

std::string CapText(std::string_view bytes, size_t max, bool* cut) {
  *cut = bytes.size() > max;
  if (!*cut) return ValidUtf8(bytes);
  size_t end = max;
  size_t newline = max == 0 ? std::string_view::npos : bytes.rfind('\n', max - 1);
  if (newline != std::string_view::npos && newline + 1 >= max / 2) {
    end = newline + 1;
  } else {
    while (end > 0 && (static_cast<unsigned char>(bytes[end]) & 0xC0) == 0x80) --end;
  }
  return ValidUtf8(bytes.substr(0, end));
}

}  // namespace weft::venoms::git
