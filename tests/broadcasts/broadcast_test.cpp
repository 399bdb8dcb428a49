#include "broadcasts/broadcast.hpp"
#include "broadcasts/broadcast_store.hpp"

#include <gtest/gtest.h>

namespace chorus::broadcasts {
namespace {

Draft Valid() {
  Draft d;
  d.name = "rally";
  d.variants = {{"en", "Rally at noon, {{first_name|friend}}."}, {"es", "Marcha al mediodía."}};
  d.channels = {"nyc"};
  return d;
}

std::string FieldOf(const Draft& d) {
  auto problem = CheckDraft(d, "en");
  return problem ? problem->field : "";
}

TEST(CheckDraft, AcceptsAWellFormedDraft) { EXPECT_EQ(CheckDraft(Valid(), "en"), std::nullopt); }

TEST(CheckDraft, NamesTheFieldAtFault) {
  Draft d = Valid();
  d.name = "";
  EXPECT_EQ(FieldOf(d), "name");
  d = Valid();
  d.variants.erase("en");
  EXPECT_EQ(FieldOf(d), "variants");  // the default language's text is the fallback
  d = Valid();
  d.variants["en"] = "Hi {{event.title}}";
  EXPECT_EQ(FieldOf(d), "variants[\"en\"]");  // no event to fill it from
  d = Valid();
  d.variants["en"] = "Hi {{nickname}}";
  EXPECT_EQ(FieldOf(d), "variants[\"en\"]");
  d = Valid();
  d.variants["EN"] = "x";
  EXPECT_EQ(FieldOf(d), "variants[\"EN\"]");
  d = Valid();
  d.variants["en"] = std::string(1601, 'a');
  EXPECT_EQ(FieldOf(d), "variants[\"en\"]");
  d = Valid();
  d.variants["en"] = std::string("a\0b", 3);
  EXPECT_EQ(FieldOf(d), "variants[\"en\"]");
  d = Valid();
  d.channels.clear();
  EXPECT_EQ(FieldOf(d), "channels");
  d = Valid();
  d.send_at = 2000;
  d.stale_after = 1000;
  EXPECT_EQ(FieldOf(d), "stale_after");
  d = Valid();
  d.reply_flow = "rsvp";
  EXPECT_EQ(FieldOf(d), "reply_window_minutes");
}

TEST(CheckAudience, NamesTheRuleAndItsPart) {
  Audience a;
  a.include.tags = {"ok", "Not Ok"};
  ASSERT_TRUE(CheckAudience(a));
  EXPECT_EQ(CheckAudience(a)->field, "audience.tags[1]");
  a = Audience{};
  a.exclude.resize(2);
  a.exclude[1].took = {{"vote", "", "", ""}};
  EXPECT_EQ(CheckAudience(a)->field, "audience.exclude[1].took[0].kind");
  a = Audience{};
  a.include.fields = {{"zip code", {}}};
  EXPECT_EQ(CheckAudience(a)->field, "audience.fields[0].name");
  a = Audience{};
  a.include.chapters = {"pune"};
  a.include.languages = {"es-MX", "hi"};
  a.include.took = {{"rsvp", "", "march-1", "yes"}};
  EXPECT_EQ(CheckAudience(a), std::nullopt);
}

TEST(ChaptersNamed, CollectsIncludeAndExcludeOnce) {
  Audience a;
  a.include.chapters = {"pune", "delhi"};
  a.exclude.push_back(AudienceRule{});
  a.exclude[0].chapters = {"pune", "goa"};
  EXPECT_EQ(ChaptersNamed(a), (std::vector<std::string>{"delhi", "goa", "pune"}));
}

TEST(VariantText, ReplacesLookAlikesOnlyWhenAsked) {
  EXPECT_EQ(VariantText("“Hi” – there", false), "“Hi” – there");
  EXPECT_EQ(VariantText("“Hi” – there", true), "\"Hi\" - there");
}

TEST(Status, NamesRoundTrip) {
  for (Status s : {Status::kAwaitingApproval, Status::kSending, Status::kPaused,
                   Status::kCancelled, Status::kDone}) {
    EXPECT_EQ(StatusFromName(StatusName(s)), s);
  }
  EXPECT_EQ(StatusFromName("sent"), std::nullopt);
}

}  // namespace
}  // namespace chorus::broadcasts

namespace chorus::broadcasts {
namespace {

VariantPreview Only(const std::string& text, bool replace = false) {
  Draft d;
  d.variants = {{"en", text}};
  d.replace_look_alikes = replace;
  auto out = PreviewTexts(d, "Acme Union");
  return out.empty() ? VariantPreview{} : out.front();
}

TEST(PreviewTexts, ExtensionCharactersCostTwoSeptets) {
  const auto v = Only(std::string(79, 'a') + "{");  // 79 + 2 = 81 septets: one segment
  EXPECT_EQ(v.encoding, TextEncoding::kGsm7);
  EXPECT_EQ(v.segments, 1);
  EXPECT_EQ(Only(std::string(159, 'a') + "€").segments, 2);  // 161 septets
}

TEST(PreviewTexts, AnEmojiMakesItUcs2AndCountsTwoUnits) {
  const auto v = Only(std::string(68, 'a') + "😀");  // 70 units: one segment
  EXPECT_EQ(v.encoding, TextEncoding::kUcs2);
  EXPECT_EQ(v.ucs2_characters, std::vector<std::string>{"😀"});
  EXPECT_EQ(v.segments, 1);
  EXPECT_EQ(Only(std::string(69, 'a') + "😀").segments, 2);
}

TEST(PreviewTexts, MixedScriptsNameEachForcingCharacterOnce) {
  const auto v = Only("Join us नमस्ते at the rally, नमस्ते");
  EXPECT_EQ(v.encoding, TextEncoding::kUcs2);
  EXPECT_EQ(v.ucs2_characters.size(), 6u);  // न म स ् त े: six code points, once each
}

TEST(PreviewTexts, MergeFieldsAreSizedAtTheirFallbackAndOrgNameFilled) {
  const auto v = Only("Hi {{first_name|friend}}, {{org.name}} here");
  EXPECT_TRUE(v.merge_fields);
  EXPECT_EQ(v.characters, static_cast<int>(std::string("Hi friend, Acme Union here").size()));
}

TEST(PreviewTexts, ReplacingLookAlikesShowsTheSaving) {
  const std::string text = "It’s on — " + std::string(60, 'a');  // UCS-2: 70 units -> 1; make 2
  const auto as_written = Only(text + std::string(10, 'b'));
  const auto replaced = Only(text + std::string(10, 'b'), true);
  EXPECT_EQ(as_written.encoding, TextEncoding::kUcs2);
  EXPECT_EQ(as_written.segments, 2);
  EXPECT_EQ(replaced.encoding, TextEncoding::kGsm7);
  EXPECT_EQ(replaced.segments, 1);
  EXPECT_EQ(replaced.look_alikes_replaced, 2);
  EXPECT_EQ(replaced.segments_without_replacement, 2);
}

}  // namespace
}  // namespace chorus::broadcasts
