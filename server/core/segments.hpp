#pragma once

#include <cstddef>
#include <string_view>

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

}  // namespace chorus
