// SortByName and SortedEntries: the order std::sort by name gives, on names
// that share long prefixes, are prefixes of each other, or hold bytes past
// 0x7F, at sizes on both sides of where the radix sort takes over.
#include "core/venoms/fs/name_sort.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace weft::venoms::fs {
namespace {

std::vector<std::string> RandomNames(size_t n, uint32_t seed) {
  static const std::vector<std::string> kPrefixes = {
      "", "entry-", "a", "ab", "abc", "dir-0000", "a very long common prefix of a name, past 16 bytes",
      "\xc3\xa9t\xc3\xa9", "\xff", "Z", "0123456789abcdef", "0123456789abcde"};
  std::mt19937 rng(seed);
  std::vector<std::string> names;
  for (size_t i = 0; i < n; ++i) {
    std::string name = kPrefixes[rng() % kPrefixes.size()];
    size_t tail = rng() % 6;
    for (size_t k = 0; k < tail; ++k) name += "09az.~\x80\xfe"[rng() % 8];
    if (name.empty()) name = "x";
    names.push_back(std::move(name));
  }
  return names;
}

std::vector<std::string> Sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

TEST(SortByName, GivesByteOrderAtEverySize) {
  for (size_t n : {0, 1, 2, 31, 32, 33, 100, 1000, 20000}) {
    std::vector<std::string> names = RandomNames(n, static_cast<uint32_t>(n));
    std::vector<NsEntry> entries;
    for (size_t i = 0; i < names.size(); ++i) {
      entries.push_back(NsEntry{names[i], i % 2 ? EntryType::kDir : EntryType::kFile, nullptr, i % 3 == 0});
    }
    SortByName(&entries);
    std::vector<std::string> got;
    for (const NsEntry& e : entries) got.push_back(e.name);
    ASSERT_EQ(got, Sorted(names)) << n << " names";
  }
}

TEST(SortByName, KeepsEachEntrysOtherFields) {
  std::vector<NsEntry> entries;
  for (int i = 0; i < 500; ++i) {
    std::string name = "n" + std::to_string((i * 7919) % 500);
    entries.push_back(NsEntry{name, i % 2 ? EntryType::kDir : EntryType::kSymlink, nullptr, i % 5 == 0});
  }
  std::vector<NsEntry> expected = entries;
  std::sort(expected.begin(), expected.end(), [](const NsEntry& a, const NsEntry& b) { return a.name < b.name; });
  SortByName(&entries);
  ASSERT_EQ(entries.size(), expected.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].name, expected[i].name);
    EXPECT_EQ(entries[i].type, expected[i].type) << entries[i].name;
    EXPECT_EQ(entries[i].implied, expected[i].implied) << entries[i].name;
  }
}

TEST(SortedEntries, TakesTheAddedEntriesByName) {
  SortedEntries sorted;
  for (size_t n : {0, 5, 40, 5000, 30000, 7}) {  // 30000 is past what it keeps between uses
    std::vector<std::string> names = RandomNames(n, static_cast<uint32_t>(n) + 1);
    sorted.Start(n / 2);
    for (size_t i = 0; i < names.size(); ++i) sorted.Add(names[i], i % 2 ? EntryType::kOther : EntryType::kFile);
    SortedNames taken = sorted.Take();
    std::vector<std::string> got;
    for (size_t i = 0; i < taken.size(); ++i) {
      got.push_back(std::string(taken.name(i)));
      EXPECT_EQ(taken.name(i).data()[taken.name(i).size()], '\0') << "no NUL after " << taken.name(i);
    }
    ASSERT_EQ(got, Sorted(names)) << n << " names";
    for (const NsEntry& e : taken.ToEntries()) {
      EXPECT_EQ(e.bind, nullptr);
      EXPECT_FALSE(e.implied);
    }
  }
}

TEST(SortedEntries, MergesAnotherSortedCollectionIn) {
  for (auto [mine, theirs] : {std::pair<size_t, size_t>{0, 0}, {0, 9}, {9, 0}, {1, 1}, {40, 3}, {5000, 5000}, {2, 3000}}) {
    std::vector<std::string> a = RandomNames(mine, static_cast<uint32_t>(mine) + 7);
    std::vector<std::string> b = RandomNames(theirs, static_cast<uint32_t>(theirs) + 11);
    SortedEntries lower, upper;
    lower.Start(0);
    upper.Start(0);
    for (const std::string& n : a) lower.Add(n, EntryType::kFile);
    for (const std::string& n : b) upper.Add(n, EntryType::kDir);
    upper.Sort();
    SortedNames taken = lower.TakeMerged(upper);
    std::vector<std::string> got, want = a;
    want.insert(want.end(), b.begin(), b.end());
    for (size_t i = 0; i < taken.size(); ++i) {
      got.push_back(std::string(taken.name(i)));
      EXPECT_EQ(taken.name(i).data()[taken.name(i).size()], '\0') << "no NUL after " << taken.name(i);
      // A name in both halves has both types; one only in `upper` is a dir.
      if (std::find(a.begin(), a.end(), got.back()) == a.end()) {
        EXPECT_EQ(taken.type(i), EntryType::kDir);
      }
    }
    ASSERT_EQ(got, Sorted(want)) << mine << " + " << theirs << " names";
    EXPECT_EQ(upper.size(), b.size()) << "the merged-in collection is left as it was";
  }
}

TEST(SortedEntries, KeepsEachEntrysType) {
  SortedEntries sorted;
  sorted.Start(3);
  sorted.Add("c", EntryType::kSymlink);
  sorted.Add("a", EntryType::kDir);
  sorted.Add("b", EntryType::kOther);
  std::vector<NsEntry> entries = sorted.Take().ToEntries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].type, EntryType::kDir);
  EXPECT_EQ(entries[1].type, EntryType::kOther);
  EXPECT_EQ(entries[2].type, EntryType::kSymlink);
}

TEST(SortedEntries, StartDropsWhatAnUnfinishedCollectionLeft) {
  SortedEntries sorted;
  sorted.Start(2);
  sorted.Add("left over", EntryType::kFile);
  sorted.Start(2);
  sorted.Add("b", EntryType::kFile);
  sorted.Add("a", EntryType::kFile);
  std::vector<NsEntry> entries = sorted.Take().ToEntries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "a");
  EXPECT_EQ(entries[1].name, "b");
  EXPECT_TRUE(sorted.Take().empty());
}

TEST(SortedNames, FindsWhereANameGoes) {
  SortedEntries sorted;
  std::vector<std::string> names = RandomNames(3000, 7);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  sorted.Start(names.size());
  for (const std::string& n : names) sorted.Add(n, EntryType::kFile);
  SortedNames taken = sorted.Take();
  ASSERT_EQ(taken.size(), names.size());
  for (const std::string& probe : {std::string(), std::string("a"), std::string("abc~"), std::string("\xff\xff"),
                                   names[0], names[names.size() / 2], names.back(), names.back() + "x"}) {
    size_t want = static_cast<size_t>(std::lower_bound(names.begin(), names.end(), probe) - names.begin());
    EXPECT_EQ(taken.LowerBound(probe), want) << probe;
  }
}

}  // namespace
}  // namespace weft::venoms::fs
