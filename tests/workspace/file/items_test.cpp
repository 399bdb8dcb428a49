#include "workspace/file/items.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chorus::workspace {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// What an organization has when one of its items is checked (as WorkspaceEditor::Context).
Definition Context() {
  Definition d;
  d.slug = "acme";
  d.name = "Acme Tenants";
  d.default_language = "en";
  d.texts["en"];
  ChannelDefinition sms;
  sms.slug = "acme-sms";
  sms.country = "US";
  d.channels = {sms};
  KeywordDefinition join;
  join.word = "join";
  join.display_word = "JOIN";
  join.reply = "Welcome";
  d.keywords = {join};
  d.chapters = {{"us", "United States", "", {}, "US", ""},
                {"ny", "New York", "us", {"1"}, "US", ""},
                {"nyc", "New York City", "ny", {"100"}, "US", ""}};
  FlowDefinition welcome;
  welcome.flow.slug = "welcome";
  d.flows = {welcome};
  EventDefinition rally;
  rally.slug = "rally";
  rally.checkin_code = "4821";
  d.events = {rally};
  d.webhook_secrets["crm"] = "";
  return d;
}

// The field an error names: what the API returns as `field`.
std::string FieldOf(const Error& e) { return e.message.substr(0, e.message.find(": ")); }

TEST(KeywordItem, IsTheFileObjectCheckedByTheFileRules) {
  auto ok = ParseKeywordItem(R"({"word": "Rent Pune", "flow": "welcome", "chapter": "nyc"})",
                             Context());
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->word, "rent");
  EXPECT_EQ(ok->qualifier, "pune");
  EXPECT_EQ(ok->language, "en");

  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {R"({"word": "STOP", "reply": "x"})", "word"},
      {R"({"word": "RENT"})", "reply"},
      {R"({"word": "RENT", "flow": "nope"})", "flow"},
      {R"({"word": "RENT", "reply": "x", "chapter": "atlantis"})", "chapter"},
      {R"({"word": "RENT", "reply": "x", "channels": ["a", "b"]})", "channels"},
      {R"({"word": "RENT", "reply": "x", "channels": ["elsewhere"]})", "channels[0]"},
      {R"({"word": "RENT", "reply": 3})", "reply"},
  };
  for (const Case& c : cases) {
    auto refused = ParseKeywordItem(c.json, Context());
    ASSERT_FALSE(refused.ok()) << c.json;
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument) << c.json;
    EXPECT_EQ(FieldOf(refused.error()), c.field) << refused.error().message;
  }
}

TEST(KeywordItem, AWordAnotherKeywordHasOnTheSameChannelIsAConflict) {
  auto taken = ParseKeywordItem(R"({"word": "join", "reply": "again"})", Context());
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  EXPECT_THAT(taken.error().message, StartsWith("word: "));
  // A qualified word is another keyword.
  EXPECT_TRUE(ParseKeywordItem(R"({"word": "JOIN PUNE", "reply": "Pune!"})", Context()).ok());
}

TEST(ChapterItem, ItsParentMustExistAndMustNotBeBelowIt) {
  Definition without_us = Context();
  without_us.chapters.erase(without_us.chapters.begin());  // replacing "us"
  auto cycle = ParseChapterItem(R"({"slug": "us", "name": "US", "parent": "nyc"})", without_us);
  ASSERT_FALSE(cycle.ok());
  EXPECT_EQ(FieldOf(cycle.error()), "parent");
  EXPECT_THAT(cycle.error().message, HasSubstr("below this chapter"));
  auto self = ParseChapterItem(R"({"slug": "bk", "name": "Brooklyn", "parent": "bk"})", Context());
  ASSERT_FALSE(self.ok());
  EXPECT_THAT(self.error().message, HasSubstr("the chapter itself"));
  auto orphan = ParseChapterItem(R"({"slug": "bk", "name": "Brooklyn", "parent": "kings"})", Context());
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(FieldOf(orphan.error()), "parent");
  auto twice = ParseChapterItem(R"({"slug": "ny", "name": "Again"})", Context());
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(FieldOf(twice.error()), "slug");
  auto fine = ParseChapterItem(R"({"slug": "bk", "name": "Brooklyn", "parent": "nyc"})", Context());
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  EXPECT_EQ(fine->country, "US");  // inherited from its parent
}

