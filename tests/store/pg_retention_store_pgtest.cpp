#include "store/pg/pg_retention_store.hpp"

#include <gtest/gtest.h>

#include "store/pg/pg_inbox_store.hpp"
#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

using retention::Direction;
using retention::RedactionStep;

class PgRetentionStoreTest : public AcmeStoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AcmeStoreTest::SetUp());
    store_ = std::make_unique<PgRetentionStore>(url());
    inbox_ = std::make_unique<PgInboxStore>(url());
  }

  // An inbound message stored as the inbox stores it, then aged and (optionally) processed.
  InboundId AddInbound(const std::string& sid, const std::string& body, int days_old,
                       bool processed = true) {
    auto stored = inbox_->StoreBatch({Inbound(sms_, sid, kAlice, body)});
    EXPECT_TRUE(stored.ok());
    Sql("UPDATE inbound_messages SET received_at = now() - make_interval(days => $2),"
        " processed_at = CASE WHEN $3 THEN now() END, outcome = CASE WHEN $3 THEN 'keyword' END"
        " WHERE carrier_message_id = $1",
        sid, days_old, processed);
    return Value<InboundId>("SELECT id FROM inbound_messages WHERE carrier_message_id = $1", sid);
  }

  OutboundId AddOutbound(const std::string& body, const std::string& status, int days_old) {
    OutboundRow row;
    row.channel = sms_;
    row.member = member_ ? member_ : (member_ = InsertMember(kAlice));
    row.body = body;
    row.status = status;
    row.created_ago = std::to_string(days_old) + " days";
    return InsertOutbound(row);
  }

  RedactionStep Step(Direction direction, int days, int limit = 1000, std::int64_t after = 0) {
    auto step = store_->RedactOlderThan(org_, direction, days, limit, after);
    EXPECT_TRUE(step.ok()) << step.error().message;
    return step.ok() ? *step : RedactionStep{};
  }

  // Steps like the job does until nothing older is left; the bodies erased.
  int Run(Direction direction, int days, int limit = 1000) {
    int total = 0;
    std::int64_t after = 0;
    for (int i = 0; i < 100; ++i) {
      const RedactionStep step = Step(direction, days, limit, after);
      total += step.redacted;
      if (!step.more) return total;
      after = step.resume_after;
    }
    ADD_FAILURE() << "the walk did not end";
    return total;
  }

  std::string InboundBody(InboundId id) {
    return Value<std::string>("SELECT body FROM inbound_messages WHERE id = $1", id);
  }
  std::string OutboundBody(OutboundId id) {
    return Value<std::string>("SELECT body FROM outbound_messages WHERE id = $1", id);
  }

  std::unique_ptr<PgRetentionStore> store_;
  std::unique_ptr<PgInboxStore> inbox_;
  MemberId member_ = 0;
};

TEST_F(PgRetentionStoreTest, IdempotencyKeysAreForgottenAfterTheirDay) {
  for (const auto& [key, hours] : {std::pair{"old", 25}, std::pair{"fresh", 23}}) {
    Sql("INSERT INTO api_idempotency (organization_id, key, token_id, request, status, body,"
        " created_at) VALUES ($1, $2, 1, 'POST /v1/keywords', 201, '7',"
        " now() - $3::int * interval '1 hour')",
        org_, std::string(key), hours);
  }
  auto expired = store_->ExpireIdempotencyKeys(std::chrono::hours(24));
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM api_idempotency WHERE key = 'fresh'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM api_idempotency"), 1);
}

TEST_F(PgRetentionStoreTest, ErasesOldProcessedInboundBodiesAndKeepsEverythingElse) {
  const InboundId old = AddInbound("SM-old", "my address is 12 Elm St", 91);
  const InboundId recent = AddInbound("SM-recent", "JOIN", 89);
  EXPECT_EQ(Run(Direction::kInbound, 90), 1);
  EXPECT_EQ(InboundBody(old), "");
  EXPECT_EQ(InboundBody(recent), "JOIN");
  const pqxx::row row = Sql("SELECT sender, carrier_message_id, outcome, processed_at IS NOT NULL,"
                            " body_redacted_at IS NOT NULL FROM inbound_messages WHERE id = $1",
                            old)[0];
  EXPECT_EQ(row[0].as<std::string>(), kAlice);
  EXPECT_EQ(row[1].as<std::string>(), "SM-old");
  EXPECT_EQ(row[2].as<std::string>(), "keyword");
  EXPECT_TRUE(row[3].as<bool>());
  EXPECT_TRUE(row[4].as<bool>());
  EXPECT_EQ(Run(Direction::kInbound, 90), 0) << "a second run has nothing left to do";
}

TEST_F(PgRetentionStoreTest, ACarrierRetryOfAnErasedMessageIsStillADuplicate) {
  AddInbound("SM-retried", "STOP", 100);
  ASSERT_EQ(Run(Direction::kInbound, 90), 1);
  auto again = inbox_->StoreBatch({Inbound(sms_, "SM-retried", kAlice, "STOP")});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->fresh, std::vector<bool>{false});
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 1);
}

