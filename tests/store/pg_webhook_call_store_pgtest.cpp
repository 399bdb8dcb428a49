#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/pg/pg_webhook_call_store.hpp"
#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr auto kLease = std::chrono::minutes(5);

// `url` with a lock timeout: a statement that would wait for a row another transaction holds
// fails after 3 s instead of hanging the test (SKIP LOCKED never waits).
std::string WithLockTimeout(const std::string& url) {
  if (url.find("://") != std::string::npos) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") +
           "options=-c%20lock_timeout%3D3000";
  }
  return url + " options='-c lock_timeout=3000'";
}

class PgWebhookCallStoreTest : public AcmeStoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AcmeStoreTest::SetUp());
    alice_ = InsertMember(kAlice);
    node_a_ = std::make_unique<PgWebhookCallStore>(url());
    node_b_ = std::make_unique<PgWebhookCallStore>(url());
  }

  // A pending call of Alice's session (41 unless given), made at its step 7, `created_ago`
  // seconds ago.
  std::int64_t AddCall(int created_ago = 0, std::int64_t session = 41) {
    return Value<std::int64_t>(
        "INSERT INTO webhook_calls (organization_id, member_id, session_id, channel_id, token,"
        " step, url, secret_name, timeout_ms, payload, created_at)"
        " VALUES ($1, $2, $5, $3, 7, 'crm', 'https://crm.example.org/hook', 'crm', 2500,"
        " '{\"member\": \"m1\", \"zip\": \"10001\"}', now() - make_interval(secs => $4))"
        " RETURNING id",
        org_, alice_, sms_, created_ago, session);
  }

  std::vector<dispatch::WebhookCall> Claim(PgWebhookCallStore& store, std::size_t limit = 10) {
    auto claimed = store.Claim(limit, kLease);
    EXPECT_TRUE(claimed.ok()) << claimed.error().message;
    return claimed.ok() ? *claimed : std::vector<dispatch::WebhookCall>{};
  }

  static std::vector<std::int64_t> Ids(const std::vector<dispatch::WebhookCall>& calls) {
    std::vector<std::int64_t> ids;
    for (const auto& c : calls) ids.push_back(c.id);
    return ids;
  }

  bool Finish(PgWebhookCallStore& store, const dispatch::WebhookCall& call, int status, bool ok) {
    auto finished = store.Finish({dispatch::WebhookResult{call, status, ok}});
    EXPECT_TRUE(finished.ok()) << finished.error().message;
    return finished.ok() && finished->at(0);
  }

  void ExpireLeases() {
    Sql("UPDATE webhook_calls SET claimed_until = now() - interval '1 second'"
        " WHERE claimed_until IS NOT NULL");
  }

  std::int64_t ResultEvents() {
    return Count("SELECT count(*) FROM member_events WHERE kind = 'webhook_result'");
  }

  MemberId alice_ = 0;
  std::unique_ptr<PgWebhookCallStore> node_a_, node_b_;
};

TEST_F(PgWebhookCallStoreTest, AClaimReturnsAPendingCallWithWhatTheCallerNeeds) {
  const std::int64_t id = AddCall();
  const auto calls = Claim(*node_a_);
  ASSERT_EQ(calls.size(), 1u);
  const dispatch::WebhookCall& call = calls[0];
  EXPECT_EQ(call.id, id);
  EXPECT_EQ(call.organization_id, org_);
  EXPECT_EQ(call.member_id, alice_);
  EXPECT_EQ(call.url, "https://crm.example.org/hook");
  EXPECT_EQ(call.secret_name, "crm");
  EXPECT_EQ(call.timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(call.payload, R"({"zip": "10001", "member": "m1"})");
}

TEST_F(PgWebhookCallStoreTest, ACallIsClaimedOncePerLeaseOldestFirst) {
  const std::int64_t newer = AddCall(1);
  const std::int64_t older = AddCall(60);
  EXPECT_THAT(Ids(Claim(*node_a_, 1)), ElementsAre(older));
  EXPECT_THAT(Ids(Claim(*node_b_)), ElementsAre(newer));
  EXPECT_THAT(Claim(*node_a_), IsEmpty()) << "both are leased";
  EXPECT_THAT(Claim(*node_b_), IsEmpty());
  ExpireLeases();  // node A died with both
  EXPECT_THAT(Ids(Claim(*node_b_)), ElementsAre(older, newer));
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_calls WHERE claimed_until > now()"
                  " + interval '4 minutes'"),
            2)
      << "claimed for the lease";
}

