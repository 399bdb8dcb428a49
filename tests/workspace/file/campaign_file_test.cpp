// The campaign part of the workspace file: chapters, flows, events, webhook secrets, the
// organization's time zone and segment budget, and keywords that start flows or name chapters.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "workspace/file/file_edits.hpp"
#include "workspace/file/flow_file.hpp"
#include "workspace/file/workspace_file.hpp"

namespace chorus::workspace {
namespace {

using testing::Accepted;
using testing::Edit;
using testing::EnvWith;
using testing::ExpectRefused;
using testing::Parse;

// Recognisable secret values: no error message may contain them.
constexpr std::string_view kCrmSecret = "whsec-CRM-91b2c4";
constexpr std::string_view kAuthToken = "tok-CAMPAIGN-5d1e";

EnvLookup TestEnv() { return EnvWith({{"CRM_SECRET", std::string(kCrmSecret)}}); }

// A valid campaign workspace: a chapter tree (national -> Maharashtra -> Pune), three flows, two
// events, a webhook secret from the environment, JOIN and JOIN PUNE. Every refusal below
// changes one fragment of it; the fragment must occur exactly once.
constexpr std::string_view kBase = R"({
  "organization": {
    "slug": "acme",
    "name": "Acme Tenants",
    "time_zone": "America/New_York",
    "segment_budget": 3,
    "webhook_secrets": { "crm": "env:CRM_SECRET" },
    "texts": {
      "help": "Acme Tenants: tenant alerts. Reply STOP to opt out.",
      "opt_out_confirmation": "You are unsubscribed.",
      "opt_in_confirmation": "You are subscribed again."
    }
  },
  "channels": [
    { "slug": "acme-sms", "carrier": "twilio", "sender": "+15550100001", "country": "US",
      "twilio": { "account_sid": "ACabcdef0123456789abcdef0123456789",
                  "auth_token": "tok-CAMPAIGN-5d1e" } }
  ],
  "keywords": [
    { "word": "JOIN", "opt_in": true, "flow": "welcome",
      "reply": "Welcome to Acme Tenants! Reply STOP to opt out, HELP for help." },
    { "word": "JOIN PUNE", "flow": "welcome", "chapter": "pune" },
    { "word": "RALLY", "flow": "rsvp" }
  ],
  "chapters": [
    { "slug": "national", "name": "Acme National" },
    { "slug": "mh", "name": "Maharashtra", "parent": "national", "country": "IN",
      "time_zone": "Asia/Kolkata", "postal_codes": ["41", "42"] },
    { "slug": "pune", "name": "Pune", "parent": "mh", "country": "IN",
      "postal_codes": ["411 0", "४११-1"] }
  ],
  "flows": [
    { "slug": "welcome", "steps": [
      { "id": "ask_zip", "kind": "ASK", "answer": "POSTAL_CODE", "save_as": "zip",
        "text": { "en": "What's your ZIP code, {{first_name|friend}}?" }, "next": "place" },
      { "id": "place", "kind": "JOIN_CHAPTER", "postal_code_field": "zip", "next": "crm" },
      { "id": "crm", "kind": "CALL_WEBHOOK", "url": "https://crm.example.org/hook",
        "secret": "crm", "next": "bye" },
      { "id": "bye", "kind": "SEND", "text": { "en": "Thanks! Next: {{event.title}}." } }
    ] },
    { "slug": "rsvp", "keywords_interrupt": false, "steps": [
      { "id": "ask", "kind": "ASK", "answer": "YES_NO", "save_as": "rsvp",
        "text": { "en": "Coming to the rally? YES or NO" }, "next": "record" },
      { "id": "record", "kind": "RECORD_ACTION", "action": "RSVP", "target": "rally",
        "value": "{{fields.rsvp}}" }
    ] },
    { "slug": "thanks", "steps": [
      { "id": "thanks", "kind": "SEND", "text": { "en": "Thank you for coming!" } }
    ] }
  ],
  "events": [
    { "slug": "rally", "title": { "en": "Tenant rally", "hi": "किरायेदार रैली" },
      "starts_at": "2026-12-05T10:00", "place": "City Hall", "checkin_code": "4821",
      "follow_up_after_minutes": 90, "attended_flow": "thanks", "absent_flow": "rsvp",
      "checked_in_text": { "en": "{{org.name}}: welcome to {{event.title}}!" } },
    { "slug": "pune-meet", "title": { "en": "Pune meeting" }, "chapter": "pune",
      "starts_at": "2026-12-06T18:00", "ends_at": "2026-12-06T19:30", "checkin_code": "1234" }
  ]
})";

