#pragma once

#include <string>
#include <string_view>

namespace chorus::http::detail {

/// True when `id` is 1 to 64 characters of [A-Za-z0-9._-], safe to echo and to log.
bool IsSaneRequestId(std::string_view id);

/// 16 lowercase hex characters from a per-thread generator seeded from std::random_device.
/// Unique enough to correlate logs, not a secret. Any thread.
std::string NewRequestId();

/// `incoming` when it is sane, else a new id.
std::string RequestIdFor(std::string_view incoming);

}  // namespace chorus::http::detail
