#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chorus {

enum class PlusMeans { kPlus, kSpace };

/// Decodes %XX escapes (RFC 3986 section 2.1); with PlusMeans::kSpace also '+' as a space, as
/// form bodies and queries use it (WHATWG application/x-www-form-urlencoded). nullopt for a
/// malformed escape ("%G1", a trailing "%4"): input that does not decode cleanly is refused,
/// never guessed at. The result may hold any byte. Pure.
std::optional<std::string> PercentDecode(std::string_view in, PlusMeans plus);

}  // namespace chorus
