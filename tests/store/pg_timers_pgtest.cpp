// Timers and event follow-ups in PostgreSQL: what PgProcessingStore::ClaimDue starts and
// claims, with one node and with two at once, and chorus_next_local_time (migration 0007), the
// "wait until 09:00 local time" of flows.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <latch>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/pg/pg_processing_store.hpp"
#include "store/pg/pg_workspace_store.hpp"
#include "store/store_fixtures.hpp"
#include "workspace/file/flow_file.hpp"

namespace chorus::store::pg {
namespace {

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using workspace::Definition;

constexpr auto kLease = std::chrono::minutes(10);

// `url` with a lock timeout: a statement that would wait for a row another transaction holds
// fails after 3 s instead of hanging the test (SKIP LOCKED never waits).
std::string WithLockTimeout(const std::string& url) {
  if (url.find("://") != std::string::npos) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") +
           "options=-c%20lock_timeout%3D3000";
  }
  return url + " options='-c lock_timeout=3000'";
}

workspace::FlowDefinition SendFlow(const std::string& slug) {
  const std::string json = R"({"slug": ")" + slug +
                           R"(", "steps": [{"id": "hi", "kind": "SEND", "text": {"en": "Hi from )" +
                           slug + R"("}}]})";
  auto flow = workspace::file::ParseFlowJson(json);
  EXPECT_TRUE(flow.ok()) << json;
  return {flow.ok() ? *flow : flows::Flow{}, json};
}

workspace::EventDefinition RallyAt(std::string slug, std::string starts) {
  workspace::EventDefinition e;
  e.slug = std::move(slug);
  e.title = {{"en", "Rally"}};
  e.starts_local = std::move(starts);
  e.time_zone = "America/New_York";
  e.follow_up_after_seconds = 3600;
  e.attended_flow = "thanks";
  e.absent_flow = "missed-you";
  return e;
}

// ---- event follow-ups --------------------------------------------------------------------

class PgFollowUpTest : public AcmeStoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AcmeStoreTest::SetUp());
    definition_ = AcmeDefinition();
    definition_.flows = {SendFlow("thanks"), SendFlow("missed-you")};
    // Over long ago: its follow-ups are due.
    definition_.events = {RallyAt("rally", "2020-05-01T18:00"),
                          RallyAt("next-year", "2099-05-01T18:00")};
    ASSERT_NO_FATAL_FAILURE(Apply());
    rally_ = Value<std::int64_t>("SELECT id FROM events WHERE slug = 'rally'");
    for (const char* name : {"alice", "bob", "carol", "dave", "erin"}) {
      const std::string phone = "+1555010" + std::to_string(1000 + names_.size());
      const MemberId id = InsertMember(phone);
      members_[name] = id;
      names_[id] = name;
    }
  }

  void Apply() {
    PgWorkspaceStore workspaces(url(), TestKeyring());
    auto applied = workspaces.Apply(definition_);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
  }

  void Act(const std::string& member, const std::string& kind, const std::string& value,
           std::int64_t event, ChannelId channel) {
    Sql("INSERT INTO actions (organization_id, member_id, kind, target, event_id, value,"
        " channel_id) VALUES ($1, $2, $3, 'rally', $4, $5, $6)",
        org_, members_.at(member), kind, event, value, channel);
  }

  std::vector<std::string> ClaimDue(PgProcessingStore& store) {
    auto claimed = store.ClaimDue(100, kLease);
    EXPECT_TRUE(claimed.ok()) << claimed.error().message;
    std::vector<std::string> out;
    if (!claimed.ok()) return out;
    for (const auto& key : *claimed) {
      EXPECT_EQ(key.organization_id, org_);
      out.push_back(names_.count(key.member_id) ? names_.at(key.member_id) : "?");
    }
    return out;
  }

  // "member flow" for every flow_start event.
  std::vector<std::string> FlowStarts() {
    std::vector<std::string> out;
    for (const auto& row : Sql("SELECT member_id, payload->>'flow' FROM member_events"
                               " WHERE kind = 'flow_start' ORDER BY id")) {
      out.push_back(names_.at(row[0].as<MemberId>()) + " " + row[1].c_str());
    }
    return out;
  }

  Definition definition_;
  std::int64_t rally_ = 0;
  std::map<std::string, MemberId> members_;
  std::map<MemberId, std::string> names_;
};

