#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <latch>
#include <thread>

#include "ingest/batch_decider.hpp"
#include "store/pg/pg_inbox_store.hpp"
#include "store/pg/pg_processing_store.hpp"
#include "store/pg/processing_statements.hpp"
#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

using ingest::BatchContext;
using ingest::MemberKey;

class PgProcessingStoreTest : public AcmeStoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AcmeStoreTest::SetUp());
    inbox_ = std::make_unique<PgInboxStore>(url());
    processing_ = std::make_unique<PgProcessingStore>(url());
  }

  // The production decision, against the snapshot of the applied workspace.
  ingest::ProcessingStore::Decide Decide() const {
    return [snapshot = snapshot_](const BatchContext& ctx) {
      return ingest::DecideBatch(ctx, *snapshot);
    };
  }

  // Stores one inbound text (each call is its own webhook, so ids follow call order).
  InboundId Receive(const std::string& sender, const std::string& body, ChannelId channel = 0) {
    const std::string sid = "SMin" + std::to_string(++sequence_);
    auto stored = inbox_->StoreBatch({Inbound(channel ? channel : sms_, sid, sender, body)});
    EXPECT_TRUE(stored.ok()) << stored.error().message;
    return Value<InboundId>("SELECT id FROM inbound_messages WHERE carrier_message_id = $1", sid);
  }

  // The member the inbox created for `phone` (0 when none).
  MemberKey Key(const std::string& phone) {
    const auto rows =
        Sql("SELECT id FROM members WHERE organization_id = $1 AND phone_e164 = $2", org_, phone);
    return MemberKey{org_, rows.empty() ? 0 : rows[0][0].as<MemberId>()};
  }

  std::vector<ChannelId> Process(const std::vector<std::string>& senders) {
    std::vector<MemberKey> keys;
    for (const auto& s : senders) keys.push_back(Key(s));
    auto result = processing_->ProcessBatch(keys, Decide());
    EXPECT_TRUE(result.ok()) << result.error().message;
    return result.ok() ? result->outbound_channels : std::vector<ChannelId>{};
  }

  MemberId Member(const std::string& phone) {
    return Value<MemberId>("SELECT id FROM members WHERE organization_id = $1 AND phone_e164 = $2",
                           org_, phone);
  }

  std::string Outcome(InboundId id) {
    return Value<std::string>("SELECT outcome FROM inbound_messages WHERE id = $1", id);
  }

  // Adds `members` members (phones +1555 PREFIX nnnnn) with `each` messages and `each` timers
  // apiece, waiting or already processed (the history a live system has behind it). Statistics
  // are not refreshed: after a burst they lag the tables.
  void AddMembers(const std::string& prefix, int members, int each, bool processed) {
    Sql("WITH m AS ("
        " INSERT INTO members (organization_id, phone_e164)"
        " SELECT $1, $3 || lpad(n::text, 6, '0') FROM generate_series(1, $4::int) n"
        " RETURNING organization_id, id, phone_e164),"
        " i AS (INSERT INTO inbound_messages (organization_id, channel_id, carrier_message_id,"
        " sender, sender_is_e164, recipient, body, member_id, processed_at, outcome)"
        " SELECT m.organization_id, $2, 'SM' || m.id || '-' || k, m.phone_e164, true,"
        " '+15005550006', 'backlog', m.id, CASE WHEN $6 THEN now() END,"
        " CASE WHEN $6 THEN 'keyword' END FROM m CROSS JOIN generate_series(1, $5::int) k)"
        " INSERT INTO member_events (organization_id, member_id, kind, session_id, token, payload,"
        " due_at, processed_at, outcome)"
        " SELECT m.organization_id, m.id, 'timer', m.id, k, '{\"timer\": \"wait\"}',"
        " now() - interval '1 second', CASE WHEN $6 THEN now() END,"
        " CASE WHEN $6 THEN 'fired' END FROM m CROSS JOIN generate_series(1, $5::int) k",
        org_, sms_, "+1555" + prefix, members, each, processed);
  }

  std::unique_ptr<PgInboxStore> inbox_;
  std::unique_ptr<PgProcessingStore> processing_;
  int sequence_ = 0;
};

