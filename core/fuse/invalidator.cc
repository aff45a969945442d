// ChangeInvalidator: inotify on the directories the kernel knows →
// cache invalidations of the mount.
#include "core/fuse/invalidator.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/base/fd.h"
#include "core/base/log.h"
#include "core/fuse/fuse_api.h"

namespace weft::fuse {
namespace {

constexpr uint32_t kEntryEvents = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
constexpr uint32_t kDataEvents = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE;
constexpr uint32_t kMask = kEntryEvents | kDataEvents | IN_ONLYDIR | IN_EXCL_UNLINK;
constexpr int64_t kEchoWindowNs = 2'000'000'000;
// After a batch of events the watcher sleeps this long before it polls again,
// so a burst of changes (most of them the mount's own, each of which would
// otherwise wake the thread: a cross-CPU wake-up per create, write or
// unlink) is read as one batch. A lone change is still handled at once.
constexpr auto kBatchWindow = std::chrono::milliseconds(1);
constexpr int64_t kIdlePruneIntervalNs = 1'000'000'000;

}  // namespace

Result<std::unique_ptr<ChangeInvalidator>> ChangeInvalidator::Start(fuse_session* session, const InodeTable* table) {
  UniqueFd in(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!in) return Status::FromErrno(errno, "inotify_init1");
  UniqueFd stop(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  UniqueFd prune(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop || !prune) return Status::FromErrno(errno, "eventfd");
  std::unique_ptr<ChangeInvalidator> inv(
      new ChangeInvalidator(session, table, std::move(in), std::move(stop), std::move(prune)));
  inv->thread_ = std::thread([raw = inv.get()] { raw->Run(); });
  return inv;
}

ChangeInvalidator::ChangeInvalidator(fuse_session* session, const InodeTable* table, UniqueFd inotify, UniqueFd stop,
                                     UniqueFd prune)
    : session_(session),
      table_(table),
      inotify_(std::move(inotify)),
      stop_(std::move(stop)),
      prune_(std::move(prune)) {}

ChangeInvalidator::~ChangeInvalidator() { StopThread(); }

void ChangeInvalidator::StopThread() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  if (::write(stop_.get(), &one, sizeof(one)) < 0) {
    WEFT_LOG(kWarning) << "fuse: cannot stop the change watcher";
  }
  if (thread_.joinable()) thread_.join();
}

int ChangeInvalidator::Watch(const Inode& dir, uint64_t fuse_ino) {
  std::string proc = FdProcPath(dir.fd.get());
  int wd = ::inotify_add_watch(inotify_.get(), proc.c_str(), kMask);
  std::lock_guard<std::mutex> lock(mu_);
  if (wd < 0) {
    if (errno == ENOSPC && !warned_full_) {
      warned_full_ = true;
      WEFT_LOG(kWarning) << "fuse: the inotify watch limit is reached (raise fs.inotify.max_user_watches); "
                            "changes made behind the mount in further directories show after a short delay";
    }
    return -1;
  }
  WatchRecord& rec = watches_[wd];
  if (!rec.dir) rec.dir = std::make_shared<UniqueFd>(::fcntl(dir.fd.get(), F_DUPFD_CLOEXEC, 0));
  rec.users.emplace_back(fuse_ino, dir.key.bind);
  return wd;
}

void ChangeInvalidator::Unwatch(int wd, uint64_t fuse_ino) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = watches_.find(wd);
  if (it == watches_.end()) return;
  auto& users = it->second.users;
  for (auto u = users.begin(); u != users.end(); ++u) {
    if (u->first == fuse_ino) {
      users.erase(u);
      break;
    }
  }
  if (users.empty()) {
    ::inotify_rm_watch(inotify_.get(), wd);
    watches_.erase(it);
  }
}

void ChangeInvalidator::NoteLocalEntryChange(uint64_t dir_ino, std::string_view name) {
  int64_t now = MonotonicNs();
  std::lock_guard<std::mutex> lock(echo_mu_);
  while (!echo_queue_.empty() && echo_queue_.front().first < now) {
    auto it = echoes_.find(echo_queue_.front().second);
    // A later note of the same name keeps its own, later expiry.
    if (it != echoes_.end() && it->second == echo_queue_.front().first) echoes_.erase(it);
    echo_queue_.pop_front();
  }
  EchoKey key{dir_ino, std::string(name)};
  echoes_[key] = now + kEchoWindowNs;
  echo_queue_.emplace_back(now + kEchoWindowNs, std::move(key));
}

bool ChangeInvalidator::IsLocalEcho(uint64_t dir_ino, std::string_view name) {
  std::lock_guard<std::mutex> lock(echo_mu_);
  auto it = echoes_.find({dir_ino, std::string(name)});
  return it != echoes_.end() && it->second >= MonotonicNs();
}