TEST_F(PgFollowUpTest, AttendeesStartTheAttendedFlowAndYesRsvpsWhoStayedAwayTheAbsentFlow) {
  const std::int64_t next_year =
      Value<std::int64_t>("SELECT id FROM events WHERE slug = 'next-year'");
  Act("alice", "check_in", "here", rally_, alerts_);
  Act("bob", "rsvp", "yes", rally_, sms_);
  Act("carol", "rsvp", "no", rally_, sms_);
  Act("dave", "rsvp", "yes", rally_, sms_);
  Act("dave", "check_in", "here", rally_, sms_);
  Act("erin", "rsvp", "maybe", rally_, sms_);
  Act("erin", "check_in", "here", next_year, sms_);  // another event, not over yet

  PgProcessingStore store(url());
  EXPECT_THAT(ClaimDue(store), UnorderedElementsAre("alice", "bob", "dave"))
      << "the flow starts are due at once and claimed with the follow-ups";
  EXPECT_THAT(FlowStarts(), UnorderedElementsAre("alice thanks", "bob missed-you", "dave thanks"));
  EXPECT_EQ(Count("SELECT count(*) FROM member_events WHERE kind = 'flow_start'"
                  " AND (payload->>'event_id')::bigint = $1",
                  rally_),
            3);
  EXPECT_EQ(Value<ChannelId>("SELECT channel_id FROM member_events WHERE member_id = $1",
                             members_.at("alice")),
            alerts_)
      << "on the channel the member acted on";
  EXPECT_EQ(Count("SELECT count(*) FROM event_follow_ups WHERE attended"), 2);
  EXPECT_EQ(
      Count("SELECT count(*) FROM events WHERE slug = 'rally' AND followed_up_at IS NOT NULL"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM events WHERE slug = 'next-year'"
                  " AND followed_up_at IS NULL"),
            1);
}

TEST_F(PgFollowUpTest, EachMemberIsFollowedUpOnceWhenClaimDueRunsAgainOrTheEventIsReapplied) {
  Act("alice", "check_in", "here", rally_, sms_);
  Act("bob", "rsvp", "yes", rally_, sms_);
  PgProcessingStore node_a(url());
  PgProcessingStore node_b(url());
  EXPECT_THAT(ClaimDue(node_a), UnorderedElementsAre("alice", "bob"));
  EXPECT_THAT(ClaimDue(node_b), IsEmpty());
  EXPECT_THAT(ClaimDue(node_a), IsEmpty());
  ASSERT_NO_FATAL_FAILURE(Apply());  // the same file again
  EXPECT_THAT(ClaimDue(node_b), IsEmpty());
  Sql("UPDATE member_events SET claimed_until = now() - interval '1 second'");  // leases end
  EXPECT_THAT(ClaimDue(node_b), UnorderedElementsAre("alice", "bob"))
      << "the same two events, claimed again";
  EXPECT_THAT(FlowStarts(), UnorderedElementsAre("alice thanks", "bob missed-you"));
}

TEST_F(PgFollowUpTest, AMovedEventIsFollowedUpAgainYetEachMemberStillOnce) {
  Act("alice", "check_in", "here", rally_, sms_);
  PgProcessingStore store(url());
  EXPECT_THAT(ClaimDue(store), UnorderedElementsAre("alice"));
  Act("bob", "rsvp", "yes", rally_, sms_);  // after the follow-ups ran

  definition_.events[0].starts_local = "2020-05-02T18:00";  // moved a day, still over
  ASSERT_NO_FATAL_FAILURE(Apply());
  EXPECT_EQ(Count("SELECT count(*) FROM events WHERE slug = 'rally' AND followed_up_at IS NULL"), 1)
      << "a new follow-up time makes them due again";
  EXPECT_THAT(ClaimDue(store), UnorderedElementsAre("bob"));
  EXPECT_THAT(FlowStarts(), UnorderedElementsAre("alice thanks", "bob missed-you"));
  EXPECT_EQ(Count("SELECT count(*) FROM event_follow_ups"), 2);
}

TEST_F(PgFollowUpTest, AnEventWithoutAFollowUpFlowOrNotOverYetStartsNothing) {
  definition_.events[0].attended_flow.clear();
  definition_.events[0].absent_flow.clear();
  ASSERT_NO_FATAL_FAILURE(Apply());
  const std::int64_t next_year =
      Value<std::int64_t>("SELECT id FROM events WHERE slug = 'next-year'");
  Act("alice", "check_in", "here", rally_, sms_);
  Act("bob", "rsvp", "yes", next_year, sms_);
  PgProcessingStore store(url());
  EXPECT_THAT(ClaimDue(store), IsEmpty());
  EXPECT_THAT(FlowStarts(), IsEmpty());
}

