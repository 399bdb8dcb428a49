#pragma once

#include <string>
#include <string_view>

namespace chorus::testing::telnyx {

/// An Ed25519 key pair as Telnyx holds one: it signs webhooks with the private half, and the
/// account's portal shows the public half (Base64) that Chorus verifies with. The server only
/// ever verifies, so signing here is independent of the code under test.
class TestSigner {
 public:
  /// From a 32-byte seed given in hex (RFC 8032 section 7.1 TEST 1 is
  /// 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60).
  explicit TestSigner(std::string_view seed_hex);
  /// A fresh random key pair.
  TestSigner();
  ~TestSigner();
  TestSigner(const TestSigner&) = delete;
  TestSigner& operator=(const TestSigner&) = delete;

  std::string public_key_base64() const;
  /// Base64 of the Ed25519 signature of "<timestamp>|<body>": telnyx-signature-ed25519.
  std::string Sign(std::string_view timestamp, std::string_view body) const;
  /// The raw signature of `message`, for the RFC 8032 check.
  std::string SignRaw(std::string_view message) const;

 private:
  void* key_ = nullptr;  // EVP_PKEY*
};

}  // namespace chorus::testing::telnyx
