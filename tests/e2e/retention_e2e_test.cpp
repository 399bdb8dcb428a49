// Retention through the real binary (docs/RETENTION.md): the workspace's
// retention.message_body_days (30 here) reaches the background job, which erases the bodies of
// older messages in both directions and nothing else; a carrier retrying an erased message is
// still recognised as a duplicate.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e/e2e_fixture.hpp"

namespace chorus::e2e {
namespace {

using ::testing::HasSubstr;

class RetentionE2eTest : public ChorusE2eTest {
 protected:
  // Makes everything about `member` look `days` old, as if the server had run that long.
  void Age(const std::string& member, int days) {
    Query("UPDATE inbound_messages SET received_at = now() - make_interval(days => $2)"
          " WHERE sender = $1",
          member, days);
    Query("UPDATE outbound_messages SET created_at = now() - make_interval(days => $2)"
          " WHERE recipient = $1",
          member, days);
  }

  std::int64_t Erased(const std::string& member) {
    return Count("SELECT count(*) FROM inbound_messages WHERE sender = $1 AND body = ''"
                 " AND body_redacted_at IS NOT NULL",
                 member) +
           Count("SELECT count(*) FROM outbound_messages WHERE recipient = $1 AND body = ''"
                 " AND body_redacted_at IS NOT NULL",
                 member);
  }
};

TEST_F(RetentionE2eTest, BodiesOlderThanTheOrganizationsPeriodAreErasedAndRetriesStayDeduplicated) {
  ChorusServer* s = StartServer({{"CHORUS_RETENTION_INTERVAL_SECONDS", "1"}});
  ASSERT_NE(s, nullptr);
  const std::string old_member = Member(95), recent_member = Member(96);
  // One after the other, so ids follow time as they do in real traffic: the job walks by id and
  // stops at the first message younger than the period (two processing workers could otherwise
  // write the recent welcome first).
  const std::string old_sid = Text(old_member, "JOIN");
  ASSERT_TRUE(WaitProcessed({old_sid}));
  const std::string recent_sid = Text(recent_member, "JOIN");
  ASSERT_TRUE(WaitProcessed({recent_sid}));
  ASSERT_TRUE(Eventually([&] { return OutboxSettledFor(old_member) && OutboxSettledFor(recent_member); }));
  Age(old_member, 31);
  Age(recent_member, 29);

  ASSERT_TRUE(Eventually([&] { return Erased(old_member) == 2; }))
      << "the JOIN and its welcome, 31 days old, keep their bodies";
  EXPECT_EQ(Erased(recent_member), 0);
  EXPECT_EQ(Value("SELECT body FROM outbound_messages WHERE recipient = $1", recent_member),
            ws::kWelcome);
  // Who, when, what happened and consent stay.
  EXPECT_EQ(Value("SELECT outcome FROM inbound_messages WHERE carrier_message_id = $1", old_sid),
            "keyword");
  EXPECT_EQ(Count("SELECT count(*) FROM consent_events e JOIN members m ON m.id = e.member_id"
                  " WHERE m.phone_e164 = $1 AND e.kind = 'opt_in'",
                  old_member),
            1);
  EXPECT_EQ(Value("SELECT status FROM outbound_messages WHERE recipient = $1", old_member),
            "delivered");

  // Twilio retries the erased JOIN: acknowledged, stored once, not answered again.
  EXPECT_EQ(PostInbound(*s, old_sid, old_member, "JOIN").status, 200);
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages WHERE sender = $1", old_member), 1);
  EXPECT_EQ(OutboundCountTo(old_member), 1);
  EXPECT_EQ(BodiesTo(old_member).size(), 1u);

  const std::string metrics = http_.Get(s->admin_url + "/metrics").body;
  EXPECT_THAT(metrics, HasSubstr("chorus_retention_redacted_total{direction=\"inbound\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("chorus_retention_redacted_total{direction=\"outbound\"} 1"));
}

}  // namespace
}  // namespace chorus::e2e
