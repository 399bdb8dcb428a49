// Broadcasts through the real binary (docs/BROADCASTS.md): a 10,000-member broadcast delivered
// exactly once each while replies keep flowing, quiet hours holding and releasing, stale
// messages expiring, a STOP mid-broadcast, cancel, a sticky pool of three numbers, approval,
// and a chapter leader kept to their chapters.
#include <algorithm>
#include <map>
#include <set>

#include "e2e/api_e2e_fixture.hpp"

namespace chorus::e2e {
namespace {

using ::testing::HasSubstr;

class ChorusBroadcastE2eTest : public ChorusApiE2eTest {
 protected:
  // The fixture's campaign plus an event and a reply flow that begins with the broadcast's own
  // question: "Reply YES to come" -> an RSVP.
  std::string CampaignJson() const override {
    std::string json = ChorusApiE2eTest::CampaignJson();
    const auto end = json.rfind("\n  ]");
    json.insert(end, R"(,
    { "slug": "rsvp-reply", "steps": [
      { "id": "coming", "kind": "ASK", "answer": "YES_NO", "save_as": "coming", "next": "record",
        "text": { "en": "Coming to the march? Reply YES or NO." } },
      { "id": "record", "kind": "RECORD_ACTION", "action": "RSVP", "target": "march",
        "value": "{{fields.coming}}", "next": "thanks" },
      { "id": "thanks", "kind": "SEND", "text": { "en": "Chorus E2E: thanks, noted." } }
    ] })");
    return json + R"(,
  "events": [
    { "slug": "march", "time_zone": "UTC", "place": "The park", "title": { "en": "March" },
      "starts_at": "2030-05-01T10:00" }
  ])";
  }

  void SetUp() override {
    ChorusApiE2eTest::SetUp();
    if (HasFatalFailure()) return;
    owner_ = Token({"--role", "owner"});
    ASSERT_FALSE(owner_.empty());
  }

  // `n` joined members +1556NNNNNNN (first + 1 ...), with `fields` (JSON) and no chapter.
  void Members(int n, int first = 0, const std::string& fields = "{}") {
    Query("INSERT INTO members (organization_id, phone_e164, joined_at, fields)"
          " SELECT o.id, '+1556' || lpad((g + $2)::text, 7, '0'), now(), $3::jsonb"
          " FROM organizations o, generate_series(1, $1) g WHERE o.slug = 'e2e'",
          n, first, fields);
  }
  static std::string Phone(int i) {
    std::string digits = std::to_string(i);
    return "+1556" + std::string(7 - digits.size(), '0') + digits;
  }

  // POST /v1/broadcasts with `extra` JSON members; the created broadcast's id.
  std::string Broadcast(const std::string& text, const std::string& extra = "",
                        const std::string& token = "", int want = 201) {
    const auto r = Post("/v1/broadcasts", token.empty() ? owner_ : token,
                        R"({"name": "alert", "variants": {"en": ")" + text +
                            R"("}, "channels": ["e2e-twilio"])" + extra + "}");
    EXPECT_EQ(r.status, want) << r.body;
    const auto fields = JsonFields(r.body);
    return fields && fields->count("id") ? fields->at("id") : "";
  }

  std::map<std::string, std::string> Stats(const std::string& id) {
    const auto r = Get("/v1/broadcasts/" + id, owner_);
    EXPECT_EQ(r.status, 200) << r.body;
    google::protobuf::Struct parsed;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &parsed).ok());
    std::map<std::string, std::string> out;
    out["status"] = parsed.fields().at("status").string_value();
    if (parsed.fields().count("stats")) {
      for (const auto& [k, v] : parsed.fields().at("stats").struct_value().fields()) {
        out[k] = v.has_string_value() ? v.string_value() : "";
      }
    }
    return out;
  }

  // Messages the fake carrier accepted with this text, per recipient.
  std::map<std::string, int> Received(const std::string& text) const {
    std::map<std::string, int> out;
    for (const auto& m : fake_->Messages()) {
      if (m.body == text && !m.sid.empty()) ++out[m.to];
    }
    return out;
  }

  std::int64_t Outbox(const std::string& id, const std::string& status) {
    return Count("SELECT count(*) FROM outbound_messages WHERE broadcast_id = $1::bigint AND status = $2",
                 id, status);
  }

  std::string owner_;
};

