#include "compliance/compliance_words.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

namespace chorus::compliance {

void PrintTo(const Match& m, std::ostream* os) {
  *os << IntentName(m.intent) << "/" << (m.language.empty() ? "-" : m.language);
}

namespace {

const ComplianceWords& BuiltIn() {
  static const ComplianceWords words = ComplianceWords::BuiltIn();
  return words;
}

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

struct WordCase {
  std::string_view body;
  Intent intent;
  std::string_view language;
};

void PrintTo(const WordCase& c, std::ostream* os) { PrintEscaped(c.body, os); }

Match Expected(const WordCase& c) {
  return c.intent == Intent::kNone ? Match{} : Match{c.intent, std::string(c.language)};
}

class BuiltInKeywords : public ::testing::TestWithParam<WordCase> {};

TEST_P(BuiltInKeywords, ClassifyTheWholeMessage) {
  EXPECT_EQ(BuiltIn().Classify(GetParam().body), Expected(GetParam()));
}

// Every built-in word, as listed in docs/COMPLIANCE.md.
INSTANTIATE_TEST_SUITE_P(
    EnglishKeywords, BuiltInKeywords,
    ::testing::Values(
        WordCase{"STOP", Intent::kOptOut, "en"}, WordCase{"UNSUBSCRIBE", Intent::kOptOut, "en"},
        WordCase{"CANCEL", Intent::kOptOut, "en"}, WordCase{"END", Intent::kOptOut, "en"},
        WordCase{"QUIT", Intent::kOptOut, "en"}, WordCase{"REVOKE", Intent::kOptOut, "en"},
        WordCase{"OPTOUT", Intent::kOptOut, "en"}, WordCase{"OPT OUT", Intent::kOptOut, "en"},
        WordCase{"OPT-OUT", Intent::kOptOut, "en"}, WordCase{"REMOVE", Intent::kOptOut, "en"},
        WordCase{"STOPALL", Intent::kOptOutAll, "en"},
        WordCase{"STOP ALL", Intent::kOptOutAll, "en"}, WordCase{"START", Intent::kOptIn, "en"},
        WordCase{"UNSTOP", Intent::kOptIn, "en"}, WordCase{"YES", Intent::kYes, "en"},
        WordCase{"HELP", Intent::kHelp, "en"}, WordCase{"INFO", Intent::kHelp, "en"}));

INSTANTIATE_TEST_SUITE_P(SpanishKeywords, BuiltInKeywords,
                         ::testing::Values(WordCase{"ALTO", Intent::kOptOut, "es"},
                                           WordCase{"PARAR", Intent::kOptOut, "es"},
                                           WordCase{"DETENER", Intent::kOptOut, "es"},
                                           WordCase{"CANCELAR", Intent::kOptOut, "es"},
                                           WordCase{"BAJA", Intent::kOptOut, "es"},
                                           WordCase{"DARSE DE BAJA", Intent::kOptOut, "es"},
                                           WordCase{"COMENZAR", Intent::kOptIn, "es"},
                                           WordCase{"INICIAR", Intent::kOptIn, "es"},
                                           WordCase{"SÍ", Intent::kYes, "es"},
                                           WordCase{"SI", Intent::kYes, "es"},
                                           WordCase{"AYUDA", Intent::kHelp, "es"}));

INSTANTIATE_TEST_SUITE_P(FrenchKeywords, BuiltInKeywords,
                         ::testing::Values(WordCase{"ARRET", Intent::kOptOut, "fr"},
                                           WordCase{"ARRÊT", Intent::kOptOut, "fr"},
                                           WordCase{"ARRÊTE", Intent::kOptOut, "fr"},
                                           WordCase{"ARRETER", Intent::kOptOut, "fr"},
                                           WordCase{"DÉSABONNER", Intent::kOptOut, "fr"},
                                           WordCase{"DESINSCRIRE", Intent::kOptOut, "fr"},
                                           WordCase{"COMMENCER", Intent::kOptIn, "fr"},
                                           WordCase{"OUI", Intent::kYes, "fr"},
                                           WordCase{"AIDE", Intent::kHelp, "fr"}));

INSTANTIATE_TEST_SUITE_P(PortugueseKeywords, BuiltInKeywords,
                         ::testing::Values(WordCase{"SAIR", Intent::kOptOut, "pt"},
                                           WordCase{"DESCADASTRAR", Intent::kOptOut, "pt"},
                                           WordCase{"COMEÇAR", Intent::kOptIn, "pt"},
                                           WordCase{"COMECAR", Intent::kOptIn, "pt"},
                                           WordCase{"SIM", Intent::kYes, "pt"},
                                           WordCase{"AJUDA", Intent::kHelp, "pt"}));

INSTANTIATE_TEST_SUITE_P(
    HindiKeywords, BuiltInKeywords,
    ::testing::Values(
        WordCase{"बंद", Intent::kOptOut, "hi"}, WordCase{"रोको", Intent::kOptOut, "hi"},
        WordCase{"रुको", Intent::kOptOut, "hi"}, WordCase{"शुरू", Intent::kOptIn, "hi"},
        WordCase{"हाँ", Intent::kYes, "hi"}, WordCase{"हां", Intent::kYes, "hi"},
        WordCase{"मदद", Intent::kHelp, "hi"}, WordCase{"सहायता", Intent::kHelp, "hi"},
        WordCase{"BAND", Intent::kOptOut, "hi"}, WordCase{"ROKO", Intent::kOptOut, "hi"},
        WordCase{"RUKO", Intent::kOptOut, "hi"}, WordCase{"SHURU", Intent::kOptIn, "hi"},
        WordCase{"HAAN", Intent::kYes, "hi"}, WordCase{"MADAD", Intent::kHelp, "hi"},
        WordCase{"SAHAYATA", Intent::kHelp, "hi"}));

// Scenario 3 of the product brief: what members actually type.
INSTANTIATE_TEST_SUITE_P(
    StopKeywordsAsTyped, BuiltInKeywords,
    ::testing::Values(
        WordCase{"stop", Intent::kOptOut, "en"}, WordCase{" Stop. ", Intent::kOptOut, "en"},
        WordCase{"Stop!!!", Intent::kOptOut, "en"}, WordCase{"\"STOP\"", Intent::kOptOut, "en"},
        WordCase{"STOP\r\n", Intent::kOptOut, "en"}, WordCase{"unsubscribe", Intent::kOptOut, "en"},
        WordCase{"opt  out", Intent::kOptOut, "en"}, WordCase{"Opt-Out.", Intent::kOptOut, "en"},
        WordCase{"¡Alto!", Intent::kOptOut, "es"}, WordCase{"Darse de baja", Intent::kOptOut, "es"},
        WordCase{"arret!", Intent::kOptOut, "fr"}, WordCase{"«Arrêt»", Intent::kOptOut, "fr"},
        WordCase{"arrête", Intent::kOptOut, "fr"}, WordCase{" बंद। ", Intent::kOptOut, "hi"},
        WordCase{"Stop All", Intent::kOptOutAll, "en"},
        WordCase{"stopall!", Intent::kOptOutAll, "en"}, WordCase{"Help?", Intent::kHelp, "en"},
        WordCase{"¿Ayuda?", Intent::kHelp, "es"}, WordCase{"Yes!", Intent::kYes, "en"},
        WordCase{"sí", Intent::kYes, "es"}, WordCase{"Oui.", Intent::kYes, "fr"},
        WordCase{"Unstop", Intent::kOptIn, "en"}, WordCase{"Começar", Intent::kOptIn, "pt"}));

// None of these is a whole-message keyword: matching them would opt members out (or in) against
// their intent.
INSTANTIATE_TEST_SUITE_P(
    NearMissesDoNotMatch, BuiltInKeywords,
    ::testing::Values(
        WordCase{"We have got to STOP this bill", Intent::kNone, ""},
        WordCase{"stopp", Intent::kNone, ""}, WordCase{"STOP IT", Intent::kNone, ""},
        WordCase{"stopping", Intent::kNone, ""}, WordCase{"please stop", Intent::kNone, ""},
        WordCase{"STOP PLEASE", Intent::kNone, ""}, WordCase{"HELPFUL", Intent::kNone, ""},
        WordCase{"info@example.org", Intent::kNone, ""}, WordCase{"start now", Intent::kNone, ""},
        WordCase{"yes please", Intent::kNone, ""}, WordCase{"Y", Intent::kNone, ""},
        WordCase{"ALTA", Intent::kNone, ""}, WordCase{"no", Intent::kNone, ""},
        WordCase{"S T O P", Intent::kNone, ""}, WordCase{"st op", Intent::kNone, ""},
        WordCase{"10001", Intent::kNone, ""}, WordCase{"JOIN", Intent::kNone, ""}));

INSTANTIATE_TEST_SUITE_P(BlankMessagesAreNone, BuiltInKeywords,
                         ::testing::Values(WordCase{"", Intent::kNone, ""},
                                           WordCase{"   ", Intent::kNone, ""},
                                           WordCase{"\r\n\t", Intent::kNone, ""},
                                           WordCase{"...", Intent::kNone, ""},
                                           WordCase{"\u00a0", Intent::kNone, ""}));

TEST(StopKeywords, SpanishAltoOptsOut) {
  EXPECT_EQ(BuiltIn().Classify("ALTO"), (Match{Intent::kOptOut, "es"}));
}

TEST(StopKeywords, StopAllOptsOutOfTheWholeOrganizationButStopOnlyTheSender) {
  EXPECT_EQ(BuiltIn().Classify("STOPALL").intent, Intent::kOptOutAll);
  EXPECT_EQ(BuiltIn().Classify("STOP").intent, Intent::kOptOut);
}

TEST(OptInKeywords, YesIsYesNotOptIn) {
  // YES only re-subscribes a member who is opted out; otherwise it is an RSVP or an answer.
  EXPECT_EQ(BuiltIn().Classify("YES").intent, Intent::kYes);
  EXPECT_EQ(BuiltIn().Classify("START").intent, Intent::kOptIn);
}

TEST(OptInKeywords, ASingleYIsNotYes) { EXPECT_EQ(BuiltIn().Classify("y").intent, Intent::kNone); }

TEST(StopKeywords, SharedSpanishPortugueseWordsAnswerInSpanish) {
  EXPECT_EQ(BuiltIn().Classify("parar").language, "es");
  EXPECT_EQ(BuiltIn().Classify("cancelar").language, "es");
}

TEST(OrganizationKeywords, AddedWordMatchesWithItsLanguage) {
  ComplianceWords words = ComplianceWords::BuiltIn();
  words.Add(Intent::kOptOut, "Acha Hapo", "sw");
  EXPECT_EQ(words.Classify(" ACHA  HAPO! "), (Match{Intent::kOptOut, "sw"}));
}

TEST(OrganizationKeywords, AddedWordOverridesABuiltInWord) {
  ComplianceWords words = ComplianceWords::BuiltIn();
  words.Add(Intent::kHelp, "info", "es");
  EXPECT_EQ(words.Classify("INFO"), (Match{Intent::kHelp, "es"}));
  words.Add(Intent::kOptOut, "INFO!", "en");
  EXPECT_EQ(words.Classify("info"), (Match{Intent::kOptOut, "en"}));
}

TEST(OrganizationKeywords, AddingAWordAsNoneRemovesIt) {
  ComplianceWords words = ComplianceWords::BuiltIn();
  words.Add(Intent::kNone, "END", "en");
  EXPECT_EQ(words.Classify("end"), Match{});
  EXPECT_EQ(words.Classify("stop").intent, Intent::kOptOut);
}

TEST(OrganizationKeywords, ABlankWordIsIgnoredSoBlankMessagesStayNone) {
  ComplianceWords words = ComplianceWords::BuiltIn();
  words.Add(Intent::kOptOut, "  ...  ", "en");
  EXPECT_EQ(words.Classify(""), Match{});
  EXPECT_EQ(words.Classify(" "), Match{});
}

TEST(ComplianceIntentNames, AreStableSnakeCase) {
  EXPECT_EQ(IntentName(Intent::kNone), "none");
  EXPECT_EQ(IntentName(Intent::kOptOut), "opt_out");
  EXPECT_EQ(IntentName(Intent::kOptOutAll), "opt_out_all");
  EXPECT_EQ(IntentName(Intent::kOptIn), "opt_in");
  EXPECT_EQ(IntentName(Intent::kHelp), "help");
  EXPECT_EQ(IntentName(Intent::kYes), "yes");
}

}  // namespace
}  // namespace chorus::compliance