TEST_F(PgFollowUpTest, TwoNodesStartingFollowUpsTogetherStartEachMemberOnce) {
  // 30 events over, five members at each: every (event, member) starts one flow.
  definition_.events.clear();
  for (int i = 0; i < 30; ++i) {
    definition_.events.push_back(
        RallyAt("past-" + std::to_string(i),
                "2020-05-" + std::to_string(10 + i / 10) + "T0" + std::to_string(i % 10) + ":00"));
  }
  // Connected and prepared before the events exist, so neither is done before the other begins.
  PgProcessingStore a(url()), b(url());
  ASSERT_TRUE(a.ClaimDue(0, kLease).ok());
  ASSERT_TRUE(b.ClaimDue(0, kLease).ok());
  ASSERT_NO_FATAL_FAILURE(Apply());
  Sql("INSERT INTO actions (organization_id, member_id, kind, event_id, value, channel_id)"
      " SELECT $1, m.id, CASE WHEN m.id % 2 = 0 THEN 'check_in' ELSE 'rsvp' END, e.id, 'yes', $2"
      "   FROM members m CROSS JOIN events e WHERE e.slug LIKE 'past-%'",
      org_, sms_);
  std::latch start(2);
  auto run = [&](PgProcessingStore& store, bool& failed) {
    start.arrive_and_wait();
    for (int i = 0; i < 10; ++i) failed |= !store.ClaimDue(1000, kLease).ok();
  };
  bool a_failed = false, b_failed = false;
  std::thread ta(run, std::ref(a), std::ref(a_failed));
  std::thread tb(run, std::ref(b), std::ref(b_failed));
  ta.join();
  tb.join();
  EXPECT_FALSE(a_failed);
  EXPECT_FALSE(b_failed);
  EXPECT_EQ(Count("SELECT count(*) FROM member_events WHERE kind = 'flow_start'"), 30 * 5);
  EXPECT_EQ(Count("SELECT count(DISTINCT (member_id, payload->>'event_id')) FROM member_events"
                  " WHERE kind = 'flow_start'"),
            30 * 5);
  EXPECT_EQ(
      Count("SELECT count(*) FROM events WHERE slug LIKE 'past-%' AND followed_up_at IS NULL"), 0);
}

TEST_F(PgFollowUpTest, FollowUpsAnotherNodeIsStartingAreSkippedNotWaitedFor) {
  Act("alice", "check_in", "here", rally_, sms_);
  pqxx::work holder(Connection());  // another node, inside its follow-up transaction
  holder.exec_params("SELECT 1 FROM events WHERE id = $1 FOR UPDATE", rally_);
  PgProcessingStore store(WithLockTimeout(url()));
  auto claimed = store.ClaimDue(100, kLease);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message << " (waited for the held event)";
  EXPECT_THAT(*claimed, IsEmpty());
  holder.abort();
  EXPECT_THAT(ClaimDue(store), UnorderedElementsAre("alice"));
}

// ---- due events, two claimers ------------------------------------------------------------

class PgTimerClaimTest : public AcmeStoreTest {
 protected:
  // `n` members, each with one timer that fell due a minute ago.
  std::vector<MemberId> DueTimers(int n) {
    Sql("INSERT INTO members (organization_id, phone_e164)"
        " SELECT $1, '+1555' || lpad(g::text, 7, '0') FROM generate_series(1, $2) g",
        org_, n);
    Sql("INSERT INTO member_events (organization_id, member_id, kind, payload, due_at)"
        " SELECT organization_id, id, 'timer', '{\"timer\": \"timeout\"}',"
        "        now() - interval '1 minute' FROM members WHERE organization_id = $1",
        org_);
    std::vector<MemberId> out;
    for (const auto& row : Sql("SELECT id FROM members ORDER BY id")) {
      out.push_back(row[0].as<MemberId>());
    }
    return out;
  }
};

