// Levelled logging to stderr or a file. Never stdout: stdout belongs to the protocol.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace weft {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

// Parses "debug", "info", "warning"/"warn", "error", "off".
bool ParseLogLevel(std::string_view text, LogLevel* out);

// Process-wide log configuration. Thread-safe.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Appends to `path` instead of stderr; an empty path means stderr again.
Status SetLogFile(const std::string& path);
// Writes one line: "<time> <L> <file>:<line>] <message>".
void WriteLogLine(LogLevel level, const char* file, int line, std::string_view message);

// Collects one message and writes it in its destructor. Use through WEFT_LOG.
class LogMessage {
 public:
  LogMessage(LogLevel level, const char* file, int line) : level_(level), file_(file), line_(line) {}
  ~LogMessage() { WriteLogLine(level_, file_, line_, stream_.str()); }
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  const char* file_;
  int line_;
  std::ostringstream stream_;
};

}  // namespace weft

// WEFT_LOG(kInfo) << "listening on " << port;
#define WEFT_LOG(level)                                              \
  if (::weft::LogLevel::level < ::weft::GetLogLevel()) {             \
  } else                                                             \
    ::weft::LogMessage(::weft::LogLevel::level, __FILE__, __LINE__).stream()
