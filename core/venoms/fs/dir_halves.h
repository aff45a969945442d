// Reading a large directory in two halves at once. On ext4 (and ext2/3),
// getdents64 positions are ordered the way entries come: a large ext4
// directory (dir_index) hands its entries out by the hash of their names,
// and its positions are those hashes, spread evenly over [0, 2^63). Two
// readers, one from the start up to the middle position and one from the
// middle on, then split the kernel's work (most of a large listing's
// first page) between two CPUs.
//
// Which reader takes the upper half is settled by a claim: the helper
// claims it when it starts; the caller, when it reaches the middle or the
// end first. Whoever claims it reads it, so every entry is read exactly
// once whenever, or whether, the helper runs, and a file system whose
// positions never reach the middle (a linear directory: byte offsets) is
// read whole by the caller.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/result.h"
#include "core/venoms/fs/fs_common.h"
#include "core/venoms/fs/name_sort.h"

namespace weft::venoms::fs {

// The entries of the directory open (O_RDONLY) at `dir_fd`, sorted by
// name: every entry but "." and "..", and those whose name starts with '.'
// only with `hidden`. `collect`, started by the caller, is the collection
// they go through (kept by the caller, so that its sort buffer is reused).
// A large ext2/3/4 directory is read, and sorted, in two halves at once when
// the process's helper thread is free and can run on another CPU than the
// caller's (DirHalves); any other is read as VisitDirFd reads. Fails with
// kResourceExhausted past `max_entries`.
Result<SortedNames> SortedDirFd(int dir_fd, std::string_view shown, bool hidden, SortedEntries* collect,
                                size_t max_entries = 2'000'000);

// One directory read in two halves: ReadUpper on a helper thread, ReadLower
// on the caller's; then Take. Both may run at once, in any order, or
// ReadUpper not at all. Thread-safe as that says; not copyable.
class DirHalves {
 public:
  // The middle position: half of ext4's 64-bit hash positions.
  static constexpr uint64_t kMiddle = uint64_t{1} << 62;

  DirHalves(int dir_fd, std::string_view shown, bool hidden, size_t max_entries);
  DirHalves(const DirHalves&) = delete;
  DirHalves& operator=(const DirHalves&) = delete;

  // The upper half, into `*out` (started afresh) and sorted there, through
  // a descriptor of its own: false, with nothing read, when the lower reader
  // has claimed it, the directory cannot be read from the middle, or has
  // nothing there, or gives positions before it there. Claims the upper
  // half with its first entry. Stops early after Cancel. On the helper
  // thread.
  bool ReadUpper(SortedEntries* out);
  // The lower half into `*out`, and the upper one too when ReadUpper has
  // not claimed it by the time the lower reader gets there.
  Status ReadLower(SortedEntries* out);
  // After ReadLower, and ReadUpper has returned or will never run: the
  // entries of both, sorted (`upper` is ReadUpper's `out`, merged in if it
  // read the upper half); ReadUpper's failure, if it failed.
  Result<SortedNames> Take(const SortedEntries& upper, SortedEntries* lower);
  // Tells a running ReadUpper to stop (the lower read failed).
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  // ReadUpper met a position before the middle after it had claimed the
  // upper half: the file system's positions are not ordered, and the
  // halves are not to be trusted (Take fails; read the directory whole).
  bool misordered() const { return misordered_.load(); }

 private:
  enum Claim : int { kOpen, kUpperByHelper, kUpperByCaller };

  const int dir_fd_;
  const std::string_view shown_;
  const bool hidden_;
  const size_t max_entries_;
  std::atomic<int> claim_{kOpen};
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> misordered_{false};
  size_t lower_count_ = 0;  // entries the caller read
  size_t upper_count_ = 0;  // entries ReadUpper read; read by Take after it returned, as is
  Status upper_status_;     // its outcome
};

}  // namespace weft::venoms::fs
