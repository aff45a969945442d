// Shared pieces of the fs venom: entry types, times, UTF-8, directory
// reading over fds, glob and gitignore matching (the walk is fs_walk.cc).
#include "core/venoms/fs/fs_common.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <utility>

#include "core/base/strings.h"

namespace weft::venoms::fs {
namespace {

// getdents64's buffer: a directory of a few hundred entries in one call, one
// of 10,000 in about seven.
constexpr size_t kDirBufferBytes = 64 * 1024;
// The least a reader nearing its stop asks for: room for a few long names.
constexpr size_t kDirMinFillBytes = 2048;

Status ErrnoStatus(int err, std::string_view shown) {
  switch (err) {
    case ENOENT: return Status::NotFound(StrCat({shown, " does not exist"}));
    case EACCES:
    case EPERM: return Status::PermissionDenied(StrCat({shown, ": permission denied"}));
    case ENOTDIR: return Status::FailedPrecondition(StrCat({shown, " is not a directory"}));
    case ELOOP: return Status::FailedPrecondition(StrCat({shown, " is a symbolic link"}));
    default: return Status::FromErrno(err, shown);
  }
}

// The components of a '/'-separated relative path.
std::vector<std::string_view> SplitPath(std::string_view rel) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    if (end > start) out.push_back(rel.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool HasGlobMeta(std::string_view s) { return s.find_first_of("*?[\\") != std::string_view::npos; }

}  // namespace

// ---------------------------------------------------------------------------
// Entries, times, modes, text

EntryType TypeOfMode(mode_t mode) {
  if (S_ISREG(mode)) return EntryType::kFile;
  if (S_ISDIR(mode)) return EntryType::kDir;
  if (S_ISLNK(mode)) return EntryType::kSymlink;
  return EntryType::kOther;
}

const char* EntryTypeName(EntryType type) {
  switch (type) {
    case EntryType::kFile: return "file";
    case EntryType::kDir: return "dir";
    case EntryType::kSymlink: return "symlink";
    case EntryType::kOther: return "other";
  }
  return "other";
}

std::string Rfc3339Utc(const struct timespec& ts) {
  struct tm tm;
  time_t secs = ts.tv_sec;
  if (::gmtime_r(&secs, &tm) == nullptr) return "1970-01-01T00:00:00Z";
  char buf[64];
  size_t n = ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

std::string OctalMode(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

int64_t TimespecNanos(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Json StatFields(const struct stat& st) {
  return Json{{"type", EntryTypeName(TypeOfMode(st.st_mode))},
              {"size", static_cast<int64_t>(st.st_size)},
              {"mode", OctalMode(st.st_mode)},
              {"mtime", Rfc3339Utc(st.st_mtim)},
              {"ctime", Rfc3339Utc(st.st_ctim)}};
}

std::string HumanSize(uint64_t bytes) {
  if (bytes < 1024) return StrCat({std::to_string(bytes), " B"});
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (v >= 1024 && unit + 1 < std::size(kUnits)) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

std::string JoinNsPath(std::string_view dir, std::string_view name) {
  return dir == "/" ? StrCat({"/", name}) : StrCat({dir, "/", name});
}

size_t Utf8Boundary(std::string_view bytes, size_t max) {
  if (max >= bytes.size()) return bytes.size();
  size_t n = max;
  // Back off over at most three continuation bytes to the start of a sequence.
  for (int k = 0; k < 3 && n > 0 && (static_cast<unsigned char>(bytes[n]) & 0xc0) == 0x80; ++k) --n;
  return (static_cast<unsigned char>(bytes[n]) & 0xc0) == 0x80 ? max : n;
}

Result<std::string> ReadLinkAt(int dir_fd, const char* name, std::string_view shown) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dir_fd, name, buf.data(), buf.size());
    if (n < 0) return ErrnoStatus(errno, shown);
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    if (buf.size() > PATH_MAX) return Status::FailedPrecondition(StrCat({shown, ": the link target is too long"}));
    buf.resize(buf.size() * 4);
  }
}

// ---------------------------------------------------------------------------
// Directories over fds

Result<UniqueFd> OpenDirAt(int parent_fd, const char* name, std::string_view shown) {
  int fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, shown);
  return UniqueFd(fd);
}

namespace {

// The buffer DirReaders use on this thread, while one is.
thread_local std::unique_ptr<char[]> thread_dir_buffer;
thread_local bool thread_dir_buffer_in_use = false;

}  // namespace

DirReader::DirReader(int dir_fd, std::string_view shown, uint64_t from)
    : fd_(dir_fd), shown_(shown), from_(from), position_(from) {
  // getdents64 on the fd itself: no second open of the directory and no DIR
  // stream (each would cost system calls per directory, and a walk reads
  // thousands of them).
  if (!thread_dir_buffer_in_use) {
    if (!thread_dir_buffer) thread_dir_buffer = std::make_unique<char[]>(kDirBufferBytes);
    buffer_ = thread_dir_buffer.get();
    thread_dir_buffer_in_use = true;
  } else {
    own_ = std::make_unique<char[]>(kDirBufferBytes);
    buffer_ = own_.get();
  }
  if (::lseek(fd_, static_cast<off_t>(from), SEEK_SET) < 0) {
    status_ = ErrnoStatus(errno, shown_);
    done_ = true;
  }
}

DirReader::~DirReader() {
  if (own_ == nullptr) thread_dir_buffer_in_use = false;
}

size_t DirReader::FillBytes() const {
  if (stop_ == kNoStop) return kDirBufferBytes;
  // Nearing stop_: as many bytes as the entries up to it should take, at
  // the density of those read so far (positions that are hashes are spread
  // evenly), and a little more. The first read is short for the same reason.
  if (read_bytes_ == 0 || position_ <= from_) return kDirBufferBytes / 4;
  double per_position = static_cast<double>(read_bytes_) / static_cast<double>(position_ - from_);
  double left = static_cast<double>(stop_ - position_) * per_position;
  return static_cast<size_t>(std::clamp(left * 1.1 + 512.0, static_cast<double>(kDirMinFillBytes),
                                        static_cast<double>(kDirBufferBytes)));
}

bool DirReader::Fill() {
  read_bytes_ += got_;
  while (!done_) {
    ssize_t got = ::getdents64(fd_, buffer_, FillBytes());
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      if (got < 0) status_ = ErrnoStatus(errno, shown_);
      done_ = true;
      break;
    }
    at_ = 0;
    got_ = static_cast<size_t>(got);
    return true;
  }
  at_ = got_ = 0;
  return false;
}

EntryType DirReader::TypeAt(const char* name) const {
  struct stat st;
  return ::fstatat(fd_, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? TypeOfMode(st.st_mode) : EntryType::kOther;
}

Status TooManyEntries(std::string_view shown, size_t max_entries) {
  return Status::ResourceExhausted(
      StrCat({shown, " holds more than ", std::to_string(max_entries), " entries, more than this operation reads"}));
}

Result<std::vector<DirEntry>> ReadDirFd(int dir_fd, std::string_view shown, size_t max_entries) {
  std::vector<DirEntry> out;
  auto collect = [&out](std::string_view name, EntryType type) { out.push_back(DirEntry{std::string(name), type}); };
  WEFT_RETURN_IF_ERROR(VisitDirFd(dir_fd, shown, collect, max_entries));
  return out;
}

namespace {

// The first component of `path` below `dir`, when `path` lies strictly
// below it; `direct` says whether that component is the whole rest.
bool ChildOf(std::string_view dir, std::string_view path, std::string_view* name, bool* direct) {
  std::string_view rest;
  if (dir == "/") {
    if (path.size() < 2 || path[0] != '/') return false;
    rest = path.substr(1);
  } else {
    if (path.size() <= dir.size() + 1 || path.substr(0, dir.size()) != dir || path[dir.size()] != '/') return false;
    rest = path.substr(dir.size() + 1);
  }
  size_t slash = rest.find('/');
  *direct = slash == std::string_view::npos;
  *name = rest.substr(0, slash);
  return !name->empty();
}

}  // namespace

bool HasBindsBelow(const ns::MountTable& mounts, std::string_view dir) {
  std::string_view name;
  bool direct = false;
  for (const ns::Mount& m : mounts.mounts()) {
    if (ChildOf(dir, m.path, &name, &direct)) return true;
  }
  return false;
}

bool MergeBinds(const ns::MountTable& mounts, std::string_view dir, std::vector<NsEntry>* entries) {
  std::vector<NsEntry> binds;
  for (const ns::Mount& m : mounts.mounts()) {
    std::string_view name;
    bool direct = false;
    if (!ChildOf(dir, m.path, &name, &direct)) continue;
    auto same = std::find_if(binds.begin(), binds.end(), [&](const NsEntry& e) { return e.name == name; });
    if (same == binds.end()) {
      binds.push_back(NsEntry{std::string(name), EntryType::kDir, direct ? &m : nullptr, !direct});
    } else if (direct) {
      same->bind = &m;
      same->implied = false;
    }
  }
  if (binds.empty()) return false;
  std::erase_if(*entries, [&binds](const NsEntry& e) {
    auto bind = std::find_if(binds.begin(), binds.end(), [&](const NsEntry& b) { return b.name == e.name; });
    if (bind == binds.end()) return false;
    if (bind->bind != nullptr) return true;  // the bind hides the host entry
    bind->name.clear();                      // the host has the directory a deeper bind needs
    return false;
  });
  for (NsEntry& b : binds) {
    if (!b.name.empty()) entries->push_back(std::move(b));
  }
  return true;
}

Result<UniqueFd> OpenNsDirPath(const ns::Workspace& ws, std::string_view dir, struct stat* st) {
  WEFT_ASSIGN_OR_RETURN(std::string path, ws.CanonicalPath(dir));
  Result<UniqueFd> at = ws.OpenPath(path, O_PATH);
  if (!at.ok()) {
    if (at.status().code() == StatusCode::kNotFound && HasBindsBelow(ws.mounts(), path)) return UniqueFd();
    return at.status();
  }
  if (::fstat(at->get(), st) != 0) return ErrnoStatus(errno, path);
  if (!S_ISDIR(st->st_mode)) {
    return Status::FailedPrecondition(StrCat(
        {path, " is a ", EntryTypeName(TypeOfMode(st->st_mode)), ", not a directory; use fs_read or fs_stat"}));
  }
  return at;
}

Result<UniqueFd> OpenNsDir(const ns::Workspace& ws, std::string_view dir) {
  WEFT_ASSIGN_OR_RETURN(std::string path, ws.CanonicalPath(dir));
  struct stat st;
  WEFT_ASSIGN_OR_RETURN(UniqueFd at, OpenNsDirPath(ws, path, &st));
  if (!at.valid()) return at;
  return OpenDirForReading(at.get(), path);
}

Result<UniqueFd> OpenDirForReading(int dir_fd, std::string_view shown) {
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, shown);
  return UniqueFd(fd);
}

// ---------------------------------------------------------------------------
// Globs and gitignore

NameGlob::NameGlob(std::string pattern) : kind_(Kind::kFnmatch), pattern_(std::move(pattern)) {
  std::string_view p = pattern_;
  if (!HasGlobMeta(p)) {
    kind_ = Kind::kLiteral;
    fixed_ = pattern_;
  } else if (p == "*" || p == "**") {
    kind_ = Kind::kAll;
  } else if (p.front() == '*' && !HasGlobMeta(p.substr(1))) {
    kind_ = Kind::kSuffix;
    fixed_ = std::string(p.substr(1));
  } else if (p.back() == '*' && !HasGlobMeta(p.substr(0, p.size() - 1))) {
    kind_ = Kind::kPrefix;
    fixed_ = std::string(p.substr(0, p.size() - 1));
  }
}

bool NameGlob::Match(std::string_view name) const {
  switch (kind_) {
    case Kind::kLiteral: return name == fixed_;
    case Kind::kAll: return true;
    case Kind::kSuffix: return name.size() >= fixed_.size() && name.substr(name.size() - fixed_.size()) == fixed_;
    case Kind::kPrefix: return name.size() >= fixed_.size() && name.substr(0, fixed_.size()) == fixed_;
    case Kind::kFnmatch: break;
  }
  std::string z(name);
  return ::fnmatch(pattern_.c_str(), z.c_str(), 0) == 0;
}

ComponentsMatcher::ComponentsMatcher(std::vector<NameGlob> globs) : globs_(std::move(globs)) {
  if (globs_.size() > kMaxComponents) globs_.erase(globs_.begin() + kMaxComponents, globs_.end());
  for (size_t i = 0; i < globs_.size(); ++i) {
    if (globs_[i].pattern() == "**") any_ |= uint64_t{1} << i;
  }
  globs_mask_ = (uint64_t{1} << globs_.size()) - 1;
}

uint64_t ComponentsMatcher::Closure(uint64_t state) const {
  // "**" may match nothing, except as the last component: a state on a
  // "**" stands on the component after it too (and after a run of them).
  const uint64_t skippable = any_ & (globs_mask_ >> 1);
  for (;;) {
    uint64_t next = state | ((state & skippable) << 1);
    if (next == state) return state;
    state = next;
  }
}

uint64_t ComponentsMatcher::Start() const { return Closure(1); }

uint64_t ComponentsMatcher::Step(uint64_t state, std::string_view component) const {
  // A "**" takes any component and stays; every other glob on the way
  // moves on by one when it matches.
  const uint64_t any = state & any_;
  uint64_t next = any | (any << 1);
  for (uint64_t rest = state & globs_mask_ & ~any_; rest != 0; rest &= rest - 1) {
    const int i = std::countr_zero(rest);
    if (globs_[static_cast<size_t>(i)].Match(component)) next |= uint64_t{1} << (i + 1);
  }
  return Closure(next);
}

bool ComponentsMatcher::Match(const std::vector<std::string_view>& parts) const {
  uint64_t state = Start();
  for (std::string_view part : parts) {
    state = Step(state, part);
    if (state == 0) return false;
  }
  return Accepts(state);
}

void IgnoreRules::AddLines(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    AddPattern(text.substr(start, end - start));
    start = end + 1;
  }
}