TEST_F(ChorusBroadcastE2eTest, TenThousandMembersGetItExactlyOnceWhileRepliesGoAhead) {
  Members(10000);
  const std::string text = "Chorus E2E: march Saturday 10am at the park. Reply STOP to opt out.";
  const std::string id = Broadcast(text, R"(, "ignore_quiet_hours": true)");
  ASSERT_FALSE(id.empty());
  // While it drains, a member's keyword is answered ahead of the broadcast's queue.
  ASSERT_TRUE(Eventually([&] { return Received(text).size() >= 500; }, 60s));
  const std::string asker = Member(77);
  Text(asker, "EVENTS");
  ASSERT_TRUE(Eventually([&] { return !BodiesTo(asker).empty(); }, 30s));
  const std::int64_t unsent_then = Outbox(id, "held") + Outbox(id, "queued");
  EXPECT_GT(unsent_then, 0) << "the reply should overtake a broadcast still draining";

  ASSERT_TRUE(Eventually([&] { return Received(text).size() >= 10002; }, 180s))
      << Received(text).size();
  const auto received = Received(text);
  EXPECT_EQ(received.size(), 10002u);  // the 10,000 and the fixture's two members
  for (const auto& [to, n] : received) ASSERT_EQ(n, 1) << to;
  ASSERT_TRUE(Eventually([&] { return Stats(id)["status"] == "done"; }, 60s)) << Stats(id)["status"];
  ASSERT_TRUE(Eventually([&] { return Stats(id)["delivered"] == "10002"; }, 60s))
      << Stats(id)["delivered"];
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE broadcast_id = $1::bigint", id), 10002);
  // /metrics counts broadcast messages by status, without personal data.
  const auto metrics = http_.Get(server_->admin_url + "/metrics");
  EXPECT_THAT(metrics.body, HasSubstr("chorus_broadcast_messages_total"));
  EXPECT_THAT(metrics.body, ::testing::Not(HasSubstr(Phone(1))));
}

// One minute of quiet hours, so that a held message is released while the test watches: the
// organization's window (UTC) ends at the next minute. Members in UTC wait; a member whose own
// zone is at midday gets it at once. Meanwhile a member says STOP (their held message is
// suppressed), a second broadcast is cancelled, and a third one's stale time comes before the
// morning (expired, never sent late).
TEST_F(ChorusBroadcastE2eTest, QuietHoursHoldUntilMorningWhileStopCancelAndStaleTakeEffect) {
  const std::string midday = Value(
      "SELECT name FROM pg_timezone_names WHERE extract(hour FROM now() AT TIME ZONE name)"
      " BETWEEN 11 AND 15 ORDER BY name LIMIT 1").value_or("");
  ASSERT_FALSE(midday.empty());
  if (Count("SELECT extract(second FROM now())::int") > 45) std::this_thread::sleep_for(16s);
  Query("UPDATE organizations SET time_zone = 'UTC', quiet_hours_start ="
        " to_char(now() AT TIME ZONE 'UTC' - interval '1 hour', 'HH24:MI'), quiet_hours_end ="
        " to_char(now() AT TIME ZONE 'UTC' + interval '1 minute', 'HH24:MI') WHERE slug = 'e2e'");
  Members(2, 0);
  Members(1, 2, R"({"time_zone": ")" + midday + R"("})");
  const auto preview = Post("/v1/broadcasts/preview", owner_,
                            R"({"name": "p", "variants": {"en": "Quiet test"}, "channels": ["e2e-twilio"]})");
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_THAT(preview.body, HasSubstr(R"("reach":"5")"));
  EXPECT_THAT(preview.body, HasSubstr(R"("held_by_quiet_hours":"4")"));  // 2 + the fixture's 2

  const std::string text = "Chorus E2E: held until morning";
  const std::string id = Broadcast(text);
  const std::string cancelled_text = "Chorus E2E: never mind";
  const std::string cancelled = Broadcast(cancelled_text);
  const std::string stale_text = "Chorus E2E: only now or never";
  const std::string stale = Broadcast(
      stale_text, R"(, "stale_after": ")" +
                      Value("SELECT to_char(now() AT TIME ZONE 'UTC' + interval '10 seconds',"
                            " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')").value_or("") + R"(")");
  ASSERT_TRUE(Eventually([&] { return Received(text).count(Phone(3)) == 1; }, 30s));
  EXPECT_EQ(Received(text).count(Phone(1)), 0u);
  ASSERT_TRUE(Eventually([&] { return Stats(id)["held"] == "4"; }));

  // While held: a STOP, and a cancel.
  ASSERT_TRUE(WaitProcessed({Text(Phone(1), "STOP")}));
  const auto cancel = Post("/v1/broadcasts/" + cancelled + "/cancel", owner_, "");
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_THAT(cancel.body, HasSubstr(R"("status":"cancelled")"));
  EXPECT_EQ(Post("/v1/broadcasts/" + cancelled + "/cancel", owner_, "").status, 409);

  // The window opens: everyone held gets it once, but the member who stopped.
  ASSERT_TRUE(Eventually([&] { return Received(text).size() == 4; }, 90s)) << Received(text).size();
  EXPECT_EQ(Received(text).count(Phone(1)), 0u);
  ASSERT_TRUE(Eventually([&] { return Stats(id)["status"] == "done"; }, 30s));
  EXPECT_EQ(Stats(id)["suppressed"], "1");
  EXPECT_EQ(Stats(stale)["expired"], "4");
  EXPECT_EQ(Received(stale_text).size(), 1u);  // the midday member only
  EXPECT_EQ(Received(cancelled_text).size(), 1u);  // it had gone to the midday member already
  EXPECT_EQ(Stats(cancelled)["cancelled"], "3");  // and the member who stopped: suppressed
  EXPECT_EQ(Stats(cancelled)["suppressed"], "1");
}

