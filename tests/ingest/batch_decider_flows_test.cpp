// DecideBatch with campaigns: where a member's message goes when flows, an open hand-off or an
// event's check-in code could take it, and what timers and flow starts do (issue 6).
#include <gmock/gmock.h>
#include <algorithm>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "ingest/batch_decider.hpp"

#include "core/text.hpp"

namespace chorus::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr OrganizationId kOrg = 1;
constexpr ChannelId kSms = 10;
constexpr MemberId kAna = 7;
constexpr std::int64_t kMeetingId = 501;
const TimePoint kNow = TimePoint(std::chrono::seconds(1'800'000'000));

constexpr char kWelcome[] = "Welcome! Reply STOP to opt out.";
constexpr char kZip[] = "What's your ZIP code?";
constexpr char kPlaced[] = "You're in New York City.";
constexpr char kEvents[] = "Next: tenants meeting.";
constexpr char kDefault[] = "Sorry, we did not understand.";
constexpr char kOptOut[] = "You are unsubscribed.";

flows::Step Step(std::string id, flows::StepKind kind, std::string next = "") {
  flows::Step s;
  s.id = std::move(id);
  s.kind = kind;
  s.next = std::move(next);
  return s;
}

flows::Flow Onboarding(bool keywords_interrupt) {
  flows::Flow flow;
  flow.organization_id = kOrg;
  flow.slug = "onboarding";
  flow.version = 3;
  flow.keywords_interrupt = keywords_interrupt;
  flows::Step zip = Step("zip", flows::StepKind::kAsk, "place");
  zip.answer = flows::AnswerType::kPostalCode;
  zip.save_as = "zip";
  zip.text = {{"en", kZip}};
  zip.timeout = std::chrono::hours(24);
  flows::Step place = Step("place", flows::StepKind::kJoinChapter, "placed");
  place.postal_code_field = "zip";
  flows::Step placed = Step("placed", flows::StepKind::kSend);
  placed.text = {{"en", kPlaced}};
  flow.steps = {zip, place, placed};
  return flow;
}

workspace::Keyword Keyword(std::string word, std::string reply, std::string flow, bool opt_in) {
  workspace::Keyword k;
  k.organization_id = kOrg;
  k.word = word;
  k.display_word = word;
  k.reply = std::move(reply);
  k.flow = std::move(flow);
  k.opt_in = opt_in;
  k.language = "en";
  return k;
}

workspace::Snapshot MakeSnapshot(bool keywords_interrupt) {
  workspace::Organization org;
  org.id = kOrg;
  org.slug = "chorus";
  org.name = "Chorus";
  org.texts["en"] = {"", kOptOut, "", "", kDefault};
  Channel sms;
  sms.organization_id = kOrg;
  sms.id = kSms;
  sms.slug = "sms";
  workspace::Campaigns campaigns;
  workspace::Chapter nyc;
  nyc.organization_id = kOrg;
  nyc.id = 3;
  nyc.slug = "nyc";
  nyc.name = "New York City";
  nyc.country = "US";
  nyc.postal_codes = {"100"};
  campaigns.chapters = {nyc};
  campaigns.flows = {Onboarding(keywords_interrupt)};
  campaigns.active_versions[{kOrg, "onboarding"}] = 3;
  workspace::Event meeting;
  meeting.organization_id = kOrg;
  meeting.id = kMeetingId;
  meeting.slug = "meeting";
  meeting.title = {{"en", "Tenants Meeting"}};
  meeting.starts_at = kNow - std::chrono::minutes(30);
  meeting.ends_at = kNow + std::chrono::minutes(90);
  meeting.checkin_code = "4821";
  campaigns.events = {meeting};
  return workspace::Snapshot(
      {org}, {sms},
      {Keyword("join", kWelcome, "onboarding", true), Keyword("events", kEvents, "", false)},
      std::move(campaigns));
}

const workspace::Snapshot& Interrupting() {
  static const workspace::Snapshot snapshot = MakeSnapshot(true);
  return snapshot;
}

// Builds the context a batch loads for Ana.
class Batch {
 public:
  explicit Batch(const workspace::Snapshot& snapshot = Interrupting()) : snapshot_(snapshot) {
    MemberRecord ana;
    ana.id = kAna;
    ana.organization_id = kOrg;
    ana.phone = "+15550100001";
    ana.state.joined = true;
    context_.members[kAna] = ana;
    context_.now = kNow;
  }
  MemberRecord& ana() { return context_.members.at(kAna); }
  // Ana is waiting in the onboarding flow's ZIP question (session 55, wait 1).
  Batch& InTheZipQuestion() {
    flows::Session s;
    s.id = 55;
    s.channel_id = kSms;
    s.flow = "onboarding";
    s.version = 3;
    s.step = "zip";
    s.seq = 1;
    ana().sessions.push_back(s);
    return *this;
  }
  Batch& Text(std::string body) {
    MemberEvent e = Event(EventKind::kInbound);
    e.body = std::move(body);
    context_.events.push_back(e);
    return *this;
  }
  Batch& Timer(int token) {
    MemberEvent e = Event(EventKind::kTimer);
    e.session_id = 55;
    e.token = token;
    e.timer = flows::TimerKind::kTimeout;
    context_.events.push_back(e);
    return *this;
  }
  Batch& FlowStart(std::string flow) {
    MemberEvent e = Event(EventKind::kFlowStart);
    e.flow = std::move(flow);
    e.event_id = kMeetingId;
    context_.events.push_back(e);
    return *this;
  }
  // An organizer's event from the API: `body` is its text (a reply, an encoded edit).
  Batch& Organizer(EventKind kind, std::string body = "") {
    MemberEvent e = Event(kind);
    e.body = std::move(body);
    if (kind == EventKind::kOrganizerOptOut) e.channel_id = 0;
    context_.events.push_back(e);
    return *this;
  }
  Batch& OrganizerReply(std::string text) {
    return Organizer(EventKind::kOrganizerReply, std::move(text));
  }
  Batch& OrganizerOptOut() { return Organizer(EventKind::kOrganizerOptOut); }
  Batch& OrganizerUpdate(std::string text) {
    return Organizer(EventKind::kOrganizerUpdate, std::move(text));
  }
  BatchEffects Decide() const { return DecideBatch(context_, snapshot_); }

 private:
  MemberEvent Event(EventKind kind) {
    MemberEvent e;
    e.kind = kind;
    e.id = next_id_++;
    e.organization_id = kOrg;
    e.member_id = kAna;
    e.channel_id = kSms;
    return e;
  }

  const workspace::Snapshot& snapshot_;
  BatchContext context_;
  std::int64_t next_id_ = 1000;
};

std::vector<std::string> Sent(const BatchEffects& fx) {
  std::vector<std::string> out;
  for (const auto& d : fx.outbound) {
    if (!d.cancelled) out.push_back(d.body);
  }
  return out;
}

std::vector<std::string> Audit(const BatchEffects& fx) {
  std::vector<std::string> out;
  for (const auto& a : fx.audit) out.push_back(a.action + " " + a.detail);
  return out;
}

TEST(DecideFlows, AKeywordWithAFlowSendsItsReplyThenStartsTheFlow) {
  const BatchEffects fx = Batch().Text("JOIN").Decide();
  EXPECT_THAT(Sent(fx), ElementsAre(kWelcome, kZip));
  ASSERT_EQ(fx.sessions.size(), 1u);
  EXPECT_EQ(fx.sessions[0].session.id, 0) << "a new session";
  EXPECT_EQ(fx.sessions[0].session.flow, "onboarding");
  EXPECT_EQ(fx.sessions[0].session.version, 3);
  EXPECT_EQ(fx.sessions[0].session.step, "zip");
  EXPECT_TRUE(fx.sessions[0].session.active);
  ASSERT_EQ(fx.timers.size(), 1u);  // the ZIP question's timeout
  EXPECT_EQ(fx.timers[0].session, 0u);
  EXPECT_EQ(fx.timers[0].request.after, std::chrono::hours(24));
  EXPECT_EQ(fx.processed.at(0).outcome, routing::Outcome::kFlowStarted);
  EXPECT_THAT(Audit(fx), ElementsAre("flow.started flow=onboarding version=3"));
}

TEST(DecideFlows, AnAnswerGoesToTheSessionItsMemberIsIn) {
  const BatchEffects fx = Batch().InTheZipQuestion().Text("10001").Decide();
  EXPECT_THAT(Sent(fx), ElementsAre(kPlaced));
  ASSERT_EQ(fx.sessions.size(), 1u);
  EXPECT_EQ(fx.sessions[0].session.id, 55);
  EXPECT_FALSE(fx.sessions[0].session.active) << "the flow ran to its end";
  EXPECT_TRUE(fx.sessions[0].cancel_stored_timers) << "the ZIP question's timeout is void";
  ASSERT_EQ(fx.member_updates.size(), 1u);
  EXPECT_EQ(fx.member_updates[0].fields, (std::map<std::string, std::string>{{"zip", "10001"}}));
  EXPECT_THAT(fx.member_updates[0].chapters_joined, ElementsAre("nyc"));
  EXPECT_EQ(fx.processed.at(0).outcome, routing::Outcome::kFlowAnswer);
}

TEST(DecideFlows, AnInvalidAnswerIsTheFlowsToo) {
  const BatchEffects fx = Batch().InTheZipQuestion().Text("hello").Decide();
  EXPECT_THAT(Sent(fx), ElementsAre(kZip)) << "asked again, not the default reply";
  EXPECT_EQ(fx.processed.at(0).outcome, routing::Outcome::kFlowInvalid);
}

TEST(DecideFlows, AKeywordInterruptsAFlowThatAllowsIt) {
  const BatchEffects fx = Batch().InTheZipQuestion().Text("EVENTS").Decide();
  EXPECT_THAT(Sent(fx), ElementsAre(kEvents));
  EXPECT_EQ(fx.processed.at(0).outcome, routing::Outcome::kKeyword);
}

TEST(DecideFlows, AFlowThatTakesKeywordsAsAnswersKeepsThem) {
  static const workspace::Snapshot answering = MakeSnapshot(false);
  const BatchEffects fx = Batch(answering).InTheZipQuestion().Text("EVENTS").Decide();
  EXPECT_THAT(Sent(fx), ElementsAre(kZip)) << "EVENTS is no ZIP code: the question again";
  EXPECT_EQ(fx.processed.at(0).outcome, routing::Outcome::kFlowInvalid);
}

TEST(DecideFlows, StopEndsTheSessionCancelsItsTimersAndIsConfirmedOnce) {
  const BatchEffects fx = Batch().InTheZipQuestion().Text("STOP").Text("10001").Decide();
  EXPECT_THAT(Sent(fx), ElementsAre(kOptOut)) << "the ZIP after STOP is not answered";
  ASSERT_EQ(fx.sessions.size(), 1u);
  EXPECT_FALSE(fx.sessions[0].session.active);
  EXPECT_TRUE(fx.sessions[0].cancel_stored_timers);
  EXPECT_THAT(Audit(fx), ElementsAre("flow.ended flow=onboarding reason=opt_out"));
  EXPECT_EQ(fx.processed.at(1).outcome, routing::Outcome::kSuppressed);
}

TEST(DecideFlows, ATimerOfTheCurrentWaitRunsTheFlowAndAStaleOneNothing) {
  const BatchEffects fx = Batch().InTheZipQuestion().Timer(0).Timer(1).Decide();
  ASSERT_EQ(fx.processed.size(), 2u);
  EXPECT_EQ(fx.processed[0].event_outcome, EventOutcome::kStale);
  EXPECT_EQ(fx.processed[1].event_outcome, EventOutcome::kFired);
  EXPECT_FALSE(fx.sessions.at(0).session.active) << "timed out with no on_timeout: ended";
}

TEST(DecideFlows, ATimerOfASessionThatEndedFindsNoSession) {
  const BatchEffects fx = Batch().Timer(1).Decide();
  EXPECT_EQ(fx.processed.at(0).event_outcome, EventOutcome::kNoSession);
  EXPECT_THAT(fx.outbound, IsEmpty());
}

TEST(DecideFlows, AFlowStartForAMemberWhoOptedOutSendsNothing) {
  Batch batch;
  batch.ana().state.opted_out_channels.insert(kSms);
  const BatchEffects fx = batch.FlowStart("onboarding").Decide();
  EXPECT_EQ(fx.processed.at(0).event_outcome, EventOutcome::kSuppressed);
  EXPECT_THAT(fx.outbound, IsEmpty());
  EXPECT_THAT(fx.sessions, IsEmpty());
}

TEST(DecideFlows, AnOrganizersRepliesAreSentAndTheLoopGuardIsNotForThem) {
  // A person may repeat themselves: the loop guard (three identical texts) is for automatons.
  Batch batch;
  for (int i = 0; i < 4; ++i) batch.OrganizerReply("We will call you.");
  const BatchEffects fx = batch.Decide();
  ASSERT_EQ(fx.processed.size(), 4u);
  for (const auto& mark : fx.processed) EXPECT_EQ(mark.event_outcome, EventOutcome::kSent);
  EXPECT_THAT(Sent(fx), ElementsAre("We will call you.", "We will call you.",
                                    "We will call you.", "We will call you."));
}

TEST(DecideFlows, AStopCancelsAnEarlierReplyAndSuppressesALaterOne) {
  const BatchEffects fx =
      Batch().OrganizerReply("We will call you.").Text("STOP").OrganizerReply("Still there?").Decide();
  ASSERT_EQ(fx.processed.size(), 3u);
  EXPECT_EQ(fx.processed[2].event_outcome, EventOutcome::kSuppressed);
  const std::vector<std::string> sent = Sent(fx);
  EXPECT_EQ(std::count(sent.begin(), sent.end(), "We will call you."), 0);
  EXPECT_EQ(std::count(sent.begin(), sent.end(), "Still there?"), 0);
  EXPECT_EQ(sent.size(), 1u) << "only the STOP confirmation";
}

TEST(DecideFlows, AnOptOutOnTheMembersBehalfStopsEverythingWithoutAConfirmation) {
  const BatchEffects fx = Batch()
                              .InTheZipQuestion()
                              .OrganizerReply("We will call you.")
                              .OrganizerOptOut()
                              .OrganizerReply("Still there?")
                              .OrganizerOptOut()
                              .Decide();
  ASSERT_EQ(fx.processed.size(), 4u);
  EXPECT_EQ(fx.processed[1].event_outcome, EventOutcome::kOptedOut);
  EXPECT_EQ(fx.processed[2].event_outcome, EventOutcome::kSuppressed);
  EXPECT_EQ(fx.processed[3].event_outcome, EventOutcome::kOptedOut);
  EXPECT_THAT(Sent(fx), IsEmpty()) << "the earlier reply is cancelled; no confirmation is sent";
  ASSERT_EQ(fx.consents.size(), 1u) << "opting out twice records it once";
  EXPECT_EQ(fx.consents[0].source, "api");
  EXPECT_EQ(fx.consents[0].change.scope, routing::ConsentScope::kOrganization);
  ASSERT_EQ(fx.opt_outs.size(), 1u);
  EXPECT_TRUE(fx.opt_outs[0].all);
  ASSERT_EQ(fx.sessions.size(), 1u);
  EXPECT_FALSE(fx.sessions[0].session.active) << "the flow in progress ends";
}

TEST(DecideFlows, AnOrganizersEditSetsFieldsAndTagsAndAGarbledOneDoesNothing) {
  Batch batch;
  batch.ana().view.tags = {"volunteer"};
  const BatchEffects fx =
      batch.OrganizerUpdate("f\tzip\t10001\n+\tcaptain\n-\tvolunteer\n").OrganizerUpdate("zip=1").Decide();
  ASSERT_EQ(fx.processed.size(), 2u);
  EXPECT_EQ(fx.processed[0].event_outcome, EventOutcome::kUpdated);
  EXPECT_EQ(fx.processed[1].event_outcome, EventOutcome::kInvalid);
  ASSERT_EQ(fx.member_updates.size(), 1u);
  EXPECT_EQ(fx.member_updates[0].fields.at("zip"), "10001");
  EXPECT_THAT(fx.member_updates[0].tags_added, ElementsAre("captain"));
  EXPECT_THAT(fx.member_updates[0].tags_removed, ElementsAre("volunteer"));
}

TEST(DecideFlows, AFlowStartCarriesItsEventIntoTheSession) {
  const BatchEffects fx = Batch().FlowStart("onboarding").Decide();
  EXPECT_EQ(fx.processed.at(0).event_outcome, EventOutcome::kStarted);
  ASSERT_EQ(fx.sessions.size(), 1u);
  EXPECT_EQ(fx.sessions[0].session.event_id, std::optional<std::int64_t>(kMeetingId));
  EXPECT_THAT(Sent(fx), ElementsAre(kZip));
}

TEST(DecideFlows, ACheckInCodeWhileTheEventIsOnRecordsAttendance) {
  const BatchEffects fx = Batch().Text("Here 4821!").Text("4821").Decide();
  ASSERT_EQ(fx.actions.size(), 2u);
  EXPECT_EQ(fx.actions[0].action.kind, flows::ActionKind::kCheckIn);
  EXPECT_EQ(fx.actions[0].action.event_id, std::optional<std::int64_t>(kMeetingId));
  EXPECT_THAT(Sent(fx),
              ElementsAre("Chorus: you are checked in to Tenants Meeting. Thank you for coming!",
                          "Chorus: you are checked in to Tenants Meeting. Thank you for coming!"));
  EXPECT_EQ(fx.processed.at(0).outcome, routing::Outcome::kCheckIn);
}

TEST(CheckInCode, IsReadAfterHereInEveryBuiltInLanguageOrAlone) {
  for (std::string_view text : {"HERE 4821", "4821", "Check in 4821", "Aquí 4821", "ICI 4821",
                                "hier 4821", "Здесь 4821", "sini 4821", "dito 4821",
                                "hapa 4821", "यहाँ ४८२१", "এখানে ৪৮২১", "இங்கே 4821",
                                "هنا ٤٨٢١", "یہاں ۴۸۲۱"}) {
    EXPECT_EQ(CheckInCode(FoldForMatch(text)), "4821") << text;
  }
  for (std::string_view text : {"HERE", "here we go", "48", "HERE 4821 now", "call 4821",
                                "123456789"}) {
    EXPECT_EQ(CheckInCode(FoldForMatch(text)), "") << text;
  }
}

TEST(DecideFlows, AnotherCodeIsOrdinaryText) {
  const BatchEffects fx = Batch().Text("HERE 1234").Decide();
  EXPECT_THAT(fx.actions, IsEmpty());
  EXPECT_THAT(Sent(fx), ElementsAre(kDefault));
}

TEST(DecideFlows, WhileHandedOffMessagesGoToTheInboxButStopStillWins) {
  Batch batch;
  batch.ana().open_conversation = 900;
  batch.ana().conversation_channel = kSms;
  const BatchEffects fx =
      batch.Text("Can someone call me?").Text("JOIN").Text("STOP").Text("hello?").Decide();
  ASSERT_EQ(fx.inbox.size(), 3u);
  EXPECT_EQ(fx.inbox[0].kind, InboxWrite::Kind::kMessage);
  EXPECT_EQ(fx.inbox[0].conversation_id, 900);
  EXPECT_EQ(fx.inbox[1].inbound_id, 1001);
  EXPECT_EQ(fx.inbox[2].kind, InboxWrite::Kind::kClose) << "STOP closes the hand-off";
  EXPECT_EQ(fx.inbox[2].conversation_id, 900);
  EXPECT_THAT(Sent(fx), ElementsAre(kOptOut));
  EXPECT_EQ(fx.processed.at(3).outcome, routing::Outcome::kSuppressed)
      << "after the STOP nothing goes to the closed conversation";
  EXPECT_EQ(fx.processed.at(0).outcome, routing::Outcome::kInbox);
  EXPECT_EQ(fx.processed.at(2).outcome, routing::Outcome::kOptOut);
}

TEST(DecideFlows, AStoryCutShortByStopIsFiledUnsharedNotLost) {
  Batch batch;
  flows::Session telling;
  telling.id = 56;
  telling.channel_id = kSms;
  telling.flow = "story";
  telling.version = 1;
  telling.step = "tell";
  telling.seq = 2;
  telling.story_text = "He followed me from the station";
  batch.ana().sessions.push_back(telling);
  const BatchEffects fx = batch.Text("STOP").Decide();
  ASSERT_EQ(fx.inbox.size(), 1u);
  EXPECT_EQ(fx.inbox[0].kind, InboxWrite::Kind::kStory);
  EXPECT_EQ(fx.inbox[0].story.text, "He followed me from the station");
  EXPECT_FALSE(fx.inbox[0].story.share);
  ASSERT_EQ(fx.sessions.size(), 1u);
  EXPECT_EQ(fx.sessions[0].session.story_text, "") << "the story is no longer in the session";
  EXPECT_EQ(fx.inbox[0].session, std::optional<std::size_t>(0));
}

TEST(DecideFlows, OnlyAMessageThatIsTheKeywordAloneInterruptsAFlow) {
  const BatchEffects fx = Batch().InTheZipQuestion().Text("Events near 10001?").Decide();
  EXPECT_THAT(Sent(fx), ElementsAre(kZip)) << "an answer to the flow (not a ZIP code: asked again)";
  EXPECT_EQ(fx.processed.at(0).outcome, routing::Outcome::kFlowInvalid);
}

TEST(DecideFlows, AKeywordWithAChapterPlacesTheMemberEvenWithoutAFlow) {
  static const workspace::Snapshot snapshot = [] {
    workspace::Snapshot base = MakeSnapshot(true);
    std::vector<workspace::Keyword> keywords = {Keyword("events", kEvents, "", false)};
    keywords[0].chapter = "nyc";
    workspace::Campaigns campaigns;
    workspace::Chapter nyc;
    nyc.organization_id = kOrg;
    nyc.id = 3;
    nyc.slug = "nyc";
    nyc.name = "New York City";
    campaigns.chapters = {nyc};
    return workspace::Snapshot(base.organizations(), base.channels(), keywords,
                               std::move(campaigns));
  }();
  const BatchEffects fx = Batch(snapshot).Text("EVENTS").Decide();
  EXPECT_THAT(Sent(fx), ElementsAre(kEvents));
  ASSERT_EQ(fx.member_updates.size(), 1u);
  EXPECT_THAT(fx.member_updates[0].chapters_joined, ElementsAre("nyc"));
}

}  // namespace
}  // namespace chorus::ingest
