// InodeTable: inodes keyed by (bind, dev, ino) with lookup counts.
#include "core/fuse/inode_table.h"

#include <time.h>

#include <algorithm>
#include <cstdlib>

#include "core/base/log.h"

namespace weft::fuse {
namespace {
// A change made through the mount is expected to echo back from inotify
// within this window; such echoes do not invalidate the kernel's cache.
constexpr int64_t kLocalEchoNs = 2'000'000'000;
}  // namespace

int64_t MonotonicNs() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void Inode::NoteLocalChange() { local_change_ns.store(MonotonicNs(), std::memory_order_relaxed); }

InodeTable::InodeTable(std::unique_ptr<Inode> root) : root_(std::move(root)) { root_->nlookup = 1; }

InodeTable::~InodeTable() { SetWatchHook(nullptr); }

void InodeTable::SetWatchHook(DirWatchHook* hook) {
  std::lock_guard<std::mutex> lock(mu_);
  if (hook_ != nullptr) {
    auto drop = [&](Inode& inode, uint64_t ino) {
      if (inode.watch >= 0) hook_->Unwatch(inode.watch, ino);
      inode.watch = -1;
      inode.watched = false;
    };
    drop(*root_, kRootIno);
    for (auto& [key, inode] : inodes_) drop(*inode, inode->fuse_ino());
  }
  hook_ = hook;
  if (hook_ != nullptr) {
    root_->watch = hook_->Watch(*root_, kRootIno);
    root_->watched = root_->watch >= 0;
  }
}

Inode* InodeTable::Remember(UniqueFd fd, const InodeKey& key, mode_t type, std::string ns_path, uint64_t parent,
                            std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = MonotonicNs();
  auto it = inodes_.find(key);
  if (it != inodes_.end()) {
    Inode* known = it->second.get();
    ++known->nlookup;
    known->looked_up_ns = now;
    known->looked_up_in = parent;
    if (known->looked_up_as != name) known->looked_up_as.assign(name);
    return known;
  }
  auto inode = std::make_unique<Inode>(std::move(fd), key, type, std::move(ns_path));
  inode->nlookup = 1;
  inode->looked_up_ns = now;
  inode->looked_up_in = parent;
  inode->looked_up_as.assign(name);
  if (hook_ != nullptr && inode->is_dir()) {
    inode->watch = hook_->Watch(*inode, inode->fuse_ino());
    inode->watched = inode->watch >= 0;
  }
  Inode* raw = inode.get();
  inodes_.emplace(key, std::move(inode));
  return raw;
}

void InodeTable::Forget(Inode* inode, uint64_t n) {
  if (inode == root_.get()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (inode->nlookup < n) {
    // The kernel never forgets more than it looked up; carrying on would
    // free an inode it still uses.
    WEFT_LOG(kError) << "fuse: forget of " << n << " lookups on an inode with " << inode->nlookup;
    std::abort();
  }
  inode->nlookup -= n;
  EraseIfUnused(inode);
}

void InodeTable::Opened(Inode* inode) {
  std::lock_guard<std::mutex> lock(mu_);
  ++inode->nopen;
}

void InodeTable::Closed(Inode* inode) {
  std::lock_guard<std::mutex> lock(mu_);
  --inode->nopen;
  if (inode != root_.get()) EraseIfUnused(inode);
}

void InodeTable::EraseIfUnused(Inode* inode) {
  if (inode->nlookup > 0 || inode->nopen > 0) return;
  if (hook_ != nullptr && inode->watch >= 0) hook_->Unwatch(inode->watch, inode->fuse_ino());
  InodeKey key = inode->key;  // not a reference into the node being erased
  inodes_.erase(key);
}

std::optional<InodeState> InodeTable::Find(const InodeKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Inode* inode = nullptr;
  if (key == root_->key) {
    inode = root_.get();
  } else {
    auto it = inodes_.find(key);
    if (it == inodes_.end()) return std::nullopt;
    inode = it->second.get();
  }
  bool busy = inode->writers.load(std::memory_order_relaxed) > 0 ||
              MonotonicNs() - inode->local_change_ns.load(std::memory_order_relaxed) < kLocalEchoNs;
  return InodeState{FuseIno(inode), busy};
}

std::vector<std::pair<uint64_t, std::string>> InodeTable::Oldest(size_t n) const {
  std::vector<std::pair<int64_t, const Inode*>> files;
  std::vector<std::pair<uint64_t, std::string>> out;
  std::lock_guard<std::mutex> lock(mu_);
  files.reserve(inodes_.size());
  for (const auto& [key, inode] : inodes_) {
    if (inode->is_dir() || inode->nopen > 0 || inode->looked_up_in == 0) continue;
    files.emplace_back(inode->looked_up_ns, inode.get());
  }
  n = std::min(n, files.size());
  std::nth_element(files.begin(), files.begin() + static_cast<std::ptrdiff_t>(n), files.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.emplace_back(files[i].second->looked_up_in, files[i].second->looked_up_as);
  return out;
}

size_t InodeTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return inodes_.size() + 1;
}

}  // namespace weft::fuse
