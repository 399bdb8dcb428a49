#include "store/pg/pg_broadcast_store.hpp"

#include <gtest/gtest.h>

#include "core/segments.hpp"
#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

using broadcasts::Action;
using broadcasts::ActiveBroadcast;
using broadcasts::Caller;
using broadcasts::Draft;
using broadcasts::Outcome;

// Broadcasts against a real database: audiences compiled to SQL, the fan-out written in
// batches that resume without duplicates, quiet hours from PostgreSQL's zone data, release
// under a queue limit, cancel, approval and a leader's reach.
class PgBroadcastTest : public AcmeStoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AcmeStoreTest::SetUp());
    store_ = std::make_unique<PgBroadcastStore>(url());
    queue_ = std::make_unique<PgBroadcastQueue>(url());
    // Quiet hours off unless a test sets them: most tests are about who, not when.
    Sql("UPDATE organizations SET time_zone = 'UTC' WHERE id = $1", org_);
  }

  // `n` joined members +1555000NNNN with the given language, tags and fields (JSON).
  void Members(int n, const std::string& language = "en", const std::string& tags = "{}",
               const std::string& fields = "{}", int first = 0) {
    Sql("INSERT INTO members (organization_id, phone_e164, language, joined_at, tags, fields)"
        " SELECT $1, '+1555' || lpad((g + $5)::text, 7, '0'), NULLIF($2, ''), now(), $3::text[],"
        " $4::jsonb FROM generate_series(1, $6) g",
        org_, language, tags, fields, first, n);
  }

  std::int64_t Chapter(const std::string& slug, const std::string& parent = "",
                       const std::string& zone = "") {
    return Value<std::int64_t>(
        "INSERT INTO chapters (organization_id, slug, name, parent_id, time_zone) VALUES ($1, $2,"
        " $2, (SELECT id FROM chapters WHERE organization_id = $1 AND slug = NULLIF($3, '')), $4)"
        " RETURNING id",
        org_, slug, parent, zone);
  }

  void Join(const std::string& phone, std::int64_t chapter) {
    Sql("INSERT INTO member_chapters (organization_id, member_id, chapter_id) SELECT $1, id, $3"
        " FROM members WHERE organization_id = $1 AND phone_e164 = $2",
        org_, phone, chapter);
  }

  Caller Organizer(const std::string& key = "", std::int64_t token = 1) {
    return Caller{org_, "token:" + std::to_string(token), token, {}, key, "POST /v1/broadcasts " + key};
  }

  static Draft Alert(const std::string& text = "Rally at noon. Reply STOP to stop.") {
    Draft d;
    d.name = "rally";
    d.variants = {{"en", text}};
    d.channels = {"acme-sms"};
    d.ignore_quiet_hours = true;
    return d;
  }

  std::int64_t Reach(const Draft& draft, const Caller& caller) {
    auto p = store_->PreviewDraft(caller, draft);
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    if (!p.ok()) return -1;
    EXPECT_EQ(p->outcome, Outcome::kDone) << p->problem.field << ": " << p->problem.message;
    return p->preview.reach;
  }
  std::int64_t Reach(const Draft& draft) { return Reach(draft, Organizer()); }

  std::int64_t Create(const Draft& draft, const Caller& caller) {
    auto w = store_->Create(caller, draft);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    if (!w.ok()) return 0;
    EXPECT_EQ(w->outcome, Outcome::kDone) << w->problem.field << ": " << w->problem.message;
    return w->broadcast.id;
  }
  std::int64_t Create(const Draft& draft) { return Create(draft, Organizer()); }

  // Fans out completely in batches of `batch`; the number of batches.
  int FanOutAll(std::int64_t id, int batch) {
    int batches = 0;
    for (;;) {
      auto step = queue_->FanOut(ActiveBroadcast{org_, id, false}, batch);
      EXPECT_TRUE(step.ok()) << (step.ok() ? "" : step.error().message);
      if (!step.ok() || ++batches > 1000) return batches;
      if (step->finished) return batches;
    }
  }

  std::int64_t Messages(std::int64_t id, const std::string& status = "") {
    return Count("SELECT count(*) FROM outbound_messages WHERE organization_id = $1 AND"
                 " broadcast_id = $2 AND ($3 = '' OR status = $3)",
                 org_, id, status);
  }

  std::unique_ptr<PgBroadcastStore> store_;
  std::unique_ptr<PgBroadcastQueue> queue_;
};

