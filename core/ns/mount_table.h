// MountTable: a workspace's ordered list of namespace path → source
// (DESIGN.md §3). Longest prefix wins, at component boundaries ("/ws" never
// matches "/ws-evil"); "/" is the primary bind. Sources are host directories
// (read-write or read-only) or, later, directories on other weft nodes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/fd.h"
#include "core/base/result.h"

namespace weft::ns {

struct Source {
  enum class Kind { kHost, kNode };
  Kind kind = Kind::kHost;
  std::string node;  // kNode: the node's name
  std::string dir;   // absolute directory on the host or the node
  bool read_only = false;

  // "host:/abs/dir", "node:NAME:/abs/dir" or a bare "/abs/dir", with an
  // optional ":ro" (or ":rw") suffix.
  static Result<Source> Parse(std::string_view spec);
  std::string ToString() const;
};

// A namespace path in canonical form: absolute, no empty, "." or ".."
// components, no trailing slash (except "/" itself), no NUL. Refuses ".."
// rather than resolving it: namespace paths name places, they do not walk.
Result<std::string> NormalizeNsPath(std::string_view path);

// `path` is `dir` or lies below it, at a component boundary: "/ws-evil" is
// not within "/ws", and everything is within "/". Both absolute and
// canonical (namespace paths, or host directories after realpath).
bool PathWithin(std::string_view path, std::string_view dir);

struct Mount {
  std::string path;  // canonical namespace path
  Source source;
};

// Where a namespace path lands: the mount, and the path relative to the
// mount's root ("" for the root itself), ready for OpenBeneath.
struct Resolution {
  const Mount* mount = nullptr;
  std::string rest;
};

class MountTable {
 public:
  // Fails on a bad path, a duplicate path, or a relative source directory.
  Status Add(std::string_view path, Source source);
  Status Remove(std::string_view path);
  // The mount with the longest prefix of `path` at a component boundary;
  // kNotFound when none covers it (no "/" bind).
  Result<Resolution> Resolve(std::string_view path) const;
  // Mounts whose path is directly below `dir` (their names appear in its
  // listing even when the parent source has no such entry).
  std::vector<const Mount*> ChildMounts(std::string_view dir) const;
  const std::vector<Mount>& mounts() const { return mounts_; }

 private:
  std::vector<Mount> mounts_;  // sorted by path
};

// Parses `--bind NSPATH=DIR[:ro]`.
Result<Mount> ParseBindFlag(std::string_view flag);

// Opens a host source's root with O_PATH | O_DIRECTORY (the fd every access
// resolves beneath). kNotFound / kFailedPrecondition name the directory;
// node sources are refused until nodes exist.
Result<UniqueFd> OpenSourceRoot(const Source& source);

}  // namespace weft::ns
