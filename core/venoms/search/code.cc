// search_code: ripgrep over a namespace directory (or one file), one page of
// structured matches with context, and grep-style text for the model.
#include "core/venoms/search/search_ops.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "core/base/strings.h"
#include "core/venoms/args.h"
#include "core/venoms/search/rg_json.h"
#include "core/venoms/search/search_common.h"

namespace weft::venoms::search {
namespace {

constexpr size_t kLineBytes = 500;       // of a line's text in a reply
constexpr size_t kLeadBytes = 100;       // kept before the first match when a long line is shortened
constexpr size_t kSubmatchBytes = 200;   // of a submatch's text
constexpr int64_t kDefaultMaxPerFile = 20;
constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 1000;

struct Shown {
  std::string text;
  bool cut = false;
  bool escaped = false;
};

// A line for the reply: valid UTF-8, at most about kLineBytes, and when it
// must be shortened, the part around `focus` (a byte offset) kept.
Shown ShowLine(std::string_view bytes, size_t focus) {
  Shown s;
  size_t start = 0;
  if (bytes.size() > kLineBytes && focus > kLeadBytes) {
    start = std::min(focus - kLeadBytes, bytes.size());
    while (start < bytes.size() && (static_cast<unsigned char>(bytes[start]) & 0xC0) == 0x80) ++start;
  }
  bool cut_end = false;
  std::string_view kept = CutUtf8(bytes.substr(start), kLineBytes, &cut_end);
  s.cut = start > 0 || cut_end;
  s.text = StrCat({start > 0 ? "…" : "", ToUtf8(kept, &s.escaped), cut_end ? "…" : ""});
  return s;
}

Json LinesJson(const std::vector<SourceLine>& lines) {
  Json out = Json::array();
  for (const SourceLine& l : lines) {
    Shown s = ShowLine(l.bytes, 0);
    out.push_back({{"line", l.line}, {"text", s.text}});
  }
  return out;
}

Json MatchJson(const CodeMatch& m) {
  size_t focus = m.submatches.empty() ? 0 : m.submatches.front().start;
  Shown line = ShowLine(m.bytes, focus);
  Json subs = Json::array();
  for (const RgEvent::Submatch& sub : m.submatches) {
    bool cut = false;
    std::string text = ToUtf8(CutUtf8(std::string_view(m.bytes).substr(sub.start, sub.end - sub.start),
                                      kSubmatchBytes, &cut), nullptr);
    subs.push_back({{"column", sub.start + 1}, {"length", sub.end - sub.start}, {"text", text}});
  }
  Json j = {{"path", m.path}, {"line", m.line}, {"column", focus + 1}, {"text", line.text}, {"submatches", subs}};
  if (line.cut) j["text_truncated"] = true;
  if (line.escaped) j["non_utf8"] = true;
  if (!m.before.empty()) j["before"] = LinesJson(m.before);
  if (!m.after.empty()) j["after"] = LinesJson(m.after);
  return j;
}

// grep-style: "path:line:col: text" for matches, "path-line- text" for
// context, "--" between separate stretches, a blank line between files.
std::string MatchesText(const std::vector<CodeMatch>& matches) {
  std::string out;
  size_t i = 0;
  while (i < matches.size()) {
    const std::string& path = matches[i].path;
    std::map<int64_t, std::string> lines;  // line number → rendered line
    for (; i < matches.size() && matches[i].path == path; ++i) {
      const CodeMatch& m = matches[i];
      for (const auto* group : {&m.before, &m.after}) {
        for (const SourceLine& c : *group) {
          lines.emplace(c.line, StrCat({path, "-", std::to_string(c.line), "- ", ShowLine(c.bytes, 0).text}));
        }
      }
      size_t focus = m.submatches.empty() ? 0 : m.submatches.front().start;
      lines[m.line] = StrCat({path, ":", std::to_string(m.line), ":", std::to_string(focus + 1), ": ",
                              ShowLine(m.bytes, focus).text});
    }
    if (!out.empty()) out += "\n";
    int64_t previous = -1;
    for (const auto& [number, text] : lines) {
      if (previous >= 0 && number > previous + 1) out += "--\n";
      out += text;
      out += "\n";
      previous = number;
    }
  }
  return out;
}

// rg's output in parallel mode, kept per file, then handed to a
// CodeCollector in the order `rg --sort path` would have printed it. rg
// searches with every core only when it need not sort; a page in path order
// then needs every match first, so this holds at most kMaxMatches matches
// and kMaxBytes of lines: past either, the search is run again sorted
// (which stops as soon as the page is full).
class FileBlocks {
 public:
  static constexpr uint64_t kMaxMatches = 20'000;
  static constexpr size_t kMaxBytes = 32 << 20;

