// fs_read and fs_read_many: text by lines or bytes, streamed from the fd with
// a fixed buffer (a 2 GiB file is never held whole), images and audio as
// MCP media blocks, other binaries refused or returned as base64 resources.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/base/base64.h"
#include "core/base/media_type.h"
#include "core/base/strings.h"
#include "core/venoms/args.h"
#include "core/venoms/fs/fs_common.h"
#include "core/venoms/fs/fs_venom.h"

namespace weft::venoms {
namespace {

using fs::HumanSize;

constexpr size_t kSniffBytes = 8192;           // binary detection looks at this much
constexpr int64_t kDefaultLimit = 2000;        // lines per reply unless asked otherwise
constexpr size_t kMaxTextBytes = 256 * 1024;   // text per reply (fs_read; fs_read_many in all)
constexpr size_t kMaxLineBytes = 2000;         // longer lines are cut with a marker
constexpr uint64_t kMaxMediaBytes = 5 << 20;   // images and audio
constexpr uint64_t kMaxBlobBytes = 1 << 20;    // whole binary files as base64
constexpr uint64_t kCountLinesMaxBytes = 16 << 20;  // files up to this size have their lines counted
constexpr size_t kBufferBytes = 64 * 1024;
constexpr int64_t kDefaultByteLength = 64 * 1024;
constexpr size_t kMaxResultChars = 500'000;

Status ReadError(int err, std::string_view path) { return Status::FromErrno(err, StrCat({"reading ", path})); }

// Reads up to `n` bytes at `offset` into `buf`; short only at the end of
// the file.
Result<size_t> PreadInto(int fd, uint64_t offset, char* buf, size_t n, std::string_view path) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, buf + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ReadError(errno, path);
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

Result<std::string> PreadAll(int fd, uint64_t offset, size_t n, std::string_view path) {
  std::string out(n, '\0');
  WEFT_ASSIGN_OR_RETURN(size_t got, PreadInto(fd, offset, out.data(), n, path));
  out.resize(got);
  return out;
}

// Lines of a file from a byte offset on, through one fixed buffer. A line
// is what ends with '\n', or the bytes after the last '\n'.
class LineScanner {
 public:
  // `size` (the file's size when opened) only sizes the buffer: a small
  // file needs no 64 KiB one, and a file that grows is still read to its end.
  LineScanner(int fd, uint64_t start, uint64_t size, std::string_view path, Context& ctx)
      : fd_(fd),
        path_(path),
        ctx_(ctx),
        capacity_(static_cast<size_t>(std::clamp<uint64_t>(size - std::min(start, size) + 1, 4096, kBufferBytes))),
        buf_(new char[capacity_]),  // uninitialised: only bytes pread filled are read
        file_pos_(start) {}

  // Offset of the next byte not yet consumed.
  uint64_t offset() const { return file_pos_ - (end_ - begin_); }

  // Skips up to `n` lines; the number skipped (fewer at the end of the file).
  Result<uint64_t> Skip(uint64_t n) {
    uint64_t skipped = 0;
    bool partial = false;  // inside a line that has begun
    while (skipped < n) {
      WEFT_ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) return skipped + (partial ? 1 : 0);
      const char* p = buf_.get() + begin_;
      const void* nl = std::memchr(p, '\n', end_ - begin_);
      if (nl == nullptr) {
        begin_ = end_;
        partial = true;
        continue;
      }
      begin_ += static_cast<size_t>(static_cast<const char*>(nl) - p) + 1;
      ++skipped;
      partial = false;
    }
    return skipped;
  }

