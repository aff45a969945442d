// MountSession: start, serve, stop.
#include "core/fuse/mount_session.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <vector>

#include "core/base/fd.h"
#include "core/base/log.h"
#include "core/base/random.h"
#include "core/base/strings.h"
#include "core/fuse/filesystem.h"
#include "core/fuse/fuse_api.h"
#include "core/fuse/invalidator.h"
#include "core/fuse/mount_point.h"
#include "core/fuse/ops.h"

namespace weft::fuse {
namespace {

void LogFromFuse(fuse_log_level level, const char* fmt, va_list ap) {
  char buf[1024];
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  std::string line(buf);
  while (!line.empty() && line.back() == '\n') line.pop_back();
  if (level <= FUSE_LOG_ERR) {
    WEFT_LOG(kError) << "libfuse: " << line;
  } else if (level <= FUSE_LOG_NOTICE) {
    WEFT_LOG(kWarning) << "libfuse: " << line;
  } else {
    WEFT_LOG(kDebug) << "libfuse: " << line;
  }
}

// The host directory behind an open descriptor.
std::string FdPath(int fd) {
  char buf[4096];
  std::string proc = FdProcPath(fd);
  ssize_t n = ::readlink(proc.c_str(), buf, sizeof(buf));
  return n > 0 && n < static_cast<ssize_t>(sizeof(buf)) ? std::string(buf, static_cast<size_t>(n)) : "";
}

bool AtOrBelow(const std::string& path, const std::string& dir) {
  if (dir.empty()) return false;
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

Status CheckMountPoint(const std::string& dir, const BindSet& binds) {
  if (IsStaleMount(dir)) {
    WEFT_LOG(kWarning) << "fuse: clearing a stale mount at " << dir << " (its server is gone)";
    WEFT_RETURN_IF_ERROR(Unmount(dir, /*lazy=*/true).WithContext("clearing the stale mount"));
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return Status::FromErrno(errno, StrCat({"mount point ", dir}));
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(StrCat({"mount point ", dir, " is not a directory"}));
  if (std::optional<std::string> type = MountTypeAt(dir)) {
    return Status::AlreadyExists(
        StrCat({dir, " is already a mount point (", *type, "); unmount it first (weft umount ", dir, ")"}));
  }
  for (size_t i = 0; i < binds.size(); ++i) {
    std::string host = FdPath(binds.at(static_cast<uint32_t>(i)).root_fd);
    if (AtOrBelow(dir, host)) {
      return Status::InvalidArgument(StrCat({"mount point ", dir, " lies inside bind ", binds.at(static_cast<uint32_t>(i)).path,
                                             " (", host, "); the mount would serve itself. Pick a directory outside it"}));
    }
  }
  return Status::Ok();
}

// Sequential reads through the mount go as far ahead as the kernel lets
// them; FUSE's default read-ahead (128 KiB) is raised where we may (root).
void RaiseReadAhead(const std::string& dir) {
  struct stat st {};
  if (::geteuid() != 0 || ::stat(dir.c_str(), &st) != 0) return;
  std::string path = StrCat({"/sys/class/bdi/", std::to_string(major(st.st_dev)), ":",
                             std::to_string(minor(st.st_dev)), "/read_ahead_kb"});
  std::ofstream out(path);
  if (out) out << "1024\n";
}

// Every inode the kernel knows holds a descriptor (the passthrough_hp
// model), so a tree of more files than RLIMIT_NOFILE would fail with
// EMFILE once the kernel had cached that many. The limit goes up to the
// most the kernel allows a process (fs.nr_open) where the process may raise
// its hard limit (CAP_SYS_RESOURCE), else the soft limit up to the hard one,
// as passthrough_hp does.
void RaiseOpenFileLimit() {
  rlimit lim {};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  rlim_t was = lim.rlim_cur;
  rlim_t most = 0;
  if (std::ifstream in("/proc/sys/fs/nr_open"); !(in >> most)) most = 0;
  if (most > lim.rlim_max && lim.rlim_max != RLIM_INFINITY) {
    rlimit wider{most, most};
    if (::setrlimit(RLIMIT_NOFILE, &wider) == 0) lim = wider;
  }
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  }
  if (lim.rlim_cur != was) {
    WEFT_LOG(kDebug) << "fuse: open file limit raised from " << was << " to " << lim.rlim_cur;
  }
}

std::string SafeFsName(const std::string& name) {
  std::string out;
  for (char c : name) out.push_back(c == ',' || c == ' ' || c == '\\' || c < 0x20 ? '_' : c);
  return out;
}

}  // namespace

Result<std::unique_ptr<MountSession>> MountSession::Start(const ns::Workspace& ws, const std::string& dir,
                                                          const MountOptions& options,
                                                          weftdir::SyntheticTree* tree) {
  static std::once_flag once;
  std::call_once(once, [] { fuse_set_log_func(LogFromFuse); });
  RaiseOpenFileLimit();  // at every mount: something may have lowered it since

  WEFT_ASSIGN_OR_RETURN(std::string path, CanonicalMountPath(dir));
  WEFT_ASSIGN_OR_RETURN(BindSet binds, BindSet::Make(ws, options.read_only));
  WEFT_RETURN_IF_ERROR(CheckMountPoint(path, binds));

  std::unique_ptr<MountSession> m(new MountSession());
  m->dir_ = path;
  FsConfig config{options.cache_timeout, options.fallback_timeout, options.max_cached_inodes};
  if (config.prune_above == 0) {
    rlimit lim {};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
      // Room for open files and whatever else the process holds, and for
      // what comes in before the kernel lets go.
      rlim_t room = std::max<rlim_t>(lim.rlim_cur / 4, 512);
      config.prune_above = lim.rlim_cur > 2 * room ? static_cast<size_t>(lim.rlim_cur - room)
                                                   : static_cast<size_t>(lim.rlim_cur / 2);
    }
  }
  WEFT_ASSIGN_OR_RETURN(m->fs_, Filesystem::Make(std::move(binds), config, tree));

