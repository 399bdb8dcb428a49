// The product brief's scenarios 1 and 3: JOIN, STOP, HELP and START through the real binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e/e2e_fixture.hpp"

namespace chorus::e2e {
namespace {

using ::testing::ElementsAre;

TEST_F(ChorusE2eTest, JoinGetsTheWelcomeAndIsRecordedAsConsent) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(1);

  const std::string sid = Text(member, "JOIN");

  ASSERT_TRUE(WaitForTexts(member, 1)) << "no welcome reached the carrier";
  // The fake's callbacks (sent, then delivered) move the message to its final status.
  ASSERT_TRUE(Eventually([&] {
    return Value("SELECT status FROM outbound_messages WHERE recipient = $1", member) ==
           "delivered";
  })) << "status stayed "
      << Value("SELECT status FROM outbound_messages WHERE recipient = $1", member)
             .value_or("(none)");
  const auto texts = AcceptedTo(member);
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(texts[0].body, ws::kWelcome);
  EXPECT_EQ(texts[0].from, ws::kSender);
  EXPECT_EQ(texts[0].status_callback,
            server().base_url + "/webhooks/twilio/" + ws::kChannel + "/status");
  EXPECT_EQ(OutboundCountTo(member), 1);
  EXPECT_EQ(Value("SELECT carrier_message_id FROM outbound_messages WHERE recipient = $1", member),
            texts[0].sid);
  EXPECT_EQ(ProcessedOutcome(sid), "keyword");

  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE phone_e164 = $1 AND joined_at IS NOT NULL",
                  member),
            1);
  const pqxx::result consent = Query(
      "SELECT c.kind, c.scope, c.source, c.keyword, c.inbound_message_id = i.id, "
      "       c.channel_id = i.channel_id "
      "  FROM consent_events c "
      "  JOIN members m ON m.organization_id = c.organization_id AND m.id = c.member_id "
      "  JOIN inbound_messages i ON i.carrier_message_id = $2 "
      " WHERE m.phone_e164 = $1",
      member, sid);
  ASSERT_EQ(consent.size(), 1u);
  EXPECT_EQ(consent[0][0].as<std::string>(), "opt_in");
  EXPECT_EQ(consent[0][1].as<std::string>(), "channel");
  EXPECT_EQ(consent[0][2].as<std::string>(), "keyword");
  EXPECT_EQ(consent[0][3].as<std::string>(), "join");
  EXPECT_TRUE(consent[0][4].as<bool>()) << "the consent event must name the inbound message";
  EXPECT_TRUE(consent[0][5].as<bool>()) << "the consent event must name the channel";
}

TEST_F(ChorusE2eTest, StopGetsOneConfirmationAndNothingAfter) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(2);
  Text(member, "JOIN");
  ASSERT_TRUE(WaitForTexts(member, 1)) << "no welcome";

  const std::string stop = Text(member, "STOP");
  ASSERT_TRUE(WaitForTexts(member, 2)) << "no opt-out confirmation";
  const std::string events = Text(member, "EVENTS");
  const std::string hello = Text(member, "hello");
  ASSERT_TRUE(WaitProcessed({events, hello}));
  EXPECT_EQ(ProcessedOutcome(stop), "opt_out");
  EXPECT_EQ(ProcessedOutcome(events), "suppressed");
  EXPECT_EQ(ProcessedOutcome(hello), "suppressed");

  const std::string again = Text(member, "STOP");
  ASSERT_TRUE(WaitProcessed({again}));
  EXPECT_EQ(ProcessedOutcome(again), "already_opted_out");

  // Sync point: every message planned for the member has reached the carrier or ended, so
  // nothing can still be on its way. Exactly the welcome and one confirmation were sent.
  ASSERT_TRUE(Eventually([&] { return OutboxSettledFor(member); }));
  EXPECT_EQ(OutboundCountTo(member), 2);
  EXPECT_THAT(BodiesTo(member), ElementsAre(ws::kWelcome, ws::kOptOut));
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs o JOIN members m "
                  "ON m.organization_id = o.organization_id AND m.id = o.member_id "
                  "WHERE m.phone_e164 = $1",
                  member),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM consent_events c JOIN members m "
                  "ON m.organization_id = c.organization_id AND m.id = c.member_id "
                  "WHERE m.phone_e164 = $1 AND c.kind = 'opt_out' AND c.source = 'keyword' "
                  "AND c.keyword = 'stop'",
                  member),
            2)
      << "both STOPs are recorded as what the member said";
}

