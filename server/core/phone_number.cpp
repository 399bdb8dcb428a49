#include "core/phone_number.hpp"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <optional>
#include <string>

namespace chorus {
namespace {

using i18n::phonenumbers::PhoneNumberUtil;

// No phone number, formatted however, comes near this; longer input is not worth parsing.
constexpr size_t kMaxRawLength = 64;

Error NotAPhoneNumber() {
  return MakeError(ErrorCode::kInvalidArgument, "not a possible phone number");
}

std::string UpperAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// What carriers put in From, checked without Parse, whose ICU regexes were ~10% of chorus
// serve's CPU per webhook (BENCHMARKS.md, finding 5).
bool IsPlainE164(std::string_view raw) { return LooksLikeE164(raw); }

// Whether plain E.164 input is a possible number: split off the country calling code (codes are
// prefix-free, 1 to 3 digits) and apply Parse's possible-length rule. nullopt when the fast path
// cannot decide (unknown code, national part starting with 0).
std::optional<bool> IsPossibleE164(const PhoneNumberUtil& util, std::string_view raw) {
  const std::string_view digits = raw.substr(1);
  for (size_t length = 1; length <= 3; ++length) {
    const int code = std::stoi(std::string(digits.substr(0, length)));
    std::string region;
    util.GetRegionCodeForCountryCode(code, &region);
    if (region == "ZZ") continue;
    const std::string_view national = digits.substr(length);
    if (national.empty() || national[0] == '0') return std::nullopt;
    i18n::phonenumbers::PhoneNumber number;
    number.set_country_code(code);
    number.set_national_number(std::stoull(std::string(national)));
    return util.IsPossibleNumberWithReason(number) == PhoneNumberUtil::IS_POSSIBLE;
  }
  return std::nullopt;
}

}  // namespace

Result<PhoneNumber> PhoneNumber::Parse(std::string_view raw, std::string_view default_region) {
  if (raw.empty() || raw.size() > kMaxRawLength) return NotAPhoneNumber();
  // GetInstance is a thread-safe singleton and its parsing methods are const.
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  // Only a yes is taken from the fast path: the full parse also repairs some numbers the plain
  // reading rejects (a national prefix written after the country code, "+1 1 555...").
  if (IsPlainE164(raw) && IsPossibleE164(util, raw).value_or(false)) {
    return PhoneNumber(std::string(raw));
  }
  i18n::phonenumbers::PhoneNumber number;
  if (util.Parse(std::string(raw), UpperAscii(default_region), &number) !=
      PhoneNumberUtil::NO_PARSING_ERROR) {
    return NotAPhoneNumber();
  }
  // IS_POSSIBLE only: IsPossibleNumber also accepts IS_POSSIBLE_LOCAL_ONLY ("555-0100" in the
  // US), whose E.164 form would lack the area code and reach nobody. Validity is not required
  // because fictional ranges such as 555-01xx are never "valid".
  if (util.IsPossibleNumberWithReason(number) != PhoneNumberUtil::IS_POSSIBLE) {
    return NotAPhoneNumber();
  }
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return PhoneNumber(std::move(e164));
}

std::string PhoneNumber::Masked() const {
  // Country calling codes are 1 to 3 digits; libphonenumber knows which prefix is one.
  size_t keep_front = 2;  // "+" and one digit when the string does not parse
  i18n::phonenumbers::PhoneNumber number;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  if (util.Parse(e164_, "ZZ", &number) == PhoneNumberUtil::NO_PARSING_ERROR) {
    keep_front = 1 + std::to_string(number.country_code()).size();
  }
  std::string masked = e164_;
  const size_t keep_back = 2;
  if (masked.size() <= keep_front) return masked;
  // A too-short national part is masked entirely rather than shown whole.
  const size_t back_start =
      masked.size() - keep_front > keep_back ? masked.size() - keep_back : masked.size();
  for (size_t i = keep_front; i < back_start; ++i) masked[i] = '*';
  return masked;
}

std::string PhoneNumber::Region() const {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  i18n::phonenumbers::PhoneNumber number;
  if (util.Parse(e164_, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return "";
  std::string region;
  util.GetRegionCodeForNumber(number, &region);
  // Numbers valid in no region (fictional 555-01xx ranges, new blocks libphonenumber does not
  // know yet) belong to their calling code's main country: +1 is US, +44 is GB.
  if (region.empty() || region == "ZZ") {
    util.GetRegionCodeForCountryCode(number.country_code(), &region);
  }
  return region == "ZZ" || region == "001" ? "" : region;
}

bool LooksLikeE164(std::string_view text) {
  // No country calling code starts with 0.
  if (text.size() < 9 || text.size() > 16 || text[0] != '+' || text[1] == '0') return false;
  for (char c : text.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace chorus
