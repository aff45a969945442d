// ChangeInvalidator: keeps the kernel's caches of the mount honest when a
// bind changes behind it (weft's MCP tools, editors and shells on the host
// write to the bind directly; DESIGN.md §3 "change events"). One inotify
// watch per directory inode the kernel knows, keyed by the inode rather than
// by a path, so it follows renames; each event becomes
// fuse_lowlevel_notify_inval_entry (names created, removed, moved) or
// fuse_lowlevel_notify_inval_inode (contents and attributes). Changes the
// mount itself made are not echoed back: the kernel already knows them.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/base/fd.h"
#include "core/base/result.h"
#include "core/fuse/inode_table.h"

struct fuse_session;
struct inotify_event;

namespace weft::fuse {

class ChangeInvalidator final : public DirWatchHook {
 public:
  // Starts the thread that reads inotify. `session` and `table` must outlive
  // the invalidator; destroy it (which joins the thread) before either.
  static Result<std::unique_ptr<ChangeInvalidator>> Start(fuse_session* session, const InodeTable* table);
  // Stops the thread (no invalidation is sent after it returns); the hook
  // and NoteLocalEntryChange stay usable until destruction.
  void StopThread();
  ~ChangeInvalidator() override;
  ChangeInvalidator(const ChangeInvalidator&) = delete;
  ChangeInvalidator& operator=(const ChangeInvalidator&) = delete;

  // DirWatchHook, called with the inode table's lock held (lock order:
  // table, then mu_). A full watch table (fs.inotify.max_user_watches) is
  // logged once and leaves the directory unwatched, so its entries get the
  // short cache timeout.
  int Watch(const Inode& dir, uint64_t fuse_ino) override;
  void Unwatch(int wd, uint64_t fuse_ino) override;

  // The mount is about to create, remove or rename `name` in directory
  // `dir_ino`: the inotify event that follows is its own echo.
  void NoteLocalEntryChange(uint64_t dir_ino, std::string_view name);

  // The server holds too many descriptors (one per inode the kernel has
  // cached): the thread asks the kernel to drop its entries for files that
  // nothing has open, those looked up longest ago first, until about `keep`
  // inodes would remain (InodeTable::Oldest); the kernel's FORGETs that
  // follow close their descriptors. Directories are left alone (one
  // may be a process's working directory, which an invalidation would
  // unhash). Once the last prune freed little, at most once a second;
  // cheap to call often.
  void RequestPrune(size_t keep);

 private:
  struct WatchRecord {
    std::shared_ptr<UniqueFd> dir;                  // a dup of the directory's O_PATH descriptor
    std::vector<std::pair<uint64_t, uint32_t>> users;  // (FUSE inode, bind) of the directory inodes watched
  };

  ChangeInvalidator(fuse_session* session, const InodeTable* table, UniqueFd inotify, UniqueFd stop,
                    UniqueFd prune);
  void Run();
  void Prune();
  bool Stopping() const;  // StopThread has been called
  void Handle(const ::inotify_event& ev);
  void InvalidateChild(const WatchRecord& rec, std::string_view name);
  bool IsLocalEcho(uint64_t dir_ino, std::string_view name);

  fuse_session* const session_;
  const InodeTable* const table_;
  const UniqueFd inotify_;
  const UniqueFd stop_;  // eventfd written by the destructor
  const UniqueFd prune_;  // eventfd written by RequestPrune
  std::atomic<bool> prune_pending_{false};
  std::atomic<size_t> prune_keep_{0};
  int64_t last_prune_ns_ = 0;      // the thread's own
  int64_t prune_interval_ns_ = 0;  // the thread's own: before the next prune may run
  bool pruned_before_ = false;     // the thread's own

  std::mutex mu_;  // guards watches_ and warned_full_
  std::unordered_map<int, WatchRecord> watches_;
  bool warned_full_ = false;

  // Changes the mount made itself, expected back from inotify. Expiries are
  // now + a constant, so the queue (in noting order) is in expiry order:
  // expired notes leave from its front, O(1) per note however fast they come.
  using EchoKey = std::pair<uint64_t, std::string>;  // (dir, name)
  std::mutex echo_mu_;  // guards echoes_ and echo_queue_ (a leaf lock)
  std::map<EchoKey, int64_t> echoes_;  // → the latest expiry (MonotonicNs)
  std::deque<std::pair<int64_t, EchoKey>> echo_queue_;

  std::thread thread_;
};

}  // namespace weft::fuse
