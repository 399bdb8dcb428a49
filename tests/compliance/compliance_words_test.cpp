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

INSTANTIATE_TEST_SUITE_P(
    GermanKeywords, BuiltInKeywords,
    ::testing::Values(
        WordCase{"STOPP", Intent::kOptOut, "de"}, WordCase{"STOPPEN", Intent::kOptOut, "de"},
        WordCase{"ABMELDEN", Intent::kOptOut, "de"}, WordCase{"ABBESTELLEN", Intent::kOptOut, "de"},
        WordCase{"AUFHÖREN", Intent::kOptOut, "de"}, WordCase{"AUFHOEREN", Intent::kOptOut, "de"},
        WordCase{"BEENDEN", Intent::kOptOut, "de"}, WordCase{"ENDE", Intent::kOptOut, "de"},
        WordCase{"STARTEN", Intent::kOptIn, "de"}, WordCase{"JA", Intent::kYes, "de"},
        WordCase{"HILFE", Intent::kHelp, "de"},
        // As typed: lower case, umlaut left out, German quotation marks, punctuation.
        WordCase{"stopp", Intent::kOptOut, "de"}, WordCase{"Stopp!", Intent::kOptOut, "de"},
        WordCase{"„Stopp“", Intent::kOptOut, "de"}, WordCase{"aufhören", Intent::kOptOut, "de"},
        WordCase{"aufhoren", Intent::kOptOut, "de"}, WordCase{"Abmelden.", Intent::kOptOut, "de"},
        WordCase{"Ende", Intent::kOptOut, "de"}, WordCase{"Hilfe?", Intent::kHelp, "de"},
        WordCase{"ja", Intent::kYes, "de"}, WordCase{"Ja!", Intent::kYes, "de"}));

INSTANTIATE_TEST_SUITE_P(
    RussianKeywords, BuiltInKeywords,
    ::testing::Values(
        WordCase{"СТОП", Intent::kOptOut, "ru"}, WordCase{"ОТПИСАТЬСЯ", Intent::kOptOut, "ru"},
        WordCase{"ОТПИСКА", Intent::kOptOut, "ru"}, WordCase{"ОТПИШИТЕ", Intent::kOptOut, "ru"},
        WordCase{"ПРЕКРАТИТЬ", Intent::kOptOut, "ru"},
        WordCase{"ПРЕКРАТИТЕ", Intent::kOptOut, "ru"}, WordCase{"СТАРТ", Intent::kOptIn, "ru"},
        WordCase{"НАЧАТЬ", Intent::kOptIn, "ru"}, WordCase{"ВОЗОБНОВИТЬ", Intent::kOptIn, "ru"},
        WordCase{"ДА", Intent::kYes, "ru"}, WordCase{"ПОМОЩЬ", Intent::kHelp, "ru"},
        WordCase{"СПРАВКА", Intent::kHelp, "ru"},
        // As typed.
        WordCase{"стоп", Intent::kOptOut, "ru"}, WordCase{"Стоп!", Intent::kOptOut, "ru"},
        WordCase{"«СТОП»", Intent::kOptOut, "ru"}, WordCase{"отписаться.", Intent::kOptOut, "ru"},
        WordCase{"Старт", Intent::kOptIn, "ru"}, WordCase{"Помощь?", Intent::kHelp, "ru"},
        WordCase{"да", Intent::kYes, "ru"}));

INSTANTIATE_TEST_SUITE_P(
    IndonesianKeywords, BuiltInKeywords,
    ::testing::Values(
        WordCase{"BERHENTI", Intent::kOptOut, "id"}, WordCase{"HENTIKAN", Intent::kOptOut, "id"},
        WordCase{"BERHENTI BERLANGGANAN", Intent::kOptOut, "id"},
        WordCase{"MULAI", Intent::kOptIn, "id"}, WordCase{"BERLANGGANAN", Intent::kOptIn, "id"},
        WordCase{"YA", Intent::kYes, "id"}, WordCase{"IYA", Intent::kYes, "id"},
        WordCase{"BANTUAN", Intent::kHelp, "id"}, WordCase{"TOLONG", Intent::kHelp, "id"},
        // As typed.
        WordCase{"berhenti", Intent::kOptOut, "id"}, WordCase{"Berhenti!", Intent::kOptOut, "id"},
        WordCase{" berhenti  berlangganan ", Intent::kOptOut, "id"},
        WordCase{"Mulai", Intent::kOptIn, "id"}, WordCase{"iya", Intent::kYes, "id"},
        WordCase{"Bantuan?", Intent::kHelp, "id"}, WordCase{"tolong!", Intent::kHelp, "id"}));

