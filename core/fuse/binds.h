// BindSet: a workspace's host binds as the mount serves them — each bind's
// root descriptor, whether it is read-only, and where further binds sit in
// the namespace (their names appear in the parent's listing; lookup crosses
// into their roots). Immutable after Make; thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/ns/workspace.h"

namespace weft::fuse {

struct Bind {
  std::string path;      // canonical namespace path ("/" for the primary bind)
  std::string host_dir;  // the source directory, for messages
  int root_fd = -1;      // O_PATH root, owned by the Workspace
  bool read_only = false;
};

// A bind directly below a directory of the namespace.
struct ChildBind {
  std::string name;  // one component
  uint32_t bind = 0;
};

class BindSet {
 public:
  // The host binds of `ws` (which must outlive the set), all read-only when
  // `read_only` or the workspace is. kFailedPrecondition when "/" is not a
  // host bind; node binds are left out (not served yet).
  static Result<BindSet> Make(const ns::Workspace& ws, bool read_only);

  const Bind& at(uint32_t index) const { return binds_[index]; }
  size_t size() const { return binds_.size(); }
  static constexpr uint32_t kPrimary = 0;
  // Writes through bind `index` are refused (EROFS): the bind is :ro or the
  // whole workspace is read-only.
  bool ReadOnly(uint32_t index) const { return read_only_ || binds_[index].read_only; }

  // The bind whose namespace path is exactly `ns_path`, or -1.
  int BindAt(std::string_view ns_path) const;
  // Some bind lies strictly below `ns_path` (so the directory is on the way
  // to a bind and must keep its place: no rename, no rmdir).
  bool LeadsToBind(std::string_view ns_path) const;
  // The binds directly below `dir`, by name.
  std::vector<ChildBind> ChildrenOf(std::string_view dir) const;

  // `parent`'s namespace path joined with one component.
  static std::string Join(std::string_view parent, std::string_view name);

 private:
  std::vector<Bind> binds_;  // binds_[0] is "/"
  bool read_only_ = false;
};

}  // namespace weft::fuse
