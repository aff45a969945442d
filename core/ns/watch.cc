// ChangeWatcher: inotify watches on directories opened beneath the binds,
// translated to namespace paths, coalesced, and delivered from one thread.
#include "core/ns/watch.h"

#include "core/ns/write.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <exception>
#include <fstream>
#include <system_error>

#include "core/base/fd.h"
#include "core/base/log.h"
#include "core/base/strings.h"

namespace weft::ns {
namespace {

constexpr uint32_t kMask = IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                           IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;

// The value of a sysctl under /proc/sys ("?" when unreadable).
std::string Sysctl(const char* name) {
  std::string path = StrCat({"/proc/sys/", name});
  std::replace(path.begin() + 10, path.end(), '.', '/');
  std::ifstream in(path);
  std::string value;
  if (!(in >> value)) return "?";
  return value;
}

Status LimitError(std::string_view what, const char* sysctl, std::string_view suggested) {
  return Status::ResourceExhausted(
      StrCat({what, " (", sysctl, " = ", Sysctl(sysctl), " per user); raise it with `sudo sysctl ", sysctl, "=",
              suggested, "` and keep it across reboots with a line `", sysctl, " = ", suggested,
              "` in /etc/sysctl.d/90-weft.conf"}));
}

std::string Join(const std::string& dir, std::string_view name) {
  return dir == "/" ? StrCat({"/", name}) : StrCat({dir, "/", name});
}

std::string LastName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

std::string_view ChangeKindName(ChangeEvent::Kind kind) {
  switch (kind) {
    case ChangeEvent::Kind::kCreated: return "created";
    case ChangeEvent::Kind::kModified: return "modified";
    case ChangeEvent::Kind::kRemoved: return "removed";
  }
  return "modified";
}

void EventCoalescer::Add(ChangeEvent event, std::string watched_dir, TimePoint now) {
  auto key = std::make_pair(event.workspace_id, event.path);
  auto newest = newest_.find(key);
  if (newest != newest_.end() && queue_[newest->second - front_seq_].item.event.kind == event.kind) return;
  queue_.push_back(Entry{Item{std::move(event), std::move(watched_dir)}, now + window_});
  newest_[std::move(key)] = front_seq_ + queue_.size() - 1;
}

std::vector<EventCoalescer::Item> EventCoalescer::TakeDue(TimePoint now) {
  std::vector<Item> due;
  while (!queue_.empty() && queue_.front().due <= now) {
    Item& item = queue_.front().item;
    auto newest = newest_.find(std::make_pair(item.event.workspace_id, item.event.path));
    if (newest != newest_.end() && newest->second == front_seq_) newest_.erase(newest);
    due.push_back(std::move(item));
    queue_.pop_front();
    ++front_seq_;
  }
  return due;
}

std::optional<EventCoalescer::TimePoint> EventCoalescer::NextDue() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.front().due;
}

ChangeWatcher::ChangeWatcher(ChangeListener listener, std::chrono::milliseconds coalesce, UniqueFd inotify,
                             UniqueFd stop)
    : listener_(std::move(listener)), inotify_(std::move(inotify)), stop_(std::move(stop)), coalescer_(coalesce) {}

Result<std::unique_ptr<ChangeWatcher>> ChangeWatcher::Start(ChangeListener listener,
                                                            std::chrono::milliseconds coalesce) {
  UniqueFd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!inotify) {
    if (errno == EMFILE) {
      return LimitError("cannot watch for changes: the inotify instance limit is reached",
                        "fs.inotify.max_user_instances", "1024");
    }
    return Status::FromErrno(errno, "cannot start watching for changes (inotify_init1)");
  }
  UniqueFd stop(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!stop) return Status::FromErrno(errno, "cannot start watching for changes (eventfd)");
  std::unique_ptr<ChangeWatcher> watcher(
      new ChangeWatcher(std::move(listener), coalesce, std::move(inotify), std::move(stop)));
  try {
    watcher->thread_ = std::thread([w = watcher.get()] { w->Run(); });
  } catch (const std::system_error& e) {
    return Status::ResourceExhausted(StrCat({"cannot start the change watcher's thread: ", e.what()}));
  }
  return watcher;
}

