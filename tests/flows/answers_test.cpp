#include "flows/answers.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace chorus::flows {
namespace {

// One row: what the member texts, in which language and from which country, and the value saved
// (nullopt: not a valid answer, so the ask re-prompts).
struct AnswerCase {
  std::string_view text;
  std::string_view language;
  std::string_view country;
  std::optional<std::string_view> saved;
};

void PrintTo(const AnswerCase& c, std::ostream* os) {
  *os << '"' << c.text << "\" (" << c.language << ", " << c.country << ") -> "
      << (c.saved ? std::string(*c.saved) : std::string("invalid"));
}

std::optional<std::string> Saved(const Step& step, const AnswerCase& c) {
  auto answer = ParseAnswer(step, c.text, std::string(c.language), std::string(c.country));
  if (!answer) return std::nullopt;
  return answer->value;
}

std::optional<std::string> Expected(const AnswerCase& c) {
  return c.saved ? std::optional<std::string>(*c.saved) : std::nullopt;
}

Step Ask(AnswerType type) {
  Step step;
  step.id = "q";
  step.kind = StepKind::kAsk;
  step.answer = type;
  return step;
}

// ---- numbers: a range of 1..10 ("how many people will you bring?") ----

class NumberInRange : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(NumberInRange, IsSavedInAsciiDigitsOrRefused) {
  Step step = Ask(AnswerType::kNumber);
  step.min = 1;
  step.max = 10;
  EXPECT_EQ(Saved(step, GetParam()), Expected(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(
    AnyScriptsDigits, NumberInRange,
    ::testing::Values(AnswerCase{"5", "en", "US", "5"}, AnswerCase{" 7 ", "en", "US", "7"},
                      AnswerCase{"10.", "en", "US", "10"}, AnswerCase{"१०", "hi", "IN", "10"},
                      AnswerCase{"৭", "bn", "BD", "7"}, AnswerCase{"٣", "ar", "EG", "3"},
                      AnswerCase{"۴", "ur", "PK", "4"}, AnswerCase{"௮", "ta", "IN", "8"},
                      AnswerCase{"３", "en", "US", "3"}, AnswerCase{"2.5", "en", "US", "2.5"}));

INSTANTIATE_TEST_SUITE_P(OutOfRangeOrNotANumber, NumberInRange,
                         ::testing::Values(AnswerCase{"11", "en", "US", std::nullopt},
                                           AnswerCase{"0", "en", "US", std::nullopt},
                                           AnswerCase{"११", "hi", "IN", std::nullopt},
                                           AnswerCase{"-5", "en", "US", std::nullopt},
                                           AnswerCase{"five", "en", "US", std::nullopt},
                                           AnswerCase{"1 2", "en", "US", std::nullopt},
                                           AnswerCase{"0x5", "en", "US", std::nullopt},
                                           AnswerCase{"nan", "en", "US", std::nullopt},
                                           AnswerCase{"inf", "en", "US", std::nullopt},
                                           AnswerCase{"", "en", "US", std::nullopt},
                                           AnswerCase{"  ", "en", "US", std::nullopt}));

class NumberWithoutRange : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(NumberWithoutRange, KeepsSignPointAndPrecision) {
  EXPECT_EQ(Saved(Ask(AnswerType::kNumber), GetParam()), Expected(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Values, NumberWithoutRange,
                         ::testing::Values(AnswerCase{"-5", "en", "US", "-5"},
                                           AnswerCase{" -12.5 ", "en", "US", "-12.5"},
                                           AnswerCase{".5", "en", "US", "0.5"},
                                           AnswerCase{"1,000", "en", "US", "1000"},
                                           AnswerCase{"3.14159265", "en", "US", "3.14159265"},
                                           AnswerCase{"12345678901", "en", "US", "12345678901"},
                                           AnswerCase{"१०,०००", "hi", "IN", "10000"},
                                           AnswerCase{"12,500,000", "en", "US", "12500000"},
                                           AnswerCase{"1,5", "es", "ES", "1.5"},
                                           AnswerCase{"2,75", "de", "DE", "2.75"},
                                           AnswerCase{"1,5,0", "en", "US", "150"},
                                           AnswerCase{"1e400", "en", "US", std::nullopt},
                                           AnswerCase{"infinity", "en", "US", std::nullopt},
                                           AnswerCase{"--5", "en", "US", std::nullopt}));

// ---- postal codes for the member's country ----

class PostalCodeAnswer : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(PostalCodeAnswer, IsNormalisedForTheCountryOrRefused) {
  EXPECT_EQ(Saved(Ask(AnswerType::kPostalCode), GetParam()), Expected(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(UnitedStates, PostalCodeAnswer,
                         ::testing::Values(AnswerCase{"10001", "en", "US", "10001"},
                                           AnswerCase{" 10001. ", "en", "US", "10001"},
                                           AnswerCase{"10001-1234", "en", "US", "10001"},
                                           AnswerCase{"100011234", "en", "US", "10001"},
                                           AnswerCase{"१०००१", "hi", "US", "10001"},
                                           AnswerCase{"1000", "en", "US", std::nullopt},
                                           AnswerCase{"100010", "en", "US", std::nullopt},
                                           AnswerCase{"ABCDE", "en", "US", std::nullopt},
                                           AnswerCase{"my zip is 10001", "en", "US",
                                                      std::nullopt}));

INSTANTIATE_TEST_SUITE_P(IndiaAndBangladeshInNativeDigits, PostalCodeAnswer,
                         ::testing::Values(AnswerCase{"411001", "hi", "IN", "411001"},
                                           AnswerCase{"411 001", "hi", "IN", "411001"},
                                           AnswerCase{"४११००१", "hi", "IN", "411001"},
                                           AnswerCase{"௬௦௦௦௦௧", "ta", "IN", "600001"},
                                           AnswerCase{"41100", "hi", "IN", std::nullopt},
                                           AnswerCase{"১২০৬", "bn", "BD", "1206"},
                                           AnswerCase{"00100", "sw", "KE", "00100"}));

INSTANTIATE_TEST_SUITE_P(BritainCanadaAndOthers, PostalCodeAnswer,
                         ::testing::Values(AnswerCase{"sw1a 1aa", "en", "GB", "SW1A 1AA"},
                                           AnswerCase{"SW1A1AA", "en", "GB", "SW1A 1AA"},
                                           AnswerCase{"M1 1AE", "en", "GB", "M1 1AE"},
                                           AnswerCase{"12345", "en", "GB", std::nullopt},
                                           AnswerCase{"k1a0b1", "fr", "CA", "K1A 0B1"},
                                           AnswerCase{"K1A 0B", "fr", "CA", std::nullopt},
                                           AnswerCase{"1012 ab", "nl", "NL", "1012AB"},
                                           AnswerCase{"12", "nl", "NL", std::nullopt}));

// ---- choices: by number (any script's digits), value or synonym (any script) ----

Step ChoiceAsk() {
  Step step = Ask(AnswerType::kChoice);
  step.choices = {Choice{"water", {"agua", "पानी", "ماء"}, ""},
                  Choice{"food", {"comida", "खाना"}, ""},
                  Choice{"shelter", {"refugio", "убежище"}, "shelter_step"}};
  return step;
}

class ChoiceAnswer : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(ChoiceAnswer, PicksTheChoiceByNumberValueOrSynonym) {
  const Step step = ChoiceAsk();
  auto answer = ParseAnswer(step, GetParam().text, std::string(GetParam().language), "US");
  ASSERT_EQ(answer.has_value(), GetParam().saved.has_value());
  if (!answer) return;
  EXPECT_EQ(answer->value, *GetParam().saved);
  ASSERT_NE(answer->choice, nullptr);
  EXPECT_EQ(answer->choice->value, *GetParam().saved);  // the Choice, for its `next`
}

INSTANTIATE_TEST_SUITE_P(ByNumber, ChoiceAnswer,
                         ::testing::Values(AnswerCase{"1", "en", "", "water"},
                                           AnswerCase{"2.", "en", "", "food"},
                                           AnswerCase{"३", "hi", "", "shelter"},
                                           AnswerCase{"٢", "ar", "", "food"},
                                           AnswerCase{"0", "en", "", std::nullopt},
                                           AnswerCase{"4", "en", "", std::nullopt},
                                           AnswerCase{"1.5", "en", "", std::nullopt}));

INSTANTIATE_TEST_SUITE_P(ByValueOrSynonymInAnyScript, ChoiceAnswer,
                         ::testing::Values(AnswerCase{"WATER", "en", "", "water"},
                                           AnswerCase{" Agua! ", "es", "", "water"},
                                           AnswerCase{"ÁGUA", "es", "", "water"},
                                           AnswerCase{"पानी", "hi", "", "water"},
                                           AnswerCase{"ماء", "ar", "", "water"},
                                           AnswerCase{"खाना", "hi", "", "food"},
                                           AnswerCase{"Убежище", "ru", "", "shelter"},
                                           AnswerCase{"juice", "en", "", std::nullopt},
                                           AnswerCase{"water food", "en", "", std::nullopt}));

TEST(ChoiceAnswer, ChoicesThatAreNumbersArePickedByWhatTheySayBeforeTheirPlace) {
  Step step = Ask(AnswerType::kChoice);
  step.choices = {Choice{"5", {}, ""}, Choice{"10", {}, ""}, Choice{"1", {}, ""}};
  auto five = ParseAnswer(step, "5", "en", "US");
  ASSERT_TRUE(five.has_value());
  EXPECT_EQ(five->value, "5");
  auto one = ParseAnswer(step, "१", "hi", "IN");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->value, "1") << "the choice that says 1, not the first one";
  auto second = ParseAnswer(step, "2", "en", "US");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->value, "10") << "a number no choice says is a place in the list";
}

TEST(ChoiceAnswer, CarriesTheChoicesNextStep) {
  auto answer = ParseAnswer(ChoiceAsk(), "refugio", "es", "MX");
  ASSERT_TRUE(answer.has_value());
  ASSERT_NE(answer->choice, nullptr);
  EXPECT_EQ(answer->choice->next, "shelter_step");
}

// ---- yes / no in the member's language, English always, 1 / 2 ----

class YesNoAnswer : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(YesNoAnswer, IsReadInTheMembersLanguageAndEnglish) {
  EXPECT_EQ(Saved(Ask(AnswerType::kYesNo), GetParam()), Expected(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(
    English, YesNoAnswer,
    ::testing::Values(AnswerCase{"YES", "en", "US", "yes"}, AnswerCase{"y", "en", "US", "yes"},
                      AnswerCase{"Yes!", "en", "US", "yes"}, AnswerCase{"Nope", "en", "US", "no"},
                      AnswerCase{"1", "en", "US", "yes"}, AnswerCase{"2", "en", "US", "no"},
                      AnswerCase{"maybe", "en", "US", std::nullopt},
                      AnswerCase{"yes please", "en", "US", std::nullopt},
                      AnswerCase{"si", "en", "US", std::nullopt},
                      AnswerCase{"ja", "en", "US", std::nullopt}));

INSTANTIATE_TEST_SUITE_P(
    SpanishFrenchGerman, YesNoAnswer,
    ::testing::Values(AnswerCase{"sí", "es", "MX", "yes"}, AnswerCase{"Si.", "es", "MX", "yes"},
                      AnswerCase{"NO", "es", "MX", "no"}, AnswerCase{"yes", "es", "MX", "yes"},
                      AnswerCase{"oui", "fr", "FR", "yes"}, AnswerCase{"Non", "fr", "FR", "no"},
                      AnswerCase{"ja", "de", "DE", "yes"}, AnswerCase{"nein", "de", "DE", "no"}));

INSTANTIATE_TEST_SUITE_P(
    OtherScripts, YesNoAnswer,
    ::testing::Values(AnswerCase{"हाँ", "hi", "IN", "yes"}, AnswerCase{"हां", "hi", "IN", "yes"},
                      AnswerCase{"नहीं", "hi", "IN", "no"}, AnswerCase{"Haan", "hi", "IN", "yes"},
                      AnswerCase{"nahi", "hi", "IN", "no"}, AnswerCase{"হ্যাঁ", "bn", "BD", "yes"},
                      AnswerCase{"না", "bn", "BD", "no"}, AnswerCase{"ஆம்", "ta", "IN", "yes"},
                      AnswerCase{"இல்லை", "ta", "IN", "no"}, AnswerCase{"نعم", "ar", "EG", "yes"},
                      AnswerCase{"لا", "ar", "EG", "no"}, AnswerCase{"ДА", "ru", "RU", "yes"},
                      AnswerCase{"нет", "ru", "RU", "no"}, AnswerCase{"Ndiyo", "sw", "KE", "yes"},
                      AnswerCase{"hapana", "sw", "KE", "no"},
                      AnswerCase{"हाँ", "en", "US", std::nullopt}));

TEST(YesNoAnswer, CarriesTheMatchingChoicesNextStep) {
  Step step = Ask(AnswerType::kYesNo);
  step.choices = {Choice{"yes", {}, "rsvp_yes"}, Choice{"no", {}, "rsvp_no"}};
  auto yes = ParseAnswer(step, "sí", "es", "MX");
  auto no = ParseAnswer(step, "नहीं", "hi", "IN");
  ASSERT_TRUE(yes && yes->choice && no && no->choice);
  EXPECT_EQ(yes->choice->next, "rsvp_yes");
  EXPECT_EQ(no->choice->next, "rsvp_no");
  EXPECT_EQ(ParseAnswer(Ask(AnswerType::kYesNo), "yes", "en", "US")->choice, nullptr);
}

// ---- dates: ISO, or day/month/year (month first in the US) ----

class DateAnswer : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(DateAnswer, IsSavedAsAnIsoDateOrRefused) {
  EXPECT_EQ(Saved(Ask(AnswerType::kDate), GetParam()), Expected(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Dates, DateAnswer,
                         ::testing::Values(AnswerCase{"2024-03-05", "en", "US", "2024-03-05"},
                                           AnswerCase{"03/05/2024", "en", "US", "2024-03-05"},
                                           AnswerCase{"05/03/2024", "en", "IN", "2024-03-05"},
                                           AnswerCase{"5.3.24", "de", "DE", "2024-03-05"},
                                           AnswerCase{"२०२४-०३-०५", "hi", "IN", "2024-03-05"},
                                           AnswerCase{"2024-02-29", "en", "US", "2024-02-29"},
                                           AnswerCase{"2000-02-29", "en", "US", "2000-02-29"},
                                           AnswerCase{"2023-02-29", "en", "US", std::nullopt},
                                           AnswerCase{"1900-02-29", "en", "US", std::nullopt},
                                           AnswerCase{"31/04/2024", "en", "IN", std::nullopt},
                                           AnswerCase{"2024-13-01", "en", "US", std::nullopt},
                                           AnswerCase{"2024/03-05", "en", "US", std::nullopt},
                                           AnswerCase{"tomorrow", "en", "US", std::nullopt}));

// ---- email and free text ----

class EmailAnswer : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(EmailAnswer, IsSavedFoldedOrRefused) {
  EXPECT_EQ(Saved(Ask(AnswerType::kEmail), GetParam()), Expected(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(
    Emails, EmailAnswer,
    ::testing::Values(AnswerCase{"Ana@Example.org", "en", "US", "ana@example.org"},
                      AnswerCase{" ana@example.org. ", "en", "US", "ana@example.org"},
                      AnswerCase{"a@b.c", "en", "US", "a@b.c"},
                      AnswerCase{"ana@example", "en", "US", std::nullopt},
                      AnswerCase{"ana@example.", "en", "US", std::nullopt},
                      AnswerCase{"@example.org", "en", "US", std::nullopt},
                      AnswerCase{"ana@@example.org", "en", "US", std::nullopt},
                      AnswerCase{"ana @example.org", "en", "US", std::nullopt},
                      AnswerCase{"ana@example.org,bo@example.org", "en", "US", std::nullopt}));

TEST(TextAnswer, KeepsTheMembersWordsAsTheyWrote) {
  const Step step = Ask(AnswerType::kText);
  EXPECT_EQ(ParseAnswer(step, " Ana María ", "es", "MX")->value, " Ana María ");
  EXPECT_EQ(ParseAnswer(step, "", "en", "US"), std::nullopt);
  EXPECT_EQ(ParseAnswer(step, "  ", "en", "US"), std::nullopt);
}

// ---- the helpers the engine calls directly ----

TEST(ParseYesNo, ReadsFoldedWordsOfTheLanguageThenEnglish) {
  EXPECT_EQ(ParseYesNo("si", "es"), true);
  EXPECT_EQ(ParseYesNo("no", "es"), false);
  EXPECT_EQ(ParseYesNo("yes", "hi"), true);
  EXPECT_EQ(ParseYesNo("da", "ru"), std::nullopt);   // Latin "da" is not Russian "да"
  EXPECT_EQ(ParseYesNo("oui", "xx"), std::nullopt);  // an unknown language: English only
  EXPECT_EQ(ParseYesNo("ok", "xx"), true);
}

TEST(ParsePostalCode, UsFiveDigitsAndZipPlusFour) {
  EXPECT_EQ(ParsePostalCode("10001", "US"), "10001");
  EXPECT_EQ(ParsePostalCode("10001-1234", "US"), "10001");
  EXPECT_EQ(ParsePostalCode("1000", "US"), std::nullopt);
}

TEST(ParsePostalCode, UnknownCountryTakesAPlausibleCode) {
  EXPECT_EQ(ParsePostalCode("a1b-2c3", ""), "A1B2C3");
  EXPECT_EQ(ParsePostalCode("ab", ""), std::nullopt);
  EXPECT_EQ(ParsePostalCode("12345678901", ""), std::nullopt);
  EXPECT_EQ(ParsePostalCode("12#45", ""), std::nullopt);
}

}  // namespace
}  // namespace chorus::flows
