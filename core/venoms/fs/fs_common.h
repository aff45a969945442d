// What the fs venom's ops share: entry types, stat → JSON, RFC 3339 times,
// UTF-8 clean-up, directory reading over fds, and the glob/gitignore matching
// and namespace walk behind fs_tree and fs_glob.
#pragma once

#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/fd.h"
#include "core/base/json.h"
#include "core/base/result.h"
#include "core/base/utf8.h"
#include "core/ns/workspace.h"
#include "core/venoms/registry.h"

namespace weft::venoms::fs {

// list, tree, glob and stat (fs_browse.cc); RegisterFsReadOps calls it after
// read and read_many, so tools/list shows them in that order.
void RegisterBrowseOps(Registry& registry, const ns::Workspaces& workspaces);
// list (fs_list.cc), which RegisterBrowseOps registers first.
void RegisterListOp(Registry& registry, const ns::Workspaces& workspaces);

// ---------------------------------------------------------------------------
// Entries, times, modes, text

enum class EntryType { kFile, kDir, kSymlink, kOther };

EntryType TypeOfMode(mode_t mode);
// "file", "dir", "symlink", "other": the names every fs schema uses.
const char* EntryTypeName(EntryType type);

// "2026-01-02T03:04:05Z" (UTC, whole seconds).
std::string Rfc3339Utc(const struct timespec& ts);
// The permission bits with setuid/setgid/sticky as four octal digits: "0644".
std::string OctalMode(mode_t mode);
// {type, size, mode, mtime, ctime}: the fields of `st` every stat-like reply
// shares (see schemas/fs/stat.output.json).
Json StatFields(const struct stat& st);
// Nanoseconds since the epoch, for ordering by time.
int64_t TimespecNanos(const struct timespec& ts);

// "812 B", "4.2 KiB", "1.5 MiB", "2.0 GiB".
std::string HumanSize(uint64_t bytes);

// A namespace path below `dir` ("/" + "a" = "/a", "/src" + "a" = "/src/a").
std::string JoinNsPath(std::string_view dir, std::string_view name);

// The largest n ≤ max such that bytes[0, n) does not end inside a UTF-8
// sequence.
size_t Utf8Boundary(std::string_view bytes, size_t max);

// The target of the symlink `name` in `dir_fd` ("" names `dir_fd` itself,
// an O_PATH|O_NOFOLLOW fd of a symlink). `shown` names it in errors.
Result<std::string> ReadLinkAt(int dir_fd, const char* name, std::string_view shown);

// ---------------------------------------------------------------------------
// Directories over fds

// openat(parent_fd, name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC): never
// follows a symlink. `shown` names the directory in errors.
Result<UniqueFd> OpenDirAt(int parent_fd, const char* name, std::string_view shown);

struct DirEntry {
  std::string name;
  EntryType type = EntryType::kOther;
};

// Reads the directory open (O_RDONLY) at `dir_fd`, every entry but "." and
// "..", in the order the file system gives: getdents64 on `dir_fd` itself
// from position `from` (0: its start; it moves the fd's position, which
// *at() calls do not use; not for an fd another thread reads at the same
// time), a buffer at a time, into a buffer kept per thread (a reader made
// while another is alive on the same thread gets its own). DT_UNKNOWN is
// settled with fstatat (no follow). Next is inline: walks and listings call
// it for every entry.
//
// Positions are getdents64's: each entry's d_off is where the one after it
// is, and seeking there resumes after it. A reader can be told to stop
// before the first entry at or past a position (SetStop); it then reads
// smaller buffers as it nears it, so that little is read past it.
class DirReader {
 public:
  static constexpr uint64_t kNoStop = UINT64_MAX;

  // A failed seek to `from` shows in status() at once.
  DirReader(int dir_fd, std::string_view shown, uint64_t from = 0);
  ~DirReader();
  DirReader(const DirReader&) = delete;
  DirReader& operator=(const DirReader&) = delete;

