// Campaign flows through the real binary (issue 6; the product brief's scenarios 1, 2, 5 and 6):
// a member holds a conversation with the movement. Times are short (seconds) so timers fire
// within a test; "the next morning" is reached by moving the event's follow-up time in the
// database, the same injected clock an operator's clock change would be.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <future>
#include <set>
#include <thread>

#include "e2e/e2e_fixture.hpp"
#include "e2e/webhook_receiver.hpp"

namespace chorus::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace text {
inline constexpr const char* kZip = "What's your ZIP code?";
inline constexpr const char* kZipEs = "¿Cuál es tu código postal?";
inline constexpr const char* kZipRetry =
    "Sorry, that doesn't look like a ZIP code. Reply with 5 digits, like 10001.";
inline constexpr const char* kZipRetryEs =
    "Perdona, eso no parece un código postal. Responde con 5 dígitos, como 10001.";
inline constexpr const char* kZipSkipped = "No problem, we'll skip that for now.";
inline constexpr const char* kZipSkippedEs = "No hay problema, lo dejamos para después.";
inline constexpr const char* kNycRally =
    "You're in the New York City chapter! Next: Rally for Housing at City Hall. Will you "
    "come? Reply YES or NO";
inline constexpr const char* kNycRallyEs =
    "¡Estás en el capítulo New York City! Próximo: Marcha por la Vivienda en City Hall. "
    "¿Vienes? Responde SI o NO";
inline constexpr const char* kSeeYou = "Great, see you there!";
inline constexpr const char* kSeeYouEs = "¡Genial, nos vemos!";
inline constexpr const char* kMaybeNextTime = "No problem. We'll keep you posted.";
inline constexpr const char* kMaybeNextTimeEs = "No pasa nada. Te mantendremos al tanto.";
inline constexpr const char* kPuneWelcome =
    "Chorus E2E Pune: Welcome to the Pune chapter! Reply STOP to opt out, HELP for help.";
inline constexpr const char* kPin = "What's your PIN code?";
inline constexpr const char* kPuneThanks = "Thanks! Pune will be in touch.";
inline constexpr const char* kIdea = "What's one thing you'd change in your neighborhood?";
inline constexpr const char* kIdeaReminder = "Still there? Tell us one thing you'd change.";
inline constexpr const char* kIdeaLater = "No worries. Text IDEA any time.";
inline constexpr const char* kIdeaThanks = "Thanks, noted!";
inline constexpr const char* kWaitOver = "Your wait is over.";
inline constexpr const char* kMeeting = "Coming to the Tenants Meeting? Reply YES, NO or MAYBE";
inline constexpr const char* kMeetingNoted = "Noted, thank you.";
inline constexpr const char* kCheckedIn =
    "Chorus E2E: you are checked in to Tenants Meeting. Thank you for coming!";
inline constexpr const char* kThanksForComing =
    "Thank you for coming to the Tenants Meeting! Reply with one word: how was it?";
inline constexpr const char* kMissedYou =
    "We missed you at the Tenants Meeting. The next one is on the 1st; text MEETING to RSVP.";
inline constexpr const char* kStoryPrompt =
    "Tell us what happened. Send as many texts as you like.";
inline constexpr const char* kStoryPlace = "Where did it happen? A street or a station.";
inline constexpr const char* kStoryConsent =
    "May we share your story without your name? Reply YES or NO";
inline constexpr const char* kStoryThanks = "Thank you. An organizer will read it.";
inline constexpr const char* kSigned = "Thanks, your signature is in!";
inline constexpr const char* kNotSigned =
    "Sorry, we could not record your signature. Please try again later.";
inline constexpr const char* kHandOff = "An organizer will reply to you here soon.";
inline constexpr const char* kWelcomeEs =
    "Chorus E2E: ¡Bienvenido/a! Responde ALTO para cancelar, AYUDA para ayuda.";
}  // namespace text

std::string Json(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// "2026-12-07T14:30" in UTC, `offset` from now: events are written in local time.
std::string UtcLocal(std::chrono::minutes offset) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M", &tm);
  return out;
}

