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

TEST_F(PgOutboxStoreTest, ClaimReturnsDueMessagesByPriorityThenAge) {
  const OutboundId bulk1 = InsertOutbound({.channel = sms_, .member = alice_, .priority = 10});
  const OutboundId reply1 = InsertOutbound({.channel = sms_, .member = alice_, .priority = 0});
  const OutboundId bulk2 = InsertOutbound({.channel = sms_, .member = bob_, .priority = 10});
  const OutboundId reply2 = InsertOutbound({.channel = sms_, .member = bob_, .priority = 0});
  const OutboundId later =
      InsertOutbound({.channel = sms_, .member = bob_, .priority = 0, .due_in = "1 hour"});
  const OutboundId other_channel = InsertOutbound({.channel = alerts_, .member = bob_});
  const OutboundId already_sent =
      InsertOutbound({.channel = sms_, .member = bob_, .status = "accepted"});

  const auto claimed = Claim(sms_);

  EXPECT_EQ(Ids(claimed), (std::vector<OutboundId>{reply1, reply2, bulk1, bulk2}));
  for (OutboundId id : {reply1, reply2, bulk1, bulk2}) {
    const auto row = Sql("SELECT status, attempts, lease_owner, lease_until > now()"
                         " FROM outbound_messages WHERE id = $1",
                         id);
    EXPECT_EQ(row[0][0].as<std::string>(), "sending") << id;
    EXPECT_EQ(row[0][1].as<int>(), 1) << id;
    EXPECT_EQ(row[0][2].as<std::string>(), "node-a") << id;
    EXPECT_TRUE(row[0][3].as<bool>()) << id;
  }
  EXPECT_EQ(Status(later), "queued");
  EXPECT_EQ(Status(other_channel), "queued");
  EXPECT_EQ(Status(already_sent), "accepted");
}

TEST_F(PgOutboxStoreTest, ClaimCarriesWhatTheSenderNeeds) {
  const OutboundId id = InsertOutbound(
      {.channel = sms_, .member = alice_, .recipient = kAlice, .body = "Meeting at 7 ✊"});
  const auto claimed = Claim(sms_);
  ASSERT_EQ(claimed.size(), 1u);
  const ClaimedMessage& m = claimed[0];
  EXPECT_EQ(m.id, id);
  EXPECT_EQ(m.organization_id, org_);
  EXPECT_EQ(m.channel_id, sms_);
  EXPECT_EQ(m.member_id, alice_);
  EXPECT_EQ(m.recipient, kAlice);
  EXPECT_EQ(m.body, "Meeting at 7 ✊");
  EXPECT_EQ(m.segments, 1);
  EXPECT_EQ(m.attempt, 1);
}

TEST_F(PgOutboxStoreTest, ClaimTakesAtMostTheLimitAndLeavesTheRestQueued) {
  const OutboundId low = InsertOutbound({.channel = sms_, .member = alice_, .priority = 10});
  const OutboundId first = InsertOutbound({.channel = sms_, .member = alice_});
  const OutboundId second = InsertOutbound({.channel = sms_, .member = alice_});

  EXPECT_EQ(Ids(Claim(sms_, 2)), (std::vector<OutboundId>{first, second}));
  EXPECT_EQ(Status(low), "queued");
  EXPECT_EQ(Ids(Claim(sms_, 2)), std::vector<OutboundId>{low});
  EXPECT_TRUE(Claim(sms_, 2).empty());
}

