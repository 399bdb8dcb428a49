#include "flows/engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "flows/fake_catalog.hpp"

namespace chorus::flows {

bool operator==(const TimerRequest& a, const TimerRequest& b) {
  return a.kind == b.kind && a.after == b.after && a.until_minute == b.until_minute &&
         a.token == b.token;
}

void PrintTo(const TimerRequest& t, std::ostream* os) {
  *os << "{kind " << static_cast<int>(t.kind) << ", after " << t.after.count() << "s, until "
      << t.until_minute.value_or(-1) << ", token " << t.token << "}";
}

bool operator==(const WebhookRequest& a, const WebhookRequest& b) {
  return a.url == b.url && a.secret == b.secret && a.timeout == b.timeout && a.step == b.step &&
         a.token == b.token;
}

void PrintTo(const WebhookRequest& w, std::ostream* os) {
  *os << "{" << w.url << ", secret " << w.secret << ", " << w.timeout.count() << "ms, step "
      << w.step << ", token " << w.token << "}";
}

bool operator==(const ActionRecord& a, const ActionRecord& b) {
  return a.kind == b.kind && a.target == b.target && a.event_id == b.event_id && a.value == b.value;
}

void PrintTo(const ActionRecord& a, std::ostream* os) {
  *os << "{" << ActionKindName(a.kind) << ", target " << a.target << ", event "
      << a.event_id.value_or(-1) << ", value " << a.value << "}";
}

bool operator==(const StoryRecord& a, const StoryRecord& b) {
  return a.text == b.text && a.place == b.place && a.share == b.share;
}

void PrintTo(const StoryRecord& s, std::ostream* os) {
  *os << "{\"" << s.text << "\", place \"" << s.place << "\", share " << s.share << "}";
}

void PrintTo(Outcome outcome, std::ostream* os) { *os << OutcomeName(outcome); }

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr ChannelId kChannel = 3;
const TimePoint kNow{hours(24 * 19870)};  // 2024-05-27

constexpr std::int64_t kRallyId = 1;
constexpr std::int64_t kGalaId = 2;
constexpr std::int64_t kLaRallyId = 3;
constexpr std::int64_t kNationalCallId = 4;
constexpr std::int64_t kPastRallyId = 5;

// ---- building flows ----

LocalizedText En(std::string text) { return {{"en", std::move(text)}}; }

Step Make(StepKind kind, std::string id, std::string next = "") {
  Step step;
  step.kind = kind;
  step.id = std::move(id);
  step.next = std::move(next);
  return step;
}

Step Send(std::string id, LocalizedText text, std::string next = "") {
  Step step = Make(StepKind::kSend, std::move(id), std::move(next));
  step.text = std::move(text);
  return step;
}

Step Ask(std::string id, AnswerType answer, LocalizedText text, std::string next = "") {
  Step step = Make(StepKind::kAsk, std::move(id), std::move(next));
  step.answer = answer;
  step.text = std::move(text);
  return step;
}

Flow MakeFlow(std::string slug, std::vector<Step> steps, int version = 1) {
  Flow flow;
  flow.slug = std::move(slug);
  flow.version = version;
  flow.steps = std::move(steps);
  return flow;
}

// us > ny > nyc, us > la, and pune in India, with postal-code rules; events of several chapters.
void AddGeography(FakeCatalog& catalog) {
  catalog.AddChapter("us", "United States", "");
  catalog.AddChapter("ny", "New York State", "us", "US", {"10", "11", "12", "13", "14"});
  catalog.AddChapter("nyc", "New York City", "ny", "US", {"100", "101", "102", "103", "104"});
  catalog.AddChapter("la", "Los Angeles", "us", "US", {"900"});
  catalog.AddChapter("pune", "Pune", "", "IN", {"411"});
  catalog.AddEvent(EventInfo{kRallyId,
                             "rally",
                             {{"en", "Rally at City Hall"}, {"es", "Mitin en el Ayuntamiento"}},
                             "nyc",
                             kNow + hours(72),
                             "City Hall",
                             "2024-05-30",
                             "18:00"});
  catalog.AddEvent(EventInfo{kGalaId, "gala", En("Gala"), "", kNow + hours(500), "The Hall",
                             "2024-06-17", "19:30"});
  catalog.AddEvent(EventInfo{kLaRallyId, "la_rally", En("LA rally"), "la", kNow + hours(2),
                             "Grand Park", "2024-05-27", "17:00"});
  catalog.AddEvent(EventInfo{kNationalCallId, "national_call", En("National call"), "",
                             kNow + hours(24), "Zoom", "2024-05-28", "20:00"});
  catalog.AddEvent(EventInfo{kPastRallyId, "past_rally", En("Last week's rally"), "nyc",
                             kNow - hours(24), "Union Square", "2024-05-26", "12:00"});
}

// One member talking with flows: feeds inputs, keeps the session and the last input's effects.
class Conversation {
 public:
  Conversation() { AddGeography(catalog); }
  explicit Conversation(std::vector<Step> steps) : Conversation() {
    catalog.AddFlow(MakeFlow("join", std::move(steps)));
  }

  Outcome Start(const std::string& slug = "join",
                std::optional<std::int64_t> event_id = std::nullopt) {
    session = NewSession(*catalog.ActiveFlow(slug), kChannel);
    Input in;
    in.kind = Input::Kind::kStart;
    in.event_id = event_id;
    return Feed(in);
  }

  Outcome Text(std::string text) {
    Input in;
    in.kind = Input::Kind::kText;
    in.text = std::move(text);
    return Feed(in);
  }

  Outcome Timer(TimerKind kind, int token) {
    Input in;
    in.kind = Input::Kind::kTimer;
    in.timer = kind;
    in.token = token;
    return Feed(in);
  }

  Outcome Webhook(bool ok, int token) {
    Input in;
    in.kind = Input::Kind::kWebhookResult;
    in.ok = ok;
    in.token = token;
    return Feed(in);
  }

  Outcome Feed(const Input& in) {
    fx = Effects{};
    const Context context{&catalog, "Chorus", default_language, kNow};
    return Advance(context, session, member, in, fx);
  }

  // Nothing happened: what a stale or foreign input must leave.
  bool NoEffects() const {
    return fx.sends.empty() && fx.fields.empty() && fx.timers.empty() && fx.webhooks.empty() &&
           fx.actions.empty() && fx.stories.empty() && !fx.cancel_timers && !fx.hand_off &&
           fx.errors.empty() && fx.tags_added.empty() && fx.chapters_joined.empty();
  }

