// The read side of the git venom: status, diff, log, show and blame. Every
// one runs with GIT_OPTIONAL_LOCKS=0, so it never rewrites the index.
#include <algorithm>

#include "core/base/strings.h"
#include "core/venoms/args.h"
#include "core/venoms/git/git_ops.h"

namespace weft::venoms::git {
namespace {

constexpr size_t kDefaultStatusLimit = 500;
constexpr size_t kMaxFiles = 1000;           // files listed in a diff or show
constexpr int64_t kDefaultPatchBytes = 100'000;
constexpr size_t kMaxBodyBytes = 4000;       // of one commit message body in a log
constexpr int64_t kDefaultBlameLines = 500;
constexpr size_t kMaxShowFileBytes = 200'000;

std::string Letter(char c) { return std::string(1, c); }

// "git status --short"-style: XY with ' ' for unchanged.
std::string ShortCode(const StatusEntry& e) {
  if (e.kind == StatusEntry::Kind::kUntracked) return "??";
  if (e.kind == StatusEntry::Kind::kIgnored) return "!!";
  return StrCat({Letter(e.index == '.' ? ' ' : e.index), Letter(e.worktree == '.' ? ' ' : e.worktree)});
}

std::string BranchLine(const StatusBranch& b) {
  std::string out = StrCat({"## ", b.head ? *b.head : "HEAD (detached)"});
  if (!b.oid) out += " (no commits yet)";
  if (b.upstream) out += StrCat({"...", *b.upstream});
  if (b.ahead && b.behind && (*b.ahead > 0 || *b.behind > 0)) {
    out += StrCat({" [ahead ", std::to_string(*b.ahead), ", behind ", std::to_string(*b.behind), "]"});
  }
  return out;
}

// The diff's revisions and the flags that pick what is compared.
struct DiffTarget {
  std::vector<std::string> revs;
  bool staged = false;
  std::string mode;
};

Result<DiffTarget> DiffTargetArgs(const Json& args) {
  DiffTarget t;
  WEFT_ASSIGN_OR_RETURN(std::optional<std::string> from, RevisionArg(args, "from"));
  WEFT_ASSIGN_OR_RETURN(std::optional<std::string> to, RevisionArg(args, "to"));
  t.staged = BoolArg(args, "staged", false);
  if (to && !from) return Status::InvalidArgument("to needs from: pass from as well (the older revision)");
  if (to && t.staged) {
    return Status::InvalidArgument("staged compares the index with a revision; it cannot be combined with to");
  }
  if (from) t.revs.push_back(*from);
  if (to) t.revs.push_back(*to);
  t.mode = to ? "revisions" : t.staged ? "staged" : from ? "revision_to_worktree" : "worktree";
  return t;
}

Json FilesJson(const Repo& repo, const std::vector<FileChange>& files, Json* data) {
  Json out = Json::array();
  int64_t additions = 0, deletions = 0;
  for (const FileChange& f : files) {
    additions += f.additions;
    deletions += f.deletions;
    if (out.size() >= kMaxFiles) continue;
    Json j = {{"path", NsPath(repo, f.path)}, {"status", Letter(f.status)}, {"additions", f.additions},
              {"deletions", f.deletions}, {"binary", f.binary}};
    if (!f.old_path.empty()) j["old_path"] = NsPath(repo, f.old_path);
    out.push_back(std::move(j));
  }
  (*data)["file_count"] = files.size();
  (*data)["additions"] = additions;
  (*data)["deletions"] = deletions;
  if (files.size() > kMaxFiles) (*data)["files_truncated"] = true;
  return out;
}

std::string FilesText(const Json& files) {
  std::string out;
  for (const Json& f : files) {
    std::string counts = f["binary"].get<bool>() ? "binary"
                                                 : StrCat({"+", std::to_string(f["additions"].get<int64_t>()), " -",
                                                           std::to_string(f["deletions"].get<int64_t>())});
    std::string from = f.contains("old_path") ? StrCat({f["old_path"].get<std::string>(), " → "}) : "";
    out += StrCat({f["status"].get<std::string>(), " ", from, f["path"].get<std::string>(), " (", counts, ")\n"});
  }
  return out;
}

// Runs the patch form of a diff-family command and puts it, capped, in data.
Status AddPatch(GitState& state, Context& ctx, const Repo& repo, std::vector<std::string> argv, const Json& args,
                Json* data) {
  int64_t max_bytes = IntArg(args, "max_bytes", kDefaultPatchBytes);
  GitCall call;
  call.args = std::move(argv);
  call.stdout_cap = static_cast<size_t>(max_bytes) + 1;
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(call)));
  bool cut = false;
  (*data)["patch"] = CapText(run.stdout_data, static_cast<size_t>(max_bytes), &cut);
  (*data)["truncated"] = cut || run.stdout_dropped > 0;
  if (cut || run.stdout_dropped > 0) (*data)["patch_bytes"] = run.stdout_bytes;
  return Status::Ok();
}

