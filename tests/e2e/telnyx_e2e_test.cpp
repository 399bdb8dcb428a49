// The core loop over Telnyx, carrier two, through the real binary: the same JOIN / HELP / STOP
// / retried webhook / bad signature scenarios as over Twilio, against a fake Telnyx that signs
// with its own Ed25519 key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e/e2e_fixture.hpp"

namespace chorus::e2e {
namespace {

using ::testing::ElementsAre;

constexpr const char* kStatusOf = "SELECT status FROM outbound_messages WHERE recipient = $1";

TEST_F(ChorusE2eTest, TelnyxJoinGetsTheWelcomeOverTelnyxAndItIsDelivered) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(80);
  const std::string id = TelnyxText(member, "JOIN");
  ASSERT_TRUE(WaitProcessed({id}));
  ASSERT_TRUE(Eventually([&] { return TelnyxBodiesTo(member).size() == 1; }));
  EXPECT_THAT(TelnyxBodiesTo(member), ElementsAre(ws::kWelcome));
  EXPECT_TRUE(BodiesTo(member).empty()) << "the reply went out on the other carrier";
  // The fake's message.sent and message.finalized events, signed, move it to delivered.
  EXPECT_TRUE(Eventually([&] { return Value(kStatusOf, member) == "delivered"; }))
      << Value(kStatusOf, member).value_or("(none)");
  EXPECT_EQ(Value("SELECT carrier_message_id FROM outbound_messages WHERE recipient = $1", member),
            fake_telnyx_->MessagesTo(member).at(0).sid);
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_events d JOIN channels c ON c.id = d.channel_id "
                  "WHERE c.slug = $1",
                  ws::kTelnyxChannel),
            2);
}

TEST_F(ChorusE2eTest, TelnyxHelpIsAnsweredAndStopGetsOneConfirmationThenNothing) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(81);
  ASSERT_TRUE(WaitProcessed({TelnyxText(member, "JOIN")}));
  ASSERT_TRUE(WaitProcessed({TelnyxText(member, "HELP")}));
  ASSERT_TRUE(WaitProcessed({TelnyxText(member, "STOP")}));
  ASSERT_TRUE(WaitProcessed({TelnyxText(member, "EVENTS")}));
  ASSERT_TRUE(Eventually([&] { return OutboxSettledFor(member); }));
  const std::vector<std::string> bodies = TelnyxBodiesTo(member);
  ASSERT_FALSE(bodies.empty());
  EXPECT_EQ(bodies.back(), ws::kOptOut);
  EXPECT_EQ(std::count(bodies.begin(), bodies.end(), std::string(ws::kOptOut)), 1);
  EXPECT_EQ(std::count(bodies.begin(), bodies.end(), std::string(ws::kEvents)), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs o JOIN channels c ON c.id = o.channel_id "
                  "WHERE c.slug = $1",
                  ws::kTelnyxChannel),
            1);
}

TEST_F(ChorusE2eTest, TelnyxRetriedWebhookIsStoredOnceAndAnsweredOnce) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(82);
  const transport::HttpRequestSpec request =
      TelnyxInboundRequest(server(), "5f0c3e4a-1111-4222-8333-944455556666", member, "JOIN");
  for (int attempt = 0; attempt < 3; ++attempt) {
    EXPECT_EQ(http_.Send(request).status, 200) << "attempt " << attempt;
  }
  ASSERT_TRUE(WaitProcessed({"5f0c3e4a-1111-4222-8333-944455556666"}));
  ASSERT_TRUE(Eventually([&] { return OutboxSettledFor(member); }));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages WHERE sender = $1", member), 1);
  EXPECT_THAT(TelnyxBodiesTo(member), ElementsAre(ws::kWelcome));
}

TEST_F(ChorusE2eTest, TelnyxBadSignatureStaleTimestampAndUnknownChannelAreRefusedAlike) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(83);

  transport::HttpRequestSpec forged = TelnyxInboundRequest(server(), "id-forged", member, "JOIN");
  forged.body.replace(forged.body.find("JOIN"), 4, "STOP");  // signed over other bytes
  const std::int64_t an_hour_ago = std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count() -
                                   3600;
  transport::HttpRequestSpec stale =
      TelnyxInboundRequest(server(), "id-stale", member, "JOIN", an_hour_ago);
  transport::HttpRequestSpec unknown = TelnyxInboundRequest(server(), "id-unknown", member, "JOIN");
  unknown.url = server().base_url + "/webhooks/telnyx/no-such-channel/inbound";
  transport::HttpRequestSpec unsigned_request = forged;
  unsigned_request.headers.erase(
      std::remove_if(unsigned_request.headers.begin(), unsigned_request.headers.end(),
                     [](const auto& h) { return h.first == "telnyx-signature-ed25519"; }),
      unsigned_request.headers.end());

  std::string first_body;
  for (auto* request : {&forged, &stale, &unknown, &unsigned_request}) {
    request->headers.emplace_back("X-Request-Id", "one-id");
    transport::HttpResponseSpec answer = http_.Send(*request);
    EXPECT_EQ(answer.status, 403) << answer.body;
    if (first_body.empty()) first_body = answer.body;
    EXPECT_EQ(answer.body, first_body);
  }
  // Sync point: a genuine message after them is stored, they are not.
  ASSERT_TRUE(WaitProcessed({TelnyxText(Member(84), "JOIN")}));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 1);
}

TEST_F(ChorusE2eTest, TelnyxCarrierOptOutIsRecordedAndNothingMoreIsTried) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(85);
  fake_telnyx_->FailNext(member, 409, "40300");
  ASSERT_TRUE(WaitProcessed({TelnyxText(member, "JOIN")}));
  ASSERT_TRUE(Eventually([&] { return Value(kStatusOf, member) == "failed"; }));
  EXPECT_EQ(Value("SELECT error_code FROM outbound_messages WHERE recipient = $1", member), "40300");
  EXPECT_EQ(Count("SELECT count(*) FROM consent_events WHERE source = 'carrier'"), 1);
}

}  // namespace
}  // namespace chorus::e2e
