#include "workspace/file/workspace_file.hpp"

#include "workspace/file/file_edits.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::workspace {
namespace {

using testing::Accepted;
using testing::Edit;
using testing::EnvWith;
using testing::ExpectRefused;
using testing::Parse;

// Recognisable secrets: no error message may ever contain them.
constexpr std::string_view kLiteralToken = "tok-SECRET-7f3a9c";
constexpr std::string_view kEnvToken = "tok-ENV-SECRET-42";

EnvLookup TestEnv() { return EnvWith({{"NYC_TOKEN", std::string(kEnvToken)}}); }

// A small valid workspace. Every refusal below changes one fragment of it, so each case shows
// exactly what is wrong; the test checks the fragment occurs once.
constexpr std::string_view kBase = R"({
  "organization": {
    "slug": "nyc-tenants",
    "name": "NYC Tenants",
    "texts": {
      "help": "NYC Tenants: tenant alerts. Reply STOP to opt out.",
      "opt_out_confirmation": "You are unsubscribed.",
      "opt_in_confirmation": "You are subscribed again."
    },
    "translations": {
      "es": { "help": "NYC Tenants: alertas. Responde ALTO para cancelar." }
    },
    "compliance_words": [{ "word": "BASTA", "intent": "OPT_OUT", "language": "es" }],
    "loop_guard": { "max_repeats": 5, "window_seconds": 600 },
    "retention": { "message_body_days": 30 }
  },
  "channels": [
    {
      "slug": "nyc-long-code",
      "carrier": "TWILIO",
      "sender": "+15550100001",
      "country": "US",
      "segments_per_second": 2.5,
      "twilio": {
        "account_sid": "ACabcdef0123456789abcdef0123456789",
        "auth_token": "env:NYC_TOKEN",
        "api_base": "http://127.0.0.1:8089"
      }
    },
    { "slug": "nyc-short-code", "carrier": "TWILIO", "sender": "12345", "country": "US",
      "twilio": { "account_sid": "ACABCDEF0123456789ABCDEF0123456789", "auth_token": "tok-SECRET-7f3a9c" } }
  ],
  "keywords": [
    {
      "word": "JOIN",
      "opt_in": true,
      "reply": "Welcome to NYC Tenants! Up to 4 msgs/month. Reply STOP to opt out, HELP for help."
    },
    { "word": "RALLY", "channels": ["nyc-long-code"], "reply": "Rally Saturday at City Hall." },
    { "word": "rally", "channels": ["nyc-short-code"], "reply": "Rally at City Hall, 6pm." }
  ]
})";

std::string Edited(const Edit& edit) { return testing::Edited(kBase, edit); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(WorkspaceFile, BaseFileOfTheseTestsIsValid) {
  Result<Definition> def = Parse(kBase, TestEnv());
  ASSERT_TRUE(def.ok()) << def.error().message;
}

TEST(WorkspaceFile, ReadsOrganizationChannelsAndKeywords) {
  Result<Definition> def = Parse(kBase, TestEnv());
  ASSERT_TRUE(def.ok()) << def.error().message;

  EXPECT_EQ(def->slug, "nyc-tenants");
  EXPECT_EQ(def->name, "NYC Tenants");
  ASSERT_EQ(def->texts.size(), 2u);
  EXPECT_EQ(def->texts.at("en").opt_out_confirmation, "You are unsubscribed.");
  EXPECT_EQ(def->texts.at("es").help, "NYC Tenants: alertas. Responde ALTO para cancelar.");
  EXPECT_EQ(def->texts.at("es").opt_in_confirmation, "") << "a translation may be partial";
  ASSERT_EQ(def->compliance_words.size(), 1u);
  EXPECT_EQ(def->compliance_words[0].word, "BASTA");
  EXPECT_EQ(def->compliance_words[0].intent, compliance::Intent::kOptOut);
  EXPECT_EQ(def->compliance_words[0].language, "es");
  EXPECT_EQ(def->loop_guard_max, 5);
  EXPECT_EQ(def->loop_guard_window_seconds, 600);
  EXPECT_EQ(def->message_body_retention_days, 30);

  ASSERT_EQ(def->channels.size(), 2u);
  const ChannelDefinition& long_code = def->channels[0];
  EXPECT_EQ(long_code.slug, "nyc-long-code");
  EXPECT_EQ(long_code.carrier, "twilio");
  EXPECT_EQ(long_code.sender, "+15550100001");
  EXPECT_EQ(long_code.country, "US");
  EXPECT_EQ(long_code.segments_per_second, 2.5);
  EXPECT_EQ(long_code.settings, (std::map<std::string, std::string>{
                                    {"account_sid", "ACabcdef0123456789abcdef0123456789"},
                                    {"api_base", "http://127.0.0.1:8089"}}));
  EXPECT_EQ(long_code.secrets,
            (std::map<std::string, std::string>{{"auth_token", std::string(kEnvToken)}}));
  EXPECT_EQ(def->channels[1].secrets.at("auth_token"), kLiteralToken);

  ASSERT_EQ(def->keywords.size(), 3u);
  EXPECT_EQ(def->keywords[0].word, "join");
  EXPECT_EQ(def->keywords[0].display_word, "JOIN");
  EXPECT_TRUE(def->keywords[0].opt_in);
  EXPECT_TRUE(def->keywords[0].channels.empty());
  EXPECT_EQ(def->keywords[1].word, "rally");
  EXPECT_EQ(def->keywords[1].channels, std::vector<std::string>{"nyc-long-code"});
  EXPECT_EQ(def->keywords[2].word, "rally") << "same word, other channel";
  EXPECT_EQ(def->keywords[2].display_word, "rally");
  EXPECT_FALSE(def->keywords[2].opt_in);
}

TEST(WorkspaceFile, AppliesDefaultsToLeftOutFields) {
  std::string json = Edited({R"(,
    "loop_guard": { "max_repeats": 5, "window_seconds": 600 },
    "retention": { "message_body_days": 30 })",
                             ""});
  Result<Definition> def = Parse(json, TestEnv());
  ASSERT_TRUE(def.ok()) << def.error().message;

  EXPECT_EQ(def->default_language, "en");
  EXPECT_TRUE(def->texts.contains("en"));
  EXPECT_EQ(def->loop_guard_max, 3);
  EXPECT_EQ(def->loop_guard_window_seconds, 3600);
  EXPECT_EQ(def->message_body_retention_days, 90);
  const ChannelDefinition& short_code = def->channels[1];
  EXPECT_EQ(short_code.segments_per_second, 1.0);
  EXPECT_EQ(short_code.settings.at("api_base"), "https://api.twilio.com");
  EXPECT_EQ(def->keywords[0].language, "en");
}