std::string Edited(const Edit& edit) { return testing::Edited(kBase, edit); }

const KeywordDefinition* KeywordOf(const Definition& d, std::string_view word,
                                   std::string_view qualifier) {
  for (const auto& k : d.keywords) {
    if (k.word == word && k.qualifier == qualifier) return &k;
  }
  return nullptr;
}

TEST(CampaignFile, ReadsTheOrganizationsTimeZoneBudgetAndWebhookSecrets) {
  Result<Definition> def = Parse(kBase, TestEnv());
  ASSERT_TRUE(def.ok()) << def.error().message;
  EXPECT_EQ(def->time_zone, "America/New_York");
  EXPECT_EQ(def->segment_budget, 3);
  EXPECT_EQ(def->webhook_secrets,
            (std::map<std::string, std::string>{{"crm", std::string(kCrmSecret)}}));
}

TEST(CampaignFile, ReadsTheChapterTreeParentsFirst) {
  Result<Definition> def = Parse(kBase, TestEnv());
  ASSERT_TRUE(def.ok()) << def.error().message;
  ASSERT_EQ(def->chapters.size(), 3u);
  const ChapterDefinition& national = def->chapters[0];
  EXPECT_EQ(national.slug, "national");
  EXPECT_EQ(national.name, "Acme National");
  EXPECT_EQ(national.parent, "");
  EXPECT_EQ(national.country, "US") << "the first channel's country";
  EXPECT_EQ(national.time_zone, "");
  const ChapterDefinition& mh = def->chapters[1];
  EXPECT_EQ(mh.parent, "national");
  EXPECT_EQ(mh.country, "IN");
  EXPECT_EQ(mh.time_zone, "Asia/Kolkata");
  EXPECT_THAT(mh.postal_codes, ::testing::ElementsAre("41", "42"));
  const ChapterDefinition& pune = def->chapters[2];
  EXPECT_EQ(pune.slug, "pune");
  EXPECT_EQ(pune.parent, "mh");
  EXPECT_THAT(pune.postal_codes, ::testing::ElementsAre("4110", "4111"))
      << "spaces and dashes dropped, native digits read";
}

TEST(CampaignFile, ReadsFlowsWithTheJsonAVersionStores) {
  Result<Definition> def = Parse(kBase, TestEnv());
  ASSERT_TRUE(def.ok()) << def.error().message;
  ASSERT_EQ(def->flows.size(), 3u);
  const FlowDefinition& welcome = def->flows[0];
  EXPECT_EQ(welcome.flow.slug, "welcome");
  EXPECT_EQ(welcome.flow.name, "welcome") << "the slug when no name is written";
  EXPECT_TRUE(welcome.flow.keywords_interrupt) << "the default";
  ASSERT_EQ(welcome.flow.steps.size(), 4u);
  const flows::Step& ask = welcome.flow.steps[0];
  EXPECT_EQ(ask.kind, flows::StepKind::kAsk);
  EXPECT_EQ(ask.answer, flows::AnswerType::kPostalCode);
  EXPECT_EQ(ask.save_as, "zip");
  EXPECT_EQ(ask.max_tries, 3);
  EXPECT_EQ(ask.text.at("en"), "What's your ZIP code, {{first_name|friend}}?");
  const flows::Step& crm = welcome.flow.steps[2];
  EXPECT_EQ(crm.kind, flows::StepKind::kCallWebhook);
  EXPECT_EQ(crm.secret, "crm");
  EXPECT_EQ(crm.webhook_timeout, std::chrono::milliseconds(5000));
  EXPECT_FALSE(def->flows[1].flow.keywords_interrupt);
  EXPECT_EQ(def->flows[1].flow.steps[1].action, flows::ActionKind::kRsvp);

  // What a stored version holds reads back as the same flow.
  auto stored = file::ParseFlowJson(welcome.json);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->steps.size(), 4u);
  EXPECT_EQ(stored->steps[2].url, "https://crm.example.org/hook");
  EXPECT_EQ(stored->steps[1].postal_code_field, "zip");
  EXPECT_EQ(welcome.json.find(kCrmSecret), std::string::npos) << "a version names the secret";
}

