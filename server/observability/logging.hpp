#pragma once

#include <string_view>

#include "core/result.hpp"

namespace chorus::observability {

/// Sets up the process logger: one line per event on stderr,
/// `2026-11-26T23:07:11.123Z info event key=value ...`. `level` is trace, debug, info, warn,
/// error or off. Personal data (phone numbers, message bodies) is never logged at info or
/// above by any module: log ids (member, message, channel) instead. Call once at start-up.
Result<void> SetUpLogging(std::string_view level);

}  // namespace chorus::observability