TEST(WorkspaceFile, KeywordsAndComplianceWordsDefaultToTheOrganizationLanguage) {
  std::string json = Edited(
      {R"("name": "NYC Tenants",)", R"("name": "NYC Tenants", "default_language": "es-419",)"});
  json.replace(json.find(R"("language": "es")"), 16, R"("language": "")");
  Result<Definition> def = Parse(json, TestEnv());
  ASSERT_TRUE(def.ok()) << def.error().message;

  EXPECT_EQ(def->default_language, "es-419");
  EXPECT_TRUE(def->texts.contains("es-419"));
  EXPECT_EQ(def->compliance_words[0].language, "es-419");
  EXPECT_EQ(def->keywords[1].language, "es-419");
}

TEST(WorkspaceFile, ResolvesAuthTokenFromTheNamedEnvironmentVariable) {
  int lookups = 0;
  std::string asked;
  EnvLookup env = [&](std::string_view name) -> std::optional<std::string> {
    ++lookups;
    asked = name;
    return std::string("from-the-environment");
  };
  Result<Definition> def = Parse(kBase, env);
  ASSERT_TRUE(def.ok()) << def.error().message;
  EXPECT_EQ(lookups, 1) << "only env:NAME tokens are looked up";
  EXPECT_EQ(asked, "NYC_TOKEN");
  EXPECT_EQ(def->channels[0].secrets.at("auth_token"), "from-the-environment");
}

TEST(WorkspaceFile, RefusesAnEnvTokenWhoseVariableIsNotSet) {
  Result<Definition> def = Parse(kBase, EnvWith({}));
  ASSERT_FALSE(def.ok());
  EXPECT_EQ(def.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(def.error().message,
            "channels[0].twilio.auth_token: environment variable NYC_TOKEN is not set");
}

TEST(WorkspaceFile, TreatsAMissingEnvLookupAsAnEmptyEnvironment) {
  Result<Definition> def = Parse(kBase, EnvLookup{});
  ASSERT_FALSE(def.ok());
  EXPECT_EQ(def.error().message,
            "channels[0].twilio.auth_token: environment variable NYC_TOKEN is not set");
}

TEST(WorkspaceFile, RefusesAFileWithoutAnOrganization) {
  Result<Definition> def = Parse(R"({"channels": []})", TestEnv());
  ASSERT_FALSE(def.ok());
  EXPECT_EQ(def.error().message, "organization: required");
}

TEST(WorkspaceFile, RefusesAnOrganizationWithoutTexts) {
  Result<Definition> def =
      Parse(R"({"organization": {"slug": "a", "name": "A"}})", TestEnv());
  ASSERT_FALSE(def.ok());
  EXPECT_EQ(def.error().message, "organization.texts: required");
}

TEST(WorkspaceFile, AllowsAnOrganizationWithoutChannelsOrKeywords) {
  Result<Definition> def = Parse(R"({"organization": {
      "slug": "a", "name": "A",
      "texts": {"help": "A: help", "opt_out_confirmation": "bye", "opt_in_confirmation": "hi"}}})",
                                              TestEnv());
  ASSERT_TRUE(def.ok()) << def.error().message;
  EXPECT_TRUE(def->channels.empty());
  EXPECT_TRUE(def->keywords.empty());
}

// ---- the demo workspace -----------------------------------------------------------------------

const std::string kDemoPath = std::string(CHORUS_SOURCE_DIR) + "/deploy/demo/workspace.json";

