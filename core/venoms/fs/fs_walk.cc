// Walk (fs_common.h): the namespace walk behind fs_tree and fs_glob. Depth
// first over dir fds, skipping what hidden, .gitignore and exclude leave
// out, entering binds through their roots. With WalkOptions::threads > 1
// the walk shares directories out among that many threads once it has
// visited enough entries to pay for them.
//
// Threads: the calling thread walks; helpers, once started, wait for work.
// A walker about to enter a directory hands it (open, with the ignore rules
// in force there) to a waiting helper instead, when there is one. Lock
// order: Shared::mu_ only; the visitor runs without it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "core/venoms/fs/fs_common.h"
#include "core/venoms/fs/name_sort.h"

namespace weft::venoms::fs {
namespace {

// A .gitignore larger than this is read only this far.
constexpr size_t kMaxIgnoreFileBytes = 256 * 1024;
// A walk starts its helper threads only once it has visited this many
// entries: starting a thread costs more than a small walk takes.
constexpr size_t kParallelAfter = 2048;
// A walker adds its visits to the walk's shared count this many at a time
// (a shared counter bumped per entry would be most of a thread's work).
constexpr size_t kVisitBatch = 256;

// Reads at most `max` bytes of a regular file `name` in `dir_fd` (no
// follow); "" when it is missing, unreadable or not a regular file.
std::string ReadSmallFileAt(int dir_fd, const char* name, size_t max) {
  int fd = ::openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return "";
  UniqueFd owned(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return "";
  std::string out(std::min(max, static_cast<size_t>(st.st_size)), '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

std::string_view RelTo(std::string_view base, std::string_view path) {
  return base == "/" ? path.substr(1) : path.substr(base.size() + 1);
}

// The rules of one .gitignore and the directory it lives in. Shared
// between the walkers whose directories lie below it.
struct Level {
  std::string base;
  IgnoreRules rules;
};
using Levels = std::vector<std::shared_ptr<const Level>>;

// A directory to walk: open (an invalid fd for one only binds imply), with
// the .gitignore levels above it.
struct Task {
  UniqueFd fd;
  std::string path;
  int depth = 1;
  uint64_t state = 0;
  Levels ignores;
};

// What the walkers of one walk share. Thread-safe.
class Shared {
 public:
  Shared(const ns::Workspace& ws, Context& ctx, const WalkOptions& options,
         const std::function<WalkStep(const WalkEntry&)>& visit, std::string start)
      : ws_(ws),
        ctx_(ctx),
        options_(options),
        visit_(visit),
        start_(std::move(start)),
        rel_at_(start_ == "/" ? 1 : start_.size() + 1) {
    for (const std::string& e : options_.exclude) exclude_.AddPattern(e);
  }

  const ns::Workspace& ws() const { return ws_; }
  Context& ctx() const { return ctx_; }
  const WalkOptions& options() const { return options_; }
  const std::function<WalkStep(const WalkEntry&)>& visit() const { return visit_; }
  const std::string& start() const { return start_; }
  // The path of an entry below the start relative to it ("a/b.c").
  std::string_view Rel(std::string_view path) const { return path.substr(rel_at_); }
  const IgnoreRules& exclude() const { return exclude_; }

  bool stopped() const { return stopped_.load(std::memory_order_relaxed); }
  void Stop() { stopped_.store(true, std::memory_order_relaxed); }

  // Adds `n` visits; false once the walk is past options.max_visits (then
  // it is stopped).
  bool CountVisits(size_t n) {
    if (visited_.fetch_add(n, std::memory_order_relaxed) + n <= options_.max_visits) return true;
    HitVisitCap();
    return false;
  }
  void HitVisitCap() {
    hit_visit_cap_.store(true, std::memory_order_relaxed);
    Stop();
  }
  size_t visited() const { return std::min(visited_.load(), options_.max_visits); }
  bool hit_visit_cap() const { return hit_visit_cap_.load(); }

  // The first failure wins and stops the walk.
  void Fail(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (failure_.ok()) failure_ = std::move(status);
    stopped_.store(true, std::memory_order_relaxed);
    cv_.notify_all();
  }
  Status failure() {
    std::lock_guard<std::mutex> lock(mu_);
    return failure_;
  }

  // Whether some helper waits for work (a hint: Give decides).
  bool Wanted() const { return waiting_.load(std::memory_order_relaxed) > 0; }
  // Hands `*task` to a waiting helper; false (and `*task` untouched) when
  // none waits any more.
  bool Give(Task* task) {
    std::lock_guard<std::mutex> lock(mu_);
    if (waiting_.load(std::memory_order_relaxed) == 0) return false;
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    tasks_.push_back(std::move(*task));
    cv_.notify_all();
    return true;
  }
  // Waits for a task; false when the walk is over (no task left and no
  // walker busy, or stopped). The caller calls Done() after each task.
  bool Take(Task* task) {
    std::unique_lock<std::mutex> lock(mu_);
    waiting_.fetch_add(1, std::memory_order_relaxed);
    cv_.wait(lock, [&] { return !tasks_.empty() || busy_ == 0 || stopped(); });
    if (tasks_.empty() || stopped()) {
      // Nothing was given for this wait: take it back.
      if (tasks_.empty()) waiting_.fetch_sub(1, std::memory_order_relaxed);
      cv_.notify_all();
      return false;
    }
    *task = std::move(tasks_.front());
    tasks_.pop_front();
    ++busy_;
    return true;
  }
  void Done() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--busy_ == 0) cv_.notify_all();
  }

 private:
  const ns::Workspace& ws_;
  Context& ctx_;
  const WalkOptions& options_;
  const std::function<WalkStep(const WalkEntry&)>& visit_;
  const std::string start_;
  const size_t rel_at_;
  IgnoreRules exclude_;
  std::atomic<bool> stopped_{false};
  std::atomic<size_t> visited_{0};
  std::atomic<bool> hit_visit_cap_{false};
  std::atomic<int> waiting_{0};  // helpers waiting, less the tasks given to them
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;  // guarded by mu_
  int busy_ = 1;            // walkers with a task (the caller's walker starts with one); guarded by mu_
  Status failure_;          // guarded by mu_
};

// One thread's walker.
class Walker {
 public:
  Walker(Shared& shared, int worker) : s_(shared), worker_(worker) {}

  // Walks `task` and everything below it that is not given away.
  void Run(Task task) {
    ignores_ = std::move(task.ignores);
    path_ = std::move(task.path);
    Status status = Dir(task.fd.get(), task.depth, task.state);
    if (s_.options().threads <= 1) s_.CountVisits(visits_);  // for the stats: counted exactly already
    FlushVisits();
    if (!status.ok()) s_.Fail(std::move(status));
  }

  // For the caller's walker: starts the helpers once the walk is large
  // enough (see kParallelAfter); `start` runs them.
  void set_on_large(std::function<void()> start) { on_large_ = std::move(start); }

  // Adds the .gitignore of `dir` (open at dir_fd) to the rules in force.
  bool PushIgnoreFile(int dir_fd, const std::string& dir) {
    std::string text = ReadSmallFileAt(dir_fd, ".gitignore", kMaxIgnoreFileBytes);
    if (text.empty()) return false;
    auto level = std::make_shared<Level>();
    level->base = dir;
    level->rules.AddLines(text);
    if (level->rules.empty()) return false;
    ignores_.push_back(std::move(level));
    return true;
  }
  Levels TakeIgnores() { return std::move(ignores_); }

 private:
  bool Ignored(const std::string& path, bool is_dir) const {
    for (auto it = ignores_.rbegin(); it != ignores_.rend(); ++it) {
      IgnoreRules::Verdict v = (*it)->rules.Check(RelTo((*it)->base, path), is_dir);
      if (v != IgnoreRules::Verdict::kNone) return v == IgnoreRules::Verdict::kIgnore;
    }
    return false;
  }

  // Skipped before the visitor sees it: hidden, .git, excluded, ignored.
  bool Skip(const std::string& path, std::string_view rel, std::string_view name, bool is_dir) const {
    const WalkOptions& o = s_.options();
    if (!o.hidden && name.front() == '.') return true;
    if (o.gitignore && name == ".git") return true;
    if (!s_.exclude().empty() && s_.exclude().Check(rel, is_dir) == IgnoreRules::Verdict::kIgnore) return true;
    return o.gitignore && !ignores_.empty() && Ignored(path, is_dir);
  }

  // Opens a child directory to enter; an invalid fd for an implied one, a
  // failure when it cannot be entered.
  Result<UniqueFd> OpenChild(int dir_fd, const std::string& path, const NsEntry& e) {
    if (e.implied) return UniqueFd();
    if (e.bind != nullptr) return s_.ws().OpenPath(path, O_RDONLY | O_DIRECTORY);
    if (dir_fd >= 0) return OpenDirAt(dir_fd, e.name.c_str(), path);
    return Status::NotFound(path);
  }

  // False once the walk is to end here (the visit cap, or stopped).
  bool CountVisit() {
    ++visits_;
    if (s_.options().threads <= 1) {
      // Alone: an exact count, with no shared counter per entry.
      if (visits_ <= s_.options().max_visits) return !s_.stopped();
      s_.HitVisitCap();
      return false;
    }
    if (++unflushed_ < kVisitBatch) return !s_.stopped();
    return FlushVisits();
  }
  bool FlushVisits() {
    size_t n = std::exchange(unflushed_, 0);
    return (n == 0 || s_.CountVisits(n)) && !s_.stopped();
  }

  // The directory path_ names, open at `dir_fd` (-1: one only binds imply).
  // Its .gitignore is read only when it has one: most directories have none,
  // and a failed open per directory is a syscall each.
  Status Dir(int dir_fd, int depth, uint64_t state) {
    // Each depth's entries go to a vector kept from one directory to the
    // next, so that the walk does not grow a fresh one per directory.
    while (entries_.size() < static_cast<size_t>(depth)) entries_.emplace_back();
    std::vector<NsEntry>& entries = entries_[static_cast<size_t>(depth) - 1];
    entries.clear();
    bool ignore_file = false;
    if (dir_fd >= 0) {
      Status read = VisitDirFd(dir_fd, path_, [&](std::string_view name, EntryType type) {
        if (type == EntryType::kFile && name == ".gitignore") ignore_file = true;
        entries.push_back(NsEntry{std::string(name), type, nullptr, false});
      });
      if (!read.ok()) return Status::Ok();  // unreadable: skipped
    }
    bool pushed = s_.options().gitignore && ignore_file && PushIgnoreFile(dir_fd, path_);
    Status status = Entries(dir_fd, &entries, depth, state);
    if (pushed) ignores_.pop_back();
    return status;
  }

  // Visits (and enters, or gives away) the entries of the directory path_
  // names. Each entry's path is path_ with its name appended, taken off
  // again after it: no string built per entry.
  Status Entries(int dir_fd, std::vector<NsEntry>* entries, int depth, uint64_t state) {
    const WalkOptions& o = s_.options();
    const size_t len = path_.size();
    const bool root = path_ == "/";
    MergeBinds(s_.ws().mounts(), path_, entries);
    if (o.sorted) SortByName(entries);
    for (const NsEntry& e : *entries) {
      if (!CountVisit()) return Status::Ok();
      if ((visits_ & 1023) == 0 && s_.ctx().cancelled()) return Status::Cancelled("the walk was cancelled");
      path_.resize(len);
      if (!root) path_.push_back('/');
      path_ += e.name;
      std::string_view rel = s_.Rel(path_);
      bool is_dir = e.type == EntryType::kDir;
      if (Skip(path_, rel, e.name, is_dir)) continue;
      uint64_t child_state = 0;
      WalkStep step =
          s_.visit()(WalkEntry{path_, rel, e.name, e.type, depth, dir_fd, e.bind, state, &child_state, worker_});
      if (step == WalkStep::kStop) {
        s_.Stop();
        return Status::Ok();
      }
      if (step == WalkStep::kPrune || !is_dir || depth >= o.max_depth) continue;
      Result<UniqueFd> sub = OpenChild(dir_fd, path_, e);
      if (!sub.ok()) continue;  // unreadable or on an unreachable bind: skipped
      if (on_large_ && visits_ >= kParallelAfter) std::exchange(on_large_, nullptr)();
      if (s_.Wanted()) {
        Task task{std::move(sub).value(), path_, depth + 1, child_state, ignores_};
        if (s_.Give(&task)) continue;
        sub = std::move(task.fd);
      }
      WEFT_RETURN_IF_ERROR(Dir(sub->get(), depth + 1, child_state));
    }
    path_.resize(len);
    return Status::Ok();
  }

  Shared& s_;
  const int worker_;
  Levels ignores_;    // the .gitignore levels in force, outermost first
  std::deque<std::vector<NsEntry>> entries_;  // by depth - 1 (a deque: references stay valid as it grows)
  std::string path_;  // the namespace path of the directory or entry at hand
  size_t visits_ = 0;
  size_t unflushed_ = 0;  // visits not yet added to the shared count
  std::function<void()> on_large_;
};

// The .gitignore files of the directories above `start`, from "/" down.
void LoadAncestorIgnores(const ns::Workspace& ws, const std::string& start, Walker* walker) {
  std::vector<std::string> dirs;
  for (std::string dir = start; dir != "/";) {
    size_t slash = dir.rfind('/');
    dir = slash == 0 ? "/" : dir.substr(0, slash);
    dirs.push_back(dir);
  }
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    Result<UniqueFd> fd = OpenNsDir(ws, *it);
    if (!fd.ok() || !fd->valid()) continue;
    walker->PushIgnoreFile(fd->get(), *it);
  }
}

// A helper's life: tasks until the walk is over.
void Help(Shared& shared, int worker) {
  Walker walker(shared, worker);
  Task task;
  while (shared.Take(&task)) {
    walker.Run(std::move(task));
    shared.Done();
  }
}

}  // namespace

Result<WalkStats> Walk(const ns::Workspace& ws, Context& ctx, std::string_view start, const WalkOptions& options,
                       const std::function<WalkStep(const WalkEntry&)>& visit) {
  assert(options.threads >= 1 && !(options.sorted && options.threads > 1));
  WEFT_ASSIGN_OR_RETURN(std::string from, ws.CanonicalPath(start));
  WEFT_ASSIGN_OR_RETURN(UniqueFd fd, OpenNsDir(ws, from));
  Shared shared(ws, ctx, options, visit, from);
  Walker walker(shared, 0);
  if (options.gitignore) LoadAncestorIgnores(ws, from, &walker);
  std::vector<std::thread> helpers;
  if (options.threads > 1) {
    walker.set_on_large([&] {
      try {
        for (int i = 1; i < options.threads; ++i) helpers.emplace_back(Help, std::ref(shared), i);
      } catch (const std::system_error&) {
        // No thread to be had: the walk goes on with the ones it has.
      }
    });
  }
  walker.Run(Task{std::move(fd), from, 1, options.initial_state, walker.TakeIgnores()});
  shared.Done();
  // The caller's thread helps too until every directory given away is done.
  if (!helpers.empty()) Help(shared, 0);
  for (std::thread& t : helpers) t.join();
  WEFT_RETURN_IF_ERROR(shared.failure());
  WalkStats stats;
  stats.visited = shared.visited();
  stats.hit_visit_cap = shared.hit_visit_cap();
  stats.threads = 1 + static_cast<int>(helpers.size());
  return stats;
}

}  // namespace weft::venoms::fs
