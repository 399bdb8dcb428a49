#pragma once

#include <string>
#include <string_view>

namespace chorus {

/// Lower-case hex of HMAC-SHA256(key, data). Pure, thread-safe.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace chorus
