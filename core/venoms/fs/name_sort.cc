// SortByName and SortedEntries: a most-significant-byte-first radix sort of
// name keys.
#include "core/venoms/fs/name_sort.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <utility>

namespace weft::venoms::fs {
namespace {

using Key = NameKey;

constexpr int kKeyBytes = 16;
// Buckets smaller than this are sorted by comparison.
constexpr size_t kRadixMin = 32;
// SortedEntries keeps its scratch buffer between collections up to this
// many keys, so that a reader reusing it does not fault in fresh pages.
constexpr size_t kKeepScratch = 16384;

// Byte `at` (0 to 15) of a key.
unsigned Digit(const Key& k, int at) {
  uint64_t w = at < 8 ? k.hi : k.lo;
  return static_cast<unsigned>(w >> (56 - 8 * (at & 7))) & 0xff;
}

// The first key byte that differs, given the OR of keys XORed with one of
// them (kKeyBytes when none does).
int FirstDifference(uint64_t hi, uint64_t lo) {
  if (hi != 0) return std::countl_zero(hi) / 8;
  if (lo != 0) return 8 + std::countl_zero(lo) / 8;
  return kKeyBytes;
}

// Whether the name of `a` sorts before that of `b`; `name_of(key)` gives
// a key's name.
template <typename NameOf>
bool KeyLess(const Key& a, const Key& b, const NameOf& name_of) {
  if (a.hi != b.hi) return a.hi < b.hi;
  if (a.lo != b.lo) return a.lo < b.lo;
  // The same first 16 bytes: the rest decides.
  std::string_view x = name_of(a), y = name_of(b);
  return x.substr(std::min<size_t>(kKeyBytes, x.size())) < y.substr(std::min<size_t>(kKeyBytes, y.size()));
}

// Sorts keys by the names `name_of(key)` returns.
template <typename NameOf>
class KeySorter {
 public:
  explicit KeySorter(NameOf name_of) : name_of_(name_of) {}

  // Sorts keys[0, n); `scratch` has room for n keys.
  void Sort(Key* keys, Key* scratch, size_t n) const {
    SortFrom(keys, scratch, n, FirstDiffering(keys, n), /*in_place=*/true);
  }

 private:
  // The first key byte where keys[0, n) do not all agree (kKeyBytes when
  // they do).
  static int FirstDiffering(const Key* keys, size_t n) {
    uint64_t hi = 0, lo = 0;
    for (size_t i = 1; i < n; ++i) {
      hi |= keys[i].hi ^ keys[0].hi;
      lo |= keys[i].lo ^ keys[0].lo;
    }
    return FirstDifference(hi, lo);
  }

  bool Less(const Key& a, const Key& b) const { return KeyLess(a, b, name_of_); }

  // Sorts the n keys at `from`, which agree on their bytes before `at` and
  // not on byte `at` (or on all of them: kKeyBytes), leaving them in `from`
  // when `in_place`, else in `to`; the other buffer serves as scratch. A
  // level scatters its keys from one buffer into the other and sorts each
  // bucket there, so no level copies its keys back.
  void SortFrom(Key* from, Key* to, size_t n, int at, bool in_place) const {
    if (n < kRadixMin || at == kKeyBytes) {
      std::sort(from, from + n, [this](const Key& a, const Key& b) { return Less(a, b); });
      if (!in_place) std::copy(from, from + n, to);
      return;
    }
    uint32_t count[256] = {};
    for (size_t i = 0; i < n; ++i) ++count[Digit(from[i], at)];
    uint32_t next[256];
    uint32_t sum = 0;
    for (int d = 0; d < 256; ++d) {
      next[d] = sum;
      sum += count[d];
    }
    for (size_t i = 0; i < n; ++i) to[next[Digit(from[i], at)]++] = from[i];
    size_t begin = 0;
    for (int d = 0; d < 256; ++d) {
      const size_t size = count[d];
      if (size == 0) continue;
      if (size == 1) {
        if (in_place) from[begin] = to[begin];
      } else {
        SortFrom(to + begin, from + begin, size, FirstDiffering(to + begin, size), !in_place);
      }
      begin += size;
    }
  }