TEST_F(PgWebhookCallStoreTest, AClaimSkipsCallsAnotherNodeIsClaimingInsteadOfWaiting) {
  const std::int64_t held = AddCall(10);
  const std::int64_t free = AddCall(5);
  pqxx::work holder(Connection());
  holder.exec_params("SELECT 1 FROM webhook_calls WHERE id = $1 FOR UPDATE", held);
  PgWebhookCallStore store(WithLockTimeout(url()));
  auto claimed = store.Claim(10, kLease);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message << " (waited for the held call)";
  EXPECT_THAT(Ids(*claimed), ElementsAre(free));
  holder.abort();
  EXPECT_THAT(Ids(Claim(store)), ElementsAre(held));
}

TEST_F(PgWebhookCallStoreTest, TwoNodesClaimingAtOnceShareTheCallsWithoutOverlap) {
  Sql("INSERT INTO webhook_calls (organization_id, member_id, session_id, channel_id, token,"
      " step, url, secret_name, timeout_ms, payload)"
      " SELECT $1, $2, g, $3, 1, 'crm', 'https://crm.example.org/hook', 'crm', 1000, '{}'"
      "   FROM generate_series(1, 1000) g",
      org_, alice_, sms_);
  // Connected and prepared before the start, so neither node is done before the other begins.
  ASSERT_THAT(Claim(*node_a_, 0), IsEmpty());
  ASSERT_THAT(Claim(*node_b_, 0), IsEmpty());
  std::latch start(2);
  auto run = [&](PgWebhookCallStore& store, std::vector<std::int64_t>& ids, bool& failed) {
    start.arrive_and_wait();
    // Bounded: a claim that did not hold would hand out the same calls for ever.
    for (int i = 0; i < 1000; ++i) {
      auto claimed = store.Claim(5, kLease);
      if (!claimed.ok()) {
        failed = true;
        return;
      }
      if (claimed->empty()) return;
      for (const auto& c : *claimed) ids.push_back(c.id);
    }
  };
  std::vector<std::int64_t> a, b;
  bool a_failed = false, b_failed = false;
  std::thread ta(run, std::ref(*node_a_), std::ref(a), std::ref(a_failed));
  std::thread tb(run, std::ref(*node_b_), std::ref(b), std::ref(b_failed));
  ta.join();
  tb.join();
  EXPECT_FALSE(a_failed);
  EXPECT_FALSE(b_failed);
  EXPECT_FALSE(a.empty()) << "both nodes took part";
  EXPECT_FALSE(b.empty()) << "both nodes took part";
  std::set<std::int64_t> by_a(a.begin(), a.end()), by_b(b.begin(), b.end());
  EXPECT_EQ(by_a.size(), a.size());
  EXPECT_EQ(by_b.size(), b.size());
  std::vector<std::int64_t> both;
  std::set_intersection(by_a.begin(), by_a.end(), by_b.begin(), by_b.end(),
                        std::back_inserter(both));
  EXPECT_THAT(both, IsEmpty()) << "claimed by both nodes";
  EXPECT_EQ(by_a.size() + by_b.size(), 1000u);
}

TEST_F(PgWebhookCallStoreTest, FinishRecordsTheResultAndOneWebhookResultEvent) {
  AddCall();
  const auto calls = Claim(*node_a_);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(Finish(*node_a_, calls[0], 201, true));
  const pqxx::row call =
      Sql("SELECT status, http_status, ok, finished_at IS NOT NULL FROM webhook_calls"
          " WHERE id = $1",
          calls[0].id)
          .at(0);
  EXPECT_EQ(call[0].as<std::string>(), "done");
  EXPECT_EQ(call[1].as<int>(), 201);
  EXPECT_TRUE(call[2].as<bool>());
  EXPECT_TRUE(call[3].as<bool>());

  const pqxx::result events =
      Sql("SELECT organization_id, member_id, channel_id, session_id, token,"
          " (payload->>'ok')::boolean, (payload->>'status')::int, processed_at IS NULL,"
          " due_at <= now() FROM member_events WHERE kind = 'webhook_result'");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0][0].as<OrganizationId>(), org_);
  EXPECT_EQ(events[0][1].as<MemberId>(), alice_);
  EXPECT_EQ(events[0][2].as<ChannelId>(), sms_);
  EXPECT_EQ(events[0][3].as<std::int64_t>(), 41) << "the session that called";
  EXPECT_EQ(events[0][4].as<int>(), 7) << "the step's token";
  EXPECT_TRUE(events[0][5].as<bool>());
  EXPECT_EQ(events[0][6].as<int>(), 201);
  EXPECT_TRUE(events[0][7].as<bool>()) << "pending for the member's processing";
  EXPECT_TRUE(events[0][8].as<bool>()) << "due at once";

  ExpireLeases();
  EXPECT_THAT(Claim(*node_b_), IsEmpty()) << "a finished call is never claimed again";
}

