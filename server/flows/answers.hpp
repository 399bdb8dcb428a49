#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "flows/flow.hpp"

namespace chorus::flows {

/// A valid answer to an ask step: the value saved, and the choice it picked (kChoice, kYesNo).
struct Answer {
  std::string value;
  const Choice* choice = nullptr;
};

/// Reads a member's `text` as an answer to `step` (pure). `language` is the member's (yes/no
/// words are accepted in it and in English), `country` their phone's region (postal codes).
/// Numbers may be written in any script's digits ("१०००१"). nullopt: not a valid answer.
std::optional<Answer> ParseAnswer(const Step& step, std::string_view text,
                                  const std::string& language, const std::string& country);

/// "yes" / "no" when `folded` means it in `language` or English; nullopt otherwise.
std::optional<bool> ParseYesNo(std::string_view folded, const std::string& language);

/// The postal code in `text` normalised for `country` (US "10001" or "10001-1234" -> "10001";
/// IN 6 digits; GB/CA upper case with one space), or nullopt when it is not one.
std::optional<std::string> ParsePostalCode(std::string_view text, const std::string& country);

}  // namespace chorus::flows
