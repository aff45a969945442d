// fs_list, fs_tree, fs_glob and fs_stat: what the workspace holds, found
// through dir fds (readdir, fstatat, readlinkat), binds included.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/base64.h"
#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/ns/resolve.h"
#include "core/venoms/args.h"
#include "core/venoms/fs/fs_common.h"
#include "core/venoms/fs/fs_venom.h"
#include "core/venoms/fs/name_sort.h"

namespace weft::venoms::fs {
namespace {

constexpr int64_t kListDefaultLimit = 200;
constexpr int64_t kTreeDefaultDepth = 3;
constexpr int64_t kTreeDefaultLimit = 2000;
constexpr int64_t kGlobDefaultLimit = 500;
constexpr size_t kGlobMaxMatches = 100'000;  // matches collected (and sorted) per call

constexpr Annotations kReadOnly{true, false, true, false};

// A name as it may appear in a JSON reply (valid UTF-8).
std::string Shown(std::string_view name) {
  std::string out;
  AppendValidUtf8(&out, name);
  return out;
}

std::vector<std::string> StringsArg(const Json& args, const char* key) {
  std::vector<std::string> out;
  auto it = args.find(key);
  if (it == args.end() || !it->is_array()) return out;
  for (const Json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// Cursors: opaque to callers, base64url of NUL-separated fields (names never
// hold NUL, and they need not be UTF-8). The first field is a hash of the
// call's arguments (OwnerTag), so a cursor from another listing is refused
// rather than misread.
std::string OwnerTag(std::string_view what) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : what) h = (h ^ c) * 1099511628211ull;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kHex[h & 15];
  return out;
}

std::string EncodeCursor(const std::vector<std::string>& fields) {
  std::string raw;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) raw.push_back('\0');
    raw += fields[i];
  }
  return Base64UrlEncode(raw);
}

