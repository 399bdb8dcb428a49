#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace chorus {

/// True when `text` has the shape of an E.164 number: '+' then 8 to 15 digits, the first not
/// 0 (no country calling code starts with 0). Says nothing
/// of whether the number exists (PhoneNumber::Parse does). Pure.
bool LooksLikeE164(std::string_view text);

/// A phone number in E.164 form ("+15550100001"). Personal data: never log e164() at info or
/// above; use Masked() in debug logs.
class PhoneNumber {
 public:
  /// Parses `raw` as a number of `default_region` (ISO 3166-1 alpha-2, e.g. "US", "IN") unless
  /// it carries its own country code. Accepts numbers libphonenumber calls *possible* (fictional
  /// ranges such as 555-01xx included). kInvalidArgument otherwise; the message never echoes
  /// the input. Thread-safe.
  static Result<PhoneNumber> Parse(std::string_view raw, std::string_view default_region);

  /// Wraps a string already known to be E.164 (e.g. read back from the database).
  static PhoneNumber FromE164Unchecked(std::string e164) { return PhoneNumber(std::move(e164)); }

  const std::string& e164() const { return e164_; }

  /// The ISO 3166-1 region the number belongs to ("US", "IN"; the calling code's main country
  /// when no region's plan covers it); "" for non-geographic numbers. Thread-safe.
  std::string Region() const;

  /// "+1********01": country calling code and the last two digits, for debug logs.
  std::string Masked() const;

  friend bool operator==(const PhoneNumber&, const PhoneNumber&) = default;

 private:
  explicit PhoneNumber(std::string e164) : e164_(std::move(e164)) {}
  std::string e164_;
};

}  // namespace chorus