INSTANTIATE_TEST_SUITE_P(TagalogKeywords, BuiltInKeywords,
                         ::testing::Values(WordCase{"TIGIL", Intent::kOptOut, "tl"},
                                           WordCase{"ITIGIL", Intent::kOptOut, "tl"},
                                           WordCase{"HINTO", Intent::kOptOut, "tl"},
                                           WordCase{"SIMULA", Intent::kOptIn, "tl"},
                                           WordCase{"OO", Intent::kYes, "tl"},
                                           WordCase{"OPO", Intent::kYes, "tl"},
                                           WordCase{"TULONG", Intent::kHelp, "tl"},
                                           // As typed.
                                           WordCase{"tigil", Intent::kOptOut, "tl"},
                                           WordCase{"Tigil!", Intent::kOptOut, "tl"},
                                           WordCase{"Hinto.", Intent::kOptOut, "tl"},
                                           WordCase{"opo", Intent::kYes, "tl"},
                                           WordCase{"Tulong?", Intent::kHelp, "tl"}));

INSTANTIATE_TEST_SUITE_P(
    SwahiliKeywords, BuiltInKeywords,
    ::testing::Values(
        WordCase{"SITISHA", Intent::kOptOut, "sw"}, WordCase{"SIMAMISHA", Intent::kOptOut, "sw"},
        WordCase{"KOMESHA", Intent::kOptOut, "sw"}, WordCase{"NIONDOE", Intent::kOptOut, "sw"},
        WordCase{"ONDOKA", Intent::kOptOut, "sw"}, WordCase{"ANZA", Intent::kOptIn, "sw"},
        WordCase{"ANZISHA", Intent::kOptIn, "sw"}, WordCase{"NDIYO", Intent::kYes, "sw"},
        WordCase{"NDIO", Intent::kYes, "sw"}, WordCase{"MSAADA", Intent::kHelp, "sw"},
        WordCase{"SAIDIA", Intent::kHelp, "sw"},
        // As typed.
        WordCase{"sitisha", Intent::kOptOut, "sw"}, WordCase{"Niondoe!", Intent::kOptOut, "sw"},
        WordCase{"Anza", Intent::kOptIn, "sw"}, WordCase{"ndio", Intent::kYes, "sw"},
        WordCase{"Msaada?", Intent::kHelp, "sw"}));

INSTANTIATE_TEST_SUITE_P(
    ArabicKeywords, BuiltInKeywords,
    ::testing::Values(
        WordCase{"توقف", Intent::kOptOut, "ar"}, WordCase{"أوقف", Intent::kOptOut, "ar"},
        WordCase{"إيقاف", Intent::kOptOut, "ar"}, WordCase{"قف", Intent::kOptOut, "ar"},
        WordCase{"إلغاء", Intent::kOptOut, "ar"}, WordCase{"إلغاء الاشتراك", Intent::kOptOut, "ar"},
        WordCase{"اشتراك", Intent::kOptIn, "ar"}, WordCase{"استئناف", Intent::kOptIn, "ar"},
        WordCase{"نعم", Intent::kYes, "ar"}, WordCase{"مساعدة", Intent::kHelp, "ar"},
        WordCase{"مساعده", Intent::kHelp, "ar"},
        // As typed: hamza left off, harakat written, tatweel, Arabic punctuation.
        WordCase{"اوقف", Intent::kOptOut, "ar"}, WordCase{"ايقاف", Intent::kOptOut, "ar"},
        WordCase{"الغاء", Intent::kOptOut, "ar"}, WordCase{"الغاء الاشتراك", Intent::kOptOut, "ar"},
        WordCase{"تَوَقَّفْ", Intent::kOptOut, "ar"}, WordCase{"إِلْغَاء", Intent::kOptOut, "ar"},
        WordCase{"تـوقـف", Intent::kOptOut, "ar"}, WordCase{"توقف!", Intent::kOptOut, "ar"},
        WordCase{"«توقف»", Intent::kOptOut, "ar"}, WordCase{"استيناف", Intent::kOptIn, "ar"},
        WordCase{"نَعَم", Intent::kYes, "ar"}, WordCase{"مساعدة؟", Intent::kHelp, "ar"}));

