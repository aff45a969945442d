// search_files: `rg --files` over a namespace directory, filtered by glob
// and name, one sorted page of namespace paths.
#include "core/venoms/search/search_ops.h"

#include <algorithm>
#include <cctype>

#include "core/base/strings.h"
#include "core/venoms/args.h"
#include "core/venoms/search/search_common.h"

namespace weft::venoms::search {
namespace {

constexpr size_t kDefaultLimit = 200;
constexpr size_t kMaxLimit = 5000;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One page of paths: skip, keep `limit`, see one more.
struct FilePage {
  uint64_t skip = 0;
  size_t limit = 0;
  std::string name;  // lower case; "" keeps every file
  std::string dir;
  std::vector<std::string> paths;
  uint64_t counted = 0;
  bool more = false;
  bool escaped = false;  // some path had bytes that are not UTF-8

  bool Add(std::string_view rel) {
    if (!name.empty()) {
      size_t slash = rel.rfind('/');
      std::string_view base = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
      if (Lower(base).find(name) == std::string::npos) return true;
    }
    if (counted < skip) {
      ++counted;
      return true;
    }
    if (paths.size() == limit) {
      more = true;
      return false;
    }
    ++counted;
    paths.push_back(NsJoin(dir, ToUtf8(rel, &escaped)));
    return true;
  }
};

std::vector<std::string> RgArgv(const std::string& rg, const Json& args, const SearchRoot& root) {
  Json flags_args = args;
  flags_args.erase("include");
  if (args.contains("glob")) flags_args["include"] = Json::array({args["glob"]});
  std::vector<std::string> argv = {rg, "--files", "--null"};
  for (std::string& flag : CommonRgFlags(flags_args, root)) argv.push_back(std::move(flag));
  argv.push_back("--");
  argv.push_back(".");
  return argv;
}

std::string Text(const Json& data) {
  std::string out;
  for (const Json& p : data["files"]) out += StrCat({p.get<std::string>(), "\n"});
  size_t count = data["count"].get<size_t>();
  if (count == 0) {
    out += StrCat({"No files match in ", data["path"].get<std::string>(), "."});
  } else {
    out += StrCat({std::to_string(count), count == 1 ? " file." : " files."});
  }
  if (data.contains("next_cursor")) {
    out += StrCat({" More: call again with cursor \"", data["next_cursor"].get<std::string>(), "\"."});
  }
  if (data.value("timed_out", false)) out += " The listing ran out of time; narrow path or glob and retry.";
  out += NotesText(data, "Not listed");
  return out;
}

}  // namespace

Result<Reply> SearchFiles(SearchState& state, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace* ws, WorkspaceArg(ctx, state.workspaces(), args));
  uint32_t check = ArgsCheck(args, ws->id());
  FilePage page;
  if (args.contains("cursor")) {
    WEFT_ASSIGN_OR_RETURN(page.skip, DecodeCursor(StringArg(args, "cursor"), check));
  }
  page.limit = LimitArg(args, kDefaultLimit, kMaxLimit);
  page.name = Lower(StringArg(args, "name"));
  WEFT_ASSIGN_OR_RETURN(SearchRoot root, OpenSearchRoot(*ws, StringArg(args, "path", ws->DefaultDir()), /*allow_file=*/false));
  page.dir = root.ns_path;
  if (ctx.cancelled()) return Status::Cancelled("the search was cancelled before it started");
  WEFT_ASSIGN_OR_RETURN(std::string rg, state.Ripgrep());

  proc::ProcessSpec spec;
  spec.argv = RgArgv(rg, args, root);
  spec.cwd_fd = root.fd.get();
  spec.stderr_cap = 16 << 10;
  spec.timeout = state.options().timeout;
  spec.term_grace = std::chrono::milliseconds(250);
  spec.cancel = &ctx.cancellation();
  uint64_t listed = 0;  // by rg, before the name filter
  proc::LineSplitter paths(
      4096,
      [&page, &listed](std::string_view rel) {
        ++listed;
        return page.Add(rel);
      },
      '\0');  // rg --null: names may hold newlines
  spec.on_stdout = [&paths](std::string_view chunk) { return paths.Feed(chunk); };
  Ticker ticker(ctx, StrCat({"listing ", root.ns_path}), "file", "files");
  spec.tick_interval = state.options().progress_interval;
  spec.on_tick = [&ticker, &page] {
    ticker.Tick(page.counted);
    return true;
  };
  Result<proc::ProcessResult> run = state.spawner().Run(spec);
  if (!run.ok()) {
    if (run.status().code() != StatusCode::kNotFound) return run.status();
    state.ForgetRipgrep();
    return RipgrepMissing(run.status().message());
  }
  std::vector<std::string> warnings;
  switch (run->stop) {
    case proc::ProcessResult::Stop::kCancelled:
      return Status::Cancelled("the search was cancelled; ripgrep was stopped");
    case proc::ProcessResult::Stop::kTimeout:
    case proc::ProcessResult::Stop::kCallback:
      break;
    case proc::ProcessResult::Stop::kNone:
      paths.Finish();
      if (run->status.signaled) {
        return Status::Internal(StrCat({"ripgrep was stopped from outside (", run->status.ToString(), ")"}));
      }
      if (run->status.code == 2 && listed == 0) return RgFailure(*ws, *run, /*literal=*/true);
      if (run->status.code == 2) AddStderrWarnings(*ws, root.ns_path, run->stderr_data, &warnings);
      break;
  }
  bool timed_out = run->stop == proc::ProcessResult::Stop::kTimeout;
  if (page.escaped) warnings.push_back("some names hold bytes that are not UTF-8, shown as \\xNN");
  bool more = page.more || timed_out;
  Json data = {{"path", root.ns_path}, {"files", page.paths}, {"count", page.paths.size()}, {"truncated", more}};
  if (more) data["next_cursor"] = EncodeCursor(page.skip + page.paths.size(), check);
  if (timed_out) data["timed_out"] = true;
  if (!root.binds_below.empty()) data["binds_below"] = root.binds_below;
  if (!warnings.empty()) data["warnings"] = warnings;
  std::string text = Text(data);
  return Reply::WithText(std::move(data), std::move(text));
}

}  // namespace weft::venoms::search
