// Shared pieces of the search ops: ripgrep lookup, the search root, rg
// flags, cursors, UTF-8 clean-up and rg's error messages.
#include "core/venoms/search/search_common.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/base/strings.h"
#include "core/base/utf8.h"
#include "core/ns/resolve.h"
#include "core/venoms/args.h"

namespace weft::venoms::search {
namespace {

constexpr size_t kMaxWarningLines = 5;
constexpr size_t kMaxWarningBytes = 300;

}  // namespace

SearchState::SearchState(const ns::Workspaces& workspaces, SearchOptions options)
    : workspaces_(workspaces),
      options_(std::move(options)),
      spawner_(options_.spawner != nullptr ? options_.spawner : &proc::SystemSpawner()),
      rg_("rg", options_.rg, "WEFT_RG") {}

Result<std::string> SearchState::Ripgrep() {
  Result<std::string> found = rg_.Find();
  if (!found.ok()) return RipgrepMissing(found.status().message());
  return found;
}

void SearchState::ForgetRipgrep() { rg_.Forget(); }

Status RipgrepMissing(std::string_view looked) {
  return Status::FailedPrecondition(
      StrCat({"this search needs ripgrep (rg) on the machine that runs weft, and it is not there (", looked,
              "). Ask the user to install it: `apt-get install ripgrep` (Debian, Ubuntu), `dnf install ripgrep` "
              "(Fedora), `brew install ripgrep` (macOS), or set WEFT_RG to the rg binary, then restart weft. "
              "Until then, fs_read and fs_glob can stand in."}));
}

Result<SearchRoot> OpenSearchRoot(const ns::Workspace& ws, std::string_view user_path, bool allow_file) {
  WEFT_ASSIGN_OR_RETURN(ns::Place place, ws.Locate(user_path, ns::Access::kRead));
  // O_NONBLOCK so that a FIFO never blocks the open; it is refused below.
  WEFT_ASSIGN_OR_RETURN(UniqueFd fd, ns::OpenBeneathAs(place.root_fd, place.rest, place.path, O_RDONLY | O_NONBLOCK));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, place.path);
  SearchRoot root;
  root.ns_path = place.path;
  root.fd = std::move(fd);
  if (S_ISREG(st.st_mode)) {
    if (!allow_file) {
      return Status::InvalidArgument(StrCat({place.path, " is a file; pass the directory to search in"}));
    }
    root.is_file = true;
    return root;
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(StrCat({place.path, " is neither a directory nor a regular file"}));
  }
  std::string prefix = place.path == "/" ? "/" : StrCat({place.path, "/"});
  for (const ns::Mount& m : ws.mounts().mounts()) {
    if (m.path.size() <= prefix.size() || m.path.compare(0, prefix.size(), prefix) != 0) continue;
    root.shadowed.push_back(m.path.substr(prefix.size()));
    root.binds_below.push_back(m.path);
  }
  return root;
}

std::vector<std::string> CommonRgFlags(const Json& args, const SearchRoot& root, bool sorted) {
  std::vector<std::string> flags = {"--no-config"};
  if (sorted) {
    flags.push_back("--sort");
    flags.push_back("path");
  }
  if (!BoolArg(args, "gitignore", true)) flags.push_back("--no-ignore");
  bool hidden = BoolArg(args, "hidden", false);
  if (hidden) flags.push_back("--hidden");
  for (const char* key : {"include", "exclude"}) {
    auto it = args.find(key);
    if (it == args.end() || !it->is_array()) continue;
    for (const Json& glob : *it) {
      if (!glob.is_string()) continue;
      flags.push_back("--glob");
      flags.push_back(std::string(key[0] == 'e' ? "!" : "") + glob.get<std::string>());
    }
  }
  // Later globs win in rg, so these come last: .git stays out even with
  // hidden files, and places other binds shadow are never reported.
  if (hidden) {
    flags.push_back("--glob");
    flags.push_back("!.git");
  }
  for (const std::string& rel : root.shadowed) {
    flags.push_back("--glob");
    flags.push_back(StrCat({"!/", EscapeGlob(rel)}));
  }
  return flags;
}

std::string EscapeGlob(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '{' || c == '}' || c == '\\' || c == '!') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

std::string NsJoin(std::string_view dir, std::string_view rel) {
  while (rel.substr(0, 2) == "./") rel.remove_prefix(2);
  if (rel.empty() || rel == ".") return std::string(dir);
  return dir == "/" ? StrCat({"/", rel}) : StrCat({dir, "/", rel});
}

std::string ToUtf8(std::string_view bytes, bool* escaped) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    size_t n = Utf8SequenceLength(bytes, 0);
    if (n == 0) {
      char hex[8];
      snprintf(hex, sizeof(hex), "\\x%02X", static_cast<unsigned char>(bytes[0]));
      out.append(hex);
      if (escaped != nullptr) *escaped = true;
      n = 1;
    } else {
      out.append(bytes.substr(0, n));
    }
    bytes.remove_prefix(n);
  }
  return out;
}

std::string_view CutUtf8(std::string_view text, size_t max, bool* cut) {
  if (text.size() <= max) {
    if (cut != nullptr) *cut = false;
    return text;
  }
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  if (cut != nullptr) *cut = true;
  return text.substr(0, end);
}

