// Inodes of the passthrough part of the mount (DESIGN.md §3, the
// passthrough_hp model): each owns an O_PATH descriptor opened beneath its
// bind, is keyed by (bind, dev, ino) and counts the kernel's lookups; the
// FUSE inode number is the Inode's address. The root inode (FUSE_ROOT_ID)
// is the primary bind's root and is never forgotten.
//
// Lock order: InodeTable::mu_, then DirWatchHook's own lock (the hook is
// called with mu_ held). Nothing is called with mu_ held that can wait for
// a FUSE request.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/base/fd.h"

namespace weft::fuse {

struct InodeKey {
  uint32_t bind = 0;
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const InodeKey&) const = default;
};

struct InodeKeyHash {
  size_t operator()(const InodeKey& k) const {
    return std::hash<uint64_t>()(k.ino) ^ (std::hash<uint64_t>()(k.dev) * 31) ^ (k.bind * 0x9e3779b97f4a7c15ULL);
  }
};

struct Inode {
  Inode(UniqueFd fd_in, InodeKey key_in, mode_t type_in, std::string ns_path_in)
      : fd(std::move(fd_in)), key(key_in), type(type_in), ns_path(std::move(ns_path_in)) {}
  Inode(const Inode&) = delete;
  Inode& operator=(const Inode&) = delete;

  const UniqueFd fd;  // O_PATH | O_NOFOLLOW
  const InodeKey key;
  const mode_t type;  // S_IFMT bits
  // Namespace path of bind roots and of directories on the way to a bind
  // (they cannot be renamed or removed); "" for everything else.
  const std::string ns_path;

  uint64_t nlookup = 0;  // guarded by InodeTable::mu_
  uint64_t nopen = 0;    // open file and directory handles; guarded by InodeTable::mu_
  int watch = -1;        // inotify watch descriptor; guarded by InodeTable::mu_
  std::atomic<bool> watched{false};  // changes behind the mount in this directory are reported
  std::atomic<bool> covered{false};  // changes behind the mount to this inode are reported (its directory is watched)
  std::atomic<int> writers{0};       // handles open for writing through the mount
  std::atomic<int64_t> local_change_ns{0};  // CLOCK_MONOTONIC of the last change made through the mount
  int64_t looked_up_ns = 0;  // CLOCK_MONOTONIC of the last lookup; guarded by InodeTable::mu_
  // The directory (FUSE inode) and name of the last lookup, for asking the
  // kernel to drop it (InodeTable::Oldest); guarded by InodeTable::mu_.
  uint64_t looked_up_in = 0;
  std::string looked_up_as;

  uint64_t fuse_ino() const { return reinterpret_cast<uintptr_t>(this); }
  bool is_dir() const { return type == S_IFDIR; }
  bool is_symlink() const { return type == S_IFLNK; }
  void NoteLocalChange();
};

// Told about directory inodes as they come and go, under InodeTable::mu_.
class DirWatchHook {
 public:
  virtual ~DirWatchHook() = default;
  // Starts reporting changes in `dir`; returns the watch descriptor or -1.
  virtual int Watch(const Inode& dir, uint64_t fuse_ino) = 0;
  virtual void Unwatch(int wd, uint64_t fuse_ino) = 0;
};

// What the change watcher needs to know about an inode, copied under the lock.
struct InodeState {
  uint64_t fuse_ino = 0;
  bool busy_locally = false;  // open for writing through the mount, or changed through it just now
};

class InodeTable {
 public:
  static constexpr uint64_t kRootIno = 1;  // FUSE_ROOT_ID

  explicit InodeTable(std::unique_ptr<Inode> root);
  ~InodeTable();

  void SetWatchHook(DirWatchHook* hook);  // before the mount serves; nullptr to detach
  Inode* root() const { return root_.get(); }
  // The inode behind a FUSE inode number the kernel gave us.
  Inode* Get(uint64_t fuse_ino) const {
    return fuse_ino == kRootIno ? root_.get() : reinterpret_cast<Inode*>(static_cast<uintptr_t>(fuse_ino));
  }
  uint64_t FuseIno(const Inode* inode) const { return inode == root_.get() ? kRootIno : inode->fuse_ino(); }

  // The inode for `key` with one more lookup: the existing one (its
  // count raised; `fd` is dropped) or a new one made from `fd`.
  // `name` in directory `parent` (a FUSE inode) is what was looked up.
  Inode* Remember(UniqueFd fd, const InodeKey& key, mode_t type, std::string ns_path, uint64_t parent,
                  std::string_view name);
  // Drops `n` lookups; the inode is destroyed when none remain and no
  // handle is open on it.
  void Forget(Inode* inode, uint64_t n);
  // An open handle keeps its inode alive: the kernel may deliver a RELEASE
  // after the FORGET of the inode it was opened on (forgets jump the queue).
  void Opened(Inode* inode);
  void Closed(Inode* inode);
  // For the change watcher: the inode with `key`, if the kernel knows it.
  std::optional<InodeState> Find(const InodeKey& key) const;
  size_t size() const;
  // (directory, name) of at most `n` files (not directories) that no handle
  // is open on, those looked up longest ago: what the kernel may be asked
  // to drop when the server holds too many descriptors.
  std::vector<std::pair<uint64_t, std::string>> Oldest(size_t n) const;

 private:
  mutable std::mutex mu_;
  std::unique_ptr<Inode> root_;
  std::unordered_map<InodeKey, std::unique_ptr<Inode>, InodeKeyHash> inodes_;  // guarded by mu_
  DirWatchHook* hook_ = nullptr;                                                // guarded by mu_
  void EraseIfUnused(Inode* inode);                                             // mu_ held
};

int64_t MonotonicNs();

}  // namespace weft::fuse
