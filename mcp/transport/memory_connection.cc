// MemoryConnection implementation: two mutex-guarded frame queues.
#include "mcp/transport/memory_connection.h"

namespace weft::mcp {

std::pair<std::unique_ptr<MemoryConnection>, std::unique_ptr<MemoryConnection>>
MemoryConnection::Pair() {
  auto a_to_b = std::make_shared<Channel>();
  auto b_to_a = std::make_shared<Channel>();
  return {std::unique_ptr<MemoryConnection>(new MemoryConnection(b_to_a, a_to_b)),
          std::unique_ptr<MemoryConnection>(new MemoryConnection(a_to_b, b_to_a))};
}

Result<std::string> MemoryConnection::Read() {
  std::unique_lock<std::mutex> lock(in_->mu);
  in_->cv.wait(lock, [&] { return !in_->frames.empty() || in_->closed; });
  if (in_->frames.empty()) return Status::Unavailable("connection closed");
  std::string frame = std::move(in_->frames.front());
  in_->frames.pop_front();
  return frame;
}

std::optional<std::string> MemoryConnection::TryRead() {
  std::lock_guard<std::mutex> lock(in_->mu);
  if (in_->frames.empty()) return std::nullopt;
  std::string frame = std::move(in_->frames.front());
  in_->frames.pop_front();
  return frame;
}

std::optional<std::string> MemoryConnection::ReadFor(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(in_->mu);
  in_->cv.wait_for(lock, timeout, [&] { return !in_->frames.empty() || in_->closed; });
  if (in_->frames.empty()) return std::nullopt;
  std::string frame = std::move(in_->frames.front());
  in_->frames.pop_front();
  return frame;
}

Status MemoryConnection::Write(std::string_view frame, const WriteRoute&) {
  std::lock_guard<std::mutex> lock(out_->mu);
  if (out_->closed) return Status::Unavailable("connection closed");
  out_->frames.emplace_back(frame);
  out_->cv.notify_all();
  return Status::Ok();
}

void MemoryConnection::Close() {
  for (auto* ch : {in_.get(), out_.get()}) {
    std::lock_guard<std::mutex> lock(ch->mu);
    ch->closed = true;
    ch->cv.notify_all();
  }
}

}  // namespace weft::mcp