TEST_F(PgProcessingStoreTest, JoinCreatesTheMemberConsentAndOneWelcome) {
  const InboundId join = Receive(kAlice, "JOIN");

  EXPECT_EQ(Process({kAlice}), std::vector<ChannelId>{sms_});

  const MemberId alice = Member(kAlice);
  ASSERT_NE(alice, 0);
  EXPECT_TRUE(Value<bool>("SELECT joined_at IS NOT NULL FROM members WHERE id = $1", alice));
  const auto consent =
      Sql("SELECT kind, scope, source, keyword, inbound_message_id, channel_id FROM consent_events"
          " WHERE member_id = $1",
          alice);
  ASSERT_EQ(consent.size(), 1u);
  EXPECT_EQ(consent[0][0].as<std::string>(), "opt_in");
  EXPECT_EQ(consent[0][1].as<std::string>(), "channel");
  EXPECT_EQ(consent[0][2].as<std::string>(), "keyword");
  EXPECT_EQ(consent[0][3].as<std::string>(), "join");
  EXPECT_EQ(consent[0][4].as<InboundId>(), join);
  EXPECT_EQ(consent[0][5].as<ChannelId>(), sms_);
  const auto outbound =
      Sql("SELECT body, status, kind, recipient, channel_id, inbound_message_id, priority"
          " FROM outbound_messages WHERE member_id = $1",
          alice);
  ASSERT_EQ(outbound.size(), 1u);
  EXPECT_EQ(outbound[0][0].as<std::string>(), kWelcome);
  EXPECT_EQ(outbound[0][1].as<std::string>(), "queued");
  EXPECT_EQ(outbound[0][2].as<std::string>(), "reply");
  EXPECT_EQ(outbound[0][3].as<std::string>(), kAlice);
  EXPECT_EQ(outbound[0][4].as<ChannelId>(), sms_);
  EXPECT_EQ(outbound[0][5].as<InboundId>(), join);
  EXPECT_EQ(outbound[0][6].as<int>(), 0);
  const auto inbound =
      Sql("SELECT processed_at IS NOT NULL, member_id, outcome FROM inbound_messages WHERE id = $1",
          join);
  EXPECT_TRUE(inbound[0][0].as<bool>());
  EXPECT_EQ(inbound[0][1].as<MemberId>(), alice);
  EXPECT_EQ(inbound[0][2].as<std::string>(), "keyword");
}

TEST_F(PgProcessingStoreTest, StopRecordsTheOptOutConfirmsAndCancelsQueuedReplies) {
  Receive(kAlice, "JOIN");
  Process({kAlice});
  const MemberId alice = Member(kAlice);
  const OutboundId welcome =
      Value<OutboundId>("SELECT id FROM outbound_messages WHERE member_id = $1", alice);
  ASSERT_EQ(Status(welcome), "queued");
  // Another channel's queued message is not this STOP's business.
  const OutboundId elsewhere = InsertOutbound({.channel = alerts_, .member = alice});

  const InboundId stop = Receive(kAlice, "STOP");
  EXPECT_EQ(Process({kAlice}), std::vector<ChannelId>{sms_});

  const auto consent =
      Sql("SELECT kind, scope, source, keyword, inbound_message_id FROM consent_events"
          " WHERE member_id = $1 AND kind = 'opt_out'",
          alice);
  ASSERT_EQ(consent.size(), 1u);
  EXPECT_EQ(consent[0][1].as<std::string>(), "channel");
  EXPECT_EQ(consent[0][2].as<std::string>(), "keyword");
  EXPECT_EQ(consent[0][3].as<std::string>(), "stop");
  EXPECT_EQ(consent[0][4].as<InboundId>(), stop);
  EXPECT_EQ(
      Count("SELECT count(*) FROM opt_outs WHERE member_id = $1 AND channel_id = $2", alice, sms_),
      1);
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs WHERE member_id = $1", alice), 1);
  EXPECT_EQ(Status(welcome), "cancelled");
  EXPECT_EQ(Value<std::string>("SELECT error_code FROM outbound_messages WHERE id = $1", welcome),
            "opted_out");
  EXPECT_EQ(Status(elsewhere), "queued");
  const auto confirmation =
      Sql("SELECT body, kind, status FROM outbound_messages WHERE inbound_message_id = $1", stop);
  ASSERT_EQ(confirmation.size(), 1u);
  EXPECT_EQ(confirmation[0][0].as<std::string>(), kStopConfirmation);
  EXPECT_EQ(confirmation[0][1].as<std::string>(), "compliance");
  EXPECT_EQ(confirmation[0][2].as<std::string>(), "queued");
  EXPECT_EQ(Outcome(stop), "opt_out");
}

