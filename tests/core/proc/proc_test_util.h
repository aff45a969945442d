// Helpers for process tests: who is still alive in a process group or a
// session, or with a marker on its command line.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace weft::proc::testing {

// A whole /proc file by read(2) ("" when the process is gone): a stream
// would throw when the process exits between open and read (ESRCH).
inline std::string ReadProcFile(const std::string& path) {
  std::string out;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

// Pids of the running processes (zombies waiting for a reaper do not count:
// they run nothing) whose group (or, with `by_session`, session) is `id`.
inline std::vector<pid_t> LiveMembers(pid_t id, bool by_session) {
  std::vector<pid_t> out;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long pid = strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    std::string stat = ReadProcFile(std::string("/proc/") + e->d_name + "/stat");
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    // After "(comm) ": state ppid pgrp session …
    char state = 0;
    long ppid = 0, pgrp = 0, session = 0;
    if (sscanf(stat.c_str() + paren + 1, " %c %ld %ld %ld", &state, &ppid, &pgrp, &session) != 4) continue;
    if ((by_session ? session : pgrp) == id && state != 'Z' && state != 'X') out.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  return out;
}

inline std::vector<pid_t> LiveGroupMembers(pid_t pgid) { return LiveMembers(pgid, false); }
inline std::vector<pid_t> LiveSessionMembers(pid_t sid) { return LiveMembers(sid, true); }

// Killed processes take a moment to finish dying: true once no member of
// `pgid` (or of session `pgid`, with `by_session`) runs, false if some still
// do after `limit`.
inline bool GroupGone(pid_t pgid, std::chrono::milliseconds limit = std::chrono::seconds(10),
                      bool by_session = false) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!LiveMembers(pgid, by_session).empty()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}
inline bool SessionGone(pid_t sid, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  return GroupGone(sid, limit, true);
}

// Pids of running processes (zombies excluded) other than this one whose
// command line contains `marker`.
inline std::vector<pid_t> ProcessesWith(const std::string& marker) {
  std::vector<pid_t> out;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long pid = strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || pid == getpid()) continue;
    std::string cmd = ReadProcFile(std::string("/proc/") + e->d_name + "/cmdline");
    std::string stat = ReadProcFile(std::string("/proc/") + e->d_name + "/stat");
    size_t paren = stat.rfind(')');
    bool zombie = paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
    if (!zombie && cmd.find(marker) != std::string::npos) out.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  return out;
}

// Killed processes take a moment to finish dying: true once none carries
// `marker`, false if some still do after `limit`.
inline bool NoProcessWith(const std::string& marker, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!ProcessesWith(marker).empty()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// True once at least `count` processes carry `marker`, false after `limit`.
inline bool ProcessesAppear(const std::string& marker, size_t count, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (ProcessesWith(marker).size() < count) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace weft::proc::testing