  // The next line: its first `keep` bytes appended to `*kept`, its length
  // without the '\n' in `*length`, its offset in `*start`. False at the end.
  Result<bool> Next(size_t keep, std::string* kept, uint64_t* length, uint64_t* start, bool* newline) {
    WEFT_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) return false;
    *start = offset();
    *length = 0;
    *newline = false;
    for (;;) {
      WEFT_ASSIGN_OR_RETURN(more, Fill());
      if (!more) return true;
      const char* p = buf_.get() + begin_;
      size_t avail = end_ - begin_;
      const void* nl = std::memchr(p, '\n', avail);
      size_t chunk = nl == nullptr ? avail : static_cast<size_t>(static_cast<const char*>(nl) - p);
      if (*length < keep) kept->append(p, std::min<uint64_t>(chunk, keep - *length));
      *length += chunk;
      begin_ += chunk;
      if (nl != nullptr) {
        ++begin_;
        *newline = true;
        return true;
      }
    }
  }

  Result<bool> AtEnd() {
    WEFT_ASSIGN_OR_RETURN(bool more, Fill());
    return !more;
  }

 private:
  // Makes unconsumed bytes available; false at the end of the file.
  Result<bool> Fill() {
    if (begin_ < end_) return true;
    if ((++fills_ & 63) == 0 && ctx_.cancelled()) return Status::Cancelled("the read was cancelled");
    for (;;) {
      ssize_t n = ::pread(fd_, buf_.get(), capacity_, static_cast<off_t>(file_pos_));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ReadError(errno, path_);
      begin_ = 0;
      end_ = static_cast<size_t>(n);
      file_pos_ += static_cast<uint64_t>(n);
      return n > 0;
    }
  }

  int fd_;
  std::string_view path_;
  Context& ctx_;
  size_t capacity_;
  std::unique_ptr<char[]> buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
  uint64_t file_pos_;  // offset just past the buffered bytes
  uint64_t fills_ = 0;
};

// What one read asks for, after argument checks.
struct ReadRequest {
  enum class Mode { kLines, kTail, kBytes };
  Mode mode = Mode::kLines;
  uint64_t offset = 1;  // kLines: first line
  uint64_t count = kDefaultLimit;  // kLines: lines; kTail: last lines
  uint64_t byte_offset = 0;
  uint64_t byte_length = kDefaultByteLength;
  bool base64 = false;        // binary files as base64 resources
  bool media = true;          // images and audio as media blocks (fs_read only)
  bool line_numbers = false;
  size_t budget = kMaxTextBytes;  // text bytes this file may add
};

// A file's reply: `data` (the output schema's shape), what a model reads,
// and media/resource blocks.
struct ReadOutcome {
  Json data;
  std::string text;  // readable text, markers included
  Json blocks = Json::array();
};

// The file open for reading with what every mode needs.
struct OpenFile {
  std::string path;  // canonical
  const ns::Workspace* ws = nullptr;
  UniqueFd fd;
  uint64_t size = 0;
  std::string head;  // the first kSniffBytes
  bool text = true;
  std::string mime;
};

std::string PercentEncodePath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::strchr("-._~!$&'()*+,;=:@/", c) != nullptr) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// weft://<workspace>/<path>, the URI the MCP bridge serves the file under.
std::string ResourceUri(const OpenFile& f) {
  return StrCat({"weft://", PercentEncodePath(f.ws->name()), PercentEncodePath(f.path)});
}