TEST_F(PgTimerClaimTest, TwoClaimersAtOnceClaimEveryDueTimerAndNoneTwice) {
  const std::vector<MemberId> members = DueTimers(2000);
  ASSERT_EQ(members.size(), 2000u);
  struct Claimer {
    std::unique_ptr<PgProcessingStore> store;
    std::vector<MemberId> claimed;
    std::size_t calls = 0, largest = 0;
    std::string error;
  };
  Claimer a{std::make_unique<PgProcessingStore>(url())};
  Claimer b{std::make_unique<PgProcessingStore>(url())};
  // Connected and prepared before the start, so neither claimer is done before the other begins.
  ASSERT_TRUE(a.store->ClaimDue(0, kLease).ok());
  ASSERT_TRUE(b.store->ClaimDue(0, kLease).ok());
  std::latch start(2);
  auto run = [&](Claimer& c) {
    start.arrive_and_wait();
    // Bounded: a claim that did not hold would hand out the same events for ever.
    for (int i = 0; i < 1000; ++i) {
      auto keys = c.store->ClaimDue(25, kLease);
      if (!keys.ok()) {
        c.error = keys.error().message;
        return;
      }
      if (keys->empty()) return;  // nothing left that the other is not holding
      ++c.calls;
      c.largest = std::max(c.largest, keys->size());
      for (const auto& key : *keys) c.claimed.push_back(key.member_id);
    }
  };
  std::thread ta(run, std::ref(a));
  std::thread tb(run, std::ref(b));
  ta.join();
  tb.join();
  ASSERT_EQ(a.error, "");
  ASSERT_EQ(b.error, "");
  EXPECT_GT(a.claimed.size(), 0u) << "both claimers took part";
  EXPECT_GT(b.claimed.size(), 0u) << "both claimers took part";
  EXPECT_LE(a.largest, 25u);
  EXPECT_LE(b.largest, 25u);

  const std::set<MemberId> by_a(a.claimed.begin(), a.claimed.end());
  const std::set<MemberId> by_b(b.claimed.begin(), b.claimed.end());
  EXPECT_EQ(by_a.size(), a.claimed.size()) << "a claimer got a member twice";
  EXPECT_EQ(by_b.size(), b.claimed.size()) << "a claimer got a member twice";
  std::vector<MemberId> both;
  std::set_intersection(by_a.begin(), by_a.end(), by_b.begin(), by_b.end(),
                        std::back_inserter(both));
  EXPECT_THAT(both, IsEmpty()) << "claimed by both";
  std::set<MemberId> all = by_a;
  all.insert(by_b.begin(), by_b.end());
  EXPECT_EQ(all, std::set<MemberId>(members.begin(), members.end()));
  EXPECT_EQ(Count("SELECT count(*) FROM member_events WHERE claimed_until IS NULL"
                  " OR claimed_until < now() + interval '9 minutes'"),
            0)
      << "every event holds its lease";
}

TEST_F(PgTimerClaimTest, AClaimSkipsEventsAnotherTransactionHoldsInsteadOfWaiting) {
  const std::vector<MemberId> members = DueTimers(2);
  pqxx::work holder(Connection());
  holder.exec_params("SELECT 1 FROM member_events WHERE member_id = $1 FOR UPDATE", members[0]);
  PgProcessingStore store(WithLockTimeout(url()));
  auto claimed = store.ClaimDue(10, kLease);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message << " (waited for the held event)";
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(claimed->front().member_id, members[1]);
  holder.abort();
  claimed = store.ClaimDue(10, kLease);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(claimed->front().member_id, members[0]);
}

// ---- chorus_next_local_time ----------------------------------------------------------------

// A UTC instant from its civil date and time, computed without the database.
TimePoint Utc(int y, unsigned mo, unsigned d, int h, int mi = 0) {
  using namespace std::chrono;
  return TimePoint(sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi});
}

std::int64_t Micros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

struct NextLocalTime {
  std::string name;
  std::string zone;
  int minute;
  TimePoint at;        // "now"
  TimePoint expected;  // the next time the zone's clock shows `minute`
};

// chorus_next_local_time at chosen instants (its `at`, which defaults to now()).
class PgNextLocalTimeTest : public StoreTest {
 protected:
  TimePoint NextAt(const std::string& zone, int minute, TimePoint at) {
    const auto micros = Value<std::int64_t>(
        "SELECT (extract(epoch FROM chorus_next_local_time($1, $2,"
        " to_timestamp($3::double precision / 1e6))) * 1e6)::bigint",
        zone, minute, static_cast<double>(Micros(at)));
    return TimePoint(std::chrono::microseconds(micros));
  }
};

