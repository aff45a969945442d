// Filesystem: open files (open, read, write, flush, release, fsync,
// fallocate) and extended attributes.
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core/base/fd.h"
#include "core/fuse/filesystem.h"

namespace weft::fuse {
namespace {

bool Writes(int flags) { return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0; }

}  // namespace

bool LocalFileSystem(int fd) {
  struct statfs fs {};
  if (::fstatfs(fd, &fs) != 0) return false;
  switch (static_cast<unsigned long>(fs.f_type)) {
    case EXT4_SUPER_MAGIC:
    case XFS_SUPER_MAGIC:
    case BTRFS_SUPER_MAGIC:
    case TMPFS_MAGIC:
    case F2FS_SUPER_MAGIC:
    case OVERLAYFS_SUPER_MAGIC:  // its upper layer is local, and it passes flush to it
      return true;
    default:
      return false;
  }
}

void Filesystem::SetHandleFlags(const Inode* inode, fuse_file_info* fi) const {
  // Keep the kernel's page cache across opens where changes behind the
  // mount are reported (the change watcher invalidates it).
  fi->keep_cache = inode->covered.load(std::memory_order_relaxed);
  // Write-only handles bypass the mount's page cache: each write() hands
  // the writer's own pages to the server, which copies them once into the
  // host file, instead of first being copied into page cache pages of the
  // mount that nobody reads (twice the memory traffic, and the allocation
  // of a page per 4 KiB written). Such a handle can't be mmapped (a mapping
  // needs read access), and the kernel drops cached pages of the range a
  // direct write covers, so readers through other handles stay coherent.
  fi->direct_io = (fi->flags & O_ACCMODE) == O_WRONLY;
  // close(2) on a local file system reports nothing, so the kernel's FLUSH
  // at every close would be a round trip for nothing. Network file systems
  // (NFS, SMB, ...) report deferred write errors at close: their files keep
  // it.
  fi->noflush = OnLocalFs(*inode);
}

void Filesystem::Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (IsSynthetic(ino)) return weft_->Open(req, ino, fi);
  Inode* inode = Get(ino);
  if (Writes(fi->flags) && binds_.ReadOnly(inode->key.bind)) {
    fuse_reply_err(req, EROFS);
    return;
  }
  // Reopen the inode itself through its O_PATH descriptor: no name is
  // resolved again. O_DIRECT is the kernel's business, not the host file's.
  int flags = (fi->flags | O_CLOEXEC) & ~(O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW | O_DIRECT);
  if (flags & O_TRUNC) inode->NoteLocalChange();
  int fd = ::open(FdProcPath(inode->fd.get()).c_str(), flags);
  if (fd < 0) {
    fuse_reply_err(req, OpenFailed(errno));
    return;
  }
  bool writes = (fi->flags & O_ACCMODE) != O_RDONLY;
  if (writes) inode->writers.fetch_add(1);
  table_.Opened(inode);
  SetHandleFlags(inode, fi);
  fi->fh = static_cast<uint64_t>(fd);
  if (fuse_reply_open(req, fi) != 0) {
    if (writes) inode->writers.fetch_sub(1);
    ::close(fd);
    table_.Closed(inode);
  }
}

void Filesystem::Read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  if (IsSynthetic(ino)) return weft_->Read(req, size, off, fi);
  fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
  buf.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  buf.buf[0].fd = static_cast<int>(fi->fh);
  buf.buf[0].pos = off;
  fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

void Filesystem::WriteBuf(fuse_req_t req, fuse_ino_t ino, fuse_bufvec* in, off_t off, fuse_file_info* fi) {
  if (IsSynthetic(ino)) {
    std::string data(fuse_buf_size(in), '\0');
    fuse_bufvec mem = FUSE_BUFVEC_INIT(data.size());
    mem.buf[0].mem = data.data();
    ssize_t n = fuse_buf_copy(&mem, in, static_cast<fuse_buf_copy_flags>(0));
    if (n < 0) {
      fuse_reply_err(req, static_cast<int>(-n));
      return;
    }
    data.resize(static_cast<size_t>(n));
    return weft_->Write(req, data.data(), data.size(), fi);
  }
  Get(ino)->NoteLocalChange();
  fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(in));
  out.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  out.buf[0].fd = static_cast<int>(fi->fh);
  out.buf[0].pos = off;
  ssize_t n = fuse_buf_copy(&out, in, static_cast<fuse_buf_copy_flags>(0));
  if (n < 0) {
    fuse_reply_err(req, static_cast<int>(-n));
    return;
  }
  fuse_reply_write(req, static_cast<size_t>(n));
}

