// Generation of weft_fuse_bench's trees; see fuse_tree.h.
#include "bench/fuse_tree.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/fs_tree.h"

namespace weft::bench {
namespace {

// Every repository file's mtime (2024-01-01T00:00:00Z): older than the index
// git writes, so git status trusts the index and reads no file's content.
constexpr time_t kRepoMtime = 1'704'067'200;

[[noreturn]] void Fail(const std::string& what, const std::string& path) {
  throw BenchError(what + " " + path + ": " + std::strerror(errno));
}

void MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) Fail("mkdir", path);
}

void WriteAll(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t w = ::write(fd, data, size);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) Fail("write", path);
    data += w;
    size -= static_cast<size_t>(w);
  }
}

void MakeBigFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Fail("open", path);
  std::vector<uint64_t> block(FuseTree::kMiB / sizeof(uint64_t));
  uint64_t x = 0x9e3779b97f4a7c15ULL;  // xorshift64: any fixed pattern that does not compress
  for (uint64_t& w : block) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    w = x;
  }
  for (size_t i = 0; i < FuseTree::kBigBytes / FuseTree::kMiB; ++i) {
    block[0] = i;
    WriteAll(fd, reinterpret_cast<const char*>(block.data()), FuseTree::kMiB, path);
  }
  if (::close(fd) != 0) Fail("close", path);
}

void Git(const std::vector<std::string>& args, const std::string& repo) {
  std::vector<std::string> argv = {"git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandRun run = RunCommand(argv, repo, "");
  if (run.status != 0) throw BenchError("git " + args[0] + " failed in " + repo);
}

void MakeRepo(const std::string& repo) {
  MakeDir(repo);
  Git({"init", "-q", "-b", "main"}, repo);
  const struct timespec times[2] = {{kRepoMtime, 0}, {kRepoMtime, 0}};
  for (int i = 0; i < FuseTree::kRepoFiles; ++i) {
    char sub[16], name[32];
    std::snprintf(sub, sizeof(sub), "/d%02d", i % 100);
    std::snprintf(name, sizeof(name), "/f%05d.txt", i);
    if (i < 100) MakeDir(repo + sub);
    const std::string path = repo + sub + name;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) Fail("open", path);
    const std::string text = "file " + std::to_string(i) + "\n";
    WriteAll(fd, text.data(), text.size(), path);
    if (::futimens(fd, times) != 0) Fail("futimens", path);
    if (::close(fd) != 0) Fail("close", path);
  }
  Git({"add", "-A"}, repo);
  Git({"commit", "-q", "-m", "files"}, repo);
}

}  // namespace

void MakeFuseTree(const std::string& root) {
  MakeDir(root);
  MakeBigFile(root + "/" + FuseTree::kBigFile);
  MakeDir(root + "/" + FuseTree::kFilesDir);
  MakeRepo(root + "/" + FuseTree::kRepoDir);
  MakeSearchFiles(root);
}

void ResetFuseTree(const std::string& root) {
  const std::string write_file = root + "/" + FuseTree::kWriteFile;
  if (::unlink(write_file.c_str()) != 0 && errno != ENOENT) Fail("unlink", write_file);
  const std::string files = root + "/" + FuseTree::kFilesDir;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(files, ec)) {
    std::filesystem::remove_all(entry.path(), ec);
    if (ec) throw BenchError("cannot remove " + entry.path().string() + ": " + ec.message());
  }
  if (ec) throw BenchError("cannot list " + files + ": " + ec.message());
  // Other file systems do without the flag (ENOTTY, EOPNOTSUPP, EINVAL).
  int fd = ::open(files.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) Fail("open", files);
  int flags = 0;
  if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_TOPDIR_FL) == 0) {
    flags |= FS_TOPDIR_FL;
    ::ioctl(fd, FS_IOC_SETFLAGS, &flags);
  }
  ::close(fd);
}

}  // namespace weft::bench
