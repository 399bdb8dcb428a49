#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace chorus::api {

/// Unpadded base64url (RFC 4648 section 5), as cursors and tokens use it. Pure.
std::string Base64UrlEncode(std::string_view bytes);

/// A page's `next_cursor`: opaque to clients, it says where the next page starts (keyset
/// pagination on the listing's id, so a page costs the same however deep it is and rows added
/// meanwhile are neither skipped nor repeated).
std::string EncodeCursor(std::int64_t after_id);
/// kInvalidArgument for anything EncodeCursor did not make.
Result<std::int64_t> DecodeCursor(std::string_view cursor);

}  // namespace chorus::api
