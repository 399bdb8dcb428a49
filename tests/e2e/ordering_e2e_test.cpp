// Issue 5, section 4: a member hears things in the order they happened, and nothing after the
// opt-out confirmation, on any number of nodes, with a carrier slow enough (200 ms an answer)
// that sends are in flight while the member's next message is processed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <thread>

#include "e2e/e2e_fixture.hpp"

namespace chorus::e2e {
namespace {

using namespace std::chrono_literals;

class ChorusOrderingE2eTest : public ChorusE2eTest {
 protected:
  void ConfigureFakeTwilio(fakes::FakeTwilioOptions& options) override {
    options.answer_delay = 200ms;
    options.io_threads = 4;
  }

  // Short leases, so a killed node's sends come back within the test.
  Env NodeEnv(const std::string& name) const {
    return {{"CHORUS_NODE_ID", name},
            {"CHORUS_CARRIER_TIMEOUT_MS", "2000"},
            {"CHORUS_LEASE_SECONDS", "5"}};
  }

  // What the fake accepted for `member`, in arrival order, and what our outbox says about each
  // of those: every message the carrier took must be a row with its id (none lost to
  // 'cancelled', none sent twice).
  void ExpectEveryAcceptedSendIsRecordedOnce(const std::string& member) {
    for (const auto& m : AcceptedTo(member)) {
      EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE carrier_message_id = $1",
                      m.sid),
                1)
          << member << ": the carrier took \"" << m.body << "\" and the outbox does not say so";
    }
  }

  bool AllSettled(const std::vector<std::string>& members) const {
    for (const auto& m : members) {
      if (!OutboxSettledFor(m)) return false;
    }
    return true;
  }
};

// JOIN, HELP, STOP, HELP, START as fast as a member can type them, ten members at once.
TEST_F(ChorusOrderingE2eTest, AMembersRepliesReachTheCarrierInTheOrderTheyWereQueued) {
  ASSERT_NE(StartServer(NodeEnv("serve-1")), nullptr);
  std::vector<std::string> members, sids;
  for (int i = 0; i < 10; ++i) members.push_back(Member(200 + i));
  for (const char* word : {"JOIN", "HELP", "STOP", "HELP", "START"}) {
    for (const auto& m : members) sids.push_back(Text(m, word));
  }
  ASSERT_TRUE(WaitProcessed(sids, 30s));
  ASSERT_TRUE(Eventually([&] { return AllSettled(members); }, 30s));
  for (const auto& member : members) {
    std::vector<std::string> queued;
    for (const auto& row : Query("SELECT body FROM outbound_messages WHERE recipient = $1 AND"
                                 " status NOT IN ('cancelled', 'unknown') ORDER BY id",
                                 member)) {
      queued.push_back(row[0].as<std::string>());
    }
    EXPECT_EQ(BodiesTo(member), queued) << member << " heard them out of order";
    ASSERT_FALSE(queued.empty());
    EXPECT_EQ(queued.back(), ws::kOptIn) << member << "'s last message must say subscribed";
    ExpectEveryAcceptedSendIsRecordedOnce(member);
  }
}

struct Run {
  bool kill_one;
};

class ChorusTwoNodesStopE2eTest : public ChorusOrderingE2eTest,
                                  public ::testing::WithParamInterface<Run> {};