void IgnoreRules::AddPattern(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Trailing spaces go, unless escaped with a backslash.
  while (!line.empty() && line.back() == ' ' && !(line.size() >= 2 && line[line.size() - 2] == '\\')) {
    line.remove_suffix(1);
  }
  if (line.empty() || line.front() == '#') return;
  Rule rule;
  if (line.front() == '!') {
    rule.negate = true;
    line.remove_prefix(1);
  } else if (line.size() >= 2 && line[0] == '\\' && (line[1] == '#' || line[1] == '!')) {
    line.remove_prefix(1);
  }
  if (!line.empty() && line.back() == '/') {
    rule.dir_only = true;
    while (!line.empty() && line.back() == '/') line.remove_suffix(1);
  }
  if (line.empty()) return;
  rule.anchored = line.find('/') != std::string_view::npos;
  if (rule.anchored) {
    while (!line.empty() && line.front() == '/') line.remove_prefix(1);
    std::vector<NameGlob> globs;
    for (std::string_view part : SplitPath(line)) globs.emplace_back(std::string(part));
    if (globs.empty() || globs.size() > ComponentsMatcher::kMaxComponents) return;
    rule.anchored_parts = ComponentsMatcher(std::move(globs));
  } else {
    rule.name.emplace_back(std::string(line));
  }
  rules_.push_back(std::move(rule));
}

