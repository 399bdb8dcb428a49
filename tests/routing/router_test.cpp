#include "routing/router.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::routing {
namespace {

using compliance::Intent;

constexpr OrganizationId kOrg = 1;
constexpr OrganizationId kQuietOrg = 2;  // no default reply
constexpr ChannelId kNyc = 10;
constexpr ChannelId kLa = 11;
constexpr ChannelId kQuiet = 20;

constexpr std::string_view kHelpEn = "Chorus: news and actions. Reply STOP to opt out.";
constexpr std::string_view kOptOutEn = "Chorus: you are unsubscribed. No more messages.";
constexpr std::string_view kOptOutAllEn = "Chorus: you are unsubscribed from every Chorus number.";
constexpr std::string_view kOptInEn = "Chorus: you are subscribed again. Reply STOP to opt out.";
constexpr std::string_view kDefaultEn = "Chorus: thanks! Text JOIN to sign up.";
constexpr std::string_view kHelpEs = "Chorus: noticias y acciones. Responde ALTO para salir.";
constexpr std::string_view kOptOutEs = "Chorus: te has dado de baja.";
constexpr std::string_view kOptInEs = "Chorus: te has suscrito de nuevo.";
constexpr std::string_view kDefaultEs = "Chorus: gracias. Envia UNETE para inscribirte.";
constexpr std::string_view kWelcome = "Welcome to Chorus! Reply STOP to opt out, HELP for help.";
constexpr std::string_view kBienvenida = "Bienvenida a Chorus! Responde ALTO para salir.";
constexpr std::string_view kSignup = "Chorus: you are signed up. Reply STOP to opt out.";
constexpr std::string_view kRally = "Rally at City Hall, 6pm.";
constexpr std::string_view kRallyLa = "LA rally at Grand Park, 5pm.";
constexpr std::string_view kEvento = "Evento: sabado a las 6.";
constexpr std::string_view kRsvp = "You are on the list. See you there!";

workspace::Keyword MakeKeyword(std::string word, std::string_view reply, bool opt_in,
                               std::string language,
                               std::optional<ChannelId> channel = std::nullopt,
                               OrganizationId org = kOrg) {
  workspace::Keyword k;
  k.organization_id = org;
  k.channel_id = channel;
  k.word = word;
  k.display_word = word;
  k.reply = std::string(reply);
  k.opt_in = opt_in;
  k.language = std::move(language);
  return k;
}

Channel MakeChannel(OrganizationId org, ChannelId id, std::string slug) {
  Channel c;
  c.organization_id = org;
  c.id = id;
  c.slug = std::move(slug);
  c.sender = "+15550100999";
  c.country = "US";
  return c;
}

workspace::Snapshot MakeSnapshot() {
  workspace::Organization org;
  org.id = kOrg;
  org.slug = "chorus";
  org.name = "Chorus";
  org.texts["en"] = {std::string(kHelpEn), std::string(kOptOutEn), std::string(kOptOutAllEn),
                     std::string(kOptInEn), std::string(kDefaultEn)};
  // No Spanish STOPALL text: it falls back to the Spanish STOP text.
  org.texts["es"] = {std::string(kHelpEs), std::string(kOptOutEs), "", std::string(kOptInEs),
                     std::string(kDefaultEs)};

  workspace::Organization quiet;
  quiet.id = kQuietOrg;
  quiet.slug = "quiet";
  quiet.name = "Quiet";
  quiet.texts["en"] = {std::string(kHelpEn), std::string(kOptOutEn), "", "", ""};

  return workspace::Snapshot({org, quiet},
                             {MakeChannel(kOrg, kNyc, "nyc"), MakeChannel(kOrg, kLa, "la"),
                              MakeChannel(kQuietOrg, kQuiet, "quiet")},
                             {
                                 MakeKeyword("join", kWelcome, true, "en"),
                                 MakeKeyword("unete", kBienvenida, true, "es"),
                                 MakeKeyword("signup", kSignup, true, ""),
                                 MakeKeyword("rally", kRally, false, "en"),
                                 MakeKeyword("rally", kRallyLa, false, "en", kLa),
                                 MakeKeyword("evento", kEvento, false, "es"),
                                 MakeKeyword("yes", kRsvp, false, "en"),
                             });
}

const workspace::Snapshot& TheSnapshot() {
  static const workspace::Snapshot snapshot = MakeSnapshot();
  return snapshot;
}

Decision RouteOn(std::string_view body, const MemberState& member, ChannelId channel_id) {
  const workspace::Snapshot& snapshot = TheSnapshot();
  const Channel* channel = snapshot.ChannelById(channel_id);
  const workspace::Organization* org = snapshot.OrganizationById(channel->organization_id);
  return Route(body, member, *org, *channel, snapshot);
}

MemberState Subscribed(std::string language = "") {
  MemberState m;
  m.language = std::move(language);
  m.joined = true;
  return m;
}
MemberState OptedOutOf(ChannelId channel, std::string language = "") {
  MemberState m = Subscribed(std::move(language));
  m.opted_out_channels.insert(channel);
  return m;
}
MemberState OptedOutOfAll() {
  MemberState m = Subscribed();
  m.opted_out_all = true;
  return m;
}

struct Consent {
  ConsentKind kind;
  ConsentScope scope;
  std::string_view keyword;
  std::string_view language;
};

struct RouteCase {
  std::string_view name;
  std::string_view body;
  MemberState member;
  ChannelId channel = kNyc;
  Outcome outcome = Outcome::kNoReply;
  std::optional<std::string_view> reply;
  ReplyKind reply_kind = ReplyKind::kReply;
  std::optional<Consent> consent;
  bool join = false;
  std::optional<std::string_view> language;
};

void PrintTo(const RouteCase& c, std::ostream* os) { *os << c.name; }

constexpr Consent OptOutOf(std::string_view keyword, std::string_view language = "en") {
  return {ConsentKind::kOptOut, ConsentScope::kChannel, keyword, language};
}
constexpr Consent OptOutOfAll(std::string_view keyword, std::string_view language = "en") {
  return {ConsentKind::kOptOut, ConsentScope::kOrganization, keyword, language};
}
constexpr Consent OptIn(std::string_view keyword, std::string_view language = "en") {
  return {ConsentKind::kOptIn, ConsentScope::kChannel, keyword, language};
}

const RouteCase kCases[] = {
    // STOP and its variants.
    {.name = "StopFromSubscribedMemberSendsOneConfirmation",
     .body = "STOP",
     .member = Subscribed(),
     .outcome = Outcome::kOptOut,
     .reply = kOptOutEn,
     .reply_kind = ReplyKind::kCompliance,
     .consent = OptOutOf("stop")},
    {.name = "LowerCaseStopWithSpacesAndPunctuationOptsOut",
     .body = " Stop. ",
     .member = Subscribed(),
     .outcome = Outcome::kOptOut,
     .reply = kOptOutEn,
     .reply_kind = ReplyKind::kCompliance,
     .consent = OptOutOf("stop")},
    {.name = "UnsubscribeOptsOut",
     .body = "UNSUBSCRIBE",
     .member = Subscribed(),
     .outcome = Outcome::kOptOut,
     .reply = kOptOutEn,
     .reply_kind = ReplyKind::kCompliance,
     .consent = OptOutOf("unsubscribe")},
    {.name = "StopAllOptsOutOfTheWholeOrganization",
     .body = "STOPALL",
     .member = Subscribed(),
     .outcome = Outcome::kOptOutAll,
     .reply = kOptOutAllEn,
     .reply_kind = ReplyKind::kCompliance,
     .consent = OptOutOfAll("stopall")},
    {.name = "StopAllFromMemberOptedOutOfOneChannelStillOptsOutOfAll",
     .body = "STOPALL",
     .member = OptedOutOf(kNyc),
     .outcome = Outcome::kOptOutAll,
     .reply = kOptOutAllEn,
     .reply_kind = ReplyKind::kCompliance,
     .consent = OptOutOfAll("stopall")},
    {.name = "StopFromOptedOutMemberIsRecordedWithoutASecondConfirmation",
     .body = "STOP",
     .member = OptedOutOf(kNyc),
     .outcome = Outcome::kAlreadyOptedOut,
     .consent = OptOutOf("stop")},
    {.name = "StopFromMemberOptedOutOfAllIsRecordedWithoutAConfirmation",
     .body = "STOP",
     .member = OptedOutOfAll(),
     .outcome = Outcome::kAlreadyOptedOut,
     .consent = OptOutOf("stop")},
    {.name = "StopAllAgainIsRecordedWithoutAConfirmation",
     .body = "stop all",
     .member = OptedOutOfAll(),
     .outcome = Outcome::kAlreadyOptedOut,
     .consent = OptOutOfAll("stop all")},
    {.name = "StopOnAnotherChannelOptsOutOfThatChannelToo",
     .body = "STOP",
     .member = OptedOutOf(kNyc),
     .channel = kLa,
     .outcome = Outcome::kOptOut,
     .reply = kOptOutEn,
     .reply_kind = ReplyKind::kCompliance,
     .consent = OptOutOf("stop")},
    {.name = "StopInsideASentenceIsNotAnOptOut",
     .body = "We have got to STOP this bill",
     .member = Subscribed(),
     .outcome = Outcome::kDefaultReply,
     .reply = kDefaultEn},

    // Opting back in.
    {.name = "StartFromOptedOutMemberOptsBackIn",
     .body = "START",
     .member = OptedOutOf(kNyc),
     .outcome = Outcome::kOptIn,
     .reply = kOptInEn,
     .consent = OptIn("start"),
     .join = true},
    {.name = "UnstopFromOptedOutMemberOptsBackIn",
     .body = "unstop",
     .member = OptedOutOf(kNyc),
     .outcome = Outcome::kOptIn,
     .reply = kOptInEn,
     .consent = OptIn("unstop"),
     .join = true},
    {.name = "YesFromOptedOutMemberOptsBackIn",
     .body = "YES",
     .member = OptedOutOf(kNyc),
     .outcome = Outcome::kOptIn,
     .reply = kOptInEn,
     .consent = OptIn("yes"),
     .join = true},
    {.name = "YesFromMemberOptedOutOfAllOptsBackIn",
     .body = "Yes!",
     .member = OptedOutOfAll(),
     .outcome = Outcome::kOptIn,
     .reply = kOptInEn,
     .consent = OptIn("yes"),
     .join = true},
    {.name = "YesFromSubscribedMemberFallsThroughToTheYesKeyword",
     .body = "YES",
     .member = Subscribed(),
     .outcome = Outcome::kKeyword,
     .reply = kRsvp,
     .language = "en"},
    {.name = "YesFromMemberOptedOutOfAnotherChannelIsAnOrdinaryAnswer",
     .body = "YES",
     .member = OptedOutOf(kLa, "en"),
     .outcome = Outcome::kKeyword,
     .reply = kRsvp},
    {.name = "YesWithoutAKeywordIsOrdinaryTextNotConsent",
     .body = "YES",
     .member = Subscribed(),
     .channel = kQuiet,
     .outcome = Outcome::kNoReply},

    // HELP.
    {.name = "HelpFromSubscribedMemberGetsTheHelpText",
     .body = "HELP",
     .member = Subscribed(),
     .outcome = Outcome::kHelp,
     .reply = kHelpEn,
     .reply_kind = ReplyKind::kCompliance},
    {.name = "HelpFromOptedOutMemberIsStillAnswered",
     .body = "help",
     .member = OptedOutOf(kNyc),
     .outcome = Outcome::kHelp,
     .reply = kHelpEn,
     .reply_kind = ReplyKind::kCompliance},
    {.name = "InfoFromMemberOptedOutOfAllIsStillAnswered",
     .body = "INFO",
     .member = OptedOutOfAll(),
     .outcome = Outcome::kHelp,
     .reply = kHelpEn,
     .reply_kind = ReplyKind::kCompliance},

    // Opt-in keywords.
    {.name = "JoinFromNewMemberGetsTheWelcomeAndRecordsConsent",
     .body = "JOIN",
     .member = MemberState{},
     .outcome = Outcome::kKeyword,
     .reply = kWelcome,
     .consent = OptIn("join"),
     .join = true,
     .language = "en"},
    {.name = "JoinWithMoreWordsMatchesByFirstWord",
     .body = "join nyc",
     .member = MemberState{},
     .outcome = Outcome::kKeyword,
     .reply = kWelcome,
     .consent = OptIn("join"),
     .join = true,
     .language = "en"},
    {.name = "JoinFromOptedOutMemberResubscribes",
     .body = "JOIN",
     .member = OptedOutOf(kNyc),
     .outcome = Outcome::kKeyword,
     .reply = kWelcome,
     .consent = OptIn("join"),
     .join = true,
     .language = "en"},
    {.name = "SpanishOptInKeywordRecordsSpanishConsentAndLanguage",
     .body = "Únete",
     .member = MemberState{},
     .outcome = Outcome::kKeyword,
     .reply = kBienvenida,
     .consent = OptIn("unete", "es"),
     .join = true,
     .language = "es"},
    {.name = "OptInKeywordWithoutALanguageKeepsTheMembersLanguage",
     .body = "SIGNUP",
     .member = Subscribed("es"),
     .outcome = Outcome::kKeyword,
     .reply = kSignup,
     .consent = OptIn("signup", ""),
     .join = true},

    // Other keywords and the default reply.
    {.name = "KeywordFromSubscribedMemberGetsItsReply",
     .body = "rally",
     .member = Subscribed("en"),
     .outcome = Outcome::kKeyword,
     .reply = kRally},
    {.name = "ChannelSpecificKeywordBeatsTheOrganizationWideOne",
     .body = "RALLY",
     .member = Subscribed("en"),
     .channel = kLa,
     .outcome = Outcome::kKeyword,
     .reply = kRallyLa},
    {.name = "KeywordFromOptedOutMemberIsSuppressed",
     .body = "RALLY",
     .member = OptedOutOf(kNyc),
     .outcome = Outcome::kSuppressed},
    {.name = "KeywordFromMemberOptedOutOfAllIsSuppressed",
     .body = "RALLY",
     .member = OptedOutOfAll(),
     .outcome = Outcome::kSuppressed},
    {.name = "TextFromOptedOutMemberIsSuppressed",
     .body = "hello?",
     .member = OptedOutOf(kNyc),
     .outcome = Outcome::kSuppressed},
    {.name = "UnmatchedTextGetsTheDefaultReply",
     .body = "hello",
     .member = Subscribed(),
     .outcome = Outcome::kDefaultReply,
     .reply = kDefaultEn},
    {.name = "UnmatchedTextWithoutADefaultReplyGetsNoReply",
     .body = "hello",
     .member = Subscribed(),
     .channel = kQuiet,
     .outcome = Outcome::kNoReply},

    // Languages.
    {.name = "SpanishAltoAnswersInSpanishAndSetsTheLanguage",
     .body = "ALTO",
     .member = Subscribed(),
     .outcome = Outcome::kOptOut,
     .reply = kOptOutEs,
     .reply_kind = ReplyKind::kCompliance,
     .consent = OptOutOf("alto", "es"),
     .language = "es"},
    {.name = "SpanishAyudaAnswersHelpInSpanish",
     .body = "Ayuda",
     .member = Subscribed(),
     .outcome = Outcome::kHelp,
     .reply = kHelpEs,
     .reply_kind = ReplyKind::kCompliance,
     .language = "es"},
    {.name = "SpanishComenzarOptsBackInInSpanish",
     .body = "COMENZAR",
     .member = OptedOutOf(kNyc),
     .outcome = Outcome::kOptIn,
     .reply = kOptInEs,
     .consent = OptIn("comenzar", "es"),
     .join = true,
     .language = "es"},
    {.name = "EnglishStopKeepsASpanishMembersLanguageAndAnswersInSpanish",
     .body = "STOP",
     .member = Subscribed("es"),
     .outcome = Outcome::kOptOut,
     .reply = kOptOutEs,
     .reply_kind = ReplyKind::kCompliance,
     .consent = OptOutOf("stop")},
    {.name = "StopAllInSpanishFallsBackToTheSpanishStopText",
     .body = "STOPALL",
     .member = Subscribed("es"),
     .outcome = Outcome::kOptOutAll,
     .reply = kOptOutEs,
     .reply_kind = ReplyKind::kCompliance,
     .consent = OptOutOfAll("stopall")},
    {.name = "HindiStopWithoutHindiTextsAnswersInTheDefaultLanguage",
     .body = "बंद",
     .member = Subscribed(),
     .outcome = Outcome::kOptOut,
     .reply = kOptOutEn,
     .reply_kind = ReplyKind::kCompliance,
     .consent = OptOutOf("बंद", "hi"),
     .language = "hi"},
    {.name = "DefaultReplyIsInTheMembersLanguage",
     .body = "hola",
     .member = Subscribed("es"),
     .outcome = Outcome::kDefaultReply,
     .reply = kDefaultEs},
    {.name = "SpanishKeywordGivesAMemberWithoutALanguageSpanish",
     .body = "EVENTO",
     .member = Subscribed(),
     .outcome = Outcome::kKeyword,
     .reply = kEvento,
     .language = "es"},
    {.name = "SpanishKeywordKeepsAnExistingLanguage",
     .body = "EVENTO",
     .member = Subscribed("en"),
     .outcome = Outcome::kKeyword,
     .reply = kEvento},
};

class Routing : public ::testing::TestWithParam<RouteCase> {};

TEST_P(Routing, DecidesAsTheTableSays) {
  const RouteCase& c = GetParam();
  const Decision d = RouteOn(c.body, c.member, c.channel);

  EXPECT_EQ(OutcomeName(d.outcome), OutcomeName(c.outcome));
  ASSERT_EQ(d.reply.has_value(), c.reply.has_value());
  if (d.reply) {
    EXPECT_EQ(d.reply->body, *c.reply);
    EXPECT_EQ(d.reply->kind == ReplyKind::kCompliance, c.reply_kind == ReplyKind::kCompliance);
  }
  ASSERT_EQ(d.consent.has_value(), c.consent.has_value());
  if (d.consent) {
    EXPECT_EQ(d.consent->kind, c.consent->kind);
    EXPECT_EQ(d.consent->scope, c.consent->scope);
    EXPECT_EQ(d.consent->keyword, c.consent->keyword);
    EXPECT_EQ(d.consent->language, c.consent->language);
  }
  EXPECT_EQ(d.join, c.join);
  EXPECT_EQ(d.language, c.language ? std::optional<std::string>(*c.language) : std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Table, Routing, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<RouteCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(RoutingOutcomes, EveryOutcomeHasItsOwnName) {
  const Outcome all[] = {Outcome::kOptOut,       Outcome::kOptOutAll, Outcome::kAlreadyOptedOut,
                         Outcome::kOptIn,        Outcome::kHelp,      Outcome::kKeyword,
                         Outcome::kDefaultReply, Outcome::kNoReply,   Outcome::kSuppressed};
  std::set<std::string_view> names;
  for (Outcome o : all) names.insert(OutcomeName(o));
  EXPECT_EQ(names.size(), std::size(all));
  EXPECT_EQ(OutcomeName(Outcome::kOptOut), "opt_out");
  EXPECT_EQ(OutcomeName(Outcome::kSuppressed), "suppressed");
}

// Apply: the state the next message of the same batch sees.

struct ApplyCase {
  std::string_view name;
  MemberState before;
  Decision decision;
  ChannelId channel = kNyc;
  MemberState after;
};

void PrintTo(const ApplyCase& c, std::ostream* os) { *os << c.name; }

Decision WithConsent(ConsentKind kind, ConsentScope scope) {
  Decision d;
  d.consent = ConsentChange{kind, scope, "word", "en"};
  return d;
}

MemberState State(bool all, std::set<ChannelId> channels, std::string language = "",
                  bool joined = true) {
  MemberState m;
  m.opted_out_all = all;
  m.opted_out_channels = std::move(channels);
  m.language = std::move(language);
  m.joined = joined;
  return m;
}

const ApplyCase kApplyCases[] = {
    {"ChannelOptOutAddsOnlyThatChannel", State(false, {}),
     WithConsent(ConsentKind::kOptOut, ConsentScope::kChannel), kNyc, State(false, {kNyc})},
    {"OrganizationOptOutSetsAll", State(false, {kLa}),
     WithConsent(ConsentKind::kOptOut, ConsentScope::kOrganization), kNyc, State(true, {kLa})},
    {"OptInLiftsTheChannelAndTheOrganizationWideOptOutButKeepsOtherChannels",
     State(true, {kNyc, kLa}), WithConsent(ConsentKind::kOptIn, ConsentScope::kChannel), kNyc,
     State(false, {kLa})},
    {"OptInOnAChannelThatWasNotOptedOutKeepsTheOthers", State(false, {kLa}),
     WithConsent(ConsentKind::kOptIn, ConsentScope::kChannel), kNyc, State(false, {kLa})},
    {"LanguageAndJoinAreTakenWithoutConsent", State(false, {kLa}, "", false),
     Decision{.outcome = Outcome::kKeyword, .join = true, .language = "es"}, kNyc,
     State(false, {kLa}, "es", true)},
    {"ADecisionWithoutChangesChangesNothing", State(false, {kLa}, "fr"),
     Decision{.outcome = Outcome::kDefaultReply}, kNyc, State(false, {kLa}, "fr")},
};

class RoutingApply : public ::testing::TestWithParam<ApplyCase> {};

TEST_P(RoutingApply, ThreadsTheMembersState) {
  const ApplyCase& c = GetParam();
  MemberState member = c.before;
  Apply(c.decision, c.channel, member);
  EXPECT_EQ(member.opted_out_all, c.after.opted_out_all);
  EXPECT_EQ(member.opted_out_channels, c.after.opted_out_channels);
  EXPECT_EQ(member.language, c.after.language);
  EXPECT_EQ(member.joined, c.after.joined);
}

INSTANTIATE_TEST_SUITE_P(Table, RoutingApply, ::testing::ValuesIn(kApplyCases),
                         [](const ::testing::TestParamInfo<ApplyCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(RoutingSequence, StopThenStartThenKeywordIsAnsweredAgain) {
  MemberState member = Subscribed();
  for (std::string_view body : {"STOP", "RALLY"}) {
    Apply(RouteOn(body, member, kNyc), kNyc, member);
  }
  EXPECT_TRUE(member.OptedOutOf(kNyc));
  EXPECT_EQ(RouteOn("RALLY", member, kNyc).outcome, Outcome::kSuppressed);

  Apply(RouteOn("START", member, kNyc), kNyc, member);
  EXPECT_FALSE(member.OptedOutOf(kNyc));
  const Decision again = RouteOn("RALLY", member, kNyc);
  EXPECT_EQ(again.outcome, Outcome::kKeyword);
}

TEST(RoutingSequence, StopAllThenStartOnOneChannelLiftsTheOrganizationWideOptOut) {
  MemberState member = Subscribed();
  Apply(RouteOn("STOP", member, kLa), kLa, member);
  Apply(RouteOn("STOPALL", member, kNyc), kNyc, member);
  EXPECT_TRUE(member.OptedOutOf(kNyc));

  Apply(RouteOn("START", member, kNyc), kNyc, member);
  EXPECT_FALSE(member.OptedOutOf(kNyc));
  EXPECT_TRUE(member.OptedOutOf(kLa));  // asked to stop that sender; still stopped
}

}  // namespace
}  // namespace chorus::routing
