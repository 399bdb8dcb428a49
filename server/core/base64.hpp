#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chorus {

/// Standard Base64 (RFC 4648 section 4) with padding. Pure.
std::string Base64Encode(std::string_view bytes);

/// Decodes standard Base64 with the padding it needs (length a multiple of 4); nullopt for
/// anything else (other alphabets, white space, bits set past the end). Pure.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace chorus