  NameOf name_of_;
};

template <typename NameOf>
void SortKeys(std::vector<Key>* keys, std::vector<Key>* scratch, NameOf name_of) {
  scratch->resize(keys->size());
  KeySorter<NameOf>(name_of).Sort(keys->data(), scratch->data(), keys->size());
}

}  // namespace

void SortByName(std::vector<NsEntry>* entries) {
  std::vector<NsEntry>& e = *entries;
  const size_t n = e.size();
  assert(n < UINT32_MAX);
  if (n < kRadixMin) {
    std::sort(e.begin(), e.end(), [](const NsEntry& a, const NsEntry& b) { return a.name < b.name; });
    return;
  }
  std::vector<Key> keys;
  keys.reserve(n);
  for (size_t i = 0; i < n; ++i) keys.push_back(MakeNameKey(e[i].name, static_cast<uint32_t>(i), 0, e[i].type));
  std::vector<Key> scratch;
  SortKeys(&keys, &scratch, [&e](const Key& k) { return std::string_view(e[k.at].name); });
  // The entry at keys[k].at goes to k: follow each cycle of that
  // permutation, moving every entry once. A placed position's `at` is set
  // to itself.
  for (size_t k = 0; k < n; ++k) {
    if (keys[k].at == k) continue;
    NsEntry held = std::move(e[k]);
    size_t to = k;
    for (;;) {
      size_t from = keys[to].at;
      keys[to].at = static_cast<uint32_t>(to);
      if (from == k) {
        e[to] = std::move(held);
        break;
      }
      e[to] = std::move(e[from]);
      to = from;
    }
  }
}

size_t SortedNames::LowerBound(std::string_view name) const {
  size_t first = 0, count = keys_.size();
  while (count > 0) {
    size_t half = count / 2;
    if (this->name(first + half) < name) {
      first += half + 1;
      count -= half + 1;
    } else {
      count = half;
    }
  }
  return first;
}

std::vector<NsEntry> SortedNames::ToEntries() const {
  std::vector<NsEntry> out;
  out.reserve(keys_.size());
  for (size_t i = 0; i < keys_.size(); ++i) out.push_back(NsEntry{std::string(name(i)), type(i), nullptr, false});
  return out;
}

void SortedEntries::Start(size_t entries, SortedNames recycled) {
  if (recycled.names_.capacity() > names_.capacity()) names_ = std::move(recycled.names_);
  if (recycled.keys_.capacity() > keys_.capacity()) keys_ = std::move(recycled.keys_);
  names_.clear();
  keys_.clear();
  keys_.reserve(entries);
  names_.reserve(entries * 16);
}

void SortedEntries::AddAll(const SortedEntries& other) {
  for (const Key& k : other.keys_) {
    Add(std::string_view(other.names_).substr(k.at, k.size), static_cast<EntryType>(k.type));
  }
}

SortedNames SortedEntries::Take() {
  Sort();
  return HandOver(std::move(keys_));
}

void SortedEntries::Sort() {
  SortKeys(&keys_, &scratch_, [this](const Key& k) { return std::string_view(names_).substr(k.at, k.size); });
}

SortedNames SortedEntries::TakeMerged(const SortedEntries& sorted) {
  Sort();
  const size_t base = names_.size();
  assert(base + sorted.names_.size() < UINT32_MAX);
  names_.append(sorted.names_);
  auto name_of = [this](const Key& k) { return std::string_view(names_).substr(k.at, k.size); };
  auto moved = [base](Key k) {  // a key of `sorted`, for its name's place in names_
    k.at += static_cast<uint32_t>(base);
    return k;
  };
  // Merged into the sort's scratch buffer, which then goes with the names
  // while this collection's key buffer becomes the scratch: no fresh
  // allocation (and its page faults) on the way.
  scratch_.resize(keys_.size() + sorted.keys_.size());
  Key* to = scratch_.data();
  auto mine = keys_.begin();
  auto theirs = sorted.keys_.begin();
  while (mine != keys_.end() && theirs != sorted.keys_.end()) {
    Key other = moved(*theirs);
    if (KeyLess(other, *mine, name_of)) {
      *to++ = other;
      ++theirs;
    } else {
      *to++ = *mine++;
    }
  }
  to = std::copy(mine, keys_.end(), to);
  for (; theirs != sorted.keys_.end(); ++theirs) *to++ = moved(*theirs);
  return HandOver(std::exchange(scratch_, std::move(keys_)));
}

SortedNames SortedEntries::HandOver(std::vector<NameKey> keys) {
  SortedNames out;
  names_.append(kNamePadding, '\0');
  out.names_ = std::move(names_);
  out.keys_ = std::move(keys);
  names_ = std::string();
  keys_ = std::vector<Key>();
  if (scratch_.capacity() > kKeepScratch) {
    scratch_ = std::vector<Key>();
  } else {
    scratch_.clear();
  }
  return out;
}

}  // namespace weft::venoms::fs
