#pragma once

#include <string>
#include <string_view>

#include "carriers/form.hpp"

namespace chorus::carriers::twilio {

/// Base64(HMAC-SHA1(auth_token, url + concatenation of name+value for every parameter, names
/// sorted bytewise, each name's values deduplicated and sorted)) as Twilio's helper libraries
/// compute it. Empty only if OpenSSL fails. Pure.
std::string ComputeSignature(std::string_view auth_token, std::string_view url,
                             const FormParams& params);

/// True when `signature` matches `url` as given, with the scheme's default port added (:443 /
/// :80), or with an explicit port removed: Twilio's own validators accept all three because
/// Twilio's backend is inconsistent about ports. False for an empty token or signature.
/// Constant-time comparison. Pure.
bool ValidateSignature(std::string_view auth_token, std::string_view url,
                       const FormParams& params, std::string_view signature);

/// For JSON-bodied webhooks (Twilio's webhook security guide; docs/CARRIERS.md): true when the lower-case hex SHA-256 of
/// `raw_body` equals the `bodySHA256` query parameter of `url` and `signature` matches `url`
/// with no parameters (same port variants as ValidateSignature). False when `url` carries no
/// bodySHA256. Constant-time comparisons. Pure.
bool ValidateJsonBodySignature(std::string_view auth_token, std::string_view url,
                               std::string_view raw_body, std::string_view signature);

/// The exact string that is signed: `url` followed by name+value pairs in signing order.
/// Exposed for tests.
std::string SignedPayload(std::string_view url, const FormParams& params);

}  // namespace chorus::carriers::twilio
