#include "carriers/telnyx/telnyx_signature.hpp"

#include <gtest/gtest.h>

#include "carriers/telnyx/telnyx_test_signer.hpp"

namespace chorus::carriers::telnyx {
namespace {

// docs/CARRIERS.md, Telnyx: Telnyx publishes no fixed vector (its SDKs' tests draw random
// keys), so this one is derived from the RFC 8032 section 7.1 TEST 1 key; Ed25519 is
// deterministic, and the value was checked with a second implementation.
constexpr char kSeed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kPublicKey[] = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
constexpr char kTimestamp[] = "1700000000";
constexpr char kBody[] =
    R"({"data":{"event_type":"message.received","id":"b301ed3f-1490-491f-995f-6e64e69674d4",)"
    R"("occurred_at":"2023-11-14T22:13:20.000+00:00","payload":{"direction":"inbound",)"
    R"("text":"Hello"},"record_type":"event"},"meta":{"attempt":1,)"
    R"("delivered_to":"https://example.com/webhooks"}})";
constexpr char kSignature[] =
    "nVLzZi8s0xl1vRfv4i0MbaEbwa4Xj5CzZjSnSlxKXKqT1UYQ/Ce3v7tOgie9XQo2q8IW5b7nbdqW9I9qx9qGDw==";

TEST(TelnyxSignature, VerifiesTheVector) {
  EXPECT_TRUE(VerifySignature(kPublicKey, kTimestamp, kBody, kSignature));
}

TEST(TelnyxSignature, TheTestSignerProducesTheVectorAndRfc8032Test1) {
  testing::telnyx::TestSigner signer(kSeed);
  EXPECT_EQ(signer.public_key_base64(), kPublicKey);
  EXPECT_EQ(signer.Sign(kTimestamp, kBody), kSignature);
  // RFC 8032 section 7.1 TEST 1: the signature of the empty message.
  const std::string raw = signer.SignRaw("");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  EXPECT_EQ(hex,
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
            "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
}

TEST(TelnyxSignature, AnyChangeBreaksIt) {
  std::string body = kBody;
  body[body.size() - 3] = '9';
  EXPECT_FALSE(VerifySignature(kPublicKey, kTimestamp, body, kSignature));
  EXPECT_FALSE(VerifySignature(kPublicKey, "1700000001", kBody, kSignature));
  std::string signature = kSignature;
  signature[0] = 'm';
  EXPECT_FALSE(VerifySignature(kPublicKey, kTimestamp, kBody, signature));
  EXPECT_FALSE(VerifySignature(RandomPublicKey(), kTimestamp, kBody, kSignature));
}

TEST(TelnyxSignature, MalformedInputsAreFalseNotErrors) {
  EXPECT_FALSE(VerifySignature("", kTimestamp, kBody, kSignature));
  EXPECT_FALSE(VerifySignature("AAAA", kTimestamp, kBody, kSignature));
  EXPECT_FALSE(VerifySignature(kPublicKey, kTimestamp, kBody, ""));
  EXPECT_FALSE(VerifySignature(kPublicKey, kTimestamp, kBody, "not base64!"));
}

TEST(TelnyxSignature, HeaderShapes) {
  EXPECT_TRUE(IsSignatureHeader(kSignature));
  EXPECT_FALSE(IsSignatureHeader("AAAA"));
  EXPECT_FALSE(IsSignatureHeader(""));
  EXPECT_EQ(ParseTimestamp("1700000000"), 1700000000);
  EXPECT_FALSE(ParseTimestamp("").has_value());
  EXPECT_FALSE(ParseTimestamp("-5").has_value());
  EXPECT_FALSE(ParseTimestamp("17e8").has_value());
  EXPECT_FALSE(ParseTimestamp("9999999999999").has_value());
  EXPECT_TRUE(IsPublicKey(kPublicKey));
  EXPECT_FALSE(IsPublicKey(kSignature));
  EXPECT_TRUE(IsPublicKey(RandomPublicKey()));
}

}  // namespace
}  // namespace chorus::carriers::telnyx
