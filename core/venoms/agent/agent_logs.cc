// Capped, segmented agent logs.
#include "core/venoms/agent/agent_logs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/base/strings.h"

namespace weft::venoms::agent {
namespace {

std::string SegmentName(const std::string& stream, uint64_t start) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(start));
  return StrCat({stream, ".", buf, ".log"});
}

// The stream positions of `stream`'s segments in `dir`, ascending.
Result<std::vector<uint64_t>> Segments(const std::string& dir, const std::string& stream) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::FromErrno(errno, StrCat({"cannot open the log directory ", dir}));
  std::vector<uint64_t> out;
  std::string prefix = stream + ".";
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name.size() != prefix.size() + 20 + 4 || name.substr(0, prefix.size()) != prefix ||
        name.substr(name.size() - 4) != ".log") {
      continue;
    }
    std::string digits(name.substr(prefix.size(), 20));
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    out.push_back(std::stoull(digits));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "cannot write the agent's log");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

Result<LogWriter> LogWriter::Open(std::string dir, std::string stream, uint64_t cap) {
  LogWriter w(std::move(dir), std::move(stream), std::max<uint64_t>(cap, 2));
  WEFT_RETURN_IF_ERROR(w.StartSegment());
  return w;
}

Status LogWriter::StartSegment() {
  std::string path = StrCat({dir_, "/", SegmentName(stream_, written_)});
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::FromErrno(errno, StrCat({"cannot create the log segment ", path}));
  if (fd_.valid()) {
    // The segment before the current one goes; the current one becomes the previous.
    if (has_previous_) {
      std::string old = StrCat({dir_, "/", SegmentName(stream_, previous_start_)});
      ::unlink(old.c_str());
      dropped_ = segment_start_;
    }
    previous_start_ = segment_start_;
    has_previous_ = true;
  }
  fd_ = UniqueFd(fd);
  segment_start_ = written_;
  return Status::Ok();
}

Status LogWriter::Append(std::string_view data) {
  uint64_t half = cap_ / 2;
  while (!data.empty()) {
    uint64_t in_segment = written_ - segment_start_;
    if (in_segment >= half) {
      WEFT_RETURN_IF_ERROR(StartSegment());
      in_segment = 0;
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(data.size(), half - in_segment));
    WEFT_RETURN_IF_ERROR(WriteAll(fd_.get(), data.substr(0, n)));
    written_ += n;
    data.remove_prefix(n);
  }
  return Status::Ok();
}

Result<LogChunk> ReadLog(const std::string& dir, const std::string& stream, uint64_t offset, uint64_t max_bytes) {
  // A segment can vanish between listing and opening (the writer rotated):
  // list again, a few times at most.
  for (int attempt = 0; attempt < 5; ++attempt) {
    WEFT_ASSIGN_OR_RETURN(std::vector<uint64_t> starts, Segments(dir, stream));
    LogChunk chunk;
    if (starts.empty()) {
      chunk.offset = chunk.next = offset;
      return chunk;
    }
    chunk.dropped = starts.front();
    std::vector<UniqueFd> fds;
    bool vanished = false;
    for (uint64_t s : starts) {
      std::string path = StrCat({dir, "/", SegmentName(stream, s)});
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0 && errno == ENOENT) {
        vanished = true;
        break;
      }
      if (fd < 0) return Status::FromErrno(errno, StrCat({"cannot open the log segment ", path}));
      fds.emplace_back(fd);
    }
    if (vanished) continue;
    uint64_t pos = std::max(offset, chunk.dropped);
    chunk.offset = pos;
    for (size_t i = 0; i < fds.size(); ++i) {
      struct stat st {};
      if (::fstat(fds[i].get(), &st) != 0) return Status::FromErrno(errno, "cannot stat a log segment");
      uint64_t seg_start = starts[i];
      uint64_t seg_end = seg_start + static_cast<uint64_t>(st.st_size);
      chunk.end = std::max(chunk.end, seg_end);
      if (pos >= seg_end || chunk.data.size() >= max_bytes) continue;
      if (pos < seg_start) pos = seg_start;
      size_t want = static_cast<size_t>(std::min<uint64_t>(seg_end - pos, max_bytes - chunk.data.size()));
      size_t old = chunk.data.size();
      chunk.data.resize(old + want);
      ssize_t n = ::pread(fds[i].get(), chunk.data.data() + old, want, static_cast<off_t>(pos - seg_start));
      if (n < 0) return Status::FromErrno(errno, "cannot read a log segment");
      chunk.data.resize(old + static_cast<size_t>(n));
      pos += static_cast<uint64_t>(n);
    }
    chunk.next = chunk.offset + chunk.data.size();
    if (chunk.end < chunk.next) chunk.end = chunk.next;
    if (offset > chunk.end) chunk.offset = chunk.next = offset;
    return chunk;
  }
  return Status::Unavailable("the agent's log kept rotating while being read; try again");
}

}  // namespace weft::venoms::agent
