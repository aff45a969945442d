// WeftMount: the mount weft_fuse_bench measures, made with the real binary
// (`weft mount DIR --workspace WS --state STATE`) and always taken down again:
// by `weft umount DIR` at the end, and lazily (`weft umount --lazy`, then
// `umount -l`) when that fails or the benchmark is interrupted.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace weft::bench {

struct MountSpec {
  std::string weft;                     // the weft binary
  std::string dir;                      // mount point (an empty directory)
  std::string workspace;                // the directory served
  std::string state;                    // --state
  std::string log;                      // the server's log (--log-file)
  std::vector<std::string> extra_args;  // more `weft mount` flags, e.g. --log-level debug
};

// Single-threaded use. While a WeftMount is up, SIGINT, SIGTERM and SIGHUP
// detach it (umount2 MNT_DETACH, root only) before the benchmark dies.
class WeftMount {
 public:
  // Mounts and returns once `weft mount` says the mount answers and
  // /proc/self/mounts lists it as fuse.weft. Throws BenchError with the
  // command's and the server's last words otherwise.
  explicit WeftMount(const MountSpec& spec);
  ~WeftMount() { Unmount(); }
  WeftMount(const WeftMount&) = delete;
  WeftMount& operator=(const WeftMount&) = delete;

  // The mount server's pid, from weft mount's message; -1 if it gave none.
  pid_t server_pid() const { return server_pid_; }

  // "" while the mount is up and its server running; otherwise what went
  // wrong (the mount vanished: unmounted or its connection aborted from
  // outside, or the server died), with the end of the server's log.
  std::string Trouble() const;

  // Unmounts (nothing of the mount may be open or be a working directory)
  // and waits up to 5 s for the server to exit. Falls back to a lazy
  // unmount and says so on stderr. Idempotent.
  void Unmount();

 private:
  MountSpec spec_;
  pid_t server_pid_ = -1;
  bool mounted_ = false;
};

// True if /proc/self/mounts lists a mount at `dir` (an absolute path).
bool IsMountPoint(const std::string& dir);

}  // namespace weft::bench