TEST_F(PgWebhookCallStoreTest, AFailedCallIsAResultToo) {
  AddCall();
  const auto calls = Claim(*node_a_);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(Finish(*node_a_, calls[0], 0, false));  // no answer in time
  EXPECT_EQ(Count("SELECT count(*) FROM member_events WHERE kind = 'webhook_result'"
                  " AND payload = '{\"ok\": false, \"status\": 0}'"),
            1);
}

TEST_F(PgWebhookCallStoreTest, ASecondFinishAfterTheLeaseExpiredReturnsFalseAndCreatesNothing) {
  AddCall();
  const auto first_claim = Claim(*node_a_);
  ASSERT_EQ(first_claim.size(), 1u);
  ExpireLeases();  // node A is slow; its lease runs out
  const auto second_claim = Claim(*node_b_);
  ASSERT_EQ(second_claim.size(), 1u);
  EXPECT_EQ(second_claim[0].id, first_claim[0].id);

  EXPECT_TRUE(Finish(*node_b_, second_claim[0], 503, false));
  EXPECT_FALSE(Finish(*node_a_, first_claim[0], 200, true)) << "finished by node B already";
  EXPECT_FALSE(Finish(*node_b_, second_claim[0], 503, false)) << "and not twice by B either";
  EXPECT_EQ(ResultEvents(), 1);
  const pqxx::row call =
      Sql("SELECT http_status, ok FROM webhook_calls WHERE id = $1", first_claim[0].id).at(0);
  EXPECT_EQ(call[0].as<int>(), 503) << "the first result stays";
  EXPECT_FALSE(call[1].as<bool>());
}

TEST_F(PgWebhookCallStoreTest, TwoNodesFinishingTheSameCallAtOnceMakeOneResult) {
  for (int i = 0; i < 50; ++i) AddCall(0, 100 + i);
  const auto calls = Claim(*node_a_, 100);
  ASSERT_EQ(calls.size(), 50u);
  std::latch start(2);
  auto run = [&](PgWebhookCallStore& store, int status, int& won, bool& failed) {
    start.arrive_and_wait();
    for (const auto& call : calls) {
      auto finished = store.Finish({dispatch::WebhookResult{call, status, true}});
      if (!finished.ok()) failed = true;
      if (finished.ok() && finished->at(0)) ++won;
    }
  };
  int a_won = 0, b_won = 0;
  bool a_failed = false, b_failed = false;
  std::thread ta(run, std::ref(*node_a_), 200, std::ref(a_won), std::ref(a_failed));
  std::thread tb(run, std::ref(*node_b_), 202, std::ref(b_won), std::ref(b_failed));
  ta.join();
  tb.join();
  EXPECT_FALSE(a_failed);
  EXPECT_FALSE(b_failed);
  EXPECT_EQ(a_won + b_won, 50) << "each call finished by exactly one node";
  EXPECT_EQ(ResultEvents(), 50);
  EXPECT_EQ(Count("SELECT count(*) FROM member_events e JOIN webhook_calls w"
                  " ON (e.payload->>'status')::int = w.http_status AND e.session_id = w.session_id"
                  " WHERE e.kind = 'webhook_result'"),
            50)
      << "each event carries the result its call recorded";
}

TEST_F(PgWebhookCallStoreTest, TwoNodesFinishingTheSameCallsInBatchesRecordEachOnce) {
  for (int i = 0; i < 60; ++i) AddCall(60 - i);
  const auto calls = Claim(*node_a_, 100);
  ASSERT_EQ(calls.size(), 60u);
  std::vector<dispatch::WebhookResult> forward, backward;
  for (const auto& call : calls) forward.push_back({call, 200, true});
  backward.assign(forward.rbegin(), forward.rend());  // the other order: no deadlock either
  std::latch start(2);
  Result<std::vector<bool>> a = std::vector<bool>{}, b = std::vector<bool>{};
  std::thread ta([&] {
    start.arrive_and_wait();
    a = node_a_->Finish(forward);
  });
  std::thread tb([&] {
    start.arrive_and_wait();
    b = node_b_->Finish(backward);
  });
  ta.join();
  tb.join();
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  int recorded = 0;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const bool by_a = a->at(i), by_b = b->at(calls.size() - 1 - i);
    EXPECT_NE(by_a, by_b) << "call " << calls[i].id << " recorded by exactly one node";
    recorded += by_a + by_b;
  }
  EXPECT_EQ(recorded, 60);
  EXPECT_EQ(Count("SELECT count(*) FROM member_events WHERE kind = 'webhook_result'"), 60);
}

}  // namespace
}  // namespace chorus::store::pg
