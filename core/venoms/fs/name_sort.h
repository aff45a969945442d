// Sorting a directory's entries by name, for listings of thousands of them.
// Entries come from readdir in hash order, where a comparison sort
// mispredicts every other branch: these sort small fixed-size keys (each
// name's first 16 bytes, big-endian) by radix, and compare whole names only
// where those tie. Both give the order std::sort by name gives (byte order,
// std::string's operator<), for at most 2^32 - 1 entries.
#pragma once

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/venoms/fs/fs_common.h"

namespace weft::venoms::fs {

// Sorts `entries` by name, moving each entry once, in place.
void SortByName(std::vector<NsEntry>* entries);

// A name's sort key and where the name is (internal to the sorting; in
// this header for SortedNames and SortedEntries).
struct NameKey {
  uint64_t hi = 0, lo = 0;  // the name's first 16 bytes, big-endian, zero-padded
  uint32_t at = 0;          // the name's offset in its names buffer, or its entry's index
  uint16_t size = 0;        // the name's length (readdir's are at most NAME_MAX)
  uint8_t type = 0;         // its EntryType
};

// The key of `name`: its first 16 bytes, big-endian, zero-padded; `at`
// and `size` say where the name is found again (`size` 0: `at` is an
// index).
inline NameKey MakeNameKey(std::string_view name, uint32_t at, uint16_t size, EntryType type) {
  auto word = [name](size_t from) {
    uint64_t w = 0;
    if (from < name.size()) std::memcpy(&w, name.data() + from, std::min<size_t>(8, name.size() - from));
    if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
    return w;
  };
  return NameKey{word(0), word(8), at, size, static_cast<uint8_t>(type)};
}

// What SortedNames holds past every name: so many bytes are readable from
// name(i).data(), for code that copies short names as fixed-size blocks.
inline constexpr size_t kNamePadding = 16;

// Entries sorted by name, as SortedEntries hands them over: the names in
// one buffer, each followed by a NUL (so that name(i).data() serves *at()
// calls) and the last by kNamePadding NULs, and a key per entry, in name
// order, saying where its name is and its type. About half the memory of
// NsEntry values and no string built per entry. Immutable once made; cheap
// to move.
class SortedNames {
 public:
  size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }
  std::string_view name(size_t i) const { return std::string_view(names_).substr(keys_[i].at, keys_[i].size); }
  EntryType type(size_t i) const { return static_cast<EntryType>(keys_[i].type); }
  // The index of the first entry whose name is not less than `name`
  // (size() when there is none).
  size_t LowerBound(std::string_view name) const;
  // The entries as NsEntry values (no bind, not implied), in name order.
  std::vector<NsEntry> ToEntries() const;

 private:
  friend class SortedEntries;
  std::string names_;
  std::vector<NameKey> keys_;
};

// Entries collected as a directory is read (or paths as a tree is walked),
// handed back sorted by name: names go to one buffer while they are hot,
// with a small key each, and the keys are sorted. Not thread-safe.
class SortedEntries {
 public:
  // Starts a collection with room for about `entries` entries, dropping
  // what an unfinished one (a read that failed) left; in the buffers of
  // `recycled` (entries no one reads any more) when it has them.
  void Start(size_t entries, SortedNames recycled = SortedNames());
  // An entry (bind = nullptr, implied = false). Inline: a listing adds
  // every entry of a directory.
  void Add(std::string_view name, EntryType type) {
    assert(name.size() <= UINT16_MAX && names_.size() + name.size() < UINT32_MAX && keys_.size() < UINT32_MAX);
    keys_.push_back(
        MakeNameKey(name, static_cast<uint32_t>(names_.size()), static_cast<uint16_t>(name.size()), type));
    names_.append(name.data(), name.size());
    names_.push_back('\0');
  }
  // Every entry `other` holds, as if added here.
  void AddAll(const SortedEntries& other);
  // The entries added since Start.
  size_t size() const { return keys_.size(); }
  // The entries added since Start, by name; ends the collection. The
  // buffers go with them (a cached listing keeps them), so the next Start
  // allocates its own.
  SortedNames Take();
  // Sorts the entries added so far, for another collection's TakeMerged
  // (add nothing after it).
  void Sort();
  // Take, with the entries of `sorted` (Sort()ed) merged in: two halves of
  // a directory, each sorted on a thread of its own.
  SortedNames TakeMerged(const SortedEntries& sorted);

 private:
  // Hands the names and `keys` (in name order) over; drops the rest.
  SortedNames HandOver(std::vector<NameKey> keys);

  std::string names_;  // the names, each followed by a NUL
  std::vector<NameKey> keys_;
  std::vector<NameKey> scratch_;  // the radix sort's second buffer
};

}  // namespace weft::venoms::fs
