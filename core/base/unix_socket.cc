// Unix-domain sockets by path (see unix_socket.h).
#include "core/base/unix_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "core/base/strings.h"

namespace weft {
namespace {

// Fills `addr` for `path`; a long path goes through an O_PATH descriptor of
// its directory, kept open in `dir` until the call is made.
Status Address(const std::string& path, sockaddr_un* addr, socklen_t* len, UniqueFd* dir) {
  std::memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  std::string target = path;
  if (path.size() >= sizeof(addr->sun_path)) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos || path.size() - slash - 1 >= sizeof(addr->sun_path) - 32) {
      return Status::InvalidArgument(StrCat({"socket path ", path, ": its name is too long"}));
    }
    std::string parent = slash == 0 ? "/" : path.substr(0, slash);
    dir->Reset(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir->valid()) return Status::FromErrno(errno, StrCat({"socket directory ", parent}));
    target = StrCat({FdProcPath(dir->get()), "/", path.substr(slash + 1)});
  }
  std::memcpy(addr->sun_path, target.data(), target.size());
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + target.size() + 1);
  return Status::Ok();
}

Result<UniqueFd> StreamSocket() {
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return Status::FromErrno(errno, "socket(AF_UNIX)");
  return s;
}

}  // namespace

Result<UniqueFd> ListenUnix(const std::string& path, int backlog) {
  sockaddr_un addr;
  socklen_t len = 0;
  UniqueFd dir;
  WEFT_RETURN_IF_ERROR(Address(path, &addr, &len, &dir));
  WEFT_ASSIGN_OR_RETURN(UniqueFd s, StreamSocket());
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Status::AlreadyExists(StrCat({"cannot listen on ", path, ": something that is not a socket is there"}));
    }
    ::unlink(path.c_str());  // a socket whose listener is gone (the runner died)
  }
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    return Status::FromErrno(errno, StrCat({"cannot listen on ", path}));
  }
  // Not through the umask (process-wide); callers put the socket in a
  // private directory, so there is no window for another user either way.
  if (::chmod(path.c_str(), 0600) != 0) return Status::FromErrno(errno, StrCat({"chmod ", path}));
  if (::listen(s.get(), backlog) != 0) return Status::FromErrno(errno, StrCat({"cannot listen on ", path}));
  return s;
}

Result<UniqueFd> ConnectUnix(const std::string& path) {
  sockaddr_un addr;
  socklen_t len = 0;
  UniqueFd dir;
  WEFT_RETURN_IF_ERROR(Address(path, &addr, &len, &dir));
  WEFT_ASSIGN_OR_RETURN(UniqueFd s, StreamSocket());
  int rc;
  do {
    rc = ::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), len);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int err = errno;
    if (err == ECONNREFUSED) {
      return Status::Unavailable(StrCat({"nothing listens on ", path, " (its owner has ended)"}));
    }
    return Status::FromErrno(err, StrCat({"cannot connect to ", path}));
  }
  return s;
}

}  // namespace weft