  std::vector<std::string> args = {"weft", "-o", StrCat({"fsname=weft:", SafeFsName(ws.name()), ",subtype=weft"})};
  if (options.debug) args.push_back("-d");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  fuse_lowlevel_ops ops = MakeOperations();
  m->session_ = fuse_session_new(&fargs, &ops, sizeof(ops), m->fs_.get());
  fuse_opt_free_args(&fargs);
  if (m->session_ == nullptr) return Status::Internal("fuse_session_new failed (see the log)");
  if (fuse_session_mount(m->session_, path.c_str()) != 0) {
    fuse_session_destroy(m->session_);
    m->session_ = nullptr;
    return Status::Unavailable(StrCat({"cannot mount at ", path,
                                       " (is /dev/fuse there and usable, and fusermount3 installed?)"}));
  }
  Result<std::unique_ptr<ChangeInvalidator>> inv = ChangeInvalidator::Start(m->session_, &m->fs_->table());
  if (inv.ok()) {
    m->invalidator_ = std::move(inv).value();
    m->fs_->SetInvalidator(m->invalidator_.get());
  } else {
    WEFT_LOG(kWarning) << "fuse: no change watching (" << inv.status().message()
                       << "); changes behind the mount show after " << options.fallback_timeout << " s";
  }
  unsigned max_threads = options.max_threads;
  MountSession* raw = m.get();
  m->loop_ = std::thread([raw, max_threads] { raw->Serve(max_threads); });
  if (Status s = m->WaitUntilAnswering(); !s.ok()) return s;  // the destructor unmounts
  RaiseReadAhead(path);
  WEFT_LOG(kInfo) << "fuse: mounted workspace " << ws.name() << " at " << path;
  return m;
}

void MountSession::Serve(unsigned max_threads) {
  // Signals belong to the host process's own handling, never to workers
  // (they inherit this mask).
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  fuse_loop_config* cfg = fuse_loop_cfg_create();
  fuse_loop_cfg_set_clone_fd(cfg, 1);
  fuse_loop_cfg_set_max_threads(cfg, max_threads);
  int res = fuse_session_loop_mt(session_, cfg);
  fuse_loop_cfg_destroy(cfg);
  if (res != 0) {
    WEFT_LOG(kInfo) << "fuse: request loop for " << dir_ << " ended (" << res << ")";
  }
  std::lock_guard<std::mutex> lock(mu_);
  ended_ = true;
  ended_cv_.notify_all();
}

Status MountSession::WaitUntilAnswering() {
  // The first request waits for the kernel's INIT to be answered.
  struct stat st {};
  if (::stat(dir_.c_str(), &st) != 0) return Status::FromErrno(errno, StrCat({"the new mount at ", dir_}));
  if (MountTypeAt(dir_) != std::optional<std::string>("fuse.weft")) {
    return Status::Internal(StrCat({"the mount at ", dir_, " did not appear"}));
  }
  return Status::Ok();
}

std::thread MountSession::WakeLoop() {
  // Workers sleep in read(/dev/fuse) until a request comes; one request
  // for a name nobody has asked about reaches a worker, which then sees
  // the session has exited and ends the loop. The loop may also have ended
  // on its own (a worker busy when the session exited sees it, and libfuse
  // cancels the others), and then nobody answers the probe: it runs on its
  // own thread, which the connection's teardown releases (ENOTCONN).
  std::string probe = StrCat({dir_, "/.weft-stop-", RandomHex(8)});
  return std::thread([probe] {
    struct stat st {};
    ::lstat(probe.c_str(), &st);
  });
}

void MountSession::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  // The watcher's thread first: its invalidations may wait on the kernel,
  // which may wait on a request only a running loop answers. The object
  // stays until the loop is gone (handlers note their changes in it).
  if (invalidator_) invalidator_->StopThread();
  if (fs_) fs_->CancelCalls();
  if (session_ != nullptr) {
    fuse_session_exit(session_);
    std::thread waker;
    if (loop_.joinable()) {
      if (!ended()) waker = WakeLoop();
      loop_.join();
    }
    if (fs_) fs_->SetInvalidator(nullptr);
    invalidator_.reset();
    fuse_session_unmount(session_);
    fuse_session_destroy(session_);  // closes /dev/fuse: requests nobody will answer fail
    session_ = nullptr;
    if (waker.joinable()) waker.join();
    WEFT_LOG(kInfo) << "fuse: unmounted " << dir_;
  }
  if (fs_) fs_->SetInvalidator(nullptr);
  invalidator_.reset();
  fs_.reset();
  std::lock_guard<std::mutex> lock(mu_);
  ended_ = true;
  ended_cv_.notify_all();
}

MountSession::~MountSession() { Stop(); }

void MountSession::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  ended_cv_.wait(lock, [this] { return ended_; });
}

bool MountSession::ended() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ended_;
}

}  // namespace weft::fuse