class ChorusFlowsE2eTest : public ChorusE2eTest {
 protected:
  void SetUp() override {
    receiver_ = std::make_unique<WebhookReceiver>([this](int call) { return Plan(call); });
    ASSERT_TRUE(receiver_->Start().ok());
    ChorusE2eTest::SetUp();
  }
  void TearDown() override {
    ChorusE2eTest::TearDown();
    receiver_->Stop();
  }

  // Timers are looked for every 50 ms, so a test waits for them only as long as they are set.
  ChorusServer* StartFlowServer(Env extra = {}) {
    extra["CHORUS_TIMER_INTERVAL_MS"] = "50";
    return StartServer(extra);
  }

  // The webhook receiver's answer to call n; tests set it.
  virtual CallPlan Plan(int call) {
    std::lock_guard lock(plan_mutex_);
    return call <= static_cast<int>(plans_.size()) ? plans_[call - 1] : CallPlan{};
  }

  // Waits for `number` to have exactly `bodies` (and no more for a moment after).
  void ExpectTexts(const std::string& number, const std::vector<std::string>& bodies) {
    ASSERT_TRUE(WaitForTexts(number, bodies.size()))
        << "got " << ::testing::PrintToString(BodiesTo(number));
    EXPECT_EQ(BodiesTo(number), bodies);
  }

  // Texts `body` from every member at once (concurrent webhooks); each must be answered 200.
  void PostAll(const ChorusServer& server, const std::vector<std::string>& members,
               const std::string& body) {
    std::vector<std::future<transport::HttpResponseSpec>> posted;
    for (const auto& m : members) {
      posted.push_back(http_.SendAsync(InboundRequest(server, NewMessageSid(), m, body)));
    }
    for (auto& p : posted) EXPECT_EQ(p.get().status, 200);
  }