Result<OpenFile> Open(const ns::Workspace& ws, std::string_view user_path) {
  OpenFile f;
  f.ws = &ws;
  WEFT_ASSIGN_OR_RETURN(f.path, ws.CanonicalPath(user_path));
  // O_NONBLOCK: opening a FIFO must not hang; it is refused below.
  WEFT_ASSIGN_OR_RETURN(f.fd, ws.OpenPath(f.path, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  struct stat st;
  if (::fstat(f.fd.get(), &st) != 0) return ReadError(errno, f.path);
  if (S_ISDIR(st.st_mode)) {
    return Status::FailedPrecondition(StrCat({f.path, " is a directory; use fs_list or fs_tree to see what it holds"}));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::FailedPrecondition(StrCat({f.path, " is not a regular file (a device, FIFO or socket); only files "
                                              "can be read"}));
  }
  f.size = static_cast<uint64_t>(st.st_size);
  WEFT_ASSIGN_OR_RETURN(f.head, PreadAll(f.fd.get(), 0, kSniffBytes, f.path));
  f.text = LooksLikeText(f.head);
  if (f.text) {
    f.mime = MediaTypeFor(f.path, f.head);
    if (f.mime.rfind("image/", 0) == 0 && f.mime != "image/svg+xml") f.mime = "text/plain";
    if (f.mime.rfind("audio/", 0) == 0) f.mime = "text/plain";
  } else {
    // Magic bytes only: a binary named .png that is no PNG is no image.
    f.mime = MediaTypeFor("", f.head);
  }
  return f;
}

Json BaseData(const OpenFile& f, const char* kind) {
  return Json{{"path", f.path}, {"kind", kind}, {"mime_type", f.mime}, {"size", f.size}, {"truncated", false}};
}

// One line as shown: cut past kMaxLineBytes with a marker, made valid
// UTF-8, numbered when asked.
void RenderLine(std::string_view kept, uint64_t length, uint64_t start, bool newline, std::optional<uint64_t> number,
                std::string* out, bool* cut) {
  if (number) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%6llu\t", static_cast<unsigned long long>(*number));
    out->append(buf);
  }
  *cut = length > kMaxLineBytes;
  if (*cut) {
    size_t shown = fs::Utf8Boundary(kept, kMaxLineBytes);
    AppendValidUtf8(out, kept.substr(0, shown));
    out->append(StrCat({" [… line cut: ", std::to_string(shown), " of ", std::to_string(length),
                        " bytes shown; read the rest with byte_offset=", std::to_string(start + shown), "]"}));
  } else {
    AppendValidUtf8(out, kept);
  }
  if (newline) out->push_back('\n');
}

// Appends `marker` on a line of its own.
void AddMarker(std::string* text, std::string_view marker) {
  if (!text->empty() && text->back() != '\n') text->push_back('\n');
  text->append(marker);
}

std::string LinesNote(uint64_t first, uint64_t last, std::optional<uint64_t> total, uint64_t size) {
  std::string range = last >= first ? StrCat({"lines ", std::to_string(first), "-", std::to_string(last)})
                                    : std::string("no lines");
  if (total) return StrCat({range, " of ", std::to_string(*total)});
  return StrCat({range, " of a ", HumanSize(size), " file (lines not counted)"});
}

// Lines as returned, by ReadLines and ReadTail.
struct LinesRead {
  std::string text;
  uint64_t lines = 0;
  uint64_t cut = 0;  // lines cut past kMaxLineBytes
  uint64_t byte_start = 0;
  uint64_t byte_end = 0;
  std::optional<uint64_t> first_line;  // when known
  std::optional<uint64_t> total;       // when known
  bool truncated = false;
};

Json TextData(const OpenFile& f, const LinesRead& r) {
  Json data = BaseData(f, "text");
  data["encoding"] = "utf-8";
  data["text"] = r.text;
  data["lines"] = r.lines;
  if (r.first_line) {
    data["start_line"] = *r.first_line;
    data["end_line"] = *r.first_line + r.lines - 1;
  }
  if (r.total) data["total_lines"] = *r.total;
  data["byte_offset"] = r.byte_start;
  data["byte_length"] = r.byte_end - r.byte_start;
  data["lines_cut"] = r.cut;
  data["truncated"] = r.truncated;
  return data;
}

// Renders up to `count` lines from `scan` into `r`, stopping before its
// text would pass `budget`: then the line that did not fit is consumed and
// the result is true.
Result<bool> CollectLines(LineScanner& scan, uint64_t count, bool numbers, size_t budget, LinesRead* r) {
  std::string kept;
  std::string rendered;
  r->byte_start = r->byte_end = scan.offset();
  while (r->lines < count) {
    kept.clear();
    uint64_t length = 0, start = 0;
    bool newline = false;
    WEFT_ASSIGN_OR_RETURN(bool got, scan.Next(kMaxLineBytes + 4, &kept, &length, &start, &newline));
    if (!got) break;
    std::optional<uint64_t> number;
    if (numbers && r->first_line) number = *r->first_line + r->lines;
    rendered.clear();
    bool cut = false;
    RenderLine(kept, length, start, newline, number, &rendered, &cut);
    if (r->text.size() + rendered.size() > budget) return true;
    r->text += rendered;
    r->byte_end = scan.offset();
    ++r->lines;
    r->cut += cut ? 1 : 0;
  }
  return false;
}

Result<ReadOutcome> ReadLines(OpenFile& f, Context& ctx, const ReadRequest& req) {
  LineScanner scan(f.fd.get(), 0, f.size, f.path, ctx);
  WEFT_ASSIGN_OR_RETURN(uint64_t skipped, scan.Skip(req.offset - 1));
  WEFT_ASSIGN_OR_RETURN(bool at_end, scan.AtEnd());
  if (req.offset > 1 && (skipped < req.offset - 1 || at_end)) {
    return Status::OutOfRange(StrCat({"offset ", std::to_string(req.offset), " is past the end of ", f.path,
                                      ", which has ", std::to_string(skipped), " line", skipped == 1 ? "" : "s"}));
  }
  LinesRead r;
  r.first_line = req.offset;
  WEFT_ASSIGN_OR_RETURN(bool capped, CollectLines(scan, req.count, req.line_numbers, req.budget, &r));
  r.truncated = capped;
  if (!capped && r.lines == req.count) {
    WEFT_ASSIGN_OR_RETURN(bool end, scan.AtEnd());
    r.truncated = !end;
  }
  if (!r.truncated) {
    r.total = req.offset - 1 + r.lines;
  } else if (f.size <= kCountLinesMaxBytes) {
    // The line the cap left out was consumed already: count it too.
    WEFT_ASSIGN_OR_RETURN(uint64_t rest, scan.Skip(UINT64_MAX));
    r.total = req.offset - 1 + r.lines + rest + (capped ? 1 : 0);
  }
  ReadOutcome out;
  out.data = TextData(f, r);
  out.text = std::move(r.text);
  if (r.truncated) {
    uint64_t next = req.offset + r.lines;
    out.data["next_offset"] = next;
    AddMarker(&out.text, StrCat({"[truncated", capped ? StrCat({" at ", HumanSize(req.budget)}) : "",
                                 ": showing ", LinesNote(req.offset, next - 1, r.total, f.size),
                                 "; continue with offset=", std::to_string(next), "]"}));
  } else if (r.lines == 0) {
    AddMarker(&out.text, "[empty file]");
  }
  return out;
}

// The offsets where the last `n` lines begin, oldest first, found by
// reading backwards from the end in fixed chunks.
Result<std::vector<uint64_t>> LastLineStarts(const OpenFile& f, Context& ctx, uint64_t n) {
  std::vector<uint64_t> starts;
  if (f.size == 0 || n == 0) return starts;
  std::vector<char> buf(kBufferBytes);
  uint64_t end = f.size;
  bool skip_final = true;  // a '\n' as the very last byte ends the last line; it starts none
  uint64_t chunks = 0;
  while (end > 0 && starts.size() < n) {
    if ((++chunks & 63) == 0 && ctx.cancelled()) return Status::Cancelled("the read was cancelled");
    uint64_t begin = end > buf.size() ? end - buf.size() : 0;
    size_t len = static_cast<size_t>(end - begin);
    WEFT_ASSIGN_OR_RETURN(size_t got, PreadInto(f.fd.get(), begin, buf.data(), len, f.path));
    if (got < len) return Status::IoError(StrCat({f.path, " shrank while it was read"}));
    for (size_t i = len; i-- > 0 && starts.size() < n;) {
      if (buf[i] != '\n') continue;
      if (skip_final && begin + i == f.size - 1) continue;
      starts.push_back(begin + i + 1);
    }
    skip_final = false;
    end = begin;
  }
  if (end == 0 && starts.size() < n) starts.push_back(0);
  std::reverse(starts.begin(), starts.end());
  return starts;
}

Result<ReadOutcome> ReadTail(OpenFile& f, Context& ctx, const ReadRequest& req) {
  WEFT_ASSIGN_OR_RETURN(std::vector<uint64_t> starts, LastLineStarts(f, ctx, req.count));
  // Drop lines from the front until the rest fits the budget (estimated
  // from the line lengths, with room for cut markers and numbers).
  size_t first = starts.size();
  uint64_t bytes = 0;
  while (first > 0) {
    uint64_t line_end = first < starts.size() ? starts[first] : f.size;
    uint64_t shown = std::min<uint64_t>(line_end - starts[first - 1], kMaxLineBytes + 100) + 10;
    if (bytes + shown > req.budget) break;
    bytes += shown;
    --first;
  }
  LinesRead r;
  uint64_t asked = starts.size();
  uint64_t kept = asked - first;
  if (f.size <= kCountLinesMaxBytes) {
    LineScanner counter(f.fd.get(), 0, f.size, f.path, ctx);
    WEFT_ASSIGN_OR_RETURN(r.total, counter.Skip(UINT64_MAX));
    r.first_line = *r.total - kept + 1;
  }
  LineScanner scan(f.fd.get(), first < asked ? starts[first] : f.size, f.size, f.path, ctx);
  WEFT_ASSIGN_OR_RETURN(bool capped, CollectLines(scan, kept, req.line_numbers, req.budget, &r));
  r.truncated = capped || first > 0;
  ReadOutcome out;
  out.data = TextData(f, r);
  out.text = std::move(r.text);
  std::string which = r.total ? LinesNote(*r.first_line, *r.first_line + r.lines - 1, r.total, f.size)
                              : StrCat({"lines of a ", HumanSize(f.size), " file (lines not counted)"});
  if (r.truncated) {
    AddMarker(&out.text, StrCat({"[truncated at ", HumanSize(req.budget), ": showing the last ",
                                 std::to_string(r.lines), " of the ", std::to_string(asked), " lines asked for; ",
                                 which, "]"}));
  } else if (r.lines == 0) {
    AddMarker(&out.text, "[empty file]");
  } else if (r.byte_start > 0) {
    AddMarker(&out.text, StrCat({"[last ", std::to_string(r.lines), " ", which, "]"}));
  }
  return out;
}

Json ResourceBlock(const OpenFile& f, std::string_view bytes) {
  return Json{{"type", "resource"},
              {"resource", {{"uri", ResourceUri(f)}, {"mimeType", f.mime}, {"blob", Base64Encode(bytes)}}}};
}

Result<ReadOutcome> ReadBytes(OpenFile& f, const ReadRequest& req) {
  if (req.byte_offset > f.size) {
    return Status::OutOfRange(StrCat({"byte_offset ", std::to_string(req.byte_offset), " is past the end of ", f.path,
                                      ", which is ", std::to_string(f.size), " bytes long"}));
  }
  if (!f.text && !req.base64) {
    return Status::FailedPrecondition(StrCat({f.path, " is binary (", f.mime, ", ", HumanSize(f.size),
                                              "); set binary:\"base64\" to get these bytes as base64"}));
  }
  uint64_t want = std::min<uint64_t>(req.byte_length, f.size - req.byte_offset);
  if (f.text) want = std::min<uint64_t>(want, req.budget);
  // A few bytes more, to finish a character cut at the end.
  size_t extra = f.text ? 3 : 0;
  WEFT_ASSIGN_OR_RETURN(std::string bytes, PreadAll(f.fd.get(), req.byte_offset, static_cast<size_t>(want) + extra,
                                                    f.path));
  ReadOutcome out;
  uint64_t begin = req.byte_offset;
  std::string_view view = bytes;
  if (f.text) {
    // Start and end on character boundaries: skip the tail of a character
    // begun before byte_offset, and do not split the last one.
    size_t skip = 0;
    while (begin > 0 && skip < 3 && skip < view.size() && (static_cast<unsigned char>(view[skip]) & 0xc0) == 0x80) {
      ++skip;
    }
    view.remove_prefix(skip);
    begin += skip;
    size_t end = static_cast<size_t>(std::min<uint64_t>(want - std::min<uint64_t>(want, skip), view.size()));
    if (end < view.size()) end = fs::Utf8Boundary(view, end);
    view = view.substr(0, end);
  }
  uint64_t next = begin + view.size();
  bool more = next < f.size;
  out.data = BaseData(f, f.text ? "text" : "binary");
  out.data["byte_offset"] = begin;
  out.data["byte_length"] = view.size();
  out.data["truncated"] = more;
  if (more) out.data["next_byte_offset"] = next;
  std::string range = StrCat({"bytes ", std::to_string(begin), "-", std::to_string(next), " of ",
                              std::to_string(f.size)});
  if (f.text) {
    std::string text;
    AppendValidUtf8(&text, view);
    out.data["encoding"] = "utf-8";
    out.data["text"] = text;
    out.text = std::move(text);
    if (more) AddMarker(&out.text, StrCat({"[", range, "; continue with byte_offset=", std::to_string(next), "]"}));
    if (view.empty() && !more) {
      AddMarker(&out.text, StrCat({"[no bytes: ", f.path, " ends at byte ", std::to_string(f.size), "]"}));
    }
  } else {
    out.data["encoding"] = "base64";
    out.blocks.push_back(ResourceBlock(f, view));
    out.text = StrCat({f.path, ": ", f.mime, ", ", range, " as base64 in the resource block",
                       more ? StrCat({"; continue with byte_offset=", std::to_string(next)}) : "", "\n"});
  }
  return out;
}

// "image" or "audio" for the media types MCP clients show, else nullptr.
const char* MediaBlockType(std::string_view mime) {
  static const char* const kImages[] = {"image/png", "image/jpeg", "image/gif", "image/webp"};
  static const char* const kAudio[] = {"audio/wav", "audio/mpeg", "audio/ogg", "audio/flac"};
  for (const char* t : kImages) {
    if (mime == t) return "image";
  }
  for (const char* t : kAudio) {
    if (mime == t) return "audio";
  }
  return nullptr;
}

Result<ReadOutcome> ReadBinary(OpenFile& f, const ReadRequest& req) {
  const char* block_type = MediaBlockType(f.mime);
  bool media = block_type != nullptr;
  if (!req.media) {  // fs_read_many: named, not shown
    const char* kind = media ? block_type : "binary";
    ReadOutcome out;
    out.data = BaseData(f, kind);
    out.text = StrCat({"[", kind, " file (", f.mime, ", ", HumanSize(f.size), "): read it with fs_read]\n"});
    return out;
  }
  if (media && !req.base64) {
    if (f.size > kMaxMediaBytes) {
      return Status::ResourceExhausted(StrCat({f.path, " is a ", HumanSize(f.size), " ", block_type, " (", f.mime,
                                               "); ", block_type, "s are returned up to ", HumanSize(kMaxMediaBytes),
                                               ". Use fs_stat for its details, or binary:\"base64\" with "
                                               "byte_offset/byte_length for its raw bytes"}));
    }
    WEFT_ASSIGN_OR_RETURN(std::string bytes, PreadAll(f.fd.get(), 0, static_cast<size_t>(f.size), f.path));
    ReadOutcome out;
    out.data = BaseData(f, block_type);
    out.data["encoding"] = "base64";
    out.data["byte_offset"] = 0;
    out.data["byte_length"] = bytes.size();
    out.blocks.push_back(Json{{"type", block_type}, {"data", Base64Encode(bytes)}, {"mimeType", f.mime}});
    out.text = StrCat({f.path, ": ", f.mime, ", ", HumanSize(f.size), "\n"});
    return out;
  }
  if (!req.base64) {
    return Status::FailedPrecondition(StrCat({f.path, " is binary (", f.mime, ", ", HumanSize(f.size),
                                              "), not text. Set binary:\"base64\" to get its bytes as a base64 "
                                              "resource (whole files up to ",
                                              HumanSize(kMaxBlobBytes), "; use byte_offset/byte_length for parts of "
                                              "larger ones)"}));
  }
  if (f.size > kMaxBlobBytes) {
    return Status::ResourceExhausted(StrCat({f.path, " is ", HumanSize(f.size),
                                             "; whole binary files are returned up to ", HumanSize(kMaxBlobBytes),
                                             ". Read it in parts with byte_offset and byte_length (up to 1 MiB "
                                             "each)"}));
  }
  ReadRequest whole = req;
  whole.byte_offset = 0;
  whole.byte_length = f.size;
  return ReadBytes(f, whole);
}

Result<ReadOutcome> ReadOne(const ns::Workspace& ws, Context& ctx, std::string_view path, const ReadRequest& req) {
  WEFT_ASSIGN_OR_RETURN(OpenFile f, Open(ws, path));
  if (req.mode == ReadRequest::Mode::kBytes) return ReadBytes(f, req);
  if (!f.text) return ReadBinary(f, req);
  if (req.mode == ReadRequest::Mode::kTail) return ReadTail(f, ctx, req);
  return ReadLines(f, ctx, req);
}

bool Has(const Json& args, const char* key) { return args.contains(key); }

// The line options shared by fs_read and fs_read_many.
Result<ReadRequest> LineRequest(const Json& args) {
  ReadRequest req;
  req.line_numbers = BoolArg(args, "line_numbers", false);
  req.base64 = StringArg(args, "binary", "refuse") == "base64";
  if (Has(args, "head") && (Has(args, "offset") || Has(args, "limit") || Has(args, "tail"))) {
    return Status::InvalidArgument("head reads the first N lines on its own: leave out offset, limit and tail, "
                                   "or use offset and limit instead of head");
  }
  if (Has(args, "tail") && (Has(args, "offset") || Has(args, "limit"))) {
    return Status::InvalidArgument("tail reads the last N lines on its own: leave out offset and limit");
  }
  if (Has(args, "tail")) {
    req.mode = ReadRequest::Mode::kTail;
    req.count = static_cast<uint64_t>(IntArg(args, "tail", 1));
  } else if (Has(args, "head")) {
    req.count = static_cast<uint64_t>(IntArg(args, "head", kDefaultLimit));
  } else {
    req.offset = static_cast<uint64_t>(IntArg(args, "offset", 1));
    req.count = static_cast<uint64_t>(IntArg(args, "limit", kDefaultLimit));
  }
  return req;
}

Result<ReadRequest> ReadArgs(const Json& args) {
  bool bytes = Has(args, "byte_offset") || Has(args, "byte_length");
  if (bytes && (Has(args, "offset") || Has(args, "limit") || Has(args, "head") || Has(args, "tail"))) {
    return Status::InvalidArgument("byte_offset/byte_length select bytes; offset, limit, head and tail select "
                                   "lines: use one kind or the other");
  }
  WEFT_ASSIGN_OR_RETURN(ReadRequest req, LineRequest(args));
  if (bytes) {
    req.mode = ReadRequest::Mode::kBytes;
    req.byte_offset = static_cast<uint64_t>(IntArg(args, "byte_offset", 0));
    req.byte_length = static_cast<uint64_t>(IntArg(args, "byte_length", kDefaultByteLength));
  }
  return req;
}

Result<Reply> HandleRead(const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  WEFT_ASSIGN_OR_RETURN(ReadRequest req, ReadArgs(args));
  WEFT_ASSIGN_OR_RETURN(ReadOutcome out, ReadOne(*ws, ctx, StringArg(args, "path"), req));
  Reply reply;
  reply.data = std::move(out.data);
  reply.content = std::move(out.blocks);
  if (!out.text.empty()) reply.content.push_back(Json{{"type", "text"}, {"text", std::move(out.text)}});
  return reply;
}

Result<Reply> HandleReadMany(const ns::Workspaces& workspaces, Context& ctx, const Json& args) {
  WEFT_ASSIGN_OR_RETURN(ns::Workspace * ws, WorkspaceArg(ctx, workspaces, args));
  WEFT_ASSIGN_OR_RETURN(ReadRequest req, LineRequest(args));
  req.media = false;
  const Json& paths = args.at("paths");
  Json files = Json::array();
  std::string text;
  size_t used = 0;
  size_t failed = 0;
  bool truncated = false;
  for (size_t i = 0; i < paths.size(); ++i) {
    if (ctx.cancelled()) return Status::Cancelled("fs_read_many was cancelled");
    std::string path = paths[i].get<std::string>();
    // An even share of what is left: small files leave more for later ones.
    req.budget = (kMaxTextBytes - std::min(used, kMaxTextBytes)) / (paths.size() - i);
    Result<ReadOutcome> one = ReadOne(*ws, ctx, path, req);
    if (!one.ok()) {
      ++failed;
      Result<std::string> shown = ws->CanonicalPath(path);
      std::string name = shown.ok() ? *shown : path;
      std::string message;
      AppendValidUtf8(&message, one.status().message());
      files.push_back(Json{{"path", name}, {"ok", false}, {"error", message}});
      text += StrCat({"==> ", name, " <==\n[error: ", message, "]\n\n"});
      continue;
    }
    Json data = std::move(one->data);
    data["ok"] = true;
    truncated = truncated || data.value("truncated", false);
    used += data.contains("text") ? data["text"].get_ref<const std::string&>().size() : 0;
    text += StrCat({"==> ", data["path"].get<std::string>(), " <==\n", one->text});
    if (!text.empty() && text.back() != '\n') text.push_back('\n');
    text.push_back('\n');
    files.push_back(std::move(data));
  }
  Json data{{"files", std::move(files)}, {"read", paths.size() - failed}, {"failed", failed}, {"truncated", truncated}};
  return Reply::WithText(std::move(data), std::move(text));
}

constexpr Annotations kReadOnly{true, false, true, false};

}  // namespace