TEST_F(ChorusBroadcastE2eTest, AMemberHearsFromTheSameNumberOfAPoolOfThree) {
  for (const std::string n : {"2", "3"}) {
    const auto created = Post("/v1/channels", owner_, R"({"slug": "e2e-pool-)" + n +
        R"(", "carrier": "twilio", "sender": "+1500555004)" + n +
        R"(", "country": "US", "segments_per_second": 500, "segment_price": 0.0079,
        "currency": "USD", "settings": {"account_sid": ")" +
        account_sid_ + R"(", "auth_token": ")" + auth_token_ + R"(", "api_base": ")" +
        CarrierApiBase() + R"("}})");
    ASSERT_EQ(created.status, 201) << created.body;
  }
  Members(30);
  const std::string pool =
      R"(, "channels": ["e2e-twilio", "e2e-pool-2", "e2e-pool-3"], "ignore_quiet_hours": true)";
  // The preview prices each channel's share: two of the three have a price.
  const auto preview = Post("/v1/broadcasts/preview", owner_,
                            R"({"name": "pool", "variants": {"en": "Chorus E2E: pool"})" + pool + "}");
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_THAT(preview.body, HasSubstr(R"("channel":"e2e-pool-2")"));
  EXPECT_THAT(preview.body, HasSubstr(R"("segment_price":0.0079,"currency":"USD")"));
  EXPECT_THAT(preview.body, HasSubstr(R"("total_segments":"32")"));
  auto send = [&](const std::string& text) {
    const auto r = Post("/v1/broadcasts", owner_,
                        R"({"name": "pool", "variants": {"en": ")" + text + R"("})" + pool + "}");
    EXPECT_EQ(r.status, 201) << r.body;
  };
  send("Chorus E2E: pool one");
  ASSERT_TRUE(Eventually([&] { return Received("Chorus E2E: pool one").size() == 32; }, 60s));
  send("Chorus E2E: pool two");
  ASSERT_TRUE(Eventually([&] { return Received("Chorus E2E: pool two").size() == 32; }, 60s));
  std::map<std::string, std::set<std::string>> senders;  // member -> numbers heard from
  std::set<std::string> used;
  for (const auto& m : fake_->Messages()) {
    if (m.body.rfind("Chorus E2E: pool", 0) != 0) continue;
    senders[m.to].insert(m.from);
    used.insert(m.from);
  }
  EXPECT_EQ(used.size(), 3u);
  for (const auto& [member, from] : senders) EXPECT_EQ(from.size(), 1u) << member;
}

