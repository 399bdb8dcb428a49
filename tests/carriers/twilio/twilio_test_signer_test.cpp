#include "carriers/twilio/twilio_test_signer.hpp"

#include <gtest/gtest.h>

namespace chorus::testing::twilio {
namespace {

// Twilio's official vectors (docs/CARRIERS.md, Twilio signature vectors T1 and T5): the signer
// the fakes use is right before anything is tested with it.
const Params kT1 = {{"CallSid", "CA1234567890ABCDE"},
                    {"Caller", "+14158675309"},
                    {"Digits", "1234"},
                    {"From", "+14158675309"},
                    {"To", "+18005551212"}};

TEST(TwilioTestSigner, MatchesOfficialVectorT1) {
  EXPECT_EQ(Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", kT1),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

TEST(TwilioTestSigner, MatchesOfficialVectorT5WithRepeatedValues) {
  const Params t5 = {{"Sid", "CA123"},
                     {"SidAccount", "AC123"},
                     {"Digits", "5678"},
                     {"Digits", "1234"},
                     {"Digits", "1234"}};
  EXPECT_EQ(Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", t5),
            "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
}

TEST(TwilioTestSigner, EncodesLikeAForm) {
  EXPECT_EQ(Encode({{"Body", "a b+c"}, {"From", "+1555"}}), "Body=a+b%2Bc&From=%2B1555");
}

}  // namespace
}  // namespace chorus::testing::twilio