void ChangeInvalidator::RequestPrune(size_t keep) {
  prune_keep_.store(keep);
  if (prune_pending_.exchange(true)) return;
  uint64_t one = 1;
  if (::write(prune_.get(), &one, sizeof(one)) < 0) prune_pending_.store(false);
}

void ChangeInvalidator::Run() {
  alignas(inotify_event) char buf[64 * 1024];
  pollfd fds[3] = {{inotify_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}, {prune_.get(), POLLIN, 0}};
  while (true) {
    // A prune that freed little (most of what is cached is open) is not
    // repeated for a second; one that freed plenty may be at once.
    int timeout = -1;
    if (prune_pending_.load()) {
      int64_t due = last_prune_ns_ + prune_interval_ns_ - MonotonicNs();
      if (due <= 0) {
        Prune();
        last_prune_ns_ = MonotonicNs();
        prune_pending_.store(false);
      } else {
        timeout = static_cast<int>(due / 1'000'000) + 1;
      }
    }
    int ready = ::poll(fds, 3, timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      WEFT_LOG(kError) << "fuse: change watcher poll failed: " << errno;
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[2].revents != 0) {
      uint64_t count;
      (void)!::read(prune_.get(), &count, sizeof(count));
    }
    if (fds[0].revents == 0) continue;
    ssize_t n = ::read(inotify_.get(), buf, sizeof(buf));
    if (n <= 0) continue;
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      Handle(*ev);
      p += sizeof(inotify_event) + ev->len;
    }
    std::this_thread::sleep_for(kBatchWindow);
  }
}

bool ChangeInvalidator::Stopping() const {
  pollfd p{stop_.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

void ChangeInvalidator::Prune() {
  const size_t before = table_->size(), keep = prune_keep_.load();
  if (before <= keep) return;
  // The files looked up longest ago that nothing has open, as many as it
  // takes to come down to `keep`, by the name they were last looked up as.
  std::vector<std::pair<uint64_t, std::string>> oldest = table_->Oldest(before - keep);
  for (size_t i = 0; i < oldest.size(); ++i) {
    // Each waits for its directory's lock, which a create there holds for a
    // round trip: a long prune gives way to StopThread.
    if ((i & 255) == 255 && Stopping()) return;
    fuse_lowlevel_notify_inval_entry(session_, oldest[i].first, oldest[i].second.data(), oldest[i].second.size());
  }
  prune_interval_ns_ = oldest.size() >= (before - keep) / 2 ? 0 : kIdlePruneIntervalNs;
  // The first prune is news; under a long walk they may come several a second.
  if (!pruned_before_) {
    WEFT_LOG(kInfo) << "fuse: " << before << " inodes cached, each holding a descriptor: asking the kernel to drop "
                    << "the files nothing has open, looked up longest ago (" << oldest.size() << " now; later "
                    << "prunes are logged at debug level)";
  } else {
    WEFT_LOG(kDebug) << "fuse: " << before << " inodes cached; asked the kernel to drop " << oldest.size();
  }
  pruned_before_ = true;
}

void ChangeInvalidator::Handle(const inotify_event& ev) {
  if (ev.mask & IN_Q_OVERFLOW) {
    WEFT_LOG(kWarning) << "fuse: inotify queue overflow; changes behind the mount may show late";
    return;
  }
  WatchRecord rec;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = watches_.find(ev.wd);
    if (it == watches_.end()) return;
    if (ev.mask & IN_IGNORED) {  // the directory is gone; its inodes unwatch later
      watches_.erase(it);
      return;
    }
    rec = it->second;
  }
  std::string_view name = ev.len > 0 ? std::string_view(ev.name) : std::string_view();
  if (name.empty()) {  // the directory itself (attributes)
    for (const auto& [dir_ino, bind] : rec.users) fuse_lowlevel_notify_inval_inode(session_, dir_ino, -1, 0);
    return;
  }
  if (ev.mask & kEntryEvents) {
    for (const auto& [dir_ino, bind] : rec.users) {
      if (IsLocalEcho(dir_ino, name)) continue;
      fuse_lowlevel_notify_inval_entry(session_, dir_ino, name.data(), name.size());
      // Offset 0: the directory's cached listing (cache_readdir) as well as its attributes.
      fuse_lowlevel_notify_inval_inode(session_, dir_ino, 0, 0);
    }
  }
  if (ev.mask & kDataEvents) InvalidateChild(rec, name);
}

void ChangeInvalidator::InvalidateChild(const WatchRecord& rec, std::string_view name) {
  struct stat st {};
  std::string n(name);
  if (::fstatat(rec.dir->get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  for (const auto& [dir_ino, bind] : rec.users) {
    std::optional<InodeState> child = table_->Find(InodeKey{bind, st.st_dev, st.st_ino});
    if (!child || child->busy_locally) continue;
    fuse_lowlevel_notify_inval_inode(session_, child->fuse_ino, 0, 0);
  }
}

}  // namespace weft::fuse
