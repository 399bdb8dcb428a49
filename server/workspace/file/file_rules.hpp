#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "compliance/compliance_words.hpp"
#include "core/result.hpp"

// Shapes of names and texts, and the field paths errors start with, shared by the checks of the
// workspace file (organization, channels, keywords). Pure.
namespace chorus::workspace::file {

/// kInvalidArgument "<path>: <problem>".
Error Invalid(std::string_view path, std::string_view problem);
std::string Quoted(std::string_view s);
/// "a.b", "a[3]", "a[\"key\"]".
std::string Child(std::string_view path, std::string_view name);
std::string Element(std::string_view path, std::size_t index);
std::string Entry(std::string_view path, std::string_view key);

bool IsBlank(std::string_view s);
/// [a-z0-9-]{1,63}
bool IsSlug(std::string_view s);
inline constexpr std::string_view kSlugProblem =
    "must be 1 to 63 of a-z, 0-9 and - ([a-z0-9-]{1,63})";
/// A BCP 47 primary language subtag, optionally with a region ("es", "es-MX", "es-419"), in
/// the canonical case so that "es-MX" written in two places is one key.
bool IsLanguageTag(std::string_view s);
inline constexpr std::string_view kLanguageTagProblem =
    "must be a language tag such as \"en\", \"es\" or \"es-MX\"";
/// `language`, or `fallback` when empty; kInvalidArgument at `path` when not a tag.
Result<std::string> Language(const std::string& language, std::string_view path,
                             std::string_view fallback);
bool IsEnvName(std::string_view s);
bool IsDigits(std::string_view s);
bool IsUpperLetters(std::string_view s);

/// Case- and accent-insensitive, the same comparison members' messages get.
bool Mentions(std::string_view text, std::string_view name);
/// True when some word of `text` (split on spaces, then on ASCII punctuation as in
/// "STOP/HELP") is, on its own, a message that `words` classifies as one of `intents`.
bool SaysAnyOf(const compliance::ComplianceWords& words, std::string_view text,
               std::initializer_list<compliance::Intent> intents);
/// "must be at most N characters (why); it has M".
std::string TooLong(std::size_t limit, std::size_t actual, std::string_view why);

}  // namespace chorus::workspace::file