  bool Add(RgEvent event) {
    if (event.type == RgEvent::Type::kSummary) {
      finished_ = true;
      return true;
    }
    if (event.type == RgEvent::Type::kOther) return true;
    // Every event names its file; blocks are found by it, so the result does
    // not depend on rg writing each file's events together.
    auto [it, added] = index_.try_emplace(event.path, blocks_.size());
    if (added) blocks_.push_back(Block{event.path, {}});
    bytes_ += event.line.size() + event.path.size() + sizeof(RgEvent);
    if (event.type == RgEvent::Type::kMatch) ++matches_;
    blocks_[it->second].events.push_back(std::move(event));
    overflowed_ = matches_ > kMaxMatches || bytes_ > kMaxBytes;
    return !overflowed_;
  }
  bool finished() const { return finished_; }
  uint64_t counted() const { return matches_; }
  bool overflowed() const { return overflowed_; }

  // Feeds everything to `collector`, files in path order, until it is full.
  void Replay(CodeCollector* collector) {
    std::sort(blocks_.begin(), blocks_.end(), [](const Block& a, const Block& b) { return PathBefore(a.path, b.path); });
    for (Block& block : blocks_) {
      for (RgEvent& event : block.events) {
        if (!collector->Add(std::move(event))) return;
      }
    }
    if (finished_) {
      RgEvent summary;
      summary.type = RgEvent::Type::kSummary;
      collector->Add(std::move(summary));
    }
  }

 private:
  struct Block {
    std::string path;
    std::vector<RgEvent> events;
  };

  // The order of a walk that sorts each directory's entries by name: paths
  // compared component by component, which is a byte comparison in which
  // '/' sorts before everything.
  static bool PathBefore(const std::string& a, const std::string& b) {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      unsigned char ca = a[i] == '/' ? 0 : static_cast<unsigned char>(a[i]);
      unsigned char cb = b[i] == '/' ? 0 : static_cast<unsigned char>(b[i]);
      if (ca != cb) return ca < cb;
    }
    return a.size() < b.size();
  }

  std::vector<Block> blocks_;
  std::unordered_map<std::string, size_t> index_;
  uint64_t matches_ = 0;
  size_t bytes_ = 0;
  bool finished_ = false;
  bool overflowed_ = false;
};

std::vector<std::string> RgArgv(const std::string& rg, const Json& args, const SearchRoot& root, bool sorted) {
  std::vector<std::string> argv = {rg, "--json"};
  for (std::string& flag : CommonRgFlags(args, root, sorted)) argv.push_back(std::move(flag));
  if (BoolArg(args, "literal", false)) argv.push_back("--fixed-strings");
  std::string mode = StringArg(args, "case", "smart");
  argv.push_back(mode == "sensitive" ? "--case-sensitive" : mode == "insensitive" ? "--ignore-case" : "--smart-case");
  int64_t max_per_file = IntArg(args, "max_per_file", kDefaultMaxPerFile);
  argv.push_back("--max-count");
  argv.push_back(std::to_string(max_per_file + 1));  // one more shows that the cap cut something
  int64_t context = IntArg(args, "context", 0);
  if (context > 0) {
    argv.push_back("--context");
    argv.push_back(std::to_string(context));
  }
  argv.push_back("--");
  argv.push_back(StringArg(args, "pattern"));
  argv.push_back(root.is_file ? "-" : ".");
  return argv;
}

struct Outcome {
  std::vector<std::string> warnings;
  bool timed_out = false;
};

// Runs rg into `collector` (a CodeCollector, or FileBlocks when not
// `sorted`); an error when rg could not run or failed.
template <typename Collector>
Result<Outcome> RunRg(SearchState& state, Context& ctx, const ns::Workspace& ws, const Json& args,
                      const SearchRoot& root, bool sorted, Collector* collector) {
  WEFT_ASSIGN_OR_RETURN(std::string rg, state.Ripgrep());
  proc::ProcessSpec spec;
  spec.argv = RgArgv(rg, args, root, sorted);
  if (root.is_file) {
    spec.stdin_fd = root.fd.get();
  } else {
    spec.cwd_fd = root.fd.get();
  }
  spec.stderr_cap = 16 << 10;
  spec.timeout = state.options().timeout;
  spec.term_grace = std::chrono::milliseconds(250);
  spec.cancel = &ctx.cancellation();
  uint64_t unreadable = 0;
  spec.on_stdout_line = [collector, &unreadable](std::string_view line) {
    Result<RgEvent> event = ParseRgEvent(line);
    if (!event.ok()) {
      ++unreadable;
      return true;
    }
    return collector->Add(std::move(event).value());
  };
  Ticker ticker(ctx, StrCat({"searching ", root.ns_path}), "match", "matches");
  spec.tick_interval = state.options().progress_interval;
  spec.on_tick = [&ticker, collector] {
    ticker.Tick(collector->counted());
    return true;
  };
  Result<proc::ProcessResult> run = state.spawner().Run(spec);
  if (!run.ok()) {
    if (run.status().code() != StatusCode::kNotFound) return run.status();
    state.ForgetRipgrep();
    return RipgrepMissing(run.status().message());
  }
  Outcome out;
  switch (run->stop) {
    case proc::ProcessResult::Stop::kCancelled:
      return Status::Cancelled("the search was cancelled; ripgrep was stopped");
    case proc::ProcessResult::Stop::kTimeout:
      out.timed_out = true;
      break;
    case proc::ProcessResult::Stop::kCallback:
      break;  // the page is full
    case proc::ProcessResult::Stop::kNone:
      if (run->status.signaled) {
        return Status::Internal(StrCat({"ripgrep was stopped from outside (", run->status.ToString(), ")"}));
      }
      if (run->status.code == 2 && !collector->finished()) {
        return RgFailure(ws, *run, BoolArg(args, "literal", false));
      }
      if (run->status.code == 2) AddStderrWarnings(ws, root.ns_path, run->stderr_data, &out.warnings);
      break;
  }
  if (unreadable > 0 || run->stdout_dropped > 0) {
    out.warnings.push_back("some matching lines were too long to report (over 16 MiB) and were left out");
  }
  return out;
}

std::string Footer(const Json& data, const std::string& pattern) {
  std::string out;
  size_t count = data["match_count"].get<size_t>();
  if (count == 0) {
    out = StrCat({"No matches for \"", pattern, "\" in ", data["path"].get<std::string>(), "."});
  } else {
    out = StrCat({std::to_string(count), count == 1 ? " match in " : " matches in ",
                  std::to_string(data["file_count"].get<size_t>()), data["file_count"] == 1 ? " file." : " files."});
  }
  if (data.contains("next_cursor")) {
    out += StrCat({" More matches: call again with cursor \"", data["next_cursor"].get<std::string>(), "\"."});
  }
  if (data.value("timed_out", false)) out += " The search ran out of time; narrow path or include and retry.";
  if (!data["capped_files"].empty()) {
    std::string files;
    for (const Json& f : data["capped_files"]) files += StrCat({files.empty() ? "" : ", ", f.get<std::string>()});
    out += StrCat({"\nmax_per_file left out further matches in: ", files,
                   " (raise max_per_file or search such a file alone)."});
  }
  out += NotesText(data, "Not searched");
  return out;
}

}  // namespace

