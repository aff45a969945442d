// fs_list: one directory's entries, sorted and paged, from a cache of
// recent listings that stays valid while the directory is unchanged.
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/venoms/args.h"
#include "core/venoms/fs/dir_halves.h"
#include "core/venoms/fs/fs_common.h"
#include "core/venoms/fs/fs_pages.h"
#include "core/venoms/fs/fs_venom.h"
#include "core/venoms/fs/name_sort.h"

namespace weft::venoms::fs {
namespace {

constexpr int64_t kListDefaultLimit = 200;

constexpr Annotations kReadOnly{true, false, true, false};

// An entry of a listing as the page code sees it. `name` is followed by a
// NUL in memory, so name.data() serves *at() calls.
struct EntryRef {
  std::string_view name;
  EntryType type = EntryType::kOther;
  const ns::Mount* bind = nullptr;  // the bind mounted here, or nullptr
  bool implied = false;             // a directory only deeper binds make
  bool padded = false;              // kNamePadding bytes are readable from name.data()
};

// A directory's entries, sorted by name, as the listing cache keeps them:
// its host entries as SortedNames (no string per entry), or, for a
// directory that binds lie below, every entry with the binds merged in.
class Listing {
 public:
  explicit Listing(SortedNames host) : host_(std::move(host)) {}
  explicit Listing(std::vector<NsEntry> merged) : merged_(std::move(merged)), with_binds_(true) {}

  size_t size() const { return with_binds_ ? merged_.size() : host_.size(); }
  EntryRef at(size_t i) const {
    if (!with_binds_) return EntryRef{host_.name(i), host_.type(i), nullptr, false, true};
    const NsEntry& e = merged_[i];
    return EntryRef{e.name, e.type, e.bind, e.implied};
  }
  // The host entries' buffers, for a collection to reuse once no page is
  // read from this listing any more (it is empty after).
  SortedNames TakeHost() { return std::move(host_); }
  // The index of the first entry whose name is not less than `name`.
  size_t LowerBound(std::string_view name) const {
    if (!with_binds_) return host_.LowerBound(name);
    auto it = std::lower_bound(merged_.begin(), merged_.end(), name,
                               [](const NsEntry& e, std::string_view n) { return e.name < n; });
    return static_cast<size_t>(it - merged_.begin());
  }

 private:
  SortedNames host_;
  std::vector<NsEntry> merged_;
  bool with_binds_ = false;
};

// The entries of recently listed directories, merged with their binds,
// filtered and sorted by name, so that the pages after the first do not read
// and sort the whole directory again. A snapshot is used only while the
// directory is provably unchanged: same inode, same mtime and ctime, and
// those older than the snapshot by more than the file system clock's
// granularity (a change in the same clock tick as the read would otherwise
// leave both times as they were: git's "racy" case).
class ListingCache {
 public:
  using Entries = std::shared_ptr<const Listing>;

  // nullptr when there is no usable snapshot; then `*stale` is the
  // outdated one, if any, out of the cache (a directory read again after a
  // change usually holds about as many entries as before, and its buffers
  // can be reused when no page is being read from it).
  Entries Find(const std::string& key, const struct stat& dir, std::shared_ptr<Listing>* stale) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = slots_.begin(); it != slots_.end(); ++it) {
      if (it->key != key) continue;
      if (!Unchanged(*it, dir)) {
        *stale = std::move(it->entries);
        slots_.erase(it);
        return nullptr;
      }
      slots_.splice(slots_.begin(), slots_, it);  // most recently used first
      return slots_.front().entries;
    }
    return nullptr;
  }

