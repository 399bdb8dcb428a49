#include "core/phone_number.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include <ostream>
#include <string_view>

namespace chorus {
namespace {

struct ParseCase {
  std::string_view raw;
  std::string_view region;
  std::string_view e164;
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << '"' << c.raw << "\" in " << c.region; }

class PhoneNumberParsesToE164 : public ::testing::TestWithParam<ParseCase> {};

TEST_P(PhoneNumberParsesToE164, WithTheDefaultRegionUnlessTheNumberHasItsOwn) {
  const ParseCase& c = GetParam();
  Result<PhoneNumber> parsed = PhoneNumber::Parse(c.raw, c.region);
  ASSERT_TRUE(parsed.ok()) << c.raw << " in " << c.region << ": " << parsed.error().message;
  EXPECT_EQ(parsed->e164(), c.e164);
}

INSTANTIATE_TEST_SUITE_P(Table, PhoneNumberParsesToE164,
                         ::testing::Values(ParseCase{"(555) 010-0001", "US", "+15550100001"},
                                           ParseCase{"+1 555 010 0001", "US", "+15550100001"},
                                           ParseCase{"555.010.0001", "US", "+15550100001"},
                                           ParseCase{"+15550100001", "US", "+15550100001"},
                                           ParseCase{"+15550100001", "IN", "+15550100001"},
                                           ParseCase{"+91 98765 43210", "US", "+919876543210"},
                                           ParseCase{"+91 98765 43210", "IN", "+919876543210"},
                                           ParseCase{"09876543210", "IN", "+919876543210"},
                                           ParseCase{"98765 43210", "IN", "+919876543210"},
                                           ParseCase{"0712 345678", "KE", "+254712345678"},
                                           ParseCase{"+254 712 345678", "KE", "+254712345678"},
                                           ParseCase{"(555) 010-0001", "us", "+15550100001"}));

struct RejectCase {
  std::string_view raw;
  std::string_view region;
};

void PrintTo(const RejectCase& c, std::ostream* os) {
  *os << '"' << c.raw << "\" in " << (c.region.empty() ? "no region" : c.region);
}

class PhoneNumberRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(PhoneNumberRejects, WithInvalidArgumentThatDoesNotEchoTheInput) {
  const RejectCase& c = GetParam();
  Result<PhoneNumber> parsed = PhoneNumber::Parse(c.raw, c.region);
  ASSERT_FALSE(parsed.ok()) << c.raw;
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  if (!c.raw.empty()) {
    EXPECT_EQ(parsed.error().message.find(c.raw), std::string::npos) << parsed.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, PhoneNumberRejects,
    ::testing::Values(
        RejectCase{"", "US"}, RejectCase{"12", "US"}, RejectCase{"CHORUS", "US"},
        RejectCase{"not a number at all", "US"}, RejectCase{"+", "US"},
        RejectCase{"5550100001", ""}, RejectCase{"5550100001", "XX"},
        // Local-only: 7 digits lack the area code, so no E.164 form reaches them.
        RejectCase{"010-0001", "US"}, RejectCase{"+1 555 010 0001 0001 0001", "US"},
        RejectCase{"+15550100001xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "US"}));

TEST(PhoneNumberMasked, KeepsTheCountryCodeAndLastTwoDigits) {
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("+15550100001").Masked(), "+1********01");
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("+919876543210").Masked(), "+91********10");
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("+254712345678").Masked(), "+254*******78");
}

TEST(PhoneNumberMasked, NeverShowsAShortNationalPartWhole) {
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("+4412").Masked(), "+44**");
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("+1").Masked(), "+1");
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("").Masked(), "");
}

TEST(PhoneNumberEquality, ComparesTheE164Form) {
  Result<PhoneNumber> a = PhoneNumber::Parse("(555) 010-0001", "US");
  Result<PhoneNumber> b = PhoneNumber::Parse("+1 555 010 0001", "IN");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
}

}  // namespace
}  // namespace chorus

namespace chorus {
namespace {

// Plain E.164 input ("+" and digits, what carriers send) takes a fast path that skips
// libphonenumber's full parse; the same number written with a space takes the full parse. The
// two must always agree.
TEST(PhoneNumberFastPath, AgreesWithTheFullParseForEveryCountryCodeAndLength) {
  std::mt19937_64 random(20261126);
  int accepted = 0;
  for (int code = 1; code <= 999; ++code) {
    for (int total = 8; total <= 15; ++total) {
      const std::string cc = std::to_string(code);
      if (static_cast<int>(cc.size()) >= total) continue;
      std::string national;
      for (int i = static_cast<int>(cc.size()); i < total; ++i) {
        national += static_cast<char>('0' + random() % 10);
      }
      const std::string plain = "+" + cc + national;
      const std::string spaced = "+" + cc + " " + national;
      auto fast = PhoneNumber::Parse(plain, "US");
      auto full = PhoneNumber::Parse(spaced, "US");
      ASSERT_EQ(fast.ok(), full.ok()) << plain;
      if (fast.ok()) {
        EXPECT_EQ(fast->e164(), full->e164()) << plain;
        ++accepted;
      }
    }
  }
  EXPECT_GT(accepted, 500);  // the table really exercised accepted numbers
}

TEST(PhoneNumberRegion, IsTheCountryTheNumberBelongsTo) {
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("+919812345678").Region(), "IN");
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("+254712345678").Region(), "KE");
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("+442079460000").Region(), "GB");
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("+14165550123").Region(), "CA");  // Toronto
}

TEST(PhoneNumberRegion, AFictionalNumberBelongsToItsCallingCodesMainCountry) {
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("+15550100001").Region(), "US");
}

TEST(PhoneNumberRegion, IsEmptyForWhatIsNotANumberOfAnyCountry) {
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("ACME-BOT").Region(), "");
  EXPECT_EQ(PhoneNumber::FromE164Unchecked("+80012345678").Region(), "");  // global freephone
}

}  // namespace
}  // namespace chorus
