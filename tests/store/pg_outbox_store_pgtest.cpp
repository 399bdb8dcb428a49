#include "store/pg/pg_outbox_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <set>
#include <thread>

#include "store/pg/pg_inbox_store.hpp"
#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

using dispatch::ClaimedMessage;
using dispatch::SendAction;
using dispatch::SendRecord;
using std::chrono::seconds;

constexpr seconds kLease{300};

class PgOutboxStoreTest : public AcmeStoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AcmeStoreTest::SetUp());
    outbox_ = std::make_unique<PgOutboxStore>(url());
    alice_ = InsertMember(kAlice);
    bob_ = InsertMember(kBob);
  }

  std::vector<ClaimedMessage> Claim(ChannelId channel, int limit = 100, seconds lease = kLease,
                                    const std::string& owner = "node-a") {
    auto claimed = outbox_->Claim(channel, limit, owner, lease);
    EXPECT_TRUE(claimed.ok()) << claimed.error().message;
    return claimed.ok() ? claimed->messages : std::vector<ClaimedMessage>{};
  }

  // The shared bucket's last refill moved into the future: the next claim refills nothing,
  // however long the test takes to get there (a loaded machine), and sets it back to now.
  void StopTheBucketsClock() {
    Sql("UPDATE channel_throttles SET refreshed_at = clock_timestamp() + interval '1 hour'");
  }

  static std::vector<OutboundId> Ids(const std::vector<ClaimedMessage>& claimed) {
    std::vector<OutboundId> ids;
    for (const auto& m : claimed) ids.push_back(m.id);
    return ids;
  }

  // The one message `id`, claimed now; fails the test when it is not returned.
  ClaimedMessage ClaimOne(OutboundId id, seconds lease = kLease) {
    const auto claimed = Claim(Value<ChannelId>(
        "SELECT channel_id FROM outbound_messages WHERE id = $1", id), 100, lease);
    for (const auto& m : claimed) {
      if (m.id == id) return m;
    }
    ADD_FAILURE() << "message " << id << " was not claimed";
    return ClaimedMessage{};
  }

  static SendRecord RecordFor(const ClaimedMessage& m, SendAction action) {
    SendRecord r;
    r.id = m.id;
    r.organization_id = m.organization_id;
    r.channel_id = m.channel_id;
    r.member_id = m.member_id;
    r.attempt = m.attempt;
    r.action = action;
    return r;
  }

  void Record(const std::vector<SendRecord>& records) {
    auto recorded = outbox_->RecordResults(records);
    EXPECT_TRUE(recorded.ok()) << recorded.error().message;
  }

  std::string Column(OutboundId id, const std::string& column) {
    return Value<std::string>(
        "SELECT COALESCE(" + column + "::text, '') FROM outbound_messages WHERE id = $1", id);
  }

  std::unique_ptr<PgOutboxStore> outbox_;
  MemberId alice_ = 0;
  MemberId bob_ = 0;
};

// The behaviour both stores share is in store/contract/outbox_contract.hpp; these are what only
// PostgreSQL can show: concurrency between nodes, columns, and the delivery reports the inbox
// store wrote.

// kMessages members with one message each (so every one is the head of its queue).
void InsertOnePerMember(AcmeStoreTest& test, pqxx::work& tx, OrganizationId org, ChannelId channel,
                        int count, int per_member) {
  (void)test;
  tx.exec_params(
      "WITH m AS (INSERT INTO members (organization_id, phone_e164)"
      "  SELECT $1, '+1555020' || lpad(n::text, 4, '0') FROM generate_series(1, $3) AS n"
      "  RETURNING id, phone_e164)"
      " INSERT INTO outbound_messages (organization_id, channel_id, member_id, recipient, body,"
      "  kind, priority, segments, encoding, body_hash)"
      " SELECT $1, $2, m.id, m.phone_e164, 'm' || k, 'reply', 0, 1, 'gsm7', 0"
      "   FROM m, generate_series(1, $4) AS k ORDER BY k, m.id",
      org, channel, count, per_member);
}