TEST_F(PgBroadcastTest, TheFanOutWritesEachMemberOnceAndResumesWithoutDuplicates) {
  Members(2500);
  const std::int64_t id = Create(Alert());
  ASSERT_NE(id, 0);
  EXPECT_EQ(Value<std::int64_t>("SELECT recipients FROM broadcasts WHERE id = $1", id), 2500);
  auto first = queue_->FanOut(ActiveBroadcast{org_, id, false}, 1000);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->written, 1000);
  EXPECT_FALSE(first->finished);
  // A crash after the rows but before the cursor (a store that did not write both in one
  // transaction): the unique key still writes each member once.
  Sql("UPDATE broadcasts SET fanout_after = 0 WHERE id = $1", id);
  // Another node (a new connection) takes over.
  queue_ = std::make_unique<PgBroadcastQueue>(url());
  EXPECT_EQ(FanOutAll(id, 1000), 3);
  EXPECT_EQ(Messages(id), 2500);
  EXPECT_EQ(Messages(id, "held"), 2500);
  EXPECT_EQ(Count("SELECT count(DISTINCT member_id) FROM outbound_messages WHERE broadcast_id = $1", id),
            2500);
  EXPECT_EQ(Value<std::int64_t>("SELECT fanned_out FROM broadcasts WHERE id = $1", id), 2500);
  EXPECT_EQ(Count("SELECT count(*) FROM broadcasts WHERE id = $1 AND fanned_out_at IS NOT NULL", id), 1);
}

TEST_F(PgBroadcastTest, AudiencesCombineChaptersTagsLanguagesFieldsActionsAndExclusions) {
  const std::int64_t india = Chapter("india");
  const std::int64_t pune = Chapter("pune", "india");
  Chapter("nairobi");
  Members(10, "en", "{volunteer}", R"({"city": "Pune"})", 0);        // 1..10
  Members(5, "hi", "{volunteer,donor}", R"({"city": "Pune"})", 10);  // 11..15
  Members(7, "", "{}", "{}", 15);                                    // 16..22, no language
  for (int i = 1; i <= 15; ++i) Join("+1555" + std::string(7 - std::to_string(i).size(), '0') + std::to_string(i), i <= 8 ? pune : india);
  // Members 1..3 RSVPed yes to an event.
  const std::int64_t event = Value<std::int64_t>(
      "INSERT INTO events (organization_id, slug, titles, starts_at, ends_at, time_zone)"
      " VALUES ($1, 'march', '{}', now(), now() + interval '1 hour', 'UTC') RETURNING id", org_);
  Sql("INSERT INTO actions (organization_id, member_id, kind, event_id, value) SELECT $1, id,"
      " 'rsvp', $2, 'yes' FROM members WHERE organization_id = $1 AND phone_e164 <= '+15550000003'",
      org_, event);

  Draft all = Alert();
  EXPECT_EQ(Reach(all), 22);
  Draft d = Alert();
  d.audience.include.chapters = {"india"};  // and pune below it
  EXPECT_EQ(Reach(d), 15);
  d.audience.include.chapters = {"pune"};
  EXPECT_EQ(Reach(d), 8);
  d = Alert();
  d.audience.include.tags = {"volunteer", "donor"};
  EXPECT_EQ(Reach(d), 5);
  d = Alert();
  d.audience.include.languages = {"en"};  // no language: the default, English
  EXPECT_EQ(Reach(d), 17);
  d = Alert();
  d.audience.include.fields = {{"city", {"Pune"}}};
  EXPECT_EQ(Reach(d), 15);
  d.audience.include.fields = {{"city", {}}};
  EXPECT_EQ(Reach(d), 15);
  d = Alert();
  d.audience.include.took = {{"rsvp", "", "march", "yes"}};
  EXPECT_EQ(Reach(d), 3);
  d = Alert();
  d.audience.include.chapters = {"india"};
  d.audience.include.not_took = {{"rsvp", "", "march", ""}};
  EXPECT_EQ(Reach(d), 12);
  d = Alert();
  d.audience.include.chapters = {"india"};
  broadcasts::AudienceRule hindi;
  hindi.languages = {"hi"};
  d.audience.exclude = {hindi};
  EXPECT_EQ(Reach(d), 10);
  // Unknown names are refused, naming them.
  d = Alert();
  d.audience.include.chapters = {"mars"};
  auto p = store_->PreviewDraft(Organizer(), d);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->outcome, Outcome::kInvalid);
  EXPECT_NE(p->problem.message.find("mars"), std::string::npos);
}