void Filesystem::Flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (IsSynthetic(ino)) {
    fuse_reply_err(req, 0);
    return;
  }
  // What close(2) reports (deferred write errors on network file systems).
  int dup = ::dup(static_cast<int>(fi->fh));
  int res = dup < 0 ? -1 : ::close(dup);
  fuse_reply_err(req, res == 0 ? 0 : errno);
}

void Filesystem::Release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (IsSynthetic(ino)) return weft_->Release(req, fi);
  Inode* inode = Get(ino);  // alive: the handle holds it (InodeTable::Opened)
  if ((fi->flags & O_ACCMODE) != O_RDONLY) {
    inode->NoteLocalChange();
    inode->writers.fetch_sub(1);
  }
  ::close(static_cast<int>(fi->fh));
  table_.Closed(inode);
  fuse_reply_err(req, 0);
}

void Filesystem::Fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  if (IsSynthetic(ino)) {
    fuse_reply_err(req, 0);
    return;
  }
  int fd = static_cast<int>(fi->fh);
  int res = datasync ? ::fdatasync(fd) : ::fsync(fd);
  fuse_reply_err(req, res == 0 ? 0 : errno);
}

void Filesystem::Fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len, fuse_file_info* fi) {
  if (IsSynthetic(ino)) {
    fuse_reply_err(req, EROFS);
    return;
  }
  Get(ino)->NoteLocalChange();
  int res = ::fallocate(static_cast<int>(fi->fh), mode, off, len);
  fuse_reply_err(req, res == 0 ? 0 : errno);
}

// Extended attributes go through /proc/self/fd/N (the f*xattr calls refuse
// O_PATH descriptors). A symlink has none here: following its /proc link
// would reach its target.

Inode* Filesystem::XattrChangeTarget(fuse_req_t req, fuse_ino_t ino) {
  Inode* inode = IsSynthetic(ino) ? nullptr : Get(ino);
  if (inode == nullptr || binds_.ReadOnly(inode->key.bind)) {
    fuse_reply_err(req, EROFS);
    return nullptr;
  }
  if (inode->is_symlink()) {
    fuse_reply_err(req, EPERM);
    return nullptr;
  }
  inode->NoteLocalChange();
  return inode;
}

namespace {

// getxattr/listxattr's two forms: size 0 asks how big the value is, else
// the value itself (at most `size` bytes). `query` is the syscall.
template <typename Query>
void ReplyXattrQuery(fuse_req_t req, size_t size, Query query) {
  if (size == 0) {
    ssize_t n = query(nullptr, 0);
    if (n < 0) fuse_reply_err(req, errno);
    else fuse_reply_xattr(req, static_cast<size_t>(n));
    return;
  }
  std::vector<char> buf(size);
  ssize_t n = query(buf.data(), size);
  if (n < 0) fuse_reply_err(req, errno);
  else fuse_reply_buf(req, buf.data(), static_cast<size_t>(n));
}

}  // namespace

void Filesystem::SetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
                          int flags) {
  Inode* inode = XattrChangeTarget(req, ino);
  if (inode == nullptr) return;
  int res = ::setxattr(FdProcPath(inode->fd.get()).c_str(), name, value, size, flags);
  fuse_reply_err(req, res == 0 ? 0 : errno);
}

void Filesystem::GetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  if (IsSynthetic(ino) || Get(ino)->is_symlink()) {
    fuse_reply_err(req, ENODATA);
    return;
  }
  std::string proc = FdProcPath(Get(ino)->fd.get());
  ReplyXattrQuery(req, size, [&](char* buf, size_t n) { return ::getxattr(proc.c_str(), name, buf, n); });
}

void Filesystem::ListXattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  if (IsSynthetic(ino) || Get(ino)->is_symlink()) {
    if (size == 0) fuse_reply_xattr(req, 0);
    else fuse_reply_buf(req, nullptr, 0);
    return;
  }
  std::string proc = FdProcPath(Get(ino)->fd.get());
  ReplyXattrQuery(req, size, [&](char* buf, size_t n) { return ::listxattr(proc.c_str(), buf, n); });
}

void Filesystem::RemoveXattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  Inode* inode = XattrChangeTarget(req, ino);
  if (inode == nullptr) return;
  int res = ::removexattr(FdProcPath(inode->fd.get()).c_str(), name);
  fuse_reply_err(req, res == 0 ? 0 : errno);
}

}  // namespace weft::fuse
