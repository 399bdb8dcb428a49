#pragma once

#include <string>
#include <string_view>

#include "carriers/form.hpp"

namespace chorus::carriers::twilio {

/// Base64(HMAC-SHA1(auth_token, url + concatenation of name+value for every parameter, names
/// sorted bytewise, each name's values deduplicated and sorted)) as Twilio's helper libraries
/// compute it. Pure.
std::string ComputeSignature(std::string_view auth_token, std::string_view url,
                             const FormParams& params);

/// True when `signature` matches `url` as given, with the scheme's default port added (:443 /
/// :80), or with an explicit port removed: Twilio's own validators accept all three because
/// Twilio's backend is inconsistent about ports. Constant-time comparison. Pure.
bool ValidateSignature(std::string_view auth_token, std::string_view url,
                       const FormParams& params, std::string_view signature);

}  // namespace chorus::carriers::twilio
