#pragma once

#include <algorithm>
#include <chrono>

namespace chorus::dispatch {

/// Per-sender throughput in SMS segments per second. Holds at most `burst` tokens; Take may
/// overdraw (a 3-segment message on a 1-segment/s number), and the debt delays what follows,
/// so the long-run rate is exact. Pure; time is passed in. Not thread-safe.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate, double burst, Clock::time_point now)
      : rate_(rate), burst_(std::max(1.0, burst)), tokens_(burst_), at_(now) {}

  void SetRate(double rate, double burst) {
    rate_ = rate;
    burst_ = std::max(1.0, burst);
    tokens_ = std::min(tokens_, burst_);
  }

  /// Whole tokens available at `now`.
  int Available(Clock::time_point now) {
    Refill(now);
    return tokens_ < 1.0 ? 0 : static_cast<int>(tokens_);
  }

  void Take(int tokens, Clock::time_point now) {
    Refill(now);
    tokens_ -= tokens;
  }

  /// How long until one whole token is available.
  Clock::duration TimeUntilAvailable(Clock::time_point now) {
    Refill(now);
    if (tokens_ >= 1.0) return Clock::duration::zero();
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>((1.0 - tokens_) / rate_));
  }

 private:
  void Refill(Clock::time_point now) {
    if (now <= at_) return;
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - at_).count() * rate_);
    at_ = now;
  }

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point at_;
};

}  // namespace chorus::dispatch