INSTANTIATE_TEST_SUITE_P(
    UrduKeywords, BuiltInKeywords,
    ::testing::Values(
        WordCase{"بند", Intent::kOptOut, "ur"}, WordCase{"بند کرو", Intent::kOptOut, "ur"},
        WordCase{"بند کریں", Intent::kOptOut, "ur"}, WordCase{"روکو", Intent::kOptOut, "ur"},
        WordCase{"رکو", Intent::kOptOut, "ur"}, WordCase{"شروع", Intent::kOptIn, "ur"},
        WordCase{"ہاں", Intent::kYes, "ur"}, WordCase{"جی ہاں", Intent::kYes, "ur"},
        WordCase{"مدد", Intent::kHelp, "ur"},
        // As typed: Urdu full stop and question mark, a zabar, a doubled space.
        WordCase{"بند۔", Intent::kOptOut, "ur"}, WordCase{"بَند", Intent::kOptOut, "ur"},
        WordCase{"بند  کرو!", Intent::kOptOut, "ur"}, WordCase{"مدد؟", Intent::kHelp, "ur"}));

INSTANTIATE_TEST_SUITE_P(
    BengaliKeywords, BuiltInKeywords,
    ::testing::Values(
        WordCase{"বন্ধ", Intent::kOptOut, "bn"}, WordCase{"বন্ধ করো", Intent::kOptOut, "bn"},
        WordCase{"বন্ধ করুন", Intent::kOptOut, "bn"}, WordCase{"থামো", Intent::kOptOut, "bn"},
        WordCase{"থামুন", Intent::kOptOut, "bn"}, WordCase{"BONDHO", Intent::kOptOut, "bn"},
        WordCase{"শুরু", Intent::kOptIn, "bn"}, WordCase{"হ্যাঁ", Intent::kYes, "bn"},
        WordCase{"হ্যা", Intent::kYes, "bn"}, WordCase{"সাহায্য", Intent::kHelp, "bn"},
        // As typed: the danda, romanised lower case, punctuation.
        WordCase{"বন্ধ।", Intent::kOptOut, "bn"}, WordCase{"bondho", Intent::kOptOut, "bn"},
        WordCase{"Bondho!", Intent::kOptOut, "bn"}, WordCase{"সাহায্য?", Intent::kHelp, "bn"}));

INSTANTIATE_TEST_SUITE_P(
    TamilKeywords, BuiltInKeywords,
    ::testing::Values(
        WordCase{"நிறுத்து", Intent::kOptOut, "ta"}, WordCase{"நிறுத்தவும்", Intent::kOptOut, "ta"},
        WordCase{"நிறுத்துங்கள்", Intent::kOptOut, "ta"}, WordCase{"NIRUTHU", Intent::kOptOut, "ta"},
        WordCase{"தொடங்கு", Intent::kOptIn, "ta"}, WordCase{"தொடங்கவும்", Intent::kOptIn, "ta"},
        WordCase{"ஆம்", Intent::kYes, "ta"}, WordCase{"ஆமாம்", Intent::kYes, "ta"},
        WordCase{"உதவி", Intent::kHelp, "ta"}, WordCase{"UDHAVI", Intent::kHelp, "ta"},
        // As typed.
        WordCase{"நிறுத்து!", Intent::kOptOut, "ta"}, WordCase{"niruthu", Intent::kOptOut, "ta"},
        WordCase{"Udhavi?", Intent::kHelp, "ta"}, WordCase{"உதவி?", Intent::kHelp, "ta"}));

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
        WordCase{"stoop", Intent::kNone, ""}, WordCase{"STOP IT", Intent::kNone, ""},
        WordCase{"stopping", Intent::kNone, ""}, WordCase{"please stop", Intent::kNone, ""},
        WordCase{"STOP PLEASE", Intent::kNone, ""}, WordCase{"HELPFUL", Intent::kNone, ""},
        WordCase{"info@example.org", Intent::kNone, ""}, WordCase{"start now", Intent::kNone, ""},
        WordCase{"yes please", Intent::kNone, ""}, WordCase{"Y", Intent::kNone, ""},
        WordCase{"ALTA", Intent::kNone, ""}, WordCase{"no", Intent::kNone, ""},
        WordCase{"S T O P", Intent::kNone, ""}, WordCase{"st op", Intent::kNone, ""},
        WordCase{"10001", Intent::kNone, ""}, WordCase{"JOIN", Intent::kNone, ""}));

