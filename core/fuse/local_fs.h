// LocalFileSystem: what the mount needs to know about a host file system.
#pragma once

namespace weft::fuse {

// `fd` is on a local file system, where close(2) reports nothing (ext4, XFS,
// btrfs, tmpfs, F2FS, overlayfs), unlike NFS or SMB, which report deferred
// write errors there.
bool LocalFileSystem(int fd);

}  // namespace weft::fuse
