// Finding the weft mount a directory lies in, for `weft call`: the nearest
// FUSE mount above it whose root holds .weft/venoms.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::cli {

// The mount points of FUSE file systems (fuse, fuse.*, fuseblk) listed in
// `mountinfo` (the text of /proc/self/mountinfo), unescaped (\040 → ' ').
std::vector<std::string> FuseMountPoints(std::string_view mountinfo);

// The deepest of `mount_points` that is `dir` or an ancestor of it (at a
// component boundary; `dir` absolute and canonical), if any.
std::optional<std::string> EnclosingMount(const std::vector<std::string>& mount_points, const std::string& dir);

// Whether `root`/.weft/venoms is a directory.
bool HasWeftDir(const std::string& root);

// The root of the weft mount `dir` lies in: the deepest FUSE mount enclosing
// `dir` (per /proc/self/mountinfo), when its root has .weft/venoms.
std::optional<std::string> FindWeftMount(const std::string& dir);

}  // namespace weft::cli
