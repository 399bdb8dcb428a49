#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chorus {

/// Characters as a member's phone counts them: code points of well-formed UTF-8 (every byte
/// that is not a continuation byte). Pure.
std::size_t CountCodePoints(std::string_view utf8);

/// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, max U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

/// Folds a member's text for keyword matching: trims leading and trailing white space and
/// punctuation (Unicode categories Z*, P*, S* and controls), collapses inner runs of white space
/// to one ASCII space, unifies compatibility forms (NFKC: fullwidth "ＪＯＩＮ" -> "join",
/// ligatures, presentation forms), removes Latin/Greek/Cyrillic combining accents (U+0300..U+036F
/// after NFKD) and the Arabic-script harakat, hamza marks and tatweel (U+064B..U+065F, U+0670,
/// U+0640), keeps the vowel signs of other scripts (Devanagari, Bengali, Tamil), recomposes and
/// applies Unicode full case folding. "  Arrêt! " -> "arret", "STOP." -> "stop", "बंद" -> "बंद",
/// "تَوَقَّفْ" -> "توقف", "أوقف" -> "اوقف". Invalid UTF-8 sequences are replaced by U+FFFD.
/// Thread-safe.
std::string FoldForMatch(std::string_view utf8);

/// Unicode decimal digits of any script (Devanagari "१०००१", Bengali, Arabic-Indic "٣", Persian,
/// Tamil, fullwidth) turned into ASCII digits, everything else unchanged. Invalid UTF-8 bytes
/// are copied through as they are. Thread-safe.
std::string AsciiDigits(std::string_view utf8);

/// The first space-separated word of an already folded string ("join nyc" -> "join"), with
/// trailing punctuation removed ("join," -> "join").
std::string_view FirstWord(std::string_view folded);

}  // namespace chorus