  // `taken`: CLOCK_REALTIME just before the directory was read.
  void Put(std::string key, const struct stat& dir, int64_t taken, std::shared_ptr<Listing> entries) {
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
  static constexpr size_t kMaxEntries = 250'000;  // about 12 MiB per snapshot at most
  static constexpr int64_t kClockSlackNanos = 50'000'000;

  struct Slot {
    std::string key;
    dev_t dev;
    ino_t ino;
    int64_t mtime, ctime, taken;
    std::shared_ptr<Listing> entries;  // handed out as Entries: const to readers
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
bool StatEntry(const ns::Workspace& ws, int dir_fd, const std::string& dir, const EntryRef& e, struct stat* st) {
  if (e.implied) return false;
  if (e.bind != nullptr) {
    Result<UniqueFd> root = ws.OpenPath(JoinNsPath(dir, e.name), O_PATH);
    return root.ok() && ::fstat(root->get(), st) == 0;
  }
  return dir_fd >= 0 && ::fstatat(dir_fd, e.name.data(), st, AT_SYMLINK_NOFOLLOW) == 0;
}

// One entry, appended to `*json` as a JSON object and to `*text` as a line
// of the text reply. Sizes and times (a stat per entry) only with `details`.
// The object's members go in key order, as AppendJson writes them: fs_list
// writes its data as text (Reply::data_json), and the text must be what the
// value would give.
void AppendListEntry(const ns::Workspace& ws, int dir_fd, const std::string& dir, const EntryRef& e, bool details,
                     std::string* json, std::string* text) {
  struct stat st;
  bool stated = details && StatEntry(ws, dir_fd, dir, e, &st);
  bool sized = stated && e.type == EntryType::kFile;
  std::string mtime = stated ? Rfc3339Utc(st.st_mtim) : std::string();
  std::optional<std::string> target;
  if (e.type == EntryType::kSymlink && dir_fd >= 0) {
    Result<std::string> link = ReadLinkAt(dir_fd, e.name.data(), JoinNsPath(dir, e.name));
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
  AppendShown(e.name, json, text);
  if (sized) {
    json->append(std::string_view(",\"size\":"));
    json->append(std::to_string(static_cast<int64_t>(st.st_size)));
  }
  if (target) {
    json->append(std::string_view(",\"target\":"));
    AppendJsonString(*target, json);
  }
  json->append(TypeMember(e.type));

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
// asked, sorted by name: from the cache when it still holds them. `fd` is
// the directory (O_PATH; -1 when only binds make it), `dir` its stat.
Result<ListingCache::Entries> ListedEntries(ListingCache& cache, const ns::Workspace& ws, const std::string& path,
                                            int fd, const struct stat& dir, bool hidden) {
  std::string key = StrCat({ws.id(), "\n", ws.narrowed_by(), "\n", path, hidden ? "\nh" : ""});
  bool cacheable = fd >= 0;
  std::shared_ptr<Listing> stale;
  if (cacheable) {
    if (ListingCache::Entries hit = cache.Find(key, dir, &stale)) return hit;
  }
  const size_t expected = stale != nullptr ? stale->size() : 0;
  // The outdated snapshot's buffers, when nobody reads a page from it: the
  // new one then fills memory already mapped, not fresh pages to fault in.
  SortedNames recycled;
  if (stale != nullptr && stale.use_count() == 1) recycled = stale->TakeHost();
  stale.reset();
  int64_t taken = RealtimeNanos();
  // Per thread, so that its sort's scratch buffer is reused (the names and
  // keys go with the listing).
  thread_local SortedEntries host;
  SortedNames names;
  if (fd >= 0) {
    host.Start(expected + expected / 8, std::move(recycled));
    WEFT_ASSIGN_OR_RETURN(UniqueFd reading, OpenDirForReading(fd, path));
    WEFT_ASSIGN_OR_RETURN(names, SortedDirFd(reading.get(), path, hidden, &host));
  }
  std::shared_ptr<Listing> listing;
  if (HasBindsBelow(ws.mounts(), path)) {
    std::vector<NsEntry> entries = names.ToEntries();
    MergeBinds(ws.mounts(), path, &entries);
    if (!hidden) std::erase_if(entries, [](const NsEntry& e) { return e.name.front() == '.'; });
    SortByName(&entries);  // the binds went at the end
    listing = std::make_shared<Listing>(std::move(entries));
  } else {
    listing = std::make_shared<Listing>(std::move(names));
  }
  if (cacheable) cache.Put(std::move(key), dir, taken, listing);
  return ListingCache::Entries(std::move(listing));
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

  struct stat dir_stat;
  WEFT_ASSIGN_OR_RETURN(UniqueFd fd, OpenNsDirPath(*ws, path, &dir_stat));
  WEFT_ASSIGN_OR_RETURN(ListingCache::Entries all, ListedEntries(cache, *ws, path, fd.get(), dir_stat, hidden));
  const size_t total = all->size();

  // The page: entries with their sort keys, in order. By (key, name)
  // ascending, or the reverse: a total order, so a cursor that holds the
  // last (key, name) resumes exactly after it.
  std::vector<std::pair<int64_t, EntryRef>> page;
  size_t skipped = 0;
  bool more = false;
  if (sort == "name") {
    // Already in order: the page is a range found by binary search.
    size_t first = 0, last = total;  // the entries that may still be shown, ascending
    if (after) {
      size_t i = all->LowerBound(after->second);
      if (desc) last = i;
      else first = (i < total && all->at(i).name == after->second) ? i + 1 : i;
    }
    size_t n = std::min(limit, last - first);
    more = last - first > limit;
    skipped = total - (last - first);
    page.reserve(n);
    for (size_t k = 0; k < n; ++k) page.emplace_back(0, all->at(desc ? last - 1 - k : first + k));
  } else {
    struct stat st;
    std::vector<std::pair<int64_t, EntryRef>> items;
    items.reserve(total);
    for (size_t i = 0; i < total; ++i) {
      if ((i & 1023) == 0 && ctx.cancelled()) return Status::Cancelled("fs_list was cancelled");
      EntryRef e = all->at(i);
      int64_t key = 0;
      if (StatEntry(*ws, fd.get(), path, e, &st)) {
        key = sort == "size" ? static_cast<int64_t>(st.st_size) : TimespecNanos(st.st_mtim);
      }
      items.emplace_back(key, e);
    }
    auto before = [desc](int64_t ka, std::string_view na, int64_t kb, std::string_view nb) {
      return desc ? std::tie(kb, nb) < std::tie(ka, na) : std::tie(ka, na) < std::tie(kb, nb);
    };
    if (after) {
      const std::string_view after_name = after->second;
      auto split = std::partition(items.begin(), items.end(), [&](const auto& it) {
        return before(after->first, after_name, it.first, it.second.name);
      });
      skipped = static_cast<size_t>(items.end() - split);
      items.erase(split, items.end());
    }
    auto less = [&](const auto& a, const auto& b) { return before(a.first, a.second.name, b.first, b.second.name); };
    more = items.size() > limit;
    if (more) {
      std::nth_element(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(limit), items.end(), less);
      items.resize(limit);
    }
    std::sort(items.begin(), items.end(), less);
    page = std::move(items);
  }

  // The data, written as JSON text: {"entries":[…],"next_cursor":…,"path":…,
  // "total":…}, members in key order (AppendListEntry); and the text: a
  // header line, then a line per entry, until the lines reach
  // kPageTextBytes (the page ends there).
  size_t names = 0;
  for (const auto& [key, entry] : page) names += entry.name.size();
  std::string json = "{\"entries\":[";
  std::string lines;
  json.reserve(std::min(names, kPageTextBytes) * 2 + page.size() * (details ? 96 : 32) + path.size() + 128);
  lines.reserve(std::min(names + page.size() * (details ? 64 : 2), kPageTextBytes + 8192));
  PlainItems plain("name", "", &json, &lines);
  size_t shown = 0;
  for (; shown < page.size(); ++shown) {
    if (shown > 0 && plain.text_size() >= kPageTextBytes) break;
    const EntryRef& e = page[shown].second;
    // No bind to name and no link target to read: the entry is its name and type.
    const bool bare = !details && e.bind == nullptr && e.type != EntryType::kSymlink;
    if (bare && plain.Add(e.name, e.type, e.padded, shown > 0)) continue;
    plain.Flush();
    if (shown > 0) json.push_back(',');
    AppendListEntry(*ws, fd.get(), path, page[shown].second, details, &json, &lines);
  }
  plain.Flush();
  json.push_back(']');
  more = more || shown < page.size();

  std::string text = StrCat({path, ": ", std::to_string(total), total == 1 ? " entry" : " entries"});
  if (total == 0) text += hidden ? " (empty directory)" : " (no entries that are not hidden)";
  if (skipped > 0 || more) {
    text += StrCat({", showing ", std::to_string(skipped + 1), "-", std::to_string(skipped + shown)});
  }
  text.push_back('\n');
  text += lines;
  if (more) {
    const auto& [key, entry] = page[shown - 1];
    std::string next = EncodeCursor({owner, std::to_string(key), std::string(entry.name)});
    json += ",\"next_cursor\":";
    AppendJsonString(next, &json);
    text += StrCat({"[more entries: continue with cursor=\"", next, "\"]\n"});
  }
  json += ",\"path\":";
  AppendJsonString(path, &json);
  json += StrCat({",\"total\":", std::to_string(total), "}"});
  return Reply::WithJsonText(std::move(json), std::move(text));
}

}  // namespace

void RegisterListOp(Registry& registry, const ns::Workspaces& workspaces) {
  auto listings = std::make_shared<ListingCache>();
  registry.AddOrDie(WithPaths(OpSpec{
      "fs", "list", "List a directory",
      "List one directory: each entry's name, type (file, dir, symlink, other), size (files), modification "
      "time, symlink target, and the binds mounted below it; details: false leaves out sizes and times, which "
      "is much faster on large directories. Sorted by name unless sort says size or mtime; dotfiles are "
      "included unless hidden is false. Pages of 200 entries by default (limit up to 1000; a page also ends at "
      "256 KiB of text); pass next_cursor back as cursor for the next page. Use fs_tree to see several levels "
      "at once, fs_glob to find files by pattern.",
      kReadOnly, Right::kFsRead,
      [&workspaces, listings](Context& ctx, const Json& args) {
        return HandleList(*listings, workspaces, ctx, args);
      },
      // One directory read (once per change, then pages come from the
      // listing cache) and at most a page of stats: local work like fs_read.
      true, kPageResultChars}, {PathUse::Arg("path", PathAccess::kRead, "/")}));
}

}  // namespace weft::venoms::fs
