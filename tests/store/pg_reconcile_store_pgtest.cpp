#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <set>
#include <thread>

#include "store/pg/pg_inbox_store.hpp"
#include "store/pg/pg_reconcile_store.hpp"
#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

using dispatch::UnsettledMessage;
using std::chrono::seconds;

constexpr seconds kHour{3600};
constexpr int kPlenty = 1000;  // a rate that never limits these tests

class PgReconcileStoreTest : public AcmeStoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AcmeStoreTest::SetUp());
    store_ = std::make_unique<PgReconcileStore>(url());
    alice_ = InsertMember(kAlice);
  }

  // A message the carrier took as `carrier_id`, in `status`, sent `sent_ago` ago.
  OutboundId Sent(const std::string& carrier_id, const std::string& status,
                  const std::string& sent_ago, ChannelId channel = 0) {
    const OutboundId id = InsertOutbound({.channel = channel == 0 ? sms_ : channel,
                                          .member = alice_,
                                          .status = status,
                                          .carrier_message_id = carrier_id});
    Sql("UPDATE outbound_messages SET sent_at = now() - $2::interval WHERE id = $1", id, sent_ago);
    return id;
  }

  std::vector<UnsettledMessage> Claim(seconds after = kHour, int per_second = kPlenty) {
    auto claimed = store_->ClaimUnsettled(sms_, after, per_second);
    EXPECT_TRUE(claimed.ok()) << claimed.error().message;
    return claimed.ok() ? *claimed : std::vector<UnsettledMessage>{};
  }

  static std::set<OutboundId> Ids(const std::vector<UnsettledMessage>& claimed) {
    std::set<OutboundId> ids;
    for (const auto& m : claimed) ids.insert(m.id);
    return ids;
  }

  // As if the message was last asked `ago` ago.
  void AskedAgo(OutboundId id, const std::string& ago) {
    Sql("UPDATE outbound_messages SET reconciled_at = now() - $2::interval WHERE id = $1", id, ago);
  }

  std::unique_ptr<PgReconcileStore> store_;
  MemberId alice_ = 0;
};

TEST_F(PgReconcileStoreTest, OnlyMessagesTheCarrierTookWithoutNewsForTheWindowAreClaimed) {
  const OutboundId accepted = Sent("SMaccepted", "accepted", "2 hours");
  const OutboundId sent = Sent("SMsent", "sent", "61 minutes");
  Sent("SMrecent", "sent", "59 minutes");
  Sent("SMdelivered", "delivered", "2 hours");
  Sent("SMundelivered", "undelivered", "2 hours");
  Sent("SMfailed", "failed", "2 hours");
  Sent("", "sent", "2 hours");  // no carrier id: nothing to ask with
  InsertOutbound({.channel = sms_, .member = alice_, .status = "queued"});
  InsertOutbound({.channel = sms_, .member = alice_, .status = "sending"});
  Sent("SMother", "sent", "2 hours", alerts_);  // another channel

  const auto claimed = Claim();
  EXPECT_EQ(Ids(claimed), (std::set<OutboundId>{accepted, sent}));
  for (const auto& m : claimed) {
    EXPECT_EQ(m.organization_id, org_);
    EXPECT_EQ(m.channel_id, sms_);
    EXPECT_EQ(m.attempt, 1);
    EXPECT_EQ(m.carrier_message_id, m.id == accepted ? "SMaccepted" : "SMsent");
  }
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE reconcile_attempts = 1"
                  " AND reconciled_at IS NOT NULL"),
            2);
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE reconcile_attempts = 0"
                  " AND reconciled_at IS NULL"),
            8);
  // The claim marks a message asked; its status is for the answer to change.
  EXPECT_EQ(Status(accepted), "accepted");
  EXPECT_EQ(Status(sent), "sent");
}

TEST_F(PgReconcileStoreTest, OnlyChannelsWithAMessageDueAreNamed) {
  Sent("SMold", "sent", "2 hours");
  Sent("SMnew", "sent", "5 minutes", alerts_);
  auto due = store_->ChannelsToAsk({sms_, alerts_, 999999}, kHour);
  ASSERT_TRUE(due.ok()) << due.error().message;
  EXPECT_EQ(*due, std::vector<ChannelId>{sms_});
  due = store_->ChannelsToAsk({alerts_}, seconds(60));
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, std::vector<ChannelId>{alerts_});
}

TEST_F(PgReconcileStoreTest, OldestNewsFirstAndNoMoreThanTheRateAllows) {
  const OutboundId oldest = Sent("SM1", "sent", "5 hours");
  const OutboundId middle = Sent("SM2", "sent", "4 hours");
  Sent("SM3", "sent", "3 hours");
  EXPECT_EQ(Ids(Claim(kHour, 2)), (std::set<OutboundId>{oldest, middle}));
}

