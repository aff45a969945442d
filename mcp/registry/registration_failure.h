// What the *OrDie registration calls do with a failed registration: a bad
// declaration is a programming error, so log what was refused and abort.
#pragma once

#include <cstdlib>
#include <string>

#include "core/base/log.h"
#include "core/base/status.h"

namespace weft::mcp {

// `what` names the declaration, e.g. `tool "fs_read"`.
inline void AbortUnlessRegistered(const Status& status, const std::string& what) {
  if (status.ok()) return;
  WEFT_LOG(kError) << "cannot register " << what << ": " << status;
  std::abort();
}

}  // namespace weft::mcp
