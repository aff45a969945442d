// The trees weft_fuse_bench measures: one on the host file system, measured
// directly, and an identical one served through the mount. What lies where.
#pragma once

#include <cstddef>
#include <string>

namespace weft::bench {

// Paths are relative to a tree's root.
struct FuseTree {
  // One file of kBigBytes (pseudo-random bytes) for the sequential read.
  static constexpr char kBigFile[] = "big.bin";
  static constexpr size_t kMiB = size_t{1} << 20;
  static constexpr size_t kBigBytes = 1024 * kMiB;
  // Written by the sequential-write case and removed after each run.
  static constexpr char kWriteFile[] = "write.bin";
  // A directory for creating, stating and unlinking kSmallFiles files, in a
  // new subdirectory per round. It carries ext4's top-directory flag
  // (chattr +T), so the allocator spreads those subdirectories, and the
  // inodes made in them, over groups: ext4 without a journal walks past
  // every inode freed in the last minute (six, while the inode table is
  // dirty) on each allocation, which after a round of unlinks in the same
  // group costs either side hundreds of microseconds per create.
  static constexpr char kFilesDir[] = "files";
  static constexpr int kSmallFiles = 10'000;
  // A git repository of kRepoFiles committed files (100 directories of 100),
  // every file's mtime a fixed past time, so that none is racily clean.
  static constexpr char kRepoDir[] = "repo";
  static constexpr int kRepoFiles = 10'000;
  // fs_tree.h's search corpus: 2,000 text files, 100,000,000 bytes.
  static constexpr char kSearchDir[] = "search";
};

// Makes the tree under `root` (created if missing). Throws BenchError.
void MakeFuseTree(const std::string& root);

// Readies a tree for a run: removes what an interrupted run may have left
// (kWriteFile, anything in kFilesDir) and marks kFilesDir as a top
// directory where the file system knows the flag. Throws BenchError.
void ResetFuseTree(const std::string& root);

}  // namespace weft::bench