void RegisterFsReadOps(Registry& registry, const ns::Workspaces& workspaces) {
  registry.AddOrDie(WithPaths(OpSpec{
      "fs", "read", "Read a file",
      "Read one file of the workspace. Text comes back as it is in the file: by default the first 2000 lines; "
      "choose lines with offset (1-based) and limit, or head / tail N lines, or bytes with byte_offset and "
      "byte_length. A reply holds at most 256 KiB of text and lines over 2000 bytes are cut; both say so in a "
      "marker with the offset to continue from (data: truncated, next_offset). Images (PNG, JPEG, GIF, WebP) "
      "and audio (WAV, MP3, Ogg, FLAC) up to 5 MiB come back as image/audio content. Other binary files are "
      "refused unless binary is \"base64\" (whole files up to 1 MiB, or byte ranges). Use fs_read_many for "
      "several files at once, fs_list/fs_tree for directories, fs_stat for size and type only.",
      kReadOnly, Right::kFsRead,
      [&workspaces](Context& ctx, const Json& args) { return HandleRead(workspaces, ctx, args); },
      true, kMaxResultChars}, {PathUse::Arg("path", PathAccess::kRead)}));
  registry.AddOrDie(WithPaths(OpSpec{
      "fs", "read_many", "Read several files",
      "Read up to 50 text files in one call, each under a '==> /path <==' header. head or offset/limit apply "
      "to every file (default: the first 2000 lines); the reply holds at most 256 KiB of text in all, shared "
      "out so that small files leave more room for large ones; a file cut short says where to continue "
      "(next_offset, for fs_read). A file that cannot be read (missing, a directory, outside the workspace) is "
      "reported in its place, never failing the call; images and other binary files are named with their type, not "
      "shown: read them with fs_read.",
      kReadOnly, Right::kFsRead,
      [&workspaces](Context& ctx, const Json& args) { return HandleReadMany(workspaces, ctx, args); },
      false, kMaxResultChars}, {PathUse::Arg("paths", PathAccess::kRead)}));
  fs::RegisterBrowseOps(registry, workspaces);
}

}  // namespace weft::venoms
