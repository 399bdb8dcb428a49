#include "core/phone_number.hpp"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

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

}  // namespace

Result<PhoneNumber> PhoneNumber::Parse(std::string_view raw, std::string_view default_region) {
  if (raw.empty() || raw.size() > kMaxRawLength) return NotAPhoneNumber();
  // GetInstance is a thread-safe singleton and its parsing methods are const.
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
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

}  // namespace chorus