TEST(WorkspaceDemoFile, Parses) {
  std::string json = ReadFile(kDemoPath);
  ASSERT_FALSE(json.empty()) << "cannot read " << kDemoPath;
  Result<Definition> def =
      Parse(json, EnvWith({{"CHORUS_DEMO_TWILIO_AUTH_TOKEN", "demo-token"},
                           {"CHORUS_DEMO_TELNYX_API_KEY", "demo-key"}}));
  ASSERT_TRUE(def.ok()) << def.error().message;

  EXPECT_EQ(def->slug, "demo");
  EXPECT_EQ(def->name, "Chorus Demo");
  EXPECT_EQ(def->loop_guard_max, 3);
  EXPECT_EQ(def->loop_guard_window_seconds, 3600);
  ASSERT_TRUE(def->texts.contains("en"));
  ASSERT_TRUE(def->texts.contains("es"));
  for (const auto& [language, texts] : def->texts) {
    EXPECT_FALSE(texts.help.empty()) << language;
    EXPECT_FALSE(texts.opt_out_confirmation.empty()) << language;
    EXPECT_FALSE(texts.opt_out_all_confirmation.empty()) << language;
    EXPECT_FALSE(texts.opt_in_confirmation.empty()) << language;
    EXPECT_FALSE(texts.default_reply.empty()) << language;
  }

  ASSERT_EQ(def->channels.size(), 2u);
  const ChannelDefinition& telnyx = def->channels[1];
  EXPECT_EQ(telnyx.carrier, "telnyx");
  EXPECT_EQ(telnyx.settings.at("api_base"), "http://127.0.0.1:8088");
  EXPECT_EQ(telnyx.secrets.at("api_key"), "demo-key");
  EXPECT_FALSE(telnyx.secrets.contains("public_key")) << "a public key is not a secret";
  const ChannelDefinition& channel = def->channels[0];
  EXPECT_EQ(channel.carrier, "twilio");
  EXPECT_EQ(channel.slug, "demo-twilio");
  EXPECT_EQ(channel.sender, "+15550100000");
  EXPECT_EQ(channel.country, "US");
  EXPECT_EQ(channel.segments_per_second, 1.0);
  EXPECT_EQ(channel.settings.at("api_base"), "http://127.0.0.1:8089");
  EXPECT_EQ(channel.settings.at("account_sid").size(), 34u);
  EXPECT_EQ(channel.secrets.at("auth_token"), "demo-token");

  std::map<std::string, KeywordDefinition> keywords;
  for (const KeywordDefinition& k : def->keywords) keywords[k.word] = k;
  ASSERT_TRUE(keywords.contains("join"));
  EXPECT_TRUE(keywords["join"].opt_in);
  EXPECT_EQ(keywords["join"].language, "en");
  EXPECT_NE(keywords["join"].reply.find("Msg & data rates may apply"), std::string::npos);
  EXPECT_NE(keywords["join"].reply.find("Reply STOP to opt out, HELP for help"), std::string::npos);
  EXPECT_EQ(keywords["join"].flow, "onboarding") << "the flow asks for the ZIP code";
  std::set<std::string> flows;
  for (const auto& f : def->flows) flows.insert(f.flow.slug);
  EXPECT_TRUE(flows.contains("onboarding"));
  EXPECT_TRUE(flows.contains("story"));
  EXPECT_EQ(def->chapters.size(), 5u);
  EXPECT_EQ(def->events.size(), 3u);
  ASSERT_TRUE(keywords.contains("unirme"));
  EXPECT_TRUE(keywords["unirme"].opt_in);
  EXPECT_EQ(keywords["unirme"].language, "es");
  ASSERT_TRUE(keywords.contains("events"));
  EXPECT_FALSE(keywords["events"].opt_in);
}

TEST(WorkspaceDemoFile, NeedsItsTwilioTokenInTheEnvironment) {
  Result<Definition> def = Parse(ReadFile(kDemoPath), EnvWith({}));
  ASSERT_FALSE(def.ok());
  EXPECT_EQ(def.error().message,
            "channels[0].twilio.auth_token: environment variable CHORUS_DEMO_TWILIO_AUTH_TOKEN "
            "is not set");
}

// ---- refusals: one broken rule per case ---------------------------------------------------

struct Refusal {
  std::string name;  // the test's name: what is wrong
  Edit edit;
  std::string path;       // the message must start with "<path>: "
  std::string says = "";  // and contain this
  EnvLookup env = TestEnv();
};

void PrintTo(const Refusal& r, std::ostream* os) { *os << r.name; }

void ExpectNoSecret(const std::string& message) {
  EXPECT_EQ(message.find(kLiteralToken), std::string::npos) << message;
  EXPECT_EQ(message.find(kEnvToken), std::string::npos) << message;
}

class WorkspaceFileRefuses : public ::testing::TestWithParam<Refusal> {};

TEST_P(WorkspaceFileRefuses, TheFileNamingTheBadField) {
  const Refusal& r = GetParam();
  ExpectRefused(Parse(Edited(r.edit), r.env), r.path, r.says, {kLiteralToken, kEnvToken});
}

std::string NameFor(const ::testing::TestParamInfo<Refusal>& info) { return info.param.name; }

const std::string kOrgTexts = R"("help": "NYC Tenants: tenant alerts. Reply STOP to opt out.",)";
const std::string kJoinReply =
    R"("reply": "Welcome to NYC Tenants! Up to 4 msgs/month. Reply STOP to opt out, HELP for help.")";

