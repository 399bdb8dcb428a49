#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chorus::carriers::telnyx {

/// Telnyx refuses, and so do we, a webhook whose timestamp is further than this from now
/// (docs/CARRIERS.md, Telnyx: 5 minutes).
inline constexpr std::chrono::seconds kTimestampTolerance{300};

/// True when `value` can be a telnyx-signature-ed25519 header: Base64 of 64 bytes. Pure.
bool IsSignatureHeader(std::string_view value);

/// The Unix time of a telnyx-timestamp header (decimal seconds), or nullopt. Pure.
std::optional<std::int64_t> ParseTimestamp(std::string_view value);

/// True when a 32-byte Ed25519 public key is given in Base64 (the portal's format). Pure.
bool IsPublicKey(std::string_view base64);

/// Ed25519 verification of `signature` (Base64, 64 bytes) over "<timestamp>|<body>" with the
/// Base64 public key, as Telnyx signs its webhooks. False for anything malformed. Pure.
bool VerifySignature(std::string_view public_key, std::string_view timestamp,
                     std::string_view body, std::string_view signature);

/// A fresh random public key in Base64 whose private half is thrown away: the decoy's.
std::string RandomPublicKey();

}  // namespace chorus::carriers::telnyx
