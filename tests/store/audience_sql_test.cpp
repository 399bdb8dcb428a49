#include "store/pg/audience_sql.hpp"

#include <gtest/gtest.h>

namespace chorus::store::pg {
namespace {

bool Has(const std::string& sql, const std::string& part) {
  return sql.find(part) != std::string::npos;
}

BroadcastSqlInput Input(const broadcasts::Audience& audience) {
  BroadcastSqlInput in;
  in.organization = 42;
  in.audience = &audience;
  in.variants = {{"en", "Hi {{first_name|friend}}"}, {"es", "Hola"}, {"es-MX", "Qué onda"}};
  in.default_language = "en";
  in.organization_name = "O'Brien's Union";
  in.organization_zone = "America/New_York";
  in.pool = {5, 9};
  return in;
}

TEST(SqlLiteral, DoublesQuotesAndNothingElse) {
  EXPECT_EQ(SqlLiteral("it's"), "'it''s'");
  EXPECT_EQ(SqlLiteral("a\\b"), "'a\\b'");
  EXPECT_EQ(SqlLiteral("'; DROP TABLE members; --"), "'''; DROP TABLE members; --'");
}

TEST(CompileBroadcast, EveryRulePartBecomesAPredicateOverTheMember) {
  broadcasts::Audience a;
  a.include.chapters = {"pune"};
  a.include.tags = {"volunteer"};
  a.include.fields = {{"city", {"Pune", "Mumbai"}}};
  a.include.took = {{"rsvp", "", "march", "yes"}};
  a.exclude.push_back({});
  a.exclude[0].languages = {"hi"};
  const BroadcastSql sql = CompileBroadcast(Input(a));
  EXPECT_TRUE(Has(sql.audience, "m.organization_id = 42 AND m.joined_at IS NOT NULL AND m.erased_at IS NULL"));
  EXPECT_TRUE(Has(sql.audience, "chorus_chapter_subtree(42, ARRAY['pune']::text[])"));
  EXPECT_TRUE(Has(sql.audience, "m.tags @> ARRAY['volunteer']::text[]"));
  EXPECT_TRUE(Has(sql.audience, "(m.fields ->> 'city') = ANY (ARRAY['Pune','Mumbai']::text[])"));
  EXPECT_TRUE(Has(sql.audience, "a.kind = 'rsvp' AND a.value = 'yes' AND a.event_id = (SELECT e.id FROM events e WHERE e.organization_id = 42 AND e.slug = 'march')"));
  EXPECT_TRUE(Has(sql.audience, "AND NOT (coalesce(m.language, 'en') = ANY (ARRAY['hi']::text[]))"));
  EXPECT_TRUE(Has(sql.opted_out, "x.channel_id = ANY ('{5,9}'::bigint[])"));
}

TEST(CompileBroadcast, AnEmptyAudienceIsEveryJoinedMemberAndALeaderIsCutToTheirChapters) {
  broadcasts::Audience a;
  BroadcastSqlInput in = Input(a);
  EXPECT_TRUE(Has(CompileBroadcast(in).audience, "AND true"));
  in.chapter_scope = {3, 4};
  EXPECT_TRUE(Has(CompileBroadcast(in).audience, "mc.chapter_id IN (SELECT unnest('{3,4}'::bigint[]))"));
}

TEST(CompileBroadcast, ARegionalVariantWinsOverItsLanguageAndTheDefaultCatchesTheRest) {
  broadcasts::Audience a;
  const BroadcastSql sql = CompileBroadcast(Input(a));
  const auto regional = sql.language.find("= 'es-MX' THEN 'es-MX'");
  const auto primary = sql.language.find("split_part(coalesce(m.language, 'en'), '-', 1) = 'es' THEN 'es'");
  ASSERT_NE(regional, std::string::npos) << sql.language;
  ASSERT_NE(primary, std::string::npos) << sql.language;
  EXPECT_LT(regional, primary);
  EXPECT_TRUE(Has(sql.language, "ELSE 'en' END"));
}

TEST(CompileBroadcast, MergeFieldsAreFilledPerMemberAndFixedTextsAreCountedHere) {
  broadcasts::Audience a;
  BroadcastSqlInput in = Input(a);
  in.variants["fr"] = "Bonjour de {{org.name}}";
  const BroadcastSql sql = CompileBroadcast(in);
  EXPECT_TRUE(Has(sql.body, "'Hi ' || coalesce(nullif((m.fields ->> 'first_name'), ''), 'friend')"));
  EXPECT_TRUE(Has(sql.body, "'Bonjour de ' || coalesce(nullif('O''Brien''s Union', ''), '')"));
  EXPECT_TRUE(Has(sql.segments, "WHEN 'en' THEN chorus_segments(p.body)"));  // varies per member
  EXPECT_TRUE(Has(sql.segments, "WHEN 'es-MX' THEN 1"));
  EXPECT_TRUE(Has(sql.encoding, "WHEN 'es-MX' THEN 'gsm7'"));  // é is in GSM-7
}

TEST(CompileBroadcast, TheSenderIsTheLastChannelOfThePoolElseAFixedOne) {
  broadcasts::Audience a;
  const BroadcastSql sql = CompileBroadcast(Input(a));
  EXPECT_TRUE(Has(sql.channel, "o.channel_id = ANY ('{5,9}'::bigint[]) ORDER BY o.created_at DESC LIMIT 1"));
  EXPECT_TRUE(Has(sql.channel, "[1 + m.id % 2]"));
}

}  // namespace
}  // namespace chorus::store::pg
