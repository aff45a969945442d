// OutputBuffer: a fixed head plus a ring for the tail.
#include "core/proc/output_buffer.h"

#include <algorithm>

namespace weft::proc {

OutputBuffer::OutputBuffer(size_t head_cap, size_t tail_cap) : head_cap_(head_cap), ring_(tail_cap) {}

void OutputBuffer::Append(std::string_view bytes) {
  size_t to_head = std::min(bytes.size(), head_cap_ - std::min(head_cap_, head_.size()));
  head_.append(bytes.substr(0, to_head));
  total_ += to_head;
  bytes.remove_prefix(to_head);
  if (bytes.empty()) return;
  size_t cap = ring_.size();
  if (cap == 0) {
    total_ += bytes.size();
    return;
  }
  // Only the last `cap` bytes of a large append can survive it.
  if (bytes.size() > cap) {
    total_ += bytes.size() - cap;
    tail_size_ = 0;
    bytes.remove_prefix(bytes.size() - cap);
  }
  while (!bytes.empty()) {
    size_t at = static_cast<size_t>(total_ % cap);
    size_t n = std::min(bytes.size(), cap - at);
    std::copy_n(bytes.data(), n, ring_.data() + at);
    total_ += n;
    tail_size_ = std::min<uint64_t>(tail_size_ + n, cap);
    bytes.remove_prefix(n);
  }
}

void OutputBuffer::CopyTail(uint64_t from, size_t n, std::string* out) const {
  size_t cap = ring_.size();
  while (n > 0) {
    size_t at = static_cast<size_t>(from % cap);
    size_t piece = std::min(n, cap - at);
    out->append(ring_.data() + at, piece);
    from += piece;
    n -= piece;
  }
}

OutputBuffer::Page OutputBuffer::Read(uint64_t offset, size_t max) const {
  Page page;
  offset = std::min(offset, total_);
  if (offset < head_.size()) {
    // A page from the head runs on into the tail only when nothing was dropped between.
    uint64_t end = dropped() == 0 ? total_ : head_.size();
    size_t n = static_cast<size_t>(std::min<uint64_t>(max, end - offset));
    size_t from_head = std::min(n, head_.size() - static_cast<size_t>(offset));
    page.bytes.assign(head_, static_cast<size_t>(offset), from_head);
    if (n > from_head) CopyTail(head_.size(), n - from_head, &page.bytes);
    page.offset = offset;
    return page;
  }
  uint64_t start = tail_start();
  if (offset < start) {
    page.skipped = start - offset;
    offset = start;
  }
  page.offset = offset;
  CopyTail(offset, static_cast<size_t>(std::min<uint64_t>(max, total_ - offset)), &page.bytes);
  return page;
}

OutputBuffer::View OutputBuffer::HeadAndTail(size_t max) const {
  View view;
  if (dropped() == 0 && total_ <= max) {
    view.head = Read(0, max).bytes;
    return view;
  }
  size_t head_n = std::min<size_t>(head_.size(), max / 4);
  // The tail must be one retained stretch: the ring alone when bytes were dropped before it.
  uint64_t contiguous = dropped() == 0 ? total_ - head_n : tail_size_;
  size_t tail_n = static_cast<size_t>(std::min<uint64_t>(max - head_n, contiguous));
  view.head.assign(head_, 0, head_n);
  // The last tail_n bytes: from the ring, and from the head when the ring holds fewer.
  uint64_t from = total_ - tail_n;
  if (from < head_.size()) {
    view.tail.assign(head_, static_cast<size_t>(from), head_.size() - static_cast<size_t>(from));
    from = head_.size();
  }
  CopyTail(from, static_cast<size_t>(total_ - from), &view.tail);
  view.omitted = total_ - view.head.size() - view.tail.size();
  return view;
}

}  // namespace weft::proc
