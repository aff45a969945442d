// Filesystem: the mount's request handlers. Binds are served passthrough-
// style (the passthrough_hp model: inodes own O_PATH descriptors, every
// operation is relative to them, nothing is resolved by path), /.weft from a
// SyntheticTree through WeftDir. Each handler replies to its request exactly
// once, and last: after the reply it touches nothing a later request may
// free (a RELEASE or RELEASEDIR can run on another worker the moment the
// kernel has the reply). Handlers run on many FUSE worker threads at once; shared state is the
// inode table (its lock) and WeftDir (its lock).
#pragma once

#include <sys/stat.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/fuse/binds.h"
#include "core/fuse/fuse_api.h"
#include "core/fuse/inode_table.h"
#include "core/fuse/local_fs.h"
#include "core/fuse/weft_dir.h"

namespace weft::fuse {

class ChangeInvalidator;

struct FsConfig {
  // Kernel cache timeouts (seconds) for entries and attributes in
  // directories whose changes behind the mount are watched, and elsewhere
  // (and for /.weft).
  double cache_timeout = 3600;
  double fallback_timeout = 1;
  // Past this many inodes (each holds a descriptor) the change watcher asks
  // the kernel to drop cached entries nothing uses (ChangeInvalidator::
  // RequestPrune); 0: never.
  size_t prune_above = 0;
};

class Filesystem {
 public:
  // `binds` must outlive the Filesystem (its root descriptors belong to the
  // workspace); `tree` may be null (no /.weft).
  static Result<std::unique_ptr<Filesystem>> Make(BindSet binds, FsConfig config, weftdir::SyntheticTree* tree);

  InodeTable& table() { return table_; }
  const BindSet& binds() const { return binds_; }
  // Starts (non-null) or stops reporting changes behind the mount.
  void SetInvalidator(ChangeInvalidator* invalidator);
  // The mount is stopping: running calls are cancelled.
  void CancelCalls();

  void Init(fuse_conn_info* conn);
  void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
  void Forget(fuse_ino_t ino, uint64_t nlookup);
  void GetAttr(fuse_req_t req, fuse_ino_t ino);
  void SetAttr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi);
  void ReadLink(fuse_req_t req, fuse_ino_t ino);
  void MkNod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev);
  void MkDir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode);
  void Symlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name);
  void Link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t new_parent, const char* new_name);
  void Unlink(fuse_req_t req, fuse_ino_t parent, const char* name, bool dir);
  void Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t new_parent, const char* new_name,
              unsigned int flags);
  void StatFs(fuse_req_t req, fuse_ino_t ino);

  void Create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi);
  void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
  void WriteBuf(fuse_req_t req, fuse_ino_t ino, fuse_bufvec* in, off_t off, fuse_file_info* fi);
  void Flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi);
  void Fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len, fuse_file_info* fi);

  void OpenDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void ReadDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi, bool plus);
  void ReleaseDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void FsyncDir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi);

  void SetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags);
  void GetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size);
  void ListXattr(fuse_req_t req, fuse_ino_t ino, size_t size);
  void RemoveXattr(fuse_req_t req, fuse_ino_t ino, const char* name);

  WeftDir* weft() { return weft_.get(); }

 private:
  struct DirHandle;
  Filesystem(BindSet binds, std::unique_ptr<Inode> root, FsConfig config, weftdir::SyntheticTree* tree);

  Inode* Get(fuse_ino_t ino) { return table_.Get(ino); }
  // Looks `name` up in `parent` (crossing into a bind's root where one sits)
  // and counts one lookup on the result. Returns an errno (0 on success).
  int DoLookup(Inode* parent, const char* name, fuse_entry_param* e);
  void FillEntry(Inode* inode, const struct stat& st, fuse_entry_param* e) const;
  struct stat Shown(const struct stat& st) const;  // st_ino mapped for the mount
  double Timeout(const Inode* inode) const;
  // How the kernel treats a handle just opened on `inode`: page cache kept
  // across opens, direct I/O, FLUSH at close.
  void SetHandleFlags(const Inode* inode, fuse_file_info* fi) const;
  // `inode` is on the file system of its bind's root, and that is a local
  // one (LocalFileSystem).
  bool OnLocalFs(const Inode& inode) const;
  // More inodes (descriptors) are held than FsConfig::prune_above.
  bool Crowded() const { return config_.prune_above > 0 && table_.size() > config_.prune_above; }
  // `err` from opening a host file, returned as is; running out of
  // descriptors is logged (once) with what to do about it.
  int OpenFailed(int err);
  // Asks the change watcher to drop cached files down to half of
  // FsConfig::prune_above (ChangeInvalidator::RequestPrune).
  void AskToPrune();
  // Whether `name` in `parent` may be created, removed or renamed: 0, EROFS
  // (read-only bind, /.weft) or EBUSY (a bind or the way to one).
  int CheckChange(fuse_ino_t parent, const char* name);
  int CheckName(const char* name) const;
  void NoteEcho(const Inode* parent, const char* name);
  void ReplyNewEntry(fuse_req_t req, Inode* parent, const char* name);
  // Creates `name` in `parent_ino` with `make(parent's fd)` (0 or -1 with
  // errno, like the *at calls) after the usual checks, and replies with
  // the new entry.
  void MakeEntry(fuse_req_t req, fuse_ino_t parent_ino, const char* name, const std::function<int(int dir_fd)>& make);
  // The inode an xattr change applies to, its change noted; nullptr when
  // refused (replied: EROFS for /.weft and read-only binds, EPERM for symlinks).
  Inode* XattrChangeTarget(fuse_req_t req, fuse_ino_t ino);
  // Fills `out` (at most `size` bytes) with entries from offset `off`;
  // returns an errno when nothing could be listed.
  int FillDir(fuse_req_t req, DirHandle* d, size_t size, off_t off, bool plus, std::string* out);
  int ListMerged(fuse_ino_t ino, DirHandle* d);

  BindSet binds_;
  FsConfig config_;
  InodeTable table_;
  dev_t primary_dev_ = 0;
  struct BindFs {
    dev_t dev = 0;       // of the bind's root
    bool local = false;  // LocalFileSystem
  };
  std::vector<BindFs> bind_fs_;  // by bind index
  std::unique_ptr<WeftDir> weft_;  // null without a tree
  std::atomic<ChangeInvalidator*> invalidator_{nullptr};
  std::atomic<bool> warned_out_of_fds_{false};
};

}  // namespace weft::fuse
