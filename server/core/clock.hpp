#pragma once

#include <chrono>

namespace chorus {

using TimePoint = std::chrono::system_clock::time_point;

/// Wall-clock source, injected so tests never depend on real time. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace chorus