// Per language: the flows' "no", sentences that contain a STOP word, words one vowel sign away
// from a keyword, and the words docs/COMPLIANCE.md leaves out on purpose.
INSTANTIATE_TEST_SUITE_P(
    HindiNearMissesDoNotMatch, BuiltInKeywords,
    ::testing::Values(WordCase{"नहीं", Intent::kNone, ""}, WordCase{"nahi", Intent::kNone, ""},
                      WordCase{"बंद है", Intent::kNone, ""}, WordCase{"band hai", Intent::kNone, ""},
                      WordCase{"acha", Intent::kNone, ""}, WordCase{"Achha!", Intent::kNone, ""},
                      WordCase{"accha", Intent::kNone, ""}));

INSTANTIATE_TEST_SUITE_P(GermanNearMissesDoNotMatch, BuiltInKeywords,
                         ::testing::Values(WordCase{"nein", Intent::kNone, ""},
                                           WordCase{"Nein!", Intent::kNone, ""},
                                           WordCase{"Ende Mai", Intent::kNone, ""},
                                           WordCase{"Wir müssen das stoppen", Intent::kNone, ""},
                                           WordCase{"anmelden", Intent::kNone, ""},
                                           WordCase{"Start der Demo", Intent::kNone, ""},
                                           WordCase{"aus", Intent::kNone, ""}));

INSTANTIATE_TEST_SUITE_P(RussianNearMissesDoNotMatch, BuiltInKeywords,
                         ::testing::Values(WordCase{"нет", Intent::kNone, ""},
                                           WordCase{"Нет.", Intent::kNone, ""},
                                           WordCase{"хватит", Intent::kNone, ""},
                                           WordCase{"отмена", Intent::kNone, ""},
                                           WordCase{"подписаться", Intent::kNone, ""},
                                           WordCase{"стоп-кран", Intent::kNone, ""},
                                           WordCase{"Надо остановить стройку", Intent::kNone, ""},
                                           WordCase{"стопка", Intent::kNone, ""}));

INSTANTIATE_TEST_SUITE_P(IndonesianNearMissesDoNotMatch, BuiltInKeywords,
                         ::testing::Values(WordCase{"tidak", Intent::kNone, ""},
                                           WordCase{"gak", Intent::kNone, ""},
                                           WordCase{"batal", Intent::kNone, ""},
                                           WordCase{"keluar", Intent::kNone, ""},
                                           WordCase{"unreg", Intent::kNone, ""},
                                           WordCase{"berhenti merokok", Intent::kNone, ""},
                                           WordCase{"ya ampun", Intent::kNone, ""}));

INSTANTIATE_TEST_SUITE_P(TagalogNearMissesDoNotMatch, BuiltInKeywords,
                         ::testing::Values(WordCase{"hindi", Intent::kNone, ""},
                                           WordCase{"Hindi po", Intent::kNone, ""},
                                           WordCase{"ayoko", Intent::kNone, ""},
                                           WordCase{"tama na", Intent::kNone, ""},
                                           WordCase{"para", Intent::kNone, ""},
                                           WordCase{"tigil-pasada", Intent::kNone, ""},
                                           WordCase{"oho", Intent::kNone, ""}));

INSTANTIATE_TEST_SUITE_P(
    SwahiliNearMissesDoNotMatch, BuiltInKeywords,
    ::testing::Values(WordCase{"hapana", Intent::kNone, ""}, WordCase{"la", Intent::kNone, ""},
                      WordCase{"acha", Intent::kNone, ""}, WordCase{"toka", Intent::kNone, ""},
                      WordCase{"basi", Intent::kNone, ""}, WordCase{"ondoa", Intent::kNone, ""},
                      WordCase{"sitisha mgomo", Intent::kNone, ""}));

INSTANTIATE_TEST_SUITE_P(
    ArabicNearMissesDoNotMatch, BuiltInKeywords,
    ::testing::Values(WordCase{"لا", Intent::kNone, ""}, WordCase{"أبدًا", Intent::kNone, ""},
                      WordCase{"ابدا", Intent::kNone, ""}, WordCase{"ابدأ", Intent::kNone, ""},
                      WordCase{"كفى", Intent::kNone, ""}, WordCase{"بس", Intent::kNone, ""},
                      WordCase{"توقف العمل", Intent::kNone, ""},
                      WordCase{"وقف", Intent::kNone, ""}));

