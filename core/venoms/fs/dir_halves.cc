// Large directories read in two halves at once (dir_halves.h): the claim
// between the two readers, and the helper thread that runs the upper one.
#include "core/venoms/fs/dir_halves.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>

#include "core/base/fd.h"
#include "core/base/strings.h"

namespace weft::venoms::fs {
namespace {

// Smaller directories are read by the caller alone: handing half of one
// over costs about 0.1 ms, and 128 KiB of ext4 directory is some 4,000
// entries, about 1.5 ms of reading.
constexpr off_t kHalvesMinBytes = 128 * 1024;

// A directory whose positions DirHalves can split: ext2/3/4 (one magic),
// and large.
bool Splittable(int dir_fd) {
  struct statfs fs;
  struct stat st;
  return ::fstatfs(dir_fd, &fs) == 0 && fs.f_type == EXT4_SUPER_MAGIC && ::fstat(dir_fd, &st) == 0 &&
         st.st_size >= kHalvesMinBytes;
}

// The process's helper thread for upper halves: one directory at a time.
// Each time it is handed one it is bound to the CPUs other than its
// caller's: woken as it is, the scheduler would place it beside the thread
// that woke it, and the two halves would take turns on one CPU. Started on
// first use and never stopped (it waits for work until the process ends);
// a forked child does not have it, and reads alone.
class HalfHelper {
 public:
  // nullptr when there is none: one CPU, a forked child, no thread to be had.
  static HalfHelper* Get() {
    static HalfHelper* const helper = Start();
    return helper != nullptr && helper->pid_ == ::getpid() ? helper : nullptr;
  }

  // Hands `halves` to the helper; false when it is busy with another
  // directory or the caller may run on every CPU the helper may.
  bool Begin(DirHalves* halves) {
    cpu_set_t others;
    if (::sched_getaffinity(0, sizeof others, &others) != 0) return false;
    int cpu = ::sched_getcpu();
    if (cpu >= 0 && cpu < CPU_SETSIZE) CPU_CLR(cpu, &others);
    if (CPU_COUNT(&others) == 0) return false;
    std::lock_guard<std::mutex> lock(mu_);
    if (busy_) return false;
    // Binding may fail (a cpuset changed under us); the halves are then
    // read as the scheduler places them, which is still correct.
    if (tid_ > 0 && !CPU_EQUAL(&others, &bound_) && ::sched_setaffinity(tid_, sizeof others, &others) == 0) {
      bound_ = others;
    }
    busy_ = true;
    pending_ = halves;
    work_cv_.notify_one();
    return true;
  }

  // After Begin: waits until the helper is done with `halves`, at once
  // when it has not taken it up (it then never will). Returns the entries
  // ReadUpper gave, valid until Release.
  const SortedEntries& Finish(DirHalves* halves) {
    std::unique_lock<std::mutex> lock(mu_);
    if (pending_ == halves) pending_ = nullptr;
    done_cv_.wait(lock, [&] { return running_ != halves; });
    return upper_;
  }

  // Frees the helper for the next directory, and the memory of a large one.
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    if (upper_.size() > kKeepEntries) upper_ = SortedEntries();
    busy_ = false;
  }

 private:
  HalfHelper() : pid_(::getpid()) { CPU_ZERO(&bound_); }

  static HalfHelper* Start() {
    cpu_set_t allowed;
    if (::sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2) return nullptr;
    auto* helper = new HalfHelper();
    try {
      std::thread(&HalfHelper::Run, helper).detach();
    } catch (const std::system_error&) {
      delete helper;
      return nullptr;
    }
    return helper;
  }

  void Run() {
    ::pthread_setname_np(::pthread_self(), "weft-dirhalf");
    std::unique_lock<std::mutex> lock(mu_);
    tid_ = ::gettid();
    for (;;) {
      work_cv_.wait(lock, [&] { return pending_ != nullptr; });
      DirHalves* halves = pending_;
      pending_ = nullptr;
      running_ = halves;
      lock.unlock();
      halves->ReadUpper(&upper_);
      lock.lock();
      running_ = nullptr;
      done_cv_.notify_all();
    }
  }

  // The helper keeps its buffers for the next directory up to about this
  // many entries (a few megabytes).
  static constexpr size_t kKeepEntries = 50'000;

  const pid_t pid_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  pid_t tid_ = 0;                 // the helper thread's, once it runs (guarded by mu_)
  cpu_set_t bound_;               // its affinity as last set (guarded by mu_)
  bool busy_ = false;             // between Begin and Release (guarded by mu_)
  DirHalves* pending_ = nullptr;  // handed over, not yet taken up (guarded by mu_)
  DirHalves* running_ = nullptr;  // being read (guarded by mu_)
  SortedEntries upper_;           // ReadUpper's entries: the helper's between Begin and Finish, then the caller's
};

}  // namespace

