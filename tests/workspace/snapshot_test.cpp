#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "workspace/workspace.hpp"

namespace chorus::workspace {
namespace {

constexpr OrganizationId kOrg = 1;
constexpr OrganizationId kOtherOrg = 2;
constexpr ChannelId kNyc = 10;
constexpr ChannelId kLa = 11;
constexpr ChannelId kOther = 20;

Channel MakeChannel(OrganizationId org, ChannelId id, std::string slug) {
  Channel c;
  c.organization_id = org;
  c.id = id;
  c.slug = std::move(slug);
  return c;
}

Keyword MakeKeyword(OrganizationId org, std::optional<ChannelId> channel, std::string word,
                    std::string reply) {
  Keyword k;
  k.organization_id = org;
  k.channel_id = channel;
  k.word = word;
  k.display_word = word;
  k.reply = std::move(reply);
  return k;
}

Snapshot MakeSnapshot() {
  Organization chorus;
  chorus.id = kOrg;
  chorus.slug = "chorus";
  Organization other;
  other.id = kOtherOrg;
  other.slug = "other";
  return Snapshot({chorus, other},
                  {MakeChannel(kOrg, kNyc, "nyc"), MakeChannel(kOrg, kLa, "la"),
                   MakeChannel(kOtherOrg, kOther, "other")},
                  {
                      // The channel-specific keyword is listed first so that the organization-wide
                      // one cannot win by coming last.
                      MakeKeyword(kOrg, kLa, "rally", "LA rally"),
                      MakeKeyword(kOrg, std::nullopt, "rally", "Rally everywhere"),
                      MakeKeyword(kOrg, kLa, "beach", "LA only"),
                      MakeKeyword(kOtherOrg, std::nullopt, "join", "Other org"),
                  });
}

const Keyword* Find(const Snapshot& s, ChannelId channel, std::string_view word) {
  return s.FindKeyword(*s.ChannelById(channel), word);
}

TEST(Snapshot, ChannelSpecificKeywordWinsOverTheOrganizationWideOne) {
  const Snapshot s = MakeSnapshot();
  ASSERT_NE(Find(s, kLa, "rally"), nullptr);
  EXPECT_EQ(Find(s, kLa, "rally")->reply, "LA rally");
}

TEST(Snapshot, OtherChannelsGetTheOrganizationWideKeyword) {
  const Snapshot s = MakeSnapshot();
  ASSERT_NE(Find(s, kNyc, "rally"), nullptr);
  EXPECT_EQ(Find(s, kNyc, "rally")->reply, "Rally everywhere");
}

TEST(Snapshot, ChannelSpecificKeywordIsInvisibleOnOtherChannels) {
  const Snapshot s = MakeSnapshot();
  EXPECT_EQ(Find(s, kNyc, "beach"), nullptr);
  ASSERT_NE(Find(s, kLa, "beach"), nullptr);
}

TEST(Snapshot, AnotherOrganizationsKeywordIsInvisible) {
  const Snapshot s = MakeSnapshot();
  EXPECT_EQ(Find(s, kNyc, "join"), nullptr);
  ASSERT_NE(Find(s, kOther, "join"), nullptr);
  EXPECT_EQ(Find(s, kOther, "rally"), nullptr);
}

TEST(Snapshot, UnknownWordIsNotAKeyword) {
  const Snapshot s = MakeSnapshot();
  EXPECT_EQ(Find(s, kNyc, "ral"), nullptr);
  EXPECT_EQ(Find(s, kNyc, ""), nullptr);
}

TEST(Snapshot, LooksUpChannelsAndOrganizations) {
  const Snapshot s = MakeSnapshot();
  ASSERT_NE(s.ChannelBySlug("la"), nullptr);
  EXPECT_EQ(s.ChannelBySlug("la")->id, kLa);
  EXPECT_EQ(s.ChannelBySlug("sf"), nullptr);
  EXPECT_EQ(s.ChannelById(99), nullptr);
  ASSERT_NE(s.OrganizationById(kOtherOrg), nullptr);
  EXPECT_EQ(s.OrganizationById(kOtherOrg)->slug, "other");
  EXPECT_EQ(s.OrganizationById(99), nullptr);
  EXPECT_EQ(s.channels().size(), 3u);
}

Organization OrgWithTexts() {
  Organization org;
  org.default_language = "en";
  org.texts["en"] = {.help = "help-en",
                     .opt_out_confirmation = "stop-en",
                     .opt_out_all_confirmation = "stopall-en",
                     .opt_in_confirmation = "start-en",
                     .default_reply = "default-en"};
  org.texts["es"] = {.help = "help-es", .opt_out_confirmation = "stop-es"};
  org.texts["fr"] = {.help = "help-fr"};
  return org;
}

struct TextCase {
  std::string_view name;
  TextKind kind;
  std::string_view language;
  std::string_view text;
};

void PrintTo(const TextCase& c, std::ostream* os) { *os << c.name; }

const TextCase kTextCases[] = {
    {"TextInTheMembersLanguage", TextKind::kHelp, "es", "help-es"},
    {"UnknownLanguageFallsBackToTheDefault", TextKind::kHelp, "de", "help-en"},
    {"EmptyLanguageFallsBackToTheDefault", TextKind::kOptIn, "", "start-en"},
    {"MissingTextFallsBackToTheDefaultLanguage", TextKind::kDefaultReply, "es", "default-en"},
    {"StopAllFallsBackToStopInTheSameLanguage", TextKind::kOptOutAll, "es", "stop-es"},
    {"StopAllWithoutEitherFallsBackToTheDefaultsStopAll", TextKind::kOptOutAll, "fr", "stopall-en"},
    {"DefaultLanguageHasItsOwnStopAll", TextKind::kOptOutAll, "en", "stopall-en"},
};

class OrganizationText : public ::testing::TestWithParam<TextCase> {};

TEST_P(OrganizationText, FallsBackAsDocumented) {
  const TextCase& c = GetParam();
  EXPECT_EQ(OrgWithTexts().Text(c.kind, c.language), c.text);
}

INSTANTIATE_TEST_SUITE_P(Table, OrganizationText, ::testing::ValuesIn(kTextCases),
                         [](const ::testing::TestParamInfo<TextCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(OrganizationText, StopAllFallsBackToTheDefaultsStopWhenNothingElseExists) {
  Organization org;
  org.texts["en"] = {.opt_out_confirmation = "stop-en"};
  EXPECT_EQ(org.Text(TextKind::kOptOutAll, "es"), "stop-en");
}

TEST(OrganizationText, NoTextAnywhereIsEmpty) {
  Organization org;
  org.texts["en"] = {.help = "help-en"};
  EXPECT_EQ(org.Text(TextKind::kDefaultReply, "en"), "");
  EXPECT_EQ(org.Text(TextKind::kDefaultReply, "es"), "");
  Organization bare;
  EXPECT_EQ(bare.Text(TextKind::kHelp, "en"), "");
}

TEST(OrganizationText, ANonEnglishDefaultLanguageIsTheFallback) {
  Organization org;
  org.default_language = "es";
  org.texts["es"] = {.help = "ayuda"};
  EXPECT_EQ(org.Text(TextKind::kHelp, "en"), "ayuda");
}

}  // namespace
}  // namespace chorus::workspace