TEST_F(PgNextLocalTimeTest, NineInTheMorningIsFoundAcrossDaylightSavingChanges) {
  const std::vector<NextLocalTime> cases = {
      // New York, spring forward (Sunday 8 March 2026, 02:00 EST -> 03:00 EDT).
      {"saturday 08:59 EST: today", "America/New_York", 540, Utc(2026, 3, 7, 13, 59),
       Utc(2026, 3, 7, 14)},
      {"saturday 10:00 EST: sunday 09:00 EDT, 22 hours on", "America/New_York", 540,
       Utc(2026, 3, 7, 15), Utc(2026, 3, 8, 13)},
      {"sunday 00:00 EST: 09:00 EDT the same day", "America/New_York", 540, Utc(2026, 3, 8, 5),
       Utc(2026, 3, 8, 13)},
      {"sunday 09:00 EDT exactly: monday", "America/New_York", 540, Utc(2026, 3, 8, 13),
       Utc(2026, 3, 9, 13)},
      // 02:30 does not exist that day: it is read as 02:30 EST, which the clock shows as 03:30.
      {"a time the clock skips: an hour later", "America/New_York", 150, Utc(2026, 3, 8, 5),
       Utc(2026, 3, 8, 7, 30)},
      // New York, fall back (Sunday 1 November 2026, 02:00 EDT -> 01:00 EST).
      {"saturday 10:00 EDT: sunday 09:00 EST, 24 hours on", "America/New_York", 540,
       Utc(2026, 10, 31, 14), Utc(2026, 11, 1, 14)},
      {"sunday 01:30 EDT before the change: 09:00 EST", "America/New_York", 540,
       Utc(2026, 11, 1, 5, 30), Utc(2026, 11, 1, 14)},
      {"sunday 01:30 EST after the change: 09:00 EST", "America/New_York", 540,
       Utc(2026, 11, 1, 6, 30), Utc(2026, 11, 1, 14)},
      {"sunday 09:00 EST exactly: monday", "America/New_York", 540, Utc(2026, 11, 1, 14),
       Utc(2026, 11, 2, 14)},
      // Kolkata: UTC+5:30 all year.
      {"kolkata 08:30: today", "Asia/Kolkata", 540, Utc(2026, 3, 8, 3), Utc(2026, 3, 8, 3, 30)},
      {"kolkata 09:00 exactly: tomorrow", "Asia/Kolkata", 540, Utc(2026, 3, 8, 3, 30),
       Utc(2026, 3, 9, 3, 30)},
      {"kolkata 01:30, a UTC day behind: today", "Asia/Kolkata", 540, Utc(2026, 11, 1, 20),
       Utc(2026, 11, 2, 3, 30)},
      {"kolkata midnight, already past: the next", "Asia/Kolkata", 0, Utc(2026, 11, 1, 20),
       Utc(2026, 11, 2, 18, 30)},
      // An unknown zone (a member typed it) counts as UTC.
      {"unknown zone before 09:00", "Mars/Olympus", 540, Utc(2026, 3, 8, 8), Utc(2026, 3, 8, 9)},
      {"unknown zone after 09:00", "Mars/Olympus", 540, Utc(2026, 3, 8, 10), Utc(2026, 3, 9, 9)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Micros(NextAt(c.zone, c.minute, c.at)), Micros(c.expected)) << c.name;
  }
}

TEST_F(PgNextLocalTimeTest, WithoutAnInstantItCountsFromNow) {
  for (const char* zone : {"America/New_York", "Asia/Kolkata", "UTC", "Mars/Olympus"}) {
    EXPECT_EQ(Count("SELECT count(*) FROM generate_series(0, 1439, 61) m"
                    " WHERE chorus_next_local_time($1, m) <> chorus_next_local_time($1, m, now())",
                    std::string(zone)),
              0)
        << zone;
  }
}

TEST_F(PgNextLocalTimeTest, KolkataAtNowMatchesAFixedOffsetComputedWithoutTheDatabase) {
  const pqxx::result row =
      Sql("SELECT (extract(epoch FROM now()) * 1e6)::bigint,"
          " (extract(epoch FROM chorus_next_local_time('Asia/Kolkata', 540)) * 1e6)::bigint");
  const std::int64_t now = row[0][0].as<std::int64_t>();
  const std::int64_t day = 86'400'000'000, offset = 19'800'000'000;  // +5:30
  const std::int64_t local_midnight = (now + offset) / day * day;
  std::int64_t expected = local_midnight + 9 * 3'600'000'000LL - offset;
  if (expected <= now) expected += day;
  EXPECT_EQ(row[0][1].as<std::int64_t>(), expected);
}

}  // namespace
}  // namespace chorus::store::pg
