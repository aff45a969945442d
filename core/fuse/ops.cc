// The operation table: thin adapters from libfuse's C callbacks to Filesystem.
#include "core/fuse/ops.h"

#include "core/fuse/filesystem.h"

namespace weft::fuse {
namespace {

Filesystem* Fs(fuse_req_t req) { return static_cast<Filesystem*>(fuse_req_userdata(req)); }

void Init(void* userdata, fuse_conn_info* conn) { static_cast<Filesystem*>(userdata)->Init(conn); }

void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) { Fs(req)->Lookup(req, parent, name); }

void Forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Fs(req)->Forget(ino, nlookup);
  fuse_reply_none(req);
}

void ForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  for (size_t i = 0; i < count; ++i) Fs(req)->Forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void GetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) { Fs(req)->GetAttr(req, ino); }

void SetAttr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  Fs(req)->SetAttr(req, ino, attr, to_set, fi);
}

void ReadLink(fuse_req_t req, fuse_ino_t ino) { Fs(req)->ReadLink(req, ino); }

void MkNod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  Fs(req)->MkNod(req, parent, name, mode, rdev);
}

void MkDir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  Fs(req)->MkDir(req, parent, name, mode);
}

void Unlink(fuse_req_t req, fuse_ino_t parent, const char* name) { Fs(req)->Unlink(req, parent, name, false); }
void RmDir(fuse_req_t req, fuse_ino_t parent, const char* name) { Fs(req)->Unlink(req, parent, name, true); }

void Symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  Fs(req)->Symlink(req, link, parent, name);
}

void Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t new_parent, const char* new_name,
            unsigned int flags) {
  Fs(req)->Rename(req, parent, name, new_parent, new_name, flags);
}

void Link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t new_parent, const char* new_name) {
  Fs(req)->Link(req, ino, new_parent, new_name);
}

void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { Fs(req)->Open(req, ino, fi); }

void Read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  Fs(req)->Read(req, ino, size, off, fi);
}

void WriteBuf(fuse_req_t req, fuse_ino_t ino, fuse_bufvec* in, off_t off, fuse_file_info* fi) {
  Fs(req)->WriteBuf(req, ino, in, off, fi);
}

void Flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { Fs(req)->Flush(req, ino, fi); }
void Release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { Fs(req)->Release(req, ino, fi); }

void Fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  Fs(req)->Fsync(req, ino, datasync, fi);
}

void OpenDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { Fs(req)->OpenDir(req, ino, fi); }

void ReadDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  Fs(req)->ReadDir(req, ino, size, off, fi, false);
}

void ReadDirPlus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  Fs(req)->ReadDir(req, ino, size, off, fi, true);
}

void ReleaseDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { Fs(req)->ReleaseDir(req, ino, fi); }

void FsyncDir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  Fs(req)->FsyncDir(req, ino, datasync, fi);
}

void StatFs(fuse_req_t req, fuse_ino_t ino) { Fs(req)->StatFs(req, ino); }

void SetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags) {
  Fs(req)->SetXattr(req, ino, name, value, size, flags);
}

void GetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  Fs(req)->GetXattr(req, ino, name, size);
}

void ListXattr(fuse_req_t req, fuse_ino_t ino, size_t size) { Fs(req)->ListXattr(req, ino, size); }

void RemoveXattr(fuse_req_t req, fuse_ino_t ino, const char* name) { Fs(req)->RemoveXattr(req, ino, name); }

void Create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  Fs(req)->Create(req, parent, name, mode, fi);
}

void Fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len, fuse_file_info* fi) {
  Fs(req)->Fallocate(req, ino, mode, off, len, fi);
}

}  // namespace

fuse_lowlevel_ops MakeOperations() {
  fuse_lowlevel_ops ops{};
  ops.init = Init;
  ops.lookup = Lookup;
  ops.forget = Forget;
  ops.forget_multi = ForgetMulti;
  ops.getattr = GetAttr;
  ops.setattr = SetAttr;
  ops.readlink = ReadLink;
  ops.mknod = MkNod;
  ops.mkdir = MkDir;
  ops.unlink = Unlink;
  ops.rmdir = RmDir;
  ops.symlink = Symlink;
  ops.rename = Rename;
  ops.link = Link;
  ops.open = Open;
  ops.read = Read;
  ops.write_buf = WriteBuf;
  ops.flush = Flush;
  ops.release = Release;
  ops.fsync = Fsync;
  ops.opendir = OpenDir;
  ops.readdir = ReadDir;
  ops.readdirplus = ReadDirPlus;
  ops.releasedir = ReleaseDir;
  ops.fsyncdir = FsyncDir;
  ops.statfs = StatFs;
  ops.setxattr = SetXattr;
  ops.getxattr = GetXattr;
  ops.listxattr = ListXattr;
  ops.removexattr = RemoveXattr;
  ops.create = Create;
  ops.fallocate = Fallocate;
  return ops;
}

}  // namespace weft::fuse