TEST_F(PgProcessingStoreTest, StopTwiceGivesExactlyOneConfirmation) {
  Receive(kAlice, "STOP");
  Process({kAlice});
  const InboundId again = Receive(kAlice, "stop");
  EXPECT_TRUE(Process({kAlice}).empty());  // nothing new to send

  const MemberId alice = Member(kAlice);
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE member_id = $1 AND body = $2",
                  alice, std::string(kStopConfirmation)),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE status = 'queued'"), 1);
  // What the member said is still recorded.
  EXPECT_EQ(
      Count("SELECT count(*) FROM consent_events WHERE member_id = $1 AND kind = 'opt_out'", alice),
      2);
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs WHERE member_id = $1", alice), 1);
  EXPECT_EQ(Outcome(again), "already_opted_out");
}

TEST_F(PgProcessingStoreTest, OptOutKeepsItsOriginalTime) {
  Receive(kAlice, "STOP");
  Process({kAlice});
  const MemberId alice = Member(kAlice);
  Sql("UPDATE opt_outs SET created_at = '2020-01-01T00:00:00Z' WHERE member_id = $1", alice);
  Receive(kAlice, "STOP");
  Process({kAlice});
  EXPECT_EQ(Value<std::string>("SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
                               " FROM opt_outs WHERE member_id = $1",
                               alice),
            "2020-01-01");
}

TEST_F(PgProcessingStoreTest, HindiStopSetsTheMemberLanguageAndConfirmsInHindi) {
  const InboundId stop = Receive(kAlice, "बंद");
  Process({kAlice});
  const MemberId alice = Member(kAlice);
  EXPECT_EQ(Value<std::string>("SELECT language FROM members WHERE id = $1", alice), "hi");
  EXPECT_EQ(Value<std::string>("SELECT language FROM consent_events WHERE member_id = $1", alice),
            "hi");
  const auto reply =
      Sql("SELECT body, encoding FROM outbound_messages WHERE inbound_message_id = $1", stop);
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0][0].as<std::string>(), "एक्मे: आपकी सदस्यता रद्द हो गई।");
  EXPECT_EQ(reply[0][1].as<std::string>(), "ucs2");

  // The member's language sticks: HELP in English is answered in Hindi.
  const InboundId help = Receive(kAlice, "HELP");
  Process({kAlice});
  const auto help_reply =
      Sql("SELECT body, kind, status FROM outbound_messages WHERE inbound_message_id = $1", help);
  ASSERT_EQ(help_reply.size(), 1u);
  EXPECT_EQ(help_reply[0][0].as<std::string>(), "एक्मे: जुड़ने के लिए JOIN भेजें।");
  EXPECT_EQ(help_reply[0][1].as<std::string>(), "compliance");  // reaches her though opted out
  EXPECT_EQ(help_reply[0][2].as<std::string>(), "queued");
}

TEST_F(PgProcessingStoreTest, StopAllThenStartOnAChannelLiftsTheOrganizationOptOut) {
  const InboundId stopall = Receive(kAlice, "STOPALL");
  Process({kAlice});
  const MemberId alice = Member(kAlice);
  EXPECT_EQ(Outcome(stopall), "opt_out_all");
  EXPECT_EQ(
      Count("SELECT count(*) FROM opt_outs WHERE member_id = $1 AND channel_id IS NULL", alice), 1);
  EXPECT_EQ(
      Value<std::string>("SELECT scope FROM consent_events WHERE inbound_message_id = $1", stopall),
      "organization");
  // While opted out of the organization, a text on the other channel gets nothing.
  const InboundId ignored = Receive(kAlice, "hello", alerts_);
  Process({kAlice});
  EXPECT_EQ(Outcome(ignored), "suppressed");

  const InboundId start = Receive(kAlice, "START");
  Process({kAlice});
  EXPECT_EQ(Outcome(start), "opt_in");
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs WHERE member_id = $1", alice), 0);
  EXPECT_EQ(
      Value<std::string>("SELECT kind FROM consent_events WHERE inbound_message_id = $1", start),
      "opt_in");

  const InboundId hello = Receive(kAlice, "hello");
  Process({kAlice});
  EXPECT_EQ(Outcome(hello), "default_reply");
}

