// HostedMounts: FUSE mounts of workspaces that a long-running weft process
// (weft serve) hosts for the workspace venom's mount and unmount ops. Each
// is a fuse::MountSession serving the workspace with its /.weft tree
// (weftdir::NewWeftDir over the process's venom registry).
//
// Lifetime: destroying a HostedMounts unmounts everything it hosts, so it
// must be destroyed before the registry and the workspaces it serves (a
// member declared after them). A mount unmounted from outside (weft umount,
// fusermount3 -u) drops out of the list on its own.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/ns/workspace.h"
#include "core/venoms/registry.h"

namespace weft::venoms {

struct HostedMount {
  std::string dir;           // canonical host path of the mount point
  std::string workspace_id;
  bool read_only = false;
};

class HostedMounts {
 public:
  // `registry` serves the /.weft call files of every mount; it must outlive
  // this object.
  explicit HostedMounts(const Registry& registry);
  ~HostedMounts();
  HostedMounts(const HostedMounts&) = delete;
  HostedMounts& operator=(const HostedMounts&) = delete;

  // Mounts `ws` (which must outlive the mount) at host directory `dir`.
  // Errors: kInvalidArgument (not a directory, inside a bind), kAlreadyExists
  // (already a mount point), kUnavailable (no usable /dev/fuse).
  Result<HostedMount> Mount(const ns::Workspace& ws, const std::string& dir, bool read_only);
  // Unmounts a mount this process hosts at `dir`; kNotFound names the ones
  // it hosts.
  Result<HostedMount> Unmount(const std::string& dir);
  // The live mounts, in the order they were made.
  std::vector<HostedMount> List() const;

 private:
  struct Entry;
  void PruneEnded();  // mu_ held

  const Registry& registry_;
  mutable std::mutex mu_;  // guards entries_; held while a mount starts or stops
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace weft::venoms
