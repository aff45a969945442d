// Parsers for git's machine-readable output: `status --porcelain=v2 -z`,
// `--raw --numstat -z`, `blame --porcelain`, and the \x1f/\0-separated
// formats the ops ask log, for-each-ref and stash list for. Pure functions
// over bytes; paths and text stay as git printed them (not yet UTF-8 checked).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::venoms::git {

// `text` split at every `sep`; a trailing separator adds no empty field.
std::vector<std::string_view> Split(std::string_view text, char sep);

// ---------------------------------------------------------------------------
// git status --porcelain=v2 --branch -z

struct StatusBranch {
  std::optional<std::string> head;      // nullopt when HEAD is detached
  std::optional<std::string> oid;       // nullopt before the first commit
  std::optional<std::string> upstream;  // nullopt when none is set
  std::optional<int64_t> ahead, behind;  // set when the upstream exists
};

struct StatusEntry {
  enum class Kind { kChanged, kRenamed, kCopied, kUnmerged, kUntracked, kIgnored };
  Kind kind = Kind::kChanged;
  char index = '.';     // X: the staged state ('.' unchanged)
  char worktree = '.';  // Y: the work tree's state
  std::string path;
  std::string orig_path;  // renamed/copied: where it came from
  bool submodule = false;
};

struct StatusReport {
  StatusBranch branch;
  std::vector<StatusEntry> entries;
};

StatusReport ParseStatusV2(std::string_view z);
// "changed", "renamed", "copied", "unmerged", "untracked", "ignored".
const char* StatusKindName(StatusEntry::Kind kind);

// ---------------------------------------------------------------------------
// git diff/show --raw --numstat -z

struct FileChange {
  std::string path;
  std::string old_path;  // renames and copies
  char status = 'M';     // A, M, D, R, C, T, U, X
  int64_t additions = 0;
  int64_t deletions = 0;
  bool binary = false;
};

std::vector<FileChange> ParseRawNumstat(std::string_view z);

// ---------------------------------------------------------------------------
// git blame --porcelain

struct BlameCommit {
  std::string author;
  std::string email;
  int64_t time = 0;  // seconds since the epoch
  std::string summary;
};

struct BlameLine {
  int64_t line = 0;  // in the final file, 1-based
  std::string commit;
  std::string text;
};

struct BlameReport {
  std::vector<BlameLine> lines;
  std::map<std::string, BlameCommit> commits;
};

BlameReport ParseBlamePorcelain(std::string_view text);

// ---------------------------------------------------------------------------
// "ahead 2, behind 1" (for-each-ref's upstream:track,nobracket).

void ParseTrack(std::string_view track, std::optional<int64_t>* ahead, std::optional<int64_t>* behind);

// "2026-01-02T03:04:05Z" from seconds since the epoch (UTC).
std::string IsoTime(int64_t seconds);

}  // namespace weft::venoms::git