INSTANTIATE_TEST_SUITE_P(
    Organization, WorkspaceFileRefuses,
    ::testing::Values(
        Refusal{"SlugWithCapitals",
                {R"("slug": "nyc-tenants")", R"("slug": "NYC")"},
                "organization.slug",
                "[a-z0-9-]{1,63}"},
        Refusal{"EmptySlug",
                {R"("slug": "nyc-tenants")", R"("slug": "")"},
                "organization.slug",
                "required"},
        Refusal{"SlugOf64Characters",
                {R"("slug": "nyc-tenants")", "\"slug\": \"" + std::string(64, 'a') + "\""},
                "organization.slug"},
        Refusal{"EmptyName",
                {R"("name": "NYC Tenants")", R"("name": "")"},
                "organization.name",
                "required"},
        Refusal{"NameOfOnlyPunctuation",
                {R"("name": "NYC Tenants")", R"("name": "!!")"},
                "organization.name"},
        Refusal{"NameOf101Characters",
                {R"("name": "NYC Tenants")", "\"name\": \"" + std::string(101, 'n') + "\""},
                "organization.name",
                "at most 100"},
        Refusal{"DefaultLanguageThatIsNotATag",
                {R"("name": "NYC Tenants",)",
                 R"("name": "NYC Tenants", "default_language": "English",)"},
                "organization.default_language",
                "language tag"},
        Refusal{
            "DefaultLanguageWithLowercaseRegion",
            {R"("name": "NYC Tenants",)", R"("name": "NYC Tenants", "default_language": "es-mx",)"},
            "organization.default_language"},
        Refusal{"MissingHelp", {kOrgTexts, ""}, "organization.texts.help", "required"},
        Refusal{"BlankOptOutConfirmation",
                {R"("opt_out_confirmation": "You are unsubscribed.")",
                 R"("opt_out_confirmation": "  ")"},
                "organization.texts.opt_out_confirmation",
                "required"},
        Refusal{"EmptyOptInConfirmation",
                {R"("opt_in_confirmation": "You are subscribed again.")",
                 R"("opt_in_confirmation": "")"},
                "organization.texts.opt_in_confirmation",
                "required"},
        Refusal{"HelpThatDoesNotNameTheOrganization",
                {kOrgTexts, R"("help": "Tenant alerts. Reply STOP to opt out.",)"},
                "organization.texts.help",
                "\"NYC Tenants\""},
        Refusal{"HelpOf1601Characters",
                {kOrgTexts, "\"help\": \"NYC Tenants " + std::string(1601 - 12, 'x') + "\","},
                "organization.texts.help",
                "at most 1600"},
        // Characters, not bytes: 1601 two-byte characters.
        Refusal{"DefaultReplyOf1601AccentedCharacters",
                {R"("opt_in_confirmation": "You are subscribed again.")",
                 R"("opt_in_confirmation": "You are subscribed again.", "default_reply": ")" +
                     [] {
                       std::string s;
                       for (int i = 0; i < 1601; ++i) s += "\xC3\xA9";
                       return s;
                     }() +
                     "\""},
                "organization.texts.default_reply",
                "it has 1601"},
        Refusal{"TranslationKeyThatIsNotALanguageTag",
                {R"("es": { "help")", R"("spanish": { "help")"},
                "organization.translations[\"spanish\"]",
                "language tag"},
        Refusal{"TranslationOfTheDefaultLanguage",
                {R"("es": { "help")", R"("en": { "help")"},
                "organization.translations[\"en\"]",
                "default language"},
        Refusal{"TranslatedHelpThatDoesNotNameTheOrganization",
                {R"("help": "NYC Tenants: alertas.)", R"("help": "Alertas.)"},
                "organization.translations[\"es\"].help",
                "NYC Tenants"},
        Refusal{"EmptyComplianceWord",
                {R"("word": "BASTA")", R"("word": "")"},
                "organization.compliance_words[0].word",
                "required"},
        Refusal{"ComplianceWordOfTwoWords",
                {R"("word": "BASTA")", R"("word": "YA BASTA")"},
                "organization.compliance_words[0].word",
                "single word"},
        Refusal{"ComplianceWordWithoutIntent",
                {R"("intent": "OPT_OUT", )", ""},
                "organization.compliance_words[0].intent",
                "required"},
        Refusal{"ComplianceWordWithAnUnknownIntentNumber",
                {R"("intent": "OPT_OUT")", R"("intent": 7)"},
                "organization.compliance_words[0].intent",
                "invalid value 7"},
        Refusal{"ComplianceWordWithABadLanguage",
                {R"("language": "es" })", R"("language": "ES" })"},
                "organization.compliance_words[0].language",
                "language tag"},
        Refusal{"SameComplianceWordTwice",
                {R"(}],
    "loop_guard")",
                 R"(}, { "word": "basta", "intent": "HELP" }],
    "loop_guard")"},
                "organization.compliance_words[1].word",
                "compliance_words[0]"},
        Refusal{"LoopGuardOf101Repeats",
                {R"("max_repeats": 5)", R"("max_repeats": 101)"},
                "organization.loop_guard.max_repeats",
                "1 to 100"},
        Refusal{"LoopGuardWindowUnderAMinute",
                {R"("window_seconds": 600)", R"("window_seconds": 59)"},
                "organization.loop_guard.window_seconds"},
        Refusal{"LoopGuardWindowOverAWeek",
                {R"("window_seconds": 600)", R"("window_seconds": 604801)"},
                "organization.loop_guard.window_seconds"},
        Refusal{"RetentionOverTenYears",
                {R"("message_body_days": 30)", R"("message_body_days": 3651)"},
                "organization.retention.message_body_days",
                "1 to 3650"},
        Refusal{"NegativeRetention",
                {R"("message_body_days": 30)", R"("message_body_days": -1)"},
                "organization.retention.message_body_days"}),
    NameFor);

