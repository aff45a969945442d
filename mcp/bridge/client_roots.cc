// ClientRootScopes: root URIs → host directories → narrowed workspaces.
#include "mcp/bridge/client_roots.h"

#include <limits.h>
#include <stdlib.h>

#include "core/base/log.h"
#include "core/base/strings.h"
#include "mcp/bridge/workspace_resources.h"

namespace weft::mcp {
namespace {

// Sets of distinct roots kept; beyond it, sets no session holds are dropped.
constexpr size_t kMaxCachedRootSets = 32;

// The directory a root names on this host, symlinks resolved so that it
// compares with the binds' directories; nullopt when it does not exist here.
std::optional<std::string> HostDir(const std::string& uri) {
  std::optional<std::string> path = FileUriPath(uri);
  if (!path) return std::nullopt;
  char resolved[PATH_MAX];
  if (::realpath(path->c_str(), resolved) == nullptr) return std::nullopt;
  return std::string(resolved);
}

}  // namespace

std::optional<std::string> FileUriPath(std::string_view uri) {
  constexpr std::string_view kScheme = "file://";
  if (uri.size() < kScheme.size() || uri.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  std::string_view rest = uri.substr(kScheme.size());
  if (rest.substr(0, 9) == "localhost") rest.remove_prefix(9);
  if (rest.empty() || rest.front() != '/') return std::nullopt;  // another host, or no path
  size_t end = rest.find_first_of("?#");
  if (end != std::string_view::npos) rest = rest.substr(0, end);
  Result<std::string> decoded = DecodeUriPath(rest);
  if (!decoded.ok()) return std::nullopt;
  std::string path = std::move(decoded).value();
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::shared_ptr<const ns::Workspaces> ClientRootScopes::For(RequestContext& ctx) {
  std::optional<std::vector<std::string>> roots = ctx.ClientRoots();
  if (!roots) return nullptr;
  return For(*roots);
}

std::shared_ptr<const ns::Workspaces> ClientRootScopes::For(const std::vector<std::string>& root_uris) {
  if (root_uris.empty()) return nullptr;  // a client with no roots asks for nothing narrower
  std::string key;
  for (const std::string& uri : root_uris) key += StrCat({uri, "\n"});
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  std::shared_ptr<const ns::Workspaces> built = Build(root_uris);
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= kMaxCachedRootSets) {
    for (auto it = cache_.begin(); it != cache_.end();) {
      it = it->second.use_count() <= 1 ? cache_.erase(it) : std::next(it);
    }
  }
  return cache_.emplace(key, std::move(built)).first->second;
}

std::shared_ptr<const ns::Workspaces> ClientRootScopes::Build(const std::vector<std::string>& root_uris) const {
  std::vector<std::string> dirs;
  for (const std::string& uri : root_uris) {
    if (std::optional<std::string> dir = HostDir(uri)) {
      dirs.push_back(std::move(*dir));
    } else {
      WEFT_LOG(kInfo) << "client root " << uri << " is not a directory on this host; it narrows nothing";
    }
  }
  auto scoped = std::make_shared<ns::Workspaces>();
  bool narrowed = false;
  for (const auto& ws : workspaces_.list()) {
    std::vector<std::string> covered;
    for (const std::string& dir : dirs) {
      for (std::string& path : ws->NsPathsOfHostDir(dir)) covered.push_back(std::move(path));
    }
    std::string why;
    bool whole = true;  // every bind lies at or below a covered path
    for (const ns::Mount& m : ws->mounts().mounts()) {
      bool in = false;
      for (const std::string& c : covered) in = in || ns::PathWithin(m.path, c);
      whole = whole && in;
    }
    if (covered.empty() || whole) {
      if (!whole) {
        WEFT_LOG(kInfo) << "the client's roots share nothing with workspace " << ws->name() << "; serving it whole";
      }
      covered.clear();
      for (const ns::Mount& m : ws->mounts().mounts()) covered.push_back(m.path);
    } else {
      std::string list;
      for (const std::string& path : covered) list += StrCat({list.empty() ? "" : ", ", path});
      why = StrCat({"the client's roots limit this session to ", list});
      narrowed = true;
    }
    Result<std::unique_ptr<ns::Workspace>> view = ws->Narrow(std::move(covered), why);
    if (!view.ok()) {
      WEFT_LOG(kWarning) << "cannot narrow workspace " << ws->name() << " to the client's roots ("
                         << view.status().message() << "); serving it whole";
      return nullptr;
    }
    if (!why.empty()) {
      WEFT_LOG(kInfo) << "workspace " << ws->name() << ": " << why;
    }
    scoped->Add(std::move(view).value());
  }
  if (!narrowed) return nullptr;
  return scoped;
}

}  // namespace weft::mcp
