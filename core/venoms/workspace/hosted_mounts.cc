// HostedMounts: mount sessions hosted by this process.
#include "core/venoms/workspace/hosted_mounts.h"

#include "core/base/strings.h"
#include "core/fuse/mount_point.h"
#include "core/fuse/mount_session.h"
#include "core/weftdir/weft_dir.h"

namespace weft::venoms {

struct HostedMounts::Entry {
  HostedMount info;
  // The tree outlives the session that serves it (members end in reverse).
  std::unique_ptr<weftdir::NodeTree> tree;
  std::unique_ptr<fuse::MountSession> session;
};

HostedMounts::HostedMounts(const Registry& registry) : registry_(registry) {}

HostedMounts::~HostedMounts() {
  std::lock_guard<std::mutex> lock(mu_);
  // Newest first: a mount made inside an older one's directory goes first.
  while (!entries_.empty()) entries_.pop_back();
}

void HostedMounts::PruneEnded() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = (*it)->session->ended() ? entries_.erase(it) : std::next(it);
  }
}

Result<HostedMount> HostedMounts::Mount(const ns::Workspace& ws, const std::string& dir, bool read_only,
                                        const grants::Grant* caller) {
  WEFT_ASSIGN_OR_RETURN(std::string path, fuse::CanonicalMountPath(dir));
  std::lock_guard<std::mutex> lock(mu_);
  PruneEnded();
  for (const auto& e : entries_) {
    if (e->info.dir == path) {
      return Status::AlreadyExists(StrCat({"workspace ", e->info.workspace_id, " is already mounted at ", path,
                                           " by this server; workspace_unmount it first"}));
    }
  }
  std::shared_ptr<weftdir::CallGate> gate;
  if (caller != nullptr && gates_) {
    WEFT_ASSIGN_OR_RETURN(gate, gates_(*caller, path, read_only || ws.read_only()));
  }
  auto entry = std::make_unique<Entry>();
  entry->info = HostedMount{path, ws.id(), read_only || ws.read_only()};
  entry->tree = weftdir::NewWeftDir(ws, registry_, SystemClock::Get(), std::move(gate));
  fuse::MountOptions options;
  options.read_only = read_only;
  WEFT_ASSIGN_OR_RETURN(entry->session, fuse::MountSession::Start(ws, path, options, entry->tree.get()));
  HostedMount info = entry->info;
  entries_.push_back(std::move(entry));
  return info;
}

Result<HostedMount> HostedMounts::Unmount(const std::string& dir) {
  WEFT_ASSIGN_OR_RETURN(std::string path, fuse::CanonicalMountPath(dir));
  std::unique_ptr<Entry> found;
  {
    std::lock_guard<std::mutex> lock(mu_);
    PruneEnded();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if ((*it)->info.dir == path) {
        found = std::move(*it);
        entries_.erase(it);
        break;
      }
    }
    if (!found) {
      std::string hosted;
      for (const auto& e : entries_) hosted += StrCat({hosted.empty() ? "" : ", ", e->info.dir});
      return Status::NotFound(StrCat({"this server hosts no mount at ", path, "; ",
                                      hosted.empty() ? std::string("it hosts none") : "it hosts: " + hosted,
                                      ". A mount made by `weft mount` is undone with `weft umount`"}));
    }
  }
  HostedMount info = found->info;
  found->session->Stop();
  return info;
}

std::vector<HostedMount> HostedMounts::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<HostedMount> out;
  for (const auto& e : entries_) {
    if (!e->session->ended()) out.push_back(e->info);
  }
  return out;
}

}  // namespace weft::venoms
