// Times as the CLI prints them: RFC 3339 in UTC.
#pragma once

#include <cstdint>
#include <string>

namespace weft::cli {

// "2026-01-31T12:00:00Z" for unix seconds.
std::string FormatUnixTime(int64_t seconds);
// "2026-01-31T12:00:00.123Z" for unix milliseconds.
std::string FormatUnixMillis(int64_t millis);

}  // namespace weft::cli