INSTANTIATE_TEST_SUITE_P(UrduNearMissesDoNotMatch, BuiltInKeywords,
                         ::testing::Values(WordCase{"نہیں", Intent::kNone, ""},
                                           WordCase{"بند ہے", Intent::kNone, ""},
                                           WordCase{"بس", Intent::kNone, ""},
                                           WordCase{"ختم", Intent::kNone, ""},
                                           WordCase{"جی", Intent::kNone, ""}));

INSTANTIATE_TEST_SUITE_P(BengaliNearMissesDoNotMatch, BuiltInKeywords,
                         ::testing::Values(WordCase{"না", Intent::kNone, ""},
                                           WordCase{"বন্ধু", Intent::kNone, ""},
                                           WordCase{"দোকান বন্ধ", Intent::kNone, ""},
                                           WordCase{"বন্ধন", Intent::kNone, ""}));

INSTANTIATE_TEST_SUITE_P(TamilNearMissesDoNotMatch, BuiltInKeywords,
                         ::testing::Values(WordCase{"இல்லை", Intent::kNone, ""},
                                           WordCase{"நிறுத்தம்", Intent::kNone, ""},
                                           WordCase{"பேருந்து நிறுத்தம்", Intent::kNone, ""}));

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

TEST(StopKeywords, NoInAnyBuiltInLanguageIsNeverAStop) {
  // The flows' "no" words: a member answering a question must not be unsubscribed.
  for (std::string_view no : {"no", "non", "não", "nein", "नहीं", "nahi", "না", "இல்லை", "لا", "نہیں",
                              "нет", "hapana", "tidak", "hindi"}) {
    EXPECT_EQ(BuiltIn().Classify(no), Match{}) << no;
  }
}

TEST(OptInKeywords, YesInEveryBuiltInLanguageIsYesNotOptIn) {
  for (std::string_view yes : {"yes", "sí", "oui", "sim", "हाँ", "haan", "ja", "да", "ya", "oo",
                               "ndiyo", "نعم", "ہاں", "হ্যাঁ", "ஆம்"}) {
    EXPECT_EQ(BuiltIn().Classify(yes).intent, Intent::kYes) << yes;
  }
}

TEST(StopKeywords, RomanisedWordsSharedByHindiAndUrduAreListedOnceAsHindi) {
  EXPECT_EQ(BuiltIn().Classify("band"), (Match{Intent::kOptOut, "hi"}));
  EXPECT_EQ(BuiltIn().Classify("madad"), (Match{Intent::kHelp, "hi"}));
  EXPECT_EQ(BuiltIn().Classify("shuru"), (Match{Intent::kOptIn, "hi"}));
}

TEST(StopKeywords, ArabicScriptBandAndMadadAreUrdu) {
  // In Arabic they mean "clause" and "supply"; only Urdu uses them for stop and help.
  EXPECT_EQ(BuiltIn().Classify("بند"), (Match{Intent::kOptOut, "ur"}));
  EXPECT_EQ(BuiltIn().Classify("مدد"), (Match{Intent::kHelp, "ur"}));
}

TEST(StopKeywords, HindiAndUrduAchaMeansOkaySoSwahiliAchaIsNotAStop) {
  EXPECT_EQ(BuiltIn().Classify("acha"), Match{});
  EXPECT_EQ(BuiltIn().Classify("ACHA!"), Match{});
}

TEST(OptInKeywords, ArabicNeverIsNotReadAsStart) {
  // "ابدأ" (start) and "أبدًا" (never) fold to the same letters, so neither is a keyword.
  EXPECT_EQ(BuiltIn().Classify("أبدًا"), Match{});
  EXPECT_EQ(BuiltIn().Classify("ابدأ"), Match{});
}

TEST(StopKeywords, GermanStoppOptsOutInGerman) {
  EXPECT_EQ(BuiltIn().Classify("Stopp!"), (Match{Intent::kOptOut, "de"}));
}

TEST(StopKeywords, BengaliFriendIsNotBengaliStop) {
  // বন্ধু differs from বন্ধ only by a vowel sign, which the fold keeps.
  EXPECT_EQ(BuiltIn().Classify("বন্ধ"), (Match{Intent::kOptOut, "bn"}));
  EXPECT_EQ(BuiltIn().Classify("বন্ধু"), Match{});
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
