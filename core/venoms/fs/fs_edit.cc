// fs_edit: search-and-replace edits of a text file, all or nothing, answered
// with a unified diff; the matching and diffing live in edit_match.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "core/base/strings.h"
#include "core/ns/write.h"
#include "core/venoms/args.h"
#include "core/venoms/fs/edit_match.h"
#include "core/venoms/fs/fs_common.h"

namespace weft::venoms::fs {
namespace {

constexpr size_t kMaxEditBytes = 16 * 1024 * 1024;
// The diff in a reply stops near here (at a line end), marked as truncated.
constexpr size_t kMaxDiffBytes = 64 * 1024;

constexpr const char* kEditDescription =
    "Change part of a text file by replacing old_text with new_text, for each of a list of edits applied in "
    "order (each to the result of the ones before). Prefer it to fs_write for existing files: you send only what "
    "changes. old_text must occur expected_count times (default 1); include enough surrounding lines to make it "
    "unique. Matching is exact first; when that finds nothing, differences in line endings (CRLF/LF) and "
    "trailing whitespace are tolerated, then differences in indentation of whole lines (new_text is re-indented "
    "to fit); a CRLF file stays CRLF. All or nothing: if any edit fails, nothing is written, and the error says "
    "how many matches there were and where, or shows the most similar lines when there was none. dry_run shows "
    "the result without writing. Returns a unified diff of the change and how each edit matched.";

struct FileText {
  std::string text;
  struct stat st;
};

// Reads the regular file `name` in `dir` (never through a symlink).
Result<FileText> ReadTextFile(int dir, const std::string& name, const std::string& shown) {
  struct stat st;
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return Status::NotFound(StrCat({shown, " does not exist; create it with fs_write"}));
    return WriteErrno(errno, shown);
  }
  if (S_ISLNK(st.st_mode)) {
    Result<std::string> target = ReadLinkAt(dir, name.c_str(), shown);
    return Status::FailedPrecondition(StrCat({shown, " is a symbolic link", target.ok() ? " to " : "",
                                              target.ok() ? *target : "",
                                              "; edit the file it points to by its own path instead"}));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::FailedPrecondition(StrCat({shown, S_ISDIR(st.st_mode) ? " is a directory" : " is a special file",
                                              ", not a file; fs_edit changes text files"}));
  }
  UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return WriteErrno(errno, shown);
  if (::fstat(fd.get(), &st) != 0) return WriteErrno(errno, shown);
  if (!S_ISREG(st.st_mode)) return Status::FailedPrecondition(StrCat({shown, " is not a regular file"}));
  if (static_cast<uint64_t>(st.st_size) > kMaxEditBytes) {
    return Status::ResourceExhausted(StrCat({shown, " is ", HumanSize(static_cast<uint64_t>(st.st_size)),
                                             "; fs_edit works on files up to 16 MiB. Change it with a command "
                                             "instead"}));
  }
  FileText out;
  out.st = st;
  out.text.resize(static_cast<size_t>(st.st_size) + 1);
  size_t got = 0;
  for (;;) {
    if (got == out.text.size()) out.text.resize(out.text.size() * 2);
    ssize_t n = ::read(fd.get(), out.text.data() + got, out.text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return WriteErrno(errno, shown);
    if (n == 0) break;
    got += static_cast<size_t>(n);
    if (got > kMaxEditBytes) {
      return Status::ResourceExhausted(StrCat({shown, " is larger than 16 MiB; fs_edit works on smaller files"}));
    }
  }
  out.text.resize(got);
  if (out.text.find('\0') != std::string::npos) {
    return Status::FailedPrecondition(StrCat({shown, " looks binary (it contains NUL bytes); fs_edit changes text "
                                                     "files only. Replace it whole with fs_write if you must"}));
  }
  return out;
}

std::vector<TextEdit> EditsArg(const Json& args) {
  std::vector<TextEdit> edits;
  for (const Json& e : args.at("edits")) {
    edits.push_back({e.at("old_text").get<std::string>(), e.at("new_text").get<std::string>(),
                     e.value("expected_count", int64_t{1})});
  }
  return edits;
}

// The diff cut at a line end near kMaxDiffBytes; `truncated` says whether it was.
std::string CappedDiff(std::string diff, bool* truncated) {
  *truncated = diff.size() > kMaxDiffBytes;
  if (!*truncated) return diff;
  size_t cut = diff.rfind('\n', kMaxDiffBytes);
  cut = cut == std::string::npos ? 0 : cut + 1;
  size_t rest = static_cast<size_t>(std::count(diff.begin() + static_cast<std::ptrdiff_t>(cut), diff.end(), '\n'));
  diff.resize(cut);
  diff += StrCat({"... diff truncated: ", GroupedCount(rest), " more lines (fs_read shows the file)\n"});
  return diff;
}

std::string Summary(const std::string& path, bool dry_run, bool changed, const std::vector<AppliedEdit>& applied) {
  size_t replacements = 0;
  std::string notes;
  for (size_t i = 0; i < applied.size(); ++i) {
    replacements += applied[i].lines.size();
    if (applied[i].mode == MatchMode::kExact) continue;
    std::string which = applied.size() == 1 ? "the edit" : StrCat({"edit ", std::to_string(i + 1)});
    notes += applied[i].mode == MatchMode::kWhitespace
                 ? StrCat({"; ", which, " matched ignoring line endings and trailing whitespace"})
                 : StrCat({"; ", which, " matched with different indentation, and new_text was re-indented"});
  }
  std::string counts = StrCat({std::to_string(applied.size()), applied.size() == 1 ? " edit, " : " edits, ",
                               std::to_string(replacements), replacements == 1 ? " replacement" : " replacements"});
  if (!changed) return StrCat({"No change: the edits leave ", path, " as it was (", counts, notes, ")"});
  return StrCat({dry_run ? "Dry run, nothing written: " : "Edited ", path, " (", counts, notes, ")",
                 dry_run ? "; it would change like this:" : ":"});
}

Result<Reply> Edit(const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  bool dry_run = BoolArg(args, "dry_run", false);
  std::vector<TextEdit> edits = EditsArg(args);
  WEFT_ASSIGN_OR_RETURN(ns::Place place, ws->Locate(StringArg(args, "path"), ns::Access::kWrite));
  if (place.rest.empty()) {
    return Status::FailedPrecondition(StrCat({place.path, " is a directory, not a file"}));
  }
  WEFT_ASSIGN_OR_RETURN(ParentDir parent, OpenParentDir(place));
  WEFT_ASSIGN_OR_RETURN(FileText file, ReadTextFile(parent.fd.get(), parent.name, place.path));

  std::vector<AppliedEdit> applied;
  Result<std::string> after = ApplyEdits(file.text, edits, &applied);
  if (!after.ok()) {
    return Status(after.status().code(), StrCat({place.path, ": ", after.status().message(),
                                                 " No edit was applied; the file is unchanged."}));
  }
  bool changed = *after != file.text;
  if (changed && after->size() > kMaxEditBytes) {
    return Status::ResourceExhausted(StrCat({"the edits would make ", place.path, " larger than 16 MiB; nothing "
                                                                                  "was written"}));
  }
  if (changed && !dry_run) {
    // Refuse to overwrite a change made by someone else since the read.
    struct stat now;
    if (::fstatat(parent.fd.get(), parent.name.c_str(), &now, AT_SYMLINK_NOFOLLOW) != 0 ||
        now.st_ino != file.st.st_ino || now.st_dev != file.st.st_dev || now.st_size != file.st.st_size ||
        now.st_mtim.tv_sec != file.st.st_mtim.tv_sec || now.st_mtim.tv_nsec != file.st.st_mtim.tv_nsec) {
      return Status::Unavailable(StrCat({place.path, " changed while it was being edited; nothing was written. "
                                                     "Read it again and retry"}));
    }
    Result<ns::WriteOutcome> wrote = ns::WriteFileBeneath(parent.fd.get(), parent.name, *after);
    if (!wrote.ok()) return wrote.status().WithContext(StrCat({"cannot write ", place.path}));
  }

  bool truncated = false;
  std::string diff = CappedDiff(UnifiedDiff(file.text, *after, std::string_view(place.path).substr(1)), &truncated);
  Json edit_results = Json::array();
  for (const AppliedEdit& a : applied) {
    edit_results.push_back(
        {{"match", std::string(MatchModeName(a.mode))}, {"count", a.lines.size()}, {"lines", a.lines}});
  }
  Json data = {{"path", place.path},       {"dry_run", dry_run},           {"changed", changed},
               {"bytes", after->size()},   {"edits", std::move(edit_results)}, {"diff", diff},
               {"diff_truncated", truncated}};
  std::string text = Summary(place.path, dry_run, changed, applied);
  if (changed) text += StrCat({"\n", diff});
  return Reply::WithText(std::move(data), std::move(text));
}

}  // namespace

void RegisterEditOp(Registry& registry, const ns::Workspaces& workspaces) {
  OpSpec spec;
  spec.venom = "fs";
  spec.op = "edit";
  spec.title = "Edit a file";
  spec.description = kEditDescription;
  spec.annotations = {.read_only = false, .destructive = true, .idempotent = false, .open_world = false};
  spec.right = Right::kFsWrite;
  spec.handler = [&workspaces](Context& ctx, const Json& args) { return Edit(workspaces, ctx, args); };
  spec.paths = {PathUse::Arg("path", PathAccess::kWrite)};
  registry.AddOrDie(std::move(spec));
}

}  // namespace weft::venoms::fs
