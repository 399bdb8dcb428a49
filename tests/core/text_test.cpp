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

// NFKC: compatibility forms a phone keyboard or a copy-paste produces fold like the plain letters,
// and a symbol at the edge is trimmed before NFKD could spell it as letters.
INSTANTIATE_TEST_SUITE_P(
    CompatibilityForms, TextFoldTable,
    ::testing::Values(FoldCase{"ＪＯＩＮ", "join"}, FoldCase{"ｊｏｉｎ", "join"},
                      FoldCase{"ＳＴＯＰ！", "stop"}, FoldCase{"１０００１", "10001"},
                      FoldCase{"ﬁn", "fin"}, FoldCase{"STOP™", "stop"},
                      FoldCase{"ﾍﾙﾌﾟ", "ヘルプ"}, FoldCase{"ﻻ", "لا"}));

// Keywords in six scripts fold to one key however they are typed: case, accents, edge
// punctuation, and canonically equivalent spellings (precomposed or not).
INSTANTIATE_TEST_SUITE_P(
    KeywordsInSixScripts, TextFoldTable,
    ::testing::Values(
        // Latin with accents.
        FoldCase{"ÚNETE", "unete"}, FoldCase{"Únete!", "unete"}, FoldCase{"U\u0301NETE", "unete"},
        // Devanagari: marks kept; the nukta letter U+0958 equals क + nukta.
        FoldCase{"शुरू", "शुरू"}, FoldCase{"\u0958", "\u0915\u093c"},
        FoldCase{"\u0915\u093c", "\u0915\u093c"},
        // Bengali: vowel signs and hasanta kept; য় (U+09DF) equals য + nukta.
        FoldCase{"বন্ধ।", "বন্ধ"}, FoldCase{"সাহায্য?", "সাহায্য"},
        FoldCase{"\u09df", "\u09af\u09bc"}, FoldCase{"\u09af\u09bc", "\u09af\u09bc"},
        // Tamil: the two-part vowel sign ொ (U+0BCA) equals ெ + ா.
        FoldCase{"தொடங்கு", "தொடங்கு"}, FoldCase{"த\u0bc6\u0bbeடங்கு", "தொடங்கு"},
        FoldCase{"உதவி!", "உதவி"},
        // Arabic: harakat, hamza marks and tatweel are dropped, letters kept.
        FoldCase{"تَوَقَّفْ", "توقف"}, FoldCase{"تـوقـف", "توقف"}, FoldCase{"توقف؟", "توقف"},
        FoldCase{"أوقف", "اوقف"}, FoldCase{"إلغاء", "الغاء"}, FoldCase{"آ", "ا"},
        // Cyrillic: case folding, and ё meets е.
        FoldCase{"ВСТУПИТЬ", "вступить"}, FoldCase{"Вступить!", "вступить"},
        FoldCase{"СТОП", "стоп"}, FoldCase{"ЁЛКА", "елка"}));

TEST(TextFold, KeywordsFoldTheSameInEveryForm) {
  // The same keyword in its different forms meets on one key (what Classify relies on).
  EXPECT_EQ(FoldForMatch("ÚNETE"), FoldForMatch("unete"));
  EXPECT_EQ(FoldForMatch("ВСТУПИТЬ"), FoldForMatch("вступить"));
  EXPECT_EQ(FoldForMatch("ＪＯＩＮ"), FoldForMatch("join"));
  EXPECT_EQ(FoldForMatch("مُسَاعَدَة"), FoldForMatch("مساعدة"));
  EXPECT_EQ(FoldForMatch("\u09df"), FoldForMatch("\u09af\u09bc"));
  EXPECT_EQ(FoldForMatch("\u0bca"), FoldForMatch("\u0bc6\u0bbe"));
  EXPECT_EQ(FoldForMatch("\u0958"), FoldForMatch("\u0915\u093c"));
}

TEST(TextFold, KeepsTheMarksThatMakeADifferentWord) {
  // Bengali বন্ধ (closed/stop) and বন্ধু (friend) differ only by a vowel sign.
  EXPECT_NE(FoldForMatch("বন্ধ"), FoldForMatch("বন্ধু"));
  // Devanagari बंद keeps its anusvara.
  EXPECT_NE(FoldForMatch("बंद"), FoldForMatch("बद"));
}

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
  for (std::string_view s : {" Stop. ", "«ARRÊT»", "बंद", "STRAßE", "opt  OUT", "İPTAL", "ＪＯＩＮ",
                             "تَوَقَّفْ", "বন্ধ", "தொடங்கு", "ВСТУПИТЬ"}) {
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


struct DigitsCase {
  std::string_view input;
  std::string_view ascii;
};

void PrintTo(const DigitsCase& c, std::ostream* os) { PrintEscaped(c.input, os); }

class TextAsciiDigitsTable : public ::testing::TestWithParam<DigitsCase> {};

TEST_P(TextAsciiDigitsTable, TurnsEveryScriptsDigitsIntoAscii) {
  EXPECT_EQ(AsciiDigits(GetParam().input), GetParam().ascii);
}

INSTANTIATE_TEST_SUITE_P(
    Table, TextAsciiDigitsTable,
    ::testing::Values(DigitsCase{"१०००१", "10001"},       // Devanagari
                      DigitsCase{"১২৩", "123"},           // Bengali
                      DigitsCase{"٣٤", "34"},             // Arabic-Indic
                      DigitsCase{"۱۲۳۴", "1234"},         // Extended Arabic-Indic (Persian, Urdu)
                      DigitsCase{"௧௨", "12"},             // Tamil
                      DigitsCase{"１２３", "123"},        // fullwidth
                      DigitsCase{"๑๐", "10"},             // Thai
                      DigitsCase{"zip ১২৩", "zip 123"},   // mixed with Latin
                      DigitsCase{"पिन ११०००१", "पिन 110001"},
                      DigitsCase{"10001", "10001"}, DigitsCase{"", ""},
                      DigitsCase{"STOP", "STOP"},
                      // Numbers that are not decimal digits stay: a fraction, a superscript,
                      // Tamil ten (U+0BF0), a Roman numeral.
                      DigitsCase{"½", "½"}, DigitsCase{"²", "²"}, DigitsCase{"௰", "௰"},
                      DigitsCase{"Ⅻ", "Ⅻ"}));

TEST(TextAsciiDigits, CopiesInvalidUtf8ThroughAndStillConvertsTheDigitsAroundIt) {
  EXPECT_EQ(AsciiDigits("\xff"), "\xff");
  EXPECT_EQ(AsciiDigits("१\xff२"), "1\xff" "2");
  EXPECT_EQ(AsciiDigits("\xe0\xa5"), "\xe0\xa5");    // truncated ० (U+0966)
  EXPECT_EQ(AsciiDigits("३\xe0\xa5"), "3\xe0\xa5");  // a digit, then a truncated one
  EXPECT_EQ(AsciiDigits("\xed\xa0\x80\u0967"), "\xed\xa0\x80" "1");  // surrogate, then १
  EXPECT_EQ(AsciiDigits("\xc0\xb1"), "\xc0\xb1");    // overlong "1" is not a digit
}

TEST(TextAsciiDigits, ComposesWithTheFold) {
  // How flows read a number: fold first (NFKC already makes fullwidth digits ASCII), then digits.
  EXPECT_EQ(AsciiDigits(FoldForMatch(" ১২৩। ")), "123");
  EXPECT_EQ(AsciiDigits(FoldForMatch("１２３")), "123");
}

}  // namespace
}  // namespace chorus
