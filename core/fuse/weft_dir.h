// WeftDir: serves /.weft from a weftdir::SyntheticTree (DESIGN.md §3).
// Synthetic inode numbers carry kSyntheticTag (bit 63), which no
// passthrough inode number (an Inode's address) or root (1) has. Files are
// read-only and direct_io, regenerated per open; each open of a call file
// is its own CallSession (write → Write, read → Read, release destroys it,
// an interrupt → Cancel). Everything here is read-only to namespace
// operations (EROFS). Every handler replies exactly once. Thread-safe.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "core/fuse/fuse_api.h"
#include "core/weftdir/synthetic.h"

namespace weft::fuse {

inline constexpr uint64_t kSyntheticTag = uint64_t{1} << 63;
inline bool IsSynthetic(fuse_ino_t ino) { return (ino & kSyntheticTag) != 0; }

class WeftDir {
 public:
  WeftDir(weftdir::SyntheticTree* tree, double timeout) : tree_(tree), timeout_(timeout) {}

  // The entry of ".weft" in the mount's root.
  void LookupRoot(fuse_req_t req);
  void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
  void GetAttr(fuse_req_t req, fuse_ino_t ino);
  // Only truncating a call file to 0 (what `>` in a shell does) is accepted.
  void SetAttr(fuse_req_t req, fuse_ino_t ino, const struct stat& attr, int to_set);
  void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Read(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi);
  void Write(fuse_req_t req, const char* data, size_t size, fuse_file_info* fi);
  void Release(fuse_req_t req, fuse_file_info* fi);
  void OpenDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void ReadDir(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi, bool plus);
  void ReleaseDir(fuse_req_t req, fuse_file_info* fi);

  // Cancels the call sessions of every open handle (the mount is stopping).
  void CancelAll();
  // Cancels the session behind handle `id` (a FUSE interrupt).
  void Cancel(uint64_t id);

 private:
  struct Handle;
  struct Listing;

  std::optional<weftdir::NodeInfo> Node(fuse_ino_t ino) const;
  struct stat Attr(const weftdir::NodeInfo& info) const;
  void ReplyEntry(fuse_req_t req, const std::optional<weftdir::NodeInfo>& info);
  std::shared_ptr<Handle> Find(uint64_t id);

  weftdir::SyntheticTree* const tree_;
  const double timeout_;
  std::mutex mu_;  // guards handles_ and next_id_
  std::map<uint64_t, std::shared_ptr<Handle>> handles_;
  uint64_t next_id_ = 1;
};

// errno for a Status from the tree or a CallSession.
int ErrnoOf(const Status& status);

}  // namespace weft::fuse
