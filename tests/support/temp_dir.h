// ScopedTempDir: a fresh directory under $TMPDIR, removed with its contents on destruction.
#pragma once

#include <string>

namespace weft::testing {

class ScopedTempDir {
 public:
  ScopedTempDir();
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + rel
  std::string Join(const std::string& rel) const { return path_ + "/" + rel; }
  // Writes `content` to path()/rel, creating parent directories.
  void WriteFile(const std::string& rel, const std::string& content) const;

 private:
  std::string path_;
};

// Reads a whole file; aborts the test process on failure (test helper).
std::string ReadFileOrDie(const std::string& path);

// The source and build trees: compiled in, overridden by WEFT_SOURCE_DIR /
// WEFT_BINARY_DIR when set.
std::string SourceDir();
std::string BinaryDir();

}  // namespace weft::testing
