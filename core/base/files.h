// Whole-file reads and atomic replacement (weft install, the HTTP token file).
#pragma once

#include <sys/types.h>

#include <string>

#include "core/base/result.h"

namespace weft {

// The whole content of `path`. NotFound when it does not exist; IoError
// (naming the path) when it cannot be read.
Result<std::string> ReadWholeFile(const std::string& path);

// Replaces the content of `path` so that readers see either the old or the
// new content, never a mix: the content goes to a temporary file in the same
// directory, is fsynced, and is renamed over the target; the directory is
// fsynced after. An existing file keeps its mode; a new one gets `new_mode`.
// A symlink is followed, so the file it points to is replaced and the link
// stays. Missing parent directories are created. On failure the target is
// untouched and the temporary file is removed.
Status WriteFileAtomically(const std::string& path, const std::string& content, mode_t new_mode);

}  // namespace weft
