// Clock: the time source behind an interface, so tests can fake it.
#pragma once

#include <chrono>
#include <cstdint>

namespace weft {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time, for durations and deadlines.
  virtual std::chrono::steady_clock::time_point Now() const = 0;
  // Wall-clock time in milliseconds since the Unix epoch, for records.
  virtual int64_t WallMillis() const = 0;
};

// The real clocks. Thread-safe, stateless.
class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override { return std::chrono::steady_clock::now(); }
  int64_t WallMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  }
  // A process-wide instance.
  static const SystemClock& Get() {
    static const SystemClock kClock;
    return kClock;
  }
};

}  // namespace weft
