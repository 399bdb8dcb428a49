#include "api/member_query.hpp"

#include <gtest/gtest.h>

#include "api/cursor.hpp"

namespace chorus::api {
namespace {

TEST(MemberQuery, ReadsEveryFilter) {
  MemberQuery q;
  auto error = ParseMemberQuery({{"chapter", "pune"},
                                 {"tag", "volunteer"},
                                 {"language", "hi"},
                                 {"status", "opted_out"},
                                 {"field", "zip:10001"},
                                 {"limit", "100"},
                                 {"cursor", EncodeCursor(77)}},
                                q);
  ASSERT_FALSE(error.has_value()) << error->message;
  EXPECT_EQ(q.chapter, "pune");
  EXPECT_EQ(q.tag, "volunteer");
  EXPECT_EQ(q.language, "hi");
  EXPECT_EQ(q.status, MemberStatus::kOptedOut);
  EXPECT_EQ(q.field_name, "zip");
  EXPECT_EQ(q.field_value, "10001");
  EXPECT_EQ(q.limit, 100);
  EXPECT_EQ(q.after_id, 77);
}

TEST(MemberQuery, DefaultsToFiftyFromTheStart) {
  MemberQuery q;
  EXPECT_FALSE(ParseMemberQuery({}, q).has_value());
  EXPECT_EQ(q.limit, 50);
  EXPECT_EQ(q.after_id, 0);
  EXPECT_FALSE(q.chapter.has_value());
}

struct Bad {
  const char* name;
  const char* value;
};

class MemberQueryRefusal : public testing::TestWithParam<Bad> {};

TEST_P(MemberQueryRefusal, NamesTheParameter) {
  MemberQuery q;
  auto error = ParseMemberQuery({{GetParam().name, GetParam().value}}, q);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "invalid_argument");
  EXPECT_EQ(error->field, GetParam().name);
  EXPECT_FALSE(error->message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Each, MemberQueryRefusal,
    testing::Values(Bad{"limit", "0"}, Bad{"limit", "101"}, Bad{"limit", "ten"},
                    Bad{"limit", ""}, Bad{"limit", "5 "}, Bad{"status", "ACTIVE"},
                    Bad{"status", "gone"}, Bad{"field", "zip"}, Bad{"field", ":10001"},
                    Bad{"cursor", "nope"}, Bad{"tag", ""}, Bad{"chapter", ""},
                    Bad{"language", ""}, Bad{"phone", "+15551234567"}, Bad{"sort", "id"}));

}  // namespace
}  // namespace chorus::api

namespace chorus::api {
namespace {

TEST(ActionQuery, JsonPagesAreSmallAndCsvExportsLarge) {
  ActionQuery json;
  EXPECT_FALSE(ParseActionQuery({{"kind", "rsvp"}, {"event", "rally"}}, json).has_value());
  EXPECT_FALSE(json.csv);
  EXPECT_EQ(json.limit, 50);
  EXPECT_EQ(json.kind, "rsvp");
  ActionQuery csv;
  EXPECT_FALSE(ParseActionQuery({{"format", "csv"}}, csv).has_value());
  EXPECT_TRUE(csv.csv);
  EXPECT_EQ(csv.limit, kMaxExportRows);
  ActionQuery big;
  EXPECT_FALSE(ParseActionQuery({{"format", "csv"}, {"limit", "5000"}}, big).has_value());
  EXPECT_EQ(big.limit, 5000);
}

TEST(ActionQuery, RefusalsNameTheirParameter) {
  const std::map<std::string, std::string> bad[] = {
      {{"kind", "vote"}}, {{"format", "xml"}}, {{"limit", "101"}},
      {{"format", "csv"}, {"limit", "10001"}}, {{"event", ""}}, {{"member", "1"}}};
  for (const auto& params : bad) {
    ActionQuery q;
    auto error = ParseActionQuery(params, q);
    ASSERT_TRUE(error.has_value()) << params.begin()->first;
    const bool named = params.count(error->field) == 1;
    EXPECT_TRUE(named) << error->field;
  }
}

TEST(ConversationAndAuditQueries, ReadTheirFiltersAndRefuseOthers) {
  ConversationQuery c;
  EXPECT_FALSE(ParseConversationQuery({{"status", "closed"}, {"kind", "story"}}, c).has_value());
  EXPECT_EQ(c.status, "closed");
  EXPECT_EQ(c.kind, "story");
  ConversationQuery defaults;
  EXPECT_FALSE(ParseConversationQuery({}, defaults).has_value());
  EXPECT_EQ(defaults.status, "open");
  EXPECT_EQ(ParseConversationQuery({{"status", "all"}}, c)->field, "status");
  EXPECT_EQ(ParseConversationQuery({{"kind", "sms"}}, c)->field, "kind");
  AuditQuery a;
  EXPECT_FALSE(ParseAuditQuery({{"limit", "10"}, {"cursor", EncodeCursor(5)}}, a).has_value());
  EXPECT_EQ(a.after_id, 5);
  EXPECT_EQ(ParseAuditQuery({{"actor", "cli"}}, a)->field, "actor");
}

}  // namespace
}  // namespace chorus::api