// 100 members text JOIN to one node and STOP to the other, the carrier answering in 200 ms;
// with one node killed mid-dispatch in the second run.
TEST_P(ChorusTwoNodesStopE2eTest, NothingAfterTheConfirmationAndExactlyOneConfirmation) {
  ChorusServer* a = StartServer(NodeEnv("serve-1"));
  ChorusServer* b = StartServer(NodeEnv("serve-2"));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  constexpr int kMembers = 100;
  std::vector<std::string> members;
  for (int i = 0; i < kMembers; ++i) members.push_back(Member(300 + i));

  // Every JOIN is acknowledged before its STOP is sent (the member texts one after the
  // other), and the STOPs follow while the welcomes are still at the carrier.
  for (const char* word : {"JOIN", "STOP"}) {
    std::vector<std::future<transport::HttpResponseSpec>> answers;
    for (const auto& m : members) {
      answers.push_back(
          http_.SendAsync(InboundRequest(word[0] == 'J' ? *a : *b, NewMessageSid(), m, word)));
    }
    for (auto& answer : answers) {
      const auto response = answer.get();
      EXPECT_EQ(response.status, 200) << word << ": " << response.body;
    }
  }
  if (GetParam().kill_one) {
    // Kill node A while it has sends in flight at the (slow) carrier.
    ASSERT_TRUE(Eventually([&] {
      return Count("SELECT count(*) FROM outbound_messages WHERE status = 'sending'"
                   " AND lease_owner = 'serve-1'") > 0;
    }));
    KillServer(*a);
  }
  ASSERT_TRUE(Eventually([&] { return AllSettled(members); }, 60s))
      << Count("SELECT count(*) FROM outbound_messages WHERE status IN ('queued', 'sending')")
      << " messages still open";

  int with_welcome = 0;
  for (const auto& member : members) {
    const std::vector<std::string> bodies = BodiesTo(member);
    ASSERT_FALSE(bodies.empty()) << member << " got nothing";
    EXPECT_EQ(std::count(bodies.begin(), bodies.end(), std::string(ws::kOptOut)), 1)
        << member << " got " << bodies.size() << " messages";
    EXPECT_EQ(bodies.back(), ws::kOptOut) << member << " heard something after the confirmation";
    EXPECT_LE(std::count(bodies.begin(), bodies.end(), std::string(ws::kWelcome)), 1)
        << member << " got the welcome twice";
    with_welcome += std::count(bodies.begin(), bodies.end(), std::string(ws::kWelcome));
    ExpectEveryAcceptedSendIsRecordedOnce(member);
  }
  // Consent is recorded for every member, whatever node or crash handled them.
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs"), kMembers);
  // A welcome the carrier may have taken is never recorded as cancelled.
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE status = 'cancelled'"
                  " AND (outcome_unknown OR carrier_message_id IS NOT NULL)"),
            0);
  RecordProperty("members_who_heard_the_welcome_first", with_welcome);
}

INSTANTIATE_TEST_SUITE_P(Runs, ChorusTwoNodesStopE2eTest,
                         ::testing::Values(Run{false}, Run{true}),
                         [](const auto& info) {
                           return std::string(info.param.kill_one ? "OneNodeKilled" : "BothAlive");
                         });

TEST_F(ChorusOrderingE2eTest, ARestartedNodeTakesBackItsOwnSendsWithoutWaitingForTheLease) {
  ChorusServer* first = StartServer({{"CHORUS_NODE_ID", "serve-1"},
                                     {"CHORUS_CARRIER_TIMEOUT_MS", "2000"},
                                     {"CHORUS_LEASE_SECONDS", "600"}});
  ASSERT_NE(first, nullptr);
  const std::string member = Member(400);
  fake_->HoldNext(member);
  Text(member, "JOIN");
  ASSERT_TRUE(Eventually([&] { return fake_->HeldCount() == 1; }));
  KillServer(*first);
  fake_->ReleaseHeld();  // the carrier took it, and nobody heard the answer
  ASSERT_TRUE(WaitForTexts(member, 1));

  // Same node id, lease of ten minutes: the restart takes it back at once and asks Twilio,
  // which has it, so it is recorded and not sent again.
  ASSERT_NE(StartServer({{"CHORUS_NODE_ID", "serve-1"},
                         {"CHORUS_CARRIER_TIMEOUT_MS", "2000"},
                         {"CHORUS_LEASE_SECONDS", "600"}}),
            nullptr);
  ASSERT_TRUE(Eventually([&] { return OutboxSettledFor(member); }, 10s));
  EXPECT_EQ(AcceptedTo(member).size(), 1u) << "the welcome was sent twice";
  EXPECT_EQ(Value("SELECT carrier_message_id FROM outbound_messages WHERE recipient = $1", member),
            AcceptedTo(member).at(0).sid);
  EXPECT_GE(fake_->LookupCount(), 1u);
}

TEST_F(ChorusOrderingE2eTest, TwoLiveNodesCannotShareANodeId) {
  ASSERT_NE(StartServer({{"CHORUS_NODE_ID", "twin"}}), nullptr);
  const std::string port = std::to_string(FreeListenPort());
  CommandResult second = RunCommand(
      ChorusBinary(), {"serve"},
      {{"CHORUS_DATABASE_URL", database_url_},
       {"CHORUS_SECRETS_KEY_FILE", key_file_},
       {"CHORUS_LISTEN", "127.0.0.1:" + port},
       {"CHORUS_ADMIN_LISTEN", "127.0.0.1:" + std::to_string(FreeListenPort())},
       {"CHORUS_NODE_ID", "twin"}},
      30s);
  EXPECT_FALSE(second.ok());
  EXPECT_THAT(second.output, ::testing::HasSubstr("CHORUS_NODE_ID \"twin\" is in use"));
}

}  // namespace
}  // namespace chorus::e2e