  FakeCatalog catalog;
  std::string default_language = "en";
  MemberView member{"", "US", {}, {}, {}};
  Session session;
  Effects fx;
};

// Scenarios 1 and 2: welcome, ask the ZIP (retry, reminder, timeout), place in a chapter, tell
// the next local event.
std::vector<Step> ZipFlow() {
  Step ask = Ask("ask_zip", AnswerType::kPostalCode, En("What's your ZIP code?"), "place");
  ask.save_as = "zip";
  ask.retry_text = En("Please send 5 digits, like 10001.");
  ask.max_tries = 3;
  ask.on_invalid = "later";
  ask.reminder_text = En("Still there? Reply with your ZIP code.");
  ask.reminder_after = hours(1);
  ask.timeout = hours(24);
  ask.on_timeout = "timed_out";
  Step place = Make(StepKind::kJoinChapter, "place", "tell");
  place.postal_code_field = "zip";
  place.on_no_chapter = "far";
  return {Send("welcome", En("Welcome to {{org.name}}! Reply STOP to opt out, HELP for help."),
               "ask_zip"),
          ask,
          place,
          Send("tell", En("You're in {{chapter.name}}. Next: {{event.title}} on {{event.date}}.")),
          Send("later", En("No problem, we will ask another time.")),
          Send("timed_out", En("We'll check in later.")),
          Send("far", En("No chapter near {{fields.zip}} yet."))};
}

// ---- start ----

TEST(Start, RunsFromTheEntryToTheFirstAskAndWaits) {
  Conversation c(ZipFlow());
  EXPECT_EQ(c.Start(), Outcome::kAnswered);
  EXPECT_THAT(c.fx.sends, ElementsAre("Welcome to Chorus! Reply STOP to opt out, HELP for help.",
                                      "What's your ZIP code?"));
  EXPECT_THAT(c.fx.timers, ElementsAre(TimerRequest{TimerKind::kReminder, hours(1), {}, 1},
                                       TimerRequest{TimerKind::kTimeout, hours(24), {}, 1}));
  EXPECT_TRUE(c.fx.cancel_timers);
  EXPECT_EQ(c.session.step, "ask_zip");
  EXPECT_EQ(c.session.seq, 1);
  EXPECT_EQ(c.session.tries, 0);
  EXPECT_TRUE(c.session.active);
  EXPECT_EQ(c.session.flow, "join");
  EXPECT_EQ(c.session.channel_id, kChannel);
}

TEST(Start, AFlowWithoutStepsEndsAtOnce) {
  Conversation c(std::vector<Step>{});
  EXPECT_EQ(c.Start(), Outcome::kEnded);
  EXPECT_FALSE(c.session.active);
  EXPECT_THAT(c.fx.sends, IsEmpty());
}

TEST(AwaitingEntry, AReplyToSomeoneElsesQuestionIsTheEntryAsksAnswer) {
  Conversation c(ZipFlow());
  // The flow begins with a send: nothing to wait at.
  EXPECT_EQ(AwaitingEntry(*c.catalog.ActiveFlow("join"), kChannel), std::nullopt);
  std::vector<Step> steps = ZipFlow();
  steps.erase(steps.begin());  // now it begins with the ZIP question
  c.catalog.AddFlow(MakeFlow("zip_reply", steps));
  auto waiting = AwaitingEntry(*c.catalog.ActiveFlow("zip_reply"), kChannel);
  ASSERT_TRUE(waiting);
  EXPECT_EQ(waiting->step, "ask_zip");
  EXPECT_TRUE(waiting->active);
  c.session = *waiting;
  EXPECT_EQ(c.Text("10001"), Outcome::kEnded);
  EXPECT_EQ(c.member.fields.at("zip"), "10001");
  // The question was not asked again.
  EXPECT_THAT(c.fx.sends,
              ElementsAre("You're in New York City. Next: Rally at City Hall on 2024-05-30."));
}

// ---- ask ----

TEST(Ask, ValidAnswerIsSavedAndTheFlowRunsOn) {
  Conversation c(ZipFlow());
  c.Start();
  EXPECT_EQ(c.Text("10001"), Outcome::kEnded);
  EXPECT_EQ(c.fx.fields, (std::map<std::string, std::string>{{"zip", "10001"}}));
  EXPECT_EQ(c.member.fields.at("zip"), "10001");
  EXPECT_THAT(c.fx.chapters_joined, ElementsAre("nyc"));
  EXPECT_THAT(c.fx.sends,
              ElementsAre("You're in New York City. Next: Rally at City Hall on 2024-05-30."));
  EXPECT_TRUE(c.fx.cancel_timers);
  EXPECT_FALSE(c.session.active);
  EXPECT_EQ(c.session.step, "");
}

TEST(Ask, InvalidAnswerIsRepromptedWithRetryTextThenBranchesAfterMaxTries) {
  Conversation c(ZipFlow());
  c.Start();
  for (int tries = 1; tries <= 2; ++tries) {
    EXPECT_EQ(c.Text("hello"), Outcome::kInvalid);
    EXPECT_THAT(c.fx.sends, ElementsAre("Please send 5 digits, like 10001."));
    EXPECT_EQ(c.session.tries, tries);
    EXPECT_EQ(c.session.step, "ask_zip");
    EXPECT_EQ(c.session.seq, 1);
    EXPECT_THAT(c.fx.fields, IsEmpty());
  }
  EXPECT_EQ(c.Text("1000"), Outcome::kGaveUp);
  EXPECT_THAT(c.fx.sends, ElementsAre("No problem, we will ask another time."));
  EXPECT_THAT(c.fx.fields, IsEmpty());
  EXPECT_TRUE(c.fx.cancel_timers);
  EXPECT_FALSE(c.session.active);
}

TEST(Ask, InvalidAnswerRepeatsTheQuestionWhenThereIsNoRetryText) {
  Conversation c({Ask("q", AnswerType::kNumber, En("How many people will you bring?"))});
  c.Start();
  EXPECT_EQ(c.Text("a few"), Outcome::kInvalid);
  EXPECT_THAT(c.fx.sends, ElementsAre("How many people will you bring?"));
}

TEST(Ask, GivingUpWithoutOnInvalidEndsTheFlowSilently) {
  Step ask = Ask("q", AnswerType::kYesNo, En("Coming? YES or NO"), "thanks");
  ask.max_tries = 1;
  Conversation c({ask, Send("thanks", En("Thanks!"))});
  c.Start();
  EXPECT_EQ(c.Text("perhaps"), Outcome::kGaveUp);
  EXPECT_THAT(c.fx.sends, IsEmpty());
  EXPECT_FALSE(c.session.active);
}

TEST(Ask, TriesStartOverAtEachAsk) {
  Step first = Ask("first", AnswerType::kNumber, En("How old are you?"), "second");
  first.max_tries = 2;
  Step second = Ask("second", AnswerType::kEmail, En("Your email?"));
  second.max_tries = 2;
  Conversation c({first, second});
  c.Start();
  EXPECT_EQ(c.Text("old"), Outcome::kInvalid);
  EXPECT_EQ(c.Text("42"), Outcome::kAnswered);
  EXPECT_EQ(c.session.step, "second");
  EXPECT_EQ(c.session.tries, 0);
  EXPECT_EQ(c.session.seq, 2);
  EXPECT_EQ(c.Text("not an email"), Outcome::kInvalid);
  EXPECT_TRUE(c.session.active);
  EXPECT_EQ(c.Text("Ana@Example.org"), Outcome::kEnded);
  EXPECT_EQ(c.member.fields.at("first"), "42");  // no save_as: the step id
  EXPECT_EQ(c.member.fields.at("second"), "ana@example.org");
}

TEST(Ask, NumbersInNativeDigitsAreSavedInAsciiDigits) {
  Step people = Ask("people", AnswerType::kNumber, En("How many?"), "ask_zip");
  people.min = 1;
  people.max = 10;
  std::vector<Step> steps = ZipFlow();
  steps.erase(steps.begin());  // no welcome
  steps.insert(steps.begin(), people);
  Conversation c(steps);
  c.member.language = "hi";
  c.Start();
  EXPECT_EQ(c.Text("११"), Outcome::kInvalid);  // 11: over the maximum
  EXPECT_EQ(c.Text("৩"), Outcome::kAnswered);  // Bengali 3
  EXPECT_EQ(c.fx.fields.at("people"), "3");
  EXPECT_EQ(c.Text("१०००१"), Outcome::kEnded);  // Devanagari 10001
  EXPECT_EQ(c.fx.fields.at("zip"), "10001");
  EXPECT_THAT(c.fx.chapters_joined, ElementsAre("nyc"));
}

std::vector<Step> IssueFlow() {
  Step ask = Ask("issue", AnswerType::kChoice, En("What matters most? 1 Water 2 Housing 3 Transit"),
                 "other");
  ask.choices = {Choice{"water", {"agua", "पानी", "ماء"}, "water_info"},
                 Choice{"housing", {"vivienda", "घर"}, ""}, Choice{"transit", {"transporte"}, ""}};
  return {ask, Send("water_info", En("Water: next hearing on Monday.")),
          Send("other", En("Thanks, we saved {{fields.issue}}."))};
}

TEST(Ask, ChoiceByNumberGoesToTheChoicesStepOrTheAsksNext) {
  struct Case {
    const char* text;
    const char* saved;
    const char* sent;
  };
  const Case cases[] = {{"1", "water", "Water: next hearing on Monday."},
                        {"2", "housing", "Thanks, we saved housing."},
                        {" 3. ", "transit", "Thanks, we saved transit."},
                        {"२", "housing", "Thanks, we saved housing."},
                        {"٣", "transit", "Thanks, we saved transit."}};
  for (const Case& k : cases) {
    SCOPED_TRACE(k.text);
    Conversation c(IssueFlow());
    c.Start();
    EXPECT_EQ(c.Text(k.text), Outcome::kEnded);
    EXPECT_EQ(c.member.fields.at("issue"), k.saved);
    EXPECT_THAT(c.fx.sends, ElementsAre(k.sent));
  }
}

TEST(Ask, ChoiceBySynonymInAnotherScript) {
  struct Case {
    const char* language;
    const char* text;
    const char* saved;
  };
  const Case cases[] = {{"hi", "पानी", "water"},
                        {"ar", "ماء", "water"},
                        {"es", "Agua!", "water"},
                        {"hi", "घर", "housing"},
                        {"es", "VIVIENDA", "housing"}};
  for (const Case& k : cases) {
    SCOPED_TRACE(k.text);
    Conversation c(IssueFlow());
    c.member.language = k.language;
    c.Start();
    EXPECT_NE(c.Text(k.text), Outcome::kInvalid);
    EXPECT_EQ(c.member.fields.at("issue"), k.saved);
  }
  Conversation c(IssueFlow());
  c.Start();
  EXPECT_EQ(c.Text("4"), Outcome::kInvalid);
  EXPECT_EQ(c.Text("bread"), Outcome::kInvalid);
}

TEST(Ask, YesNoIsReadInTheMembersLanguage) {
  struct Case {
    const char* language;
    const char* text;
    const char* sent;  // nullptr: refused
  };
  const Case cases[] = {{"es", "Sí", "See you there!"},
                        {"es", "no", "Maybe next time."},
                        {"hi", "हाँ", "See you there!"},
                        {"hi", "नहीं", "Maybe next time."},
                        {"sw", "ndiyo", "See you there!"},
                        {"ru", "нет", "Maybe next time."},
                        {"fr", "yes", "See you there!"},
                        {"en", "sí", nullptr},
                        {"en", "हाँ", nullptr}};
  for (const Case& k : cases) {
    SCOPED_TRACE(std::string(k.language) + " " + k.text);
    Step ask = Ask("rsvp", AnswerType::kYesNo, En("Coming? YES or NO"));
    ask.choices = {Choice{"yes", {}, "see_you"}, Choice{"no", {}, "next_time"}};
    Conversation c(
        {ask, Send("see_you", En("See you there!")), Send("next_time", En("Maybe next time."))});
    c.member.language = k.language;
    c.Start();
    if (k.sent == nullptr) {
      EXPECT_EQ(c.Text(k.text), Outcome::kInvalid);
    } else {
      EXPECT_EQ(c.Text(k.text), Outcome::kEnded);
      EXPECT_THAT(c.fx.sends, ElementsAre(k.sent));
    }
  }
}

TEST(Ask, AnswerSavedAsLanguageSwitchesTheFollowingTexts) {
  Step ask = Ask("lang", AnswerType::kChoice, En("1 English 2 Español"), "hello");
  ask.save_as = "language";
  ask.choices = {Choice{"en", {"english", "ingles"}, ""}, Choice{"es", {"espanol", "spanish"}, ""}};
  Conversation c({ask, Send("hello", {{"en", "Hello!"}, {"es", "¡Hola!"}})});
  c.Start();
  EXPECT_EQ(c.Text("Español"), Outcome::kEnded);
  EXPECT_EQ(c.fx.language, "es");
  EXPECT_EQ(c.member.language, "es");
  EXPECT_THAT(c.fx.fields, IsEmpty());  // the language is not a field
  EXPECT_THAT(c.fx.sends, ElementsAre("¡Hola!"));
}

// ---- ask timers: reminder, timeout, stale tokens ----

TEST(AskTimers, ReminderIsSentOnceAndKeepsTheTimeoutArmed) {
  Conversation c(ZipFlow());
  c.Start();
  EXPECT_EQ(c.Timer(TimerKind::kReminder, 1), Outcome::kReminded);
  EXPECT_THAT(c.fx.sends, ElementsAre("Still there? Reply with your ZIP code."));
  EXPECT_FALSE(c.fx.cancel_timers);
  EXPECT_THAT(c.fx.timers, IsEmpty());
  EXPECT_TRUE(c.session.reminded);
  EXPECT_EQ(c.Timer(TimerKind::kReminder, 1), Outcome::kStale);
  EXPECT_TRUE(c.NoEffects());
  EXPECT_EQ(c.Text("10001"), Outcome::kEnded);  // still answerable after the reminder
}

TEST(AskTimers, TimeoutGoesToOnTimeout) {
  Conversation c(ZipFlow());
  c.Start();
  EXPECT_EQ(c.Timer(TimerKind::kTimeout, 1), Outcome::kTimedOut);
  EXPECT_THAT(c.fx.sends, ElementsAre("We'll check in later."));
  EXPECT_TRUE(c.fx.cancel_timers);
  EXPECT_FALSE(c.session.active);
}

TEST(AskTimers, TimeoutWithoutOnTimeoutEndsTheFlow) {
  Step ask = Ask("q", AnswerType::kText, En("Anything to add?"), "thanks");
  ask.timeout = minutes(30);
  Conversation c({ask, Send("thanks", En("Thanks!"))});
  c.Start();
  EXPECT_THAT(c.fx.timers, ElementsAre(TimerRequest{TimerKind::kTimeout, minutes(30), {}, 1}));
  EXPECT_EQ(c.Timer(TimerKind::kTimeout, 1), Outcome::kTimedOut);
  EXPECT_THAT(c.fx.sends, IsEmpty());
  EXPECT_FALSE(c.session.active);
}

TEST(AskTimers, InvalidAnswerKeepsTheTimersOfTheAsk) {
  Conversation c(ZipFlow());
  c.Start();
  EXPECT_EQ(c.Text("no idea"), Outcome::kInvalid);
  EXPECT_FALSE(c.fx.cancel_timers);
  EXPECT_THAT(c.fx.timers, IsEmpty());
  EXPECT_EQ(c.Timer(TimerKind::kTimeout, 1), Outcome::kTimedOut);
}

TEST(AskTimers, AReminderNeedsItsText) {
  Step ask = Ask("q", AnswerType::kText, En("Anything to add?"));
  ask.reminder_after = hours(1);
  Conversation c({ask});
  c.Start();
  EXPECT_THAT(c.fx.timers, IsEmpty());
}

TEST(AskTimers, TimerFromAnEarlierAskIsStale) {
  Step first = Ask("first", AnswerType::kText, En("Your name?"), "second");
  first.timeout = hours(1);
  Step second = Ask("second", AnswerType::kText, En("Your street?"));
  second.timeout = hours(2);
  Conversation c({first, second});
  c.Start();
  c.Text("Ana");
  EXPECT_THAT(c.fx.timers, ElementsAre(TimerRequest{TimerKind::kTimeout, hours(2), {}, 2}));
  EXPECT_TRUE(c.fx.cancel_timers);
  EXPECT_EQ(c.Timer(TimerKind::kTimeout, 1), Outcome::kStale);
  EXPECT_TRUE(c.NoEffects());
  EXPECT_EQ(c.session.step, "second");
  EXPECT_EQ(c.session.seq, 2);
  EXPECT_TRUE(c.session.active);
  EXPECT_EQ(c.Timer(TimerKind::kTimeout, 2), Outcome::kTimedOut);
}

TEST(AskTimers, TimerOfAnotherKindOrAfterTheEndIsStale) {
  Conversation c(ZipFlow());
  c.Start();
  EXPECT_EQ(c.Timer(TimerKind::kWait, 1), Outcome::kStale);
  EXPECT_EQ(c.Timer(TimerKind::kStoryIdle, 1), Outcome::kStale);
  EXPECT_EQ(c.Webhook(true, 1), Outcome::kStale);
  EXPECT_TRUE(c.NoEffects());
  c.Text("10001");
  EXPECT_EQ(c.Timer(TimerKind::kTimeout, c.session.seq), Outcome::kStale);
  EXPECT_TRUE(c.NoEffects());
}

// ---- branch ----

struct BranchCase {
  const char* what;
  Condition condition;
  MemberView member;
  bool holds;
};

MemberView WithField(std::string name, std::string value) {
  return MemberView{"", "US", {{std::move(name), std::move(value)}}, {}, {}};
}

MemberView WithLanguage(std::string language) { return MemberView{language, "US", {}, {}, {}}; }
MemberView WithTag(std::string tag) { return MemberView{"", "US", {}, {std::move(tag)}, {}}; }
MemberView In(std::string chapter) { return MemberView{"", "US", {}, {}, {std::move(chapter)}}; }
MemberView Nobody() { return MemberView{"", "US", {}, {}, {}}; }

Condition If(Subject subject, std::string name, Comparison comparison,
             std::vector<std::string> values = {}) {
  return Condition{subject, std::move(name), comparison, std::move(values), "matched"};
}

TEST(Branch, GoesToTheConditionsStepWhenItHolds) {
  using S = Subject;
  using C = Comparison;
  const BranchCase cases[] = {
      {"field equals", If(S::kField, "zip", C::kEquals, {"10001"}), WithField("zip", "10001"),
       true},
      {"field equals folded", If(S::kField, "city", C::kEquals, {"Bogotá"}),
       WithField("city", "BOGOTA"), true},
      {"field equals, field missing", If(S::kField, "zip", C::kEquals, {"10001"}), Nobody(), false},
      {"field not equals", If(S::kField, "zip", C::kNotEquals, {"10001"}),
       WithField("zip", "10002"), true},
      {"field not equals, equal", If(S::kField, "zip", C::kNotEquals, {"10001"}),
       WithField("zip", "10001"), false},
      {"field in", If(S::kField, "zip", C::kIn, {"10001", "10002"}), WithField("zip", "10002"),
       true},
      {"field not in", If(S::kField, "zip", C::kIn, {"10001", "10002"}), WithField("zip", "10003"),
       false},
      {"field exists", If(S::kField, "zip", C::kExists), WithField("zip", "10001"), true},
      {"field exists, empty", If(S::kField, "zip", C::kExists), WithField("zip", ""), false},
      {"field missing", If(S::kField, "zip", C::kMissing), Nobody(), true},
      {"field missing, present", If(S::kField, "zip", C::kMissing), WithField("zip", "1"), false},
      {"greater than", If(S::kField, "age", C::kGreaterThan, {"17"}), WithField("age", "18"), true},
      {"greater than, equal", If(S::kField, "age", C::kGreaterThan, {"17"}), WithField("age", "17"),
       false},
      {"greater than, not a number", If(S::kField, "age", C::kGreaterThan, {"17"}),
       WithField("age", "old"), false},
      {"greater than, missing", If(S::kField, "age", C::kGreaterThan, {"17"}), Nobody(), false},
      {"less than", If(S::kField, "age", C::kLessThan, {"18"}), WithField("age", "17.5"), true},
      {"answer", If(S::kAnswer, "rsvp", C::kEquals, {"yes"}), WithField("rsvp", "yes"), true},
      {"language", If(S::kLanguage, "", C::kEquals, {"es"}), WithLanguage("es"), true},
      {"language default", If(S::kLanguage, "", C::kEquals, {"en"}), WithLanguage(""), true},
      {"language in", If(S::kLanguage, "", C::kIn, {"hi", "bn"}), WithLanguage("bn"), true},
      {"language not equals", If(S::kLanguage, "", C::kNotEquals, {"es"}), WithLanguage("es"),
       false},
      {"tag", If(S::kTag, "volunteer", C::kEquals), WithTag("volunteer"), true},
      {"tag, without it", If(S::kTag, "volunteer", C::kEquals), WithTag("donor"), false},
      {"tag exists", If(S::kTag, "volunteer", C::kExists), WithTag("volunteer"), true},
      {"tag missing", If(S::kTag, "volunteer", C::kMissing), WithTag("donor"), true},
      {"tag missing, with it", If(S::kTag, "volunteer", C::kMissing), WithTag("volunteer"), false},
      {"tag not equals", If(S::kTag, "volunteer", C::kNotEquals), WithTag("donor"), true},
      {"tag not equals, with it", If(S::kTag, "volunteer", C::kNotEquals), WithTag("volunteer"),
       false},
      {"chapter", If(S::kChapter, "", C::kEquals, {"nyc"}), In("nyc"), true},
      {"sub-chapter", If(S::kChapter, "", C::kEquals, {"ny"}), In("nyc"), true},
      {"two levels down", If(S::kChapter, "", C::kEquals, {"us"}), In("nyc"), true},
      {"parent is not within child", If(S::kChapter, "", C::kEquals, {"nyc"}), In("ny"), false},
      {"sibling", If(S::kChapter, "", C::kEquals, {"ny"}), In("la"), false},
      {"chapter in", If(S::kChapter, "", C::kIn, {"la", "ny"}), In("nyc"), true},
      {"chapter not equals", If(S::kChapter, "", C::kNotEquals, {"ny"}), In("la"), true},
      {"chapter not equals, within", If(S::kChapter, "", C::kNotEquals, {"ny"}), In("nyc"), false},
      {"chapter exists", If(S::kChapter, "", C::kExists), In("pune"), true},
      {"chapter exists, none", If(S::kChapter, "", C::kExists), Nobody(), false},
      {"chapter missing", If(S::kChapter, "", C::kMissing), Nobody(), true},
  };
  for (const BranchCase& k : cases) {
    SCOPED_TRACE(k.what);
    Step branch = Make(StepKind::kBranch, "b", "otherwise");
    branch.conditions = {k.condition};
    Conversation c({branch, Send("matched", En("matched")), Send("otherwise", En("otherwise"))});
    c.member = k.member;
    EXPECT_EQ(c.Start(), Outcome::kEnded);
    EXPECT_THAT(c.fx.sends, ElementsAre(k.holds ? "matched" : "otherwise"));
  }
}

TEST(Branch, TheFirstConditionThatHoldsWins) {
  Step branch = Make(StepKind::kBranch, "b", "otherwise");
  branch.conditions = {Condition{Subject::kTag, "donor", Comparison::kExists, {}, "donor"},
                       Condition{Subject::kChapter, "", Comparison::kEquals, {"ny"}, "new_york"},
                       Condition{Subject::kLanguage, "", Comparison::kEquals, {"en"}, "english"}};
  Conversation c({branch, Send("donor", En("donor")), Send("new_york", En("new york")),
                  Send("english", En("english")), Send("otherwise", En("otherwise"))});
  c.member = In("nyc");
  c.Start();
  EXPECT_THAT(c.fx.sends, ElementsAre("new york"));
}

TEST(Branch, OnTheAnswerJustGiven) {
  std::vector<Step> steps = IssueFlow();
  steps[0].choices[1].next = "route";
  steps[0].choices[2].next = "route";
  Step route = Make(StepKind::kBranch, "route", "other");
  route.conditions = {
      Condition{Subject::kAnswer, "issue", Comparison::kEquals, {"housing"}, "housing_info"}};
  steps.push_back(route);
  steps.push_back(Send("housing_info", En("Housing: tenants meet Thursday.")));
  Conversation c(steps);
  c.Start();
  c.Text("vivienda");
  EXPECT_THAT(c.fx.sends, ElementsAre("Housing: tenants meet Thursday."));
}

// ---- set field, tags, chapters ----

TEST(SetField, ValueIsRenderedWithMergeFields) {
  Step set = Make(StepKind::kSetField, "set", "");
  set.field = "source";
  set.value = "{{org.name}}-{{fields.zip}}-{{fields.campaign|sms}}";
  Conversation c({set});
  c.member.fields["zip"] = "10001";
  c.Start();
  EXPECT_EQ(c.fx.fields, (std::map<std::string, std::string>{{"source", "Chorus-10001-sms"}}));
  EXPECT_EQ(c.member.fields.at("source"), "Chorus-10001-sms");
}

TEST(Tags, AddAndRemoveWithinOneInputKeepTheLastWord) {
  Step add = Make(StepKind::kAddTag, "add", "remove");
  add.tag = "volunteer";
  Step remove = Make(StepKind::kRemoveTag, "remove", "add_again");
  remove.tag = "donor";
  Step add_again = Make(StepKind::kAddTag, "add_again", "drop");
  add_again.tag = "donor";
  Step drop = Make(StepKind::kRemoveTag, "drop", "");
  drop.tag = "volunteer";
  Conversation c({add, remove, add_again, drop});
  c.member.tags = {"donor", "old"};
  c.Start();
  EXPECT_THAT(c.fx.tags_added, ElementsAre("donor"));
  EXPECT_THAT(c.fx.tags_removed, ElementsAre("volunteer"));
  EXPECT_THAT(c.member.tags, ElementsAre("donor", "old"));
}

std::vector<Step> PlaceFlow() {
  Step place = Make(StepKind::kJoinChapter, "place", "tell");
  place.postal_code_field = "zip";
  place.on_no_chapter = "far";
  return {place, Send("tell", En("Welcome to {{chapter.name}}!")),
          Send("far", En("No chapter near {{fields.zip|you}} yet."))};
}

TEST(JoinChapter, ByPostalCodeTheLongestPrefixOfTheMembersCountryWins) {
  struct Case {
    const char* country;
    const char* zip;
    const char* joined;  // nullptr: none
    const char* sent;
  };
  const Case cases[] = {{"US", "10001", "nyc", "Welcome to New York City!"},
                        {"US", "10451", "nyc", "Welcome to New York City!"},
                        {"US", "12208", "ny", "Welcome to New York State!"},
                        {"US", "90012", "la", "Welcome to Los Angeles!"},
                        {"IN", "411001", "pune", "Welcome to Pune!"},
                        {"IN", "100010", nullptr, "No chapter near 100010 yet."},
                        {"US", "60601", nullptr, "No chapter near 60601 yet."}};
  for (const Case& k : cases) {
    SCOPED_TRACE(k.zip);
    Conversation c(PlaceFlow());
    c.member.country = k.country;
    c.member.fields["zip"] = k.zip;
    c.Start();
    if (k.joined == nullptr) {
      EXPECT_THAT(c.fx.chapters_joined, IsEmpty());
      EXPECT_THAT(c.member.chapters, IsEmpty());
    } else {
      EXPECT_THAT(c.fx.chapters_joined, ElementsAre(k.joined));
      EXPECT_THAT(c.member.chapters, ElementsAre(k.joined));
    }
    EXPECT_THAT(c.fx.sends, ElementsAre(k.sent));
  }
}

TEST(JoinChapter, WithoutTheFieldGoesToOnNoChapter) {
  Conversation c(PlaceFlow());
  c.Start();
  EXPECT_THAT(c.fx.chapters_joined, IsEmpty());
  EXPECT_THAT(c.fx.sends, ElementsAre("No chapter near you yet."));
}

TEST(JoinChapter, NoChapterWithoutOnNoChapterContinuesWithNext) {
  std::vector<Step> steps = PlaceFlow();
  steps[0].on_no_chapter.clear();
  steps[1].text = En("Welcome to {{chapter.name|Chorus}}!");
  Conversation c(steps);
  c.member.fields["zip"] = "60601";
  c.Start();
  EXPECT_THAT(c.fx.sends, ElementsAre("Welcome to Chorus!"));
}

TEST(JoinChapter, ANamedChapterAndLeavingOne) {
  Step join = Make(StepKind::kJoinChapter, "join_pune", "leave_la");
  join.chapter = "pune";
  Step leave_la = Make(StepKind::kLeaveChapter, "leave_la", "leave_nyc");
  leave_la.chapter = "la";
  Step leave_nyc = Make(StepKind::kLeaveChapter, "leave_nyc", "");
  leave_nyc.chapter = "nyc";
  Conversation c({join, leave_la, leave_nyc});
  c.member.chapters = {"nyc"};
  c.Start();
  EXPECT_THAT(c.fx.chapters_joined, ElementsAre("pune"));
  EXPECT_THAT(c.fx.chapters_left, ElementsAre("nyc"));  // never in la: nothing to leave
  EXPECT_THAT(c.member.chapters, ElementsAre("pune"));
}

TEST(Branch, OnWhetherTheMemberHasAnEventComingUp) {
  Step branch = Make(StepKind::kBranch, "any", "none");
  branch.conditions = {Condition{Subject::kEvent, "", Comparison::kExists, {}, "tell"}};
  Step tell = Send("tell", En("Next: {{event.title}}."));
  Step none = Send("none", En("No events near you yet."));
  Conversation with_events({branch, tell, none});
  with_events.Start();
  EXPECT_THAT(with_events.fx.sends, ElementsAre("Next: National call."));
  Conversation without({branch, tell, none});
  without.catalog.ClearEvents();
  without.Start();
  EXPECT_THAT(without.fx.sends, ElementsAre("No events near you yet."));
}

// ---- record action ----

std::vector<Step> RsvpFlow(std::string target = "") {
  Step ask = Ask("rsvp", AnswerType::kYesNo, En("Coming to {{event.title}}? YES or NO"), "record");
  Step record = Make(StepKind::kRecordAction, "record", "thanks");
  record.action = ActionKind::kRsvp;
  record.target = std::move(target);
  record.value = "{{fields.rsvp}}";
  return {ask, record, Send("thanks", En("Noted: {{fields.rsvp}} for {{event.title}}."))};
}

TEST(RecordAction, RsvpIsTiedToTheEventTheSessionIsAbout) {
  Conversation c(RsvpFlow());
  c.member.chapters = {"nyc"};
  c.Start("join", kGalaId);
  EXPECT_THAT(c.fx.sends, ElementsAre("Coming to Gala? YES or NO"));
  c.Text("yes");
  EXPECT_THAT(c.fx.actions, ElementsAre(ActionRecord{ActionKind::kRsvp, "gala", kGalaId, "yes"}));
  EXPECT_THAT(c.fx.sends, ElementsAre("Noted: yes for Gala."));
}

TEST(RecordAction, RsvpWithoutAnEventTakesTheNextEventOfTheMembersChapters) {
  struct Case {
    const char* chapter;  // "": none
    std::int64_t event_id;
    const char* slug;
  };
  // The chapter's own event before an organization-wide one; never a past event.
  const Case cases[] = {{"nyc", kRallyId, "rally"},
                        {"la", kLaRallyId, "la_rally"},
                        {"ny", kNationalCallId, "national_call"},
                        {"", kNationalCallId, "national_call"}};
  for (const Case& k : cases) {
    SCOPED_TRACE(k.chapter);
    Conversation c(RsvpFlow());
    if (*k.chapter != '\0') c.member.chapters = {k.chapter};
    c.Start();
    c.Text("no");
    EXPECT_THAT(c.fx.actions,
                ElementsAre(ActionRecord{ActionKind::kRsvp, k.slug, k.event_id, "no"}));
    EXPECT_EQ(c.session.event_id, k.event_id);
  }
}

TEST(RecordAction, RsvpNamesItsEventBySlug) {
  Conversation c(RsvpFlow("la_rally"));
  c.member.chapters = {"nyc"};
  c.Start("join", kRallyId);
  c.Text("si");  // English member: "si" is no yes
  EXPECT_THAT(c.fx.actions, IsEmpty());
  c.Text("YES");
  EXPECT_THAT(c.fx.actions,
              ElementsAre(ActionRecord{ActionKind::kRsvp, "la_rally", kLaRallyId, "yes"}));
  EXPECT_EQ(c.session.event_id, kLaRallyId);
  EXPECT_THAT(c.fx.sends, ElementsAre("Noted: yes for LA rally."));
}

TEST(RecordAction, AnRsvpWithNoEventToAnswerForRecordsNothingAndSaysWhy) {
  Conversation c(RsvpFlow("cancelled_event"));  // removed from the workspace since
  c.Start();
  c.Text("yes");
  EXPECT_THAT(c.fx.actions, IsEmpty());
  EXPECT_THAT(c.fx.errors, ElementsAre("step record: no event for the rsvp"));
  EXPECT_THAT(c.fx.sends, ElementsAre("Noted: yes for National call.")) << "the flow goes on";
}

TEST(RecordAction, PetitionAndCheckInKeepTheirTargetsAndValues) {
  Step sign = Make(StepKind::kRecordAction, "sign", "here");
  sign.action = ActionKind::kPetition;
  sign.target = "clean_air";
  sign.value = "{{fields.zip}}";
  Step here = Make(StepKind::kRecordAction, "here", "");
  here.action = ActionKind::kCheckIn;
  here.value = "here";
  Conversation c({sign, here});
  c.member.fields["zip"] = "10001";
  c.Start("join", kRallyId);
  EXPECT_THAT(c.fx.actions,
              ElementsAre(ActionRecord{ActionKind::kPetition, "clean_air", std::nullopt, "10001"},
                          ActionRecord{ActionKind::kCheckIn, "rally", kRallyId, "here"}));
}

// ---- merge fields and languages ----

TEST(MergeFields, FillMemberOrganizationChapterAndEventValues) {
  Conversation c({Send("s", En("Hi {{first_name}}! {{org.name}} {{chapter.name}}: {{event.title}}, "
                               "{{event.date}} {{event.time}} at {{event.place}}. "
                               "ZIP {{fields.zip}}."))});
  c.member.fields = {{"first_name", "Ana"}, {"zip", "10001"}};
  c.member.chapters = {"ny", "nyc", "us"};  // the deepest names the member's chapter
  c.Start();
  EXPECT_THAT(c.fx.sends, ElementsAre("Hi Ana! Chorus New York City: Rally at City Hall, "
                                      "2024-05-30 18:00 at City Hall. ZIP 10001."));
}

TEST(MergeFields, FallbacksStandInForMissingValues) {
  Conversation c;
  c.catalog = FakeCatalog();  // no chapters, no events
  c.catalog.AddFlow(MakeFlow("join", {Send("s", En("Hi {{first_name|friend}}, "
                                                   "{{chapter.name|your chapter}}: "
                                                   "{{event.title|our next event}}. "
                                                   "{{fields.zip|?}}{{last_name}}"))}));
  c.member.fields["first_name"] = "";
  c.Start();
  EXPECT_THAT(c.fx.sends, ElementsAre("Hi friend, your chapter: our next event. ?"));
}

TEST(MergeFields, EventTitleIsInTheMembersLanguageOrTheDefault) {
  const std::pair<const char*, const char*> cases[] = {
      {"es", "Mitin en el Ayuntamiento"}, {"hi", "Rally at City Hall"}, {"", "Rally at City Hall"}};
  for (const auto& [language, title] : cases) {
    SCOPED_TRACE(language);
    Conversation c({Send("s", {{"en", "{{event.title}}"}, {"es", "{{event.title}}"}})});
    c.member.language = language;
    c.Start("join", kRallyId);
    EXPECT_THAT(c.fx.sends, ElementsAre(title));
  }
}

TEST(Language, TextsFallBackToTheDefaultLanguageWhenAVariantIsMissing) {
  struct Case {
    const char* member;
    const char* default_language;
    LocalizedText text;
    const char* sent;
  };
  const LocalizedText en_es{{"en", "Hello"}, {"es", "Hola"}};
  const Case cases[] = {{"es", "en", en_es, "Hola"},
                        {"en", "es", en_es, "Hello"},
                        {"hi", "en", en_es, "Hello"},
                        {"hi", "es", en_es, "Hola"},
                        {"", "es", en_es, "Hola"},
                        {"hi", "en", {{"fr", "Bonjour"}}, "Bonjour"},  // no default: any variant
                        {"hi", "en", {}, nullptr}};
  for (const Case& k : cases) {
    SCOPED_TRACE(std::string(k.member) + "/" + k.default_language);
    Conversation c({Send("s", k.text)});
    c.member.language = k.member;
    c.default_language = k.default_language;
    c.Start();
    if (k.sent == nullptr) {
      EXPECT_THAT(c.fx.sends, IsEmpty());
    } else {
      EXPECT_THAT(c.fx.sends, ElementsAre(k.sent));
    }
  }
}

TEST(Language, RetryAndReminderTextsFollowTheMembersLanguageToo) {
  Step ask = Ask("q", AnswerType::kNumber, {{"en", "How many?"}, {"es", "¿Cuántos?"}});
  ask.retry_text = {{"en", "A number, please."}, {"es", "Un número, por favor."}};
  ask.reminder_text = {{"en", "Still there?"}};
  ask.reminder_after = hours(1);
  Conversation c({ask});
  c.member.language = "es";
  c.Start();
  EXPECT_THAT(c.fx.sends, ElementsAre("¿Cuántos?"));
  c.Text("muchos");
  EXPECT_THAT(c.fx.sends, ElementsAre("Un número, por favor."));
  c.Timer(TimerKind::kReminder, 1);
  EXPECT_THAT(c.fx.sends, ElementsAre("Still there?"));
}

TEST(Pick, TakesTheLanguageThenTheFallbackThenAny) {
  const LocalizedText text{{"en", "Hello"}, {"es", "Hola"}};
  EXPECT_EQ(Pick(text, "es", "en"), "Hola");
  EXPECT_EQ(Pick(text, "hi", "en"), "Hello");
  EXPECT_EQ(Pick(text, "hi", "fr"), "Hello");
  EXPECT_EQ(Pick({}, "en", "en"), "");
}

// ---- story ----

Step StoryStep() {
  Step story = Make(StepKind::kStory, "tell", "after");
  story.text = En("Tell us what happened. Send as many texts as you like.");
  story.idle = minutes(10);
  story.place_text = {{"en", "Where did it happen?"}, {"es", "¿Dónde pasó?"}};
  story.consent_text = {{"en", "May we share it without your name? YES or NO"},
                        {"es", "¿Podemos compartirla sin tu nombre? SI o NO"}};
  story.thanks_text = En("Thank you. An organizer will read it.");
  story.target = "harassment";
  return story;
}

TEST(Story, UnansweredPlaceAndConsentQuestionsStillLandTheStoryUnshared) {
  Conversation c({StoryStep()});
  c.Start();
  c.Text("It happened again");
  EXPECT_EQ(c.Timer(TimerKind::kStoryIdle, c.session.seq), Outcome::kAnswered);
  EXPECT_THAT(c.fx.sends, ElementsAre("Where did it happen?"));
  EXPECT_EQ(c.Timer(TimerKind::kStoryIdle, c.session.seq), Outcome::kAnswered);
  EXPECT_THAT(c.fx.sends, ElementsAre("May we share it without your name? YES or NO"));
  EXPECT_THAT(c.fx.stories, IsEmpty());
  EXPECT_EQ(c.Timer(TimerKind::kStoryIdle, c.session.seq), Outcome::kEnded);
  EXPECT_THAT(c.fx.stories, ElementsAre(StoryRecord{"It happened again", "", false}));
}

TEST(Story, ConsentIsAskedAgainOnlyMaxTriesTimesThenTheStoryIsKeptUnshared) {
  Conversation c({StoryStep()});
  c.Start();
  c.Text("It happened again");
  c.Timer(TimerKind::kStoryIdle, c.session.seq);
  c.Text("Main St");
  EXPECT_EQ(c.Text("maybe"), Outcome::kInvalid);
  EXPECT_EQ(c.Text("what?"), Outcome::kInvalid);
  EXPECT_EQ(c.Text("hmm"), Outcome::kEnded);  // the third of max_tries 3
  EXPECT_THAT(c.fx.stories, ElementsAre(StoryRecord{"It happened again", "Main St", false}));
  EXPECT_THAT(c.fx.sends, ElementsAre("Thank you. An organizer will read it."));
}

TEST(Story, SeveralMessagesAreJoinedUntilTheIdleTimerThenPlaceAndConsent) {
  Conversation c({StoryStep(), Send("after", En("Text STORY any time to tell another."))});
  c.Start();
  EXPECT_THAT(c.fx.sends, ElementsAre("Tell us what happened. Send as many texts as you like."));
  EXPECT_THAT(c.fx.timers, IsEmpty());
  EXPECT_EQ(c.session.seq, 1);

  EXPECT_EQ(c.Text("A man followed me"), Outcome::kAnswered);
  EXPECT_THAT(c.fx.sends, IsEmpty());
  EXPECT_THAT(c.fx.timers, ElementsAre(TimerRequest{TimerKind::kStoryIdle, minutes(10), {}, 2}));
  EXPECT_TRUE(c.fx.cancel_timers);  // each message restarts the idle time
  EXPECT_EQ(c.Text("from the station to my door"), Outcome::kAnswered);
  EXPECT_THAT(c.fx.timers, ElementsAre(TimerRequest{TimerKind::kStoryIdle, minutes(10), {}, 3}));

  EXPECT_EQ(c.Timer(TimerKind::kStoryIdle, 2), Outcome::kStale);
  EXPECT_TRUE(c.NoEffects());
  EXPECT_EQ(c.Timer(TimerKind::kStoryIdle, 3), Outcome::kAnswered);
  EXPECT_THAT(c.fx.sends, ElementsAre("Where did it happen?"));
  EXPECT_EQ(c.session.story_phase, 1);
  EXPECT_THAT(c.fx.timers, ElementsAre(TimerRequest{TimerKind::kStoryIdle, std::chrono::hours(1),
                                                    {}, c.session.seq}))
      << "an unanswered place question cannot hold the story for ever";

  EXPECT_EQ(c.Text("Main St station"), Outcome::kAnswered);
  EXPECT_THAT(c.fx.sends, ElementsAre("May we share it without your name? YES or NO"));
  EXPECT_THAT(c.fx.stories, IsEmpty());
  EXPECT_EQ(c.Text("perhaps"), Outcome::kInvalid);
  EXPECT_THAT(c.fx.sends, ElementsAre("May we share it without your name? YES or NO"));

  EXPECT_EQ(c.Text("YES"), Outcome::kEnded);
  EXPECT_THAT(c.fx.stories,
              ElementsAre(StoryRecord{"A man followed me\nfrom the station to my door",
                                      "Main St station", true}));
  EXPECT_THAT(c.fx.actions,
              ElementsAre(ActionRecord{ActionKind::kStory, "harassment", std::nullopt, ""}));
  EXPECT_THAT(c.fx.sends, ElementsAre("Thank you. An organizer will read it.",
                                      "Text STORY any time to tell another."));
  EXPECT_EQ(c.session.story_text, "");
  EXPECT_EQ(c.session.story_place, "");
  EXPECT_EQ(c.session.story_phase, 0);
  EXPECT_FALSE(c.session.active);
}

TEST(Story, ConsentIsReadInTheMembersLanguage) {
  Conversation c({StoryStep(), Send("after", En("Text STORY any time to tell another."))});
  c.member.language = "es";
  c.Start("join", kRallyId);
  c.Text("Me gritaron en el mitin");
  c.Timer(TimerKind::kStoryIdle, c.session.seq);
  EXPECT_THAT(c.fx.sends, ElementsAre("¿Dónde pasó?"));
  c.Text("Plaza");
  EXPECT_THAT(c.fx.sends, ElementsAre("¿Podemos compartirla sin tu nombre? SI o NO"));
  c.Text("No.");
  EXPECT_THAT(c.fx.stories, ElementsAre(StoryRecord{"Me gritaron en el mitin", "Plaza", false}));
  EXPECT_THAT(c.fx.actions,
              ElementsAre(ActionRecord{ActionKind::kStory, "harassment", kRallyId, ""}));
}

TEST(Story, WithoutIdleTimeTheFirstMessageIsTheStoryAndItIsNotShared) {
  Step story = Make(StepKind::kStory, "tell", "");
  story.text = En("What happened?");
  Conversation c({story});
  c.Start();
  EXPECT_EQ(c.Text("The bus never came."), Outcome::kEnded);
  EXPECT_THAT(c.fx.stories, ElementsAre(StoryRecord{"The bus never came.", "", false}));
  EXPECT_THAT(c.fx.timers, IsEmpty());
}

// ---- webhook ----

std::vector<Step> WebhookFlow() {
  Step call = Make(StepKind::kCallWebhook, "call_crm", "done");
  call.url = "https://crm.example.org/hooks/chorus";
  call.secret = "crm";
  call.webhook_timeout = std::chrono::milliseconds(3000);
  call.on_failure = "sorry";
  return {call, Send("done", En("You're signed up.")),
          Send("sorry", En("Sorry, try again later."))};
}

TEST(Webhook, StepRequestsASignedCallAndWaitsForItsResult) {
  Conversation c(WebhookFlow());
  EXPECT_EQ(c.Start(), Outcome::kAnswered);
  EXPECT_THAT(c.fx.webhooks,
              ElementsAre(WebhookRequest{"https://crm.example.org/hooks/chorus", "crm",
                                         std::chrono::milliseconds(3000), "call_crm", 1}));
  EXPECT_THAT(c.fx.sends, IsEmpty());
  EXPECT_THAT(c.fx.timers, IsEmpty());
  EXPECT_EQ(c.session.step, "call_crm");
  EXPECT_EQ(c.session.seq, 1);
  EXPECT_EQ(c.Text("hello?"), Outcome::kNotWaiting);  // the text is not the flow's
  EXPECT_TRUE(c.NoEffects());
  EXPECT_EQ(c.session.step, "call_crm");
}

TEST(Webhook, ResultBranchesOnSuccessOrFailure) {
  struct Case {
    bool ok;
    bool has_on_failure;
    const char* sent;
  };
  const Case cases[] = {{true, true, "You're signed up."},
                        {false, true, "Sorry, try again later."},
                        {false, false, "You're signed up."}};
  for (const Case& k : cases) {
    SCOPED_TRACE(std::to_string(k.ok) + std::to_string(k.has_on_failure));
    std::vector<Step> steps = WebhookFlow();
    if (!k.has_on_failure) steps[0].on_failure.clear();
    Conversation c(steps);
    c.Start();
    EXPECT_EQ(c.Webhook(k.ok, 1), Outcome::kEnded);
    EXPECT_THAT(c.fx.sends, ElementsAre(k.sent));
  }
}

TEST(Webhook, StaleResultDoesNothing) {
  Conversation c(WebhookFlow());
  c.Start();
  EXPECT_EQ(c.Webhook(true, 0), Outcome::kStale);
  EXPECT_TRUE(c.NoEffects());
  EXPECT_EQ(c.session.step, "call_crm");
  c.Webhook(false, 1);
  EXPECT_EQ(c.Webhook(true, 1), Outcome::kStale);  // the flow ended: a duplicate result
  EXPECT_TRUE(c.NoEffects());
}

// ---- wait ----

TEST(Wait, ForADurationThenContinues) {
  Step wait = Make(StepKind::kWait, "pause", "follow_up");
  wait.duration = hours(20);
  Conversation c({Send("hi", En("Thanks for coming!"), "pause"), wait,
                  Send("follow_up", En("How was the rally?"))});
  EXPECT_EQ(c.Start(), Outcome::kAnswered);
  EXPECT_THAT(c.fx.sends, ElementsAre("Thanks for coming!"));
  EXPECT_THAT(c.fx.timers, ElementsAre(TimerRequest{TimerKind::kWait, hours(20), {}, 1}));
  EXPECT_EQ(c.Text("you're welcome"), Outcome::kNotWaiting);
  EXPECT_EQ(c.Timer(TimerKind::kTimeout, 1), Outcome::kStale);
  EXPECT_EQ(c.Timer(TimerKind::kWait, 0), Outcome::kStale);
  EXPECT_TRUE(c.NoEffects());
  EXPECT_EQ(c.Timer(TimerKind::kWait, 1), Outcome::kEnded);
  EXPECT_THAT(c.fx.sends, ElementsAre("How was the rally?"));
}

TEST(Wait, UntilALocalTimeOfDay) {
  Step wait = Make(StepKind::kWait, "morning", "");
  wait.until_minute = 9 * 60 + 30;
  Conversation c({wait});
  c.Start();
  EXPECT_THAT(c.fx.timers, ElementsAre(TimerRequest{TimerKind::kWait, seconds(0), 570, 1}));
  EXPECT_EQ(c.session.step, "morning");
}

// ---- hand off, enter flow, end, versions ----

TEST(HandOff, SendsTheNoticeEndsTheSessionAndOpensTheInbox) {
  Step hand_off = Make(StepKind::kHandOff, "human", "never");
  hand_off.text = En("An organizer will text you back soon.");
  Conversation c({hand_off, Send("never", En("not sent"))});
  EXPECT_EQ(c.Start(), Outcome::kEnded);
  EXPECT_THAT(c.fx.sends, ElementsAre("An organizer will text you back soon."));
  EXPECT_TRUE(c.fx.hand_off);
  EXPECT_TRUE(c.fx.cancel_timers);
  EXPECT_FALSE(c.session.active);
  EXPECT_EQ(c.session.step, "");
}

TEST(End, SendsItsTextAndEndsTheSession) {
  Step end = Make(StepKind::kEnd, "bye", "never");
  end.text = En("Bye, {{first_name|friend}}.");
  Conversation c({Ask("q", AnswerType::kText, En("Anything else?"), "bye"), end,
                  Send("never", En("not sent"))});
  c.Start();
  EXPECT_EQ(c.Text("no"), Outcome::kEnded);
  EXPECT_THAT(c.fx.sends, ElementsAre("Bye, friend."));
  EXPECT_TRUE(c.fx.cancel_timers);
  EXPECT_FALSE(c.session.active);
  EXPECT_EQ(c.session.step, "");
}

TEST(EnterFlow, ContinuesInTheOtherFlowsActiveVersion) {
  Step enter = Make(StepKind::kEnterFlow, "to_survey", "never");
  enter.flow = "survey";
  Conversation c({Send("thanks", En("Thanks for joining."), "to_survey"), enter,
                  Send("never", En("not sent"))});
  c.catalog.AddFlow(MakeFlow("survey", {Ask("issue", AnswerType::kText, En("Old question"))}, 1));
  c.catalog.AddFlow(MakeFlow("survey", {Ask("issue", AnswerType::kText, En("What matters?"))}, 2));
  EXPECT_EQ(c.Start(), Outcome::kAnswered);
  EXPECT_THAT(c.fx.sends, ElementsAre("Thanks for joining.", "What matters?"));
  EXPECT_EQ(c.session.flow, "survey");
  EXPECT_EQ(c.session.version, 2);
  EXPECT_EQ(c.session.step, "issue");
  EXPECT_EQ(c.Text("Rent"), Outcome::kEnded);
  EXPECT_EQ(c.fx.fields.at("issue"), "Rent");
}

TEST(EnterFlow, AFlowThatIsNotActiveEndsTheSessionWithAnError) {
  Step enter = Make(StepKind::kEnterFlow, "to_survey", "");
  enter.flow = "survey";
  Conversation c({enter});
  c.catalog.AddFlow(MakeFlow("survey", {Send("s", En("Hi"))}));
  c.catalog.Deactivate("survey");
  EXPECT_EQ(c.Start(), Outcome::kEnded);
  EXPECT_THAT(c.fx.errors, ElementsAre("flow survey is not active"));
  EXPECT_THAT(c.fx.sends, IsEmpty());
  EXPECT_FALSE(c.session.active);
}

TEST(Versions, MembersFinishOnTheVersionTheyBegan) {
  Conversation c(
      {Ask("q", AnswerType::kText, En("v1 question"), "thanks"), Send("thanks", En("v1 thanks"))});
  c.Start();
  c.catalog.AddFlow(MakeFlow(
      "join",
      {Ask("q", AnswerType::kText, En("v2 question"), "thanks"), Send("thanks", En("v2 thanks"))},
      2));
  c.Text("hello");
  EXPECT_THAT(c.fx.sends, ElementsAre("v1 thanks"));
  EXPECT_EQ(c.session.version, 1);
}

TEST(Versions, ASessionWhoseFlowVersionIsMissingEndsWithAnError) {
  Conversation c(ZipFlow());
  c.Start();
  c.session.version = 9;
  EXPECT_EQ(c.Text("10001"), Outcome::kEnded);
  EXPECT_THAT(c.fx.errors, ElementsAre("flow join version missing"));
  EXPECT_THAT(c.fx.sends, IsEmpty());
  EXPECT_THAT(c.fx.fields, IsEmpty());
  EXPECT_TRUE(c.fx.cancel_timers);
  EXPECT_FALSE(c.session.active);
  EXPECT_EQ(c.session.step, "");
}

// ---- the guard against definitions that never wait ----

TEST(Guard, ALoopWithoutAWaitStopsAfter64StepsWithoutTextingTheMember) {
  Conversation c({Send("a", En("a"), "b"), Send("b", En("b"), "a")});
  EXPECT_EQ(c.Start(), Outcome::kEnded);
  EXPECT_THAT(c.fx.errors, ElementsAre("flow join ran 64 steps without waiting"));
  EXPECT_THAT(c.fx.sends, IsEmpty());
  EXPECT_FALSE(c.session.active);
}

TEST(Guard, ALoopAcrossFlowsIsStoppedToo) {
  Step to_pong = Make(StepKind::kEnterFlow, "to_pong", "");
  to_pong.flow = "pong";
  Step to_ping = Make(StepKind::kEnterFlow, "to_ping", "");
  to_ping.flow = "ping";
  Conversation c;
  c.catalog.AddFlow(MakeFlow("ping", {Send("ping", En("ping"), "to_pong"), to_pong}));
  c.catalog.AddFlow(MakeFlow("pong", {Send("pong", En("pong"), "to_ping"), to_ping}));
  EXPECT_EQ(c.Start("ping"), Outcome::kEnded);
  EXPECT_THAT(c.fx.errors, ElementsAre("flow ping ran 64 steps without waiting"));
  EXPECT_THAT(c.fx.sends, IsEmpty());
}

TEST(Guard, SixtyFourStepsBeforeAWaitAreAllowed) {
  for (int tags : {63, 64}) {
    SCOPED_TRACE(tags);
    std::vector<Step> steps;
    for (int i = 0; i < tags; ++i) {
      Step tag = Make(StepKind::kAddTag, "t" + std::to_string(i),
                      i + 1 < tags ? "t" + std::to_string(i + 1) : "q");
      tag.tag = "tag" + std::to_string(i);
      steps.push_back(tag);
    }
    steps.push_back(Ask("q", AnswerType::kText, En("Still with us?")));
    Conversation c(steps);
    c.Start();
    EXPECT_EQ(c.session.active, tags == 63);
    EXPECT_EQ(c.fx.errors.empty(), tags == 63);
  }
}

}  // namespace
}  // namespace chorus::flows
