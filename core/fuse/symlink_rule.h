// The symlink rule of the mount (docs/mount.md): the kernel follows a FUSE
// symlink itself, so a link whose target leads outside its bind — an
// absolute target, or ".." climbing above the bind's root from where the
// link sits — must not be readable through the mount. Links that stay
// inside work as usual (git, make and cp -a rely on them).
#pragma once

#include <string>
#include <string_view>

#include "core/base/status.h"

namespace weft::fuse {

// Lexical rule: `target`, read from a symlink `depth` directories below its
// bind's root (0: the link is in the root), stays beneath the root.
bool TargetStaysInside(std::string_view target, int depth);

// The whole check for the symlink open at `link_fd` (O_PATH | O_NOFOLLOW)
// whose content is `target`, in the bind rooted at `root_fd`: the lexical
// rule from the link's place, then the target resolved beneath the root
// (following the symlinks on its way) when it exists. kPermissionDenied
// says why the link is refused.
Status CheckSymlink(int root_fd, int link_fd, std::string_view target);

}  // namespace weft::fuse
