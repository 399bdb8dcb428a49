#include "core/text.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

namespace chorus {
namespace {

// Test names are built from this (CMake's gtest_discover_tests), so control bytes are escaped.
void PrintEscaped(std::string_view text, std::ostream* os) {
  static constexpr char kHex[] = "0123456789abcdef";
  *os << '"';
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      *os << "\\x" << kHex[byte >> 4] << kHex[byte & 0xF];
    } else {
      *os << c;
    }
  }
  *os << '"';
}

struct FoldCase {
  std::string_view input;
  std::string_view folded;
};

void PrintTo(const FoldCase& c, std::ostream* os) { PrintEscaped(c.input, os); }

class TextFoldTable : public ::testing::TestWithParam<FoldCase> {};

TEST_P(TextFoldTable, FoldsToTheExpectedKey) {
  const FoldCase& c = GetParam();
  EXPECT_EQ(FoldForMatch(c.input), c.folded) << "input: " << c.input;
}

INSTANTIATE_TEST_SUITE_P(CaseAndEdges, TextFoldTable,
                         ::testing::Values(FoldCase{"STOP", "stop"}, FoldCase{"stop", "stop"},
                                           FoldCase{" Stop. ", "stop"}, FoldCase{"STOP!!", "stop"},
                                           FoldCase{"\tSTOP\r\n", "stop"},
                                           FoldCase{"\"stop\"", "stop"}, FoldCase{"(help)", "help"},
                                           FoldCase{"", ""}, FoldCase{"   ", ""},
                                           FoldCase{"!?.", ""}));

INSTANTIATE_TEST_SUITE_P(InnerText, TextFoldTable,
                         ::testing::Values(FoldCase{"opt   out", "opt out"},
                                           FoldCase{"OPT-OUT", "opt-out"},
                                           FoldCase{"stop\t \nall", "stop all"},
                                           FoldCase{"info@example.org", "info@example.org"},
                                           FoldCase{"STOP, please", "stop, please"},
                                           FoldCase{"join nyc!", "join nyc"}));

INSTANTIATE_TEST_SUITE_P(AccentsAndScripts, TextFoldTable,
                         ::testing::Values(FoldCase{"¡Alto!", "alto"}, FoldCase{"«ARRÊT»", "arret"},
                                           FoldCase{"  Arrêt! ", "arret"},
                                           FoldCase{"ARRE\u0302T", "arret"},
                                           FoldCase{"Désabonner", "desabonner"},
                                           FoldCase{"COMEÇAR", "comecar"}, FoldCase{"Sí", "si"},
                                           FoldCase{"STRAßE", "strasse"},
                                           FoldCase{"İPTAL", "iptal"}, FoldCase{"ΣΤΟΠ", "στοπ"}));

INSTANTIATE_TEST_SUITE_P(DevanagariKeepsItsMarks, TextFoldTable,
                         ::testing::Values(FoldCase{"बंद", "बंद"}, FoldCase{" बंद। ", "बंद"},
                                           FoldCase{"हाँ", "हाँ"}, FoldCase{"रोको", "रोको"},
                                           FoldCase{"शुरू!", "शुरू"}));

INSTANTIATE_TEST_SUITE_P(
    UnicodeSpaceAndInvisibles, TextFoldTable,
    ::testing::Values(FoldCase{"\u00a0STOP\u3000", "stop"}, FoldCase{"\ufeffSTOP", "stop"},
                      FoldCase{"STOP\u200b", "stop"}, FoldCase{"opt\u00a0out", "opt out"},
                      FoldCase{"STOP 🛑", "stop"}, FoldCase{"STOP ✋️", "stop"},
                      FoldCase{"STOP 👍🏽", "stop"}, FoldCase{"STOP 1️⃣", "stop 1"}));

TEST(TextFold, ReplacesInvalidUtf8WithTheReplacementCharacter) {
  EXPECT_EQ(FoldForMatch("st\xffop"), "st\uFFFDop");
}

