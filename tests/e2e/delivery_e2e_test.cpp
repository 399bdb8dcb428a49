// Towards the carrier (README, Guarantees: Outbound and Carrier errors): delivery callbacks,
// Twilio's error codes, retries.
#include <gtest/gtest.h>

#include <future>

#include "e2e/e2e_fixture.hpp"

namespace chorus::e2e {
namespace {

constexpr const char* kStatusOf = "SELECT status FROM outbound_messages WHERE recipient = $1";

TEST_F(ChorusE2eTest, DeliveryCallbacksOnlyMoveAMessageForward) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string delivered = Member(20);
  const std::string unreachable = Member(21);
  const std::string early = Member(25);
  fake_->SetCallbackStatuses(delivered, {"delivered"});
  fake_->SetCallbackStatuses(unreachable, {"sent", "undelivered"}, "30003");
  // The callbacks beat Twilio's own API answer: the report is stored before the message has
  // a carrier id, and applied when the send's result is recorded.
  fake_->SetCallbackStatuses(early, {"sent", "undelivered"}, "30005", /*before_answer=*/true);

  Text(delivered, "JOIN");
  Text(unreachable, "JOIN");
  Text(early, "JOIN");

  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, delivered) == "delivered"; }))
      << "status " << Value(kStatusOf, delivered).value_or("(none)");
  const std::string sid = AcceptedTo(delivered).at(0).sid;
  // A late "sent" (Twilio does not promise order): stored, answered, and ignored for the status.
  EXPECT_EQ(PostStatus(server(), sid, delivered, "sent").status, 200);
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_events WHERE carrier_message_id = $1 "
                  "AND raw_status = 'sent'",
                  sid),
            1)
      << "the 200 comes after the commit, so the callback must be stored by now";
  EXPECT_EQ(Value(kStatusOf, delivered), "delivered");
  // Retried by the carrier: still one row, still delivered.
  EXPECT_EQ(PostStatus(server(), sid, delivered, "sent").status, 200);
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_events WHERE carrier_message_id = $1", sid), 2);
  EXPECT_EQ(Value(kStatusOf, delivered), "delivered");

  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, unreachable) == "undelivered"; }))
      << "status " << Value(kStatusOf, unreachable).value_or("(none)");
  EXPECT_EQ(Value("SELECT error_code FROM outbound_messages WHERE recipient = $1", unreachable),
            "30003");
  EXPECT_EQ(Value("SELECT error_code FROM delivery_events WHERE carrier_message_id = $1 "
                  "AND raw_status = 'undelivered'",
                  AcceptedTo(unreachable).at(0).sid),
            "30003");

  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, early) == "undelivered"; }))
      << "status " << Value(kStatusOf, early).value_or("(none)");
  EXPECT_EQ(Value("SELECT carrier_message_id FROM outbound_messages WHERE recipient = $1", early),
            AcceptedTo(early).at(0).sid);
  EXPECT_EQ(Value("SELECT error_code FROM outbound_messages WHERE recipient = $1", early), "30005")
      << "the error code of a report that arrived before the send was recorded is lost";
}