Result<Reply> SearchCode(SearchState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace* ws, WorkspaceArg(ctx, state.workspaces(), args));
  std::string pattern = StringArg(args, "pattern");
  if (pattern.find('\n') != std::string::npos) {
    return Status::InvalidArgument(
        "the pattern holds a line break, but search_code matches one line at a time: search for one line of it");
  }
  uint32_t check = ArgsCheck(args, ws->id());
  uint64_t skip = 0;
  if (args.contains("cursor")) {
    WEFT_ASSIGN_OR_RETURN(skip, DecodeCursor(StringArg(args, "cursor"), check));
  }
  WEFT_ASSIGN_OR_RETURN(SearchRoot root, OpenSearchRoot(*ws, StringArg(args, "path", ws->DefaultDir()), /*allow_file=*/true));
  if (ctx.cancelled()) return Status::Cancelled("the search was cancelled before it started");

  CodeCollector::Page page;
  page.skip = skip;
  page.limit = LimitArg(args, kDefaultLimit, kMaxLimit);
  page.max_per_file = static_cast<size_t>(IntArg(args, "max_per_file", kDefaultMaxPerFile));
  page.context = IntArg(args, "context", 0);
  CodeCollector collector(page, root.ns_path, root.is_file ? root.ns_path : "");
  Outcome outcome;
  bool done = false;
  if (!root.is_file) {
    // All cores first; sorted (one core, stops when the page is full) only
    // when that finds more than it can keep. A search that runs out of time
    // returns what it found (not necessarily the first matches in path
    // order: the reply says it timed out).
    FileBlocks blocks;
    WEFT_ASSIGN_OR_RETURN(outcome, RunRg(state, ctx, *ws, args, root, /*sorted=*/false, &blocks));
    if (!blocks.overflowed()) {
      blocks.Replay(&collector);
      done = true;
    }
  }
  if (!done) {
    WEFT_ASSIGN_OR_RETURN(outcome, RunRg(state, ctx, *ws, args, root, /*sorted=*/true, &collector));
  }

  Json matches = Json::array();
  std::set<std::string> files;
  for (const CodeMatch& m : collector.matches()) {
    matches.push_back(MatchJson(m));
    files.insert(m.path);
  }
  bool more = collector.more() || outcome.timed_out;
  Json data = {{"path", root.ns_path},
               {"matches", std::move(matches)},
               {"match_count", collector.matches().size()},
               {"file_count", files.size()},
               {"truncated", more},
               {"capped_files", collector.capped_files()}};
  if (more) data["next_cursor"] = EncodeCursor(skip + collector.matches().size(), check);
  if (outcome.timed_out) data["timed_out"] = true;
  if (!root.binds_below.empty()) data["binds_below"] = root.binds_below;
  if (!outcome.warnings.empty()) data["warnings"] = outcome.warnings;
  std::string text = MatchesText(collector.matches());
  if (!text.empty()) text += "\n";
  text += Footer(data, pattern);
  return Reply::WithText(std::move(data), std::move(text));
}

}  // namespace weft::venoms::search
