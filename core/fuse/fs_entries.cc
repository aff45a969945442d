// Filesystem: setup, lookups, attributes, symlinks and statfs.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "core/base/fd.h"
#include "core/base/log.h"
#include "core/fuse/filesystem.h"
#include "core/fuse/invalidator.h"
#include "core/fuse/symlink_rule.h"

namespace weft::fuse {
namespace {

int StatFd(int fd, struct stat* st) {
  return ::fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
}

}  // namespace

Result<std::unique_ptr<Filesystem>> Filesystem::Make(BindSet binds, FsConfig config, weftdir::SyntheticTree* tree) {
  UniqueFd fd(::fcntl(binds.at(BindSet::kPrimary).root_fd, F_DUPFD_CLOEXEC, 0));
  if (!fd) return Status::FromErrno(errno, "dup of the workspace root");
  struct stat st {};
  if (int err = StatFd(fd.get(), &st); err != 0) return Status::FromErrno(err, "stat of the workspace root");
  auto root = std::make_unique<Inode>(std::move(fd), InodeKey{BindSet::kPrimary, st.st_dev, st.st_ino}, S_IFDIR, "/");
  std::unique_ptr<Filesystem> fs(new Filesystem(std::move(binds), std::move(root), config, tree));
  fs->primary_dev_ = st.st_dev;
  for (size_t i = 0; i < fs->binds_.size(); ++i) {
    int root_fd = fs->binds_.at(static_cast<uint32_t>(i)).root_fd;
    struct stat bst {};
    BindFs b;
    if (StatFd(root_fd, &bst) == 0) b = BindFs{bst.st_dev, LocalFileSystem(root_fd)};
    fs->bind_fs_.push_back(b);
  }
  return fs;
}

bool Filesystem::OnLocalFs(const Inode& inode) const {
  const BindFs& b = bind_fs_[inode.key.bind];
  return b.local && inode.key.dev == b.dev;
}

Filesystem::Filesystem(BindSet binds, std::unique_ptr<Inode> root, FsConfig config, weftdir::SyntheticTree* tree)
    : binds_(std::move(binds)), config_(config), table_(std::move(root)) {
  if (tree != nullptr) weft_ = std::make_unique<WeftDir>(tree, config_.fallback_timeout);
}

void Filesystem::SetInvalidator(ChangeInvalidator* invalidator) {
  table_.SetWatchHook(invalidator);
  invalidator_.store(invalidator);
}

void Filesystem::CancelCalls() {
  if (weft_) weft_->CancelAll();
}

void Filesystem::AskToPrune() {
  if (ChangeInvalidator* inv = invalidator_.load()) inv->RequestPrune(config_.prune_above / 2);
}

int Filesystem::OpenFailed(int err) {
  if (err != EMFILE && err != ENFILE) return err;
  AskToPrune();
  if (!warned_out_of_fds_.exchange(true)) {
    rlimit lim {};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    WEFT_LOG(kWarning) << "fuse: out of file descriptors (" << (err == EMFILE ? "this process's" : "the system's")
                       << " limit; RLIMIT_NOFILE is " << lim.rlim_cur << "): the server holds one for every file "
                       << "and directory the kernel has cached from the mount, and past " << config_.prune_above
                       << " asks the kernel to drop the files nothing has open; with more files than that open, "
                       << "or looked up faster than the kernel lets go, raise the limit (ulimit -n) before mounting";
  }
  return err;
}

void Filesystem::Init(fuse_conn_info* conn) {
  // passthrough_hp's choices, minus the writeback cache: binds change
  // behind the mount, and O_APPEND must reach the host file as such.
  auto want = [conn](unsigned cap) {
    if (conn->capable & cap) conn->want |= cap;
  };
  want(FUSE_CAP_SPLICE_WRITE);
  want(FUSE_CAP_SPLICE_MOVE);
  want(FUSE_CAP_SPLICE_READ);
  want(FUSE_CAP_AUTO_INVAL_DATA);
  want(FUSE_CAP_ATOMIC_O_TRUNC);
  want(FUSE_CAP_PARALLEL_DIROPS);
  want(FUSE_CAP_ASYNC_READ);
  want(FUSE_CAP_READDIRPLUS);
  conn->want &= ~static_cast<unsigned>(FUSE_CAP_WRITEBACK_CACHE);
  // One request per 1 MiB write() rather than two: round trips, not copies,
  // are what a write through the mount waits for. Writes from write-only
  // handles (direct I/O) are copied out of the writer's pages whether
  // spliced or not; page-cache writes are spliced only where a pipe can
  // hold 1 MiB plus a page of headers (CAP_SYS_RESOURCE, or a raised
  // fs.pipe-max-size), and read into libfuse's buffer otherwise.
  conn->max_write = 1024 * 1024;
  conn->max_readahead = conn->max_readahead > 0 ? conn->max_readahead : 128 * 1024;
  conn->time_gran = 1;
}

struct stat Filesystem::Shown(const struct stat& st) const {
  struct stat out = st;
  if (st.st_dev != primary_dev_) {
    // Every file of the mount shares one st_dev; keep inode numbers of other
    // host file systems apart (and below kSyntheticTag).
    uint64_t mix = (static_cast<uint64_t>(st.st_dev) * 0x9e3779b97f4a7c15ULL) >> 49;  // 15 bits
    out.st_ino = static_cast<ino_t>((static_cast<uint64_t>(st.st_ino) & ((uint64_t{1} << 48) - 1)) | (mix << 48));
  }
  out.st_ino = static_cast<ino_t>(static_cast<uint64_t>(out.st_ino) & ~kSyntheticTag);
  return out;
}

double Filesystem::Timeout(const Inode* inode) const {
  bool seen = inode->watched.load(std::memory_order_relaxed) || inode->covered.load(std::memory_order_relaxed);
  return seen ? config_.cache_timeout : config_.fallback_timeout;
}

void Filesystem::FillEntry(Inode* inode, const struct stat& st, fuse_entry_param* e) const {
  e->ino = table_.FuseIno(inode);
  e->generation = 0;
  e->attr = Shown(st);
}

int Filesystem::CheckName(const char* name) const {
  size_t n = std::strlen(name);
  if (n == 0 || n > NAME_MAX || std::strchr(name, '/') != nullptr) return EINVAL;
  if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) return EINVAL;
  return 0;
}

