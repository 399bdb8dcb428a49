#include "carriers/form.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace chorus::carriers {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct ParseCase {
  const char* name;
  std::string input;
  FormParams expected;
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.name; }

class FormParseValid : public ::testing::TestWithParam<ParseCase> {};

TEST_P(FormParseValid, DecodesPairsInWireOrder) {
  auto parsed = ParseForm(GetParam().input);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, FormParseValid,
    ::testing::Values(
        ParseCase{"Empty", "", {}}, ParseCase{"OnePair", "a=1", {{"a", "1"}}},
        ParseCase{"EmptyPairSkipped", "a=1&&b=2", {{"a", "1"}, {"b", "2"}}},
        ParseCase{"LeadingAndTrailingAmpersand", "&a=1&", {{"a", "1"}}},
        ParseCase{"OnlyAmpersands", "&&&", {}}, ParseCase{"NameWithoutEquals", "a", {{"a", ""}}},
        ParseCase{"EmptyValue", "a=", {{"a", ""}}},
        ParseCase{"EqualsInValue", "a=b=c", {{"a", "b=c"}}},
        ParseCase{"PlusIsSpace", "a+b=c+d", {{"a b", "c d"}}},
        ParseCase{"EscapesEitherCase", "%41=%2b%2B", {{"A", "++"}}},
        ParseCase{"EscapedAmpersandAndEquals", "a=%26%3D", {{"a", "&="}}},
        ParseCase{"Utf8Value", "Body=%E2%82%AC+%F0%9F%98%80", {{"Body", "\u20AC \U0001F600"}}},
        ParseCase{"RawUtf8Value", "Body=caf\xC3\xA9", {{"Body", "caf\u00E9"}}},
        ParseCase{"NulIsValidUtf8", "a=%00", {{"a", std::string(1, '\0')}}},
        ParseCase{"RepeatedNamesKept", "a=1&b=2&a=3", {{"a", "1"}, {"b", "2"}, {"a", "3"}}},
        ParseCase{"TwilioLikeBody",
                  "ToCountry=US&Body=Hello%20World%21&From=%2B14158675309&NumMedia=0",
                  {{"ToCountry", "US"},
                   {"Body", "Hello World!"},
                   {"From", "+14158675309"},
                   {"NumMedia", "0"}}}),
    [](const auto& info) { return std::string(info.param.name); });

