#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/ids.hpp"

namespace chorus::api {

/// An API token as its holder sees it: "chorus_<organization id>_<43 base64url characters>"
/// (32 random bytes). The organization id in the text lets the lookup stay within one
/// organization (the shard key); the rest is the secret. Only a hash is stored.
std::string FormatToken(OrganizationId organization, std::string_view random_bytes);

struct PresentedToken {
  OrganizationId organization = 0;
  std::string hash;  // TokenHash of the whole token
};

/// Reads `Authorization: Bearer <token>`; nullopt when the header is missing or the token is
/// not shaped like ours (answered 401, like an unknown token).
std::optional<PresentedToken> ReadBearer(std::string_view authorization);

/// What is stored and compared: HMAC-SHA256 of the token under a fixed domain key, hex. The
/// token has 256 bits of entropy, so no salt or stretching is needed.
std::string TokenHash(std::string_view token);

}  // namespace chorus::api
