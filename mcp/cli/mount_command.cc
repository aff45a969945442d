// weft mount / weft umount: a workspace FUSE-mounted at a directory
// (docs/mount.md). A thin wrapper around fuse::MountSession: without
// --foreground the command starts itself again in the background
// (--foreground --ready-fd N, its own session, logging to a file under the
// state directory) and returns once that server says the mount answers.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/base/log.h"
#include "core/base/state_dir.h"
#include "core/base/strings.h"
#include "core/fuse/mount_point.h"
#include "core/fuse/mount_session.h"
#include "core/store/store.h"
#include "core/venoms/builtin.h"
#include "core/venoms/registry.h"
#include "core/weftdir/weft_dir.h"
#include "mcp/cli/commands.h"
#include "mcp/cli/flags.h"
#include "mcp/cli/grant_setup.h"
#include "mcp/cli/workspace_setup.h"

extern char** environ;

namespace weft::cli {
namespace {

constexpr const char kMountUsage[] =
    "Usage: weft mount DIR [--workspace ID|DIR] [--read-only] [--foreground] [options]\n"
    "\n"
    "Mounts a workspace's namespace at DIR with FUSE, so any tool (git, rg, make,\n"
    "an editor) works in it: the binds pass through to their host directories and\n"
    "/.weft (not listed, but there) is weft's own tree. Returns once the mount\n"
    "answers; the server stays in the background until `weft umount DIR`.\n"
    "\n"
    "Options:\n"
    "  --workspace ID|DIR   the workspace: a recorded id or name, or a directory\n"
    "                       (default: the current directory)\n"
    "  --read-only          refuse every change through the mount (EROFS)\n"
    "  --token-env          run under the grant whose token $WEFT_TOKEN holds (what\n"
    "                       spawned agents get): read-only unless it may write all of\n"
    "                       the workspace; its call files are checked against it\n"
    "  --foreground         serve in this process until SIGINT/SIGTERM or unmount\n"
    "  --state DIR          state directory (default $XDG_STATE_HOME/weft); the\n"
    "                       background server logs to DIR/mounts/\n"
    "  --log-level LEVEL    debug, info, warning, error or off (default info)\n"
    "  --log-file PATH      append logs to PATH\n";

constexpr const char kUmountUsage[] =
    "Usage: weft umount DIR [--lazy]\n"
    "\n"
    "Unmounts the weft mount at DIR (its server then exits), or clears a stale\n"
    "one left by a server that died. A mount still in use is refused unless\n"
    "--lazy: then it is detached at once and goes when the last file is closed.\n";

int Fail(const char* cmd, const Status& s) {
  std::fprintf(stderr, "weft %s: %s\n", cmd, s.message().c_str());
  return 1;
}

// The workspace named by --workspace (a directory, or a recorded id or
// name), opened with its recorded binds.
Result<std::unique_ptr<ns::Workspace>> OpenMountWorkspace(const Flags& flags, store::Store& db, bool read_only) {
  std::string which = flags.Get("workspace").value_or(std::filesystem::current_path().string());
  struct stat st {};
  store::WorkspaceRecord record;
  if (::stat(which.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    char real[PATH_MAX];
    if (::realpath(which.c_str(), real) == nullptr) return Status::FromErrno(errno, which);
    WEFT_ASSIGN_OR_RETURN(record, db.EnsureWorkspace(real));
  } else {
    WEFT_ASSIGN_OR_RETURN(record, db.GetWorkspace(which));
  }
  // A read-only mount's /.weft call files may not write either.
  return OpenRecordedWorkspace(record, read_only);
}

// The grant the mount runs under (docs/grants.md): with --token-env, one
// derived from the grant $WEFT_TOKEN stands for; else a root grant of its
// own. Read-only with --read-only. A mount shows the whole workspace, so
// the grant must read all of it.
Result<std::unique_ptr<GrantHost>> MountGrant(const Flags& flags, store::Store& db, const std::string& dir) {
  std::string subject = StrCat({"weft mount ", dir, " (pid ", std::to_string(::getpid()), ")"});
  grants::GrantRequest request;
  request.read_only = flags.Has("read-only");
  std::unique_ptr<GrantHost> host;
  if (flags.Has("token-env")) {
    const char* token = std::getenv("WEFT_TOKEN");
    if (token == nullptr || token[0] == '\0') {
      return Status::InvalidArgument("--token-env: WEFT_TOKEN is not set; it holds the bearer token of the grant to "
                                     "mount under");
    }
    Result<std::unique_ptr<GrantHost>> under = GrantHost::StartUnder(db, token, request, subject);
    if (!under.ok()) return under.status().WithContext("--token-env: the grant of $WEFT_TOKEN");
    host = std::move(under).value();
  } else {
    WEFT_ASSIGN_OR_RETURN(grants::Grant rules, grants::Derive(grants::Universal(), request, db.Now()));
    WEFT_ASSIGN_OR_RETURN(host, GrantHost::Start(db, subject, std::move(rules)));
  }
  if (!grants::CanRead(host->grant(), "/")) {
    return grants::DenialStatus(grants::Denial::kPermissionDenied,
                                "a mount shows the whole workspace, and this grant may not read all of it (\"/\")");
  }
  return host;
}

std::string MountLogPath(const std::string& state_dir, const std::string& dir) {
  std::string base = std::filesystem::path(dir).filename().string();
  char hash[17];
  std::snprintf(hash, sizeof(hash), "%016zx", std::hash<std::string>()(dir));
  return StrCat({state_dir, "/mounts/", base.empty() ? "root" : base, "-", std::string(hash, 8), ".log"});
}

// Starts `weft mount … --foreground --ready-fd 3` in its own session and
// waits for its word: "ok" once the mount answers, or why it failed.
int MountInBackground(const std::vector<std::string>& args, const std::string& dir, const std::string& log) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Fail("mount", Status::FromErrno(errno, "pipe"));
  std::vector<std::string> argv = {SelfExecutablePath(), "mount"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--foreground", "--ready-fd", "3", "--log-file", log});
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t pid = 0;
  int err = ::posix_spawn(&pid, cargv[0], &actions, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (err != 0) {
    ::close(fds[0]);
    return Fail("mount", Status::FromErrno(err, "starting the mount server"));
  }
  std::string word;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) word.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (word != "ok\n") {
    std::fprintf(stderr, "weft mount: %s\n",
                 word.empty() ? ("the mount server exited early; see " + log).c_str() : word.c_str());
    return 1;
  }
  std::fprintf(stderr, "weft: mounted at %s (server pid %d, log %s); `weft umount %s` unmounts it\n", dir.c_str(),
               static_cast<int>(pid), log.c_str(), dir.c_str());
  return 0;
}

int Tell(int ready_fd, const std::string& word) {
  if (ready_fd >= 0) {
    if (::write(ready_fd, word.data(), word.size()) < 0) {
      WEFT_LOG(kWarning) << "mount: nobody is waiting for the ready word";
    }
    ::close(ready_fd);
  }
  return 0;
}

int MountInForeground(const Flags& flags, const std::string& dir, const std::string& state_dir, int ready_fd) {
  // Signals end the mount; they are blocked before any thread starts, so
  // only the sigwait thread sees them.
  sigset_t stop;
  sigemptyset(&stop);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop, sig);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  ::umask(0);  // the kernel has applied the caller's umask to every mode already
  Result<std::unique_ptr<store::Store>> db = store::Store::Open(store::Store::PathIn(state_dir));
  if (!db.ok()) {
    Tell(ready_fd, db.status().message() + "\n");
    return Fail("mount", db.status());
  }
  Result<std::unique_ptr<GrantHost>> granted = MountGrant(flags, **db, dir);
  if (!granted.ok()) {
    Tell(ready_fd, granted.status().message() + "\n");
    return Fail("mount", granted.status());
  }
  std::unique_ptr<GrantHost> grant_host = std::move(granted).value();
  // Without write on all of "/", the mount is read-only: FUSE writes pass
  // through to the binds unchecked by path.
  bool read_only = flags.Has("read-only") || !grants::CanWrite(grant_host->grant(), "/");
  Result<std::unique_ptr<ns::Workspace>> ws = OpenMountWorkspace(flags, **db, read_only);
  if (!ws.ok()) {
    Tell(ready_fd, ws.status().message() + "\n");
    return Fail("mount", ws.status());
  }
  // /.weft: the venom registry over this one workspace, as `weft call` sees it.
  ns::Workspaces workspaces;
  const ns::Workspace& workspace = **ws;
  workspaces.Add(std::move(ws).value());
  venoms::Registry registry;
  venoms::RegisterBuiltinVenoms(registry, workspaces);
  grant_host->SetSurface(&registry, &workspaces);
  std::unique_ptr<weftdir::NodeTree> tree = weftdir::NewWeftDir(workspace, registry, SystemClock::Get(),
                                                                grant_host->CallGate(StrCat({"mount ", dir})));
  fuse::MountOptions options;
  options.read_only = read_only;
  options.debug = GetLogLevel() == LogLevel::kDebug;
  auto session = fuse::MountSession::Start(workspace, dir, options, tree.get());
  if (!session.ok()) {
    Tell(ready_fd, session.status().message() + "\n");
    return Fail("mount", session.status());
  }
  fuse::MountSession* raw = session->get();
  std::thread([raw, stop] {
    int sig = 0;
    if (sigwait(&stop, &sig) == 0) {
      WEFT_LOG(kInfo) << "mount: signal " << sig << ": unmounting";
      raw->Stop();
    }
  }).detach();
  WEFT_LOG(kInfo) << "weft " << kVersion << " serving workspace " << workspace.name() << " at " << dir;
  Tell(ready_fd, "ok\n");
  (*session)->Wait();
  (*session)->Stop();
  return 0;
}

}  // namespace

int RunMount(const std::vector<std::string>& args) {
  Flags flags;
  if (auto code = ParseSubcommandFlags("mount", args, {"read-only", "foreground", "token-env"},
                                       {"workspace", "state", "log-level", "log-file", "ready-fd"}, kMountUsage,
                                       &flags)) {
    return *code;
  }
  if (flags.positional().size() != 1) {
    std::fprintf(stderr, "weft mount: name one directory to mount at\n\n%s", kMountUsage);
    return 2;
  }
  if (auto level = flags.Get("log-level")) {
    LogLevel parsed;
    if (!ParseLogLevel(*level, &parsed)) {
      std::fprintf(stderr, "weft mount: --log-level must be debug, info, warning, error or off\n");
      return 2;
    }
    SetLogLevel(parsed);
  }
  Result<std::string> dir = fuse::CanonicalMountPath(flags.positional()[0]);
  if (!dir.ok()) return Fail("mount", dir.status());
  Result<std::string> state_dir = StateDir(flags.Get("state").value_or(""));
  if (!state_dir.ok()) return Fail("mount", state_dir.status());
  if (!flags.Has("foreground")) {
    std::string log = flags.Get("log-file").value_or(MountLogPath(*state_dir, *dir));
    if (Status s = EnsurePrivateDir(std::filesystem::path(log).parent_path().string()); !s.ok()) {
      return Fail("mount", s);
    }
    std::vector<std::string> forwarded = {*dir, "--state", *state_dir};
    if (auto ws = flags.Get("workspace")) {
      std::string w = *ws;
      struct stat st {};
      if (::stat(w.c_str(), &st) == 0) w = std::filesystem::absolute(w).string();
      forwarded.insert(forwarded.end(), {"--workspace", w});
    }
    if (flags.Has("read-only")) forwarded.push_back("--read-only");
    if (flags.Has("token-env")) forwarded.push_back("--token-env");  // the server inherits $WEFT_TOKEN
    if (auto level = flags.Get("log-level")) forwarded.insert(forwarded.end(), {"--log-level", *level});
    return MountInBackground(forwarded, *dir, log);
  }
  if (auto file = flags.Get("log-file")) {
    if (Status s = SetLogFile(*file); !s.ok()) return Fail("mount", s);
  }
  int ready_fd = -1;
  if (auto fd = flags.Get("ready-fd")) ready_fd = std::atoi(fd->c_str());
  return MountInForeground(flags, *dir, *state_dir, ready_fd);
}

int RunUmount(const std::vector<std::string>& args) {
  Flags flags;
  if (auto code = ParseSubcommandFlags("umount", args, {"lazy"}, {}, kUmountUsage, &flags)) return *code;
  if (flags.positional().size() != 1) {
    std::fprintf(stderr, "weft umount: name the mounted directory\n\n%s", kUmountUsage);
    return 2;
  }
  Result<std::string> dir = fuse::CanonicalMountPath(flags.positional()[0]);
  if (!dir.ok()) return Fail("umount", dir.status());
  if (fuse::IsStaleMount(*dir)) {
    if (Status s = fuse::Unmount(*dir, /*lazy=*/true); !s.ok()) return Fail("umount", s);
    std::fprintf(stderr, "weft umount: cleared a stale mount at %s (its server had died)\n", dir->c_str());
    return 0;
  }
  std::optional<std::string> type = fuse::MountTypeAt(*dir);
  if (type != std::optional<std::string>("fuse.weft")) {
    return Fail("umount", Status::InvalidArgument(StrCat({*dir, " is not a weft mount"})));
  }
  Status s = fuse::Unmount(*dir, flags.Has("lazy"));
  if (s.code() == StatusCode::kFailedPrecondition) {
    std::fprintf(stderr, "weft umount: %s; close what uses it, or detach it now with --lazy\n", s.message().c_str());
    return 1;
  }
  if (!s.ok()) return Fail("umount", s);
  return 0;
}

}  // namespace weft::cli