TEST_F(PgRetentionStoreTest, ErasesOutboundBodiesOnlyOnceTheyLeftTheOutbox) {
  const OutboundId delivered = AddOutbound("Welcome, Alice", "delivered", 120);
  const OutboundId accepted = AddOutbound("Rally at 5", "accepted", 120);  // no final report
  const OutboundId failed = AddOutbound("Rally at 6", "failed", 120);
  const OutboundId queued = AddOutbound("Still to send", "queued", 120);
  const OutboundId sending = AddOutbound("In flight", "sending", 120);
  const OutboundId young = AddOutbound("Yesterday", "delivered", 1);
  const auto hash_before =
      Value<std::int64_t>("SELECT body_hash FROM outbound_messages WHERE id = $1", delivered);
  EXPECT_EQ(Run(Direction::kOutbound, 90), 3);
  EXPECT_EQ(OutboundBody(delivered), "");
  EXPECT_EQ(OutboundBody(accepted), "");
  EXPECT_EQ(OutboundBody(failed), "");
  EXPECT_EQ(OutboundBody(queued), "Still to send");
  EXPECT_EQ(OutboundBody(sending), "In flight");
  EXPECT_EQ(OutboundBody(young), "Yesterday");
  // The loop guard still counts the text; status and segments stay for the record.
  EXPECT_EQ(Value<std::int64_t>("SELECT body_hash FROM outbound_messages WHERE id = $1", delivered),
            hash_before);
  EXPECT_EQ(Status(delivered), "delivered");
}

TEST_F(PgRetentionStoreTest, AMessageStillInUseIsLookedAtAgainByTheNextRun) {
  const InboundId waiting = AddInbound("SM-waiting", "HELP", 100, /*processed=*/false);
  const InboundId behind = AddInbound("SM-behind", "JOIN", 100);
  EXPECT_EQ(Run(Direction::kInbound, 90), 1);
  EXPECT_EQ(InboundBody(waiting), "HELP");
  EXPECT_EQ(InboundBody(behind), "");
  EXPECT_LT(Value<std::int64_t>("SELECT last_id FROM retention_cursors"
                                " WHERE direction = 'inbound'"),
            waiting)
      << "the cursor stops before the message in use";
  Sql("UPDATE inbound_messages SET processed_at = now() WHERE id = $1", waiting);
  EXPECT_EQ(Run(Direction::kInbound, 90), 1);
  EXPECT_EQ(InboundBody(waiting), "");
  EXPECT_EQ(Value<std::int64_t>("SELECT last_id FROM retention_cursors"
                                " WHERE direction = 'inbound'"),
            behind);
}

TEST_F(PgRetentionStoreTest, WalksInBatchesPastAMessageInUse) {
  AddInbound("SM-0", "a", 100, /*processed=*/false);
  for (int i = 1; i <= 6; ++i) AddInbound("SM-" + std::to_string(i), "b", 100);
  AddInbound("SM-young", "c", 2);
  EXPECT_EQ(Run(Direction::kInbound, 90, /*limit=*/2), 6);
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages WHERE body = ''"), 6);
  Sql("UPDATE inbound_messages SET processed_at = now() WHERE carrier_message_id = 'SM-0'");
  EXPECT_EQ(Run(Direction::kInbound, 90, 2), 1);
  // Now the cursor is past every old message: the next run's first step reads only the young
  // one and ends.
  const RedactionStep step = Step(Direction::kInbound, 90, 2);
  EXPECT_EQ(step.redacted, 0);
  EXPECT_FALSE(step.more);
}

TEST_F(PgRetentionStoreTest, EachOrganizationsPeriodApplies) {
  const InboundId three_days = AddInbound("SM-3d", "x", 3);
  EXPECT_EQ(Run(Direction::kInbound, 7), 0);
  EXPECT_EQ(InboundBody(three_days), "x");
  EXPECT_EQ(Run(Direction::kInbound, 1), 1);  // the organization shortened its period
  EXPECT_EQ(InboundBody(three_days), "");
}

TEST_F(PgRetentionStoreTest, OneNodeAtATimeWorksOnAnOrganization) {
  AddInbound("SM-1", "x", 100);
  ASSERT_EQ(Step(Direction::kInbound, 90).redacted, 1);  // creates the cursor row
  AddInbound("SM-2", "y", 100);
  pqxx::work other(Connection());
  other.exec_params("SELECT 1 FROM retention_cursors WHERE organization_id = $1"
                    " AND direction = 'inbound' FOR UPDATE",
                    org_);
  auto step = store_->RedactOlderThan(org_, Direction::kInbound, 90, 1000, 0);
  ASSERT_TRUE(step.ok()) << step.error().message;
  EXPECT_TRUE(step->skipped);
  EXPECT_EQ(step->redacted, 0);
  EXPECT_FALSE(step->more);
  other.abort();
  EXPECT_EQ(Step(Direction::kInbound, 90).redacted, 1);
}

}  // namespace
}  // namespace chorus::store::pg
