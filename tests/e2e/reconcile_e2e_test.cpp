// Stats converge (docs/CARRIERS.md, Reconciliation): a message whose delivery callbacks never
// came is settled by asking its carrier once the window has passed, through the real binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e/e2e_fixture.hpp"

namespace chorus::e2e {
namespace {

using ::testing::HasSubstr;

constexpr const char* kStatusOf = "SELECT status FROM outbound_messages WHERE recipient = $1";
// The window, short: a message is asked about a second after it was sent.
const Env kShortWindow = {{"CHORUS_RECONCILE_AFTER_SECONDS", "1"}};

TEST_F(ChorusE2eTest, AMessageWhoseTwilioCallbacksWereLostIsSettledByAskingTwilio) {
  ChorusServer* s = StartServer(kShortWindow);
  ASSERT_NE(s, nullptr);
  const std::string member = Member(90);
  fake_->SetCallbackStatuses(member, {});  // Twilio's callbacks never reach us

  Text(member, "JOIN");
  ASSERT_TRUE(WaitForTexts(member, 1));
  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, member) == "accepted"; }))
      << Value(kStatusOf, member).value_or("(none)");
  const std::string sid = AcceptedTo(member).at(0).sid;
  fake_->SetStatus(sid, "delivered");  // Twilio knows what it could not tell us

  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, member) == "delivered"; }))
      << "still " << Value(kStatusOf, member).value_or("(none)") << " after "
      << fake_->StatusQueryCount() << " status queries";
  EXPECT_GE(fake_->StatusQueryCount(), 1u);
  // Recorded the way a callback is: one delivery event for the status Twilio reported.
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_events WHERE carrier_message_id = $1"
                  " AND raw_status = 'delivered' AND status = 'delivered'",
                  sid),
            1);
  EXPECT_GE(Count("SELECT reconcile_attempts FROM outbound_messages WHERE recipient = $1", member),
            1);
  EXPECT_TRUE(Eventually([&] {
    return http_.Get(s->admin_url + "/metrics")
               .body.find(
                   R"(chorus_reconciliations_total{carrier="twilio",result="delivered"} 1)") !=
           std::string::npos;
  }));
  const std::string metrics = http_.Get(s->admin_url + "/metrics").body;
  EXPECT_THAT(metrics,
              HasSubstr(R"(chorus_reconciliations_total{carrier="telnyx",result="not_found"} 0)"))
      << "every series exists from the start";
  EXPECT_THAT(metrics, ::testing::Not(HasSubstr(member)));
}

TEST_F(ChorusE2eTest, AFailureTwilioNeverCalledBackIsRecordedWithItsErrorCode) {
  ASSERT_NE(StartServer(kShortWindow), nullptr);
  const std::string member = Member(91);
  fake_->SetCallbackStatuses(member, {});
  Text(member, "JOIN");
  ASSERT_TRUE(WaitForTexts(member, 1));
  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, member) == "accepted"; }));
  fake_->SetStatus(AcceptedTo(member).at(0).sid, "undelivered", "30005");

  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, member) == "undelivered"; }))
      << "still " << Value(kStatusOf, member).value_or("(none)");
  EXPECT_EQ(Value("SELECT error_code FROM outbound_messages WHERE recipient = $1", member),
            "30005");
}

TEST_F(ChorusE2eTest, ATelnyxMessageWhoseEventsWereLostIsSettledByAskingTelnyx) {
  ASSERT_NE(StartServer(kShortWindow), nullptr);
  const std::string member = Member(92);
  fake_telnyx_->SetCallbackStatuses(member, {});  // Telnyx's events never reach us

  ASSERT_TRUE(WaitProcessed({TelnyxText(member, "JOIN")}));
  ASSERT_TRUE(Eventually([&] { return TelnyxBodiesTo(member).size() == 1; }));
  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, member) == "accepted"; }))
      << Value(kStatusOf, member).value_or("(none)");
  const std::string id = fake_telnyx_->MessagesTo(member).at(0).sid;
  fake_telnyx_->SetStatus(id, "delivered");

  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, member) == "delivered"; }))
      << "still " << Value(kStatusOf, member).value_or("(none)") << " after "
      << fake_telnyx_->StatusQueryCount() << " status queries";
  EXPECT_GE(fake_telnyx_->StatusQueryCount(), 1u);
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_events WHERE carrier_message_id = $1"
                  " AND raw_status = 'delivered'",
                  id),
            1);
}

}  // namespace
}  // namespace chorus::e2e
