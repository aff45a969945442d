// The libfuse low-level operation table of the mount: one function fills it,
// each entry forwards to the Filesystem passed as the session's userdata.
#pragma once

#include "core/fuse/fuse_api.h"

namespace weft::fuse {

fuse_lowlevel_ops MakeOperations();

}  // namespace weft::fuse