TEST_F(PgBroadcastTest, OptedOutMembersAreCountedAndLeftOutAndStoppedOnesAreSuppressedAtSend) {
  Members(10);
  Sql("UPDATE members SET erased_at = now() WHERE phone_e164 = '+15550000010'");
  Sql("INSERT INTO opt_outs (organization_id, member_id, channel_id) SELECT $1, id, NULL FROM"
      " members WHERE phone_e164 IN ('+15550000001', '+15550000002')", org_);
  Sql("INSERT INTO opt_outs (organization_id, member_id, channel_id) SELECT $1, id, $2 FROM"
      " members WHERE phone_e164 = '+15550000003'", org_, sms_);
  auto p = store_->PreviewDraft(Organizer(), Alert());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->preview.reach, 6);
  EXPECT_EQ(p->preview.opted_out, 3);
  const std::int64_t id = Create(Alert());
  FanOutAll(id, 100);
  EXPECT_EQ(Messages(id), 6);
}

TEST_F(PgBroadcastTest, VariantsFollowTheMembersLanguageWithMergeFieldsAndTheDefaultAsFallback) {
  Members(1, "es-MX", "{}", R"({"first_name": "Ana"})", 0);
  Members(1, "fr", "{}", "{}", 1);
  Members(1, "es", "{}", "{}", 2);
  Draft d = Alert("Hi {{first_name|friend}}, from {{org.name}}");
  d.variants["es"] = "Hola {{first_name|amiga}} 🙂";
  const std::int64_t id = Create(d);
  FanOutAll(id, 100);
  const auto rows = Sql("SELECT recipient, body, encoding, segments FROM outbound_messages"
                        " WHERE broadcast_id = $1 ORDER BY recipient", id);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(std::string(rows[0][1].c_str()), "Hola Ana 🙂");
  EXPECT_EQ(std::string(rows[0][2].c_str()), "ucs2");
  EXPECT_EQ(std::string(rows[1][1].c_str()), "Hi friend, from Acme Tenants Union");
  EXPECT_EQ(std::string(rows[1][2].c_str()), "gsm7");
  EXPECT_EQ(std::string(rows[2][1].c_str()), "Hola amiga 🙂");
  EXPECT_EQ(rows[2][3].as<int>(), 1);
}

// Rendered texts are counted in SQL; they agree with the server's count (core/segments.hpp)
// but where a pair would straddle a part boundary.
TEST_F(PgBroadcastTest, SegmentsCountedInTheDatabaseAgreeWithTheServer) {
  const std::vector<std::string> texts = {
      "", "hello", std::string(160, 'a'), std::string(161, 'a'), std::string(306, 'a'),
      std::string(80, '{'), std::string(81, '{'), "Hola María, ¿vienes?", "नमस्ते दोस्तों",
      std::string(70, 'x') + "é", "Zoë 😀 " + std::string(60, 'y'), "€ euro [x] ~ |", "伟"};
  for (const auto& text : texts) {
    EXPECT_EQ(Value<int>("SELECT chorus_segments($1)", text), CountSegments(text).segments) << text;
    EXPECT_EQ(Value<bool>("SELECT chorus_is_gsm7($1)", text),
              CountSegments(text).encoding == TextEncoding::kGsm7) << text;
  }
}

TEST_F(PgBroadcastTest, QuietHoursFollowTheRecipientsZoneOnRealDaylightSavingDays) {
  auto release = [&](const std::string& at, const std::string& zone) {
    return Value<std::string>(
        "SELECT to_char(chorus_quiet_release($1::timestamptz, $2, '21:00', '08:00') AT TIME ZONE"
        " 'UTC', 'YYYY-MM-DD HH24:MI')", at, zone);
  };
  // New York springs forward at 02:00 on 2026-03-08: 08:00 EDT is 12:00 UTC (13:00 the day before).
  EXPECT_EQ(release("2026-03-08 06:30Z", "America/New_York"), "2026-03-08 12:00");
  EXPECT_EQ(release("2026-03-07 03:00Z", "America/New_York"), "2026-03-07 13:00");
  // ... and falls back on 2026-11-01: 08:00 EST is 13:00 UTC.
  EXPECT_EQ(release("2026-11-01 05:30Z", "America/New_York"), "2026-11-01 13:00");
  // Kolkata has no DST: 23:30 IST waits for 08:00 IST the next day.
  EXPECT_EQ(release("2026-03-08 18:00Z", "Asia/Kolkata"), "2026-03-09 02:30");
  // Inside the window nothing waits.
  EXPECT_EQ(release("2026-03-08 14:00Z", "America/New_York"), "2026-03-08 14:00");
  // London springs forward on 2026-03-29 at 01:00 UTC.
  EXPECT_EQ(release("2026-03-29 00:30Z", "Europe/London"), "2026-03-29 07:00");
}