struct ErrorCase {
  const char* name;
  std::string input;
  std::string problem;  // expected in the message
  std::string secret;   // member data that must not be echoed
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class FormParseInvalid : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(FormParseInvalid, IsInvalidArgumentNamingTheProblemWithoutEchoingData) {
  auto parsed = ParseForm(GetParam().input);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(parsed.error().message, HasSubstr(GetParam().problem));
  EXPECT_THAT(parsed.error().message, Not(HasSubstr(GetParam().secret)));
}

INSTANTIATE_TEST_SUITE_P(
    Table, FormParseInvalid,
    ::testing::Values(
        ErrorCase{"NonHexEscape", "Body=secret%G1", "bad percent-escape in value", "secret"},
        ErrorCase{"TruncatedEscape", "Body=secret%4", "bad percent-escape in value", "secret"},
        ErrorCase{"BarePercent", "Body=secret%", "bad percent-escape in value", "secret"},
        ErrorCase{"EscapeInName", "sec%ZZret=1", "bad percent-escape in name", "sec"},
        ErrorCase{"EmptyName", "=secret", "empty name", "secret"},
        ErrorCase{"EmptyNameLater", "a=1&=secret", "pair 2: empty name", "secret"},
        ErrorCase{"InvalidByte", "Body=%2B15550100001%FF", "value is not UTF-8", "15550100001"},
        ErrorCase{"RawInvalidByte", "Body=+15550100001\xFF", "value is not UTF-8", "15550100001"},
        ErrorCase{"Overlong", "Body=secret%C0%AF", "value is not UTF-8", "secret"},
        ErrorCase{"Surrogate", "Body=secret%ED%A0%80", "value is not UTF-8", "secret"},
        ErrorCase{"AboveMaxCodePoint", "Body=secret%F4%90%80%80", "value is not UTF-8", "secret"},
        ErrorCase{"TruncatedSequence", "Body=secret%E2%82", "value is not UTF-8", "secret"},
        ErrorCase{"InvalidName", "secret%FF=1", "name is not UTF-8", "secret"}),
    [](const auto& info) { return std::string(info.param.name); });

struct EncodeCase {
  const char* name;
  std::string input;
  std::string expected;
};

void PrintTo(const EncodeCase& c, std::ostream* os) { *os << c.name; }

class FormEncodeTable : public ::testing::TestWithParam<EncodeCase> {};

TEST_P(FormEncodeTable, MatchesStandardFormEncoders) {
  EXPECT_EQ(FormEncode(GetParam().input), GetParam().expected);
}

// Expected values as Python's urllib.parse.quote_plus (used by twilio-python) produces them.
INSTANTIATE_TEST_SUITE_P(Table, FormEncodeTable,
                         ::testing::Values(EncodeCase{"Empty", "", ""},
                                           EncodeCase{"AlphaDigit", "abcXYZ019", "abcXYZ019"},
                                           EncodeCase{"UnreservedMarks", "-._~", "-._~"},
                                           EncodeCase{"Space", "Hello World!", "Hello+World%21"},
                                           EncodeCase{"Plus", "+14155551212", "%2B14155551212"},
                                           EncodeCase{"FormDelimiters", "a&b=c", "a%26b%3Dc"},
                                           EncodeCase{"Percent", "100%", "100%25"},
                                           EncodeCase{"SubDelims", "*'()!,;:/?@#",
                                                      "%2A%27%28%29%21%2C%3B%3A%2F%3F%40%23"},
                                           EncodeCase{"Url", "https://chorus.example/cb?x=1",
                                                      "https%3A%2F%2Fchorus.example%2Fcb%3Fx%3D1"},
                                           EncodeCase{"Controls", std::string("\n\t\0", 3),
                                                      "%0A%09%00"},
                                           EncodeCase{"Utf8UpperCaseHex", "\u20AC", "%E2%82%AC"},
                                           EncodeCase{"Emoji", "\U0001F600", "%F0%9F%98%80"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(FormEncode, JoinsPairsWithAmpersandsInOrder) {
  EXPECT_EQ(EncodeForm({{"To", "+15550100001"}, {"Body", "Hi there"}, {"To", "x"}}),
            "To=%2B15550100001&Body=Hi+there&To=x");
  EXPECT_EQ(EncodeForm({}), "");
}

struct RoundTripCase {
  const char* name;
  FormParams params;
};

void PrintTo(const RoundTripCase& c, std::ostream* os) { *os << c.name; }

class FormRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(FormRoundTrip, ParseOfEncodeIsIdentity) {
  auto parsed = ParseForm(EncodeForm(GetParam().params));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, GetParam().params);
}

FormParams EveryAsciiByte() {
  std::string all;
  for (int c = 0; c < 128; ++c) all.push_back(static_cast<char>(c));
  return {{"all", all}, {all.substr(1), "name holds every byte but NUL"}};
}

INSTANTIATE_TEST_SUITE_P(
    Table, FormRoundTrip,
    ::testing::Values(
        RoundTripCase{"Empty", {}}, RoundTripCase{"EmptyValue", {{"a", ""}}},
        RoundTripCase{"Delimiters", {{"a b", "c+d"}, {"a b", "=&%"}}},
        RoundTripCase{
            "Unicode",
            {{"Body", "\u00A1Hola! \u20AC5 \U0001F600 \u0928\u092E\u0938\u094D\u0924\u0947"}}},
        RoundTripCase{"Addresses", {{"From", "+14158675309"}, {"To", "whatsapp:+18005551212"}}},
        RoundTripCase{"EveryAsciiByte", EveryAsciiByte()}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(FormRoundTrip, EncodeOfParseIsCanonical) {
  auto parsed = ParseForm("b=%7e+x&a=%2b");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(EncodeForm(*parsed), "b=~+x&a=%2B");
}

TEST(FormFindParam, ReturnsFirstValueOrNull) {
  FormParams params{{"a", "1"}, {"b", "2"}, {"a", "3"}};
  ASSERT_NE(FindParam(params, "a"), nullptr);
  EXPECT_EQ(*FindParam(params, "a"), "1");
  EXPECT_EQ(*FindParam(params, "b"), "2");
  EXPECT_EQ(FindParam(params, "A"), nullptr);
  EXPECT_EQ(FindParam(params, "c"), nullptr);
}

}  // namespace
}  // namespace chorus::carriers
