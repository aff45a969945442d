// OutputBuffer: what one output stream of a process retained, bounded: its
// first bytes (the head) and its latest bytes (a ring, the tail), with the
// stream offsets of both, so a reader can page through by offset and learn
// how many bytes in between were dropped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weft::proc {

// Not thread-safe (Session guards it). Offsets count every byte the stream
// ever carried, kept or not.
class OutputBuffer {
 public:
  // Keeps the first `head_cap` bytes and the last `tail_cap` bytes.
  OutputBuffer(size_t head_cap, size_t tail_cap);

  void Append(std::string_view bytes);

  // Everything the stream carried so far: the offset the next byte gets.
  uint64_t total() const { return total_; }
  // Bytes dropped between the head and the tail.
  uint64_t dropped() const { return tail_start() - head_.size(); }
  // The stream offset of the oldest byte in the tail (== head end when
  // nothing was dropped).
  uint64_t tail_start() const { return total_ - tail_size_; }

  struct Page {
    std::string bytes;
    uint64_t offset = 0;   // stream offset of bytes[0]
    uint64_t skipped = 0;  // bytes between the asked offset and `offset`, no longer kept
  };
  // Up to `max` retained bytes from `offset` (clamped to total()). An
  // offset in the dropped stretch starts at the tail, counting the gap in
  // `skipped`; a page never spans the gap.
  Page Read(uint64_t offset, size_t max) const;

  struct View {
    std::string head;  // stream bytes [0, head.size())
    std::string tail;  // the last tail.size() bytes of the stream
    uint64_t omitted = 0;  // total() - head.size() - tail.size()
  };
  // At most `max` bytes in all: the whole stream when it is retained and
  // fits; else up to a quarter of `max` from the start and the rest from
  // the end.
  View HeadAndTail(size_t max) const;

 private:
  // Copies `n` tail bytes from stream offset `from` (>= tail_start()).
  void CopyTail(uint64_t from, size_t n, std::string* out) const;

  size_t head_cap_;
  std::string head_;
  // Capacity tail_cap; the byte at stream offset o sits at o % tail_cap.
  // Only bytes past the head go here.
  std::vector<char> ring_;
  uint64_t tail_size_ = 0;  // valid ring bytes (<= ring_.size()), ending at total_
  uint64_t total_ = 0;
};

}  // namespace weft::proc