  std::string KeywordsJson() const override {
    return R"(
    { "word": "JOIN", "opt_in": true, "reply": )" +
           Json(ws::kWelcome) + R"(,
      "flow": "onboarding" },
    { "word": "UNETE", "opt_in": true, "language": "es", "reply": )" +
           Json(text::kWelcomeEs) +
           R"(, "flow": "onboarding" },
    { "word": "JOIN PUNE", "opt_in": true, "reply": )" +
           Json(text::kPuneWelcome) + R"(,
      "flow": "pune", "chapter": "pune" },
    { "word": "EVENTS", "reply": )" +
           Json(ws::kEvents) + R"( },
    { "word": "IDEA", "flow": "idea" },
    { "word": "WAIT", "flow": "waiting" },
    { "word": "MEETING", "flow": "meeting-rsvp" },
    { "word": "STORY", "flow": "story" },
    { "word": "SIGN", "flow": "petition" },
    { "word": "HUMAN", "flow": "human" }
  )";
  }

  std::string CampaignJson() const override {
    return R"(,
  "chapters": [
    { "slug": "us", "name": "United States" },
    { "slug": "ny", "name": "New York State", "parent": "us", "postal_codes": ["1"] },
    { "slug": "nyc", "name": "New York City", "parent": "ny",
      "postal_codes": ["100", "101", "102", "103", "104", "111", "112", "113", "114", "116"],
      "time_zone": "America/New_York" },
    { "slug": "pune", "name": "Pune", "country": "IN", "postal_codes": ["411"],
      "time_zone": "Asia/Kolkata" }
  ],
  "events": [
    { "slug": "rally", "chapter": "nyc", "time_zone": "UTC", "place": "City Hall",
      "title": { "en": "Rally for Housing", "es": "Marcha por la Vivienda" },
      "starts_at": )" +
           Json(UtcLocal(std::chrono::hours(72))) + R"( },
    { "slug": "meeting", "chapter": "nyc", "time_zone": "UTC", "place": "Library",
      "title": { "en": "Tenants Meeting" },
      "starts_at": )" +
           Json(UtcLocal(std::chrono::minutes(-30))) + R"(,
      "ends_at": )" +
           Json(UtcLocal(std::chrono::minutes(90))) + R"(,
      "checkin_code": "4821", "follow_up_after_minutes": 720,
      "attended_flow": "thanks-attended", "absent_flow": "missed-you" }
  ],
  "flows": [)" +
           OnboardingFlow() + "," + OtherFlows() + R"(
  ]
  )";
  }

  std::string OnboardingFlow() const {
    const std::string zip = edited_ ? "Reply with your ZIP, please." : text::kZip;
    return R"(
    { "slug": "onboarding", "steps": [
      { "id": "zip", "kind": "ASK", "answer": "POSTAL_CODE", "save_as": "zip",
        "text": { "en": )" +
           Json(zip) + R"(, "es": )" + Json(text::kZipEs) + R"( },
        "retry_text": { "en": )" +
           Json(text::kZipRetry) + R"(, "es": )" + Json(text::kZipRetryEs) + R"( },
        "max_tries": 2, "on_invalid": "skipped", "next": "place" },
      { "id": "place", "kind": "JOIN_CHAPTER", "postal_code_field": "zip", "next": "rsvp" },
      { "id": "rsvp", "kind": "ASK", "answer": "YES_NO", "save_as": "rsvp", "next": "record",
        "text": { "en": )" +
           Json(text::kNycRally) + R"(, "es": )" + Json(text::kNycRallyEs) +
           R"( } },
      { "id": "record", "kind": "RECORD_ACTION", "action": "RSVP", "value": "{{fields.rsvp}}",
        "next": "answer" },
      { "id": "answer", "kind": "BRANCH", "next": "later", "conditions": [
        { "subject": "FIELD", "name": "rsvp", "values": ["yes"], "next": "see_you" } ] },
      { "id": "see_you", "kind": "SEND",
        "text": { "en": )" +
           Json(text::kSeeYou) + R"(, "es": )" + Json(text::kSeeYouEs) + R"( } },
      { "id": "later", "kind": "SEND", "text": { "en": )" +
           Json(text::kMaybeNextTime) + R"(, "es": )" + Json(text::kMaybeNextTimeEs) + R"( } },
      { "id": "skipped", "kind": "SEND", "text": { "en": )" +
           Json(text::kZipSkipped) + R"(, "es": )" + Json(text::kZipSkippedEs) + R"( } }
    ] })";
  }

  std::string OtherFlows() const {
    return R"(
    { "slug": "pune", "steps": [
      { "id": "pin", "kind": "ASK", "answer": "POSTAL_CODE", "save_as": "pin",
        "text": { "en": )" +
           Json(text::kPin) + R"( }, "next": "thanks" },
      { "id": "thanks", "kind": "SEND",
        "text": { "en": "Thanks! {{chapter.name}} will be in touch." } }
    ] },
    { "slug": "idea", "steps": [
      { "id": "ask", "kind": "ASK", "text": { "en": )" +
           Json(text::kIdea) + R"( },
        "reminder_text": { "en": )" +
           Json(text::kIdeaReminder) + R"( },
        "reminder_after_seconds": 1, "timeout_seconds": 3, "on_timeout": "later",
        "next": "thanks" },
      { "id": "thanks", "kind": "SEND", "text": { "en": )" +
           Json(text::kIdeaThanks) + R"( } },
      { "id": "later", "kind": "SEND", "text": { "en": )" +
           Json(text::kIdeaLater) + R"( } }
    ] },
    { "slug": "waiting", "steps": [
      { "id": "wait", "kind": "WAIT", "duration_seconds": 2, "next": "over" },
      { "id": "over", "kind": "SEND", "text": { "en": )" +
           Json(text::kWaitOver) + R"( } }
    ] },
    { "slug": "meeting-rsvp", "steps": [
      { "id": "ask", "kind": "ASK", "answer": "CHOICE", "save_as": "meeting",
        "text": { "en": )" +
           Json(text::kMeeting) + R"( },
        "choices": [ { "value": "yes", "synonyms": ["y", "si"] }, { "value": "no" },
                     { "value": "maybe" } ], "next": "record" },
      { "id": "record", "kind": "RECORD_ACTION", "action": "RSVP", "target": "meeting",
        "value": "{{fields.meeting}}", "next": "noted" },
      { "id": "noted", "kind": "SEND", "text": { "en": )" +
           Json(text::kMeetingNoted) + R"( } }
    ] },
    { "slug": "thanks-attended", "steps": [
      { "id": "thanks", "kind": "SEND", "text": { "en": )" +
           Json(text::kThanksForComing) + R"( } }
    ] },
    { "slug": "missed-you", "steps": [
      { "id": "missed", "kind": "SEND", "text": { "en": )" +
           Json(text::kMissedYou) + R"( } }
    ] },
    { "slug": "story", "steps": [
      { "id": "tell", "kind": "STORY", "target": "harassment", "idle_seconds": 2,
        "text": { "en": )" +
           Json(text::kStoryPrompt) + R"( },
        "place_text": { "en": )" +
           Json(text::kStoryPlace) + R"( },
        "consent_text": { "en": )" +
           Json(text::kStoryConsent) + R"( },
        "thanks_text": { "en": )" +
           Json(text::kStoryThanks) + R"( } }
    ] },
    { "slug": "petition", "steps": [
      { "id": "call", "kind": "CALL_WEBHOOK", "url": )" +
           Json(receiver_->url("petition")) +
           R"(, "secret": "crm", "timeout_ms": 1000, "next": "signed", "on_failure": "sorry" },
      { "id": "signed", "kind": "SEND", "text": { "en": )" +
           Json(text::kSigned) + R"( } },
      { "id": "sorry", "kind": "SEND", "text": { "en": )" +
           Json(text::kNotSigned) + R"( } }
    ] },
    { "slug": "human", "steps": [
      { "id": "hand", "kind": "HAND_OFF", "text": { "en": )" +
           Json(text::kHandOff) + R"( } }
    ] })";
  }

  std::unique_ptr<WebhookReceiver> receiver_;
  bool edited_ = false;
  std::mutex plan_mutex_;
  std::vector<CallPlan> plans_;
};

// Scenarios 1 and 2: JOIN -> welcome and ZIP question -> 10001 -> NYC chapter and the next
// local event -> YES is an RSVP.
TEST_F(ChorusFlowsE2eTest, JoinZipChapterNextEventAndRsvp) {
  ASSERT_NE(StartFlowServer(), nullptr);
  const std::string member = Member(1);
  Text(member, "JOIN");
  ExpectTexts(member, {ws::kWelcome, text::kZip});
  Text(member, "10001");
  ExpectTexts(member, {ws::kWelcome, text::kZip, text::kNycRally});
  Text(member, "yes");
  ExpectTexts(member, {ws::kWelcome, text::kZip, text::kNycRally, text::kSeeYou});

  EXPECT_EQ(Value("SELECT fields->>'zip' FROM members WHERE phone_e164 = $1", member), "10001");
  EXPECT_EQ(Value("SELECT string_agg(c.slug, ',') FROM member_chapters mc JOIN chapters c"
                  " ON c.id = mc.chapter_id JOIN members m ON m.id = mc.member_id"
                  " WHERE m.phone_e164 = $1",
                  member),
            "nyc");
  EXPECT_EQ(Value("SELECT a.kind || ' ' || a.value || ' ' || e.slug FROM actions a"
                  " JOIN events e ON e.id = a.event_id JOIN members m ON m.id = a.member_id"
                  " WHERE m.phone_e164 = $1",
                  member),
            "rsvp yes rally");
  EXPECT_EQ(Count("SELECT count(*) FROM consent_events c JOIN members m ON m.id = c.member_id"
                  " WHERE m.phone_e164 = $1 AND c.kind = 'opt_in' AND c.keyword = 'join'",
                  member),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM flow_sessions s JOIN members m ON m.id = s.member_id"
                  " WHERE m.phone_e164 = $1 AND s.active",
                  member),
            0)
      << "the flow ended";
}

TEST_F(ChorusFlowsE2eTest, AnInvalidAnswerIsRepromptedThenTheFlowMovesOn) {
  ASSERT_NE(StartFlowServer(), nullptr);
  const std::string member = Member(2);
  Text(member, "JOIN");
  ExpectTexts(member, {ws::kWelcome, text::kZip});
  const std::string first = Text(member, "my zip is secret");
  ExpectTexts(member, {ws::kWelcome, text::kZip, text::kZipRetry});
  EXPECT_EQ(ProcessedOutcome(first), "flow_invalid");
  Text(member, "1000");
  ExpectTexts(member, {ws::kWelcome, text::kZip, text::kZipRetry, text::kZipSkipped});
  EXPECT_EQ(Value("SELECT fields->>'zip' FROM members WHERE phone_e164 = $1", member),
            std::nullopt);
}

TEST_F(ChorusFlowsE2eTest, AnUnansweredQuestionIsRemindedOnceThenTimesOut) {
  ASSERT_NE(StartFlowServer(), nullptr);
  const std::string quiet = Member(3);
  const std::string answers = Member(4);
  Text(quiet, "IDEA");
  Text(answers, "IDEA");
  ExpectTexts(answers, {text::kIdea});
  Text(answers, "More trees");
  ExpectTexts(answers, {text::kIdea, text::kIdeaThanks});
  ExpectTexts(quiet, {text::kIdea, text::kIdeaReminder, text::kIdeaLater});
  // Nothing more comes: the answered member's timers were cancelled, the other's fired once.
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_EQ(BodiesTo(answers), (std::vector<std::string>{text::kIdea, text::kIdeaThanks}));
  EXPECT_EQ(BodiesTo(quiet).size(), 3u);
  EXPECT_EQ(Count("SELECT count(*) FROM member_events WHERE kind = 'timer'"
                  " AND outcome = 'fired'"),
            2);
  const std::string metrics = http_.Get(server().admin_url + "/metrics").body;
  EXPECT_NE(metrics.find(R"(chorus_member_events_total{kind="timer",outcome="fired"} 2)"),
            std::string::npos);
  EXPECT_NE(metrics.find(R"(chorus_member_events_total{kind="inbound",outcome="flow_answer"} 1)"),
            std::string::npos);
}

TEST_F(ChorusFlowsE2eTest, ASpanishKeywordRunsTheSpanishVariant) {
  ASSERT_NE(StartFlowServer(), nullptr);
  const std::string member = Member(5);
  Text(member, "Únete");
  ExpectTexts(member, {text::kWelcomeEs, text::kZipEs});
  Text(member, "10002");
  ExpectTexts(member, {text::kWelcomeEs, text::kZipEs, text::kNycRallyEs});
  Text(member, "Sí");
  ExpectTexts(member, {text::kWelcomeEs, text::kZipEs, text::kNycRallyEs, text::kSeeYouEs});
  EXPECT_EQ(Value("SELECT language FROM members WHERE phone_e164 = $1", member), "es");
}

TEST_F(ChorusFlowsE2eTest, StopInTheMiddleOfAFlowEndsItAndNothingFollows) {
  ASSERT_NE(StartFlowServer(), nullptr);
  const std::string member = Member(6);
  Text(member, "IDEA");
  ExpectTexts(member, {text::kIdea});
  Text(member, "STOP");
  ExpectTexts(member, {text::kIdea, ws::kOptOut});
  const std::string after = Text(member, "More trees");
  ASSERT_TRUE(WaitProcessed({after}));
  EXPECT_EQ(ProcessedOutcome(after), "suppressed");
  std::this_thread::sleep_for(std::chrono::seconds(4));  // past the reminder and the timeout
  EXPECT_EQ(BodiesTo(member), (std::vector<std::string>{text::kIdea, ws::kOptOut}));
  EXPECT_EQ(Count("SELECT count(*) FROM flow_sessions WHERE active"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM member_events WHERE kind = 'timer'"
                  " AND outcome = 'cancelled'"),
            2);
}

TEST_F(ChorusFlowsE2eTest, JoinPuneAndJoinOnOneNumberStartTheirOwnFlows) {
  ASSERT_NE(StartFlowServer(), nullptr);
  const std::string pune = "+919800000001";
  const std::string national = Member(7);
  Text(pune, "join pune");
  Text(national, "JOIN");
  ExpectTexts(pune, {text::kPuneWelcome, text::kPin});
  ExpectTexts(national, {ws::kWelcome, text::kZip});
  Text(pune, "४११००१");  // a PIN code in Devanagari digits
  ExpectTexts(pune, {text::kPuneWelcome, text::kPin, text::kPuneThanks});
  EXPECT_EQ(Value("SELECT fields->>'pin' FROM members WHERE phone_e164 = $1", pune), "411001");
  EXPECT_EQ(Value("SELECT string_agg(c.slug, ',') FROM member_chapters mc JOIN chapters c"
                  " ON c.id = mc.chapter_id JOIN members m ON m.id = mc.member_id"
                  " WHERE m.phone_e164 = $1",
                  pune),
            "pune");
}

TEST_F(ChorusFlowsE2eTest, RsvpCheckInAndBothFollowUpsTheNextMorning) {
  ASSERT_NE(StartFlowServer(), nullptr);
  const std::string came = Member(10), absent = Member(11), walk_in = Member(12),
                    declined = Member(13);
  for (const std::string& m : {came, absent, declined}) Text(m, "MEETING");
  for (const std::string& m : {came, absent, declined}) ExpectTexts(m, {text::kMeeting});
  Text(came, "YES");
  Text(absent, "y");
  Text(declined, "no");
  for (const std::string& m : {came, absent, declined}) {
    ExpectTexts(m, {text::kMeeting, text::kMeetingNoted});
  }
  Text(came, "here 4821");
  Text(walk_in, "4821");  // the code alone, while the event is on
  ExpectTexts(came, {text::kMeeting, text::kMeetingNoted, text::kCheckedIn});
  ExpectTexts(walk_in, {text::kCheckedIn});
  EXPECT_EQ(Count("SELECT count(*) FROM actions WHERE kind = 'check_in'"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM actions WHERE kind = 'rsvp' AND value = 'yes'"), 2);

  // The next morning.
  Query("UPDATE events SET follow_up_at = now() WHERE slug = 'meeting'");
  ExpectTexts(came,
              {text::kMeeting, text::kMeetingNoted, text::kCheckedIn, text::kThanksForComing});
  ExpectTexts(walk_in, {text::kCheckedIn, text::kThanksForComing});
  ExpectTexts(absent, {text::kMeeting, text::kMeetingNoted, text::kMissedYou});
  // Each member once, even when the follow-ups are looked for again.
  Query("UPDATE events SET followed_up_at = NULL, follow_up_at = now() WHERE slug = 'meeting'");
  ASSERT_TRUE(Eventually([&] {
    return Value("SELECT followed_up_at IS NOT NULL FROM events WHERE slug = 'meeting'") == "t";
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(BodiesTo(came).size(), 4u);
  EXPECT_EQ(BodiesTo(walk_in).size(), 2u);
  EXPECT_EQ(BodiesTo(absent).size(), 3u);
  EXPECT_EQ(BodiesTo(declined), (std::vector<std::string>{text::kMeeting, text::kMeetingNoted}));
  EXPECT_EQ(Count("SELECT count(*) FROM event_follow_ups"), 3);
}

TEST_F(ChorusFlowsE2eTest, AStoryIsCollectedIntoTheInboxAndNeverLogged) {
  ASSERT_NE(StartFlowServer(), nullptr);
  const std::string member = Member(14);
  const std::string part1 = "A man followed me from the bus stop";
  const std::string part2 = "and shouted at me until I reached my building";
  Text(member, "STORY");
  ExpectTexts(member, {text::kStoryPrompt});
  Text(member, part1);
  Text(member, part2);
  ExpectTexts(member, {text::kStoryPrompt, text::kStoryPlace});  // after 2 s of quiet
  Text(member, "Elm Street stop");
  ExpectTexts(member, {text::kStoryPrompt, text::kStoryPlace, text::kStoryConsent});
  Text(member, "yes");
  ExpectTexts(member,
              {text::kStoryPrompt, text::kStoryPlace, text::kStoryConsent, text::kStoryThanks});
  const pqxx::result story = Query(
      "SELECT s.body, s.place, s.share_consent, c.kind, c.status FROM stories s"
      " JOIN conversations c ON c.id = s.conversation_id");
  ASSERT_EQ(story.size(), 1u);
  EXPECT_EQ(story[0][0].as<std::string>(), part1 + "\n" + part2);
  EXPECT_EQ(story[0][1].as<std::string>(), "Elm Street stop");
  EXPECT_TRUE(story[0][2].as<bool>());
  EXPECT_EQ(story[0][3].as<std::string>(), "story");
  EXPECT_EQ(story[0][4].as<std::string>(), "open") << "waiting in the organizers' inbox";
  StopServer(server());
  const std::string log = ReadFile(server().log_path);
  for (const std::string& secret : {part1, part2, std::string("Elm Street")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "the story reached the log";
  }
}

TEST_F(ChorusFlowsE2eTest, AWebhookStepBranchesOnAFineAFailingAndASlowReceiver) {
  {
    std::lock_guard lock(plan_mutex_);
    plans_ = {CallPlan{200, {}}, CallPlan{500, {}}, CallPlan{200, std::chrono::seconds(3)}};
  }
  ASSERT_NE(StartFlowServer(), nullptr);
  const std::string fine = Member(15), failing = Member(16), slow = Member(17);
  Text(fine, "SIGN");
  ExpectTexts(fine, {text::kSigned});
  Text(failing, "SIGN");
  ExpectTexts(failing, {text::kNotSigned});
  Text(slow, "SIGN");
  ExpectTexts(slow, {text::kNotSigned});  // no answer within the step's 1 s

  const auto calls = receiver_->calls();
  ASSERT_EQ(calls.size(), 3u);
  std::set<std::string> ids;
  for (const ReceivedCall& call : calls) {
    EXPECT_EQ(call.content_type, "application/json");
    EXPECT_EQ(call.signature, ExpectedChorusSignature(webhook_secret_, call.timestamp, call.body));
    const auto fields = JsonFields(call.body);
    ASSERT_TRUE(fields.has_value()) << call.body;
    EXPECT_EQ(fields->at("flow"), "petition");
    EXPECT_EQ(fields->at("step"), "call");
    EXPECT_EQ(call.body.find("5550101"), std::string::npos) << "no phone number in the payload";
    ids.insert(call.call_id);
  }
  EXPECT_EQ(ids.size(), 3u) << "each call has its own idempotency key";
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_calls WHERE status = 'done'"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_calls WHERE ok"), 1);
  const std::string metrics = http_.Get(server().admin_url + "/metrics").body;
  for (const char* series : {R"(chorus_webhook_calls_total{result="ok"} 1)",
                             R"(chorus_webhook_calls_total{result="failed"} 1)",
                             R"(chorus_webhook_calls_total{result="timed_out"} 1)"}) {
    EXPECT_NE(metrics.find(series), std::string::npos) << series;
  }
}

TEST_F(ChorusFlowsE2eTest, AHandedOffConversationTakesTheMembersMessagesUntilClosed) {
  ASSERT_NE(StartFlowServer(), nullptr);
  const std::string member = Member(18);
  Text(member, "HUMAN");
  ExpectTexts(member, {text::kHandOff});
  const std::string question = Text(member, "Can someone call me about my landlord?");
  const std::string join = Text(member, "JOIN");
  ASSERT_TRUE(WaitProcessed({question, join}));
  EXPECT_EQ(ProcessedOutcome(question), "inbox");
  EXPECT_EQ(ProcessedOutcome(join), "inbox");
  EXPECT_EQ(Count("SELECT count(*) FROM conversation_messages"), 2);
  // Closed by an organizer: the member's messages are routed again.
  Query("UPDATE conversations SET status = 'closed', closed_at = now()");
  Text(member, "EVENTS");
  ExpectTexts(member, {text::kHandOff, ws::kEvents});
  // STOP is never taken by the inbox.
  Query("UPDATE conversations SET status = 'open', closed_at = NULL");
  Text(member, "STOP");
  ExpectTexts(member, {text::kHandOff, ws::kEvents, ws::kOptOut});
}

TEST_F(ChorusFlowsE2eTest, AMemberFinishesTheFlowVersionTheyBeganAfterAnEdit) {
  ASSERT_NE(StartFlowServer(), nullptr);
  const std::string before = Member(19), after = Member(20);
  Text(before, "JOIN");
  ExpectTexts(before, {ws::kWelcome, text::kZip});
  edited_ = true;  // version 2 asks for the ZIP differently
  ASSERT_NO_FATAL_FAILURE(Reapply());
  ASSERT_TRUE(Eventually(
      [&] { return Value("SELECT active_version FROM flows WHERE slug = 'onboarding'") == "2"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the reload reaches the server
  Text(after, "JOIN");
  ExpectTexts(after, {ws::kWelcome, "Reply with your ZIP, please."});
  Text(before, "10001");
  ExpectTexts(before, {ws::kWelcome, text::kZip, text::kNycRally});  // version 1's next step
  EXPECT_EQ(Count("SELECT count(*) FROM flow_sessions WHERE version = 1"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM flow_sessions WHERE version = 2"), 1);
}

TEST_F(ChorusFlowsE2eTest, ARestartWhileAHundredMembersWaitInAnAskResumesEachOnce) {
  ChorusServer* first = StartFlowServer();
  ASSERT_NE(first, nullptr);
  constexpr int kMembers = 100;
  std::vector<std::string> members;
  for (int i = 0; i < kMembers; ++i) members.push_back(Member(100 + i));
  PostAll(*first, members, "JOIN");
  for (const auto& m : members) ExpectTexts(m, {ws::kWelcome, text::kZip});
  EXPECT_EQ(Count("SELECT count(*) FROM flow_sessions WHERE active"), kMembers);
  const ExitStatus stopped = StopServer(*first);
  EXPECT_TRUE(stopped.exited && stopped.code == 0) << stopped.Describe();

  ChorusServer* second = StartFlowServer();
  ASSERT_NE(second, nullptr);
  PostAll(*second, members, "10001");
  for (const auto& m : members) ExpectTexts(m, {ws::kWelcome, text::kZip, text::kNycRally});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (const auto& m : members) EXPECT_EQ(BodiesTo(m).size(), 3u) << m;
}

TEST_F(ChorusFlowsE2eTest, TwoNodesFireEachMembersTimerOnce) {
  ChorusServer* a = StartFlowServer();
  ChorusServer* b = StartFlowServer();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  constexpr int kMembers = 40;
  std::vector<std::string> members;
  for (int i = 0; i < kMembers; ++i) members.push_back(Member(300 + i));
  std::vector<std::future<transport::HttpResponseSpec>> posted;
  for (int i = 0; i < kMembers; ++i) {
    posted.push_back(
        http_.SendAsync(InboundRequest(i % 2 ? *a : *b, NewMessageSid(), members[i], "WAIT")));
  }
  for (auto& p : posted) EXPECT_EQ(p.get().status, 200);
  for (const auto& m : members) ExpectTexts(m, {text::kWaitOver});
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (const auto& m : members) EXPECT_EQ(BodiesTo(m).size(), 1u) << m;
  EXPECT_EQ(Count("SELECT count(*) FROM member_events WHERE kind = 'timer' AND outcome = 'fired'"),
            kMembers);
}

}  // namespace
}  // namespace chorus::e2e
