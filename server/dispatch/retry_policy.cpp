#include "dispatch/retry_policy.hpp"

#include <algorithm>

namespace chorus::dispatch {

std::optional<std::chrono::seconds> RetryPolicy::NextDelay(
    int attempt, std::int64_t message_id, std::optional<std::chrono::seconds> retry_after) const {
  if (attempt >= max_attempts) return std::nullopt;
  const int exponent = std::clamp(attempt - 1, 0, 20);
  std::int64_t delay = std::min<std::int64_t>(base.count() << exponent, cap.count());
  // Jitter below the delay, so it still spreads retries once the delay reaches the cap.
  delay -= delay * (static_cast<std::uint64_t>(message_id) % 21) / 100;
  // The carrier knows best how long it needs; honour it up to an hour.
  if (retry_after && retry_after->count() > delay) delay = std::min<std::int64_t>(retry_after->count(), 3600);
  return std::chrono::seconds(std::max<std::int64_t>(delay, 1));
}

}  // namespace chorus::dispatch
