// RFC 3339 UTC times for the CLI.
#include "mcp/cli/time_format.h"

#include <time.h>

#include <cstdio>

namespace weft::cli {

std::string FormatUnixTime(int64_t seconds) {
  time_t t = static_cast<time_t>(seconds);
  struct tm tm {};
  if (::gmtime_r(&t, &tm) == nullptr) return "?";
  char buf[32];
  size_t n = ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

std::string FormatUnixMillis(int64_t millis) {
  std::string s = FormatUnixTime(millis / 1000);
  if (s.size() < 2) return s;
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(millis % 1000));
  return s.insert(s.size() - 1, frac);
}

}  // namespace weft::cli
