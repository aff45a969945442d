// BindSet: the workspace's host binds, indexed for the mount.
#include "core/fuse/binds.h"

#include "core/base/strings.h"

namespace weft::fuse {

Result<BindSet> BindSet::Make(const ns::Workspace& ws, bool read_only) {
  BindSet set;
  set.read_only_ = read_only || ws.read_only();
  for (const ns::Mount& m : ws.mounts().mounts()) {
    if (m.source.kind != ns::Source::Kind::kHost) continue;
    Result<ns::Place> place = ws.Locate(m.path, ns::Access::kRead);
    if (!place.ok()) return place.status();
    Bind b{m.path, m.source.dir, place->root_fd, m.source.read_only};
    if (m.path == "/") {
      set.binds_.insert(set.binds_.begin(), std::move(b));
    } else {
      set.binds_.push_back(std::move(b));
    }
  }
  if (set.binds_.empty() || set.binds_[0].path != "/") {
    return Status::FailedPrecondition(
        StrCat({"workspace ", ws.name(), " has no host directory bound at /; a mount needs one"}));
  }
  return set;
}

int BindSet::BindAt(std::string_view ns_path) const {
  for (size_t i = 0; i < binds_.size(); ++i) {
    if (binds_[i].path == ns_path) return static_cast<int>(i);
  }
  return -1;
}

bool BindSet::LeadsToBind(std::string_view ns_path) const {
  std::string prefix = ns_path == "/" ? "/" : StrCat({ns_path, "/"});
  for (const Bind& b : binds_) {
    if (b.path.size() > prefix.size() && b.path.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

std::vector<ChildBind> BindSet::ChildrenOf(std::string_view dir) const {
  std::vector<ChildBind> out;
  std::string prefix = dir == "/" ? "/" : StrCat({dir, "/"});
  for (size_t i = 0; i < binds_.size(); ++i) {
    const std::string& p = binds_[i].path;
    if (p.size() > prefix.size() && p.compare(0, prefix.size(), prefix) == 0 &&
        p.find('/', prefix.size()) == std::string::npos) {
      out.push_back({p.substr(prefix.size()), static_cast<uint32_t>(i)});
    }
  }
  return out;
}

std::string BindSet::Join(std::string_view parent, std::string_view name) {
  return parent == "/" ? StrCat({"/", name}) : StrCat({parent, "/", name});
}

}  // namespace weft::fuse