  // The next entry (`*name` valid until the next call); false at the end
  // or on a failure (status()).
  bool Next(std::string_view* name, EntryType* type) {
    for (;;) {
      if (position_ >= stop_) {
        stopped_ = true;
        return false;
      }
      if (at_ >= got_ && !Fill()) return false;
      const auto* d = reinterpret_cast<const struct dirent64*>(buffer_ + at_);
      at_ += d->d_reclen;
      position_ = static_cast<uint64_t>(d->d_off);
      const char* n = d->d_name;
      if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) continue;
      *name = std::string_view(n);
      *type = d->d_type == DT_UNKNOWN ? TypeAt(n) : TypeOfDirent(d->d_type);
      return true;
    }
  }
  const Status& status() const { return status_; }

  // Next returns false, with stopped() true, before an entry at or past
  // `stop` (kNoStop: none); a later SetStop further on lets it go on.
  void SetStop(uint64_t stop) {
    stop_ = stop;
    stopped_ = false;
  }
  bool stopped() const { return stopped_; }
  // Where the entry Next reads next is (the last one's d_off).
  uint64_t position() const { return position_; }

 private:
  static EntryType TypeOfDirent(unsigned char d_type) {
    switch (d_type) {
      case DT_REG: return EntryType::kFile;
      case DT_DIR: return EntryType::kDir;
      case DT_LNK: return EntryType::kSymlink;
      default: return EntryType::kOther;
    }
  }
  EntryType TypeAt(const char* name) const;  // fstatat, no follow
  bool Fill();                               // the next getdents64; false at the end or on a failure
  size_t FillBytes() const;                  // how much that asks for (less when nearing stop_)

  const int fd_;
  const std::string_view shown_;
  std::unique_ptr<char[]> own_;  // when the thread's buffer is taken
  char* buffer_ = nullptr;
  size_t at_ = 0, got_ = 0;
  bool done_ = false;
  const uint64_t from_;
  uint64_t position_;
  uint64_t stop_ = kNoStop;
  bool stopped_ = false;
  uint64_t read_bytes_ = 0;  // the bytes of the buffers before this one: the entries from from_ to position_
  Status status_;
};

// kResourceExhausted: `shown` holds more than `max_entries` entries.
Status TooManyEntries(std::string_view shown, size_t max_entries);

// Hands each entry of the directory open at `dir_fd` to
// `visit(std::string_view name, EntryType type)` as it is read (`name` is
// valid during the call only); DirReader says how. Fails with
// kResourceExhausted past `max_entries`.
template <typename Visit>
Status VisitDirFd(int dir_fd, std::string_view shown, Visit&& visit, size_t max_entries = 2'000'000) {
  DirReader reader(dir_fd, shown);
  std::string_view name;
  EntryType type;
  for (size_t seen = 0; reader.Next(&name, &type);) {
    if (seen++ >= max_entries) return TooManyEntries(shown, max_entries);
    visit(name, type);
  }
  return reader.status();
}
// The same, collected.
Result<std::vector<DirEntry>> ReadDirFd(int dir_fd, std::string_view shown, size_t max_entries = 2'000'000);

// An entry of a namespace directory: a host entry, or the name of a bind
// that sits below the directory (a bind hides a host entry of its name).
struct NsEntry {
  std::string name;
  EntryType type = EntryType::kOther;
  // The bind mounted exactly here, or nullptr.
  const ns::Mount* bind = nullptr;
  // A directory that exists only because a deeper bind lies below it (the
  // host has no such entry).
  bool implied = false;
};

// `*entries` (the host entries of namespace directory `dir`, possibly none)
// merged with the binds that lie below `dir`: a bind replaces the host entry
// of its name; a directory a deeper bind needs is added unless the host has
// an entry of that name. Entries added go at the end. False when no bind
// lies below `dir` (nothing changed).
bool MergeBinds(const ns::MountTable& mounts, std::string_view dir, std::vector<NsEntry>* entries);

// True when some bind lies strictly below namespace directory `dir`.
bool HasBindsBelow(const ns::MountTable& mounts, std::string_view dir);

// Opens namespace directory `dir` for reading (O_RDONLY|O_DIRECTORY,
// following symlinks that stay in the workspace). An invalid fd (and ok)
// when the host has no such directory but binds lie below it. Errors name
// the path; a non-directory is kFailedPrecondition.
Result<UniqueFd> OpenNsDir(const ns::Workspace& ws, std::string_view dir);
// The same checks, but the fd is O_PATH (enough for *at() calls and fstat,
// not for reading entries: OpenDirForReading) and `*st` gets the
// directory's stat.
Result<UniqueFd> OpenNsDirPath(const ns::Workspace& ws, std::string_view dir, struct stat* st);
// The directory at `dir_fd` (O_PATH will do) opened again for reading its
// entries (O_RDONLY). `shown` names it in errors.
Result<UniqueFd> OpenDirForReading(int dir_fd, std::string_view shown);