TEST(CampaignFile, ReadsEventsWithTheirZoneFollowUpsAndCheckInTexts) {
  Result<Definition> def = Parse(kBase, TestEnv());
  ASSERT_TRUE(def.ok()) << def.error().message;
  ASSERT_EQ(def->events.size(), 2u);
  const EventDefinition& rally = def->events[0];
  EXPECT_EQ(rally.slug, "rally");
  EXPECT_EQ(rally.title, (flows::LocalizedText{{"en", "Tenant rally"}, {"hi", "किरायेदार रैली"}}));
  EXPECT_EQ(rally.starts_local, "2026-12-05T10:00");
  EXPECT_EQ(rally.ends_local, "") << "the store makes it two hours after the start";
  EXPECT_EQ(rally.time_zone, "America/New_York") << "the organization's";
  EXPECT_EQ(rally.place, "City Hall");
  EXPECT_EQ(rally.chapter, "");
  EXPECT_EQ(rally.checkin_code, "4821");
  EXPECT_EQ(rally.follow_up_after_seconds, 90 * 60);
  EXPECT_EQ(rally.attended_flow, "thanks");
  EXPECT_EQ(rally.absent_flow, "rsvp");
  EXPECT_EQ(rally.checked_in_text,
            (flows::LocalizedText{{"en", "{{org.name}}: welcome to {{event.title}}!"}}));
  const EventDefinition& meet = def->events[1];
  EXPECT_EQ(meet.chapter, "pune");
  EXPECT_EQ(meet.ends_local, "2026-12-06T19:30");
  EXPECT_EQ(meet.follow_up_after_seconds, 0);
  EXPECT_EQ(meet.time_zone, "Asia/Kolkata")
      << "Pune has no zone of its own: its parent Maharashtra's, not the organization's";
}

TEST(CampaignFile, AnEventsOwnZoneWinsOverItsChapters) {
  Result<Definition> def =
      Parse(Edited({R"("chapter": "pune",)", R"("chapter": "pune", "time_zone": "Asia/Dubai",)"}),
            TestEnv());
  ASSERT_TRUE(def.ok()) << def.error().message;
  EXPECT_EQ(def->events[1].time_zone, "Asia/Dubai");
}

TEST(CampaignFile, ReadsKeywordsThatStartFlowsAndPlaceMembersInChapters) {
  Result<Definition> def = Parse(kBase, TestEnv());
  ASSERT_TRUE(def.ok()) << def.error().message;
  ASSERT_EQ(def->keywords.size(), 3u);
  const KeywordDefinition* join = KeywordOf(*def, "join", "");
  ASSERT_NE(join, nullptr);
  EXPECT_EQ(join->flow, "welcome");
  EXPECT_EQ(join->chapter, "");
  const KeywordDefinition* join_pune = KeywordOf(*def, "join", "pune");
  ASSERT_NE(join_pune, nullptr) << "JOIN PUNE is JOIN qualified by PUNE";
  EXPECT_EQ(join_pune->flow, "welcome");
  EXPECT_EQ(join_pune->chapter, "pune");
  EXPECT_EQ(join_pune->reply, "") << "a keyword with a flow needs no reply";
}

