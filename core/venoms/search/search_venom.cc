// The search venom's registration, in the order tools/list shows the ops.
#include "core/venoms/search/search_venom.h"

#include <memory>

#include "core/venoms/search/search_common.h"
#include "core/venoms/search/search_ops.h"

namespace weft::venoms {
namespace {

constexpr const char* kCodeDescription =
    "Search file contents in the workspace with ripgrep: a regular expression (Rust regex syntax) or, with "
    "literal: true, exact text, matched one line at a time. Use it to find where something is defined, used "
    "or mentioned across many files; use search_files to find files by name or glob, and fs_read to read a "
    "file once you know where to look. Searches `path` (default \"/\"; a directory, searched recursively, or "
    "one file), skipping files ignored by .gitignore/.ignore, hidden files and binary files unless asked "
    "(gitignore: false, hidden: true); include/exclude globs narrow it down. Case is smart by default "
    "(insensitive unless the pattern has an upper-case letter). Returns matches in path order, each with its "
    "namespace path, line, column (1-based, in bytes), the line's text (long lines shortened around the "
    "match, marked with …), the matched parts, and `context` lines before/after when asked; the text reply "
    "reads like grep: `path:line:col: text`. A page holds at most `limit` matches (default 100, max 1000, "
    "fewer when lines are long) and at most `max_per_file` per file (default 20; capped_files names files "
    "where that cap left matches out); when `truncated`, pass `next_cursor` as `cursor` for the next page. "
    "Binds mounted below `path` are separate trees: they are listed in binds_below, not searched; pass one "
    "as `path` to search it.";

constexpr const char* kFilesDescription =
    "Find files in the workspace by glob or by name, fast (ripgrep's directory walk), respecting .gitignore. "
    "`glob` is matched against each file's path relative to `path`, the .gitignore way: `*.py` matches at any "
    "depth, `src/**/*.test.ts` only below src/ of `path`. `name` keeps files whose name contains the text "
    "(case-insensitive); give both to require both. Lists regular files only, never directories (fs_list and "
    "fs_tree show those); skips ignored and hidden files unless gitignore: false / hidden: true. Prefer it "
    "to fs_glob on large trees. Returns namespace paths in path order (each directory's files and "
    "subdirectories by name), at most `limit` per page (default 200, max 5000); when `truncated`, pass "
    "`next_cursor` as `cursor` for the next page. Use search_code to search inside files. Binds mounted "
    "below `path` are separate trees, listed in binds_below: pass one as `path` to list it.";

}  // namespace

void RegisterSearchVenom(Registry& registry, const ns::Workspaces& workspaces) {
  RegisterSearchVenom(registry, workspaces, SearchOptions{});
}

void RegisterSearchVenom(Registry& registry, const ns::Workspaces& workspaces, SearchOptions options) {
  auto state = std::make_shared<search::SearchState>(workspaces, std::move(options));
  const Annotations read_only{.read_only = true, .destructive = false, .idempotent = true, .open_world = false};
  registry.AddOrDie({
      .venom = "search",
      .op = "code",
      .title = "Search file contents",
      .description = kCodeDescription,
      .annotations = read_only,
      .right = Right::kFsRead,
      .handler = [state](Context& ctx, const Json& args) { return search::SearchCode(*state, ctx, args); },
      .nonblocking = false,
      .max_result_chars = 200'000,
      .paths = {PathUse::Arg("path", PathAccess::kRead, "/")},
  });
  registry.AddOrDie({
      .venom = "search",
      .op = "files",
      .title = "Find files by glob or name",
      .description = kFilesDescription,
      .annotations = read_only,
      .right = Right::kFsRead,
      .handler = [state](Context& ctx, const Json& args) { return search::SearchFiles(*state, ctx, args); },
      .nonblocking = false,
      .max_result_chars = 500'000,
      .paths = {PathUse::Arg("path", PathAccess::kRead, "/")},
  });
}

}  // namespace weft::venoms
