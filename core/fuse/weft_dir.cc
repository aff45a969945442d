// WeftDir: /.weft served from a SyntheticTree.
#include "core/fuse/weft_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core/base/log.h"
#include "core/fuse/filesystem.h"

namespace weft::fuse {

using weftdir::NodeInfo;
using weftdir::NodeKind;

// One open synthetic file: a kFile's content as generated at open, or a
// call file's private session. The kernel's offsets are ignored for call
// files (nonseekable): writes append to the request, reads continue the
// response, so `exec 3<>call; echo '{}' >&3; cat <&3` works.
struct WeftDir::Handle {
  NodeKind kind = NodeKind::kFile;
  std::string content;
  std::unique_ptr<weftdir::CallSession> session;
  std::mutex mu;  // serialises Write and Read on the session (CallSession's contract)
  uint64_t written = 0;
  uint64_t read = 0;
};

struct WeftDir::Listing {
  std::vector<NodeInfo> entries;  // "." and ".." first
};

int ErrnoOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return 0;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange: return EINVAL;
    case StatusCode::kNotFound: return ENOENT;
    case StatusCode::kAlreadyExists: return EEXIST;
    case StatusCode::kPermissionDenied: return EACCES;
    case StatusCode::kResourceExhausted: return EFBIG;
    case StatusCode::kDeadlineExceeded: return ETIMEDOUT;
    case StatusCode::kCancelled: return EINTR;
    case StatusCode::kUnavailable: return EAGAIN;
    case StatusCode::kUnimplemented: return ENOSYS;
    default: return EIO;
  }
}

std::optional<NodeInfo> WeftDir::Node(fuse_ino_t ino) const { return tree_->Get(ino & ~kSyntheticTag); }

struct stat WeftDir::Attr(const NodeInfo& info) const {
  struct stat st {};
  st.st_ino = info.id | kSyntheticTag;
  st.st_mode = (info.kind == NodeKind::kDirectory ? S_IFDIR : S_IFREG) | (info.mode & 07777);
  st.st_nlink = info.kind == NodeKind::kDirectory ? 2 : 1;
  st.st_size = static_cast<off_t>(info.size);
  st.st_uid = ::getuid();
  st.st_gid = ::getgid();
  st.st_blksize = 4096;
  st.st_blocks = static_cast<blkcnt_t>((info.size + 511) / 512);
  st.st_mtim.tv_sec = info.mtime_ns / 1'000'000'000;
  st.st_mtim.tv_nsec = info.mtime_ns % 1'000'000'000;
  st.st_atim = st.st_ctim = st.st_mtim;
  return st;
}

void WeftDir::ReplyEntry(fuse_req_t req, const std::optional<NodeInfo>& info) {
  fuse_entry_param e{};
  if (!info) {  // negative, briefly: the tree changes (agents come and go)
    e.entry_timeout = timeout_;
    fuse_reply_entry(req, &e);
    return;
  }
  e.ino = info->id | kSyntheticTag;
  e.attr = Attr(*info);
  e.entry_timeout = timeout_;
  e.attr_timeout = 0;  // sizes change with every regeneration
  fuse_reply_entry(req, &e);
}

void WeftDir::LookupRoot(fuse_req_t req) { ReplyEntry(req, tree_->Get(weftdir::kRootId)); }

void WeftDir::Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  ReplyEntry(req, tree_->Lookup(parent & ~kSyntheticTag, name));
}

void WeftDir::GetAttr(fuse_req_t req, fuse_ino_t ino) {
  std::optional<NodeInfo> info = Node(ino);
  if (!info) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  struct stat st = Attr(*info);
  fuse_reply_attr(req, &st, 0);
}

void WeftDir::SetAttr(fuse_req_t req, fuse_ino_t ino, const struct stat& attr, int to_set) {
  std::optional<NodeInfo> info = Node(ino);
  if (!info) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  bool truncate_call = info->kind == NodeKind::kCallFile && to_set == FUSE_SET_ATTR_SIZE && attr.st_size == 0;
  if (!truncate_call) {
    fuse_reply_err(req, EROFS);
    return;
  }
  struct stat st = Attr(*info);
  fuse_reply_attr(req, &st, 0);
}

void WeftDir::Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  std::optional<NodeInfo> info = Node(ino);
  if (!info) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  auto handle = std::make_shared<Handle>();
  handle->kind = info->kind;
  if (info->kind == NodeKind::kFile) {
    if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
      fuse_reply_err(req, EACCES);
      return;
    }
    Result<std::string> content = tree_->ReadFile(info->id);
    if (!content.ok()) {
      fuse_reply_err(req, ErrnoOf(content.status()));
      return;
    }
    handle->content = std::move(content).value();
  } else if (info->kind == NodeKind::kCallFile) {
    Result<std::unique_ptr<weftdir::CallSession>> session = tree_->OpenCall(info->id);
    if (!session.ok()) {
      fuse_reply_err(req, ErrnoOf(session.status()));
      return;
    }
    handle->session = std::move(session).value();
    fi->nonseekable = 1;
  } else {
    fuse_reply_err(req, EISDIR);
    return;
  }
  fi->direct_io = 1;  // regenerated per open; the size in stat is only a hint
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    handles_[id] = handle;
  }
  fi->fh = id;
  if (fuse_reply_open(req, fi) != 0) {
    std::lock_guard<std::mutex> lock(mu_);
    handles_.erase(id);
  }
}