IgnoreRules::Verdict IgnoreRules::Check(std::string_view rel, bool is_dir) const {
  std::vector<std::string_view> parts;
  bool split = false;
  size_t slash = rel.rfind('/');
  std::string_view name = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (it->dir_only && !is_dir) continue;
    bool match = false;
    if (it->anchored) {
      if (!split) {
        parts = SplitPath(rel);
        split = true;
      }
      match = it->anchored_parts.Match(parts);
    } else {
      match = it->name.front().Match(name);
    }
    if (match) return it->negate ? Verdict::kKeep : Verdict::kIgnore;
  }
  return Verdict::kNone;
}

}  // namespace weft::venoms::fs

// ---------------------------------------------------------------------------
// Write side: errno messages, parents of places, bind-root refusals, mkdir -p.

#include <cassert>

#include "core/ns/resolve.h"

namespace weft::venoms::fs {

Status WriteErrno(int err, std::string_view shown) {
  switch (err) {
    case ENOENT: return Status::NotFound(StrCat({shown, " does not exist"}));
    case EEXIST: return Status::AlreadyExists(StrCat({shown, " already exists"}));
    case EACCES:
    case EPERM: return Status::PermissionDenied(StrCat({shown, ": permission denied"}));
    case ENOTDIR: return Status::FailedPrecondition(StrCat({shown, ": a component of the path is not a directory"}));
    case EISDIR: return Status::FailedPrecondition(StrCat({shown, " is a directory"}));
    case ELOOP: return Status::FailedPrecondition(StrCat({shown, " is a symbolic link"}));
    case ENOTEMPTY: return Status::FailedPrecondition(StrCat({shown, " is a directory that is not empty"}));
    case EROFS: return Status::FailedPrecondition(StrCat({shown, " is on a read-only file system"}));
    case EBUSY: return Status::FailedPrecondition(StrCat({shown, " is in use (a mount point?)"}));
    case ENOSPC:
    case EDQUOT: return Status::ResourceExhausted(StrCat({"no space left on the device for ", shown}));
    default: return Status::FromErrno(err, shown);
  }
}

std::string GroupedCount(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

ns::Place ParentPlace(const ns::Place& place) {
  assert(!place.rest.empty());
  size_t slash = place.rest.rfind('/');
  size_t ns_slash = place.path.rfind('/');
  return ns::Place{ns_slash == 0 ? std::string("/") : place.path.substr(0, ns_slash), place.mount, place.root_fd,
                   slash == std::string::npos ? std::string() : place.rest.substr(0, slash)};
}

Result<ParentDir> OpenParentDir(const ns::Place& place) {
  ns::Place parent = ParentPlace(place);
  ParentDir out;
  size_t slash = place.rest.rfind('/');
  out.name = slash == std::string::npos ? place.rest : place.rest.substr(slash + 1);
  out.path = parent.path;
  Result<UniqueFd> dir = ns::OpenBeneathAs(place.root_fd, parent.rest, parent.path, O_PATH | O_DIRECTORY);
  if (!dir.ok() && dir.status().code() == StatusCode::kNotFound) {
    // Say so when the parent exists but is no directory.
    Result<UniqueFd> any = ns::OpenBeneathAs(place.root_fd, parent.rest, parent.path, O_PATH);
    struct stat st;
    if (any.ok() && ::fstat(any->get(), &st) == 0 && !S_ISDIR(st.st_mode)) {
      return Status::FailedPrecondition(StrCat({parent.path, " is a ", EntryTypeName(TypeOfMode(st.st_mode)),
                                                ", not a directory"}));
    }
  }
  if (!dir.ok()) return dir.status();
  out.fd = std::move(dir).value();
  return out;
}

Status RefuseBindRoots(const ns::Workspace& ws, const ns::Place& place, std::string_view verb) {
  if (place.rest.empty()) {
    if (place.path == "/") {
      return Status::PermissionDenied(StrCat({"cannot ", verb, " /: it is the root of the workspace; act on the "
                                              "entries inside it instead"}));
    }
    return Status::PermissionDenied(StrCat({"cannot ", verb, " ", place.path, ": it is the root of the bind ",
                                            place.path, " (", place.mount->source.dir,
                                            "); act on the entries inside it instead"}));
  }
  std::string prefix = StrCat({place.path, "/"});
  for (const ns::Mount& m : ws.mounts().mounts()) {
    if (m.path.compare(0, prefix.size(), prefix) == 0) {
      return Status::PermissionDenied(StrCat({"cannot ", verb, " ", place.path, ": the bind ", m.path,
                                              " lies inside it; act on the entries beside the bind instead"}));
    }
  }
  return Status::Ok();
}

void MadeDirs::Undo() {
  for (size_t i = paths_.size(); i > 0; --i) ::unlinkat(parents_[i - 1].get(), names_[i - 1].c_str(), AT_REMOVEDIR);
  parents_.clear();
  names_.clear();
  paths_.clear();
}

Result<MadeDirs> MakeDirs(const ns::Place& place) {
  MadeDirs made;
  WEFT_ASSIGN_OR_RETURN(UniqueFd dir, ns::OpenBeneathAs(place.root_fd, "", place.mount->path, O_PATH | O_DIRECTORY));
  std::string rel;
  size_t start = 0;
  while (start < place.rest.size()) {
    size_t end = std::min(place.rest.find('/', start), place.rest.size());
    std::string name = place.rest.substr(start, end - start);
    start = end + 1;
    rel = rel.empty() ? name : StrCat({rel, "/", name});
    std::string shown = JoinNsPath(place.mount->path, rel);
    Status failed = Status::Unavailable(StrCat({shown, " keeps appearing and disappearing; try again"}));
    for (int attempt = 0; attempt < 3; ++attempt) {
      struct stat st;
      if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISDIR(st.st_mode)) {
          int fd = ::openat(dir.get(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (fd < 0) {
            failed = WriteErrno(errno, shown);
          } else {
            dir.Reset(fd);
            failed = Status::Ok();
          }
        } else if (S_ISLNK(st.st_mode)) {
          Result<UniqueFd> via = ns::OpenBeneathAs(place.root_fd, rel, shown, O_PATH | O_DIRECTORY);
          if (via.ok()) {
            dir = std::move(via).value();
            failed = Status::Ok();
          } else if (via.status().code() == StatusCode::kPermissionDenied) {
            failed = via.status();  // escapes the workspace
          } else {
            failed = Status::FailedPrecondition(
                StrCat({shown, " is a symbolic link that does not lead to a directory"}));
          }
        } else {
          failed = Status::FailedPrecondition(StrCat({shown, " is a ", EntryTypeName(TypeOfMode(st.st_mode)),
                                                      ", not a directory"}));
        }
        break;
      }
      if (errno != ENOENT) {
        failed = WriteErrno(errno, shown);
        break;
      }
      if (::mkdirat(dir.get(), name.c_str(), 0755) != 0) {
        if (errno == EEXIST) continue;  // made meanwhile: look again
        failed = WriteErrno(errno, shown);
        break;
      }
      int fd = ::openat(dir.get(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        failed = WriteErrno(errno, shown);
        ::unlinkat(dir.get(), name.c_str(), AT_REMOVEDIR);
        break;
      }
      made.parents_.push_back(std::move(dir));
      made.names_.push_back(name);
      made.paths_.push_back(shown);
      dir.Reset(fd);
      failed = Status::Ok();
      break;
    }
    if (!failed.ok()) {
      made.Undo();
      return failed;
    }
  }
  return made;
}

}  // namespace weft::venoms::fs