// ---------------------------------------------------------------------------
// Globs and gitignore

// One path component's glob: fnmatch(3) syntax (`*`, `?`, `[...]`, `\`
// escapes) where `*` also matches a leading dot; literals, `*`, `*suffix`
// and `prefix*` take a fast path.
class NameGlob {
 public:
  explicit NameGlob(std::string pattern);
  bool Match(std::string_view name) const;
  bool match_all() const { return kind_ == Kind::kAll; }
  const std::string& pattern() const { return pattern_; }

 private:
  enum class Kind { kLiteral, kAll, kSuffix, kPrefix, kFnmatch };
  Kind kind_;
  std::string pattern_;
  std::string fixed_;  // the literal, suffix or prefix
};

// A path pattern split into components ("src/**/*.h"), matched one
// component at a time so a walk can tell early that a directory cannot lead
// to a match. "**" matches zero or more components (one or more when it is
// the last). States are bit sets: 0 is dead. At most 63 components.
class ComponentsMatcher {
 public:
  explicit ComponentsMatcher(std::vector<NameGlob> globs);
  static constexpr size_t kMaxComponents = 63;
  uint64_t Start() const;
  uint64_t Step(uint64_t state, std::string_view component) const;
  // The components consumed so far match the whole pattern.
  bool Accepts(uint64_t state) const { return (state >> globs_.size()) & 1U; }
  // More components could still lead to a match.
  bool Alive(uint64_t state) const { return (state & ~(uint64_t{1} << globs_.size())) != 0; }
  bool Match(const std::vector<std::string_view>& parts) const;

 private:
  uint64_t Closure(uint64_t state) const;
  std::vector<NameGlob> globs_;
  uint64_t any_ = 0;         // bit i: globs_[i] is "**"
  uint64_t globs_mask_ = 0;  // a bit per glob
};

// The rules of one .gitignore file (or of an `exclude` list, which takes the
// same syntax), relative to the directory it lives in. The subset of
// gitignore(5) honoured: blank lines and `#` comments; `\#`, `\!` and `\ `
// escapes; trailing spaces trimmed; `!` negation; a trailing `/` for
// directories only; a `/` at the start or in the middle anchors the pattern
// to the base directory, otherwise it matches the name at any depth; `*`,
// `?`, `[...]` within a component; `**` as a whole component for any number
// of directories. Not honoured: .git/info/exclude and core.excludesFile.
class IgnoreRules {
 public:
  enum class Verdict { kNone, kIgnore, kKeep };

  void AddLines(std::string_view text);
  void AddPattern(std::string_view line);
  bool empty() const { return rules_.empty(); }
  // The last rule matching `rel` ('/'-separated path relative to the base,
  // never empty) decides.
  Verdict Check(std::string_view rel, bool is_dir) const;

 private:
  struct Rule {
    ComponentsMatcher anchored_parts{std::vector<NameGlob>{}};  // anchored rules
    std::vector<NameGlob> name;          // the others: one glob for the last component
    bool negate = false;
    bool dir_only = false;
    bool anchored = false;
  };
  std::vector<Rule> rules_;
};

// ---------------------------------------------------------------------------
// The walk behind fs_tree and fs_glob (fs_walk.cc)

struct WalkOptions {
  bool gitignore = true;  // honour .gitignore files (from "/" down) and skip .git
  bool hidden = true;     // include names starting with '.'
  std::vector<std::string> exclude;  // gitignore syntax, relative to the start
  int max_depth = 1 << 20;           // 1: the start's own entries only
  uint64_t initial_state = 0;        // the parent_state of the start's own entries
  bool sorted = false;               // visit each directory's entries by name
  size_t max_visits = 2'000'000;     // entries visited before giving up
  // Threads that may walk at once (a large walk starts the others as it
  // goes). Above 1, the visitor is called from several threads at once
  // (WalkEntry::worker says which) and `sorted` must be false; which
  // entries a walk stopped early (kStop, max_visits) had visited then
  // depends on timing.
  int threads = 1;
};