DirHalves::DirHalves(int dir_fd, std::string_view shown, bool hidden, size_t max_entries)
    : dir_fd_(dir_fd), shown_(shown), hidden_(hidden), max_entries_(max_entries) {}

bool DirHalves::ReadUpper(SortedEntries* out) {
  out->Start(0);
  if (claim_.load() != kOpen) return false;  // the lower reader got there first: nothing to open
  UniqueFd fd(::openat(dir_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return false;
  DirReader reader(fd.get(), shown_, kMiddle);
  if (!reader.status().ok()) return false;  // no seeking there: the lower reader reads it all
  bool claimed = false;
  std::string_view name;
  EntryType type;
  while (reader.Next(&name, &type)) {
    // Every position from the middle on is past it where positions are
    // ordered. Where they are not (the file system is not what Splittable
    // took it for), the entries are not the upper half: before the claim,
    // the lower reader is left to read everything; after it, the read fails.
    if (reader.position() < kMiddle) {
      if (!claimed) return false;
      misordered_.store(true);
      upper_status_ = Status::Internal(StrCat({shown_, ": directory positions out of order"}));
      return true;
    }
    if (!claimed) {
      int open = kOpen;
      if (!claim_.compare_exchange_strong(open, kUpperByHelper)) return false;
      claimed = true;
    }
    if (cancelled_.load(std::memory_order_relaxed)) {
      upper_status_ = Status::Cancelled(StrCat({shown_, ": the read was cancelled"}));
      return true;
    }
    if (upper_count_++ >= max_entries_) {
      upper_status_ = TooManyEntries(shown_, max_entries_);
      return true;
    }
    if (hidden_ || name.front() != '.') out->Add(name, type);
  }
  upper_status_ = reader.status();
  // Sorted here, while the caller is still reading its half.
  if (claimed && upper_status_.ok()) out->Sort();
  return claimed;
}

Status DirHalves::ReadLower(SortedEntries* out) {
  DirReader reader(dir_fd_, shown_);
  reader.SetStop(kMiddle);
  auto drain = [&]() -> Status {
    std::string_view name;
    EntryType type;
    while (reader.Next(&name, &type)) {
      if (lower_count_++ >= max_entries_) return TooManyEntries(shown_, max_entries_);
      if (hidden_ || name.front() != '.') out->Add(name, type);
    }
    return reader.status();
  };
  WEFT_RETURN_IF_ERROR(drain());
  // At the middle, or at the end without reaching it: the upper half is
  // the caller's unless the helper has it already.
  int open = kOpen;
  if (claim_.compare_exchange_strong(open, kUpperByCaller) && reader.stopped()) {
    reader.SetStop(DirReader::kNoStop);
    WEFT_RETURN_IF_ERROR(drain());
  }
  return Status::Ok();
}

Result<SortedNames> DirHalves::Take(const SortedEntries& upper, SortedEntries* lower) {
  if (claim_.load() != kUpperByHelper) return lower->Take();
  WEFT_RETURN_IF_ERROR(upper_status_);
  if (lower_count_ + upper_count_ > max_entries_) return TooManyEntries(shown_, max_entries_);
  return lower->TakeMerged(upper);
}

Result<SortedNames> SortedDirFd(int dir_fd, std::string_view shown, bool hidden, SortedEntries* collect,
                                size_t max_entries) {
  auto read_whole = [&]() -> Result<SortedNames> {
    WEFT_RETURN_IF_ERROR(VisitDirFd(
        dir_fd, shown,
        [&](std::string_view name, EntryType type) {
          if (hidden || name.front() != '.') collect->Add(name, type);
        },
        max_entries));
    return collect->Take();
  };
  HalfHelper* helper = Splittable(dir_fd) ? HalfHelper::Get() : nullptr;
  DirHalves halves(dir_fd, shown, hidden, max_entries);
  if (helper == nullptr || !helper->Begin(&halves)) return read_whole();
  Status lower = halves.ReadLower(collect);
  if (!lower.ok()) halves.Cancel();
  const SortedEntries& upper = helper->Finish(&halves);
  Result<SortedNames> names = lower.ok() ? halves.Take(upper, collect) : Result<SortedNames>(lower);
  helper->Release();
  if (!halves.misordered()) return names;
  // Not the ordered positions Splittable promised: read it again, whole.
  collect->Start(0);
  return read_whole();
}

}  // namespace weft::venoms::fs
