// Workspace resources: URIs, reads, the top-level listing and subscriptions.
#include "mcp/bridge/workspace_resources.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/base/base64.h"
#include "core/base/log.h"
#include "core/base/strings.h"
#include "core/base/media_type.h"

namespace weft::mcp {
namespace {

constexpr char kScheme[] = "weft://";
constexpr size_t kMaxResourceBytes = 8u << 20;  // a resource is read whole: keep it bounded
constexpr size_t kMaxTopLevelEntries = 500;     // per workspace, in resources/list
constexpr char kDirectoryMime[] = "inode/directory";

bool Unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// pchar (RFC 3986 §3.3) minus '%', plus '/'.
bool KeptInPath(unsigned char c) {
  static constexpr std::string_view kSubDelims = "!$&'()*+,;=:@/";
  return Unreserved(c) || kSubDelims.find(static_cast<char>(c)) != std::string_view::npos;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The entries of a directory opened beneath its bind: (name, is_dir), sorted.
Result<std::vector<std::pair<std::string, bool>>> ReadDirectory(UniqueFd fd, size_t cap, bool* more) {
  DIR* dir = ::fdopendir(fd.get());
  if (dir == nullptr) return Status::FromErrno(errno, "read directory");
  fd.Release();
  std::vector<std::pair<std::string, bool>> out;
  *more = false;
  while (struct dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (out.size() == cap) {
      *more = true;
      break;
    }
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      is_dir = ::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    out.emplace_back(std::string(name), is_dir);
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

std::string ChildPath(std::string_view dir, std::string_view name) {
  return dir == "/" ? StrCat({"/", name}) : StrCat({dir, "/", name});
}

std::string ParentPath(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string_view::npos ? "/" : std::string(path.substr(0, slash));
}

// A directory read as a resource: one entry per line, directories with a '/'.
Result<Json> DirectoryContents(const ns::Workspace& ws, const std::string& uri, const std::string& path,
                               UniqueFd fd) {
  bool more = false;
  WEFT_ASSIGN_OR_RETURN(auto entries, ReadDirectory(std::move(fd), 5000, &more));
  for (const ns::Mount* m : ws.mounts().ChildMounts(path)) {
    std::string name = m->path.substr(m->path.rfind('/') + 1);
    if (std::none_of(entries.begin(), entries.end(), [&](const auto& e) { return e.first == name; })) {
      entries.emplace_back(name, true);
    }
  }
  std::sort(entries.begin(), entries.end());
  std::string text;
  for (const auto& [name, is_dir] : entries) text += StrCat({name, is_dir ? "/\n" : "\n"});
  if (more) text += "[more entries not shown: use the fs_list tool to page through them]\n";
  return Json::array({{{"uri", uri}, {"mimeType", kDirectoryMime}, {"text", std::move(text)}}});
}

Result<Json> FileContents(const std::string& uri, const std::string& path, UniqueFd fd, size_t size) {
  if (size > kMaxResourceBytes) {
    return Status::ResourceExhausted(StrCat({path, " is ", std::to_string(size),
                                             " bytes, over the 8 MiB a resource may hold; read it in "
                                             "parts with the fs_read tool"}));
  }
  std::string data(size, '\0');
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(fd.get(), data.data() + got, size - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, StrCat({"read ", path}));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  std::string mime = MediaTypeFor(path, data);
  Json item = {{"uri", uri}, {"mimeType", mime}};
  if (LooksLikeText(data)) {
    item["text"] = std::move(data);
  } else {
    item["blob"] = Base64Encode(data);
  }
  return Json::array({std::move(item)});
}

}  // namespace

std::string EncodeUriPath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    if (KeptInPath(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<std::string> DecodeUriPath(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%') {
      out.push_back(encoded[i]);
      continue;
    }
    int hi = i + 2 < encoded.size() ? HexValue(encoded[i + 1]) : -1;
    int lo = hi >= 0 ? HexValue(encoded[i + 2]) : -1;
    if (lo < 0) return Status::InvalidArgument("a bad percent-escape in the resource URI");
    char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return Status::InvalidArgument("the resource URI holds an encoded NUL byte");
    out.push_back(c);
    i += 2;
  }
  return out;
}

std::string WorkspaceUri(const ns::Workspace& ws, std::string_view ns_path) {
  std::string_view rest = ns_path.empty() || ns_path.front() != '/' ? ns_path : ns_path.substr(1);
  return StrCat({kScheme, EncodeUriPath(ws.name()), "/", EncodeUriPath(rest)});
}

WorkspaceResources::WorkspaceResources(const ns::Workspaces& workspaces, ResourceRegistry& resources,
                                       ClientRootScopes* scopes)
    : workspaces_(workspaces), resources_(resources), scopes_(scopes) {}

WorkspaceResources::~WorkspaceResources() {
  resources_.SetInterestHook(nullptr);
  watcher_.reset();  // joins the watcher thread before the map it feeds goes away
}

Status WorkspaceResources::Register() {
  ResourceTemplateSpec file;
  file.uri_template = "weft://{workspace}/{+path}";
  file.name = "workspace-file";
  file.title = "Workspace file or directory";
  file.description =
      "A file or directory of a workspace, by its path from the workspace root (weft://<workspace>/<path>). "
      "Text comes back as text, other content as base64; a directory as one entry per line. Up to 8 MiB; "
      "read larger files in parts with the fs_read tool.";
  file.reader = [this](RequestContext& ctx, const std::string& uri, const std::map<std::string, std::string>&) {
    return Read(ctx, uri);
  };
  WEFT_RETURN_IF_ERROR(resources_.AddTemplate(std::move(file)));
  for (const auto& ws : workspaces_.list()) {
    ResourceSpec root;
    root.uri = WorkspaceUri(*ws, "/");
    root.name = ws->name();
    root.title = StrCat({"Workspace ", ws->name()});
    root.description = StrCat({"The root of workspace ", ws->name(), " (", ws->PrimaryDir(),
                               "): its top-level entries, one per line."});
    root.mime_type = kDirectoryMime;
    root.reader = [this](RequestContext& ctx, const std::string& uri) { return Read(ctx, uri); };
    WEFT_RETURN_IF_ERROR(resources_.Add(std::move(root)));
  }
  resources_.AddLister([this] { return ListTopLevel(); });
  resources_.SetInterestHook([this](const std::string& uri, bool interested) { OnInterest(uri, interested); });
  return Status::Ok();
}

Result<WorkspaceResources::Target> WorkspaceResources::Parse(const std::string& uri,
                                                             const ns::Workspaces* within) const {
  return ParseWorkspaceUri(within != nullptr ? *within : workspaces_, uri);
}

Result<WorkspaceTarget> ParseWorkspaceUri(const ns::Workspaces& workspaces, const std::string& uri) {
  std::string_view rest(uri);
  if (rest.substr(0, sizeof(kScheme) - 1) != kScheme) {
    return Status::NotFound(StrCat({"not a workspace URI: ", uri}));
  }
  rest.remove_prefix(sizeof(kScheme) - 1);
  size_t slash = rest.find('/');
  std::string_view name = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  WEFT_ASSIGN_OR_RETURN(std::string ws_name, DecodeUriPath(name));
  ns::Workspace* ws = workspaces.Find(ws_name);
  if (ws == nullptr) return Status::NotFound(StrCat({"no workspace '", ws_name, "' (in ", uri, ")"}));
  WEFT_ASSIGN_OR_RETURN(std::string decoded, DecodeUriPath(path));
  WEFT_ASSIGN_OR_RETURN(std::string canonical, ws->CanonicalPath(decoded.empty() ? "/" : decoded));
  return WorkspaceTarget{ws, std::move(canonical)};
}

Result<Json> WorkspaceResources::Read(RequestContext& ctx, const std::string& uri) const {
  std::shared_ptr<const ns::Workspaces> scoped = scopes_ != nullptr ? scopes_->For(ctx) : nullptr;
  return Read(uri, scoped.get());
}

Result<Json> WorkspaceResources::Read(const std::string& uri, const ns::Workspaces* within) const {
  WEFT_ASSIGN_OR_RETURN(Target target, Parse(uri, within));
  WEFT_ASSIGN_OR_RETURN(UniqueFd fd, target.workspace->OpenPath(target.path, O_RDONLY | O_NONBLOCK));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, StrCat({"stat ", target.path}));
  if (S_ISDIR(st.st_mode)) return DirectoryContents(*target.workspace, uri, target.path, std::move(fd));
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(StrCat({target.path, " is not a regular file or a directory"}));
  }
  return FileContents(uri, target.path, std::move(fd), static_cast<size_t>(st.st_size));
}

std::vector<Json> WorkspaceResources::ListTopLevel() const {
  std::vector<Json> out;
  for (const auto& ws : workspaces_.list()) {
    Result<UniqueFd> fd = ws->OpenPath("/", O_RDONLY | O_DIRECTORY);
    if (!fd.ok()) continue;
    bool more = false;
    auto entries = ReadDirectory(std::move(fd).value(), kMaxTopLevelEntries, &more);
    if (!entries.ok()) continue;
    for (const ns::Mount* m : ws->mounts().ChildMounts("/")) entries->emplace_back(m->path.substr(1), true);
    std::sort(entries->begin(), entries->end());
    entries->erase(std::unique(entries->begin(), entries->end()), entries->end());
    for (const auto& [name, is_dir] : *entries) {
      std::string path = ChildPath("/", name);
      Json d = {{"uri", WorkspaceUri(*ws, path)}, {"name", name}, {"title", StrCat({ws->name(), ":", path})}};
      d["mimeType"] = is_dir ? std::string(kDirectoryMime) : MediaTypeFor(path, "");
      out.push_back(std::move(d));
    }
  }
  return out;
}

void WorkspaceResources::OnInterest(const std::string& uri, bool interested) {
  if (!interested) {
    Watched gone;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = watched_.find(uri);
      if (it == watched_.end()) return;
      gone = it->second;
      watched_.erase(it);
    }
    if (watcher_) watcher_->Unwatch(gone.handle);
    return;
  }
  Result<Target> target = Parse(uri);
  if (!target.ok()) return;  // not ours, or names nothing: nothing to watch
  Watched w{target->workspace->id(), target->path, false, 0};
  Result<UniqueFd> fd = target->workspace->OpenPath(target->path, O_PATH);
  struct stat st {};
  w.is_dir = fd.ok() && ::fstat(fd->get(), &st) == 0 && S_ISDIR(st.st_mode);
  // Called unlocked (see the header of OnChange): hook calls are serialised
  // by the registry, so nothing else starts or watches meanwhile.
  if (!watcher_) {
    auto started = ns::ChangeWatcher::Start([this](const ns::ChangeEvent& e) { OnChange(e); });
    if (!started.ok()) {
      WEFT_LOG(kWarning) << "resource subscriptions get no updates: " << started.status().message();
      return;
    }
    watcher_ = std::move(started).value();
  }
  Result<uint64_t> handle = watcher_->WatchDir(*target->workspace, w.is_dir ? w.path : ParentPath(w.path));
  if (!handle.ok()) {
    WEFT_LOG(kWarning) << "cannot watch " << uri << " for updates: " << handle.status().message();
    return;
  }
  w.handle = *handle;
  std::lock_guard<std::mutex> lock(mu_);
  watched_[uri] = std::move(w);
}

// Runs on the watcher's thread. Takes mu_ only to match, never while calling
// the watcher, so the watcher may hold its own lock while it delivers.
void WorkspaceResources::OnChange(const ns::ChangeEvent& event) {
  std::vector<std::string> updated;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [uri, w] : watched_) {
      if (w.workspace_id != event.workspace_id) continue;
      bool hit = event.path == w.path || (w.is_dir && ParentPath(event.path) == w.path);
      if (hit) updated.push_back(uri);
    }
  }
  for (const std::string& uri : updated) resources_.NotifyUpdated(uri);
}

}  // namespace weft::mcp
