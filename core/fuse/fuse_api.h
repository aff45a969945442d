// The one place libfuse is included and its API version chosen: every file
// of core/fuse that talks to libfuse includes this header, never
// <fuse_lowlevel.h> directly. Targets libfuse 3.14 (Debian 12).
#pragma once

#define FUSE_USE_VERSION 314  // FUSE_MAKE_VERSION(3, 14), spelled out: the macro comes with the header

#include <fuse_lowlevel.h>

// Kernel passthrough (the kernel reads and writes the backing file itself)
// exists from libfuse 3.17; on older libraries the mount serves file data
// through the daemon (with splice).
#if FUSE_VERSION >= FUSE_MAKE_VERSION(3, 17)
#define WEFT_FUSE_HAS_PASSTHROUGH 1
#else
#define WEFT_FUSE_HAS_PASSTHROUGH 0
#endif
