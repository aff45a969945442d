// Reading `rg --json` output: one event per line (begin, match, context,
// end, summary), and the collector that turns a stream of them into one
// page of matches with their context, per-file caps and a skip for paging.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace weft::venoms::search {

// One event, reduced to what search_code uses. Texts are raw bytes: rg
// sends {"text": …} for UTF-8 and {"bytes": base64} for anything else.
struct RgEvent {
  enum class Type { kBegin, kMatch, kContext, kEnd, kSummary, kOther };
  struct Submatch {
    size_t start = 0;  // byte offsets into `line`, end exclusive
    size_t end = 0;
  };
  Type type = Type::kOther;
  std::string path;  // as rg printed it ("./src/a.c", "<stdin>")
  std::string line;  // the line without its "\n" / "\r\n"
  int64_t line_number = 0;
  std::vector<Submatch> submatches;
};

// kInvalidArgument when `json_line` is not an rg event weft understands.
Result<RgEvent> ParseRgEvent(std::string_view json_line);

struct SourceLine {
  int64_t line = 0;
  std::string bytes;
};

struct CodeMatch {
  std::string path;  // namespace path
  int64_t line = 0;
  std::string bytes;  // the whole line, raw
  std::vector<RgEvent::Submatch> submatches;
  std::vector<SourceLine> before;  // context lines before, in order
  std::vector<SourceLine> after;   // context lines after, in order
};

// Collects one page. Matches are counted after the per-file cap; the first
// `skip` are passed over, the next `limit` kept (fewer when their lines
// reach `max_bytes`), and one more tells that there are more (Add then
// returns false: stop rg). rg must run with `--max-count max_per_file+1`, so
// a file that reaches the cap shows it.
class CodeCollector {
 public:
  struct Page {
    uint64_t skip = 0;
    size_t limit = 100;
    size_t max_per_file = 20;
    int64_t context = 0;
    size_t max_bytes = 64 << 10;  // of line text shown, context included (about)
  };
  // `dir` is the namespace directory rg ran in; a non-empty `file` is the
  // namespace path every event belongs to (rg read it from stdin).
  CodeCollector(Page page, std::string dir, std::string file = {});

  bool Add(RgEvent event);

  const std::vector<CodeMatch>& matches() const { return matches_; }
  std::vector<CodeMatch>& matches() { return matches_; }
  // A match beyond this page exists.
  bool more() const { return more_; }
  // Matches counted so far, skipped ones included (the next page's skip
  // once the page is full).
  uint64_t counted() const { return counted_; }
  // Files with a match on this page where max_per_file left matches out.
  const std::vector<std::string>& capped_files() const { return capped_; }
  // rg got as far as its closing summary (it searched everything).
  bool finished() const { return finished_; }

 private:
  void AddContext(int64_t line, std::string bytes);

  Page page_;
  std::string dir_;
  std::string file_;
  std::vector<CodeMatch> matches_;
  bool more_ = false;
  uint64_t counted_ = 0;
  size_t bytes_ = 0;
  std::vector<std::string> capped_;
  bool finished_ = false;
  // The file being read.
  std::string path_;
  size_t in_file_ = 0;             // matches rg reported in it
  bool file_kept_ = false;         // one of them is on this page
  bool file_capped_ = false;
  std::optional<size_t> last_kept_;     // index in matches_ of its latest kept match
  std::vector<SourceLine> recent_;      // context lines since its latest match (at most `context`)
};

}  // namespace weft::venoms::search
