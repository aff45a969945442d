// Generation of weft_fs_bench's file tree; see fs_tree.h.
#include "bench/fs_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "bench/bench_util.h"

namespace weft::bench {
namespace {

// Written last, so a tree cut short by a failure is never taken as complete.
// Change it whenever the layout changes.
constexpr char kStampName[] = ".weft-bench-tree";
constexpr char kStamp[] = "weft_fs_bench tree v2\n";

[[noreturn]] void Fail(const std::string& what, const std::string& path) {
  throw BenchError(what + " " + path + ": " + std::strerror(errno));
}

void MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) Fail("mkdir", path);
}

void WriteFile(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Fail("open", path);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::write(fd, data.data() + off, data.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      Fail("write", path);
    }
    off += static_cast<size_t>(w);
  }
  if (::close(fd) != 0) Fail("close", path);
}

std::string ReadSmallFile(const std::string& path) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0 && out.size() < 4096) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

// True when `path` is missing or an empty directory.
bool MissingOrEmpty(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return true;
    Fail("opendir", path);
  }
  bool empty = true;
  while (struct dirent* e = ::readdir(dir)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(dir);
  return empty;
}

// `n` in decimal, zero-padded to `width` digits.
std::string Padded(size_t n, size_t width) {
  std::string digits = std::to_string(n);
  return std::string(width - std::min(width, digits.size()), '0') + digits;
}

// splitmix64: a fixed sequence for a given seed on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// Words that never combine into kSearchPattern (none contains "zephyr" or "quill").
constexpr const char* kWords[] = {
    "alpha",   "buffer",  "cache",    "delta",  "engine", "factor",  "gamma",   "handle",
    "index",   "join",    "kernel",   "length", "method", "node",    "offset",  "parse",
    "query",   "range",   "signal",   "token",  "update", "vector",  "window",  "yield",
    "absent",  "branch",  "commit",   "driver", "event",  "filter",  "global",  "header",
    "import",  "journal", "key",      "layer",  "module", "network", "object",  "packet",
    "quota",   "record",  "socket",   "thread", "unit",   "value",   "worker",  "zone",
    "adapter", "binding", "callback", "decode", "encode", "format",  "generic", "helper",
    "inline",  "lambda",  "mutex",    "notify", "option", "pointer", "result",  "struct",
};
constexpr size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

// Lines of 8 to 12 words until `bytes` is reached exactly (the last line is
// cut short and still ends in a newline). Line `marker_line`, if not
// SIZE_MAX, carries `marker` as its third word.
std::string TextOfWords(Rng& rng, size_t bytes, size_t marker_line, std::string_view marker) {
  std::string out;
  out.reserve(bytes + 128);
  for (size_t line = 0; out.size() < bytes; ++line) {
    size_t words = 8 + rng.Next() % 5;
    for (size_t w = 0; w < words; ++w) {
      if (w > 0) out += ' ';
      if (line == marker_line && w == 2) {
        out += marker;
      } else {
        out += kWords[rng.Next() % kWordCount];
      }
    }
    out += '\n';
  }
  out.resize(bytes);
  out.back() = '\n';
  return out;
}

void MakeReadFile(const std::string& root) {
  MakeDir(root + "/read");
  Rng rng(1);
  std::string head = std::string(FsTree::kReadBegin) + "\n";
  std::string tail = std::string(FsTree::kReadEnd) + "\n";
  std::string body = TextOfWords(rng, FsTree::kReadFileBytes - head.size() - tail.size(), SIZE_MAX, "");
  WriteFile(root + "/" + FsTree::kReadFile, head + body + tail);
}

void MakeListDir(const std::string& root) {
  const std::string dir = root + "/" + FsTree::kListDir;
  MakeDir(dir);
  for (size_t i = 0; i < FsTree::kListEntries; ++i) {
    if (i % 100 == 99) {
      MakeDir(dir + "/dir-" + Padded(i, 5));
    } else {
      WriteFile(dir + "/entry-" + Padded(i, 5) + ".txt", "");
    }
  }
}

void MakeGlobTree(const std::string& root) {
  static constexpr const char* kExts[] = {".c", ".h", ".txt", ".md"};
  const std::string top = root + "/" + FsTree::kGlobDir;
  MakeDir(top);
  size_t n = 0;
  for (size_t d = 0; d < 20; ++d) {
    const std::string dir = top + "/d" + Padded(d, 2);
    MakeDir(dir);
    for (size_t s = 0; s < 20; ++s) {
      const std::string sub = dir + "/s" + Padded(s, 2);
      MakeDir(sub);
      for (size_t f = 0; f < 50; ++f, ++n) {
        WriteFile(sub + "/f" + Padded(n, 5) + kExts[n % 4], "// file " + std::to_string(n) + "\n");
      }
    }
  }
}

void MakeSearchTree(const std::string& root) {
  const std::string top = root + "/" + FsTree::kSearchDir;
  MakeDir(top);
  const size_t per_dir = FsTree::kSearchFiles / 20;
  for (size_t i = 0; i < FsTree::kSearchFiles; ++i) {
    const std::string dir = top + "/s" + Padded(i / per_dir, 2);
    if (i % per_dir == 0) MakeDir(dir);
    Rng rng(1000 + i);
    // Every file has over 500 lines, so the marker always survives the cut.
    size_t marker_line = i % 4 == 0 ? (i * 7919) % 500 : SIZE_MAX;
    WriteFile(dir + "/file-" + Padded(i, 4) + ".txt",
              TextOfWords(rng, FsTree::kSearchFileBytes, marker_line, FsTree::kSearchPattern));
  }
}

}  // namespace

void EnsureFsTree(const std::string& root) {
  const std::string stamp = root + "/" + kStampName;
  if (ReadSmallFile(stamp) == kStamp) return;
  if (!MissingOrEmpty(root)) {
    throw BenchError("tree directory " + root +
                     " is neither empty nor a complete weft_fs_bench tree; give an empty or new directory");
  }
  MakeDir(root);
  MakeReadFile(root);
  MakeListDir(root);
  MakeGlobTree(root);
  MakeSearchTree(root);
  WriteFile(stamp, kStamp);
  // Write the new 100 MB back now, not while the servers are being timed.
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::syncfs(fd) != 0) Fail("syncfs", root);
  ::close(fd);
}

void MakeSearchFiles(const std::string& root) { MakeSearchTree(root); }

}  // namespace weft::bench
