#include "dispatch/retry_policy.hpp"

#include <algorithm>

namespace chorus::dispatch {

std::optional<std::chrono::seconds> RetryPolicy::NextDelay(
    int attempt, std::int64_t message_id, std::optional<std::chrono::seconds> retry_after) const {
  if (attempt >= max_attempts) return std::nullopt;
  const int exponent = std::clamp(attempt - 1, 0, 20);
  std::int64_t delay = std::min<std::int64_t>(base.count() << exponent, cap.count());
  const std::int64_t jitter = delay * (static_cast<std::uint64_t>(message_id) % 21) / 100;
  delay = std::min<std::int64_t>(delay + jitter, cap.count());
  if (retry_after && retry_after->count() > delay) delay = std::min(retry_after->count(), cap.count());
  return std::chrono::seconds(delay);
}

}  // namespace chorus::dispatch
