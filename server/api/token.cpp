#include "api/token.hpp"

#include <charconv>

#include "api/cursor.hpp"
#include "core/hmac.hpp"

namespace chorus::api {
namespace {

constexpr std::string_view kPrefix = "chorus_";
constexpr std::size_t kSecretChars = 43;  // 32 bytes in unpadded base64url

bool IsBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::string FormatToken(OrganizationId organization, std::string_view random_bytes) {
  return std::string(kPrefix) + std::to_string(organization) + "_" +
         Base64UrlEncode(random_bytes);
}

std::optional<PresentedToken> ReadBearer(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size() || authorization.substr(0, kScheme.size()) != kScheme) {
    return std::nullopt;
  }
  const std::string_view token = authorization.substr(kScheme.size());
  if (token.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::string_view rest = token.substr(kPrefix.size());
  const auto underscore = rest.find('_');
  if (underscore == std::string_view::npos || underscore == 0) return std::nullopt;
  OrganizationId organization = 0;
  const auto digits = rest.substr(0, underscore);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), organization);
  if (ec != std::errc() || end != digits.data() + digits.size() || organization <= 0) {
    return std::nullopt;
  }
  const std::string_view secret = rest.substr(underscore + 1);
  if (secret.size() != kSecretChars) return std::nullopt;
  for (char c : secret) {
    if (!IsBase64Url(c)) return std::nullopt;
  }
  return PresentedToken{organization, TokenHash(token)};
}

std::string TokenHash(std::string_view token) { return HmacSha256Hex("chorus api token v1", token); }

}  // namespace chorus::api
