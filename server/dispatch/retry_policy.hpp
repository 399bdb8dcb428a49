#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace chorus::dispatch {

/// Exponential backoff for transient send failures: base * 2^(attempt-1), capped, less up to
/// 20% deterministic jitter (from the message id, so retries of a burst spread out), or the
/// carrier's Retry-After when it is longer (up to an hour). After max_attempts the message fails
/// for good.
struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::seconds base{2};
  std::chrono::seconds cap{300};

  /// The delay before the next attempt, or nullopt when `attempt` was the last one.
  std::optional<std::chrono::seconds> NextDelay(int attempt, std::int64_t message_id,
                                                std::optional<std::chrono::seconds> retry_after) const;
};

}  // namespace chorus::dispatch
