// The deterministic file tree weft_fs_bench serves to every server it
// measures: what lies where, and how many matches each query must find.
#pragma once

#include <cstddef>
#include <string>

namespace weft::bench {

// Paths are relative to the tree's root.
struct FsTree {
  // One text file of exactly 4 KiB; its first line holds kReadBegin and its
  // last kReadEnd, so a reply can be checked for the whole file.
  static constexpr char kReadFile[] = "read/file-4k.txt";
  static constexpr size_t kReadFileBytes = 4096;
  static constexpr char kReadBegin[] = "weft-bench-read-begin";
  static constexpr char kReadEnd[] = "weft-bench-read-end";

  // One directory of kListEntries entries: every 100th a directory, the
  // rest empty files.
  static constexpr char kListDir[] = "list";
  static constexpr size_t kListEntries = 10'000;

  // kGlobFiles small files in 20 directories of 20 subdirectories of 50
  // files each, their extensions cycling .c .h .txt .md: kGlobPattern
  // matches kGlobMatches of them.
  static constexpr char kGlobDir[] = "glob";
  static constexpr size_t kGlobFiles = 20'000;
  static constexpr char kGlobPattern[] = "**/*.c";
  static constexpr size_t kGlobMatches = 5'000;

  // kSearchFiles text files of kSearchFileBytes each (100 MB in all) in 20
  // directories: words drawn by a fixed-seed generator, and kSearchPattern
  // once in every fourth file, so it matches kSearchMatches lines: few
  // enough (about 35 KB of line text) for one search_code page.
  static constexpr char kSearchDir[] = "search";
  static constexpr size_t kSearchFiles = 2'000;
  static constexpr size_t kSearchFileBytes = 50'000;
  static constexpr char kSearchPattern[] = "zephyrquill";
  static constexpr size_t kSearchMatches = 500;
};

// Makes the tree under `root`, creating `root` if missing. A `root` that
// already holds a complete tree of this layout (from an earlier run) is kept
// as it is; any other non-empty `root` is refused. Throws BenchError.
void EnsureFsTree(const std::string& root);

// Writes only the kSearchDir part of that tree under `root` (which must
// exist): the same files, byte for byte, and no stamp. weft_fuse_bench
// searches it with rg. Throws BenchError.
void MakeSearchFiles(const std::string& root);

}  // namespace weft::bench
