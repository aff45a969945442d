// Opening paths beneath a bind's root directory so that nothing escapes it:
// openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) where the kernel has it
// (probed once), else a component-wise walk with O_NOFOLLOW that follows
// symlinks itself and refuses any that lead outside.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/base/fd.h"
#include "core/base/result.h"

namespace weft::ns {

enum class ResolveMode {
  kAuto,     // openat2 when available, else the walk
  kOpenat2,  // openat2 only (kUnimplemented without it)
  kWalk,     // the portable walk, always
};

// True when this kernel supports openat2 with RESOLVE_BENEATH (probed once).
bool Openat2Available();

// Opens `path` (relative to `root_fd`; "" and "." name the root; a leading
// "/" is taken as the root too) with open(2) `flags` (O_CLOEXEC is added)
// and `mode` for O_CREAT. Symlinks are followed while they stay beneath the
// root (a final symlink only without O_NOFOLLOW); one that leads outside,
// an absolute symlink, or ".." above the root fails with kPermissionDenied
// "<path> escapes the workspace". Other errors keep errno's meaning:
// kNotFound, kAlreadyExists (O_EXCL), kPermissionDenied, kIoError.
Result<UniqueFd> OpenBeneath(int root_fd, std::string_view path, int flags, mode_t mode = 0,
                             ResolveMode how = ResolveMode::kAuto);

// OpenBeneath (kAuto) with errors that name `shown` (the namespace path a
// caller knows) instead of `path`.
Result<UniqueFd> OpenBeneathAs(int root_fd, std::string_view path, std::string_view shown, int flags,
                               mode_t mode = 0);

}  // namespace weft::ns