Refusal ApiBase(std::string name, std::string api_base, std::string says = "") {
  return Refusal{std::move(name),
                 {R"("api_base": "http://127.0.0.1:8089")", "\"api_base\": \"" + api_base + "\""},
                 "channels[0].twilio.api_base",
                 std::move(says)};
}

Refusal Sender(std::string name, std::string sender) {
  return Refusal{std::move(name),
                 {R"("sender": "+15550100001")", "\"sender\": \"" + sender + "\""},
                 "channels[0].sender",
                 "E.164"};
}

Refusal AccountSid(std::string name, std::string sid) {
  return Refusal{
      std::move(name),
      {R"("account_sid": "ACabcdef0123456789abcdef0123456789")",
       "\"account_sid\": \"" + sid + "\""},
      "channels[0].twilio.account_sid",
      sid.empty() ? "required" : R"(must be "AC" followed by 32 hexadecimal characters)"};
}

INSTANTIATE_TEST_SUITE_P(
    Channels, WorkspaceFileRefuses,
    ::testing::Values(
        Refusal{"SlugWithASpace",
                {R"("slug": "nyc-long-code")", R"("slug": "nyc long code")"},
                "channels[0].slug"},
        Refusal{"EmptySlug",
                {R"("slug": "nyc-long-code")", R"("slug": "")"},
                "channels[0].slug",
                "required"},
        Refusal{"SlugUsedTwice",
                {R"("slug": "nyc-short-code")", R"("slug": "nyc-long-code")"},
                "channels[1].slug",
                "already used by channels[0]"},
        Refusal{"MissingCarrier",
                {R"("slug": "nyc-long-code",
      "carrier": "TWILIO",)",
                 R"("slug": "nyc-long-code",)"},
                "channels[0].carrier",
                "required"},
        Refusal{
            "UnspecifiedCarrier",
            {R"("carrier": "TWILIO", "sender")", R"("carrier": "CARRIER_UNSPECIFIED", "sender")"},
            "channels[1].carrier",
            "unknown carrier \"CARRIER_UNSPECIFIED\" (expected one of"},
        Refusal{"UnknownCarrierNumber",
                {R"("carrier": "TWILIO", "sender")", R"("carrier": 5, "sender")"},
                "channels[1].carrier",
                "expected a string naming the carrier"},
        Sender("SenderWithoutPlus", "15550100001"), Sender("SenderOfSevenDigits", "+1555010"),
        Sender("SenderOfSixteenDigits", "+1555010000000000"),
        Sender("SenderWithSpaces", "+1 555 010 0001"), Sender("ShortCodeOfTwoDigits", "12"),
        Sender("ShortCodeOfNineDigits", "123456789"),
        Refusal{"EmptySender",
                {R"("sender": "+15550100001")", R"("sender": "")"},
                "channels[0].sender",
                "required"},
        Refusal{"LowercaseCountry",
                {R"("country": "US",
      "segments)",
                 R"("country": "us",
      "segments)"},
                "channels[0].country",
                "ISO 3166-1"},
        Refusal{"ThreeLetterCountry",
                {R"("country": "US",
      "segments)",
                 R"("country": "USA",
      "segments)"},
                "channels[0].country"},
        Refusal{"MissingCountry",
                {R"("country": "US",
      "segments)",
                 R"("segments)"},
                "channels[0].country",
                "required"},
        Refusal{"NegativeThroughput",
                {R"("segments_per_second": 2.5)", R"("segments_per_second": -1)"},
                "channels[0].segments_per_second",
                "greater than 0"},
        Refusal{"ThroughputOver10000",
                {R"("segments_per_second": 2.5)", R"("segments_per_second": 10000.5)"},
                "channels[0].segments_per_second"},
        Refusal{"NegativePrice",
                {R"("segments_per_second": 2.5)", R"("segments_per_second": 2.5, "segment_price": -0.01)"},
                "channels[0].segment_price",
                "0 (unknown) or a price"},
        Refusal{"LowercaseCurrency",
                {R"("segments_per_second": 2.5)", R"("segments_per_second": 2.5, "currency": "usd")"},
                "channels[0].currency",
                "ISO 4217"},
        Refusal{"NaNThroughput",
                {R"("segments_per_second": 2.5)", R"("segments_per_second": "NaN")"},
                "channels[0].segments_per_second"},
        Refusal{"TwilioChannelWithoutTwilioSettings",
                {R"("country": "US",
      "twilio": { "account_sid": "ACABCDEF0123456789ABCDEF0123456789", "auth_token": "tok-SECRET-7f3a9c" })",
                 R"("country": "US")"},
                "channels[1].twilio",
                "required: the twilio settings (account_sid, auth_token)"},
        AccountSid("EmptyAccountSid", ""), AccountSid("ShortAccountSid", "AC123"),
        AccountSid("AccountSidWithoutAC", "XXabcdef0123456789abcdef0123456789"),
        AccountSid("AccountSidWithLowercaseAc", "acabcdef0123456789abcdef0123456789"),
        AccountSid("AccountSidWithANonHexCharacter", "ACabcdef0123456789abcdef012345678g"),
        AccountSid("AccountSidOf33HexCharacters", "ACabcdef0123456789abcdef01234567890"),
        Refusal{"EmptyAuthToken",
                {R"("auth_token": "env:NYC_TOKEN")", R"("auth_token": "")"},
                "channels[0].twilio.auth_token",
                "required"},
        Refusal{"AuthTokenFromAnUnsetVariable",
                {R"("auth_token": "env:NYC_TOKEN")", R"("auth_token": "env:OTHER_TOKEN")"},
                "channels[0].twilio.auth_token",
                "environment variable OTHER_TOKEN is not set"},
        Refusal{"AuthTokenFromAnEmptyVariable",
                {R"("auth_token": "env:NYC_TOKEN")", R"("auth_token": "env:EMPTY")"},
                "channels[0].twilio.auth_token",
                "environment variable EMPTY is empty",
                EnvWith({{"EMPTY", ""}})},
        Refusal{"AuthTokenEnvWithoutAName",
                {R"("auth_token": "env:NYC_TOKEN")", R"("auth_token": "env:")"},
                "channels[0].twilio.auth_token",
                "environment variable name"},
        Refusal{"AuthTokenEnvWithABadName",
                {R"("auth_token": "env:NYC_TOKEN")", R"("auth_token": "env:NYC TOKEN")"},
                "channels[0].twilio.auth_token",
                "environment variable name"},
        ApiBase("ApiBaseWithoutScheme", "api.twilio.com", "http:// or https://"),
        ApiBase("ApiBaseWithFtpScheme", "ftp://api.twilio.com", "http:// or https://"),
        ApiBase("ApiBaseWithoutHost", "https://", "host"),
        ApiBase("ApiBaseWithOnlyAPort", "http://:8089", "host"),
        ApiBase("ApiBaseWithOnlyAPath", "https:///2010-04-01", "host"),
        ApiBase("ApiBaseWithCredentials", "https://AC1:secret@api.twilio.com",
                "user name or password"),
        ApiBase("ApiBaseWithABadPort", "http://127.0.0.1:port", "port")),
    NameFor);