int Filesystem::DoLookup(Inode* parent, const char* name, fuse_entry_param* e) {
  if (int err = CheckName(name); err != 0) return err == EINVAL ? ENOENT : err;
  uint32_t bind = parent->key.bind;
  std::string child_path;
  UniqueFd fd;
  if (!parent->ns_path.empty()) {
    child_path = BindSet::Join(parent->ns_path, name);
    if (int b = binds_.BindAt(child_path); b > 0) {
      bind = static_cast<uint32_t>(b);
      fd.Reset(::fcntl(binds_.at(bind).root_fd, F_DUPFD_CLOEXEC, 0));
      if (!fd) return OpenFailed(errno);
    }
  }
  if (!fd) {
    fd.Reset(::openat(parent->fd.get(), name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return OpenFailed(errno);
  }
  struct stat st {};
  if (int err = StatFd(fd.get(), &st); err != 0) return err;
  std::string ns_path;
  if (!child_path.empty() && S_ISDIR(st.st_mode) && (bind != parent->key.bind || binds_.LeadsToBind(child_path))) {
    ns_path = std::move(child_path);
  }
  Inode* inode = table_.Remember(std::move(fd), InodeKey{bind, st.st_dev, st.st_ino}, st.st_mode & S_IFMT,
                                 std::move(ns_path), table_.FuseIno(parent), name);
  if (Crowded()) AskToPrune();
  if (parent->watched.load(std::memory_order_relaxed)) inode->covered.store(true, std::memory_order_relaxed);
  FillEntry(inode, st, e);
  // Changes to the entry and to its attributes show through the parent's watch.
  e->entry_timeout = parent->watched.load(std::memory_order_relaxed) ? config_.cache_timeout : config_.fallback_timeout;
  e->attr_timeout = Timeout(inode);
  return 0;
}

void Filesystem::Lookup(fuse_req_t req, fuse_ino_t parent_ino, const char* name) {
  if (IsSynthetic(parent_ino)) return weft_->Lookup(req, parent_ino, name);
  if (parent_ino == FUSE_ROOT_ID && weft_ && std::strcmp(name, ".weft") == 0) return weft_->LookupRoot(req);
  Inode* parent = Get(parent_ino);
  fuse_entry_param e{};
  int err = DoLookup(parent, name, &e);
  if (err == ENOENT) {
    // A negative entry the kernel may cache; the parent's watch drops it
    // when the name appears behind the mount.
    e = fuse_entry_param{};
    e.entry_timeout = parent->watched.load(std::memory_order_relaxed) ? config_.cache_timeout
                                                                      : config_.fallback_timeout;
    fuse_reply_entry(req, &e);
    return;
  }
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fuse_reply_entry(req, &e);
}

void Filesystem::Forget(fuse_ino_t ino, uint64_t nlookup) {
  if (IsSynthetic(ino)) return;  // synthetic nodes live as long as the tree
  table_.Forget(Get(ino), nlookup);
}

void Filesystem::GetAttr(fuse_req_t req, fuse_ino_t ino) {
  if (IsSynthetic(ino)) return weft_->GetAttr(req, ino);
  Inode* inode = Get(ino);
  struct stat st {};
  if (int err = StatFd(inode->fd.get(), &st); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  struct stat shown = Shown(st);
  fuse_reply_attr(req, &shown, Timeout(inode));
}

namespace {

// The setattr work on one inode; returns an errno.
int ApplySetAttr(const Inode& inode, const struct stat& attr, int to_set, const fuse_file_info* fi) {
  int fd = inode.fd.get();
  std::string proc = FdProcPath(fd);
  // A directory's fh is a DirHandle, not a descriptor.
  int fh = fi != nullptr && inode.type == S_IFREG ? static_cast<int>(fi->fh) : -1;
  if (to_set & FUSE_SET_ATTR_MODE) {
    if (inode.is_symlink()) return EOPNOTSUPP;
    int res = fh >= 0 ? ::fchmod(fh, attr.st_mode) : ::chmod(proc.c_str(), attr.st_mode);
    if (res != 0) return errno;
  }
  if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
    uid_t uid = (to_set & FUSE_SET_ATTR_UID) ? attr.st_uid : static_cast<uid_t>(-1);
    gid_t gid = (to_set & FUSE_SET_ATTR_GID) ? attr.st_gid : static_cast<gid_t>(-1);
    if (::fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return errno;
  }
  if (to_set & FUSE_SET_ATTR_SIZE) {
    int res = fh >= 0 ? ::ftruncate(fh, attr.st_size) : ::truncate(proc.c_str(), attr.st_size);
    if (res != 0) return errno;
  }
  if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
    timespec tv[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    if (to_set & FUSE_SET_ATTR_ATIME_NOW) tv[0].tv_nsec = UTIME_NOW;
    else if (to_set & FUSE_SET_ATTR_ATIME) tv[0] = attr.st_atim;
    if (to_set & FUSE_SET_ATTR_MTIME_NOW) tv[1].tv_nsec = UTIME_NOW;
    else if (to_set & FUSE_SET_ATTR_MTIME) tv[1] = attr.st_mtim;
    int res;
    if (fh >= 0) res = ::futimens(fh, tv);
    else if (inode.is_symlink()) res = ::utimensat(fd, "", tv, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
    else res = ::utimensat(AT_FDCWD, proc.c_str(), tv, 0);
    if (res != 0) return errno;
  }
  return 0;
}

}  // namespace

void Filesystem::SetAttr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  if (IsSynthetic(ino)) return weft_->SetAttr(req, ino, *attr, to_set);
  Inode* inode = Get(ino);
  if (binds_.ReadOnly(inode->key.bind)) {
    fuse_reply_err(req, EROFS);
    return;
  }
  inode->NoteLocalChange();
  if (int err = ApplySetAttr(*inode, *attr, to_set, fi); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  GetAttr(req, ino);
}

void Filesystem::ReadLink(fuse_req_t req, fuse_ino_t ino) {
  if (IsSynthetic(ino)) {
    fuse_reply_err(req, EINVAL);
    return;
  }
  Inode* inode = Get(ino);
  char buf[PATH_MAX + 1];
  ssize_t n = ::readlinkat(inode->fd.get(), "", buf, sizeof(buf));
  if (n < 0) {
    fuse_reply_err(req, errno);
    return;
  }
  if (static_cast<size_t>(n) >= sizeof(buf)) {
    fuse_reply_err(req, ENAMETOOLONG);
    return;
  }
  buf[n] = '\0';
  const Bind& bind = binds_.at(inode->key.bind);
  if (Status s = CheckSymlink(bind.root_fd, inode->fd.get(), std::string_view(buf, static_cast<size_t>(n)));
      !s.ok()) {
    // EACCES: the link exists and stays listed; following it is not allowed.
    WEFT_LOG(kWarning) << "fuse: refusing a symlink that leads outside bind " << bind.path << ": " << s.message();
    fuse_reply_err(req, EACCES);
    return;
  }
  fuse_reply_readlink(req, buf);
}

void Filesystem::StatFs(fuse_req_t req, fuse_ino_t ino) {
  Inode* inode = IsSynthetic(ino) ? table_.root() : Get(ino);
  struct statvfs sv {};
  if (::fstatvfs(inode->fd.get(), &sv) != 0) {
    fuse_reply_err(req, errno);
    return;
  }
  fuse_reply_statfs(req, &sv);
}

}  // namespace weft::fuse