std::string PatchText(const Json& data) {
  std::string out = FilesText(data["files"]);
  out += StrCat({std::to_string(data["file_count"].get<size_t>()), " files changed, +",
                 std::to_string(data["additions"].get<int64_t>()), " -", std::to_string(data["deletions"].get<int64_t>()),
                 "\n"});
  if (data.value("files_truncated", false)) {
    out += StrCat({"(only the first ", std::to_string(kMaxFiles), " files are listed)\n"});
  }
  if (data.contains("patch")) {
    out += "\n";
    out += data["patch"].get<std::string>();
    if (data["truncated"].get<bool>()) {
      out += StrCat({"\n[patch truncated: ", std::to_string(data["patch_bytes"].get<uint64_t>()),
                     " bytes in all. Narrow it with paths, raise max_bytes, or pass stat_only: true]\n"});
    }
  }
  return out;
}

std::string CommitLine(const Json& c) {
  return StrCat({c["commit"].get<std::string>().substr(0, 10), " ", c["author"]["date"].get<std::string>().substr(0, 10),
                 " ", c["author"]["name"].get<std::string>(), "  ", c["subject"].get<std::string>()});
}

}  // namespace

const char* const kLogFormat = "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%s%x1f%b";

Json CommitJson(std::string_view record) {
  while (!record.empty() && record.front() == '\n') record.remove_prefix(1);
  std::vector<std::string_view> f = Split(record, '\x1f');
  f.resize(10);
  Json parents = Json::array();
  for (std::string_view p : Split(f[1], ' ')) parents.push_back(std::string(p));
  std::string body(f[9]);
  while (!body.empty() && body.back() == '\n') body.pop_back();
  bool cut = false;
  Json j = {{"commit", std::string(f[0])},
            {"parents", parents},
            {"author", {{"name", ValidUtf8(f[2])}, {"email", ValidUtf8(f[3])}, {"date", std::string(f[4])}}},
            {"committer", {{"name", ValidUtf8(f[5])}, {"email", ValidUtf8(f[6])}, {"date", std::string(f[7])}}},
            {"subject", ValidUtf8(f[8])},
            {"body", CapText(body, kMaxBodyBytes, &cut)}};
  if (cut) j["body_truncated"] = true;
  return j;
}

Result<StatusReport> RunStatus(GitState& state, Context& ctx, const Repo& repo, const std::string& untracked) {
  GitCall call;
  call.args = {"status", "--porcelain=v2", "--branch", "-z", "--ignore-submodules=dirty",
               StrCat({"--untracked-files=", untracked})};
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(call)));
  return ParseStatusV2(run.stdout_data);
}

Json BranchJson(const StatusBranch& b) {
  Json j = {{"name", b.head ? Json(ValidUtf8(*b.head)) : Json(nullptr)},
            {"commit", b.oid ? Json(*b.oid) : Json(nullptr)},
            {"detached", !b.head.has_value()}};
  if (b.upstream) j["upstream"] = ValidUtf8(*b.upstream);
  if (b.ahead) j["ahead"] = *b.ahead;
  if (b.behind) j["behind"] = *b.behind;
  return j;
}

std::vector<std::string> DiffFlags() { return {"--no-color", "--no-ext-diff", "--no-textconv", "-M"}; }

