// State directory resolution.
#include "core/base/state_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>

namespace weft {

Result<std::string> StateDir(const std::string& override_dir) {
  return StateDirFrom(override_dir, std::getenv("XDG_STATE_HOME"), std::getenv("HOME"));
}

Result<std::string> StateDirFrom(const std::string& override_dir, const char* xdg, const char* home) {
  if (!override_dir.empty()) return override_dir;
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/weft";
  if (home == nullptr || home[0] != '/') {
    return Status::FailedPrecondition(
        "cannot find a state directory: neither XDG_STATE_HOME nor HOME is an absolute path; pass --state DIR");
  }
  return std::string(home) + "/.local/state/weft";
}

Status EnsurePrivateDir(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("empty directory path");
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    bool last = pos == dir.size();
    if (::mkdir(prefix.c_str(), last ? 0700 : 0755) == 0) continue;
    if (errno != EEXIST) return Status::FromErrno(errno, "cannot create " + prefix);
    struct stat st;
    if (::stat(prefix.c_str(), &st) != 0) return Status::FromErrno(errno, "cannot stat " + prefix);
    if (!S_ISDIR(st.st_mode)) return Status::FailedPrecondition(prefix + " exists and is not a directory");
  }
  return Status::Ok();
}

}  // namespace weft
