// Mount points of the host: what is mounted at a directory
// (/proc/self/mountinfo), stale FUSE mounts (a server that died: statfs
// gives ENOTCONN) and unmounting — umount2 as root, fusermount3 otherwise.
#pragma once

#include <optional>
#include <string>

#include "core/base/result.h"

namespace weft::fuse {

// `dir` made absolute and canonical without touching `dir` itself (a stale
// mount cannot be stat'ed): its parent is resolved, its name kept.
Result<std::string> CanonicalMountPath(const std::string& dir);

// The file system type mounted exactly at canonical path `dir` ("fuse.weft"
// for a weft mount), or nullopt when `dir` is not a mount point.
std::optional<std::string> MountTypeAt(const std::string& dir);

// statfs(dir) fails with ENOTCONN: the FUSE server behind it is gone.
bool IsStaleMount(const std::string& dir);

// Unmounts `dir`. kFailedPrecondition "busy" when a process still uses it
// and `lazy` is false; with `lazy` it is detached at once and goes away
// when the last user lets go.
Status Unmount(const std::string& dir, bool lazy);

}  // namespace weft::fuse