TEST_F(ChorusE2eTest, DeliveryReportRacingTheSendResultIsApplied) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(26);
  fake_->SetCallbackStatuses(member, {});  // this test posts the report itself
  fake_->HoldNext(member);
  Text(member, "JOIN");
  ASSERT_TRUE(Eventually([&] { return fake_->HeldCount() == 1; })) << "the send never came";

  // Make the recording of Twilio's answer wait on the message's row, after it has started...
  pqxx::connection connection(database_url_);
  auto row_lock = std::make_unique<pqxx::work>(connection);
  row_lock->exec_params("SELECT id FROM outbound_messages WHERE recipient = $1 FOR UPDATE",
                        member);
  fake_->ReleaseHeld();
  ASSERT_TRUE(WaitForTexts(member, 1));
  ASSERT_TRUE(Eventually([&] {
    return Count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND wait_event_type = 'Lock' AND query LIKE '%SET carrier_message_id%'") > 0;
  })) << "the send's result never reached the database";
  // ...and let Twilio's report arrive in the meantime (callbacks often beat the result). The
  // report may be stored at once, or wait for the recording (a fix may serialise the two).
  const std::string sid = AcceptedTo(member).at(0).sid;
  auto report = http_.SendAsync(StatusRequest(server(), sid, member, "delivered"));
  ASSERT_TRUE(Eventually([&] {
    return report.wait_for(0s) == std::future_status::ready ||
           Count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND wait_event_type = 'Lock'") >= 2;
  })) << "the report was neither stored nor waiting";
  row_lock->commit();
  EXPECT_EQ(report.get().status, 200);

  EXPECT_TRUE(Eventually([&] { return Value(kStatusOf, member) == "delivered"; }, 5s))
      << "a delivery report stored while the send's result was being recorded was not applied; "
         "the message stays '"
      << Value(kStatusOf, member).value_or("(none)")
      << "' (the report and the recording must serialise on the carrier id)";
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_events WHERE carrier_message_id = $1", sid), 1);
}

TEST_F(ChorusE2eTest, CarrierOptOutFailsTheMessageAndOptsTheMemberOut) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(22);
  fake_->FailNext(member, 400, 21610);

  Text(member, "JOIN");

  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, member) == "failed"; }))
      << "status " << Value(kStatusOf, member).value_or("(none)");
  EXPECT_EQ(Value("SELECT error_code FROM outbound_messages WHERE recipient = $1", member),
            "21610");
  EXPECT_EQ(Count("SELECT count(*) FROM consent_events c JOIN members m "
                  "ON m.organization_id = c.organization_id AND m.id = c.member_id "
                  "WHERE m.phone_e164 = $1 AND c.kind = 'opt_out' AND c.source = 'carrier'",
                  member),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs o JOIN members m "
                  "ON m.organization_id = o.organization_id AND m.id = o.member_id "
                  "WHERE m.phone_e164 = $1",
                  member),
            1);

  // From now on the member is treated as opted out: their texts are kept, not answered.
  const std::string events = Text(member, "EVENTS");
  ASSERT_TRUE(WaitProcessed({events}));
  EXPECT_EQ(ProcessedOutcome(events), "suppressed");
  ASSERT_TRUE(Eventually([&] { return OutboxSettledFor(member); }));
  EXPECT_EQ(OutboundCountTo(member), 1);
  EXPECT_TRUE(AcceptedTo(member).empty());
}

TEST_F(ChorusE2eTest, InvalidNumberFailsWithoutRetry) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(23);
  fake_->FailNext(member, 400, 21211);

  Text(member, "JOIN");

  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, member) == "failed"; }))
      << "status " << Value(kStatusOf, member).value_or("(none)");
  EXPECT_EQ(Value("SELECT attempts::text FROM outbound_messages WHERE recipient = $1", member),
            "1");
  EXPECT_EQ(Value("SELECT error_code FROM outbound_messages WHERE recipient = $1", member),
            "21211");
  const auto requests = fake_->MessagesTo(member);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].http_status, 400);
  // Not an opt-out: nothing recorded as consent by the carrier.
  EXPECT_EQ(Count("SELECT count(*) FROM consent_events WHERE source = 'carrier'"), 0);
}

TEST_F(ChorusE2eTest, ServerErrorIsRetriedUntilDelivered) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(24);
  fake_->FailNext(member, 500, 0, 1);

  Text(member, "JOIN");

  // The retry waits for the backoff (2 s base, less jitter).
  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, member) == "delivered"; }, 20s))
      << "status " << Value(kStatusOf, member).value_or("(none)");
  EXPECT_EQ(Value("SELECT attempts::text FROM outbound_messages WHERE recipient = $1", member),
            "2");
  const auto requests = fake_->MessagesTo(member);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].http_status, 500);
  EXPECT_EQ(requests[1].http_status, 201);
  EXPECT_EQ(requests[1].body, ws::kWelcome);
}

}  // namespace
}  // namespace chorus::e2e
