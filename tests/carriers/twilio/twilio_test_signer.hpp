#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chorus::testing::twilio {

using Params = std::vector<std::pair<std::string, std::string>>;

/// X-Twilio-Signature as Twilio computes it (its helper libraries' RequestValidator), written
/// apart from the server's carriers/twilio/twilio_signature.cpp so that fakes and e2e tests do
/// not sign with the code under test; checked against Twilio's official vectors in
/// twilio_test_signer_test.cpp. Base64(HMAC-SHA1(token, url + name+value for each parameter,
/// sorted by name, then value, each pair once)).
std::string Sign(std::string_view auth_token, std::string_view url, const Params& params);

/// application/x-www-form-urlencoded, as Twilio's webhooks are encoded (spaces as '+').
std::string Encode(const Params& params);
/// The reverse, for the fake reading the requests Chorus sends; nullopt for a bad %-escape.
std::optional<Params> Decode(std::string_view body);
/// The first value of `name`, or nullptr.
const std::string* Find(const Params& params, std::string_view name);

}  // namespace chorus::testing::twilio