Result<Reply> StatusOp(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/false, /*worktree_content=*/true));
  WEFT_ASSIGN_OR_RETURN(std::vector<std::string> paths, RepoPathsArg(repo, args, "paths"));
  GitCall call;
  call.args = {"status", "--porcelain=v2", "--branch", "-z", "--ignore-submodules=dirty",
               StrCat({"--untracked-files=", StringArg(args, "untracked", "normal")})};
  if (!paths.empty()) call.args.push_back("--");
  for (std::string& p : paths) call.args.push_back(std::move(p));
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(call)));
  StatusReport report = ParseStatusV2(run.stdout_data);

  size_t limit = static_cast<size_t>(IntArg(args, "limit", kDefaultStatusLimit));
  Json entries = Json::array();
  int64_t staged = 0, unstaged = 0, untracked = 0, conflicted = 0;
  std::string text = BranchLine(report.branch) + "\n";
  for (const StatusEntry& e : report.entries) {
    bool tracked = e.kind != StatusEntry::Kind::kUntracked && e.kind != StatusEntry::Kind::kIgnored;
    if (e.kind == StatusEntry::Kind::kUnmerged) ++conflicted;
    else if (e.kind == StatusEntry::Kind::kUntracked) ++untracked;
    if (tracked && e.kind != StatusEntry::Kind::kUnmerged && e.index != '.') ++staged;
    if (tracked && e.kind != StatusEntry::Kind::kUnmerged && e.worktree != '.') ++unstaged;
    if (entries.size() >= limit) continue;
    Json j = {{"path", NsPath(repo, e.path)}, {"kind", StatusKindName(e.kind)}};
    if (tracked) {
      j["index"] = Letter(e.index);
      j["worktree"] = Letter(e.worktree);
    }
    if (!e.orig_path.empty()) j["orig_path"] = NsPath(repo, e.orig_path);
    if (e.submodule) j["submodule"] = true;
    text += StrCat({ShortCode(e), " ", j["path"].get<std::string>(),
                    e.orig_path.empty() ? "" : StrCat({" (from ", j["orig_path"].get<std::string>(), ")"}), "\n"});
    entries.push_back(std::move(j));
  }
  bool truncated = report.entries.size() > entries.size();
  Json data = {{"repository", repo.ns_root},
               {"branch", BranchJson(report.branch)},
               {"entries", std::move(entries)},
               {"counts", {{"staged", staged}, {"unstaged", unstaged}, {"untracked", untracked},
                           {"conflicted", conflicted}}},
               {"clean", report.entries.empty()},
               {"truncated", truncated}};
  if (report.entries.empty()) text += "Nothing to commit, working tree clean.\n";
  if (truncated) {
    text += StrCat({"… ", std::to_string(report.entries.size() - data["entries"].size()),
                    " more entries (raise limit, or narrow with paths)\n"});
  }
  return Reply::WithText(std::move(data), std::move(text));
}

Result<Reply> Diff(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/false, /*worktree_content=*/true));
  WEFT_ASSIGN_OR_RETURN(DiffTarget target, DiffTargetArgs(args));
  WEFT_ASSIGN_OR_RETURN(std::vector<std::string> paths, RepoPathsArg(repo, args, "paths"));
  auto argv = [&](std::vector<std::string> extra) {
    std::vector<std::string> out = {"diff"};
    for (std::string& f : DiffFlags()) out.push_back(std::move(f));
    out.push_back("--ignore-submodules=dirty");
    if (target.staged) out.push_back("--cached");
    for (std::string& e : extra) out.push_back(std::move(e));
    out.push_back("--end-of-options");
    for (const std::string& r : target.revs) out.push_back(r);
    out.push_back("--");
    for (const std::string& p : paths) out.push_back(p);
    return out;
  };
  GitCall stat;
  stat.args = argv({"--raw", "--numstat", "-z"});
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(stat)));
  Json data = {{"repository", repo.ns_root}, {"mode", target.mode}, {"truncated", false}};
  if (!target.revs.empty()) data["from"] = target.revs[0];
  if (target.revs.size() > 1) data["to"] = target.revs[1];
  data["files"] = FilesJson(repo, ParseRawNumstat(run.stdout_data), &data);
  if (!BoolArg(args, "stat_only", false) && data["file_count"].get<size_t>() > 0) {
    WEFT_RETURN_IF_ERROR(AddPatch(state, ctx, repo,
                                  argv({"--patch", StrCat({"--unified=", std::to_string(IntArg(args, "context", 3))})}),
                                  args, &data));
  }
  std::string text = data["file_count"].get<size_t>() == 0 ? StrCat({"No differences (", target.mode, ").\n"})
                                                            : PatchText(data);
  return Reply::WithText(std::move(data), std::move(text));
}

