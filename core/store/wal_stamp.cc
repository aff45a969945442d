// WalStamp: the wal-index header of a WAL-mode database, mapped read-only.
#include "core/store/wal_stamp.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace weft::store {
namespace {

// The first copy of the header: SQLite writes the second copy, then this
// one, so a finished commit shows here (walIndexWriteHdr).
constexpr size_t kHeaderBytes = 48;
constexpr size_t kMapBytes = 4096;

}  // namespace

std::unique_ptr<WalStamp> WalStamp::Open(const std::string& db_path) {
  int fd = ::open((db_path + "-shm").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) < kMapBytes) {
    ::close(fd);
    return nullptr;
  }
  void* map = ::mmap(nullptr, kMapBytes, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return nullptr;
  return std::unique_ptr<WalStamp>(new WalStamp(map, kMapBytes));
}

WalStamp::~WalStamp() { ::munmap(const_cast<void*>(map_), size_); }

WalStamp::Value WalStamp::Now() const {
  Value v;
  std::atomic_thread_fence(std::memory_order_acquire);
  std::memcpy(v.data(), map_, kHeaderBytes);
  std::atomic_thread_fence(std::memory_order_acquire);
  return v;
}

}  // namespace weft::store