TEST_F(PgProcessingStoreTest, MessagesOfOneMemberAreDecidedInArrivalOrder) {
  const InboundId join = Receive(kAlice, "JOIN");
  const InboundId stop = Receive(kAlice, "STOP");
  ASSERT_LT(join, stop);

  std::vector<InboundId> seen;
  auto decide = Decide();
  auto result = processing_->ProcessBatch({Key(kAlice)}, [&](const BatchContext& ctx) {
    for (const auto& m : ctx.events) seen.push_back(m.id);
    return decide(ctx);
  });
  ASSERT_TRUE(result.ok()) << result.error().message;

  EXPECT_EQ(seen, (std::vector<InboundId>{join, stop}));
  // JOIN then STOP: opted out, the welcome never leaves, the confirmation does.
  const MemberId alice = Member(kAlice);
  EXPECT_EQ(Outcome(join), "keyword");
  EXPECT_EQ(Outcome(stop), "opt_out");
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs WHERE member_id = $1", alice), 1);
  EXPECT_EQ(Value<std::string>("SELECT status FROM outbound_messages WHERE inbound_message_id = $1",
                               join),
            "cancelled");
  EXPECT_EQ(Value<std::string>("SELECT status FROM outbound_messages WHERE inbound_message_id = $1",
                               stop),
            "queued");
}

TEST_F(PgProcessingStoreTest, BatchLoadsEveryUnprocessedMessageOfItsMembersOnly) {
  Receive(kAlice, "hello");
  Receive(kBob, "hello");
  Receive(kAlice, "NEWS");
  Receive("+15005550199", "hello");

  std::size_t loaded = 0;
  auto decide = Decide();
  auto result = processing_->ProcessBatch({Key(kAlice), Key(kBob), Key(kAlice)},
                                          [&](const BatchContext& ctx) {
                                            loaded = ctx.events.size();
                                            EXPECT_EQ(ctx.members.size(), 2u);
                                            return decide(ctx);
                                          });
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(loaded, 3u);
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages WHERE processed_at IS NULL"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM members"), 3) << "the inbox creates every sender's member";
}

TEST_F(PgProcessingStoreTest, SecondBatchForTheSameKeysFindsNothing) {
  Receive(kAlice, "JOIN");
  Receive(kBob, "hello");
  Process({kAlice, kBob});
  const auto outbound = Count("SELECT count(*) FROM outbound_messages");
  ASSERT_EQ(outbound, 2);

  int calls = 0;
  auto result = processing_->ProcessBatch({Key(kAlice), Key(kBob)}, [&](const BatchContext& ctx) {
    ++calls;
    return Decide()(ctx);
  });
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result->outbound_channels.empty());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages"), outbound);
}

TEST_F(PgProcessingStoreTest, NonE164SenderIsStoredProcessedWithoutAMember) {
  ingest::InboundItem in = Inbound(sms_, "SMbot", "ACME-BOT", "hello");
  in.sender_is_e164 = false;
  auto stored = inbox_->StoreBatch({in});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->members, std::vector<MemberId>{0}) << "nothing to hint";
  const auto row =
      Sql("SELECT processed_at IS NOT NULL, member_id IS NULL, outcome"
          " FROM inbound_messages WHERE carrier_message_id = 'SMbot'");
  EXPECT_TRUE(row[0][0].as<bool>());
  EXPECT_TRUE(row[0][1].as<bool>());
  EXPECT_EQ(row[0][2].as<std::string>(), "invalid_sender");
  EXPECT_EQ(Count("SELECT count(*) FROM members"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages"), 0);
}

TEST_F(PgProcessingStoreTest, FindUnprocessedReturnsMembersWithOldUnprocessedMessages) {
  const InboundId old = Receive(kAlice, "hello");
  Receive(kBob, "hello");  // unprocessed, but fresh
  const InboundId done = Receive("+15005550199", "hello");
  Sql("UPDATE inbound_messages SET received_at = now() - interval '1 hour' WHERE id IN ($1, $2)",
      old, done);
  Sql("UPDATE inbound_messages SET processed_at = now(), outcome = 'keyword' WHERE id = $1", done);

  auto found = processing_->FindUnprocessed(std::chrono::minutes(5), 100);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(*found, (std::vector<MemberKey>{Key(kAlice)}));
}

TEST_F(PgProcessingStoreTest, QuarantineMarksEveryUnprocessedMessageOfTheMemberAsError) {
  const InboundId first = Receive(kAlice, "hello");
  const InboundId second = Receive(kAlice, "NEWS");
  const InboundId bobs = Receive(kBob, "hello");

  ASSERT_TRUE(processing_->Quarantine(Key(kAlice)).ok());

  for (InboundId id : {first, second}) {
    EXPECT_EQ(Outcome(id), "error");
    EXPECT_TRUE(
        Value<bool>("SELECT processed_at IS NOT NULL FROM inbound_messages WHERE id = $1", id));
  }
  EXPECT_TRUE(Value<bool>("SELECT processed_at IS NULL FROM inbound_messages WHERE id = $1", bobs));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 3);  // kept, not deleted
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages"), 0);
  // Quarantined messages are never routed afterwards.
  EXPECT_TRUE(Process({kAlice}).empty());
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages"), 0);
}

