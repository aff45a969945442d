// Logging implementation: one mutex-guarded sink, stderr by default.
#include "core/base/log.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace weft {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_mu;
int g_fd = STDERR_FILENO;  // guarded by g_mu

char LevelLetter(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return 'D';
    case LogLevel::kInfo: return 'I';
    case LogLevel::kWarning: return 'W';
    case LogLevel::kError: return 'E';
    case LogLevel::kOff: break;
  }
  return '?';
}

}  // namespace

bool ParseLogLevel(std::string_view text, LogLevel* out) {
  if (text == "debug") *out = LogLevel::kDebug;
  else if (text == "info") *out = LogLevel::kInfo;
  else if (text == "warning" || text == "warn") *out = LogLevel::kWarning;
  else if (text == "error") *out = LogLevel::kError;
  else if (text == "off") *out = LogLevel::kOff;
  else return false;
  return true;
}

void SetLogLevel(LogLevel level) { g_level.store(level); }
LogLevel GetLogLevel() { return g_level.load(); }

Status SetLogFile(const std::string& path) {
  int fd = STDERR_FILENO;
  if (!path.empty()) {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return Status::FromErrno(errno, "open log file " + path);
  }
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_fd != STDERR_FILENO) ::close(g_fd);
  g_fd = fd;
  return Status::Ok();
}

void WriteLogLine(LogLevel level, const char* file, int line, std::string_view message) {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  ::gmtime_r(&ts.tv_sec, &tm);
  const char* base = std::strrchr(file, '/');
  base = base ? base + 1 : file;
  char prefix[128];
  int n = std::snprintf(prefix, sizeof(prefix), "%02d:%02d:%02d.%03ld %c %s:%d] ", tm.tm_hour,
                        tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, LevelLetter(level), base, line);
  std::string out(prefix, n > 0 ? static_cast<size_t>(n) : 0);
  out.append(message);
  out.push_back('\n');
  std::lock_guard<std::mutex> lock(g_mu);
  size_t off = 0;
  while (off < out.size()) {
    ssize_t w = ::write(g_fd, out.data() + off, out.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;  // Nowhere left to report a logging failure.
    }
    off += static_cast<size_t>(w);
  }
}

}  // namespace weft