TEST_F(PgOutboxStoreTest, ConcurrentClaimsNeverReturnTheSameMessage) {
  constexpr int kMessages = 300;
  {
    pqxx::work tx(Connection());
    InsertOnePerMember(*this, tx, org_, sms_, kMessages, 1);
    tx.commit();
  }

  std::latch start(2);
  std::vector<OutboundId> got[2];
  std::atomic<int> failures{0};
  auto node = [&](int i) {
    PgOutboxStore store(url());
    start.arrive_and_wait();
    for (;;) {
      auto claimed = store.Claim(sms_, 7, "node-" + std::to_string(i), kLease);
      if (!claimed.ok()) {
        ++failures;
        return;
      }
      if (claimed->messages.empty()) return;
      for (const auto& m : claimed->messages) got[i].push_back(m.id);
    }
  };
  std::thread a(node, 0), b(node, 1);
  a.join();
  b.join();

  EXPECT_EQ(failures.load(), 0);
  std::set<OutboundId> a_ids(got[0].begin(), got[0].end());
  std::set<OutboundId> b_ids(got[1].begin(), got[1].end());
  EXPECT_EQ(a_ids.size(), got[0].size()) << "one node got a message twice";
  EXPECT_EQ(b_ids.size(), got[1].size()) << "one node got a message twice";
  std::vector<OutboundId> both;
  std::set_intersection(a_ids.begin(), a_ids.end(), b_ids.begin(), b_ids.end(),
                        std::back_inserter(both));
  EXPECT_TRUE(both.empty()) << both.size() << " messages were claimed by both nodes";
  EXPECT_EQ(got[0].size() + got[1].size(), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE status = 'sending'"
                  " AND attempts = 1"),
            kMessages);
}

// Two nodes (two connections) claiming one channel of 10 segments/s draw from one bucket: the
// first takes the second's worth, the second finds none and is told when to come back; a second
// later (the bucket's clock moved back instead of sleeping) there is a second's worth again.
TEST_F(PgOutboxStoreTest, TwoClaimersShareOneChannelsThroughput) {
  std::vector<MemberId> members;
  for (int i = 0; i < 40; ++i) {
    const MemberId m = InsertMember("+1500555" + std::to_string(1000 + i));
    InsertOutbound({.channel = sms_, .member = m, .kind = "bulk", .priority = 10});
  }
  PgOutboxStore other(url());
  auto first = outbox_->Claim(sms_, 100, "node-a", kLease, 10);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->messages.size(), 10u);
  EXPECT_EQ(first->limited_to, 10);
  StopTheBucketsClock();
  auto second = other.Claim(sms_, 100, "node-b", kLease, 10);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->messages.empty());
  EXPECT_GT(second->throttled_for.count(), 0);
  EXPECT_LE(second->throttled_for.count(), 101);
  Sql("UPDATE channel_throttles SET refreshed_at = refreshed_at - interval '1 second'"
      " WHERE channel_id = $1", sms_);
  auto third = other.Claim(sms_, 100, "node-b", kLease, 10);
  ASSERT_TRUE(third.ok());
  EXPECT_GE(third->messages.size(), 9u);
  EXPECT_LE(third->messages.size(), 10u);
  // Without a shared limit the claim takes what it asks for.
  EXPECT_EQ(Claim(sms_, 5).size(), 5u);
}

// A message of three segments overdraws the bucket; the debt holds the next claim back.
TEST_F(PgOutboxStoreTest, SegmentsAreDrawnNotMessages) {
  for (int i = 0; i < 3; ++i) {
    const MemberId m = InsertMember("+1500555" + std::to_string(2000 + i));
    InsertOutbound({.channel = sms_, .member = m, .kind = "bulk", .priority = 10});
  }
  Sql("UPDATE outbound_messages SET segments = 3 WHERE channel_id = $1", sms_);
  auto first = outbox_->Claim(sms_, 100, "node-a", kLease, 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->messages.size(), 2u);  // two whole tokens, six segments drawn
  EXPECT_NEAR(Value<double>("SELECT tokens FROM channel_throttles WHERE channel_id = $1", sms_),
              -4.0, 0.1);
  StopTheBucketsClock();
  auto second = outbox_->Claim(sms_, 100, "node-a", kLease, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->messages.empty());
  EXPECT_GE(second->throttled_for.count(), 2000);  // 5 tokens short at 2/s
}

TEST_F(PgOutboxStoreTest, AcceptedRecordsTheCarrierIdAndStatus) {
  const ClaimedMessage m = ClaimOne(InsertOutbound({.channel = sms_, .member = alice_}));
  SendRecord r = RecordFor(m, SendAction::kAccepted);
  r.carrier_message_id = "SMabc";
  r.status = DeliveryStatus::kAccepted;
  Record({r});

  const auto row = Sql("SELECT status, carrier_message_id, sent_at IS NOT NULL,"
                       " lease_owner IS NULL AND lease_until IS NULL"
                       " FROM outbound_messages WHERE id = $1",
                       m.id);
  EXPECT_EQ(row[0][0].as<std::string>(), "accepted");
  EXPECT_EQ(row[0][1].as<std::string>(), "SMabc");
  EXPECT_TRUE(row[0][2].as<bool>());
  EXPECT_TRUE(row[0][3].as<bool>());
}

