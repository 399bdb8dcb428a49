#include "secrets/keyring.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace chorus::secrets {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKeyA[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";  // bytes 0..31
constexpr char kKeyB[] = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";  // bytes 32..63

Keyring Ring(const std::string& text) {
  auto ring = Keyring::Parse(text);
  EXPECT_TRUE(ring.ok()) << ring.error().message;
  return std::move(ring).value();
}

TEST(Keyring, SealsWithTheLastKeyAndOpensWithAny) {
  Keyring old_only = Ring(std::string("old ") + kKeyA + "\n");
  auto sealed = old_only.Seal("the auth token", "channel 1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->key_id, "old");
  EXPECT_EQ(sealed->blob.find("the auth token"), std::string::npos) << "not encrypted";

  Keyring rotated = Ring(std::string("# rotated in December\nold ") + kKeyA + "\n\nnew " + kKeyB + "\n");
  EXPECT_EQ(rotated.active_key_id(), "new");
  auto opened = rotated.Open(*sealed, "channel 1");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, "the auth token");
  auto resealed = rotated.Seal(*opened, "channel 1");
  ASSERT_TRUE(resealed.ok());
  EXPECT_EQ(resealed->key_id, "new");
}

TEST(Keyring, EachSealingUsesAFreshNonce) {
  Keyring ring = Ring(std::string("k ") + kKeyA);
  EXPECT_NE(ring.Seal("same", "ctx")->blob, ring.Seal("same", "ctx")->blob);
}

TEST(Keyring, AValueDoesNotOpenForAnotherRowAnotherKeyOrWhenTampered) {
  Keyring ring = Ring(std::string("k ") + kKeyA);
  Sealed sealed = *ring.Seal("secret", "org 1 channel a");
  EXPECT_EQ(ring.Open(sealed, "org 1 channel b").error().code, ErrorCode::kPermissionDenied);
  Sealed tampered = sealed;
  tampered.blob[20] ^= 1;
  EXPECT_EQ(ring.Open(tampered, "org 1 channel a").error().code, ErrorCode::kPermissionDenied);
  Keyring impostor = Ring(std::string("k ") + kKeyB);
  EXPECT_EQ(impostor.Open(sealed, "org 1 channel a").error().code, ErrorCode::kPermissionDenied);
  Sealed unknown = sealed;
  unknown.key_id = "gone";
  EXPECT_EQ(ring.Open(unknown, "org 1 channel a").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(ring.Open({"k", "short"}, "org 1 channel a").ok());
}

TEST(Keyring, BadFilesAreRefusedWithTheLineAndNeverTheKey) {
  struct Case {
    std::string text;
    const char* problem;
  };
  for (const Case& c : {Case{"", "no key"},
                        Case{"# only a comment\n", "no key"},
                        Case{std::string(kKeyA), "line 1: expected KEY_ID BASE64_KEY"},
                        Case{"k AAAA", "line 1: the key must be 32 bytes"},
                        Case{std::string("k ") + kKeyA + "\nk " + kKeyB, "line 2: key id k is listed twice"},
                        Case{std::string("bad/id ") + kKeyA, "line 1: a key id"}}) {
    auto ring = Keyring::Parse(c.text);
    ASSERT_FALSE(ring.ok()) << c.text;
    EXPECT_THAT(ring.error().message, HasSubstr(c.problem));
    EXPECT_THAT(ring.error().message, Not(HasSubstr(kKeyA)));
  }
}

TEST(Keyring, AKeyFileOthersCanReadIsRefused) {
  const std::string path = ::testing::TempDir() + "chorus_keyring_" + std::to_string(getpid());
  std::ofstream(path) << "k " << kKeyA << "\n";
  ::chmod(path.c_str(), 0644);
  auto open = Keyring::Load(path);
  ASSERT_FALSE(open.ok());
  EXPECT_THAT(open.error().message, HasSubstr("chmod 600"));
  ::chmod(path.c_str(), 0600);
  EXPECT_TRUE(Keyring::Load(path).ok());
  std::remove(path.c_str());
}

TEST(Keyring, NewKeyLinesParse) {
  auto line = Keyring::NewKeyLine("k2026");
  ASSERT_TRUE(line.ok());
  Keyring ring = Ring(*line);
  EXPECT_EQ(ring.active_key_id(), "k2026");
  EXPECT_NE(*Keyring::NewKeyLine("a"), *Keyring::NewKeyLine("a"));
}

TEST(SecretsEncoding, RoundTripsAnyBytes) {
  const std::map<std::string, std::string> secrets = {
      {"auth_token", "abc:def"}, {"api_key", std::string("\0x:1:", 5)}, {"empty", ""}};
  auto decoded = DecodeSecrets(EncodeSecrets(secrets));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, secrets);
  EXPECT_FALSE(DecodeSecrets("5:abc").ok());
  EXPECT_FALSE(DecodeSecrets("x:abc").ok());
}

}  // namespace
}  // namespace chorus::secrets