TEST_F(PgBroadcastTest, AMemberHeldByQuietHoursWaitsAndAStaleOneExpires) {
  // Members in a zone where it is night now, and one whose own zone is day now.
  const std::string night = Value<std::string>(
      "SELECT name FROM pg_timezone_names WHERE extract(hour FROM now() AT TIME ZONE name)"
      " BETWEEN 22 AND 23 OR extract(hour FROM now() AT TIME ZONE name) BETWEEN 0 AND 5"
      " ORDER BY name LIMIT 1");
  const std::string day = Value<std::string>(
      "SELECT name FROM pg_timezone_names WHERE extract(hour FROM now() AT TIME ZONE name)"
      " BETWEEN 10 AND 18 ORDER BY name LIMIT 1");
  Sql("UPDATE organizations SET time_zone = $2 WHERE id = $1", org_, night);
  Members(3);
  Members(2, "en", "{}", "{\"time_zone\": \"" + day + "\"}", 3);
  Draft d = Alert();
  d.ignore_quiet_hours = false;
  auto p = store_->PreviewDraft(Organizer(), d);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->preview.held_by_quiet_hours, 3);
  const std::int64_t id = Create(d);
  FanOutAll(id, 100);
  auto released = queue_->Release(ActiveBroadcast{org_, id, true}, 1000, 1000);
  ASSERT_TRUE(released.ok()) << released.error().message;
  EXPECT_EQ(released->queued, 2);
  EXPECT_EQ(Messages(id, "held"), 3);
  // Held past its time (a pause, a slow queue) while it is night for them: released into the
  // night it is not; it waits for the morning again.
  Sql("UPDATE outbound_messages SET next_attempt_at = now() - interval '1 minute'"
      " WHERE broadcast_id = $1 AND status = 'held'", id);
  released = queue_->Release(ActiveBroadcast{org_, id, true}, 1000, 1000);
  ASSERT_TRUE(released.ok()) << released.error().message;
  EXPECT_EQ(released->queued, 0);
  EXPECT_EQ(Messages(id, "held"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE broadcast_id = $1"
                  " AND status = 'held' AND next_attempt_at > now()", id), 3);
  // A stale-after before their morning: expired at once, never held.
  Draft stale = Alert();
  stale.name = "stale";
  stale.ignore_quiet_hours = false;
  stale.stale_after = Value<std::int64_t>("SELECT extract(epoch FROM now() + interval '1 hour')::bigint");
  const std::int64_t id2 = Create(stale);
  FanOutAll(id2, 100);
  EXPECT_EQ(Messages(id2, "expired"), 3);
  EXPECT_EQ(Messages(id2, "held"), 2);
}

TEST_F(PgBroadcastTest, ReleaseKeepsTheQueueUnderItsLimitAndCancelStopsEverythingUnsent) {
  Members(50);
  const std::int64_t id = Create(Alert());
  FanOutAll(id, 100);
  auto released = queue_->Release(ActiveBroadcast{org_, id, true}, 20, 100);
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released->queued, 20);
  EXPECT_EQ(released->channels, std::vector<ChannelId>{sms_});
  released = queue_->Release(ActiveBroadcast{org_, id, true}, 20, 100);
  EXPECT_EQ(released->queued, 0);  // the queue is full
  // Pause: what was queued waits again; release does nothing while paused.
  auto paused = store_->Act(Organizer(), id, Action::kPause);
  ASSERT_TRUE(paused.ok());
  EXPECT_EQ(paused->outcome, Outcome::kDone);
  EXPECT_EQ(Messages(id, "queued"), 0);
  EXPECT_EQ(queue_->Release(ActiveBroadcast{org_, id, true}, 20, 100)->queued, 0);
  EXPECT_EQ(store_->Act(Organizer(), id, Action::kPause)->outcome, Outcome::kWrongState);
  ASSERT_EQ(store_->Act(Organizer(), id, Action::kResume)->outcome, Outcome::kDone);
  EXPECT_EQ(queue_->Release(ActiveBroadcast{org_, id, true}, 20, 100)->queued, 20);
  auto cancelled = store_->Act(Organizer(), id, Action::kCancel);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->outcome, Outcome::kDone);
  EXPECT_EQ(Messages(id, "cancelled"), 50);
  auto view = store_->Get(Organizer(), id);
  ASSERT_TRUE(view.ok() && *view);
  EXPECT_EQ((*view)->counts->cancelled, 50);
  EXPECT_EQ((*view)->status, broadcasts::Status::kCancelled);
}