TEST_F(PgOutboxStoreTest, AcceptedAppliesADeliveryReportThatArrivedFirst) {
  const ClaimedMessage m = ClaimOne(InsertOutbound({.channel = sms_, .member = alice_}));
  // The carrier's callback beat its own API response: stored, but no message has the id yet.
  PgInboxStore inbox(url());
  auto stored = inbox.StoreBatch({Report(sms_, "SMfast", DeliveryStatus::kSent, "sent"),
                                  Report(sms_, "SMfast", DeliveryStatus::kDelivered, "delivered")});
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_EQ(Status(m.id), "sending");

  SendRecord r = RecordFor(m, SendAction::kAccepted);
  r.carrier_message_id = "SMfast";
  r.status = DeliveryStatus::kAccepted;
  Record({r});

  EXPECT_EQ(Status(m.id), "delivered");
  EXPECT_EQ(Column(m.id, "carrier_message_id"), "SMfast");
}

TEST_F(PgOutboxStoreTest, EarlyReportOnAnotherChannelIsNotApplied) {
  const ClaimedMessage m = ClaimOne(InsertOutbound({.channel = sms_, .member = alice_}));
  PgInboxStore inbox(url());
  ASSERT_TRUE(
      inbox.StoreBatch({Report(alerts_, "SMsame", DeliveryStatus::kDelivered, "delivered")}).ok());

  SendRecord r = RecordFor(m, SendAction::kAccepted);
  r.carrier_message_id = "SMsame";
  Record({r});

  EXPECT_EQ(Status(m.id), "accepted");
}

TEST_F(PgOutboxStoreTest, RetryRequeuesForLaterAndIsNotClaimableNow) {
  const ClaimedMessage m = ClaimOne(InsertOutbound({.channel = sms_, .member = alice_}));
  SendRecord r = RecordFor(m, SendAction::kRetry);
  r.retry_in = seconds(600);
  r.error_code = "timeout";
  r.error_message = "carrier did not answer";
  Record({r});

  const auto row = Sql("SELECT status, next_attempt_at > now() + interval '5 minutes',"
                       " lease_owner IS NULL, error_code, attempts"
                       " FROM outbound_messages WHERE id = $1",
                       m.id);
  EXPECT_EQ(row[0][0].as<std::string>(), "queued");
  EXPECT_TRUE(row[0][1].as<bool>());
  EXPECT_TRUE(row[0][2].as<bool>());
  EXPECT_EQ(row[0][3].as<std::string>(), "timeout");
  EXPECT_EQ(row[0][4].as<int>(), 1);
  EXPECT_TRUE(Claim(sms_).empty());
  auto due = outbox_->DueChannels();
  ASSERT_TRUE(due.ok()) << due.error().message;
  EXPECT_TRUE(due->empty());

  // Once due, the next claim is attempt 2.
  Sql("UPDATE outbound_messages SET next_attempt_at = now() WHERE id = $1", m.id);
  const auto again = Claim(sms_);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempt, 2);
}

TEST_F(PgOutboxStoreTest, FailedIsTerminalWithTheCarrierError) {
  const ClaimedMessage m = ClaimOne(InsertOutbound({.channel = sms_, .member = alice_}));
  SendRecord r = RecordFor(m, SendAction::kFailed);
  r.error_code = "21211";
  r.error_message = "invalid 'To' number";
  Record({r});

  EXPECT_EQ(Status(m.id), "failed");
  EXPECT_EQ(Column(m.id, "error_code"), "21211");
  EXPECT_EQ(Column(m.id, "error_message"), "invalid 'To' number");
  EXPECT_EQ(Column(m.id, "lease_owner"), "");
}

