// Filesystem: directory listings. A directory is read straight from the
// host (offsets are the host's telldir cookies) unless the namespace adds
// to it: binds below it appear as directories (hiding host entries of the
// same name), and the root hides ".weft" when /.weft is served. Such
// listings are read whole at opendir, with offsets that are indexes.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/fuse/filesystem.h"

namespace weft::fuse {

struct Filesystem::DirHandle {
  struct Entry {
    std::string name;
    unsigned char type = DT_UNKNOWN;
    ino_t ino = 0;
  };
  explicit DirHandle(Inode* d) : dir(d) {}
  ~DirHandle() {
    if (dp != nullptr) ::closedir(dp);
  }
  DirHandle(const DirHandle&) = delete;
  DirHandle& operator=(const DirHandle&) = delete;

  // Peeks at the entry at the current offset; false at the end (or an error in *err).
  bool Peek(Entry* out, off_t* next, int* err) {
    if (merged) {
      if (offset < 0 || static_cast<size_t>(offset) >= entries.size()) return false;
      *out = entries[static_cast<size_t>(offset)];
      *next = offset + 1;
      return true;
    }
    if (entry == nullptr) {
      errno = 0;
      entry = ::readdir(dp);
      if (entry == nullptr) {
        *err = errno;
        return false;
      }
    }
    *out = Entry{entry->d_name, entry->d_type, entry->d_ino};
    *next = entry->d_off;
    return true;
  }
  void Consume(off_t next) {
    entry = nullptr;
    offset = next;
  }
  void Seek(off_t off) {
    if (off == offset) return;
    if (!merged) ::seekdir(dp, off);
    entry = nullptr;
    offset = off;
  }

  std::mutex mu;  // one listing call at a time per handle
  Inode* const dir;
  DIR* dp = nullptr;
  off_t offset = 0;
  dirent* entry = nullptr;  // peeked, not yet returned
  bool merged = false;
  std::vector<Entry> entries;  // merged listings
};

int Filesystem::ListMerged(fuse_ino_t ino, DirHandle* d) {
  std::set<std::string> hidden;
  std::vector<ChildBind> children = binds_.ChildrenOf(d->dir->ns_path);
  for (const ChildBind& c : children) hidden.insert(c.name);
  if (ino == FUSE_ROOT_ID && weft_) hidden.insert(".weft");  // resolvable, never listed (DESIGN.md §3)
  errno = 0;
  while (dirent* e = ::readdir(d->dp)) {
    if (hidden.count(e->d_name) == 0) d->entries.push_back({e->d_name, e->d_type, e->d_ino});
    errno = 0;
  }
  if (errno != 0) return errno;
  for (const ChildBind& c : children) {
    struct stat st {};
    if (::fstat(binds_.at(c.bind).root_fd, &st) != 0) continue;
    d->entries.push_back({c.name, DT_DIR, Shown(st).st_ino});
  }
  d->merged = true;
  return 0;
}

void Filesystem::OpenDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (IsSynthetic(ino)) return weft_->OpenDir(req, ino, fi);
  Inode* inode = Get(ino);
  int fd = ::openat(inode->fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    fuse_reply_err(req, errno);
    return;
  }
  auto d = std::make_unique<DirHandle>(inode);
  d->dp = ::fdopendir(fd);
  if (d->dp == nullptr) {
    int err = errno;
    ::close(fd);
    fuse_reply_err(req, err);
    return;
  }
  bool adds = (ino == FUSE_ROOT_ID && weft_) || (!inode->ns_path.empty() && !binds_.ChildrenOf(inode->ns_path).empty());
  if (adds) {
    if (int err = ListMerged(ino, d.get()); err != 0) {
      fuse_reply_err(req, err);
      return;
    }
  }
  fi->fh = reinterpret_cast<uintptr_t>(d.get());
  // The kernel may keep the listing where changes behind the mount are
  // reported (the change watcher invalidates it; changes made through the
  // mount invalidate it in the kernel). Merged listings are rebuilt per open.
  if (!d->merged && inode->watched.load(std::memory_order_relaxed)) {
    fi->cache_readdir = 1;
    fi->keep_cache = 1;
  }
  table_.Opened(inode);
  if (fuse_reply_open(req, fi) == 0) {
    d.release();
  } else {
    table_.Closed(inode);
  }
}

