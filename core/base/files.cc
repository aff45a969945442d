// Whole-file reads and atomic replacement (temp file, fsync, rename).
#include "core/base/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/base/fd.h"
#include "core/base/strings.h"

namespace weft {
namespace {

Status WriteAll(int fd, const std::string& content, const std::string& what) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "cannot write " + what);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// The file a write to `path` should replace: the target of a symlink chain.
std::string ResolveTarget(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = path;
  if (!std::filesystem::is_symlink(std::filesystem::symlink_status(p, ec))) return path;
  std::filesystem::path target = std::filesystem::weakly_canonical(p, ec);
  return ec ? path : target.string();
}

Status SyncDirectory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Status::FromErrno(errno, "cannot open " + dir);
  if (::fsync(fd.get()) != 0) return Status::FromErrno(errno, "cannot sync " + dir);
  return Status::Ok();
}

}  // namespace

Result<std::string> ReadWholeFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return Status::NotFound(path + " does not exist");
    return Status::FromErrno(errno, "cannot read " + path);
  }
  std::string content;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "cannot read " + path);
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
  }
  return content;
}

Status WriteFileAtomically(const std::string& path, const std::string& content, mode_t new_mode) {
  std::string target = ResolveTarget(path);
  std::filesystem::path parent = std::filesystem::path(target).parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) return Status::IoError("cannot create directory " + parent.string() + ": " + ec.message());

  mode_t mode = new_mode;
  struct stat st;
  if (::stat(target.c_str(), &st) == 0) mode = st.st_mode & 07777;

  std::string temp =
      (parent / StrCat({".", std::filesystem::path(target).filename().string(), ".weft-XXXXXX"})).string();
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd) return Status::FromErrno(errno, "cannot write in " + parent.string());
  Status s = WriteAll(fd.get(), content, temp);
  if (s.ok() && ::fchmod(fd.get(), mode) != 0) s = Status::FromErrno(errno, "cannot set the mode of " + temp);
  if (s.ok() && ::fsync(fd.get()) != 0) s = Status::FromErrno(errno, "cannot sync " + temp);
  if (s.ok() && ::close(fd.Release()) != 0) s = Status::FromErrno(errno, "cannot write " + temp);
  if (s.ok() && ::rename(temp.c_str(), target.c_str()) != 0) s = Status::FromErrno(errno, "cannot replace " + target);
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  return SyncDirectory(parent.string());
}

}  // namespace weft