TEST_F(PgProcessingStoreTest, LoopGuardCancelsTheFourthIdenticalReplyWithinTheWindow) {
  for (int i = 0; i < 4; ++i) {
    Receive(kAlice, "hello?");
    Process({kAlice});  // one batch each: the count comes from the database every time
  }
  const auto rows =
      Sql("SELECT status, error_code FROM outbound_messages"
          " WHERE body = $1 ORDER BY id",
          std::string(kDefaultReply));
  ASSERT_EQ(rows.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rows[i][0].as<std::string>(), "queued") << i;
  EXPECT_EQ(rows[3][0].as<std::string>(), "cancelled");
  EXPECT_EQ(rows[3][1].as<std::string>(), "loop_guard");
}

TEST_F(PgProcessingStoreTest, LoopGuardForgetsRepliesOutsideTheWindow) {
  for (int i = 0; i < 3; ++i) {
    Receive(kAlice, "hello?");
    Process({kAlice});
  }
  Sql("UPDATE outbound_messages SET created_at = now() - interval '2 hours'");
  Receive(kAlice, "hello?");
  Process({kAlice});
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE status = 'queued'"), 4);
}

TEST_F(PgProcessingStoreTest, OverlappingBatchesOnTwoNodesNeverProcessAMessageTwice) {
  constexpr int kMembers = 24;
  constexpr int kMessagesEach = 5;
  std::vector<std::string> phones;
  for (int m = 0; m < kMembers; ++m) phones.push_back("+15005550" + std::to_string(300 + m));
  std::vector<ingest::WebhookItem> items;
  for (int i = 0; i < kMessagesEach; ++i) {
    for (int m = 0; m < kMembers; ++m) {
      items.push_back(Inbound(sms_, "SMc" + std::to_string(m) + "_" + std::to_string(i), phones[m],
                              i == 0 ? "JOIN" : "hello " + std::to_string(i)));
    }
  }
  ASSERT_TRUE(inbox_->StoreBatch(items).ok());

  // Both nodes walk every member in overlapping windows of 4, one window apart, as two nodes
  // would after receiving the same hints: most batches contend for the same members.
  std::vector<MemberKey> members;  // the fixture's connection is not for the nodes' threads
  for (const auto& phone : phones) members.push_back(Key(phone));
  std::latch start(2);
  std::atomic<int> failures{0};
  auto node = [&](int offset) {
    PgProcessingStore store(url());
    start.arrive_and_wait();
    for (int first = offset; first < kMembers; first += 2) {
      std::vector<MemberKey> keys;
      for (int k = first; k < std::min(first + 4, kMembers); ++k) {
        keys.push_back(members[k]);
      }
      if (!store.ProcessBatch(keys, Decide()).ok()) ++failures;
    }
  };
  std::thread a(node, 0), b(node, 1);
  a.join();
  b.join();

  EXPECT_EQ(failures.load(), 0);
  const std::int64_t total = kMembers * kMessagesEach;
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages WHERE processed_at IS NULL"), 0);
  // Every message here gets exactly one reply (queued or cancelled by the loop guard).
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages"), total);
  EXPECT_EQ(Count("SELECT count(DISTINCT inbound_message_id) FROM outbound_messages"), total);
  EXPECT_EQ(Count("SELECT count(*) FROM members"), kMembers);
  EXPECT_EQ(Count("SELECT count(*) FROM consent_events"), kMembers);
}