// What the walk hands its visitor for one entry; `path`, `rel` and `name`
// are valid during the visit only.
struct WalkEntry {
  const std::string& path;  // canonical namespace path
  std::string_view rel;     // relative to the start ("a/b.c")
  std::string_view name;
  EntryType type;
  int depth;                // 1 for the start's own entries
  int parent_fd;            // the directory holding it (-1 for a missing host dir)
  const ns::Mount* bind;    // the bind mounted here, or nullptr
  uint64_t parent_state;    // what the visitor stored for the parent (initial_state at the start)
  uint64_t* state;          // what the visitor stores for this entry's children
  int worker;               // the thread visiting, 0 to WalkOptions::threads - 1
};

enum class WalkStep { kContinue, kPrune, kStop };

struct WalkStats {
  size_t visited = 0;
  bool hit_visit_cap = false;
  int threads = 1;  // how many walked
};

// Walks namespace directory `start` depth first, never following symlinks,
// entering binds below it through their own roots, skipping what hidden,
// gitignore and exclude leave out (never visited, never entered). The visitor
// sees every other entry; directories are entered unless it returns kPrune
// (or they are at max_depth); kStop ends the walk. Unreadable directories are
// skipped. Honours ctx.cancelled() (kCancelled). In fs_walk.cc.
Result<WalkStats> Walk(const ns::Workspace& ws, Context& ctx, std::string_view start, const WalkOptions& options,
                       const std::function<WalkStep(const WalkEntry&)>& visit);

}  // namespace weft::venoms::fs

// ---------------------------------------------------------------------------
// Write side: what fs_write, fs_edit and fs_manage (move, copy, remove,
// mkdir) share.

namespace weft::venoms::fs {

// errno from a *at() call on `shown` (a namespace path) as a Status a model
// can act on: kNotFound, kAlreadyExists, kPermissionDenied,
// kFailedPrecondition (not a directory, not empty, a symbolic link, a
// read-only file system), kResourceExhausted (no space), else kIoError.
Status WriteErrno(int err, std::string_view shown);

// "1,234,567".
std::string GroupedCount(uint64_t n);

// The directory that holds a place, opened beneath the place's bind
// (O_PATH | O_DIRECTORY; symlinks followed while they stay in the bind), and
// the place's own name in it: act on `name` with *at() calls and
// AT_SYMLINK_NOFOLLOW / O_NOFOLLOW. The place must not be a bind's root.
struct ParentDir {
  UniqueFd fd;
  std::string name;
  std::string path;  // the parent's namespace path
};
Result<ParentDir> OpenParentDir(const ns::Place& place);

// The place's parent as a place of its own. The place must not be a bind's
// root.
ns::Place ParentPlace(const ns::Place& place);

// Refuses to `verb` ("remove", "move", …) a bind's root, or a directory that
// has binds below it (the operation would act on the host directory while
// the namespace shows the binds there). Ok otherwise.
Status RefuseBindRoots(const ns::Workspace& ws, const ns::Place& place, std::string_view verb);

// The directories MakeDirs created, outermost first, with what it takes to
// remove them again when a later step fails. Movable, not copyable.
class MadeDirs {
 public:
  const std::vector<std::string>& paths() const { return paths_; }
  // Removes the directories made, innermost first, each only while it is
  // still empty; afterwards paths() is empty.
  void Undo();

 private:
  friend Result<MadeDirs> MakeDirs(const ns::Place& place);
  std::vector<UniqueFd> parents_;  // O_PATH fds of the directories holding them
  std::vector<std::string> names_;
  std::vector<std::string> paths_;
};

// mkdir -p beneath the place's bind: each missing directory on the way to
// the place (inclusive) is created (mode 0755 less the umask); symlinks are
// followed while they stay in the bind. Fails naming the first component
// that exists but is not a directory; on any failure, removes the
// directories it made.
Result<MadeDirs> MakeDirs(const ns::Place& place);

// The write side's ops by file; RegisterFsWriteOps (fs_write.cc) registers
// write, then these: edit (fs_edit.cc), then move, copy, remove and mkdir
// (fs_manage.cc).
void RegisterEditOp(Registry& registry, const ns::Workspaces& workspaces);
void RegisterManageOps(Registry& registry, const ns::Workspaces& workspaces);

}  // namespace weft::venoms::fs
