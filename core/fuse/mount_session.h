// MountSession: a workspace's namespace FUSE-mounted at a directory
// (DESIGN.md §3; docs/mount.md). The public face of core/fuse: `weft mount`
// is a thin wrapper around it, and the MCP server can host a mount in its
// own process and stop it at exit.
//
//   auto mount = fuse::MountSession::Start(ws, "/mnt/ws", {}, tree);
//   ...                      // any process can use /mnt/ws now
//   mount->reset();          // or (*mount)->Stop(): unmounted, nothing left behind
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/base/result.h"
#include "core/ns/workspace.h"
#include "core/weftdir/synthetic.h"

struct fuse_session;

namespace weft::fuse {

class Filesystem;
class ChangeInvalidator;

struct MountOptions {
  bool read_only = false;  // refuse every change (EROFS), whatever the binds say
  // Kernel cache timeouts, in seconds: for entries and attributes in
  // directories whose changes behind the mount are watched (inotify
  // invalidates them early), and for the rest and /.weft.
  double cache_timeout = 3600;
  double fallback_timeout = 1;
  // FUSE worker threads (started on demand, kept once started: creating
  // and ending threads per request costs more than idle ones). Calls on
  // /.weft call files block a worker each while they run, so there must be
  // room for many.
  unsigned max_threads = 64;
  // The server holds a descriptor for every inode the kernel has cached;
  // past this many, it asks the kernel to drop cached files nothing has
  // open (those looked up longest ago, down to half of this), so
  // that a tree of more files than RLIMIT_NOFILE can be walked. 0:
  // RLIMIT_NOFILE (after it is raised) less a quarter of it, at least 512:
  // room for open files, for what else the process holds (each FUSE worker
  // thread has three) and for what comes in while the kernel lets go.
  // Past it, directory listings also stop making an inode of each entry.
  size_t max_cached_inodes = 0;
  bool debug = false;  // libfuse's per-request trace, to the log
};

class MountSession {
 public:
  // Mounts `ws` at `dir` and returns once the mount answers. A stale mount
  // left at `dir` by a server that died is cleared first. Refuses a `dir`
  // that is already a mount point, is not a directory, or lies inside one
  // of the workspace's binds (the mount would serve itself). `ws` and `tree`
  // (may be null: no /.weft) must outlive the session.
  static Result<std::unique_ptr<MountSession>> Start(const ns::Workspace& ws, const std::string& dir,
                                                     const MountOptions& options, weftdir::SyntheticTree* tree);
  // Stops the mount (Stop).
  ~MountSession();
  MountSession(const MountSession&) = delete;
  MountSession& operator=(const MountSession&) = delete;

  // Unmounts and stops serving: running calls are cancelled, the request
  // loop ends, the mount point is detached (lazily, if a process still has
  // a file open there: it goes when they let go, and their further reads
  // fail with ENOTCONN). Idempotent; thread-safe; blocks until done.
  void Stop();
  // Blocks until the mount ends: Stop, or unmounted from outside (`weft
  // umount`, fusermount3 -u).
  void Wait();
  bool ended() const;
  const std::string& dir() const { return dir_; }

 private:
  MountSession() = default;
  void Serve(unsigned max_threads);
  Status WaitUntilAnswering();
  std::thread WakeLoop();

  std::string dir_;
  std::unique_ptr<Filesystem> fs_;
  fuse_session* session_ = nullptr;
  std::unique_ptr<ChangeInvalidator> invalidator_;
  std::thread loop_;

  mutable std::mutex mu_;  // guards ended_
  std::condition_variable ended_cv_;
  bool ended_ = false;
  std::mutex stop_mu_;  // serialises Stop; taken before mu_
  bool stopped_ = false;
};

}  // namespace weft::fuse