TEST_F(PgOutboxStoreTest, OptedOutAtCarrierFailsRecordsConsentAndStopsTheQueue) {
  const ClaimedMessage m = ClaimOne(InsertOutbound({.channel = sms_, .member = alice_}));
  const OutboundId queued_here = InsertOutbound({.channel = sms_, .member = alice_});
  const OutboundId queued_elsewhere = InsertOutbound({.channel = alerts_, .member = alice_});
  const OutboundId bobs = InsertOutbound({.channel = sms_, .member = bob_, .recipient = kBob});

  SendRecord r = RecordFor(m, SendAction::kOptedOutAtCarrier);
  r.error_code = "21610";
  r.error_message = "Attempt to send to unsubscribed recipient";
  Record({r});

  EXPECT_EQ(Status(m.id), "failed");
  EXPECT_EQ(Column(m.id, "error_code"), "21610");
  const auto consent = Sql("SELECT kind, scope, source, channel_id FROM consent_events"
                           " WHERE member_id = $1",
                           alice_);
  ASSERT_EQ(consent.size(), 1u);
  EXPECT_EQ(consent[0][0].as<std::string>(), "opt_out");
  EXPECT_EQ(consent[0][1].as<std::string>(), "channel");
  EXPECT_EQ(consent[0][2].as<std::string>(), "carrier");
  EXPECT_EQ(consent[0][3].as<ChannelId>(), sms_);
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs WHERE member_id = $1 AND channel_id = $2",
                  alice_, sms_),
            1);
  EXPECT_EQ(Status(queued_here), "cancelled");
  EXPECT_EQ(Status(queued_elsewhere), "queued");
  EXPECT_EQ(Status(bobs), "queued");
}

TEST_F(PgOutboxStoreTest, OneRecordingMayMixEveryAction) {
  const MemberId carol = InsertMember("+15005550103");
  const OutboundId a = InsertOutbound({.channel = sms_, .member = alice_});
  const OutboundId b = InsertOutbound({.channel = sms_, .member = bob_, .recipient = kBob});
  const OutboundId c = InsertOutbound({.channel = sms_, .member = carol});
  const auto claimed = Claim(sms_);
  ASSERT_EQ(claimed.size(), 3u);
  SendRecord accepted = RecordFor(claimed[0], SendAction::kAccepted);
  accepted.carrier_message_id = "SMa";
  SendRecord retry = RecordFor(claimed[1], SendAction::kRetry);
  retry.retry_in = seconds(60);
  Record({accepted, retry, RecordFor(claimed[2], SendAction::kFailed)});
  EXPECT_EQ(Status(a), "accepted");
  EXPECT_EQ(Status(b), "queued");
  EXPECT_EQ(Status(c), "failed");
}

// The head-of-line rule holds between nodes claiming at once: never two messages of one member
// in flight, whatever the interleaving of the claim statements.
TEST_F(PgOutboxStoreTest, TwoNodesClaimingAtOnceNeverHaveTwoMessagesOfOneMemberInFlight) {
  constexpr int kMembers = 40;
  constexpr int kPerMember = 5;
  {
    pqxx::work tx(Connection());
    InsertOnePerMember(*this, tx, org_, sms_, kMembers, kPerMember);
    tx.commit();
  }
  std::atomic<int> doubled{0};
  std::atomic<int> failures{0};
  std::atomic<int> sent{0};
  std::latch start(2);
  auto node = [&](int i) {
    PgOutboxStore store(url());
    pqxx::connection check(url());
    start.arrive_and_wait();
    for (int idle = 0; idle < 50;) {
      auto claimed = store.Claim(sms_, 7, "node-" + std::to_string(i), kLease);
      if (!claimed.ok()) {
        ++failures;
        return;
      }
      {
        pqxx::nontransaction tx(check);
        doubled += static_cast<int>(
            tx.exec("SELECT member_id FROM outbound_messages WHERE status = 'sending'"
                    " GROUP BY member_id HAVING count(*) > 1")
                .size());
      }
      if (claimed->messages.empty()) {
        ++idle;
        continue;
      }
      std::vector<SendRecord> records;
      for (const auto& m : claimed->messages) {
        SendRecord r = RecordFor(m, SendAction::kAccepted);
        r.carrier_message_id = "SM" + std::to_string(m.id);
        records.push_back(r);
      }
      if (!store.RecordResults(records).ok()) ++failures;
      sent += static_cast<int>(records.size());
    }
  };
  std::thread a(node, 0), b(node, 1);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(doubled.load(), 0) << "a member had two messages in flight";
  EXPECT_EQ(sent.load(), kMembers * kPerMember);
  // Each member's messages were accepted in the order they were queued.
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT member_id, array_agg(id ORDER BY sent_at, id) AS by_time,"
                  " array_agg(id ORDER BY id) AS by_id FROM outbound_messages GROUP BY member_id) q"
                  " WHERE by_time <> by_id"),
            0);
}

}  // namespace
}  // namespace chorus::store::pg