// What loading one batch of `members` with kLoadEvents costs, read from EXPLAIN ANALYZE of the
// statement as a generic plan (the plan a prepared statement ends up with, and the one that
// used to scan every pending row when the backlog was large), on a connection set up as the
// store sets up its own.
struct LoadCost {
  std::int64_t rows = 0;   // rows of inbound_messages and member_events it looked at
  std::int64_t pages = 0;  // shared buffers it hit or read
};

LoadCost MeasureLoad(const std::string& url, OrganizationId org,
                     const std::vector<MemberId>& members) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  tx.exec(std::string("PREPARE load_events AS ") + kLoadEvents.sql);
  tx.exec("SET plan_cache_mode = force_generic_plan");
  tx.exec("SET enable_seqscan = off");  // as PgProcessingStore's connections
  std::string ids = "{", orgs = "{";
  for (std::size_t i = 0; i < members.size(); ++i) {
    ids += (i ? "," : "") + std::to_string(members[i]);
    orgs += (i ? "," : "") + std::to_string(org);
  }
  // EXPLAIN takes no bind parameters: the arrays are written into the statement.
  const std::string plan = tx.exec1("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE load_events(" +
                                    tx.quote(orgs + "}") + ", " + tx.quote(ids + "}") + ", 64)")[0]
                               .as<std::string>();
  // Every plan node that reads the two tables: rows returned and rows filtered away, per loop.
  const pqxx::row cost = tx.exec_params1(R"sql(
WITH RECURSIVE nodes(n) AS (
  SELECT $1::jsonb -> 0 -> 'Plan'
  UNION ALL
  SELECT jsonb_array_elements(n -> 'Plans') FROM nodes WHERE n ? 'Plans')
SELECT COALESCE(sum(((n ->> 'Actual Rows')::numeric
                     + COALESCE((n ->> 'Rows Removed by Filter')::numeric, 0))
                    * (n ->> 'Actual Loops')::numeric), 0)::bigint,
       (($1::jsonb -> 0 -> 'Plan' ->> 'Shared Hit Blocks')::bigint
        + ($1::jsonb -> 0 -> 'Plan' ->> 'Shared Read Blocks')::bigint)
  FROM nodes WHERE n ->> 'Relation Name' IN ('inbound_messages', 'member_events')
)sql",
                                         plan);
  return LoadCost{cost[0].as<std::int64_t>(), cost[1].as<std::int64_t>()};
}

// Issue 6: catching up after an outage must not be slowest when the backlog is largest.
TEST_F(PgProcessingStoreTest, LoadingABatchLooksAtItsOwnRowsWhateverTheBacklogAndStatistics) {
  // A live system's history, analyzed while nothing waited: 100,000 processed events.
  AddMembers("9", 10'000, 5, /*processed=*/true);
  Sql("ANALYZE");
  // The batch: 100 members with one waiting message and one due timer each.
  AddMembers("7", 100, 1, /*processed=*/false);
  std::vector<MemberId> batch;
  for (const auto& row : Sql("SELECT id FROM members WHERE phone_e164 LIKE '+15557%' ORDER BY id")) {
    batch.push_back(row[0].as<MemberId>());
  }
  const LoadCost quiet = MeasureLoad(url(), org_, batch);
  // An outage, or timers due together: 100,000 events of other members wait, faster than
  // autovacuum analyzes.
  AddMembers("8", 10'000, 5, /*processed=*/false);
  ASSERT_EQ(Count("SELECT (SELECT count(*) FROM inbound_messages WHERE processed_at IS NULL)"
                  " + (SELECT count(*) FROM member_events WHERE processed_at IS NULL)"),
            100'200);
  const LoadCost stale = MeasureLoad(url(), org_, batch);
  Sql("ANALYZE");
  const LoadCost analyzed = MeasureLoad(url(), org_, batch);

  // The batch's own 200 rows, looked up member by member: not one row of the backlog, with the
  // statistics of the quiet moment or fresh ones.
  EXPECT_EQ(quiet.rows, 200);
  EXPECT_EQ(stale.rows, 200) << "the load looked at the backlog";
  EXPECT_EQ(analyzed.rows, 200);
  EXPECT_LE(stale.pages, 2 * quiet.pages + 400)
      << "pages: " << quiet.pages << " quiet, " << stale.pages << " behind the backlog";
}

}  // namespace
}  // namespace chorus::store::pg
