#include "core/segments.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

namespace chorus {
namespace {

using E = TextEncoding;

std::string Repeat(std::string_view s, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += s;
  return out;
}

std::string Digits(int count) {
  std::string out;
  for (int i = 1; i <= count; ++i) out.push_back(static_cast<char>('0' + i % 10));
  return out;
}

struct SegmentCase {
  std::string name;
  std::string body;
  E encoding;
  int units;
  int segments;
};

void PrintTo(const SegmentCase& c, std::ostream* os) { *os << c.name; }

// "80 extension chars are exactly 160 septets" -> "80ExtensionCharsAreExactly160Septets".
std::string CaseName(const ::testing::TestParamInfo<SegmentCase>& info) {
  std::string out;
  bool upper = true;
  for (char c : info.param.name) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum) {
      upper = true;
      continue;
    }
    out.push_back(upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    upper = false;
  }
  return out;
}

class CountSegmentsTable : public ::testing::TestWithParam<SegmentCase> {};

TEST_P(CountSegmentsTable, MatchesTwiliosCalculator) {
  const SegmentCase& c = GetParam();
  const SegmentCount count = CountSegments(c.body);
  EXPECT_EQ(count.encoding, c.encoding) << c.name;
  EXPECT_EQ(count.units, c.units) << c.name;
  EXPECT_EQ(count.segments, c.segments) << c.name;
}

// From Twilio's message-segment-calculator tests/index.test.js.
INSTANTIATE_TEST_SUITE_P(
    TwilioVectors, CountSegmentsTable,
    ::testing::Values(
        SegmentCase{"160 digits fill one GSM-7 segment", Repeat("1234567890", 16), E::kGsm7, 160,
                    1},
        SegmentCase{"161 digits need two", Digits(161), E::kGsm7, 161, 2},
        SegmentCase{"307 digits need three", Digits(307), E::kGsm7, 307, 3},
        SegmentCase{"emoji and 68 digits fill 70 units", "😜" + Digits(68), E::kUcs2, 70, 1},
        SegmentCase{"emoji and 69 digits need two", "😜" + Digits(69), E::kUcs2, 71, 2},
        SegmentCase{"emoji and 133 digits need three", "😜" + Digits(133), E::kUcs2, 135, 3},
        SegmentCase{"flag and 66 digits fit one", "🇮🇹" + Digits(66), E::kUcs2, 70, 1},
        SegmentCase{"rainbow flag and 64 digits fit one", "🏳️‍🌈" + Digits(64), E::kUcs2,
                    70, 1},
        SegmentCase{"pipe and 158 digits fit one", "|" + Digits(158), E::kGsm7, 160, 1},
        SegmentCase{"caret and 158 digits fit one", "^" + Digits(158), E::kGsm7, 160, 1},
        SegmentCase{"euro and 158 digits fit one", "€" + Digits(158), E::kGsm7, 160, 1},
        SegmentCase{"brace and 158 digits fit one", "{" + Digits(158), E::kGsm7, 160, 1},
        SegmentCase{"closing brace and 158 digits fit one", "}" + Digits(158), E::kGsm7, 160, 1},
        SegmentCase{"bracket and 158 digits fit one", "[" + Digits(158), E::kGsm7, 160, 1},
        SegmentCase{"closing bracket and 158 digits fit one", "]" + Digits(158), E::kGsm7, 160, 1},
        SegmentCase{"tilde and 158 digits fit one", "~" + Digits(158), E::kGsm7, 160, 1},
        SegmentCase{"backslash and 158 digits fit one", "\\" + Digits(158), E::kGsm7, 160, 1}),
    CaseName);

INSTANTIATE_TEST_SUITE_P(
    PartBoundaries, CountSegmentsTable,
    ::testing::Values(
        SegmentCase{"empty body is no segment", "", E::kGsm7, 0, 0},
        SegmentCase{"two full parts", Digits(306), E::kGsm7, 306, 2},
        SegmentCase{"one over two full parts", Digits(307), E::kGsm7, 307, 3},
        SegmentCase{"76 extension chars are 152 septets", Repeat("€", 76), E::kGsm7, 152, 1},
        SegmentCase{"80 extension chars are exactly 160 septets", Repeat("{", 80), E::kGsm7, 160,
                    1},
        // 162 septets: part one holds 76 pairs (152; a 77th would split at 153), part two 5.
        SegmentCase{"81 extension chars never split a pair", Repeat("[", 81), E::kGsm7, 162, 2},
        // 306 septets fill two parts exactly, but the pair at septets 153-154 moves to part two,
        // which then overflows by one into a third.
        SegmentCase{"escape pair at a part edge moves whole", Digits(152) + "€" + Digits(152),
                    E::kGsm7, 306, 3},
        SegmentCase{"67 UCS-2 units per part", "é" + Repeat("ç", 133), E::kUcs2, 134, 2},
        SegmentCase{"one over two UCS-2 parts", Repeat("ç", 135), E::kUcs2, 135, 3},
        // 134 units fill two parts exactly, but the pair at units 67-68 moves to part two.
        SegmentCase{"surrogate pair at a part edge moves whole",
                    Repeat("ç", 66) + "😜" + Repeat("ç", 66), E::kUcs2, 134, 3}),
    CaseName);

INSTANTIATE_TEST_SUITE_P(
    Alphabet, CountSegmentsTable,
    ::testing::Values(
        SegmentCase{"inverted exclamation is GSM-7", "¡Hola!", E::kGsm7, 6, 1},
        SegmentCase{"lower-case c cedilla forces UCS-2", "ç", E::kUcs2, 1, 1},
        SegmentCase{"upper-case C cedilla is GSM-7", "Ç", E::kGsm7, 1, 1},
        SegmentCase{"backtick forces UCS-2", "`", E::kUcs2, 1, 1},
        SegmentCase{"at, dollar, underscore are basic", "@$_", E::kGsm7, 3, 1},
        SegmentCase{"Greek capitals in the table are basic", "ΔΦΓΛΩΠΨΣΘΞ", E::kGsm7, 10, 1},
        SegmentCase{"Greek capital alpha is not", "Α", E::kUcs2, 1, 1},
        SegmentCase{"newlines are basic", "a\r\nb", E::kGsm7, 4, 1},
        SegmentCase{"form feed is an extension char", "\f", E::kGsm7, 2, 1},
        SegmentCase{"tab is not GSM-7", "a\tb", E::kUcs2, 3, 1},
        SegmentCase{"accented basic letters", "àäåæèéìñòöøùüÄÅÆÉÑÖØÜß", E::kGsm7, 22, 1},
        SegmentCase{"curly quote forces UCS-2", "it’s", E::kUcs2, 4, 1},
        SegmentCase{"extension chars count once in UCS-2", "€ç", E::kUcs2, 2, 1},
        SegmentCase{"Devanagari is UCS-2", "बंद", E::kUcs2, 3, 1},
        SegmentCase{"invalid byte counts one UCS-2 unit", "ab\xff", E::kUcs2, 3, 1}),
    CaseName);

TEST(Ucs2Characters, NameEachCharacterThatForcesUcs2OnceInOrder) {
  EXPECT_TRUE(Ucs2Characters("Rent strike Tuesday {7pm} at the €5 hall").empty());
  EXPECT_EQ(Ucs2Characters("it’s “our” turn, it’s"),
            (std::vector<std::string>{"’", "“", "”"}));
  EXPECT_EQ(Ucs2Characters("March 🎉 today 🎉 Ünited ç"), (std::vector<std::string>{"🎉", "ç"}));
  EXPECT_EQ(Ucs2Characters("नमस्ते"), (std::vector<std::string>{"न", "म", "स", "्", "त", "े"}));
  EXPECT_EQ(Ucs2Characters("tab\there"), (std::vector<std::string>{"\t"}));
}

TEST(ReplaceLookAlikes, TurnsTypographyIntoGsm7AndSavesSegments) {
  const std::string typed = "It’s on — “Tenants’ rally”\u00A0at 6… bring friends";
  const LookAlikes plain = ReplaceLookAlikes(typed);
  EXPECT_EQ(plain.text, "It's on - \"Tenants' rally\" at 6... bring friends");
  EXPECT_EQ(plain.replaced, 7);
  EXPECT_EQ(CountSegments(typed).encoding, TextEncoding::kUcs2);
  EXPECT_EQ(CountSegments(plain.text).encoding, TextEncoding::kGsm7);
  // 100 characters: two UCS-2 segments as typed, one GSM-7 segment once replaced.
  const std::string long_text = typed + std::string(100 - 48, 'x');
  EXPECT_EQ(CountSegments(long_text).segments, 2);
  EXPECT_EQ(CountSegments(ReplaceLookAlikes(long_text).text).segments, 1);
}

TEST(ReplaceLookAlikes, LeavesEverythingElseAsWritten) {
  for (const std::string text : {"plain GSM-7 text {with} €", "🎉 emoji stay", "बंद करो", "ab\xff"}) {
    const LookAlikes out = ReplaceLookAlikes(text);
    EXPECT_EQ(out.text, text);
    EXPECT_EQ(out.replaced, 0);
  }
  // An emoji keeps the message UCS-2 even when the rest is replaced.
  EXPECT_EQ(CountSegments(ReplaceLookAlikes("“Go” 🎉").text).encoding, TextEncoding::kUcs2);
}

}  // namespace
}  // namespace chorus