TEST_F(PgReconcileStoreTest, AMessageIsAskedAgainOnlyAfterTheWindowAndAtMostThreeTimes) {
  const OutboundId id = Sent("SMstuck", "sent", "2 hours");
  ASSERT_EQ(Ids(Claim()), std::set<OutboundId>{id});
  EXPECT_TRUE(Claim().empty()) << "asked twice within the window";

  for (int attempt = 2; attempt <= dispatch::kMaxReconcileAttempts; ++attempt) {
    AskedAgo(id, "61 minutes");
    const auto claimed = Claim();
    ASSERT_EQ(claimed.size(), 1u) << "attempt " << attempt;
    EXPECT_EQ(claimed[0].attempt, attempt);
  }
  AskedAgo(id, "10 hours");
  EXPECT_TRUE(Claim().empty()) << "asked more than kMaxReconcileAttempts times";
  EXPECT_EQ(Value<int>("SELECT reconcile_attempts FROM outbound_messages WHERE id = $1", id), 3);
  EXPECT_EQ(Status(id), "sent") << "a message the carrier keeps calling 'sent' stays so";
}

TEST_F(PgReconcileStoreTest, TheAnswerRecordedAsACallbackSettlesTheMessage) {
  const OutboundId id = Sent("SMlost", "sent", "2 hours");
  ASSERT_EQ(Ids(Claim()), std::set<OutboundId>{id});

  // What the reconciler hands the inbox: the StatusItem a delivery callback would have made.
  PgInboxStore inbox(url());
  ingest::StatusItem report = Report(sms_, "SMlost", DeliveryStatus::kDelivered, "delivered");
  auto stored = inbox.StoreBatch({report});
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(Status(id), "delivered");
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_events WHERE carrier_message_id = 'SMlost'"), 1);

  AskedAgo(id, "10 hours");
  EXPECT_TRUE(Claim().empty()) << "a settled message is asked about again";
}

// Two nodes claim one channel's rate: one bucket, the first takes the second's worth, the
// second finds nothing left; a second later (the bucket's clock moved back instead of
// sleeping) there is a second's worth again.
TEST_F(PgReconcileStoreTest, TwoClaimersShareOneChannelsRate) {
  for (int i = 0; i < 20; ++i) Sent("SM" + std::to_string(i), "sent", "2 hours");
  PgReconcileStore other(url());
  EXPECT_EQ(Claim(kHour, 5).size(), 5u);
  auto second = other.ClaimUnsettled(sms_, kHour, 5);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->empty());
  Sql("UPDATE reconcile_throttles SET refreshed_at = refreshed_at - interval '1 second'"
      " WHERE channel_id = $1",
      sms_);
  second = other.ClaimUnsettled(sms_, kHour, 5);
  ASSERT_TRUE(second.ok());
  EXPECT_GE(second->size(), 4u);
  EXPECT_LE(second->size(), 5u);
}

TEST_F(PgReconcileStoreTest, ConcurrentClaimsNeverReturnTheSameMessage) {
  constexpr int kMessages = 200;
  Sql("INSERT INTO outbound_messages (organization_id, channel_id, member_id, recipient, body,"
      " kind, priority, segments, encoding, body_hash, status, carrier_message_id, sent_at)"
      " SELECT $1, $2, $3, $4, 'm', 'reply', 0, 1, 'gsm7', 0, 'sent', 'SM' || n,"
      "        now() - interval '2 hours' FROM generate_series(1, $5) AS n",
      org_, sms_, alice_, kAlice, kMessages);

  std::latch start(2);
  std::atomic<int> total{0};
  std::atomic<int> failures{0};
  std::vector<OutboundId> got[2];
  auto node = [&](int i) {
    PgReconcileStore store(url());
    pqxx::connection connection(url());
    start.arrive_and_wait();
    // Each turn refills the shared bucket by hand (rather than waiting for it), so the two
    // nodes' claims interleave until every message was handed out.
    for (int turn = 0; turn < 1000 && total < kMessages; ++turn) {
      pqxx::work refill(connection);
      refill.exec_params("UPDATE reconcile_throttles SET tokens = 7 WHERE channel_id = $1", sms_);
      refill.commit();
      auto claimed = store.ClaimUnsettled(sms_, kHour, 7);
      if (!claimed.ok()) {
        ++failures;
        return;
      }
      for (const auto& m : *claimed) got[i].push_back(m.id);
      total += static_cast<int>(claimed->size());
    }
  };
  std::thread a(node, 0), b(node, 1);
  a.join();
  b.join();

  EXPECT_EQ(failures.load(), 0);
  std::set<OutboundId> all;
  for (const auto& ids : got) all.insert(ids.begin(), ids.end());
  EXPECT_EQ(all.size(), got[0].size() + got[1].size()) << "a message was claimed twice";
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE reconcile_attempts = 1"),
            kMessages);
}

}  // namespace
}  // namespace chorus::store::pg