TEST_F(ChorusE2eTest, StopInAnySpellingOrLanguageOptsOutWithOneConfirmation) {
  ASSERT_NE(StartServer(), nullptr);
  struct Case {
    const char* text;
    const char* confirmation;  // in the language of the word when the organization has it
  };
  const std::vector<Case> cases = {
      {"stop", ws::kOptOut},       {" Stop. ", ws::kOptOut},  {"UNSUBSCRIBE", ws::kOptOut},
      {"ARRÊT", ws::kOptOut},      {"बंद", ws::kOptOut},     {"Alto", ws::kOptOutEs},
  };
  std::vector<std::string> sids;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    // Numbers that never texted before: their opt-out counts (and is confirmed) all the same.
    sids.push_back(Text(Member(60 + static_cast<int>(i)), cases[i].text));
  }
  ASSERT_TRUE(WaitProcessed(sids));
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string member = Member(60 + static_cast<int>(i));
    EXPECT_EQ(ProcessedOutcome(sids[i]), "opt_out") << cases[i].text;
    ASSERT_TRUE(WaitForTexts(member, 1)) << "no confirmation for \"" << cases[i].text << "\"";
    ASSERT_TRUE(Eventually([&] { return OutboxSettledFor(member); }));
    EXPECT_EQ(BodiesTo(member), std::vector<std::string>{cases[i].confirmation})
        << cases[i].text;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs"), static_cast<std::int64_t>(cases.size()));
}

TEST_F(ChorusE2eTest, HelpAnswersAnOptedOutMember) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(3);
  Text(member, "JOIN");
  ASSERT_TRUE(WaitForTexts(member, 1)) << "no welcome";
  Text(member, "STOP");
  ASSERT_TRUE(WaitForTexts(member, 2)) << "no opt-out confirmation";

  const std::string help = Text(member, "HELP");

  ASSERT_TRUE(WaitForTexts(member, 3)) << "HELP was not answered";
  EXPECT_THAT(BodiesTo(member), ElementsAre(ws::kWelcome, ws::kOptOut, ws::kHelp));
  EXPECT_EQ(ProcessedOutcome(help), "help");
}

TEST_F(ChorusE2eTest, AltoOptsOutInSpanishAndStartSubscribesAgain) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(4);
  Text(member, "JOIN");
  ASSERT_TRUE(WaitForTexts(member, 1)) << "no welcome";

  Text(member, "ALTO");
  ASSERT_TRUE(WaitForTexts(member, 2)) << "no opt-out confirmation";
  EXPECT_EQ(AcceptedTo(member).at(1).body, ws::kOptOutEs);
  EXPECT_EQ(Value("SELECT language FROM members WHERE phone_e164 = $1", member), "es");

  // START is English, which says nothing about the member's language: still answered in
  // Spanish (README, Decisions: Language).
  const std::string start = Text(member, "START");
  ASSERT_TRUE(WaitForTexts(member, 3)) << "no opt-in confirmation";
  EXPECT_EQ(AcceptedTo(member).at(2).body, ws::kOptInEs);
  EXPECT_EQ(ProcessedOutcome(start), "opt_in");
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs o JOIN members m "
                  "ON m.organization_id = o.organization_id AND m.id = o.member_id "
                  "WHERE m.phone_e164 = $1",
                  member),
            0);

  // Subscribed again: an ordinary keyword is answered.
  Text(member, "EVENTS");
  ASSERT_TRUE(WaitForTexts(member, 4)) << "a re-subscribed member got no answer to EVENTS";
  EXPECT_EQ(AcceptedTo(member).at(3).body, ws::kEvents);
}

}  // namespace
}  // namespace chorus::e2e