TEST(EventItem, ItsCodeFlowsAndChapterAreCheckedAgainstTheOrganization) {
  auto fine = ParseEventItem(R"({"slug": "march", "title": {"en": "March"},
                                 "starts_at": "2027-01-10T10:00", "chapter": "nyc",
                                 "attended_flow": "welcome"})",
                             Context());
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  auto code = ParseEventItem(R"({"slug": "march", "title": {"en": "March"},
                                 "starts_at": "2027-01-10T10:00", "checkin_code": "4821"})",
                             Context());
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(FieldOf(code.error()), "checkin_code");
  auto day = ParseEventItem(R"({"slug": "march", "title": {"en": "March"},
                                "starts_at": "2027-02-30T10:00"})",
                            Context());
  ASSERT_FALSE(day.ok());
  EXPECT_EQ(FieldOf(day.error()), "starts_at");
}

TEST(FlowItem, IsValidatedAgainstTheOrganizationsFlowsChaptersEventsAndSecrets) {
  auto fine = ParseFlowItem(R"({"slug": "more", "steps": [
      {"id": "join", "kind": "JOIN_CHAPTER", "chapter": "nyc", "next": "go"},
      {"id": "go", "kind": "ENTER_FLOW", "flow": "welcome"}]})",
                            Context());
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  EXPECT_THAT(fine->json, HasSubstr("\"slug\":\"more\""));
  auto chapter = ParseFlowItem(R"({"slug": "more", "steps": [
      {"id": "join", "kind": "JOIN_CHAPTER", "chapter": "atlantis"}]})",
                               Context());
  ASSERT_FALSE(chapter.ok());
  EXPECT_THAT(chapter.error().message, HasSubstr("atlantis"));
  auto unknown = ParseFlowItem(R"({"slug": "more", "stepz": []})", Context());
  ASSERT_FALSE(unknown.ok());
}

TEST(Settings, AreCheckedFieldByField) {
  Settings s;
  s.name = "Acme";
  s.default_language = "en";
  s.quiet_hours_start = "21:00";
  s.quiet_hours_end = "08:00";
  s.texts["en"].help = "Acme: HELP";
  EXPECT_TRUE(CheckSettings(s).ok());
  const auto field_of = [](Settings bad) {
    auto checked = CheckSettings(bad);
    return checked.ok() ? std::string("(ok)") : FieldOf(checked.error());
  };
  Settings bad = s;
  bad.quiet_hours_start = "24:00";
  EXPECT_EQ(field_of(bad), "quiet_hours.start");
  bad = s;
  bad.quiet_hours_end = "8:00";
  EXPECT_EQ(field_of(bad), "quiet_hours.end");
  bad = s;
  bad.default_language = "English";
  EXPECT_EQ(field_of(bad), "default_language");
  bad = s;
  bad.texts.clear();
  EXPECT_EQ(field_of(bad), "texts");
  bad = s;
  bad.texts["EN"].help = "x";
  EXPECT_EQ(field_of(bad), "texts[\"EN\"]");
  bad = s;
  bad.texts["en"].default_reply = std::string(1601, 'a');
  EXPECT_EQ(field_of(bad), "texts[\"en\"].default_reply");
  bad = s;
  bad.name = " ";
  EXPECT_EQ(field_of(bad), "name");
}

TEST(ItemJson, WritesTheFileObjectBack) {
  auto keyword = ParseKeywordItem(R"({"word": "RENT", "reply": "Clinic", "channels": ["acme-sms"]})",
                                  Context());
  ASSERT_TRUE(keyword.ok());
  const std::string json = KeywordJson(*keyword);
  auto again = ParseKeywordItem(json, Context());
  ASSERT_TRUE(again.ok()) << json;
  EXPECT_EQ(again->word, keyword->word);
  EXPECT_EQ(again->channels, keyword->channels);
  EXPECT_EQ(again->reply, keyword->reply);
}

}  // namespace
}  // namespace chorus::workspace
