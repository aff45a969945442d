// The processes of a Unix session, for killing a terminal job's whole
// session (its jobs may sit in process groups of their own).
#pragma once

#include <sys/types.h>

#include <vector>

namespace weft::proc {

// Pids of the processes whose session id is `sid` (from /proc/<pid>/stat).
std::vector<pid_t> SessionMembers(pid_t sid);

}  // namespace weft::proc