TEST_F(PgOutboxStoreTest, ConcurrentClaimsNeverReturnTheSameMessage) {
  constexpr int kMessages = 300;
  Sql("INSERT INTO outbound_messages (organization_id, channel_id, member_id, recipient, body,"
      " kind, priority, segments, encoding, body_hash)"
      " SELECT $1, $2, $3, $4, 'm' || n, 'reply', n % 3, 1, 'gsm7', 0"
      " FROM generate_series(1, $5) AS n",
      org_, sms_, alice_, std::string(kAlice), kMessages);

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

TEST_F(PgOutboxStoreTest, MessageToAMemberOptedOutOfTheChannelIsCancelledAtClaim) {
  const OutboundId to_alice = InsertOutbound({.channel = sms_, .member = alice_});
  const OutboundId to_bob = InsertOutbound({.channel = sms_, .member = bob_, .recipient = kBob});
  const OutboundId alice_elsewhere = InsertOutbound({.channel = alerts_, .member = alice_});
  Sql("INSERT INTO opt_outs (organization_id, member_id, channel_id) VALUES ($1, $2, $3)", org_,
      alice_, sms_);

  EXPECT_EQ(Ids(Claim(sms_)), std::vector<OutboundId>{to_bob});
  EXPECT_EQ(Status(to_alice), "cancelled");
  EXPECT_EQ(Column(to_alice, "error_code"), "opted_out");
  EXPECT_EQ(Column(to_alice, "attempts"), "0");
  EXPECT_EQ(Column(to_alice, "lease_owner"), "");
  // The opt-out names one sender; the other still reaches her.
  EXPECT_EQ(Ids(Claim(alerts_)), std::vector<OutboundId>{alice_elsewhere});
}

TEST_F(PgOutboxStoreTest, OptOutOfTheWholeOrganizationBlocksEveryChannel) {
  const OutboundId sms = InsertOutbound({.channel = sms_, .member = alice_});
  const OutboundId alerts = InsertOutbound({.channel = alerts_, .member = alice_});
  Sql("INSERT INTO opt_outs (organization_id, member_id, channel_id) VALUES ($1, $2, NULL)",
      org_, alice_);

  EXPECT_TRUE(Claim(sms_).empty());
  EXPECT_TRUE(Claim(alerts_).empty());
  EXPECT_EQ(Status(sms), "cancelled");
  EXPECT_EQ(Status(alerts), "cancelled");
}

TEST_F(PgOutboxStoreTest, ComplianceMessageReachesAMemberWhoOptedOutBeforeIt) {
  Sql("INSERT INTO opt_outs (organization_id, member_id, channel_id, created_at)"
      " VALUES ($1, $2, $3, now() - interval '1 minute')",
      org_, alice_, sms_);
  const OutboundId confirmation =
      InsertOutbound({.channel = sms_, .member = alice_, .kind = "compliance"});
  const OutboundId reply = InsertOutbound({.channel = sms_, .member = alice_, .kind = "reply"});

  EXPECT_EQ(Ids(Claim(sms_)), std::vector<OutboundId>{confirmation});
  EXPECT_EQ(Status(confirmation), "sending");
  EXPECT_EQ(Status(reply), "cancelled");
}

TEST_F(PgOutboxStoreTest, ComplianceMessageDoesNotPassAnOptOutNewerThanIt) {
  const OutboundId help = InsertOutbound(
      {.channel = sms_, .member = alice_, .kind = "compliance", .created_ago = "1 minute"});
  Sql("INSERT INTO opt_outs (organization_id, member_id, channel_id) VALUES ($1, $2, NULL)",
      org_, alice_);

  EXPECT_TRUE(Claim(sms_).empty());
  EXPECT_EQ(Status(help), "cancelled");
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

TEST_F(PgOutboxStoreTest, RecordFromALostLeaseIsIgnored) {
  const OutboundId id = InsertOutbound({.channel = sms_, .member = alice_});
  const ClaimedMessage first = ClaimOne(id, seconds(0));
  auto recovered = outbox_->RecoverExpiredLeases();
  ASSERT_TRUE(recovered.ok()) << recovered.error().message;
  ASSERT_EQ(*recovered, 1);
  const ClaimedMessage second = ClaimOne(id);
  ASSERT_EQ(second.attempt, first.attempt + 1);

  // The first dispatcher wakes up late and reports.
  SendRecord stale = RecordFor(first, SendAction::kAccepted);
  stale.carrier_message_id = "SMstale";
  Record({stale});
  SendRecord stale_failure = RecordFor(first, SendAction::kFailed);
  Record({stale_failure});

  EXPECT_EQ(Status(id), "sending");
  EXPECT_EQ(Column(id, "carrier_message_id"), "");

  SendRecord current = RecordFor(second, SendAction::kAccepted);
  current.carrier_message_id = "SMcurrent";
  Record({current});
  EXPECT_EQ(Status(id), "accepted");
  EXPECT_EQ(Column(id, "carrier_message_id"), "SMcurrent");
}

TEST_F(PgOutboxStoreTest, RecordForAMessageNoLongerSendingIsIgnored) {
  const ClaimedMessage m = ClaimOne(InsertOutbound({.channel = sms_, .member = alice_}));
  SendRecord accepted = RecordFor(m, SendAction::kAccepted);
  accepted.carrier_message_id = "SM1";
  Record({accepted});
  // A duplicate report of the same attempt must not turn an accepted message into a retry.
  Record({RecordFor(m, SendAction::kRetry)});
  EXPECT_EQ(Status(m.id), "accepted");
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

TEST_F(PgOutboxStoreTest, OptedOutAtCarrierTwiceKeepsOneOptOut) {
  const ClaimedMessage first = ClaimOne(InsertOutbound({.channel = sms_, .member = alice_}));
  Record({RecordFor(first, SendAction::kOptedOutAtCarrier)});
  // A compliance message may still be claimed past an older opt-out, and be refused again.
  const ClaimedMessage second =
      ClaimOne(InsertOutbound({.channel = sms_, .member = alice_, .kind = "compliance"}));
  Record({RecordFor(second, SendAction::kOptedOutAtCarrier)});

  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs WHERE member_id = $1", alice_), 1);
  EXPECT_EQ(Status(second.id), "failed");
}

TEST_F(PgOutboxStoreTest, OneRecordingMayMixEveryAction) {
  const OutboundId a = InsertOutbound({.channel = sms_, .member = alice_});
  const OutboundId b = InsertOutbound({.channel = sms_, .member = bob_, .recipient = kBob});
  const OutboundId c = InsertOutbound({.channel = sms_, .member = bob_, .recipient = kBob});
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

TEST_F(PgOutboxStoreTest, RecoverRequeuesExpiredLeasesButNotLiveOnes) {
  const OutboundId expired = InsertOutbound({.channel = sms_, .member = alice_});
  const OutboundId live = InsertOutbound({.channel = alerts_, .member = alice_});
  ASSERT_EQ(ClaimOne(expired, seconds(0)).id, expired);
  ASSERT_EQ(ClaimOne(live, seconds(3600)).id, live);

  auto recovered = outbox_->RecoverExpiredLeases();
  ASSERT_TRUE(recovered.ok()) << recovered.error().message;
  EXPECT_EQ(*recovered, 1);

  EXPECT_EQ(Status(expired), "queued");
  EXPECT_EQ(Column(expired, "error_code"), "lease_expired");
  EXPECT_EQ(Column(expired, "lease_owner"), "");
  EXPECT_EQ(Status(live), "sending");
  EXPECT_EQ(Column(live, "lease_owner"), "node-a");
  // The recovered message is due again at once.
  EXPECT_EQ(Ids(Claim(sms_)), std::vector<OutboundId>{expired});
}

TEST_F(PgOutboxStoreTest, DueChannelsCountsQueuedMessagesDueNow) {
  for (int i = 0; i < 3; ++i) InsertOutbound({.channel = sms_, .member = alice_});
  InsertOutbound({.channel = sms_, .member = alice_, .due_in = "1 hour"});
  InsertOutbound({.channel = sms_, .member = alice_, .status = "accepted"});
  for (int i = 0; i < 2; ++i) InsertOutbound({.channel = alerts_, .member = bob_});
  InsertOutbound({.channel = alerts_, .member = bob_, .status = "cancelled"});

  auto due = outbox_->DueChannels();
  ASSERT_TRUE(due.ok()) << due.error().message;
  std::vector<std::pair<ChannelId, std::int64_t>> counts = *due;
  std::sort(counts.begin(), counts.end());
  std::vector<std::pair<ChannelId, std::int64_t>> expected = {{sms_, 3}, {alerts_, 2}};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(counts, expected);
}

}  // namespace
}  // namespace chorus::store::pg