TEST(CampaignFile, JoinPuneWrittenAsAWordAndAQualifierIsTheSameKeyword) {
  Result<Definition> two_words = Parse(kBase, TestEnv());
  Result<Definition> qualified = Parse(
      Edited({R"("word": "JOIN PUNE")", R"("word": "Join", "qualifier": "Pune")"}), TestEnv());
  ASSERT_TRUE(two_words.ok()) << two_words.error().message;
  ASSERT_TRUE(qualified.ok()) << qualified.error().message;
  const KeywordDefinition* a = KeywordOf(*two_words, "join", "pune");
  const KeywordDefinition* b = KeywordOf(*qualified, "join", "pune");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->chapter, b->chapter);
  EXPECT_EQ(a->flow, b->flow);
}

TEST(CampaignFile, AWorkspaceWithoutCampaignsGetsTheDefaults) {
  Result<Definition> def = Parse(R"({
    "organization": { "slug": "acme", "name": "Acme Tenants",
      "texts": { "help": "Acme Tenants: alerts. Reply STOP to opt out.",
                 "opt_out_confirmation": "Bye.", "opt_in_confirmation": "Hi again." } } })",
                                 TestEnv());
  ASSERT_TRUE(def.ok()) << def.error().message;
  EXPECT_EQ(def->time_zone, "UTC");
  EXPECT_EQ(def->segment_budget, 4);
  EXPECT_TRUE(def->webhook_secrets.empty());
  EXPECT_TRUE(def->chapters.empty());
  EXPECT_TRUE(def->flows.empty());
  EXPECT_TRUE(def->events.empty());
}

// ---- refusals: one broken rule per case ---------------------------------------------------

struct Refusal {
  std::string name;
  Edit edit;
  std::string path;  // the message starts with "<path>: "
  std::string says;  // and contains this
  EnvLookup env = TestEnv();
};

void PrintTo(const Refusal& r, std::ostream* os) { *os << r.name; }

class CampaignFileRefuses : public ::testing::TestWithParam<Refusal> {};

TEST_P(CampaignFileRefuses, TheFileNamingTheBadField) {
  const Refusal& r = GetParam();
  ExpectRefused(Parse(Edited(r.edit), r.env), r.path, r.says, {kCrmSecret, kAuthToken});
}