Refusal ReservedWord(std::string name, std::string word, std::string says) {
  return Refusal{std::move(name),
                 {R"("word": "JOIN")", "\"word\": \"" + word + "\""},
                 "keywords[0].word",
                 std::move(says)};
}

Refusal JoinReply(std::string name, std::string reply, std::string says) {
  return Refusal{std::move(name),
                 {kJoinReply, "\"reply\": \"" + reply + "\""},
                 "keywords[0].reply",
                 std::move(says)};
}

INSTANTIATE_TEST_SUITE_P(
    Keywords, WorkspaceFileRefuses,
    ::testing::Values(
        Refusal{
            "EmptyWord", {R"("word": "JOIN")", R"("word": "")"}, "keywords[0].word", "required"},
        Refusal{"WordOfOnlyPunctuation",
                {R"("word": "JOIN")", R"("word": "?!")"},
                "keywords[0].word",
                "required"},
        Refusal{"WordOfThreeWords",
                {R"("word": "JOIN")", R"("word": "JOIN NOW PLEASE")"},
                "keywords[0].word",
                "one word, or a word and a qualifier"},
        ReservedWord("StopAsAKeyword", "STOP", "\"STOP\" is an opt-out word (en)"),
        ReservedWord("StopWithPunctuationAsAKeyword", " Stop. ", "opt-out word"),
        ReservedWord("StopAllAsAKeyword", "STOPALL", "opt-out-of-everything word"),
        ReservedWord("StartAsAKeyword", "START", "opt-in word"),
        ReservedWord("HelpAsAKeyword", "HELP", "help word"),
        ReservedWord("AyudaAsAKeyword", "Ayuda", "\"Ayuda\" is a help word (es)"),
        ReservedWord("ArretAsAKeyword", "ARRÊT", "opt-out word (fr)"),
        ReservedWord("AnOrganizationComplianceWordAsAKeyword", "basta", "opt-out word (es)"),
        Refusal{"KeywordOnAnUnknownChannel",
                {R"(["nyc-long-code"])", R"(["nyc-long-code", "bronx"])"},
                "keywords[1].channels[1]",
                "no channel \"bronx\" in this file"},
        Refusal{"KeywordListingAChannelTwice",
                {R"(["nyc-long-code"])", R"(["nyc-long-code", "nyc-long-code"])"},
                "keywords[1].channels[1]",
                "listed twice"},
        Refusal{"SameWordTwiceOnEveryChannel",
                {R"("word": "RALLY", "channels": ["nyc-long-code"])", R"("word": "join")"},
                "keywords[1].word",
                "keywords[0] on every channel"},
        Refusal{"SameWordOnEveryChannelAfterOneChannel",
                {R"("word": "rally", "channels": ["nyc-short-code"])", R"("word": "Rally")"},
                "keywords[2].word",
                "keywords[1] on channel \"nyc-long-code\""},
        Refusal{"SameWordTwiceOnOneChannel",
                {R"(["nyc-short-code"])", R"(["nyc-short-code", "nyc-long-code"])"},
                "keywords[2].word",
                "already keywords[1]"},
        Refusal{"EmptyReply",
                {R"("reply": "Rally Saturday at City Hall.")", R"("reply": "")"},
                "keywords[1].reply",
                "required"},
        Refusal{"ReplyOf1601Characters",
                {R"("reply": "Rally Saturday at City Hall.")",
                 "\"reply\": \"" + std::string(1601, 'r') + "\""},
                "keywords[1].reply",
                "at most 1600"},
        Refusal{"KeywordWithABadLanguage",
                {R"("word": "JOIN",)", R"("word": "JOIN", "language": "spanish",)"},
                "keywords[0].language",
                "language tag"},
        JoinReply("OptInReplyWithoutTheOrganizationName",
                  "Welcome! Up to 4 msgs/month. Reply STOP to opt out, HELP for help.",
                  "must name the organization \"NYC Tenants\""),
        JoinReply("OptInReplyWithoutAnOptOutWord", "Welcome to NYC Tenants! Reply HELP for help.",
                  "must say how to opt out (e.g. Reply STOP)"),
        JoinReply("OptInReplyThatOnlySaysStopInsideAWord",
                  "Welcome to NYC Tenants! Nonstop alerts. HELP for help.",
                  "must say how to opt out"),
        JoinReply("OptInReplyWithoutAHelpWord", "Welcome to NYC Tenants! Reply STOP to opt out.",
                  "must say how to get help (e.g. HELP for help)"),
        JoinReply("OptInReplyMissingEverything", "Welcome!",
                  "must name the organization \"NYC Tenants\", must say how to opt out (e.g. "
                  "Reply STOP) and must say how to get help")),
    NameFor);