TEST(TextFold, TrimsAReplacementCharacterAtTheEdgeLikeAnyOtherSymbol) {
  EXPECT_EQ(FoldForMatch("STOP\xff"), "stop");
}

TEST(TextFold, AgreesWithItselfOnAsciiAndNonAsciiInput) {
  // The ASCII fast path and the ICU path must fold the same text the same way.
  EXPECT_EQ(FoldForMatch(" Opt  Out! é"), "opt out! e");
  EXPECT_EQ(FoldForMatch(" Opt  Out! e"), "opt out! e");
}

TEST(TextFold, IsIdempotent) {
  for (std::string_view s : {" Stop. ", "«ARRÊT»", "बंद", "STRAßE", "opt  OUT", "İPTAL"}) {
    const std::string once = FoldForMatch(s);
    EXPECT_EQ(FoldForMatch(once), once) << s;
  }
}

struct FirstWordCase {
  std::string_view folded;
  std::string_view word;
};

void PrintTo(const FirstWordCase& c, std::ostream* os) { PrintEscaped(c.folded, os); }

class TextFirstWordTable : public ::testing::TestWithParam<FirstWordCase> {};

TEST_P(TextFirstWordTable, TakesTheFirstWordWithoutTrailingPunctuation) {
  EXPECT_EQ(FirstWord(GetParam().folded), GetParam().word);
}

INSTANTIATE_TEST_SUITE_P(
    Table, TextFirstWordTable,
    ::testing::Values(FirstWordCase{"join nyc", "join"}, FirstWordCase{"join, nyc", "join"},
                      FirstWordCase{"join", "join"}, FirstWordCase{"", ""},
                      FirstWordCase{"here 4821", "here"}, FirstWordCase{"rsvp!!! yes", "rsvp"},
                      FirstWordCase{"बंद। करो", "बंद"}, FirstWordCase{"rallye» now", "rallye"},
                      FirstWordCase{"info@example.org", "info@example.org"}));

struct Utf8Case {
  std::string_view bytes;
  bool valid;
};

// Hex for every byte: the invalid cases would not print as text.
void PrintTo(const Utf8Case& c, std::ostream* os) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (c.bytes.empty()) *os << "empty";
  for (char ch : c.bytes) {
    const auto byte = static_cast<unsigned char>(ch);
    *os << kHex[byte >> 4] << kHex[byte & 0xF];
  }
}

class TextUtf8Validation : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(TextUtf8Validation, AcceptsOnlyWellFormedUtf8) {
  EXPECT_EQ(IsValidUtf8(GetParam().bytes), GetParam().valid);
}

INSTANTIATE_TEST_SUITE_P(
    Table, TextUtf8Validation,
    ::testing::Values(Utf8Case{"", true}, Utf8Case{"STOP", true}, Utf8Case{"ARRÊT", true},
                      Utf8Case{"बंद", true}, Utf8Case{"😜", true},
                      Utf8Case{"\xf4\x8f\xbf\xbf", true},           // U+10FFFF
                      Utf8Case{std::string_view("a\0b", 3), true},  // NUL is a character
                      Utf8Case{"\xc0\xaf", false},                  // overlong "/"
                      Utf8Case{"\xe0\x80\xaf", false},              // overlong "/"
                      Utf8Case{"\xf0\x80\x80\xaf", false},          // overlong "/"
                      Utf8Case{"\xed\xa0\x80", false},              // surrogate U+D800
                      Utf8Case{"\xf4\x90\x80\x80", false},          // U+110000
                      Utf8Case{"\xf5\x80\x80\x80", false},          // lead byte out of range
                      Utf8Case{"\x80", false},                      // lone continuation
                      Utf8Case{"\xc3", false},                      // truncated
                      Utf8Case{"\xe2\x82", false},                  // truncated
                      Utf8Case{"\xe2\x82\x41", false},              // bad continuation
                      Utf8Case{"\xff", false}));

}  // namespace
}  // namespace chorus
