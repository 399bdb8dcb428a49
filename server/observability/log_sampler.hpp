#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace chorus::observability {

/// Decides whether a repetitive log line (a refused connection, a rejected webhook) is written:
/// at most one per `interval`; the lines skipped in between are counted and reported with the
/// next one written, so a flood leaves a trace without one line per request. Thread-safe.
class LogSampler {
 public:
  explicit LogSampler(std::chrono::steady_clock::duration interval = std::chrono::seconds(10))
      : interval_(interval) {}

  struct Decision {
    bool log = false;
    std::uint64_t suppressed = 0;  // lines skipped since the last one written
  };
  Decision Sample(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

 private:
  const std::chrono::steady_clock::duration interval_;
  std::mutex mutex_;
  bool started_ = false;
  std::chrono::steady_clock::time_point last_{};
  std::uint64_t suppressed_ = 0;
};

}  // namespace chorus::observability
