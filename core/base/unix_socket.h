// Unix-domain stream sockets by path, for paths of any length: a path longer
// than sockaddr_un holds is reached through its directory's descriptor
// (/proc/self/fd/N/NAME), so deep state directories work too.
#pragma once

#include <string>

#include "core/base/fd.h"
#include "core/base/result.h"

namespace weft {

// A listening socket at `path` (mode 0600; a stale socket left there by a
// process that died is replaced, anything else there is an error).
Result<UniqueFd> ListenUnix(const std::string& path, int backlog = 16);

// A connection to the socket at `path`. Errors say whether nothing listens
// there or the path is wrong.
Result<UniqueFd> ConnectUnix(const std::string& path);

}  // namespace weft