TEST_F(ChorusBroadcastE2eTest, ALeaderSendsToTheirChapterOnlyAndABigOneWaitsForApproval) {
  const std::string leader = Token({"--role", "chapter_leader", "--chapter", "pune"});
  const auto refused = Post("/v1/broadcasts", leader,
                            R"({"name": "x", "variants": {"en": "Hi"}, "channels": ["e2e-twilio"],
                                "audience": {"chapters": ["nyc"]}})");
  EXPECT_EQ(refused.status, 403) << refused.body;
  const std::string text = "Chorus E2E: Pune meeting tonight";
  Broadcast(text, R"(, "ignore_quiet_hours": true)", leader);
  ASSERT_TRUE(Eventually([&] { return Received(text).count(pune_member_) == 1; }, 30s));
  EXPECT_EQ(Received(text).size(), 1u);  // not the New York member
  EXPECT_EQ(Get("/v1/broadcasts", leader).status, 200);

  // Above one recipient a second person approves: the owner sets the count.
  transport::HttpRequestSpec patch;
  patch.method = "PATCH";
  patch.url = server_->base_url + "/v1/organization";
  patch.headers = {{"Authorization", "Bearer " + owner_}, {"Content-Type", "application/json"}};
  patch.body = R"({"broadcast_approval_above": "1"})";
  const auto patched = http_.Send(patch);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_THAT(patched.body, HasSubstr(R"("broadcast_approval_above":"1")"));
  patch.body = R"({"broadcast_approval_above": "-5"})";
  EXPECT_EQ(http_.Send(patch).status, 400);
  const std::string big_text = "Chorus E2E: everyone";
  const auto created = Post("/v1/broadcasts", owner_,
                            R"({"name": "big", "variants": {"en": ")" + big_text +
                                R"("}, "channels": ["e2e-twilio"], "ignore_quiet_hours": true})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_THAT(created.body, HasSubstr(R"("status":"awaiting_approval")"));
  const std::string id = JsonFields(created.body)->at("id");
  EXPECT_EQ(Post("/v1/broadcasts/" + id + "/approve", owner_, "").status, 403);   // its author
  EXPECT_EQ(Post("/v1/broadcasts/" + id + "/approve", leader, "").status, 403);   // a leader
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(Received(big_text).empty());
  const std::string organizer = Token({"--role", "organizer"});
  const auto approved = Post("/v1/broadcasts/" + id + "/approve", organizer, "");
  ASSERT_EQ(approved.status, 200) << approved.body;
  ASSERT_TRUE(Eventually([&] { return Received(big_text).size() == 2; }, 30s));
}

