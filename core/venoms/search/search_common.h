// What search_code and search_files share: finding ripgrep, opening the
// place a search runs in, rg flags, cursors, and turning rg's bytes and
// messages into text a model can read.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/fd.h"
#include "core/base/json.h"
#include "core/base/result.h"
#include "core/ns/workspace.h"
#include "core/proc/spawn.h"
#include "core/venoms/registry.h"
#include "core/venoms/search/search_venom.h"

namespace weft::venoms::search {

// Shared by the ops of one registration; lives as long as the handlers.
class SearchState {
 public:
  SearchState(const ns::Workspaces& workspaces, SearchOptions options);

  const ns::Workspaces& workspaces() const { return workspaces_; }
  const SearchOptions& options() const { return options_; }
  proc::Spawner& spawner() const { return *spawner_; }

  // The ripgrep binary: options.rg, else $WEFT_RG, else `rg` on PATH. Found
  // once and remembered; a failure (kFailedPrecondition saying ripgrep is
  // required and how to install it) is looked up again on the next call.
  Result<std::string> Ripgrep();
  // Forgets a remembered binary that turned out to be gone.
  void ForgetRipgrep();

 private:
  const ns::Workspaces& workspaces_;
  SearchOptions options_;
  proc::Spawner* spawner_;
  proc::ProgramCache rg_;
};

// The error for a missing ripgrep, naming where weft looked.
Status RipgrepMissing(std::string_view looked);

// Where one search runs: a directory opened beneath its bind (the child's
// cwd, where rg searches "."), or one regular file (the child's stdin).
struct SearchRoot {
  std::string ns_path;  // canonical namespace path of the directory or file
  UniqueFd fd;
  bool is_file = false;
  // Binds below the directory: the namespace shows them there instead of
  // whatever the host directory holds at that place, so rg must skip those
  // places (relative paths in `shadowed`); they are not searched by this run
  // (their namespace paths in `binds_below`, reported to the caller).
  std::vector<std::string> shadowed;
  std::vector<std::string> binds_below;
};

// Resolves `user_path` beneath its bind and opens it. A file is allowed only
// with `allow_file`. Errors are the namespace's (escapes, missing, …).
Result<SearchRoot> OpenSearchRoot(const ns::Workspace& ws, std::string_view user_path, bool allow_file);

// rg arguments shared by both ops: config off, a sorted walk when `sorted`
// (rg is then single-threaded), ignore files, hidden files, the user's
// include/exclude globs, .git and shadowed binds.
std::vector<std::string> CommonRgFlags(const Json& args, const SearchRoot& root, bool sorted = true);

// `text` with glob metacharacters escaped, so rg -g matches it literally.
std::string EscapeGlob(std::string_view text);

// The namespace path of `rel` (as rg prints it, "./" and all) below `dir`.
std::string NsJoin(std::string_view dir, std::string_view rel);

// Bytes as valid UTF-8 (JSON needs it): invalid bytes become "\xNN" and
// *escaped is set.
std::string ToUtf8(std::string_view bytes, bool* escaped);
// At most `max` bytes of valid UTF-8 `text`, cut at a character boundary;
// *cut says whether anything was left off.
std::string_view CutUtf8(std::string_view text, size_t max, bool* cut);

// Pagination. A cursor is "<skip>.<check>": the next page starts after
// the first `skip` results; `check` ties it to the arguments that shape the
// result list (all but cursor and limit), so a cursor from another search is
// refused instead of silently misused.
uint32_t ArgsCheck(const Json& args, std::string_view workspace_id);
std::string EncodeCursor(uint64_t skip, uint32_t check);
Result<uint64_t> DecodeCursor(std::string_view text, uint32_t check);

// Host directories of `ws` in rg's messages replaced by namespace paths.
std::string ScrubHostPaths(const ns::Workspace& ws, std::string text);

// The end of a reply's text: the binds below the path that were left out
// (`left_out` says how, e.g. "Not searched") and rg's warnings, one per line.
std::string NotesText(const Json& data, std::string_view left_out);

// rg's stderr as short warnings (at most a few lines, host paths scrubbed).
void AddStderrWarnings(const ns::Workspace& ws, std::string_view ns_dir, const std::string& stderr_text,
                       std::vector<std::string>* warnings);

// An error for rg exiting with status 2 before it searched anything.
Status RgFailure(const ns::Workspace& ws, const proc::ProcessResult& run, bool literal);

// Progress for a running search: "<what>: <n> <one|many> so far".
class Ticker {
 public:
  Ticker(Context& ctx, std::string what, std::string one, std::string many)
      : ctx_(ctx), what_(std::move(what)), one_(std::move(one)), many_(std::move(many)) {}
  // Called every progress interval; `count` need not grow, the progress
  // value sent does.
  void Tick(uint64_t count);

 private:
  Context& ctx_;
  std::string what_;
  std::string one_;
  std::string many_;
  double ticks_ = 0;
};

// The `limit` argument within [1, max], `fallback` when absent.
size_t LimitArg(const Json& args, size_t fallback, size_t max);

}  // namespace weft::venoms::search