std::string NameFor(const ::testing::TestParamInfo<Refusal>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(
    Chapters, CampaignFileRefuses,
    ::testing::Values(
        Refusal{"SlugWithCapitals",
                {R"({ "slug": "national", "name")", R"({ "slug": "National", "name")"},
                "chapters[0].slug",
                "a-z, 0-9 and -"},
        Refusal{"SlugWithASpace",
                {R"({ "slug": "pune", "name": "Pune")", R"({ "slug": "pune city", "name": "Pune")"},
                "chapters[2].slug",
                "a-z, 0-9 and -"},
        Refusal{
            "BlankName", {R"("name": "Pune")", R"("name": "  ")"}, "chapters[2].name", "required"},
        Refusal{
            "ParentBelowTheChapter",
            {R"("parent": "national", "country": "IN")", R"("parent": "pune", "country": "IN")"},
            "chapters[1].parent",
            "no chapter \"pune\" above this one"},
        Refusal{"UnknownParent",
                {R"("parent": "mh")", R"("parent": "karnataka")"},
                "chapters[2].parent",
                "no chapter \"karnataka\" above this one"},
        Refusal{"ChapterThatIsItsOwnParent",
                {R"("parent": "mh")", R"("parent": "pune")"},
                "chapters[2].parent",
                "is the chapter itself"},
        Refusal{"SameSlugTwice",
                {R"({ "slug": "pune", "name")", R"({ "slug": "mh", "name")"},
                "chapters[2].slug",
                "\"mh\" is used twice"},
        Refusal{"PostalCodePrefixOfOnlyPunctuation",
                {R"("411 0")", R"(" - ")"},
                "chapters[2].postal_codes[0]",
                "postal code prefix"}),
    NameFor);

INSTANTIATE_TEST_SUITE_P(
    Events, CampaignFileRefuses,
    ::testing::Values(
        Refusal{"StartWithoutATime",
                {R"("starts_at": "2026-12-05T10:00")", R"("starts_at": "2026-12-05")"},
                "events[0].starts_at",
                "local date and time"},
        Refusal{"StartWithAUtcOffset",
                {R"("starts_at": "2026-12-05T10:00")", R"("starts_at": "2026-12-05T10:00-05:00")"},
                "events[0].starts_at",
                "local date and time"},
        Refusal{"StartWithSeconds",
                {R"("starts_at": "2026-12-05T10:00")", R"("starts_at": "2026-12-05T10:00:00")"},
                "events[0].starts_at",
                "local date and time"},
        Refusal{"StartWithASpaceForTheT",
                {R"("starts_at": "2026-12-05T10:00")", R"("starts_at": "2026-12-05 10:00")"},
                "events[0].starts_at",
                "local date and time"},
        Refusal{"StartWithOneDigitMonthAndDay",
                {R"("starts_at": "2026-12-05T10:00")", R"("starts_at": "2026-3-8T10:00")"},
                "events[0].starts_at",
                "local date and time"},
        Refusal{"StartOnTheThirtiethOfFebruary",
                {R"("starts_at": "2026-12-05T10:00")", R"("starts_at": "2026-02-30T10:00")"},
                "events[0].starts_at",
                "local date and time"},
        Refusal{"StartOnFebruary29OfACommonYear",
                {R"("starts_at": "2026-12-05T10:00")", R"("starts_at": "2026-02-29T10:00")"},
                "events[0].starts_at",
                "local date and time"},
        Refusal{"StartOnTheThirtyFirstOfApril",
                {R"("starts_at": "2026-12-05T10:00")", R"("starts_at": "2026-04-31T10:00")"},
                "events[0].starts_at",
                "local date and time"},
        Refusal{"StartAtHour24",
                {R"("starts_at": "2026-12-05T10:00")", R"("starts_at": "2026-12-05T24:00")"},
                "events[0].starts_at",
                "local date and time"},
        Refusal{"EndWithoutADate",
                {R"("ends_at": "2026-12-06T19:30")", R"("ends_at": "19:30")"},
                "events[1].ends_at",
                "local date and time"},
        Refusal{"EndBeforeTheStart",
                {R"("ends_at": "2026-12-06T19:30")", R"("ends_at": "2026-12-06T17:59")"},
                "events[1].ends_at",
                "before starts_at"},
        Refusal{"UnknownChapter",
                {R"("chapter": "pune",)", R"("chapter": "nagpur",)"},
                "events[1].chapter",
                "no chapter \"nagpur\""},
        Refusal{"UnknownAttendedFlow",
                {R"("attended_flow": "thanks")", R"("attended_flow": "thank-you")"},
                "events[0].attended_flow",
                "no flow \"thank-you\""},
        Refusal{"UnknownAbsentFlow",
                {R"("absent_flow": "rsvp")", R"("absent_flow": "missed")"},
                "events[0].absent_flow",
                "no flow \"missed\""},
        Refusal{"CheckInCodeWithALetter",
                {R"("checkin_code": "4821")", R"("checkin_code": "48a1")"},
                "events[0].checkin_code",
                "3 to 8 digits"},
        Refusal{"CheckInCodeOfTwoDigits",
                {R"("checkin_code": "4821")", R"("checkin_code": "48")"},
                "events[0].checkin_code",
                "3 to 8 digits"},
        Refusal{"CheckInCodeOfNineDigits",
                {R"("checkin_code": "4821")", R"("checkin_code": "482148214")"},
                "events[0].checkin_code",
                "3 to 8 digits"},
        Refusal{"CheckInCodeOfAnotherEvent",
                {R"("checkin_code": "1234")", R"("checkin_code": "4821")"},
                "events[1].checkin_code",
                "\"4821\" is already event \"rally\"'s"},
        Refusal{"CheckedInTextWithAnUnknownMergeField",
                {R"("{{org.name}}: welcome to {{event.title}}!")",
                 R"("{{org.name}}: welcome, {{nickname}}!")"},
                "events[0].checked_in_text[\"en\"]",
                "unknown merge field {{nickname}}"},
        Refusal{"EmptyCheckedInText",
                {R"("{{org.name}}: welcome to {{event.title}}!")", R"("")"},
                "events[0].checked_in_text[\"en\"]",
                "is empty"},
        Refusal{"TitleWithoutTheDefaultLanguage",
                {R"("title": { "en": "Pune meeting" })", R"("title": { "mr": "पुणे बैठक" })"},
                "events[1].title",
                "needs a \"en\" title"},
        Refusal{"SameSlugTwice",
                {R"("slug": "pune-meet")", R"("slug": "rally")"},
                "events[1].slug",
                "used twice"},
        Refusal{"FollowUpAfterMoreThanThirtyDays",
                {R"("follow_up_after_minutes": 90)", R"("follow_up_after_minutes": 4294967295)"},
                "events[0].follow_up_after_minutes",
                "at most 43200"}),
    NameFor);

const std::string kThanksStep =
    R"({ "id": "thanks", "kind": "SEND", "text": { "en": "Thank you for coming!" } })";

INSTANTIATE_TEST_SUITE_P(
    Flows, CampaignFileRefuses,
    ::testing::Values(
        Refusal{"StepGoingToAStepThatDoesNotExist",
                {R"("next": "place")", R"("next": "plaice")"},
                "flows[0]",
                "step \"ask_zip\": next names step \"plaice\", which does not exist"},
        Refusal{"UnreachableStep",
                {R"("secret": "crm", "next": "bye")", R"("secret": "crm")"},
                "flows[0]",
                "step \"bye\": step is unreachable"},
        Refusal{"TextWithAnUnknownMergeField",
                {"{{first_name|friend}}", "{{nickname}}"},
                "flows[0]",
                "step \"ask_zip\": text (en) uses unknown merge field {{nickname}}"},
        Refusal{"TextOverTheSegmentBudget",
                {"Thank you for coming!", std::string(480, 'x')},
                "flows[2]",
                "step \"thanks\": text (en) takes 4 SMS segments, over the budget of 3"},
        // A flow that speaks Spanish somewhere speaks it everywhere; an English-only flow is
        // fine (members get the default language).
        Refusal{"BilingualFlowWithAStepMissingItsSpanish",
                {R"("text": { "en": "What's your ZIP code, {{first_name|friend}}?" })",
                 R"("text": { "en": "What's your ZIP code, {{first_name|friend}}?",
                              "es": "¿Tu código postal?" })"},
                "flows[0]",
                "step \"bye\": text has no \"es\" variant"},
        Refusal{"WebhookSigningWithAnUnknownSecret",
                {R"("secret": "crm")", R"("secret": "erp")"},
                "flows[0]",
                "step \"crm\": secret \"erp\" is not one of the organization's"},
        Refusal{"WebhookToAnFtpUrl",
                {R"("url": "https://crm.example.org/hook")", R"("url": "ftp://crm.example.org")"},
                "flows[0]",
                "step \"crm\": url must start with http:// or https://"},
        Refusal{"RsvpForAnUnknownEvent",
                {R"("target": "rally")", R"("target": "gala")"},
                "flows[1]",
                "step \"record\": event \"gala\" does not exist"},
        Refusal{"LoopWithoutAnAskOrAWait",
                {kThanksStep,
                 R"({ "id": "thanks", "kind": "SEND", "text": { "en": "Hi" }, "next": "again" },
                    { "id": "again", "kind": "SEND", "text": { "en": "Hi" }, "next": "thanks" })"},
                "flows[2]",
                "is part of a loop with no ask or wait step"},
        Refusal{"StepWithoutAKind",
                {kThanksStep, R"({ "id": "thanks", "text": { "en": "Thank you for coming!" } })"},
                "flows[2].steps[0].kind",
                "required"},
        Refusal{
            "StepIdWithCapitals",
            {kThanksStep,
             R"({ "id": "Thanks", "kind": "SEND", "text": { "en": "Thank you for coming!" } })"},
            "flows[2].steps[0].id",
            "a-z, 0-9, _ and -"},
        Refusal{"WaitUntilAnHourThatDoesNotExist",
                {kThanksStep, R"({ "id": "thanks", "kind": "WAIT", "until_local_time": "25:00" })"},
                "flows[2].steps[0].until_local_time",
                "local time \"HH:MM\""},
        Refusal{"FlowSlugWithCapitals",
                {R"({ "slug": "thanks", "steps")", R"({ "slug": "Thanks", "steps")"},
                "flows[2].slug",
                "a-z, 0-9 and -"},
        Refusal{"SameFlowSlugTwice",
                {R"({ "slug": "thanks", "steps")", R"({ "slug": "rsvp", "steps")"},
                "flows[2].slug",
                "\"rsvp\" is used twice"}),
    NameFor);

INSTANTIATE_TEST_SUITE_P(
    Keywords, CampaignFileRefuses,
    ::testing::Values(
        Refusal{
            "KeywordStartingAnUnknownFlow",
            {R"({ "word": "RALLY", "flow": "rsvp" })", R"({ "word": "RALLY", "flow": "march" })"},
            "keywords[2].flow",
            "no flow \"march\" in this file"},
        Refusal{"KeywordPlacingMembersInAnUnknownChapter",
                {R"("chapter": "pune" })", R"("chapter": "mumbai" })"},
                "keywords[1].chapter",
                "no chapter \"mumbai\" in this file"},
        Refusal{"TwoWordsAndAQualifier",
                {R"("word": "JOIN PUNE")", R"("word": "JOIN PUNE", "qualifier": "CITY")"},
                "keywords[1].word",
                "has two words and a qualifier"},
        Refusal{"ThreeWords",
                {R"("word": "JOIN PUNE")", R"("word": "JOIN PUNE NOW")"},
                "keywords[1].word",
                "one word, or a word and a qualifier (JOIN PUNE)"},
        Refusal{"AQualifierOfTwoWords",
                {R"("word": "JOIN PUNE")", R"("word": "JOIN", "qualifier": "PUNE CITY")"},
                "keywords[1].qualifier",
                "\"PUNE CITY\" must be one word"},
        Refusal{"QualifiedKeywordWrittenTwice",
                {R"({ "word": "RALLY", "flow": "rsvp" })",
                 R"({ "word": "RALLY", "flow": "rsvp" },
                    { "word": "join", "qualifier": "Pune", "flow": "welcome" })"},
                "keywords[3].word",
                "already keywords[1]"},
        Refusal{"QualifiedKeywordWrittenTwiceInTwoSpellings",
                {R"({ "word": "RALLY", "flow": "rsvp" })",
                 R"({ "word": "RALLY", "flow": "rsvp" },
                    { "word": "  join   pune ", "flow": "welcome" })"},
                "keywords[3].word",
                "already keywords[1]"}),
    NameFor);

INSTANTIATE_TEST_SUITE_P(
    Organization, CampaignFileRefuses,
    ::testing::Values(Refusal{"WebhookSecretFromAnUnsetVariable",
                              {"\"crm\": \"env:CRM_SECRET\"", "\"crm\": \"env:CRM_SECRET\""},
                              "organization.webhook_secrets[\"crm\"]",
                              "environment variable CRM_SECRET is not set",
                              EnvWith({})},
                      Refusal{"WebhookSecretFromAnEmptyVariable",
                              {"\"crm\": \"env:CRM_SECRET\"", "\"crm\": \"env:CRM_SECRET\""},
                              "organization.webhook_secrets[\"crm\"]",
                              "environment variable CRM_SECRET is empty",
                              EnvWith({{"CRM_SECRET", " "}})},
                      Refusal{"WebhookSecretEnvWithoutAName",
                              {"\"crm\": \"env:CRM_SECRET\"", "\"crm\": \"env:\""},
                              "organization.webhook_secrets[\"crm\"]",
                              "must be followed by an environment variable name"},
                      Refusal{"EmptyWebhookSecret",
                              {"\"crm\": \"env:CRM_SECRET\"", "\"crm\": \"\""},
                              "organization.webhook_secrets[\"crm\"]",
                              "required"},
                      Refusal{"WebhookSecretWithACapitalisedName",
                              {"\"crm\": \"env:CRM_SECRET\"", "\"Crm\": \"env:CRM_SECRET\""},
                              "organization.webhook_secrets[\"Crm\"]",
                              "a-z, 0-9 and _"},
                      Refusal{"SegmentBudgetOf11",
                              {R"("segment_budget": 3)", R"("segment_budget": 11)"},
                              "organization.segment_budget",
                              "from 1 to 10"},
                      Refusal{"SegmentBudgetThatWouldWrapToMinusOne",
                              {R"("segment_budget": 3)", R"("segment_budget": 4294967295)"},
                              "organization.segment_budget",
                              "from 1 to 10"},
                      Refusal{"NegativeSegmentBudget",
                              {R"("segment_budget": 3)", R"("segment_budget": -1)"},
                              "organization.segment_budget",
                              ""}),
    NameFor);

class CampaignFileAccepts : public ::testing::TestWithParam<Accepted> {};

TEST_P(CampaignFileAccepts, TheFile) {
  Result<Definition> def = Parse(Edited(GetParam().edit), TestEnv());
  EXPECT_TRUE(def.ok()) << def.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Variants, CampaignFileAccepts,
    ::testing::Values(
        Accepted{"StartOnFebruary29OfALeapYear",
                 {R"("starts_at": "2026-12-05T10:00")", R"("starts_at": "2028-02-29T10:00")"}},
        Accepted{"StartAtMidnightAndOneMinuteBeforeIt",
                 {R"("starts_at": "2026-12-06T18:00", "ends_at": "2026-12-06T19:30")",
                  R"("starts_at": "2026-12-06T00:00", "ends_at": "2026-12-06T23:59")"}},
        Accepted{"EndAtTheStart",
                 {R"("ends_at": "2026-12-06T19:30")", R"("ends_at": "2026-12-06T18:00")"}},
        Accepted{"EndOnTheNextDay",
                 {R"("ends_at": "2026-12-06T19:30")", R"("ends_at": "2026-12-07T01:00")"}},
        Accepted{"WebhookSecretWrittenInTheFile",
                 {"\"crm\": \"env:CRM_SECRET\"", "\"crm\": \"whsec-literal\""}},
        Accepted{"FollowUpAfterThirtyDays",
                 {R"("follow_up_after_minutes": 90)", R"("follow_up_after_minutes": 43200)"}},
        Accepted{"EnglishOnlyFlowsInABilingualOrganization",
                 {R"("opt_in_confirmation": "You are subscribed again."
    })",
                  R"("opt_in_confirmation": "You are subscribed again."
    }, "translations": { "es": { "help": "Acme Tenants: alertas. Responde STOP." } })"}},
        Accepted{"SegmentBudgetOf10", {R"("segment_budget": 3)", R"("segment_budget": 10)"}},
        Accepted{"CheckInCodeOfEightDigits",
                 {R"("checkin_code": "4821")", R"("checkin_code": "48214821")"}},
        Accepted{"SameWordQualifiedByAnotherChapter",
                 {R"({ "word": "RALLY", "flow": "rsvp" })",
                  R"({ "word": "RALLY", "flow": "rsvp" },
                     { "word": "JOIN MH", "flow": "welcome", "chapter": "mh" })"}}),
    [](const ::testing::TestParamInfo<Accepted>& info) { return info.param.name; });

}  // namespace
}  // namespace chorus::workspace