TEST_F(ChorusBroadcastE2eTest, TheSameIdempotencyKeyMakesOneBroadcastAndBadDraftsNameTheirField) {
  const std::string body = R"({"name": "once", "variants": {"en": "Chorus E2E: once"}, "channels": ["e2e-twilio"], "ignore_quiet_hours": true})";
  const auto first = Post("/v1/broadcasts", owner_, body, "key-1");
  const auto again = Post("/v1/broadcasts", owner_, body, "key-1");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(JsonFields(first.body)->at("id"), JsonFields(again.body)->at("id"));
  EXPECT_EQ(Count("SELECT count(*) FROM broadcasts"), 1);
  ASSERT_TRUE(Eventually([&] { return Received("Chorus E2E: once").size() == 2; }, 30s));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(Received("Chorus E2E: once").size(), 2u);

  const auto no_default = Post("/v1/broadcasts", owner_,
                               R"({"name": "x", "variants": {"es": "Hola"}, "channels": ["e2e-twilio"]})");
  EXPECT_EQ(no_default.status, 400);
  EXPECT_THAT(no_default.body, HasSubstr(R"("field":"variants")"));
  const auto unknown_channel = Post("/v1/broadcasts", owner_,
                                    R"({"name": "x", "variants": {"en": "Hi"}, "channels": ["nope"]})");
  EXPECT_EQ(unknown_channel.status, 400);
  EXPECT_THAT(unknown_channel.body, HasSubstr(R"("field":"channels[0]")"));
  const auto unknown_chapter = Post("/v1/broadcasts/preview", owner_,
                                    R"({"name": "x", "variants": {"en": "Hi"}, "channels": ["e2e-twilio"], "audience": {"chapters": ["mars"]}})");
  EXPECT_EQ(unknown_chapter.status, 400);
  EXPECT_THAT(unknown_chapter.body, HasSubstr("mars"));
  const auto not_json = Post("/v1/broadcasts", owner_, "{");
  EXPECT_EQ(not_json.status, 400);
  // The preview's encoding: a curly quote forces UCS-2 unless replaced.
  const auto curly = Post("/v1/broadcasts/preview", owner_,
                          R"({"name": "x", "variants": {"en": "It’s on — today"}, "channels": ["e2e-twilio"]})");
  EXPECT_THAT(curly.body, HasSubstr(R"("encoding":"ucs2")"));
  EXPECT_THAT(curly.body, HasSubstr(R"("ucs2_characters":["’","—"])"));
  const auto replaced = Post("/v1/broadcasts/preview", owner_,
                             R"({"name": "x", "variants": {"en": "It’s on — today"}, "channels": ["e2e-twilio"], "replace_look_alikes": true})");
  EXPECT_THAT(replaced.body, HasSubstr(R"("encoding":"gsm7")"));
  EXPECT_THAT(replaced.body, HasSubstr(R"("look_alikes_replaced":2)"));
  // The texts alone, for a compose box's every keystroke: no audience counted.
  const auto texts = Post("/v1/broadcasts/preview?counts=false", owner_,
                          R"({"name": "x", "variants": {"en": "Hi 😀 {{first_name|friend}}"}, "channels": ["e2e-twilio"]})");
  ASSERT_EQ(texts.status, 200) << texts.body;
  EXPECT_THAT(texts.body, HasSubstr(R"("ucs2_characters":["😀"])"));
  EXPECT_THAT(texts.body, HasSubstr(R"("merge_fields":true)"));
  EXPECT_THAT(texts.body, HasSubstr(R"("reach":"0")"));  // not counted
  EXPECT_EQ(Post("/v1/broadcasts/preview?counts=maybe", owner_, "{}").status, 400);
}

TEST_F(ChorusBroadcastE2eTest, AYesInsideTheReplyWindowIsRecordedAsAnRsvp) {
  const std::string text = "Chorus E2E: march May 1st. Reply YES to come.";
  const std::string id = Broadcast(
      text, R"(, "ignore_quiet_hours": true, "reply_flow": "rsvp-reply", "reply_window_minutes": 60)");
  ASSERT_TRUE(Eventually([&] { return Received(text).size() == 2; }, 30s));
  ASSERT_TRUE(Eventually([&] {
    return Count("SELECT count(*) FROM outbound_messages WHERE broadcast_id = $1::bigint"
                 " AND sent_at IS NOT NULL", id) == 2;
  }));
  ASSERT_TRUE(WaitProcessed({Text(nyc_member_, "yes")}));
  ASSERT_TRUE(Eventually([&] {
    const auto bodies = BodiesTo(nyc_member_);
    return std::count(bodies.begin(), bodies.end(), "Chorus E2E: thanks, noted.") == 1;
  }));
  EXPECT_EQ(Count("SELECT count(*) FROM actions a JOIN events e ON e.id = a.event_id"
                  " JOIN members m ON m.id = a.member_id WHERE a.kind = 'rsvp' AND a.value = 'yes'"
                  " AND e.slug = 'march' AND m.phone_e164 = $1", nyc_member_), 1);
  // The question is not asked again: the broadcast asked it.
  const auto bodies = BodiesTo(nyc_member_);
  EXPECT_EQ(std::count(bodies.begin(), bodies.end(), "Coming to the march? Reply YES or NO."), 0);
  const auto stats = Stats(id);
  EXPECT_EQ(stats.at("replies"), "1");
  EXPECT_EQ(stats.at("actions"), "1");
  // The other member's unrelated text outside any flow is still answered as before.
  ASSERT_TRUE(WaitProcessed({Text(pune_member_, "EVENTS")}));
  EXPECT_TRUE(Eventually([&] {
    const auto b = BodiesTo(pune_member_);
    return std::count(b.begin(), b.end(), ws::kEvents) == 1;
  }));
}

