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

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/ns/workspace.h"
#include "core/venoms/registry.h"
#include "core/weftdir/call_gate.h"

namespace weft::venoms {

// The gate a mount's call files run under, made from the grant of whoever
// asks for the mount (docs/grants.md): a grant derived from the caller's
// for the mount, read-only when the mount is.
using MountGates = std::function<Result<std::shared_ptr<weftdir::CallGate>>(const grants::Grant& caller,
                                                                             const std::string& dir, bool read_only)>;

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

  // Where mounts asked for under a grant get their call files' gate. Set
  // before serving; without it such mounts' call files are unrestricted.
  void SetGates(MountGates gates) { gates_ = std::move(gates); }

  // Mounts `ws` (which must outlive the mount) at host directory `dir`;
  // its call files run under a gate made from `caller` (null: unrestricted).
  // Errors: kInvalidArgument (not a directory, inside a bind), kAlreadyExists
  // (already a mount point), kUnavailable (no usable /dev/fuse), and the
  // gate's when it cannot be made.
  Result<HostedMount> Mount(const ns::Workspace& ws, const std::string& dir, bool read_only,
                            const grants::Grant* caller = nullptr);
  // Unmounts a mount this process hosts at `dir`; kNotFound names the ones
  // it hosts.
  Result<HostedMount> Unmount(const std::string& dir);
  // The live mounts, in the order they were made.
  std::vector<HostedMount> List() const;

 private:
  struct Entry;
  void PruneEnded();  // mu_ held

  const Registry& registry_;
  MountGates gates_;
  mutable std::mutex mu_;  // guards entries_; held while a mount starts or stops
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace weft::venoms
