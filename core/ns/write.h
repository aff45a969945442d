// Whole-file writes beneath a bind's root: content goes to a temporary file
// in the target's directory (O_EXCL), is synced, then renamed over the
// target, so readers and crashes see the old file or the new one, never half.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/base/result.h"

namespace weft::ns {

struct WriteOptions {
  // Refuse (kAlreadyExists) when the target exists, atomically
  // (renameat2 RENAME_NOREPLACE).
  bool create_only = false;
  // Mode of a new file; an existing regular file keeps its mode.
  mode_t mode = 0644;
};

struct WriteOutcome {
  bool created = false;  // there was no file before
  size_t bytes = 0;
};

// Writes `content` to `path` beneath `root_fd` (resolved like OpenBeneath;
// the parent directory must exist). A symlink at the target is replaced by
// the new file, never followed. Refuses a directory target.
Result<WriteOutcome> WriteFileBeneath(int root_fd, std::string_view path, std::string_view content,
                                      const WriteOptions& options = {});

// The temporary file a whole-file write makes beside its target,
// ".<name>.weft-<12 hex>", and whether `name` is one (change events skip them:
// only the renamed target is news).
std::string WriteTempName(std::string_view target_name);
bool IsWriteTempName(std::string_view name);

}  // namespace weft::ns
