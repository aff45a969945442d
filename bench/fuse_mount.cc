// The weft mount under benchmark; see fuse_mount.h.
#include "bench/fuse_mount.h"

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "bench/bench_util.h"

namespace weft::bench {
namespace {

// The mount point the signal handler detaches; empty while nothing is mounted.
char g_mount_dir[4096];
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_saved[3];

void DetachAndDie(int sig) {
  if (g_mount_dir[0] != '\0') ::umount2(g_mount_dir, MNT_DETACH);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void GuardSignals(const std::string& dir) {
  std::strncpy(g_mount_dir, dir.c_str(), sizeof(g_mount_dir) - 1);
  struct sigaction sa {};
  sa.sa_handler = DetachAndDie;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &sa, &g_saved[i]);
}

void UnguardSignals() {
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &g_saved[i], nullptr);
  g_mount_dir[0] = '\0';
}

// `path` as /proc/self/mounts writes it (octal escapes for blanks and '\').
std::string MountsEscaped(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\%03o", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

// True once `pid` has exited (gone, or a zombie nobody has reaped yet).
bool Exited(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return true;
  size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z';
}

// Runs a cleanup command; its failure is only reported.
void TryRun(const std::vector<std::string>& argv, const std::string& err_path) {
  try {
    RunCommand(argv, "", err_path);
  } catch (const BenchError& e) {
    std::cerr << "weft_fuse_bench: " << e.what() << "\n";
  }
}

}  // namespace

bool IsMountPoint(const std::string& dir) {
  const std::string want = MountsEscaped(dir);
  std::ifstream in("/proc/self/mounts");
  std::string source, target;
  std::string rest;
  while (in >> source >> target && std::getline(in, rest)) {
    if (target == want) return true;
  }
  return false;
}

WeftMount::WeftMount(const MountSpec& spec) : spec_(spec) {
  std::vector<std::string> argv = {spec.weft,  "mount",   spec.dir,   "--workspace", spec.workspace,
                                   "--state",  spec.state, "--log-file", spec.log};
  argv.insert(argv.end(), spec.extra_args.begin(), spec.extra_args.end());
  const std::string err_path = NewTempFile("mount-cmd");
  CommandRun run = RunCommand(argv, "", err_path);
  const std::string said = FileTail(err_path, 4000);
  ::unlink(err_path.c_str());
  if (run.status != 0) {
    throw BenchError("weft mount failed (exit " + std::to_string(run.status) + "): " + said +
                     "server log (" + spec.log + "):\n" + FileTail(spec.log, 4000));
  }
  mounted_ = true;
  GuardSignals(spec.dir);
  if (size_t at = said.find("server pid "); at != std::string::npos) {
    server_pid_ = static_cast<pid_t>(std::atoi(said.c_str() + at + std::strlen("server pid ")));
  }
  if (!IsMountPoint(spec.dir)) {
    Unmount();
    throw BenchError("weft mount returned but " + spec.dir + " is not a mount point: " + said);
  }
}

std::string WeftMount::Trouble() const {
  if (!mounted_) return "";
  std::string what;
  if (server_pid_ > 0 && Exited(server_pid_)) {
    what = "the mount server (pid " + std::to_string(server_pid_) + ") has exited";
  } else if (!IsMountPoint(spec_.dir)) {
    what = spec_.dir + " is no longer mounted (unmounted from outside?)";
  } else if (struct stat st {}; ::stat(spec_.dir.c_str(), &st) != 0) {
    what = spec_.dir + " does not answer (" + std::strerror(errno) + "; its connection aborted from outside?)";
  } else {
    return "";
  }
  return what + "; the server's log (" + spec_.log + ") ends:\n" + FileTail(spec_.log, 2000);
}

void WeftMount::Unmount() {
  if (!mounted_) return;
  mounted_ = false;
  const std::string err_path = NewTempFile("umount-cmd");
  TryRun({spec_.weft, "umount", spec_.dir}, err_path);
  if (IsMountPoint(spec_.dir)) {
    std::cerr << "weft_fuse_bench: weft umount " << spec_.dir << " failed (" << FileTail(err_path, 1000)
              << "); detaching it lazily\n";
    TryRun({spec_.weft, "umount", "--lazy", spec_.dir}, err_path);
  }
  if (IsMountPoint(spec_.dir)) TryRun({"umount", "-l", spec_.dir}, err_path);
  if (IsMountPoint(spec_.dir)) {
    std::cerr << "weft_fuse_bench: could not unmount " << spec_.dir << ": " << FileTail(err_path, 1000)
              << "\n  run: umount -l " << spec_.dir << "\n";
  }
  ::unlink(err_path.c_str());
  UnguardSignals();
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (server_pid_ > 0 && !Exited(server_pid_) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (server_pid_ > 0 && !Exited(server_pid_)) {
    std::cerr << "weft_fuse_bench: the mount server (pid " << server_pid_
              << ") is still running 5 s after unmounting\n";
  }
}

}  // namespace weft::bench
