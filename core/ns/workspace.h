// Workspace: a mount table with its binds opened, the one place host paths
// are turned into file descriptors for venoms (DESIGN.md §3). Workspaces: the
// set this process serves.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/fd.h"
#include "core/base/result.h"
#include "core/ns/mount_table.h"

namespace weft::ns {

enum class Access { kRead, kWrite };

// A namespace path located on a host bind: open `rest` beneath `root_fd`
// (OpenBeneath) and nothing can escape the bind.
struct Place {
  std::string path;  // canonical namespace path
  const Mount* mount = nullptr;
  int root_fd = -1;  // the bind's root (O_PATH), owned by the workspace
  std::string rest;  // relative to the bind's root; "" is the root itself
};

// Immutable after Open; thread-safe.
class Workspace {
 public:
  // Opens each host bind's root directory. Fails naming the directory that
  // is missing or not a directory, or the node a source needs.
  static Result<std::unique_ptr<Workspace>> Open(std::string id, std::string name, MountTable mounts,
                                                 bool read_only);

  const std::string& id() const { return id_; }
  const std::string& name() const { return name_; }
  const MountTable& mounts() const { return mounts_; }
  // The whole workspace is served read-only (`weft serve --read-only`).
  bool read_only() const { return read_only_; }
  // The primary bind's host directory ("" when "/" is not a host bind).
  std::string PrimaryDir() const;
  // Where an op starts when the caller names no path: "/", or in a view
  // without "/" (Narrow) its first directory.
  std::string DefaultDir() const;

  // Turns what a caller wrote into a canonical namespace path: "src/a.c",
  // "/src/a.c", "./src/a.c" and "." all work, and so does a host path that
  // lies inside a bind's directory ("/home/me/proj/src/a.c" for the bind of
  // /home/me/proj). Refuses "..", NUL bytes, names over 255 bytes and paths
  // over 4095 bytes, with an error that says so.
  Result<std::string> CanonicalPath(std::string_view user_path) const;

  // Locates `user_path` on its bind. kWrite on a read-only bind (or a
  // read-only workspace) fails with kPermissionDenied naming the bind.
  Result<Place> Locate(std::string_view user_path, Access access) const;

  // Locate + OpenBeneath: kWrite access when `flags` can modify (O_WRONLY,
  // O_RDWR, O_CREAT, O_TRUNC). Errors name the namespace path.
  Result<UniqueFd> OpenPath(std::string_view user_path, int flags, mode_t mode = 0) const;

  // The canonical namespace paths a host directory (absolute) covers here:
  // the place it names when it lies inside a host bind, and every host bind
  // whose directory lies inside it. Empty when it shares nothing with the
  // workspace. Compares strings only: pass canonical (realpath) directories.
  std::vector<std::string> NsPathsOfHostDir(std::string_view host_dir) const;

  // A view of this workspace that exposes only `dirs` (canonical namespace
  // paths of directories) and what lies below them. Each becomes a bind of
  // its own whose root fd is opened beneath the original bind, so nothing
  // outside them is reachable, not even through a symlink; binds inside them
  // are kept. Paths outside fail with kPermissionDenied saying `why`. Fails
  // when a dir is missing, not a directory, or not on a host bind.
  Result<std::unique_ptr<Workspace>> Narrow(std::vector<std::string> dirs, std::string why) const;
  // Empty unless this is a narrowed view: why paths outside it are refused.
  const std::string& narrowed_by() const { return narrowed_by_; }

 private:
  Workspace() = default;
  std::string id_;
  std::string name_;
  MountTable mounts_;
  std::vector<UniqueFd> roots_;  // parallel to mounts_.mounts()
  bool read_only_ = false;
  std::string narrowed_by_;
};

// The workspaces one process serves. Filled at startup; read-only afterwards.
class Workspaces {
 public:
  void Add(std::unique_ptr<Workspace> ws) { list_.push_back(std::move(ws)); }
  const std::vector<std::unique_ptr<Workspace>>& list() const { return list_; }
  // By id, then by name; nullptr when none matches.
  Workspace* Find(std::string_view id_or_name) const;
  // The `workspace` argument of an op: "" is the first (default) workspace.
  // kNotFound lists the ones that exist.
  Result<Workspace*> Pick(std::string_view id_or_name) const;

 private:
  std::vector<std::unique_ptr<Workspace>> list_;
};

}  // namespace weft::ns
