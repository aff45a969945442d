// An agent's output log: one stream (stdout or stderr) kept in at most two
// segment files under the agent's log directory, "<stream>.<offset>.log",
// where <offset> is the stream position of the segment's first byte. Once
// a stream is over its cap, its oldest segment goes: readers see the
// position where the kept bytes start and how many were dropped.
#pragma once

#include <cstdint>
#include <string>

#include "core/base/fd.h"
#include "core/base/result.h"

namespace weft::venoms::agent {

// Writes one stream; used by the one agent runner that owns the stream.
class LogWriter {
 public:
  // `cap` bytes at most are kept (≥ 2; each segment holds up to cap/2).
  static Result<LogWriter> Open(std::string dir, std::string stream, uint64_t cap);
  Status Append(std::string_view data);
  uint64_t written() const { return written_; }  // stream position: every byte ever appended
  uint64_t dropped() const { return dropped_; }  // bytes in segments removed

 private:
  LogWriter(std::string dir, std::string stream, uint64_t cap) : dir_(std::move(dir)), stream_(std::move(stream)), cap_(cap) {}
  Status StartSegment();

  std::string dir_, stream_;
  uint64_t cap_;
  UniqueFd fd_;
  uint64_t segment_start_ = 0;  // stream position of the current segment
  uint64_t previous_start_ = 0; // of the one before it (kept), == segment_start_ when none
  bool has_previous_ = false;
  uint64_t written_ = 0;
  uint64_t dropped_ = 0;
};

struct LogChunk {
  std::string data;       // bytes from `offset`
  uint64_t offset = 0;    // where `data` starts: the asked offset, or the first kept byte when that was dropped
  uint64_t next = 0;      // where to continue
  uint64_t end = 0;       // stream position of the last byte written so far
  uint64_t dropped = 0;   // bytes before the first kept byte (dropped for the cap)
};

// Reads up to `max_bytes` of `stream` from `offset`, from any process. Safe
// against the writer rotating at the same time.
Result<LogChunk> ReadLog(const std::string& dir, const std::string& stream, uint64_t offset, uint64_t max_bytes);

}  // namespace weft::venoms::agent
