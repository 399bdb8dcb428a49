#include "core/percent_encoding.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

namespace chorus {
namespace {

struct DecodeCase {
  const char* in;
  PlusMeans plus;
  std::optional<std::string> out;
};

void PrintTo(const DecodeCase& c, std::ostream* os) { *os << '"' << c.in << '"'; }

class PercentDecodeTable : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(PercentDecodeTable, DecodesOrRefuses) {
  EXPECT_EQ(PercentDecode(GetParam().in, GetParam().plus), GetParam().out);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PercentDecodeTable,
    ::testing::Values(DecodeCase{"plain", PlusMeans::kSpace, "plain"},
                      DecodeCase{"a+b", PlusMeans::kSpace, "a b"},
                      DecodeCase{"a+b", PlusMeans::kPlus, "a+b"},
                      DecodeCase{"%2B1555", PlusMeans::kSpace, "+1555"},
                      DecodeCase{"%c3%A9", PlusMeans::kPlus, "\xC3\xA9"},
                      DecodeCase{"%00", PlusMeans::kPlus, std::string(1, '\0')},
                      DecodeCase{"", PlusMeans::kSpace, ""},
                      DecodeCase{"%G1", PlusMeans::kSpace, std::nullopt},
                      DecodeCase{"abc%4", PlusMeans::kSpace, std::nullopt},
                      DecodeCase{"%", PlusMeans::kPlus, std::nullopt}));

}  // namespace
}  // namespace chorus