std::shared_ptr<WeftDir::Handle> WeftDir::Find(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = handles_.find(id);
  return it == handles_.end() ? nullptr : it->second;
}

namespace {
void OnInterrupt(fuse_req_t req, void* data) {
  auto* fs = static_cast<Filesystem*>(fuse_req_userdata(req));
  fs->weft()->Cancel(reinterpret_cast<uintptr_t>(data));
}
}  // namespace

void WeftDir::Read(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi) {
  std::shared_ptr<Handle> h = Find(fi->fh);
  if (!h) {
    fuse_reply_err(req, EBADF);
    return;
  }
  if (h->kind == NodeKind::kFile) {
    size_t from = std::min(h->content.size(), static_cast<size_t>(std::max<off_t>(off, 0)));
    size_t n = std::min(size, h->content.size() - from);
    fuse_reply_buf(req, h->content.data() + from, n);
    return;
  }
  // The op runs on this worker thread; an interrupt (Ctrl-C on the reader)
  // cancels it. The callback finds the handle by id, so a late interrupt
  // after release touches nothing freed.
  fuse_req_interrupt_func(req, OnInterrupt, reinterpret_cast<void*>(static_cast<uintptr_t>(fi->fh)));
  std::lock_guard<std::mutex> lock(h->mu);
  Result<std::string> got = h->session->Read(h->read, size);
  if (!got.ok()) {
    fuse_reply_err(req, ErrnoOf(got.status()));
    return;
  }
  h->read += got->size();
  fuse_reply_buf(req, got->data(), got->size());
}

void WeftDir::Write(fuse_req_t req, const char* data, size_t size, fuse_file_info* fi) {
  std::shared_ptr<Handle> h = Find(fi->fh);
  if (!h || !h->session) {
    fuse_reply_err(req, EBADF);
    return;
  }
  std::lock_guard<std::mutex> lock(h->mu);
  Status s = h->session->Write(h->written, std::string_view(data, size));
  if (!s.ok()) {
    fuse_reply_err(req, ErrnoOf(s));
    return;
  }
  h->written += size;
  fuse_reply_write(req, size);
}

void WeftDir::Release(fuse_req_t req, fuse_file_info* fi) {
  std::shared_ptr<Handle> h;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = handles_.find(fi->fh);
    if (it != handles_.end()) {
      h = std::move(it->second);
      handles_.erase(it);
    }
  }
  fuse_reply_err(req, 0);
  // The session ends with the last reference (an interrupt in flight may
  // still hold one).
}

void WeftDir::Cancel(uint64_t id) {
  std::shared_ptr<Handle> h = Find(id);
  if (h && h->session) h->session->Cancel();
}

void WeftDir::CancelAll() {
  std::vector<std::shared_ptr<Handle>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, h] : handles_) all.push_back(h);
  }
  for (auto& h : all) {
    if (h->session) h->session->Cancel();
  }
}

void WeftDir::OpenDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  std::optional<NodeInfo> info = Node(ino);
  if (!info) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  if (info->kind != NodeKind::kDirectory) {
    fuse_reply_err(req, ENOTDIR);
    return;
  }
  auto listing = std::make_unique<Listing>();
  NodeInfo dot = *info;
  dot.name = ".";
  NodeInfo dotdot = dot;
  dotdot.name = "..";
  listing->entries.push_back(dot);
  listing->entries.push_back(dotdot);
  for (NodeInfo& child : tree_->List(info->id)) listing->entries.push_back(std::move(child));
  fi->fh = reinterpret_cast<uintptr_t>(listing.get());
  if (fuse_reply_open(req, fi) == 0) listing.release();
}

void WeftDir::ReadDir(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi, bool plus) {
  auto* listing = reinterpret_cast<Listing*>(static_cast<uintptr_t>(fi->fh));
  std::string buf(size, '\0');
  size_t rem = size;
  for (size_t i = static_cast<size_t>(std::max<off_t>(off, 0)); i < listing->entries.size(); ++i) {
    const NodeInfo& info = listing->entries[i];
    char* p = buf.data() + (size - rem);
    size_t used;
    bool dot = info.name == "." || info.name == "..";
    if (plus) {
      fuse_entry_param e{};
      e.attr = Attr(info);
      if (!dot) {
        e.ino = info.id | kSyntheticTag;
        e.entry_timeout = timeout_;
      }
      used = fuse_add_direntry_plus(req, p, rem, info.name.c_str(), &e, static_cast<off_t>(i + 1));
    } else {
      struct stat st = Attr(info);
      used = fuse_add_direntry(req, p, rem, info.name.c_str(), &st, static_cast<off_t>(i + 1));
    }
    if (used > rem) break;
    rem -= used;
  }
  fuse_reply_buf(req, buf.data(), size - rem);
}

void WeftDir::ReleaseDir(fuse_req_t req, fuse_file_info* fi) {
  delete reinterpret_cast<Listing*>(static_cast<uintptr_t>(fi->fh));
  fuse_reply_err(req, 0);
}

}  // namespace weft::fuse