// Two nodes send one broadcast through one channel of 20 segments/s: together they keep the
// rate (a token bucket of one second's burst, checked over every pair of sends), both take a
// share, and nobody gets it twice.
TEST_F(ChorusBroadcastE2eTest, TwoNodesKeepOneChannelsRateTogetherAndSendNothingTwice) {
  ChorusServer* second = StartServer();
  ASSERT_NE(second, nullptr);
  Query("UPDATE channels SET segments_per_second = 20 WHERE slug = 'e2e-twilio'");
  Query("SELECT pg_notify('chorus_workspace', '')");  // every node reloads
  std::this_thread::sleep_for(1s);
  Members(198);
  const std::string text = "Chorus E2E: two nodes, one rate";
  Broadcast(text, R"(, "ignore_quiet_hours": true)");
  ASSERT_TRUE(Eventually([&] { return Received(text).size() == 200; }, 60s)) << Received(text).size();
  for (const auto& [to, n] : Received(text)) ASSERT_EQ(n, 1) << to;
  std::vector<std::chrono::steady_clock::time_point> at;
  std::map<std::string, int> by_node;  // the status callback names the node's own base URL
  for (const auto& m : fake_->Messages()) {
    if (m.body != text) continue;
    at.push_back(m.received_at);
    ++by_node[m.status_callback.substr(0, m.status_callback.find("/webhooks/"))];
  }
  std::sort(at.begin(), at.end());
  int worst = 0;  // sends beyond what the bucket allows, over the worst window
  for (std::size_t i = 0; i < at.size(); ++i) {
    for (std::size_t j = i; j < at.size(); ++j) {
      const double seconds = std::chrono::duration<double>(at[j] - at[i]).count();
      const int allowed = 20 + static_cast<int>(20 * seconds);
      worst = std::max(worst, static_cast<int>(j - i + 1) - allowed);
    }
  }
  EXPECT_LE(worst, 2) << "sends over the channel's rate";
  EXPECT_GE(std::chrono::duration<double>(at.back() - at.front()).count(), 8.0);
  EXPECT_EQ(by_node.size(), 2u) << "both nodes should have sent a share";
}

// A console's live view: server-sent events of the broadcast's stats until it is done.
TEST_F(ChorusBroadcastE2eTest, ALiveStreamOfStatsEndsWhenTheBroadcastIsDone) {
  const std::string id = Broadcast("Chorus E2E: streamed", R"(, "ignore_quiet_hours": true)");
  const auto streamed = Get("/v1/broadcasts/" + id + "/events", owner_);
  ASSERT_EQ(streamed.status, 200) << streamed.body;
  EXPECT_THAT(streamed.body, ::testing::StartsWith("event: stats\ndata: {"));
  const auto last = streamed.body.rfind("event: stats\ndata: ");
  ASSERT_NE(last, std::string::npos);
  EXPECT_THAT(streamed.body.substr(last), HasSubstr(R"("status":"done")"));
  EXPECT_THAT(streamed.body.substr(last), HasSubstr(R"("recipients":"2")"));
  EXPECT_EQ(streamed.body.substr(streamed.body.size() - 2), "\n\n");
  const std::string viewer = Token({"--role", "viewer"});
  EXPECT_EQ(Get("/v1/broadcasts/" + id + "/events", viewer).status, 200);
  const auto anonymous = Get("/v1/broadcasts/" + id + "/events", "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_THAT(anonymous.body, HasSubstr(R"("code":"unauthenticated")"));
  EXPECT_EQ(Get("/v1/broadcasts/999999/events", owner_).status, 404);
}

}  // namespace
}  // namespace chorus::e2e
