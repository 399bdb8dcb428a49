#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chorus {

enum class TextEncoding { kGsm7, kUcs2 };

/// The longest message Chorus sends or accepts, in characters (code points): Twilio's limit
/// for a Body (its Message resource and inbound webhook docs), and what every carrier Chorus
/// speaks can concatenate. Texts in the workspace are checked against it.
inline constexpr std::size_t kMaxMessageCharacters = 1600;

/// How an SMS body travels and what it costs. GSM-7 when every character is in the GSM 03.38
/// basic or extension table (extension characters count 2 septets), else UCS-2 counted in
/// UTF-16 code units. Single segment: 160 septets / 70 units; concatenated parts: 153 / 67, and
/// an escape pair or surrogate pair is never split across parts (as Twilio's calculator does).
struct SegmentCount {
  TextEncoding encoding = TextEncoding::kGsm7;
  int units = 0;     // septets (GSM-7) or UTF-16 code units (UCS-2)
  int segments = 0;  // 0 for an empty body
};

/// Pure; `utf8` must be valid UTF-8 (invalid bytes count as one UCS-2 unit each).
SegmentCount CountSegments(std::string_view utf8);

/// The characters of `utf8` that GSM-7 cannot carry, each once, in order of first appearance
/// (UTF-8): what a compose box shows as "these make the message UCS-2". Empty for GSM-7 text.
std::vector<std::string> Ucs2Characters(std::string_view utf8);

/// `utf8` with look-alike characters replaced by their GSM-7 counterparts: curly quotes and
/// primes by straight ones, dashes and minus signs by '-', non-breaking and other typographic
/// spaces by ' ', the ellipsis by "...", bullets by '-'. Nothing else changes (an emoji or a
/// letter of another script stays, and keeps the message UCS-2). `replaced` counts the
/// substitutions. What a broadcast's "replace look-alikes" option sends.
struct LookAlikes {
  std::string text;
  int replaced = 0;
};
LookAlikes ReplaceLookAlikes(std::string_view utf8);

}  // namespace chorus
