// Parsing git's porcelain and -z outputs into plain structs.
#include "core/venoms/git/git_parse.h"

#include <time.h>

#include <charconv>

namespace weft::venoms::git {
namespace {

int64_t ToInt(std::string_view text) {
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// The part of `line` after its first `n` space-separated fields (the rest,
// spaces and all: a path in porcelain v2).
std::string_view AfterFields(std::string_view line, int n) {
  size_t pos = 0;
  for (int i = 0; i < n && pos != std::string_view::npos; ++i) {
    pos = line.find(' ', pos);
    if (pos != std::string_view::npos) ++pos;
  }
  return pos == std::string_view::npos ? std::string_view() : line.substr(pos);
}

void ParseBranchHeader(std::string_view line, StatusBranch* branch) {
  std::string_view rest = AfterFields(line, 2);
  if (line.starts_with("# branch.oid ")) {
    if (rest != "(initial)") branch->oid = std::string(rest);
  } else if (line.starts_with("# branch.head ")) {
    if (rest != "(detached)") branch->head = std::string(rest);
  } else if (line.starts_with("# branch.upstream ")) {
    branch->upstream = std::string(rest);
  } else if (line.starts_with("# branch.ab ")) {
    std::vector<std::string_view> ab = Split(rest, ' ');
    if (ab.size() == 2 && ab[0].size() > 1 && ab[1].size() > 1) {
      branch->ahead = ToInt(ab[0].substr(1));
      branch->behind = ToInt(ab[1].substr(1));
    }
  }
}

}  // namespace

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

StatusReport ParseStatusV2(std::string_view z) {
  StatusReport report;
  std::vector<std::string_view> records = Split(z, '\0');
  for (size_t i = 0; i < records.size(); ++i) {
    std::string_view r = records[i];
    if (r.size() < 2) continue;
    if (r[0] == '#') {
      ParseBranchHeader(r, &report.branch);
      continue;
    }
    StatusEntry e;
    if (r[0] == '?' || r[0] == '!') {
      e.kind = r[0] == '?' ? StatusEntry::Kind::kUntracked : StatusEntry::Kind::kIgnored;
      e.index = r[0];
      e.worktree = r[0];
      e.path = std::string(r.substr(2));
      report.entries.push_back(std::move(e));
      continue;
    }
    if (r.size() < 4) continue;
    e.index = r[2];
    e.worktree = r[3];
    std::string_view sub = AfterFields(r, 2);
    e.submodule = !sub.empty() && sub[0] == 'S';
    if (r[0] == '1') {
      e.path = std::string(AfterFields(r, 8));
    } else if (r[0] == '2') {
      std::string_view score = AfterFields(r, 8);
      e.kind = !score.empty() && score[0] == 'C' ? StatusEntry::Kind::kCopied : StatusEntry::Kind::kRenamed;
      e.path = std::string(AfterFields(r, 9));
      if (i + 1 < records.size()) e.orig_path = std::string(records[++i]);
    } else if (r[0] == 'u') {
      e.kind = StatusEntry::Kind::kUnmerged;
      e.path = std::string(AfterFields(r, 10));
    } else {
      continue;
    }
    report.entries.push_back(std::move(e));
  }
  return report;
}

const char* StatusKindName(StatusEntry::Kind kind) {
  switch (kind) {
    case StatusEntry::Kind::kChanged: return "changed";
    case StatusEntry::Kind::kRenamed: return "renamed";
    case StatusEntry::Kind::kCopied: return "copied";
    case StatusEntry::Kind::kUnmerged: return "unmerged";
    case StatusEntry::Kind::kUntracked: return "untracked";
    case StatusEntry::Kind::kIgnored: return "ignored";
  }
  return "changed";
}

std::vector<FileChange> ParseRawNumstat(std::string_view z) {
  std::vector<FileChange> files;
  std::vector<std::string_view> tokens = Split(z, '\0');
  size_t i = 0;
  // Raw records first: ":<modes> <oids> <status>" then one or two paths.
  for (; i < tokens.size(); ++i) {
    std::string_view t = tokens[i];
    while (!t.empty() && t.front() == '\n') t.remove_prefix(1);
    if (t.empty()) continue;
    if (t.front() != ':') break;
    std::string_view status = AfterFields(t, 4);
    FileChange f;
    f.status = status.empty() ? 'M' : status[0];
    bool two = f.status == 'R' || f.status == 'C';
    if (two && i + 2 < tokens.size()) {
      f.old_path = std::string(tokens[i + 1]);
      f.path = std::string(tokens[i + 2]);
      i += 2;
    } else if (i + 1 < tokens.size()) {
      f.path = std::string(tokens[i + 1]);
      i += 1;
    }
    files.push_back(std::move(f));
  }
  // Then numstat, one record per raw record, in the same order.
  for (size_t n = 0; i < tokens.size() && n < files.size(); ++i, ++n) {
    std::string_view t = tokens[i];
    while (!t.empty() && t.front() == '\n') t.remove_prefix(1);
    std::vector<std::string_view> parts = Split(t, '\t');
    if (parts.size() < 2) break;
    FileChange& f = files[n];
    f.binary = parts[0] == "-";
    f.additions = f.binary ? 0 : ToInt(parts[0]);
    f.deletions = f.binary ? 0 : ToInt(parts[1]);
    if (parts.size() == 2) i += 2;  // a rename: "<a>\t<d>\t" NUL old NUL new
  }
  return files;
}

BlameReport ParseBlamePorcelain(std::string_view text) {
  BlameReport report;
  std::string current;
  int64_t final_line = 0;  // of the content line the current header announces
  for (std::string_view line : Split(text, '\n')) {
    if (!line.empty() && line[0] == '\t') {
      report.lines.push_back({final_line, current, std::string(line.substr(1))});
      continue;
    }
    std::vector<std::string_view> words = Split(line, ' ');
    if (words.size() >= 3 && words[0].size() >= 40 &&
        words[0].find_first_not_of("0123456789abcdef") == std::string_view::npos) {
      current = std::string(words[0]);
      final_line = ToInt(words[2]);
      report.commits.try_emplace(current);
      continue;
    }
    std::string_view value = AfterFields(line, 1);
    BlameCommit& c = report.commits[current];
    if (line.starts_with("author ")) {
      c.author = std::string(value);
    } else if (line.starts_with("author-mail ")) {
      if (value.starts_with("<")) value.remove_prefix(1);
      if (value.ends_with(">")) value.remove_suffix(1);
      c.email = std::string(value);
    } else if (line.starts_with("author-time ")) {
      c.time = ToInt(value);
    } else if (line.starts_with("summary ")) {
      c.summary = std::string(value);
    }
  }
  return report;
}

void ParseTrack(std::string_view track, std::optional<int64_t>* ahead, std::optional<int64_t>* behind) {
  if (track == "gone") return;
  *ahead = 0;
  *behind = 0;
  for (std::string_view part : Split(track, ',')) {
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.starts_with("ahead ")) *ahead = ToInt(part.substr(6));
    if (part.starts_with("behind ")) *behind = ToInt(part.substr(7));
  }
}

std::string IsoTime(int64_t seconds) {
  time_t t = static_cast<time_t>(seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace weft::venoms::git