Result<Reply> Log(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/false, /*worktree_content=*/false));
  WEFT_ASSIGN_OR_RETURN(std::optional<std::string> rev, RevisionArg(args, "rev"));
  WEFT_ASSIGN_OR_RETURN(std::vector<std::string> paths, RepoPathsArg(repo, args, "paths"));
  int64_t max_count = IntArg(args, "max_count", 20);
  int64_t skip = IntArg(args, "skip", 0);
  GitCall call;
  call.args = {"log", "-z", "--no-color", kLogFormat, StrCat({"--max-count=", std::to_string(max_count + 1)}),
               StrCat({"--skip=", std::to_string(skip)})};
  for (const char* key : {"author", "grep", "since", "until"}) {
    std::string value = StringArg(args, key);
    if (!value.empty()) call.args.push_back(StrCat({"--", key, "=", value}));
  }
  call.args.push_back("--end-of-options");
  if (rev) call.args.push_back(*rev);
  call.args.push_back("--");
  for (std::string& p : paths) call.args.push_back(std::move(p));
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGit(state, ctx, repo, std::move(call)));
  if (!run.exited_ok()) {
    if (run.stderr_data.find("does not have any commits yet") != std::string::npos) {
      return Status::FailedPrecondition(StrCat({"the repository at ", repo.ns_root, " has no commits yet"}));
    }
    return GitFailure(repo, run, "log");
  }
  Json commits = Json::array();
  std::string text;
  for (std::string_view record : Split(run.stdout_data, '\0')) {
    if (record.empty() || commits.size() >= static_cast<size_t>(max_count) + 1) continue;
    commits.push_back(CommitJson(record));
  }
  bool more = commits.size() > static_cast<size_t>(max_count);
  if (more) commits.erase(commits.end() - 1);
  for (const Json& c : commits) text += CommitLine(c) + "\n";
  if (commits.empty()) text = "No commits match.\n";
  Json data = {{"repository", repo.ns_root}, {"commits", commits}, {"count", commits.size()}, {"truncated", more}};
  if (more) {
    data["next_skip"] = skip + max_count;
    text += StrCat({"More commits: call again with skip ", std::to_string(skip + max_count), ".\n"});
  }
  return Reply::WithText(std::move(data), std::move(text));
}

namespace {

Result<Reply> ShowFile(GitState& state, Context& ctx, const Repo& repo, const std::string& rev,
                       const std::string& file) {
  WEFT_ASSIGN_OR_RETURN(std::string rel, RepoPath(repo, file));
  std::string object = StrCat({rev, ":", rel});
  GitCall type;
  type.args = {"cat-file", "-t", object};
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult t, RunGitOk(state, ctx, repo, std::move(type)));
  if (t.stdout_data.substr(0, 4) != "blob") {
    return Status::InvalidArgument(StrCat({NsPath(repo, rel), " is not a file at ", rev, " (it is a ",
                                           t.stdout_data.substr(0, t.stdout_data.find('\n')), ")"}));
  }
  GitCall cat;
  cat.args = {"cat-file", "blob", object};
  cat.stdout_cap = kMaxShowFileBytes + 1;
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(cat)));
  bool binary = run.stdout_data.substr(0, 8000).find('\0') != std::string::npos;
  bool cut = false;
  Json f = {{"path", NsPath(repo, rel)}, {"size", run.stdout_bytes}, {"binary", binary}};
  std::string text;
  if (binary) {
    text = StrCat({f["path"].get<std::string>(), " at ", rev, " is binary (", std::to_string(run.stdout_bytes),
                   " bytes); its content is not shown.\n"});
  } else {
    f["content"] = CapText(run.stdout_data, kMaxShowFileBytes, &cut);
    text = f["content"].get<std::string>();
    if (cut) text += StrCat({"\n[truncated: the file has ", std::to_string(run.stdout_bytes), " bytes]\n"});
  }
  f["truncated"] = cut;
  return Reply::WithText({{"repository", repo.ns_root}, {"rev", rev}, {"file", std::move(f)}}, std::move(text));
}

}  // namespace