int Filesystem::FillDir(fuse_req_t req, DirHandle* d, size_t size, off_t off, bool plus, std::string* out) {
  out->assign(size, '\0');
  char* p = out->data();
  size_t rem = size;
  d->Seek(off);
  while (true) {
    DirHandle::Entry ent;
    off_t next = 0;
    int err = 0;
    if (!d->Peek(&ent, &next, &err)) {
      if (err != 0 && rem == size) return err;
      break;
    }
    size_t used = 0;
    bool dot = ent.name == "." || ent.name == "..";
    if (plus) {
      fuse_entry_param e{};
      if (dot || Crowded()) {
        // Name and type only (no inode: the kernel looks it up when used).
        // Near the open-file limit a listing must not make an inode, with
        // its descriptor, of every entry it shows.
        struct stat st {};
        st.st_dev = d->dir->key.dev;
        st.st_ino = ent.ino;
        e.attr.st_ino = dot ? ent.ino : Shown(st).st_ino;
        e.attr.st_mode = static_cast<mode_t>(ent.type) << 12;
      } else if (int lerr = DoLookup(d->dir, ent.name.c_str(), &e); lerr != 0) {
        if (lerr == ENOENT) {  // gone since it was listed
          d->Consume(next);
          continue;
        }
        if (rem == size) return lerr;
        break;
      }
      used = fuse_add_direntry_plus(req, p, rem, ent.name.c_str(), &e, next);
      if (used > rem) {
        if (e.ino != 0) table_.Forget(Get(e.ino), 1);  // a looked-up entry that did not fit
        break;
      }
    } else {
      struct stat st {};
      st.st_dev = d->dir->key.dev;
      st.st_ino = ent.ino;
      st.st_ino = Shown(st).st_ino;
      st.st_mode = static_cast<mode_t>(ent.type) << 12;
      used = fuse_add_direntry(req, p, rem, ent.name.c_str(), &st, next);
      if (used > rem) break;
    }
    p += used;
    rem -= used;
    d->Consume(next);
  }
  out->resize(size - rem);
  return 0;
}

void Filesystem::ReadDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi, bool plus) {
  if (IsSynthetic(ino)) return weft_->ReadDir(req, size, off, fi, plus);
  auto* d = reinterpret_cast<DirHandle*>(static_cast<uintptr_t>(fi->fh));
  std::string buf;
  int err;
  {
    std::lock_guard<std::mutex> lock(d->mu);
    err = FillDir(req, d, size, off, plus, &buf);
  }
  // Reply only once the handle is let go: as soon as the kernel has the
  // reply, the reader may close the directory, and its RELEASEDIR (on
  // another worker) frees the handle and its mutex.
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fuse_reply_buf(req, buf.data(), buf.size());
}

void Filesystem::ReleaseDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (IsSynthetic(ino)) return weft_->ReleaseDir(req, fi);
  auto* d = reinterpret_cast<DirHandle*>(static_cast<uintptr_t>(fi->fh));
  Inode* dir = d->dir;
  delete d;
  table_.Closed(dir);
  fuse_reply_err(req, 0);
}

void Filesystem::FsyncDir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  if (IsSynthetic(ino)) {
    fuse_reply_err(req, 0);
    return;
  }
  int fd = ::dirfd(reinterpret_cast<DirHandle*>(static_cast<uintptr_t>(fi->fh))->dp);
  int res = datasync ? ::fdatasync(fd) : ::fsync(fd);
  fuse_reply_err(req, res == 0 ? 0 : errno);
}

}  // namespace weft::fuse
