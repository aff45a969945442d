// fs_tree, fs_glob and fs_stat (and, first, fs_list from fs_list.cc): what
// the workspace holds, found through dir fds (readdir, fstatat, readlinkat),
// binds included.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/ns/resolve.h"
#include "core/venoms/args.h"
#include "core/venoms/fs/fs_common.h"
#include "core/venoms/fs/fs_pages.h"
#include "core/venoms/fs/fs_venom.h"
#include "core/venoms/fs/name_sort.h"

namespace weft::venoms::fs {
namespace {

constexpr int64_t kTreeDefaultDepth = 3;
constexpr int64_t kTreeDefaultLimit = 2000;
constexpr int64_t kGlobDefaultLimit = 500;
constexpr size_t kGlobMaxMatches = 100'000;  // matches collected (and sorted) per call
// fs_glob walks on this many threads (WalkOptions::threads): most of a glob
// is the kernel reading directories, which two threads do in about half
// the time.
constexpr int kGlobThreads = 2;

constexpr Annotations kReadOnly{true, false, true, false};

std::vector<std::string> StringsArg(const Json& args, const char* key) {
  std::vector<std::string> out;
  auto it = args.find(key);
  if (it == args.end() || !it->is_array()) return out;
  for (const Json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// ---------------------------------------------------------------------------
// fs_tree

Result<Reply> HandleTree(const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  WEFT_ASSIGN_OR_RETURN(std::string path, ws->CanonicalPath(StringArg(args, "path", ws->DefaultDir())));
  WalkOptions options;
  options.max_depth = static_cast<int>(IntArg(args, "depth", kTreeDefaultDepth));
  options.gitignore = BoolArg(args, "gitignore", true);
  options.hidden = BoolArg(args, "hidden", true);
  options.exclude = StringsArg(args, "exclude");
  options.sorted = true;
  size_t limit = static_cast<size_t>(IntArg(args, "limit", kTreeDefaultLimit));

  Json entries = Json::array();
  std::string text = path == "/" ? "/\n" : StrCat({Shown(path), "/\n"});
  size_t dirs = 0, files = 0;
  bool truncated = false;
  WEFT_ASSIGN_OR_RETURN(WalkStats stats, Walk(*ws, ctx, path, options, [&](const WalkEntry& e) {
    if (entries.size() >= limit) {
      truncated = true;
      return WalkStep::kStop;
    }
    Json j{{"path", Shown(e.path)}, {"type", EntryTypeName(e.type)}, {"depth", e.depth}};
    text.append(static_cast<size_t>(e.depth) * 2, ' ');
    text += Shown(e.name);
    if (e.type == EntryType::kDir) {
      text.push_back('/');
      ++dirs;
    } else {
      ++files;
    }
    if (e.type == EntryType::kSymlink && e.parent_fd >= 0) {
      std::string name(e.name);
      Result<std::string> target = ReadLinkAt(e.parent_fd, name.c_str(), e.path);
      if (target.ok()) {
        j["target"] = Shown(*target);
        text += StrCat({" -> ", j["target"].get<std::string>()});
      }
    }
    if (e.bind != nullptr) {
      j["bind"] = e.bind->path;
      text += e.bind->source.read_only ? "  [bind, read-only]" : "  [bind]";
    }
    text.push_back('\n');
    entries.push_back(std::move(j));
    return WalkStep::kContinue;
  }));
  truncated = truncated || stats.hit_visit_cap;
  text += StrCat({std::to_string(dirs), dirs == 1 ? " directory, " : " directories, ", std::to_string(files),
                  files == 1 ? " other entry" : " other entries", " (depth ", std::to_string(options.max_depth),
                  options.gitignore ? ", .gitignore honoured" : "", ")\n"});
  if (truncated) {
    text += StrCat({"[truncated at ", std::to_string(entries.size()),
                    " entries: narrow it with a deeper path, a smaller depth or exclude patterns]\n"});
  }
  Json data{{"path", path}, {"entries", std::move(entries)}, {"truncated", truncated}, {"depth", options.max_depth}};
  return Reply::WithText(std::move(data), std::move(text));
}

// ---------------------------------------------------------------------------
// fs_glob

// The pattern's components; `dirs_only` for a trailing '/'.
Result<std::vector<NameGlob>> ParseGlob(std::string_view pattern, bool* dirs_only) {
  *dirs_only = !pattern.empty() && pattern.back() == '/';
  std::vector<NameGlob> globs;
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t end = pattern.find('/', start);
    if (end == std::string_view::npos) end = pattern.size();
    std::string_view part = pattern.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      return Status::InvalidArgument("the pattern contains '..': patterns match below `path`; set path to the "
                                     "directory to search instead");
    }
    if (!globs.empty() && part == "**" && globs.back().pattern() == "**") continue;
    globs.emplace_back(std::string(part));
  }
  if (globs.empty()) {
    return Status::InvalidArgument("the pattern matches nothing: give one like \"**/*.cc\" or \"src/*.h\"");
  }
  if (globs.size() > ComponentsMatcher::kMaxComponents) {
    return Status::InvalidArgument("the pattern has more than 63 components");
  }
  return globs;
}

// The paths below `path` that `matcher` accepts and `wanted` keeps,
// relative to it and sorted: at most kGlobMaxMatches (`*capped` when there
// were more and the walk stopped; `*visit_cap` when it stopped at
// WalkOptions::max_visits). The walk runs on kGlobThreads threads; one that
// stops early has visited what timing allowed, so that case is walked again
// on one thread, which visits in an order that does not change from run to
// run.
Result<SortedNames> FindMatches(const ns::Workspace& ws, Context& ctx, const std::string& path,
                                const ComponentsMatcher& matcher, WalkOptions options,
                                const std::function<bool(const WalkEntry&)>& wanted, bool* capped, bool* visit_cap) {
  for (int threads : {kGlobThreads, 1}) {
    options.threads = threads;
    std::vector<SortedEntries> found(static_cast<size_t>(threads));
    std::atomic<bool> full{false};
    WEFT_ASSIGN_OR_RETURN(WalkStats stats, Walk(ws, ctx, path, options, [&](const WalkEntry& e) {
      uint64_t state = matcher.Step(e.parent_state, e.name);
      if (state == 0) return WalkStep::kPrune;
      if (matcher.Accepts(state) && wanted(e)) {
        SortedEntries& mine = found[static_cast<size_t>(e.worker)];
        if (mine.size() >= kGlobMaxMatches) {
          full.store(true, std::memory_order_relaxed);
          return WalkStep::kStop;
        }
        // Paths relative to `path` sort as the whole ones do, and the radix
        // sort's keys (a name's first 16 bytes) then tell most of them apart.
        mine.Add(e.rel, e.type);
      }
      *e.state = state;
      return matcher.Alive(state) ? WalkStep::kContinue : WalkStep::kPrune;
    }));
    for (size_t i = 1; i < found.size(); ++i) found[0].AddAll(found[i]);
    *capped = full.load() || found[0].size() > kGlobMaxMatches;
    *visit_cap = stats.hit_visit_cap;
    if ((*capped || *visit_cap) && stats.threads > 1) continue;
    return found[0].Take();
  }
  return Status::Internal("fs_glob: the walk on one thread did not finish");
}

Result<Reply> HandleGlob(const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  WEFT_ASSIGN_OR_RETURN(std::string path, ws->CanonicalPath(StringArg(args, "path", ws->DefaultDir())));
  std::string pattern = StringArg(args, "pattern");
  bool dirs_only = false;
  WEFT_ASSIGN_OR_RETURN(std::vector<NameGlob> globs, ParseGlob(pattern, &dirs_only));
  ComponentsMatcher matcher(std::move(globs));
  std::string type = dirs_only ? "dir" : StringArg(args, "type", "any");
  WalkOptions options;
  options.gitignore = BoolArg(args, "gitignore", true);
  options.hidden = BoolArg(args, "hidden", true);
  options.exclude = StringsArg(args, "exclude");
  options.initial_state = matcher.Start();
  size_t limit = static_cast<size_t>(IntArg(args, "limit", kGlobDefaultLimit));
  std::string owner = StrCat({"glob\n", ws->id(), "\n", path, "\n", pattern, "\n", type,
                              options.gitignore ? "\ng" : "", options.hidden ? "\nh" : ""});
  for (const std::string& e : options.exclude) owner += StrCat({"\n", e});
  owner = OwnerTag(owner);
  std::optional<std::string> after;
  if (std::string cursor = StringArg(args, "cursor"); !cursor.empty()) {
    WEFT_ASSIGN_OR_RETURN(std::vector<std::string> f, DecodeCursor(cursor, owner, 2));
    after = f[1];
  }

  const bool any_type = type == "any", dirs = type == "dir";
  bool capped = false, stats_cap = false;
  WEFT_ASSIGN_OR_RETURN(SortedNames matches,
                        FindMatches(*ws, ctx, path, matcher, options, [&](const WalkEntry& e) {
                          return (any_type || dirs == (e.type == EntryType::kDir)) && (!after || e.path > *after);
                        }, &capped, &stats_cap));
  bool truncated = capped || stats_cap;

  // The data, written as JSON text: {"matches":[…],"next_cursor":…,"path":…,
  // "pattern":…,"remaining":…,"truncated":…}, members in key order (see
  // fs_list), and the text, a line per match, until the page's text reaches
  // kPageTextBytes.
  std::string json = "{\"matches\":[";
  std::string text;
  const std::string prefix = path == "/" ? path : path + "/";
  PlainItems plain("path", prefix, &json, &text);
  size_t shown = 0;
  for (; shown < matches.size() && shown < limit; ++shown) {
    if (shown > 0 && plain.text_size() >= kPageTextBytes) break;
    const std::string_view rel = matches.name(shown);
    const EntryType t = matches.type(shown);
    if (plain.Add(rel, t, /*padded=*/true, shown > 0)) continue;
    plain.Flush();
    if (shown > 0) json.push_back(',');
    json.append(std::string_view("{\"path\":"));
    AppendShown(StrCat({prefix, rel}), &json, &text);
    json.append(TypeMember(t));
    text.append(t == EntryType::kDir ? std::string_view("/\n") : std::string_view("\n"));
  }
  plain.Flush();
  json.push_back(']');
  const bool more = shown < matches.size();
  if (matches.empty()) {
    text = StrCat({after ? "no more matches for " : "no matches for ", Shown(pattern), " under ", path,
                   options.gitignore ? " (.gitignore honoured; gitignore:false searches ignored files too)" : "",
                   "\n"});
  }
  if (more) {
    std::string next = EncodeCursor({owner, StrCat({prefix, matches.name(shown - 1)})});
    json += ",\"next_cursor\":";
    AppendJsonString(next, &json);
    text += StrCat({"[", truncated ? "more" : std::to_string(matches.size() - shown),
                    " more matches: continue with cursor=\"", next, "\"]\n"});
  }
  json += ",\"path\":";
  AppendJsonString(path, &json);
  json += ",\"pattern\":";
  AppendJsonString(pattern, &json);
  if (!truncated) json += StrCat({",\"remaining\":", std::to_string(matches.size() - shown)});
  json += truncated ? ",\"truncated\":true}" : ",\"truncated\":false}";
  if (truncated) {
    text += capped ? StrCat({"[stopped after ", std::to_string(kGlobMaxMatches),
                             " matches: narrow the pattern, path or exclude]\n"})
                   : "[stopped: the walk visited too many entries; narrow the pattern, path or exclude]\n";
  }
  return Reply::WithJsonText(std::move(json), std::move(text));
}

// ---------------------------------------------------------------------------
// fs_stat

// What a symlink's target is, or why it cannot be reached.
std::string TargetType(const ns::Place& place) {
  Result<UniqueFd> fd = ns::OpenBeneathAs(place.root_fd, place.rest, place.path, O_PATH);
  if (!fd.ok()) {
    if (fd.status().code() == StatusCode::kNotFound) return "missing";
    if (fd.status().message().find("escapes the workspace") != std::string::npos) return "outside";
    return "other";
  }
  struct stat st;
  if (::fstat(fd->get(), &st) != 0) return "other";
  return EntryTypeName(TypeOfMode(st.st_mode));
}

Result<Json> StatOne(const ns::Workspace& ws, std::string_view user_path, bool follow, std::string* line) {
  WEFT_ASSIGN_OR_RETURN(ns::Place place, ws.Locate(user_path, ns::Access::kRead));
  Result<UniqueFd> fd = ns::OpenBeneathAs(place.root_fd, place.rest, place.path, O_PATH | (follow ? 0 : O_NOFOLLOW));
  if (!fd.ok()) {
    if (fd.status().code() != StatusCode::kNotFound) return fd.status();
    if (!HasBindsBelow(ws.mounts(), place.path)) {
      *line = StrCat({Shown(place.path), ": does not exist"});
      return Json{{"path", Shown(place.path)}, {"exists", false}};
    }
    *line = StrCat({Shown(place.path), ": dir (holds binds only)"});
    return Json{{"path", Shown(place.path)}, {"exists", true}, {"type", "dir"}};
  }
  struct stat st;
  if (::fstat(fd->get(), &st) != 0) return Status::FromErrno(errno, place.path);
  Json j = StatFields(st);
  j["path"] = Shown(place.path);
  j["exists"] = true;
  bool read_only = ws.read_only() || place.mount->source.read_only;
  j["read_only"] = read_only;
  j["bind"] = place.mount->path;
  *line = StrCat({Shown(place.path), ": ", j["type"].get<std::string>()});
  if (S_ISREG(st.st_mode)) *line += StrCat({", ", HumanSize(static_cast<uint64_t>(st.st_size))});
  if (S_ISLNK(st.st_mode)) {
    WEFT_ASSIGN_OR_RETURN(std::string target, ReadLinkAt(fd->get(), "", place.path));
    j["target"] = Shown(target);
    j["target_type"] = TargetType(place);
    *line += StrCat({" -> ", j["target"].get<std::string>(), " (", j["target_type"].get<std::string>(), ")"});
  }
  *line += StrCat({", mode ", j["mode"].get<std::string>(), ", modified ", j["mtime"].get<std::string>(), ", on bind ",
                   place.mount->path, read_only ? " (read-only)" : ""});
  return j;
}

Result<Reply> HandleStat(const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  bool follow = BoolArg(args, "follow", false);
  bool one = args.contains("path");
  if (one == args.contains("paths")) {
    return Status::InvalidArgument("give either path (one path) or paths (a list of up to 100), not both or neither");
  }
  std::vector<std::string> paths = one ? std::vector<std::string>{StringArg(args, "path")} : StringsArg(args, "paths");
  Json entries = Json::array();
  std::string text;
  for (const std::string& p : paths) {
    std::string line;
    Result<Json> j = StatOne(*ws, p, follow, &line);
    if (!j.ok()) {
      if (one) return j.status();
      Result<std::string> shown = ws->CanonicalPath(p);
      line = StrCat({Shown(shown.ok() ? *shown : p), ": error: ", Shown(j.status().message())});
      entries.push_back(Json{{"path", Shown(shown.ok() ? *shown : p)}, {"error", Shown(j.status().message())}});
    } else {
      entries.push_back(std::move(j).value());
    }
    text += StrCat({line, "\n"});
  }
  return Reply::WithText(Json{{"entries", std::move(entries)}}, std::move(text));
}

}  // namespace

void RegisterBrowseOps(Registry& registry, const ns::Workspaces& workspaces) {
  RegisterListOp(registry, workspaces);
  registry.AddOrDie(WithPaths(OpSpec{
      "fs", "tree", "Show a directory tree",
      "Show the directories and files below a directory as an indented tree, 3 levels deep by default (up to "
      "10), sorted by name. Skips .git and what .gitignore files ignore (from the workspace root down) unless "
      "gitignore is false, and whatever the exclude patterns match. Symlinks are shown with their targets, "
      "never followed. Stops after 2000 entries by default (limit up to 5000) with a marker: narrow with "
      "path, depth or exclude. Use fs_list for sizes and times, fs_glob to find files by name pattern.",
      kReadOnly, Right::kFsRead,
      [&workspaces](Context& ctx, const Json& args) { return HandleTree(workspaces, ctx, args); }},
      {PathUse::Arg("path", PathAccess::kRead, "/")}));
  registry.AddOrDie(WithPaths(OpSpec{
      "fs", "glob", "Find files by pattern",
      "Find files and directories whose path below `path` (default: the workspace root) matches a glob "
      "pattern such as \"**/*.cc\", \"src/*.h\" or \"**/test_*\": '*' and '?' match within one name, "
      "'[abc]' one character of a set, '**' any number of directories. Skips .git and .gitignored files "
      "unless gitignore is false. Returns namespace paths sorted by name, 500 per page (limit up to 5000; a "
      "page also ends at 256 KiB of text); pass next_cursor back as cursor for more. Use fs_tree for an "
      "overview, the search venom to search file contents.",
      kReadOnly, Right::kFsRead,
      [&workspaces](Context& ctx, const Json& args) { return HandleGlob(workspaces, ctx, args); }, false,
      kPageResultChars}, {PathUse::Arg("path", PathAccess::kRead, "/")}));
  registry.AddOrDie(WithPaths(OpSpec{
      "fs", "stat", "Describe a path",
      "Describe one path (path) or up to 100 (paths) without reading them: whether it exists, type, size, "
      "mode, modification and change times, a symlink's target and what that is (symlinks are described "
      "themselves unless follow is true), the bind it lives on and whether that bind is read-only. A missing "
      "path is reported with exists false, not as an error.",
      kReadOnly, Right::kFsRead,
      [&workspaces](Context& ctx, const Json& args) { return HandleStat(workspaces, ctx, args); }, true},
      {PathUse::Arg("path", PathAccess::kRead), PathUse::Arg("paths", PathAccess::kRead)}));
}

}  // namespace weft::venoms::fs