ChangeWatcher::~ChangeWatcher() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  uint64_t one = 1;
  // An eventfd write of 1 only fails when the counter would overflow, and
  // then it is already non-zero: the thread wakes either way.
  if (::write(stop_.get(), &one, sizeof one) < 0) {
    WEFT_LOG(kDebug) << "change watcher stop: " << std::strerror(errno);
  }
  thread_.join();
}

Result<int> ChangeWatcher::AddInotifyWatch(const Workspace& ws, const std::string& dir) {
  // Resolve beneath the bind, then watch what the descriptor names: no host
  // path string is ever looked up, so a symlink cannot redirect the watch.
  WEFT_ASSIGN_OR_RETURN(UniqueFd fd, ws.OpenPath(dir, O_PATH));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, StrCat({"cannot stat ", dir}));
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(StrCat({dir, " is not a directory"}));
  std::string proc = FdProcPath(fd.get());
  int wd = ::inotify_add_watch(inotify_.get(), proc.c_str(), kMask);
  if (wd >= 0) return wd;
  int err = errno;
  if (err == ENOSPC) {
    return LimitError(StrCat({"cannot watch ", dir, ": the inotify watch limit is reached"}),
                      "fs.inotify.max_user_watches", "524288");
  }
  if (err == ENOENT && ::access("/proc/self/fd", F_OK) != 0) {
    return Status::FailedPrecondition(StrCat({"cannot watch ", dir, ": /proc is not mounted, and weft watches "
                                              "directories through /proc/self/fd"}));
  }
  return Status::FromErrno(err, StrCat({"cannot watch ", dir}));
}

Result<uint64_t> ChangeWatcher::WatchDir(const Workspace& ws, std::string_view ns_dir) {
  WEFT_ASSIGN_OR_RETURN(std::string dir, ws.CanonicalPath(ns_dir));
  std::lock_guard<std::mutex> lock(mu_);
  Key key(ws.id(), dir);
  auto it = watches_.find(key);
  if (it == watches_.end() || it->second.wd < 0) {
    // New, or its directory went away since: (re)attach to what is there now.
    WEFT_ASSIGN_OR_RETURN(int wd, AddInotifyWatch(ws, dir));
    Watch& watch = watches_[key];
    watch.wd = wd;
    watch.hidden.clear();
    for (const Mount* child : ws.mounts().ChildMounts(dir)) watch.hidden.insert(LastName(child->path));
    std::vector<Key>& keys = by_wd_[wd];  // the same host directory already watched under another key shares wd
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    it = watches_.find(key);
  }
  ++it->second.refs;
  uint64_t handle = next_handle_++;
  handles_.emplace(handle, std::move(key));
  return handle;
}

void ChangeWatcher::Unwatch(uint64_t handle) {
  std::lock_guard<std::mutex> lock(mu_);
  auto h = handles_.find(handle);
  if (h == handles_.end()) return;
  Key key = std::move(h->second);
  handles_.erase(h);
  auto it = watches_.find(key);
  if (it == watches_.end() || --it->second.refs > 0) return;
  int wd = it->second.wd;
  watches_.erase(it);
  if (wd < 0) return;
  std::vector<Key>& keys = by_wd_[wd];
  keys.erase(std::remove(keys.begin(), keys.end(), key), keys.end());
  if (!keys.empty()) return;
  by_wd_.erase(wd);
  // The kernel answers with IN_IGNORED, which finds no wd and is dropped.
  ::inotify_rm_watch(inotify_.get(), wd);
}

void ChangeWatcher::DropWd(int wd, bool remove_from_kernel) {
  auto it = by_wd_.find(wd);
  if (it == by_wd_.end()) return;
  for (const Key& key : it->second) {
    auto w = watches_.find(key);
    if (w != watches_.end()) w->second.wd = -1;
  }
  by_wd_.erase(it);
  if (remove_from_kernel) ::inotify_rm_watch(inotify_.get(), wd);
}

