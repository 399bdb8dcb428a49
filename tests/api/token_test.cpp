#include "api/token.hpp"

#include <gtest/gtest.h>

namespace chorus::api {
namespace {

const std::string kRandom(32, '\x5a');

TEST(Token, FormatNamesTheOrganizationAndCarries43SecretCharacters) {
  const std::string token = FormatToken(42, kRandom);
  EXPECT_EQ(token.rfind("chorus_42_", 0), 0u) << token;
  EXPECT_EQ(token.size(), std::string("chorus_42_").size() + 43);
}

TEST(Token, ABearerHeaderIsReadBackToItsOrganizationAndHash) {
  const std::string token = FormatToken(42, kRandom);
  auto presented = ReadBearer("Bearer " + token);
  ASSERT_TRUE(presented.has_value());
  EXPECT_EQ(presented->organization, 42);
  EXPECT_EQ(presented->hash, TokenHash(token));
  EXPECT_EQ(presented->hash.size(), 64u);
  EXPECT_EQ(presented->hash.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(Token, DifferentTokensHashDifferently) {
  EXPECT_NE(TokenHash(FormatToken(42, kRandom)), TokenHash(FormatToken(43, kRandom)));
  EXPECT_NE(TokenHash(FormatToken(42, kRandom)),
            TokenHash(FormatToken(42, std::string(32, '\x5b'))));
}

TEST(Token, MalformedHeadersAreNotTokens) {
  const std::string token = FormatToken(42, kRandom);
  const std::string bad[] = {
      "", "Bearer", "Bearer ", "bearer " + token, "Basic " + token, token,
      "Bearer chorus__" + token.substr(10), "Bearer chorus_0_" + token.substr(10),
      "Bearer chorus_-4_" + token.substr(10), "Bearer chorus_4x_" + token.substr(10),
      "Bearer " + token + "A", "Bearer " + token.substr(0, token.size() - 1),
      "Bearer " + token.substr(0, token.size() - 1) + "=",
      "Bearer other_42_" + token.substr(10)};
  for (const auto& header : bad) EXPECT_FALSE(ReadBearer(header).has_value()) << header;
}

}  // namespace
}  // namespace chorus::api
