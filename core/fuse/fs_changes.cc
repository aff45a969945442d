// Filesystem: operations that change a directory's entries (mknod, mkdir,
// symlink, link, unlink, rmdir, rename, create).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>

#include "core/base/fd.h"
#include "core/fuse/filesystem.h"
#include "core/fuse/invalidator.h"

namespace weft::fuse {

int Filesystem::CheckChange(fuse_ino_t parent_ino, const char* name) {
  if (IsSynthetic(parent_ino)) return EROFS;
  if (int err = CheckName(name); err != 0) return err;
  if (parent_ino == FUSE_ROOT_ID && weft_ && std::strcmp(name, ".weft") == 0) return EROFS;
  Inode* parent = Get(parent_ino);
  if (binds_.ReadOnly(parent->key.bind)) return EROFS;
  if (!parent->ns_path.empty()) {
    std::string path = BindSet::Join(parent->ns_path, name);
    if (binds_.BindAt(path) > 0 || binds_.LeadsToBind(path)) return EBUSY;  // like a mount point
  }
  return 0;
}

void Filesystem::NoteEcho(const Inode* parent, const char* name) {
  if (ChangeInvalidator* inv = invalidator_.load()) inv->NoteLocalEntryChange(table_.FuseIno(parent), name);
}

void Filesystem::ReplyNewEntry(fuse_req_t req, Inode* parent, const char* name) {
  fuse_entry_param e{};
  if (int err = DoLookup(parent, name, &e); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fuse_reply_entry(req, &e);
}

void Filesystem::MakeEntry(fuse_req_t req, fuse_ino_t parent_ino, const char* name,
                           const std::function<int(int dir_fd)>& make) {
  if (int err = CheckChange(parent_ino, name); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  Inode* parent = Get(parent_ino);
  NoteEcho(parent, name);
  if (make(parent->fd.get()) != 0) {
    fuse_reply_err(req, errno);
    return;
  }
  ReplyNewEntry(req, parent, name);
}

void Filesystem::MkNod(fuse_req_t req, fuse_ino_t parent_ino, const char* name, mode_t mode, dev_t rdev) {
  MakeEntry(req, parent_ino, name, [&](int dir) { return ::mknodat(dir, name, mode, rdev); });
}

void Filesystem::MkDir(fuse_req_t req, fuse_ino_t parent_ino, const char* name, mode_t mode) {
  MakeEntry(req, parent_ino, name, [&](int dir) { return ::mkdirat(dir, name, mode); });
}

void Filesystem::Symlink(fuse_req_t req, const char* target, fuse_ino_t parent_ino, const char* name) {
  // Any target may be written (a link is only text); reading one that leads
  // outside its bind is refused (ReadLink).
  MakeEntry(req, parent_ino, name, [&](int dir) { return ::symlinkat(target, dir, name); });
}

void Filesystem::Link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t new_parent_ino, const char* new_name) {
  if (IsSynthetic(ino)) {
    fuse_reply_err(req, EROFS);
    return;
  }
  if (int err = CheckChange(new_parent_ino, new_name); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  Inode* inode = Get(ino);
  Inode* new_parent = Get(new_parent_ino);
  if (inode->key.bind != new_parent->key.bind) {
    fuse_reply_err(req, EXDEV);
    return;
  }
  NoteEcho(new_parent, new_name);
  std::string proc = FdProcPath(inode->fd.get());
  if (::linkat(AT_FDCWD, proc.c_str(), new_parent->fd.get(), new_name, AT_SYMLINK_FOLLOW) != 0) {
    fuse_reply_err(req, errno);
    return;
  }
  ReplyNewEntry(req, new_parent, new_name);
}

void Filesystem::Unlink(fuse_req_t req, fuse_ino_t parent_ino, const char* name, bool dir) {
  if (int err = CheckChange(parent_ino, name); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  Inode* parent = Get(parent_ino);
  NoteEcho(parent, name);
  int res = ::unlinkat(parent->fd.get(), name, dir ? AT_REMOVEDIR : 0);
  fuse_reply_err(req, res == 0 ? 0 : errno);
}

void Filesystem::Rename(fuse_req_t req, fuse_ino_t parent_ino, const char* name, fuse_ino_t new_parent_ino,
                        const char* new_name, unsigned int flags) {
  int err = CheckChange(parent_ino, name);
  if (err == 0) err = CheckChange(new_parent_ino, new_name);
  if (err == 0 && (flags & ~static_cast<unsigned>(RENAME_NOREPLACE | RENAME_EXCHANGE)) != 0) err = EINVAL;
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  Inode* parent = Get(parent_ino);
  Inode* new_parent = Get(new_parent_ino);
  if (parent->key.bind != new_parent->key.bind) {
    fuse_reply_err(req, EXDEV);
    return;
  }
  NoteEcho(parent, name);
  NoteEcho(new_parent, new_name);
  int res = ::renameat2(parent->fd.get(), name, new_parent->fd.get(), new_name, flags);
  fuse_reply_err(req, res == 0 ? 0 : errno);
}

void Filesystem::Create(fuse_req_t req, fuse_ino_t parent_ino, const char* name, mode_t mode, fuse_file_info* fi) {
  if (int err = CheckChange(parent_ino, name); err != 0) {
    fuse_reply_err(req, err == EBUSY ? EEXIST : err);
    return;
  }
  Inode* parent = Get(parent_ino);
  NoteEcho(parent, name);
  int flags = (fi->flags | O_CREAT | O_CLOEXEC) & ~(O_NOFOLLOW | O_DIRECT);
  UniqueFd fd(::openat(parent->fd.get(), name, flags, mode));
  if (!fd) {
    fuse_reply_err(req, OpenFailed(errno));
    return;
  }
  fuse_entry_param e{};
  if (int err = DoLookup(parent, name, &e); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  Inode* inode = Get(e.ino);
  if ((fi->flags & O_ACCMODE) != O_RDONLY) inode->writers.fetch_add(1);
  inode->NoteLocalChange();
  table_.Opened(inode);
  SetHandleFlags(inode, fi);
  fi->fh = static_cast<uint64_t>(fd.Release());
  if (fuse_reply_create(req, &e, fi) != 0) {
    // The kernel is gone (the request was interrupted): undo the open.
    if ((fi->flags & O_ACCMODE) != O_RDONLY) inode->writers.fetch_sub(1);
    ::close(static_cast<int>(fi->fh));
    table_.Closed(inode);
    table_.Forget(inode, 1);
  }
}

}  // namespace weft::fuse