void ChangeWatcher::Translate(const ::inotify_event& ev, std::vector<EventCoalescer::Item>* out) {
  using Kind = ChangeEvent::Kind;
  auto emit = [out](const Key& key, std::string path, Kind kind) {
    out->push_back(EventCoalescer::Item{ChangeEvent{key.first, std::move(path), kind}, key.second});
  };
  if (ev.mask & IN_Q_OVERFLOW) {
    // Events were lost: every watched directory may have changed.
    for (const auto& [key, watch] : watches_) {
      if (watch.wd >= 0) emit(key, key.second, Kind::kModified);
    }
    return;
  }
  auto it = by_wd_.find(ev.wd);
  if (it == by_wd_.end()) return;  // unwatched since, or IN_IGNORED after we let go
  if (ev.mask & IN_IGNORED) {      // the kernel dropped it (the file system went away)
    for (const Key& key : it->second) emit(key, key.second, Kind::kRemoved);
    DropWd(ev.wd, false);
    return;
  }
  if (ev.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
    for (const Key& key : it->second) emit(key, key.second, Kind::kRemoved);
    // After IN_DELETE_SELF and IN_UNMOUNT the kernel removes the watch itself;
    // a moved directory would go on reporting under its old name.
    DropWd(ev.wd, (ev.mask & IN_MOVE_SELF) != 0);
    return;
  }
  Kind kind = Kind::kModified;
  if (ev.mask & (IN_CREATE | IN_MOVED_TO)) kind = Kind::kCreated;
  if (ev.mask & (IN_DELETE | IN_MOVED_FROM)) kind = Kind::kRemoved;
  std::string_view name = ev.len > 0 ? std::string_view(ev.name) : std::string_view();
  if (IsWriteTempName(name)) return;
  for (const Key& key : it->second) {
    if (name.empty()) {
      emit(key, key.second, kind);
      continue;
    }
    const Watch& watch = watches_.at(key);
    if (watch.hidden.count(std::string(name)) != 0) continue;  // under a child bind
    emit(key, Join(key.second, name), kind);
  }
}

void ChangeWatcher::ReadEvents() {
  alignas(::inotify_event) char buf[64 * 1024];
  while (true) {
    ssize_t n = ::read(inotify_.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) {
        WEFT_LOG(kWarning) << "reading inotify events: " << std::strerror(errno);
      }
      return;
    }
    std::vector<EventCoalescer::Item> items;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (ssize_t off = 0; off + static_cast<ssize_t>(sizeof(::inotify_event)) <= n;) {
        const auto* ev = reinterpret_cast<const ::inotify_event*>(buf + off);
        Translate(*ev, &items);
        off += static_cast<ssize_t>(sizeof(::inotify_event) + ev->len);
      }
    }
    auto now = std::chrono::steady_clock::now();
    for (EventCoalescer::Item& item : items) coalescer_.Add(std::move(item.event), std::move(item.watched_dir), now);
  }
}

void ChangeWatcher::DeliverDue() {
  std::vector<EventCoalescer::Item> due = coalescer_.TakeDue(std::chrono::steady_clock::now());
  if (due.empty()) return;
  {
    // Drop what was unwatched while it waited.
    std::lock_guard<std::mutex> lock(mu_);
    due.erase(std::remove_if(due.begin(), due.end(),
                             [this](const EventCoalescer::Item& item) {
                               return watches_.count(Key(item.event.workspace_id, item.watched_dir)) == 0;
                             }),
              due.end());
  }
  for (const EventCoalescer::Item& item : due) {
    if (stopping_.load()) return;
    try {
      listener_(item.event);
    } catch (const std::exception& e) {
      WEFT_LOG(kError) << "change listener threw on " << item.event.path << ": " << e.what();
    }
  }
}

void ChangeWatcher::Run() {
  pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
  while (true) {
    int timeout = -1;
    if (std::optional<EventCoalescer::TimePoint> next = coalescer_.NextDue()) {
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - std::chrono::steady_clock::now());
      timeout = static_cast<int>(std::clamp<int64_t>(wait.count(), 0, INT_MAX));
    }
    int n = ::poll(fds, 2, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      WEFT_LOG(kError) << "change watcher stopped: poll: " << std::strerror(errno);
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents != 0) ReadEvents();
    DeliverDue();
  }
}

}  // namespace weft::ns
