// WriteFileBeneath: temp file, fsync, renameat.
#include "core/ns/write.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "core/base/fd.h"
#include "core/base/random.h"
#include "core/base/strings.h"
#include "core/ns/resolve.h"

namespace weft::ns {
namespace {

Status WriteAll(int fd, std::string_view content, std::string_view path) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, StrCat({"cannot write ", path}));
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Result<WriteOutcome> WriteFileBeneath(int root_fd, std::string_view path, std::string_view content,
                                      const WriteOptions& options) {
  size_t end = path.find_last_not_of('/');
  if (end == std::string_view::npos) return Status::InvalidArgument("cannot write to the workspace root");
  std::string_view trimmed = path.substr(0, end + 1);
  size_t slash = trimmed.rfind('/');
  std::string_view parent = slash == std::string_view::npos ? std::string_view() : trimmed.substr(0, slash);
  std::string name(slash == std::string_view::npos ? trimmed : trimmed.substr(slash + 1));
  if (name == "." || name == "..") return Status::InvalidArgument(StrCat({path, " does not name a file"}));
  WEFT_ASSIGN_OR_RETURN(UniqueFd dir, OpenBeneath(root_fd, parent, O_PATH | O_DIRECTORY));

  WriteOutcome outcome;
  mode_t mode = options.mode;
  struct stat st;
  if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::FailedPrecondition(StrCat({path, " is a directory"}));
    if (options.create_only) return Status::AlreadyExists(StrCat({path, " already exists"}));
    if (S_ISREG(st.st_mode)) mode = st.st_mode & 07777;
  } else if (errno == ENOENT) {
    outcome.created = true;
  } else {
    return Status::FromErrno(errno, StrCat({"cannot stat ", path}));
  }

  std::string temp = WriteTempName(name);
  UniqueFd fd(::openat(dir.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return Status::FromErrno(errno, StrCat({"cannot create a temporary file beside ", path}));
  Status s = WriteAll(fd.get(), content, path);
  if (s.ok() && ::fchmod(fd.get(), mode) != 0) s = Status::FromErrno(errno, StrCat({"cannot set the mode of ", path}));
  if (s.ok() && ::fsync(fd.get()) != 0) s = Status::FromErrno(errno, StrCat({"cannot sync ", path}));
  if (s.ok()) {
    unsigned flags = options.create_only ? RENAME_NOREPLACE : 0;
    if (::syscall(SYS_renameat2, dir.get(), temp.c_str(), dir.get(), name.c_str(), flags) != 0) {
      s = errno == EEXIST ? Status::AlreadyExists(StrCat({path, " already exists"}))
                          : Status::FromErrno(errno, StrCat({"cannot replace ", path}));
    }
  }
  if (!s.ok()) {
    ::unlinkat(dir.get(), temp.c_str(), 0);
    return s;
  }
  outcome.bytes = content.size();
  return outcome;
}

namespace {
constexpr std::string_view kTempTag = ".weft-";
constexpr size_t kTempHexDigits = 12;
}  // namespace

std::string WriteTempName(std::string_view target_name) {
  return StrCat({".", target_name, kTempTag, RandomHex(kTempHexDigits / 2)});
}

bool IsWriteTempName(std::string_view name) {
  if (name.size() < 1 + kTempTag.size() + kTempHexDigits + 1 || name.front() != '.') return false;
  if (name.substr(name.size() - kTempHexDigits - kTempTag.size(), kTempTag.size()) != kTempTag) return false;
  for (char c : name.substr(name.size() - kTempHexDigits)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace weft::ns