uint32_t ArgsCheck(const Json& args, std::string_view workspace_id) {
  Json shape = args.is_object() ? args : Json::object();
  shape.erase("cursor");
  shape.erase("limit");
  std::string text = StrCat({workspace_id, "\n", shape.dump()});
  uint32_t hash = 2166136261u;  // FNV-1a
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

std::string EncodeCursor(uint64_t skip, uint32_t check) {
  char hex[16];
  snprintf(hex, sizeof(hex), "%08x", check);
  return StrCat({std::to_string(skip), ".", hex});
}

Result<uint64_t> DecodeCursor(std::string_view text, uint32_t check) {
  size_t dot = text.find('.');
  uint64_t skip = 0;
  bool ok = dot != std::string_view::npos && dot > 0 && dot <= 15 && text.size() == dot + 9;
  for (size_t i = 0; ok && i < dot; ++i) {
    ok = text[i] >= '0' && text[i] <= '9';
    skip = skip * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  uint32_t got = 0;
  for (size_t i = dot + 1; ok && i < text.size(); ++i) {
    char c = text[i];
    ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    got = got * 16 + static_cast<uint32_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  if (!ok) {
    return Status::InvalidArgument(StrCat({"cursor \"", text,
                                           "\" is not one this op returned: pass next_cursor from the previous "
                                           "reply unchanged, or leave cursor out to start from the beginning"}));
  }
  if (got != check) {
    return Status::InvalidArgument(
        "this cursor belongs to a different search (arguments other than cursor and limit changed): repeat "
        "the call without cursor to start from the beginning");
  }
  return skip;
}

std::string ScrubHostPaths(const ns::Workspace& ws, std::string text) {
  std::vector<const ns::Mount*> mounts;
  for (const ns::Mount& m : ws.mounts().mounts()) {
    if (m.source.kind == ns::Source::Kind::kHost && m.source.dir.size() > 1) mounts.push_back(&m);
  }
  // Longest host directory first, so a nested one is replaced whole.
  std::sort(mounts.begin(), mounts.end(),
            [](const ns::Mount* a, const ns::Mount* b) { return a->source.dir.size() > b->source.dir.size(); });
  for (const ns::Mount* m : mounts) {
    const std::string& dir = m->source.dir;
    size_t pos = 0;
    while ((pos = text.find(dir, pos)) != std::string::npos) {
      size_t end = pos + dir.size();
      bool slash = end < text.size() && text[end] == '/';
      if (end < text.size() && !slash && (isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-' ||
                                          text[end] == '_' || text[end] == '.')) {
        pos = end;  // "/home/me/proj-2" is not inside "/home/me/proj"
        continue;
      }
      std::string replacement = m->path == "/" && slash ? "" : m->path;
      text.replace(pos, dir.size(), replacement);
      pos += replacement.size() + (slash ? 1 : 0);
    }
  }
  return text;
}

void AddStderrWarnings(const ns::Workspace& ws, std::string_view ns_dir, const std::string& stderr_text,
                       std::vector<std::string>* warnings) {
  size_t start = 0, shown = 0, more = 0;
  while (start < stderr_text.size()) {
    size_t end = stderr_text.find('\n', start);
    if (end == std::string::npos) end = stderr_text.size();
    std::string_view line(stderr_text.data() + start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    if (shown == kMaxWarningLines) {
      ++more;
      continue;
    }
    bool cut = false;
    std::string text = ToUtf8(line, nullptr);
    text = std::string(CutUtf8(ScrubHostPaths(ws, std::move(text)), kMaxWarningBytes, &cut));
    warnings->push_back(StrCat({"ripgrep in ", ns_dir, ": ", text, cut ? " …" : ""}));
    ++shown;
  }
  if (more > 0) warnings->push_back(StrCat({"… and ", std::to_string(more), " more ripgrep messages"}));
}

Status RgFailure(const ns::Workspace& ws, const proc::ProcessResult& run, bool literal) {
  std::string message = ScrubHostPaths(ws, ToUtf8(run.stderr_data, nullptr));
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (message.empty()) message = run.status.ToString();
  if (!literal && message.find("regex") != std::string::npos) {
    return Status::InvalidArgument(
        StrCat({"the pattern is not a valid regular expression (ripgrep uses Rust regex syntax):\n", message,
                "\nTo search for the text exactly as written, pass literal: true; or escape the special "
                "characters with a backslash, e.g. \\( \\[ \\. \\*"}));
  }
  if (message.find("glob") != std::string::npos) {
    return Status::InvalidArgument(StrCat({"an include or exclude glob is not valid:\n", message}));
  }
  return Status::Internal(StrCat({"ripgrep failed (", run.status.ToString(), "):\n", message}));
}

void Ticker::Tick(uint64_t count) {
  ticks_ += 1;
  ctx_.Progress(ticks_, std::nullopt,
                StrCat({what_, ": ", std::to_string(count), " ", count == 1 ? one_ : many_, " so far"}));
}

size_t LimitArg(const Json& args, size_t fallback, size_t max) {
  int64_t limit = IntArg(args, "limit", static_cast<int64_t>(fallback));
  return static_cast<size_t>(std::clamp<int64_t>(limit, 1, static_cast<int64_t>(max)));
}

std::string NotesText(const Json& data, std::string_view left_out) {
  std::string out;
  if (data.contains("binds_below")) {
    std::string binds;
    for (const Json& b : data["binds_below"]) binds += StrCat({binds.empty() ? "" : ", ", b.get<std::string>()});
    out += StrCat({"\n", left_out, " (separate binds, pass them as path): ", binds, "."});
  }
  if (data.contains("warnings")) {
    for (const Json& w : data["warnings"]) out += StrCat({"\n", w.get<std::string>()});
  }
  return out;
}

}  // namespace weft::venoms::search