Result<Reply> Show(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/false, /*worktree_content=*/false));
  WEFT_ASSIGN_OR_RETURN(std::optional<std::string> rev_arg, RevisionArg(args, "rev"));
  std::string rev = rev_arg.value_or("HEAD");
  if (args.contains("file")) return ShowFile(state, ctx, repo, rev, StringArg(args, "file"));
  GitCall meta;
  meta.args = {"log", "-1", "-z", "--no-color", kLogFormat, "--end-of-options", rev, "--"};
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult m, RunGitOk(state, ctx, repo, std::move(meta)));
  Json commit = CommitJson(std::string_view(m.stdout_data).substr(0, m.stdout_data.find('\0')));
  std::string hash = commit["commit"].get<std::string>();
  if (hash.empty()) return Status::NotFound(StrCat({"no commit for ", rev}));
  auto argv = [&](std::vector<std::string> extra) {
    std::vector<std::string> out = {"show", "--format=", "--diff-merges=first-parent"};
    for (std::string& f : DiffFlags()) out.push_back(std::move(f));
    for (std::string& e : extra) out.push_back(std::move(e));
    out.push_back(hash);
    out.push_back("--");
    return out;
  };
  GitCall stat;
  stat.args = argv({"--raw", "--numstat", "-z"});
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(stat)));
  Json data = {{"repository", repo.ns_root}, {"rev", rev}, {"commit", commit}, {"truncated", false}};
  data["files"] = FilesJson(repo, ParseRawNumstat(run.stdout_data), &data);
  if (!BoolArg(args, "stat_only", false) && data["file_count"].get<size_t>() > 0) {
    WEFT_RETURN_IF_ERROR(AddPatch(state, ctx, repo,
                                  argv({"--patch", StrCat({"--unified=", std::to_string(IntArg(args, "context", 3))})}),
                                  args, &data));
  }
  std::string text = StrCat({"commit ", hash, "\nAuthor: ", commit["author"]["name"].get<std::string>(), " <",
                             commit["author"]["email"].get<std::string>(), ">\nDate:   ",
                             commit["author"]["date"].get<std::string>(), "\n\n    ",
                             commit["subject"].get<std::string>(), "\n"});
  if (!commit["body"].get<std::string>().empty()) text += StrCat({"\n", commit["body"].get<std::string>(), "\n"});
  text += "\n" + PatchText(data);
  return Reply::WithText(std::move(data), std::move(text));
}

Result<Reply> Blame(GitState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(Repo repo, OpenRepo(state, ctx, args, /*write=*/false, /*worktree_content=*/true));
  WEFT_ASSIGN_OR_RETURN(std::optional<std::string> rev, RevisionArg(args, "rev"));
  WEFT_ASSIGN_OR_RETURN(std::string rel, RepoPath(repo, StringArg(args, "file")));
  int64_t start = IntArg(args, "start_line", 1);
  int64_t end = IntArg(args, "end_line", start + kDefaultBlameLines - 1);
  if (end < start) return Status::InvalidArgument("end_line is before start_line");
  int64_t wanted = end - start + 1;
  GitCall call;
  // One line more than asked shows whether the file goes on (when end_line
  // was left out). blame takes no --end-of-options in git 2.39: rev is
  // checked, and the file follows "--".
  call.args = {"blame", "--porcelain", "--no-textconv",
               StrCat({"-L", std::to_string(start), ",+", std::to_string(wanted + (args.contains("end_line") ? 0 : 1))})};
  if (rev) call.args.push_back(*rev);
  call.args.push_back("--");
  call.args.push_back(rel);
  WEFT_ASSIGN_OR_RETURN(proc::ProcessResult run, RunGitOk(state, ctx, repo, std::move(call)));
  BlameReport report = ParseBlamePorcelain(run.stdout_data);
  bool more = report.lines.size() > static_cast<size_t>(wanted);
  if (more) report.lines.resize(static_cast<size_t>(wanted));
  Json lines = Json::array();
  Json commits = Json::array();
  std::string text;
  std::vector<std::string> seen;
  for (const BlameLine& l : report.lines) {
    const BlameCommit& c = report.commits[l.commit];
    lines.push_back({{"line", l.line}, {"commit", l.commit}, {"text", ValidUtf8(l.text)}});
    text += StrCat({l.commit.substr(0, 10), " (", ValidUtf8(c.author), " ", IsoTime(c.time).substr(0, 10), " ",
                    std::to_string(l.line), ") ", ValidUtf8(l.text), "\n"});
    if (std::find(seen.begin(), seen.end(), l.commit) != seen.end()) continue;
    seen.push_back(l.commit);
    commits.push_back({{"commit", l.commit}, {"author", ValidUtf8(c.author)}, {"email", ValidUtf8(c.email)},
                       {"date", IsoTime(c.time)}, {"summary", ValidUtf8(c.summary)}});
  }
  Json data = {{"repository", repo.ns_root}, {"file", NsPath(repo, rel)}, {"lines", lines},
               {"commits", commits},         {"truncated", more}};
  if (rev) data["rev"] = *rev;
  if (more) {
    data["next_line"] = start + wanted;
    text += StrCat({"[more lines: call again with start_line ", std::to_string(start + wanted), "]\n"});
  }
  return Reply::WithText(std::move(data), std::move(text));
}

}  // namespace weft::venoms::git