TEST_F(PgBroadcastTest, OneIdempotencyKeyMakesOneBroadcast) {
  Members(3);
  auto first = store_->Create(Organizer("k1"), Alert());
  auto again = store_->Create(Organizer("k1"), Alert());
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->broadcast.id, again->broadcast.id);
  EXPECT_TRUE(again->repeated);
  Caller other = Organizer("k1");
  other.request_digest = "POST /v1/broadcasts something else";
  EXPECT_EQ(store_->Create(other, Alert())->outcome, Outcome::kKeyReused);
  EXPECT_EQ(Count("SELECT count(*) FROM broadcasts WHERE organization_id = $1", org_), 1);
}

TEST_F(PgBroadcastTest, ABigBroadcastWaitsForAnotherPersonsApproval) {
  Members(5);
  Sql("UPDATE organizations SET broadcast_approval_above = 3 WHERE id = $1", org_);
  auto w = store_->Create(Organizer("", 1), Alert());
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->broadcast.status, broadcasts::Status::kAwaitingApproval);
  auto active = queue_->Active();
  ASSERT_TRUE(active.ok());
  EXPECT_TRUE(active->empty());
  EXPECT_EQ(store_->Act(Organizer("", 1), w->broadcast.id, Action::kApprove)->outcome,
            Outcome::kSameCaller);
  auto approved = store_->Act(Organizer("", 2), w->broadcast.id, Action::kApprove);
  ASSERT_TRUE(approved.ok());
  EXPECT_EQ(approved->broadcast.status, broadcasts::Status::kSending);
  EXPECT_EQ(approved->broadcast.approved_by, "token:2");
  EXPECT_EQ(queue_->Active()->size(), 1u);
}

TEST_F(PgBroadcastTest, ALeaderReachesOnlyTheirChapters) {
  const std::int64_t pune = Chapter("pune");
  Chapter("nairobi");
  Members(4);
  Join("+15550000001", pune);
  Join("+15550000002", pune);
  Caller leader = Organizer("", 9);
  leader.chapter_scope = {pune};
  EXPECT_EQ(Reach(Alert(), leader), 2);  // the whole audience cut to their chapter
  Draft other = Alert();
  other.audience.include.chapters = {"nairobi"};
  auto p = store_->PreviewDraft(leader, other);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->outcome, Outcome::kOutOfReach);
  EXPECT_EQ(store_->Create(leader, other)->outcome, Outcome::kOutOfReach);
  const std::int64_t mine = Create(Alert(), leader);
  const std::int64_t theirs = Create(Alert());
  EXPECT_TRUE(store_->Get(leader, mine)->has_value());
  EXPECT_FALSE(store_->Get(leader, theirs)->has_value());
  EXPECT_EQ(store_->Act(leader, theirs, Action::kCancel)->outcome, Outcome::kNotFound);
}

TEST_F(PgBroadcastTest, ThePoolKeepsEachMemberOnTheirChannel) {
  Members(30);
  // Member 1 last heard from acme-alerts.
  InsertOutbound({.channel = alerts_, .member = Value<MemberId>(
                      "SELECT id FROM members WHERE phone_e164 = '+15550000001'"),
                  .status = "delivered"});
  Draft d = Alert();
  d.channels = {"acme-sms", "acme-alerts"};
  const std::int64_t id = Create(d);
  FanOutAll(id, 100);
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages o JOIN members m ON m.id = o.member_id"
                  " WHERE o.broadcast_id = $1 AND m.phone_e164 = '+15550000001' AND o.channel_id = $2",
                  id, alerts_), 1);
  EXPECT_GT(Messages(id) - Count("SELECT count(*) FROM outbound_messages WHERE broadcast_id = $1"
                                 " AND channel_id = $2", id, sms_), 5);
  // The same pool again: every member on the same channel as the first time.
  const std::int64_t id2 = Create(d);
  FanOutAll(id2, 100);
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages a JOIN outbound_messages b ON"
                  " a.member_id = b.member_id AND a.broadcast_id = $1 AND b.broadcast_id = $2"
                  " WHERE a.channel_id <> b.channel_id", id, id2), 0);
}

}  // namespace
}  // namespace chorus::store::pg