Result<std::vector<std::string>> DecodeCursor(std::string_view cursor, std::string_view owner, size_t n) {
  std::optional<std::string> raw = Base64UrlDecode(cursor);
  std::vector<std::string> fields;
  if (raw) {
    size_t start = 0;
    for (;;) {
      size_t end = raw->find('\0', start);
      fields.push_back(raw->substr(start, end == std::string::npos ? std::string::npos : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  if (!raw || fields.size() != n || fields[0] != owner) {
    return Status::InvalidArgument(StrCat({"the cursor is not one this listing gave out: pass next_cursor from the "
                                           "previous page of the same call (same path and options), or leave it out "
                                           "to start over"}));
  }
  return fields;
}

// ---------------------------------------------------------------------------
// fs_list

// The entries of recently listed directories, merged with their binds,
// filtered and sorted by name, so that the pages after the first do not read
// and sort the whole directory again. A snapshot is used only while the
// directory is provably unchanged: same inode, same mtime and ctime, and
// those older than the snapshot by more than the file system clock's
// granularity (a change in the same clock tick as the read would otherwise
// leave both times as they were: git's "racy" case).
class ListingCache {
 public:
  using Entries = std::shared_ptr<const std::vector<NsEntry>>;

  // nullptr when there is no usable snapshot; then `*stale_size` is the
  // size of the outdated one, if any, else 0 (a directory read again after
  // a change usually holds about as many entries as before).
  Entries Find(const std::string& key, const struct stat& dir, size_t* stale_size) {
    *stale_size = 0;
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = slots_.begin(); it != slots_.end(); ++it) {
      if (it->key != key) continue;
      if (!Unchanged(*it, dir)) {
        *stale_size = it->entries->size();
        slots_.erase(it);
        return nullptr;
      }
      slots_.splice(slots_.begin(), slots_, it);  // most recently used first
      return slots_.front().entries;
    }
    return nullptr;
  }

  // `taken`: CLOCK_REALTIME just before the directory was read.
  void Put(std::string key, const struct stat& dir, int64_t taken, Entries entries) {
    if (entries->size() < kMinEntries || entries->size() > kMaxEntries) return;
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = slots_.begin(); it != slots_.end(); ++it) {
      if (it->key == key) {
        slots_.erase(it);
        break;
      }
    }
    slots_.push_front(Slot{std::move(key), dir.st_dev, dir.st_ino, TimespecNanos(dir.st_mtim),
                           TimespecNanos(dir.st_ctim), taken, std::move(entries)});
    if (slots_.size() > kSlots) slots_.pop_back();
  }

 private:
  static constexpr size_t kSlots = 8;
  static constexpr size_t kMinEntries = 1000;     // smaller listings are cheap to redo
  static constexpr size_t kMaxEntries = 250'000;  // about 20 MiB per snapshot at most
  static constexpr int64_t kClockSlackNanos = 50'000'000;

  struct Slot {
    std::string key;
    dev_t dev;
    ino_t ino;
    int64_t mtime, ctime, taken;
    Entries entries;
  };

  static bool Unchanged(const Slot& s, const struct stat& dir) {
    return s.dev == dir.st_dev && s.ino == dir.st_ino && s.mtime == TimespecNanos(dir.st_mtim) &&
           s.ctime == TimespecNanos(dir.st_ctim) && std::max(s.mtime, s.ctime) + kClockSlackNanos < s.taken;
  }

  std::mutex mu_;
  std::list<Slot> slots_;
};

int64_t RealtimeNanos() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return TimespecNanos(ts);
}

// lstat-like details of a listed entry: a bind's root, a host entry (no
// follow); false for an implied directory.
bool StatEntry(const ns::Workspace& ws, int dir_fd, const std::string& dir, const NsEntry& e, struct stat* st) {
  if (e.implied) return false;
  if (e.bind != nullptr) {
    Result<UniqueFd> root = ws.OpenPath(JoinNsPath(dir, e.name), O_PATH);
    return root.ok() && ::fstat(root->get(), st) == 0;
  }
  return dir_fd >= 0 && ::fstatat(dir_fd, e.name.c_str(), st, AT_SYMLINK_NOFOLLOW) == 0;
}

// The last member of an entry's JSON object, its type, and the closing brace.
std::string_view TypeMember(EntryType type) {
  switch (type) {
    case EntryType::kFile: return ",\"type\":\"file\"}";
    case EntryType::kDir: return ",\"type\":\"dir\"}";
    case EntryType::kSymlink: return ",\"type\":\"symlink\"}";
    case EntryType::kOther: return ",\"type\":\"other\"}";
  }
  return ",\"type\":\"other\"}";
}

// One entry, appended to `*json` as a JSON object and to `*text` as a line
// of the text reply. Sizes and times (a stat per entry) only with `details`.
// The object's members go in key order, as AppendJson writes them: fs_list
// writes its data as text (Reply::data_json), and the text must be what the
// value would give. Pages are thousands of entries: no allocation for a name
// that is ASCII (most are), which is shown as it is.
void AppendListEntry(const ns::Workspace& ws, int dir_fd, const std::string& dir, const NsEntry& e, bool details,
                     std::string* json, std::string* text) {
  std::string shown;
  std::string_view name = e.name;
  bool plain = PlainJsonPrefix(name) == name.size();  // the same in JSON
  if (!plain && !std::all_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    shown = Shown(e.name);
    name = shown;
  }
  struct stat st;
  bool stated = details && StatEntry(ws, dir_fd, dir, e, &st);
  bool sized = stated && e.type == EntryType::kFile;
  std::string mtime = stated ? Rfc3339Utc(st.st_mtim) : std::string();
  std::optional<std::string> target;
  if (e.type == EntryType::kSymlink && dir_fd >= 0) {
    Result<std::string> link = ReadLinkAt(dir_fd, e.name.c_str(), JoinNsPath(dir, e.name));
    if (link.ok()) target = Shown(*link);
  }

  // Literal pieces as string_views: no strlen per entry.
  json->push_back('{');
  if (e.bind != nullptr) {
    json->append(std::string_view("\"bind\":"));
    AppendJsonString(e.bind->path, json);
    json->push_back(',');
  }
  if (stated) {
    json->append(std::string_view("\"mtime\":"));
    AppendJsonString(mtime, json);
    json->push_back(',');
  }
  json->append(std::string_view("\"name\":"));
  if (plain) {
    json->push_back('"');
    json->append(name);
    json->push_back('"');
  } else {
    AppendJsonString(name, json);
  }
  if (sized) {
    json->append(std::string_view(",\"size\":"));
    json->append(std::to_string(static_cast<int64_t>(st.st_size)));
  }
  if (target) {
    json->append(std::string_view(",\"target\":"));
    AppendJsonString(*target, json);
  }
  json->append(TypeMember(e.type));

  text->append(name);
  if (e.type == EntryType::kDir) text->push_back('/');
  if (sized) *text += StrCat({"  ", HumanSize(static_cast<uint64_t>(st.st_size))});
  if (stated) *text += StrCat({"  ", mtime});
  if (target) *text += StrCat({"  -> ", *target});
  if (e.bind != nullptr) {
    *text += StrCat({"  [bind of ", Shown(e.bind->source.dir), e.bind->source.read_only ? ", read-only]" : "]"});
  }
  text->push_back('\n');
}

// The directory's entries, merged with its binds, without hidden ones unless
// asked, sorted by name: from the cache when it still holds them.
Result<ListingCache::Entries> ListedEntries(ListingCache& cache, const ns::Workspace& ws, const std::string& path,
                                            int fd, bool hidden) {
  std::string key = StrCat({ws.id(), "\n", ws.narrowed_by(), "\n", path, hidden ? "\nh" : ""});
  struct stat dir;
  bool cacheable = fd >= 0 && ::fstat(fd, &dir) == 0;
  size_t expected = 0;
  if (cacheable) {
    if (ListingCache::Entries hit = cache.Find(key, dir, &expected)) return hit;
  }
  int64_t taken = RealtimeNanos();
  // Per thread, so that its buffers are reused (SortedEntries).
  thread_local SortedEntries host;
  host.Start(expected + expected / 8);
  if (fd >= 0) {
    WEFT_RETURN_IF_ERROR(VisitDirFd(fd, path, [&](std::string_view name, EntryType type) {
      if (hidden || name.front() != '.') host.Add(name, type);
    }));
  }
  auto entries = std::make_shared<std::vector<NsEntry>>(host.Take());
  if (MergeBinds(ws.mounts(), path, entries.get())) {
    if (!hidden) std::erase_if(*entries, [](const NsEntry& e) { return e.name.front() == '.'; });
    SortByName(entries.get());  // the binds went at the end
  }
  ListingCache::Entries shared = std::move(entries);
  if (cacheable) cache.Put(std::move(key), dir, taken, shared);
  return shared;
}

Result<Reply> HandleList(ListingCache& cache, const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  WEFT_ASSIGN_OR_RETURN(std::string path, ws->CanonicalPath(StringArg(args, "path", ws->DefaultDir())));
  std::string sort = StringArg(args, "sort", "name");
  bool desc = StringArg(args, "order", "asc") == "desc";
  bool hidden = BoolArg(args, "hidden", true);
  bool details = BoolArg(args, "details", true);
  if (!details && sort != "name") {
    return Status::InvalidArgument(StrCat({"sort ", sort, " needs each entry's ", sort == "size" ? "size" : "time",
                                           ": leave details true (the default), or sort by name"}));
  }
  size_t limit = static_cast<size_t>(IntArg(args, "limit", kListDefaultLimit));
  std::string owner =
      OwnerTag(StrCat({"list\n", ws->id(), "\n", path, "\n", sort, desc ? "\ndesc" : "\nasc", hidden ? "\nh" : ""}));
  std::optional<std::pair<int64_t, std::string>> after;
  if (std::string cursor = StringArg(args, "cursor"); !cursor.empty()) {
    WEFT_ASSIGN_OR_RETURN(std::vector<std::string> f, DecodeCursor(cursor, owner, 3));
    after.emplace(std::strtoll(f[1].c_str(), nullptr, 10), f[2]);
  }

  WEFT_ASSIGN_OR_RETURN(UniqueFd fd, OpenNsDir(*ws, path));
  WEFT_ASSIGN_OR_RETURN(ListingCache::Entries all, ListedEntries(cache, *ws, path, fd.get(), hidden));
  const size_t total = all->size();

  // The page: entries with their sort keys, in order. By (key, name)
  // ascending, or the reverse: a total order, so a cursor that holds the
  // last (key, name) resumes exactly after it.
  std::vector<std::pair<int64_t, const NsEntry*>> page;
  size_t skipped = 0;
  bool more = false;
  if (sort == "name") {
    // Already in order: the page is a range found by binary search.
    auto by_name = [](const NsEntry& e, const std::string& name) { return e.name < name; };
    size_t first = 0, last = total;  // the entries that may still be shown, ascending
    if (after) {
      auto at = std::lower_bound(all->begin(), all->end(), after->second, by_name);
      size_t i = static_cast<size_t>(at - all->begin());
      if (desc) last = i;
      else first = (at != all->end() && at->name == after->second) ? i + 1 : i;
    }
    size_t n = std::min(limit, last - first);
    more = last - first > limit;
    skipped = total - (last - first);
    for (size_t k = 0; k < n; ++k) page.emplace_back(0, &(*all)[desc ? last - 1 - k : first + k]);
  } else {
    struct stat st;
    std::vector<std::pair<int64_t, const NsEntry*>> items;
    items.reserve(total);
    for (size_t i = 0; i < total; ++i) {
      if ((i & 1023) == 0 && ctx.cancelled()) return Status::Cancelled("fs_list was cancelled");
      const NsEntry& e = (*all)[i];
      int64_t key = 0;
      if (StatEntry(*ws, fd.get(), path, e, &st)) {
        key = sort == "size" ? static_cast<int64_t>(st.st_size) : TimespecNanos(st.st_mtim);
      }
      items.emplace_back(key, &e);
    }
    auto before = [desc](int64_t ka, const std::string& na, int64_t kb, const std::string& nb) {
      return desc ? std::tie(kb, nb) < std::tie(ka, na) : std::tie(ka, na) < std::tie(kb, nb);
    };
    if (after) {
      auto split = std::partition(items.begin(), items.end(), [&](const auto& it) {
        return before(after->first, after->second, it.first, it.second->name);
      });
      skipped = static_cast<size_t>(items.end() - split);
      items.erase(split, items.end());
    }
    auto less = [&](const auto& a, const auto& b) { return before(a.first, a.second->name, b.first, b.second->name); };
    more = items.size() > limit;
    if (more) {
      std::nth_element(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(limit), items.end(), less);
      items.resize(limit);
    }
    std::sort(items.begin(), items.end(), less);
    page = std::move(items);
  }

  // The text reply: a header line, then a line per entry.
  std::string text = StrCat({path, ": ", std::to_string(total), total == 1 ? " entry" : " entries"});
  if (total == 0) text += hidden ? " (empty directory)" : " (no entries that are not hidden)";
  if (skipped > 0 || more) {
    text += StrCat({", showing ", std::to_string(skipped + 1), "-", std::to_string(skipped + page.size())});
  }
  text.push_back('\n');
  // The data, written as JSON text: {"entries":[…],"next_cursor":…,"path":…,
  // "total":…}, members in key order (AppendListEntry).
  size_t names = 0;
  for (const auto& [key, entry] : page) names += entry->name.size();
  std::string json = "{\"entries\":[";
  json.reserve(names + page.size() * (details ? 96 : 32) + path.size() + 128);
  text.reserve(text.size() + names + page.size() * (details ? 64 : 2) + 128);
  for (size_t i = 0; i < page.size(); ++i) {
    if (i > 0) json.push_back(',');
    AppendListEntry(*ws, fd.get(), path, *page[i].second, details, &json, &text);
  }
  json.push_back(']');
  if (more) {
    const auto& [key, entry] = page.back();
    std::string next = EncodeCursor({owner, std::to_string(key), entry->name});
    json += ",\"next_cursor\":";
    AppendJsonString(next, &json);
    text += StrCat({"[more entries: continue with cursor=\"", next, "\"]\n"});
  }
  json += ",\"path\":";
  AppendJsonString(path, &json);
  json += StrCat({",\"total\":", std::to_string(total), "}"});
  return Reply::WithJsonText(std::move(json), std::move(text));
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

  std::vector<std::pair<std::string, EntryType>> matches;
  bool capped = false;
  WEFT_ASSIGN_OR_RETURN(WalkStats stats, Walk(*ws, ctx, path, options, [&](const WalkEntry& e) {
    uint64_t state = matcher.Step(e.parent_state, e.name);
    if (state == 0) return WalkStep::kPrune;
    bool wanted = type == "any" || (type == "dir") == (e.type == EntryType::kDir);
    if (matcher.Accepts(state) && wanted && (!after || e.path > *after)) {
      if (matches.size() >= kGlobMaxMatches) {
        capped = true;
        return WalkStep::kStop;
      }
      matches.emplace_back(e.path, e.type);
    }
    *e.state = state;
    return matcher.Alive(state) ? WalkStep::kContinue : WalkStep::kPrune;
  }));
  bool truncated = capped || stats.hit_visit_cap;
  std::sort(matches.begin(), matches.end());
  bool more = matches.size() > limit;
  Json list = Json::array();
  std::string text;
  for (size_t i = 0; i < matches.size() && i < limit; ++i) {
    const auto& [p, t] = matches[i];
    list.push_back(Json{{"path", Shown(p)}, {"type", EntryTypeName(t)}});
    text += StrCat({Shown(p), t == EntryType::kDir ? "/\n" : "\n"});
  }
  Json data{{"path", path}, {"pattern", pattern}, {"matches", std::move(list)}, {"truncated", truncated}};
  if (!truncated) data["remaining"] = matches.size() - std::min(matches.size(), limit);
  if (matches.empty()) {
    text = StrCat({after ? "no more matches for " : "no matches for ", Shown(pattern), " under ", path,
                   options.gitignore ? " (.gitignore honoured; gitignore:false searches ignored files too)" : "",
                   "\n"});
  }
  if (more) {
    std::string next = EncodeCursor({owner, matches[limit - 1].first});
    data["next_cursor"] = next;
    text += StrCat({"[", truncated ? "more" : std::to_string(matches.size() - limit),
                    " more matches: continue with cursor=\"", next, "\"]\n"});
  }
  if (truncated) {
    text += capped ? StrCat({"[stopped after ", std::to_string(kGlobMaxMatches),
                             " matches: narrow the pattern, path or exclude]\n"})
                   : "[stopped: the walk visited too many entries; narrow the pattern, path or exclude]\n";
  }
  return Reply::WithText(std::move(data), std::move(text));
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
  auto listings = std::make_shared<ListingCache>();
  registry.AddOrDie(WithPaths(OpSpec{
      "fs", "list", "List a directory",
      "List one directory: each entry's name, type (file, dir, symlink, other), size (files), modification "
      "time, symlink target, and the binds mounted below it; details: false leaves out sizes and times, which "
      "is much faster on large directories. Sorted by name unless sort says size or mtime; dotfiles are "
      "included unless hidden is false. Pages of 200 entries by default (limit up to 1000); pass next_cursor "
      "back as cursor for the next page. Use fs_tree to see several levels at once, fs_glob to find files by "
      "pattern.",
      kReadOnly, Right::kFsRead,
      [&workspaces, listings](Context& ctx, const Json& args) {
        return HandleList(*listings, workspaces, ctx, args);
      },
      // One directory read (once per change, then pages come from the
      // listing cache) and at most a page of stats: local work like fs_read.
      true}, {PathUse::Arg("path", PathAccess::kRead, "/")}));
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
      "unless gitignore is false. Returns namespace paths sorted by name, 500 per page (limit up to 5000); "
      "pass next_cursor back as cursor for more. Use fs_tree for an overview, the search venom to search "
      "file contents.",
      kReadOnly, Right::kFsRead,
      [&workspaces](Context& ctx, const Json& args) { return HandleGlob(workspaces, ctx, args); }},
      {PathUse::Arg("path", PathAccess::kRead, "/")}));
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
