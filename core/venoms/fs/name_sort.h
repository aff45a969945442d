// Sorting a directory's entries by name, for listings of thousands of them.
// Entries come from readdir in hash order, where a comparison sort
// mispredicts every other branch: these sort small fixed-size keys (each
// name's first 16 bytes, big-endian) by radix, and compare whole names only
// where those tie. Both give the order std::sort by name gives (byte order,
// std::string's operator<), for at most 2^32 - 1 entries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/venoms/fs/fs_common.h"

namespace weft::venoms::fs {

// Sorts `entries` by name, moving each entry once, in place.
void SortByName(std::vector<NsEntry>* entries);

// Host entries collected as a directory is read, handed back sorted by
// name: names go to one buffer while they are hot, and each entry is built
// once, in its final place. Cheaper than building the entries, then sorting
// them. Its buffers are kept from one Take to the next, up to
// kKeepEntries' worth, so that a reader reusing it does not fault in fresh
// pages for them every time. Not thread-safe.
class SortedEntries {
 public:
  static constexpr size_t kKeepEntries = 16384;

  // Starts a collection with room for about `entries` entries, dropping
  // what an unfinished one (a read that failed) left.
  void Start(size_t entries);
  // An entry (bind = nullptr, implied = false).
  void Add(std::string_view name, EntryType type);
  // The entries added since Start, by name; ends the collection.
  std::vector<NsEntry> Take();

  // A name's sort key and where the name is (internal; public for the
  // sorting functions in the .cc file).
  struct Key {
    uint64_t hi = 0, lo = 0;  // the name's first 16 bytes, big-endian, zero-padded
    uint32_t at = 0;          // the name's offset in names_, or its entry's index
    uint16_t size = 0;        // the name's length (readdir's are at most NAME_MAX)
    uint8_t type = 0;         // its EntryType
  };

 private:
  std::string names_;  // the names back to back
  std::vector<Key> keys_;
  std::vector<Key> scratch_;  // the radix sort's second buffer
};

}  // namespace weft::venoms::fs