class WorkspaceFileAccepts : public ::testing::TestWithParam<Accepted> {};

TEST_P(WorkspaceFileAccepts, TheFile) {
  Result<Definition> def = Parse(Edited(GetParam().edit), TestEnv());
  EXPECT_TRUE(def.ok()) << def.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Variants, WorkspaceFileAccepts,
    ::testing::Values(
        Accepted{"YesAsAKeyword", {R"("word": "RALLY")", R"("word": "YES")"}},
        Accepted{"HelpNamingTheOrganizationInOtherCase",
                 {kOrgTexts, R"("help": "nyc tenants: alerts.",)"}},
        Accepted{"HelpOf1600AccentedCharacters",
                 {kOrgTexts, "\"help\": \"NYC Tenants " +
                                 [] {
                                   std::string s;
                                   for (int i = 0; i < 1600 - 12; ++i) s += "\xC3\xA9";
                                   return s;
                                 }() +
                                 "\","}},
        Accepted{
            "SpanishOptInReply",
            {kJoinReply,
             R"("reply": "¡Bienvenido a NYC Tenants! Responde ALTO para cancelar, AYUDA para ayuda.")"}},
        Accepted{"OptInReplyWithSlashedWords",
                 {kJoinReply, R"("reply": "NYC Tenants: welcome. Text STOP/HELP any time.")"}},
        Accepted{"OptInReplyUsingTheOrganizationsOwnStopWord",
                 {kJoinReply,
                  R"("reply": "NYC Tenants: welcome. Reply BASTA to leave, INFO for info.")"}},
        Accepted{"LanguageWithANumericRegion", {R"("es": { "help")", R"("es-419": { "help")"}},
        Accepted{"ShortCodeOfEightDigits", {R"("sender": "12345")", R"("sender": "12345678")"}},
        Accepted{"E164OfFifteenDigits",
                 {R"("sender": "+15550100001")", R"("sender": "+123456789012345")"}},
        Accepted{"ThroughputOf10000",
                 {R"("segments_per_second": 2.5)", R"("segments_per_second": 10000)"}},
        Accepted{"ApiBaseWithIpv6HostPortAndPath",
                 {R"("api_base": "http://127.0.0.1:8089")",
                  R"("api_base": "http://[::1]:8089/fake-twilio/")"}},
        Accepted{"CamelCaseFieldNames",
                 {R"("segments_per_second": 2.5)", R"("segmentsPerSecond": 2.5)"}}),
    [](const ::testing::TestParamInfo<Accepted>& info) { return info.param.name; });

// ---- protobuf's JSON errors, translated ---------------------------------------------------

struct JsonError {
  std::string name;
  std::string json;
  std::string message;  // exact
};

void PrintTo(const JsonError& e, std::ostream* os) { *os << e.name; }

class WorkspaceFileJsonErrors : public ::testing::TestWithParam<JsonError> {};

TEST_P(WorkspaceFileJsonErrors, ReadAsPathAndProblem) {
  Result<Definition> def = Parse(GetParam().json, TestEnv());
  ASSERT_FALSE(def.ok());
  EXPECT_EQ(def.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(def.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, WorkspaceFileJsonErrors,
    ::testing::Values(
        JsonError{"UnknownCarrier", R"({"channels": [{}, {"carrier": "FOO"}]})",
                  R"(channels[1].carrier: unknown carrier "FOO" (expected one of telnyx, twilio))"},
        JsonError{"CarrierSettingsWithoutACarrier",
                  R"({"channels": [{"twilio": {"account_sid": "x"}}]})",
                  "channels[0].carrier: required (one of telnyx, twilio)"},
        JsonError{"BadEnumValueWithSeveralChoices",
                  R"({"organization": {"compliance_words": [{"intent": "STOP"}]}})",
                  "organization.compliance_words[0].intent: invalid value \"STOP\" (expected one "
                  "of OPT_OUT, OPT_OUT_ALL, OPT_IN, HELP)"},
        JsonError{"UnknownField", R"({"channels": [{"bogus": 1}]})",
                  "channels[0].bogus: unknown field"},
        JsonError{"UnknownTopLevelField", R"({"organisation": {}})", "organisation: unknown field"},
        JsonError{"UnknownFieldInATranslation",
                  R"({"organization": {"translations": {"es": {"hepl": "x"}}}})",
                  "organization.translations[0].value.hepl: unknown field"},
        JsonError{"NumberForAString", R"({"keywords": [{"word": 5}]})",
                  "keywords[0].word: invalid value 5 (expected a string)"},
        JsonError{"NegativeNumberForAnUnsigned",
                  R"({"organization": {"loop_guard": {"max_repeats": -1}}})",
                  "organization.loop_guard.max_repeats: invalid value -1 (expected a whole number "
                  "from 0 to 4294967295)"},
        JsonError{"StringForANumber", R"({"channels": [{"segmentsPerSecond": "fast"}]})",
                  R"(channels[0].segments_per_second: invalid value "fast" (expected a number))"},
        JsonError{"NumberForTheAuthTokenIsNotEchoed",
                  R"({"channels": [{"carrier": "twilio", "twilio": {"auth_token": 73195}}]})",
                  "channels[0].twilio.auth_token: expected a string"},
        JsonError{"NumberForABoolean", R"({"keywords": [{"opt_in": 1}]})",
                  "keywords[0].opt_in: invalid value 1 (expected true or false)"},
        JsonError{"StringForAnObject", R"({"organization": "demo"})",
                  R"(organization: invalid value "demo" (expected an object))"},
        JsonError{"ObjectForAString", R"({"organization": {"name": {"en": "x"}}})",
                  "organization.name: expected a single value, not an object"},
        JsonError{"ListForAnObject", R"({"organization": {"texts": []}})",
                  "organization.texts: expected a single value, not a list"},
        JsonError{"ListForAMap", R"({"organization": {"translations": []}})",
                  "organization.translations: expected an object, not a list"},
        JsonError{"ListAtTheTop", "[]", "(file): must be a JSON object"},
        JsonError{"MissingValue", "{\n  \"organization\": }",
                  "(file) line 2, column 19: Unexpected token."},
        JsonError{"MissingComma",
                  "{\n  \"organization\": {\n    \"slug\": \"a\"\n    \"name\": \"b\"\n  }\n}",
                  "(file) line 4, column 5: Expected , or } after key:value pair."},
        JsonError{
            "TruncatedFile", R"({"organization": {)",
            "(file) line 1, column 19: Unexpected end of string. Expected an object key or }."},
        JsonError{"EmptyFile", "",
                  "(file) line 1, column 1: Unexpected end of string. Expected a value."},
        JsonError{"TrailingText", R"({"organization": {}} trailing)",
                  "(file) line 1, column 22: Parsing terminated before end of input."},
        JsonError{"InvalidUtf8", "{\"keywords\": [{\"word\": \"\xff\"}]}",
                  "(file) line 1, column 25: Encountered non UTF-8 code points."}),
    [](const ::testing::TestParamInfo<JsonError>& info) { return info.param.name; });

// ---- secrets never appear in errors -------------------------------------------------------

class WorkspaceFileKeepsSecretsOutOfErrors : public ::testing::TestWithParam<Refusal> {};

TEST_P(WorkspaceFileKeepsSecretsOutOfErrors, WhenTheFileIsBad) {
  const Refusal& r = GetParam();
  std::string json = Edited(r.edit);
  ASSERT_NE(json.find(kLiteralToken), std::string::npos) << "the case must carry the token";
  Result<Definition> def = Parse(json, r.env);
  ASSERT_FALSE(def.ok());
  EXPECT_TRUE(def.error().message.starts_with(r.path)) << def.error().message;
  ExpectNoSecret(def.error().message);
}

const std::string kTokenField = R"("auth_token": "tok-SECRET-7f3a9c")";

INSTANTIATE_TEST_SUITE_P(
    Cases, WorkspaceFileKeepsSecretsOutOfErrors,
    ::testing::Values(
        Refusal{"TokenInAList",
                {kTokenField, R"("auth_token": ["tok-SECRET-7f3a9c"])"},
                "channels[1].twilio.auth_token"},
        Refusal{"TokenInAnObject",
                {kTokenField, R"("auth_token": {"v": "tok-SECRET-7f3a9c"})"},
                "channels[1].twilio.auth_token"},
        Refusal{
            "TokenWithoutQuotes", {kTokenField, R"("auth_token": tok-SECRET-7f3a9c)"}, "(file)"},
        Refusal{"SyntaxErrorRightAfterTheToken",
                {kTokenField, R"("auth_token": "tok-SECRET-7f3a9c" "x")"},
                "(file)"},
        Refusal{"SyntaxErrorRightBeforeTheToken",
                {kTokenField, R"("auth_token" "tok-SECRET-7f3a9c")"},
                "(file)"},
        Refusal{"UnknownFieldNextToTheToken",
                {kTokenField, R"("auth_token": "tok-SECRET-7f3a9c", "bogus": 1)"},
                "channels[1].twilio.bogus"},
        Refusal{"BadAccountSidNextToTheToken",
                {R"("account_sid": "ACABCDEF0123456789ABCDEF0123456789")",
                 R"("account_sid": "tok-SECRET-7f3a9c")"},
                "channels[1].twilio.account_sid"},
        Refusal{"TokenStartingWithEnvAndABadName",
                {kTokenField, R"("auth_token": "env:tok-SECRET-7f3a9c")"},
                "channels[1].twilio.auth_token"},
        Refusal{"TokenFromTheEnvironmentAndABadApiBase",
                {R"("api_base": "http://127.0.0.1:8089")", R"("api_base": "ftp://x")"},
                "channels[0].twilio.api_base"}),
    NameFor);

}  // namespace
}  // namespace chorus::workspace
