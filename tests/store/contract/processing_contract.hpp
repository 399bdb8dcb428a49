#pragma once

// The contract of ingest::ProcessingStore, as typed tests over a "world":
// FakeProcessingDatabase in the unit binary (fake_processing_contract_test.cpp), PostgreSQL in
// the pg binary (pg_processing_contract_pgtest.cpp).
//
// A world provides, after SetUp: two channels (0, 1) of one organization whose loop-guard
// window is 3600 s, and
//   ingest::ProcessingStore& store();
//   MemberId AddMember(const std::string& phone);
//   InboundId AddInbound(int channel, MemberId member, const std::string& body);
//                                                    unprocessed, received now
//   std::int64_t AddEvent(const ingest::MemberEvent& e, std::chrono::seconds due_in);
//                                                    a timer, webhook result or flow start
//   EventState Inbound(InboundId); EventState Event(std::int64_t);
//   std::vector<OutboundState> Outbound();           in the order they were written
//   std::vector<ActionState> Actions();              in the order they were written
//   void AddChapter(const std::string& slug);
//   void Age(std::chrono::seconds by);               everything stored is `by` older
//   ChannelId channel(int); OrganizationId organization();

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ingest/processing_store.hpp"

namespace chorus::testing {

struct EventState {
  bool processed = false;
  std::string outcome;
};

struct OutboundState {
  ChannelId channel = 0;
  MemberId member = 0;
  std::string body;
  std::string status;      // "queued", "cancelled"
  std::string error_code;  // why cancelled
};

struct ActionState {
  MemberId member = 0;
  std::string kind;  // ActionKindName
  std::string value;
  std::optional<std::int64_t> event_id;
};

inline constexpr const char* kAlicePhone = "+15550100001";
inline constexpr const char* kBobPhone = "+15550100002";
inline constexpr const char* kCarolPhone = "+15550100003";

inline const ingest::MemberRecord& Record(const ingest::BatchContext& ctx, MemberId member) {
  return ctx.members.at(member);
}

template <typename World>
class ProcessingContract : public ::testing::Test {
 protected:
  using Decide = ingest::ProcessingStore::Decide;
  using Seconds = std::chrono::seconds;

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(world_.SetUp());
    alice_ = world_.AddMember(kAlicePhone);
    bob_ = world_.AddMember(kBobPhone);
    carol_ = world_.AddMember(kCarolPhone);
  }

  ingest::MemberKey Key(MemberId member) const { return {world_.organization(), member}; }

  // Runs one batch; `decide` sees the context and returns effects; every event of the context
  // is marked processed (inbound "no_reply", others "fired") unless the effects mark them.
  ingest::BatchResult Process(const std::vector<MemberId>& members, const Decide& decide) {
    std::vector<ingest::MemberKey> keys;
    for (MemberId m : members) keys.push_back(Key(m));
    auto done = world_.store().ProcessBatch(keys, [&](const ingest::BatchContext& ctx) {
      contexts_.push_back(ctx);
      ingest::BatchEffects fx = decide(ctx);
      if (fx.processed.empty()) {
        for (const auto& e : ctx.events) {
          fx.processed.push_back({e.kind, e.organization_id, e.id, e.member_id,
                                  routing::Outcome::kNoReply, ingest::EventOutcome::kFired});
        }
      }
      return fx;
    });
    EXPECT_TRUE(done.ok()) << done.error().message;
    return done.ok() ? *done : ingest::BatchResult{};
  }
  ingest::BatchResult Process(const std::vector<MemberId>& members) {
    return Process(members, [](const ingest::BatchContext&) { return ingest::BatchEffects{}; });
  }

  std::vector<ingest::MemberKey> ClaimDue(std::size_t limit = 10) {
    auto claimed = world_.store().ClaimDue(limit, std::chrono::seconds(30));
    EXPECT_TRUE(claimed.ok()) << claimed.error().message;
    return claimed.ok() ? *claimed : std::vector<ingest::MemberKey>{};
  }

  ingest::MemberEvent Timer(MemberId member, std::int64_t session, int token,
                            flows::TimerKind kind = flows::TimerKind::kTimeout) const {
    ingest::MemberEvent e;
    e.kind = ingest::EventKind::kTimer;
    e.organization_id = world_.organization();
    e.member_id = member;
    e.channel_id = world_.channel(0);
    e.session_id = session;
    e.token = token;
    e.timer = kind;
    return e;
  }

  ingest::OutboundDraft Draft(const ingest::BatchContext& ctx, MemberId member, int channel,
                              const std::string& body) const {
    ingest::OutboundDraft d;
    d.organization_id = world_.organization();
    d.channel_id = world_.channel(channel);
    d.member_id = member;
    d.recipient = Record(ctx, member).phone;
    d.body = body;
    d.body_hash = static_cast<std::uint32_t>(std::hash<std::string>{}(body));
    d.inbound_id = ctx.events.front().id;
    return d;
  }

  ingest::OptOutState OptOutOf(MemberId member, std::vector<int> channels, bool all = false) const {
    ingest::OptOutState o;
    o.organization_id = world_.organization();
    o.member_id = member;
    o.all = all;
    for (int c : channels) o.channels.push_back(world_.channel(c));
    return o;
  }

  ingest::SessionWrite SessionOf(MemberId member, std::int64_t id, int channel,
                                 const std::string& step, bool active = true) const {
    ingest::SessionWrite w;
    w.organization_id = world_.organization();
    w.member_id = member;
    w.session.id = id;
    w.session.channel_id = world_.channel(channel);
    w.session.flow = "welcome";
    w.session.version = 2;
    w.session.step = step;
    w.session.active = active;
    return w;
  }

  ingest::TimerWrite TimerAfter(MemberId member, std::size_t session, int token,
                                std::chrono::seconds after, flows::TimerKind kind) const {
    ingest::TimerWrite t;
    t.organization_id = world_.organization();
    t.member_id = member;
    t.session = session;
    t.channel_id = world_.channel(0);
    t.request = flows::TimerRequest{kind, after, std::nullopt, token};
    t.time_zone = "UTC";
    return t;
  }

  static std::vector<std::int64_t> Ids(const ingest::BatchContext& ctx) {
    std::vector<std::int64_t> ids;
    for (const auto& e : ctx.events) ids.push_back(e.id);
    return ids;
  }

  std::vector<ingest::BatchContext> contexts_;  // what each decide saw
  World world_;
  MemberId alice_ = 0, bob_ = 0, carol_ = 0;
};

TYPED_TEST_SUITE_P(ProcessingContract);

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

TYPED_TEST_P(ProcessingContract, ABatchSeesItsMembersPendingEventsInTimeOrder) {
  auto& w = this->world_;
  const InboundId a1 = w.AddInbound(0, this->alice_, "JOIN");
  w.AddInbound(0, this->bob_, "HELP");
  w.Age(typename TestFixture::Seconds(10));
  ingest::MemberEvent start;
  start.kind = ingest::EventKind::kFlowStart;
  start.organization_id = w.organization();
  start.member_id = this->alice_;
  start.channel_id = w.channel(1);
  start.flow = "thanks";
  start.event_id = 77;
  const std::int64_t due = w.AddEvent(start, typename TestFixture::Seconds(-5));
  w.AddEvent(this->Timer(this->alice_, 5, 1), typename TestFixture::Seconds(60));  // not due
  const InboundId a2 = w.AddInbound(1, this->alice_, "STOP");
  this->Process({this->alice_});
  ASSERT_EQ(this->contexts_.size(), 1u);
  const auto& ctx = this->contexts_[0];
  EXPECT_THAT(this->Ids(ctx), ElementsAre(a1, due, a2)) << "Bob's are not Alice's batch";
  EXPECT_EQ(ctx.events[0].kind, ingest::EventKind::kInbound);
  EXPECT_EQ(ctx.events[0].body, "JOIN");
  EXPECT_EQ(ctx.events[1].kind, ingest::EventKind::kFlowStart);
  EXPECT_EQ(ctx.events[1].flow, "thanks");
  EXPECT_EQ(ctx.events[1].event_id, std::optional<std::int64_t>(77));
  EXPECT_EQ(ctx.events[1].channel_id, w.channel(1));
  EXPECT_EQ(ctx.events[2].channel_id, w.channel(1));
  EXPECT_EQ(Record(ctx, this->alice_).phone, kAlicePhone);
  EXPECT_TRUE(w.Inbound(a1).processed);
  EXPECT_EQ(w.Event(due).outcome, "fired");
}

TYPED_TEST_P(ProcessingContract, AProcessedEventIsNeverSeenAgain) {
  auto& w = this->world_;
  w.AddInbound(0, this->alice_, "JOIN");
  w.AddEvent(this->Timer(this->alice_, 5, 1), typename TestFixture::Seconds(0));
  this->Process({this->alice_});
  this->Process({this->alice_});
  EXPECT_EQ(this->contexts_.size(), 1u) << "nothing left: decide is not called";
  const InboundId later = w.AddInbound(0, this->alice_, "HELP");
  this->Process({this->alice_, this->alice_});
  ASSERT_EQ(this->contexts_.size(), 2u);
  EXPECT_THAT(this->Ids(this->contexts_[1]), ElementsAre(later));
}

TYPED_TEST_P(ProcessingContract, EventsBeyondTheBatchLimitWaitForTheNextBatch) {
  auto& w = this->world_;
  for (int i = 0; i < 70; ++i) w.AddInbound(0, this->alice_, "m" + std::to_string(i));
  w.AddInbound(0, this->bob_, "hi");
  const auto first = this->Process({this->alice_, this->bob_});
  EXPECT_THAT(first.more, ElementsAre(this->Key(this->alice_)));
  const auto second = this->Process({this->alice_});
  EXPECT_THAT(second.more, IsEmpty());
  ASSERT_EQ(this->contexts_.size(), 2u);
  EXPECT_EQ(this->contexts_[0].events.size(), 64u + 1u);
  ASSERT_EQ(this->contexts_[1].events.size(), 6u);
  EXPECT_EQ(this->contexts_[1].events.front().body, "m64") << "in arrival order";
}

TYPED_TEST_P(ProcessingContract, DraftsAreQueuedAndTheirChannelsReturnedUnlessCancelled) {
  auto& w = this->world_;
  w.AddInbound(0, this->alice_, "JOIN");
  const auto result = this->Process({this->alice_}, [&](const ingest::BatchContext& ctx) {
    ingest::BatchEffects fx;
    fx.outbound.push_back(this->Draft(ctx, this->alice_, 0, "Welcome"));
    auto guarded = this->Draft(ctx, this->alice_, 1, "Welcome again");
    guarded.cancelled = true;
    guarded.cancel_reason = "loop_guard";
    fx.outbound.push_back(guarded);
    return fx;
  });
  EXPECT_THAT(result.outbound_channels, ElementsAre(w.channel(0)));
  const auto out = w.Outbound();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].body, "Welcome");
  EXPECT_EQ(out[0].status, "queued");
  EXPECT_EQ(out[0].channel, w.channel(0));
  EXPECT_EQ(out[1].status, "cancelled");
  EXPECT_EQ(out[1].error_code, "loop_guard");
}

TYPED_TEST_P(ProcessingContract, WhatABatchChangesAboutAMemberTheNextOneSees) {
  auto& w = this->world_;
  w.AddChapter("nyc");
  w.AddInbound(0, this->alice_, "UNIRME");
  this->Process({this->alice_}, [&](const ingest::BatchContext&) {
    ingest::BatchEffects fx;
    ingest::MemberUpdate u{w.organization(), this->alice_, std::string("es"), true};
    u.fields = {{"zip", "10001"}, {"first_name", "Ana"}};
    u.tags_added = {"volunteer", "donor"};
    u.chapters_joined = {"nyc", "nowhere"};
    fx.member_updates.push_back(u);
    fx.opt_outs.push_back(this->OptOutOf(this->alice_, {1}));
    return fx;
  });
  w.AddInbound(0, this->alice_, "hola");
  this->Process({this->alice_}, [&](const ingest::BatchContext&) {
    ingest::BatchEffects fx;
    ingest::MemberUpdate u{w.organization(), this->alice_, std::nullopt, false};
    u.fields = {{"zip", "10002"}};
    u.tags_removed = {"donor"};
    fx.member_updates.push_back(u);
    return fx;
  });
  const auto& first = Record(this->contexts_.at(1), this->alice_);
  EXPECT_EQ(first.state.language, "es");
  EXPECT_TRUE(first.state.joined);
  EXPECT_FALSE(first.state.opted_out_all);
  EXPECT_EQ(first.state.opted_out_channels, std::set<ChannelId>{w.channel(1)});
  EXPECT_EQ(first.view.fields,
            (std::map<std::string, std::string>{{"first_name", "Ana"}, {"zip", "10001"}}));
  EXPECT_EQ(first.view.tags, (std::set<std::string>{"donor", "volunteer"}));
  EXPECT_EQ(first.view.chapters, std::set<std::string>{"nyc"}) << "an unknown chapter is skipped";

  w.AddInbound(0, this->alice_, "STOPALL");
  this->Process({this->alice_}, [&](const ingest::BatchContext&) {
    ingest::BatchEffects fx;
    fx.opt_outs.push_back(this->OptOutOf(this->alice_, {}, /*all=*/true));
    return fx;
  });
  w.AddInbound(0, this->alice_, "?");
  this->Process({this->alice_});
  const auto& after = Record(this->contexts_.at(3), this->alice_);
  EXPECT_TRUE(after.state.opted_out_all);
  EXPECT_THAT(after.state.opted_out_channels, IsEmpty())
      << "the batch's final state replaces the old";
  EXPECT_EQ(after.state.language, "es") << "no update keeps the language";
  EXPECT_EQ(after.view.fields.at("zip"), "10002");
  EXPECT_EQ(after.view.fields.at("first_name"), "Ana") << "fields are merged, not replaced";
  EXPECT_EQ(after.view.tags, std::set<std::string>{"volunteer"});
}

TYPED_TEST_P(ProcessingContract, ANewOptOutCancelsWhatIsQueuedForTheMemberThere) {
  auto& w = this->world_;
  w.AddInbound(0, this->alice_, "JOIN");
  w.AddInbound(0, this->bob_, "JOIN");
  this->Process({this->alice_, this->bob_}, [&](const ingest::BatchContext& ctx) {
    ingest::BatchEffects fx;
    fx.outbound.push_back(this->Draft(ctx, this->alice_, 0, "Alice on 0"));
    fx.outbound.push_back(this->Draft(ctx, this->alice_, 1, "Alice on 1"));
    fx.outbound.push_back(this->Draft(ctx, this->bob_, 0, "Bob on 0"));
    return fx;
  });
  w.AddInbound(0, this->alice_, "STOP");
  this->Process({this->alice_}, [&](const ingest::BatchContext&) {
    ingest::BatchEffects fx;
    fx.opt_outs.push_back(this->OptOutOf(this->alice_, {0}));
    return fx;
  });
  const auto out = w.Outbound();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].status, "cancelled");
  EXPECT_EQ(out[0].error_code, "opted_out");
  EXPECT_EQ(out[1].status, "queued") << "another channel";
  EXPECT_EQ(out[2].status, "queued") << "another member";
}

TYPED_TEST_P(ProcessingContract, RecentSendsCountTextsInsideTheLoopGuardWindowOnly) {
  auto& w = this->world_;
  w.AddInbound(0, this->alice_, "JOIN");
  this->Process({this->alice_}, [&](const ingest::BatchContext& ctx) {
    ingest::BatchEffects fx;
    fx.outbound.push_back(this->Draft(ctx, this->alice_, 0, "Same text"));
    fx.outbound.push_back(this->Draft(ctx, this->alice_, 1, "Same text"));
    auto cancelled = this->Draft(ctx, this->alice_, 0, "Same text");
    cancelled.cancelled = true;
    cancelled.cancel_reason = "loop_guard";
    fx.outbound.push_back(cancelled);
    return fx;
  });
  const auto hash = static_cast<std::uint32_t>(std::hash<std::string>{}("Same text"));
  w.AddInbound(0, this->alice_, "again");
  this->Process({this->alice_});
  const auto& recent = Record(this->contexts_.at(1), this->alice_).recent_sends;
  ASSERT_EQ(recent.count(hash), 1u);
  EXPECT_EQ(recent.at(hash), 2) << "cancelled messages were never sent";

  w.Age(typename TestFixture::Seconds(3600 + 60));
  w.AddInbound(0, this->alice_, "much later");
  this->Process({this->alice_});
  EXPECT_EQ(Record(this->contexts_.at(2), this->alice_).recent_sends.count(hash), 0u)
      << "older than the organization's window";
}

TYPED_TEST_P(ProcessingContract, SessionsKeepTheirStateAndAnEndedOneFreesItsChannel) {
  auto& w = this->world_;
  w.AddInbound(0, this->alice_, "JOIN");
  this->Process({this->alice_}, [&](const ingest::BatchContext&) {
    ingest::BatchEffects fx;
    auto s = this->SessionOf(this->alice_, 0, 0, "zip");
    s.session.seq = 3;
    s.session.tries = 1;
    s.session.reminded = true;
    s.session.event_id = 42;
    s.session.story_text = "line one\nline two";
    s.session.story_place = "Main St";
    s.session.story_phase = 2;
    fx.sessions.push_back(s);
    fx.sessions.push_back(this->SessionOf(this->alice_, 0, 1, "other"));
    return fx;
  });
  w.AddInbound(0, this->alice_, "10001");
  this->Process({this->alice_}, [&](const ingest::BatchContext& ctx) {
    ingest::BatchEffects fx;
    const auto& sessions = Record(ctx, this->alice_).sessions;
    for (const auto& s : sessions) {
      if (s.channel_id != w.channel(0)) continue;
      auto ended = this->SessionOf(this->alice_, s.id, 0, "", /*active=*/false);
      fx.sessions.push_back(ended);  // ends, and a new one starts on the same channel
    }
    fx.sessions.push_back(this->SessionOf(this->alice_, 0, 0, "ask"));
    return fx;
  });
  ASSERT_EQ(this->contexts_.size(), 2u);
  const auto& stored = Record(this->contexts_[1], this->alice_).sessions;
  ASSERT_EQ(stored.size(), 2u);
  const auto zip = std::find_if(stored.begin(), stored.end(),
                                [](const flows::Session& s) { return s.step == "zip"; });
  ASSERT_NE(zip, stored.end());
  EXPECT_NE(zip->id, 0);
  EXPECT_EQ(zip->channel_id, w.channel(0));
  EXPECT_EQ(zip->flow, "welcome");
  EXPECT_EQ(zip->version, 2);
  EXPECT_EQ(zip->seq, 3);
  EXPECT_EQ(zip->tries, 1);
  EXPECT_TRUE(zip->reminded);
  EXPECT_EQ(zip->event_id, std::optional<std::int64_t>(42));
  EXPECT_EQ(zip->story_text, "line one\nline two");
  EXPECT_EQ(zip->story_place, "Main St");
  EXPECT_EQ(zip->story_phase, 2);
  EXPECT_TRUE(zip->active);

  w.AddInbound(0, this->alice_, "again");
  this->Process({this->alice_});
  std::vector<std::string> steps;
  for (const auto& s : Record(this->contexts_.at(2), this->alice_).sessions) {
    steps.push_back(s.step);
  }
  EXPECT_THAT(steps, UnorderedElementsAre("ask", "other")) << "only active sessions load";
}

TYPED_TEST_P(ProcessingContract, TimersFireOnceDueAndCancelledOnesNever) {
  auto& w = this->world_;
  using flows::TimerKind;
  w.AddInbound(0, this->alice_, "JOIN");
  w.AddInbound(0, this->bob_, "JOIN");
  this->Process({this->alice_, this->bob_}, [&](const ingest::BatchContext&) {
    ingest::BatchEffects fx;
    fx.sessions.push_back(this->SessionOf(this->alice_, 0, 0, "zip"));
    fx.sessions.push_back(this->SessionOf(this->bob_, 0, 0, "zip"));
    fx.timers.push_back(this->TimerAfter(this->alice_, 0, 1, typename TestFixture::Seconds(30),
                                         TimerKind::kReminder));
    fx.timers.push_back(
        this->TimerAfter(this->bob_, 1, 1, typename TestFixture::Seconds(30), TimerKind::kTimeout));
    return fx;
  });
  EXPECT_THAT(this->ClaimDue(), IsEmpty()) << "not due yet";
  // Bob's session moves on before his timer is due: the timer is void.
  w.AddInbound(0, this->bob_, "10001");
  this->Process({this->bob_}, [&](const ingest::BatchContext& ctx) {
    ingest::BatchEffects fx;
    auto s = this->SessionOf(this->bob_, Record(ctx, this->bob_).sessions.at(0).id, 0, "next");
    s.cancel_stored_timers = true;
    fx.sessions.push_back(s);
    return fx;
  });
  w.Age(typename TestFixture::Seconds(31));
  EXPECT_THAT(this->ClaimDue(), ElementsAre(this->Key(this->alice_)));
  this->Process({this->alice_, this->bob_});
  ASSERT_EQ(this->contexts_.size(), 3u);
  const auto& fired = this->contexts_[2];
  ASSERT_EQ(fired.events.size(), 1u) << "Bob's cancelled timer is not an event";
  const auto& timer = fired.events[0];
  EXPECT_EQ(timer.kind, ingest::EventKind::kTimer);
  EXPECT_EQ(timer.member_id, this->alice_);
  EXPECT_EQ(timer.session_id, Record(fired, this->alice_).sessions.at(0).id);
  EXPECT_EQ(timer.token, 1);
  EXPECT_EQ(timer.timer, TimerKind::kReminder);
  EXPECT_EQ(timer.channel_id, w.channel(0));
  w.Age(typename TestFixture::Seconds(60));
  EXPECT_THAT(this->ClaimDue(), IsEmpty()) << "fired once";
}

TYPED_TEST_P(ProcessingContract, ADueEventIsClaimedByOneClaimerUntilItsLeaseEnds) {
  auto& w = this->world_;
  const auto due = typename TestFixture::Seconds(-1);
  w.AddEvent(this->Timer(this->alice_, 1, 1), due);
  w.AddEvent(this->Timer(this->alice_, 1, 2), due);
  w.AddEvent(this->Timer(this->bob_, 2, 1), due);
  w.AddEvent(this->Timer(this->carol_, 3, 1), typename TestFixture::Seconds(20));
  EXPECT_THAT(this->ClaimDue(),
              UnorderedElementsAre(this->Key(this->alice_), this->Key(this->bob_)));
  EXPECT_THAT(this->ClaimDue(), IsEmpty()) << "claimed: another claimer skips them";
  w.Age(typename TestFixture::Seconds(31));  // the claims expire (their node died)
  EXPECT_THAT(this->ClaimDue(), UnorderedElementsAre(this->Key(this->alice_), this->Key(this->bob_),
                                                     this->Key(this->carol_)));
  this->Process({this->alice_});
  w.Age(typename TestFixture::Seconds(31));
  EXPECT_THAT(this->ClaimDue(),
              UnorderedElementsAre(this->Key(this->bob_), this->Key(this->carol_)))
      << "processed events are never claimed again";
  w.Age(typename TestFixture::Seconds(31));
  EXPECT_EQ(this->ClaimDue(1).size(), 1u) << "the limit counts events";
}

TYPED_TEST_P(ProcessingContract, AHandOffOpensOneConversationThatLaterBatchesSee) {
  auto& w = this->world_;
  w.AddInbound(0, this->alice_, "talk to a human");
  this->Process({this->alice_}, [&](const ingest::BatchContext&) {
    ingest::BatchEffects fx;
    ingest::InboxWrite open;
    open.organization_id = w.organization();
    open.member_id = this->alice_;
    open.channel_id = w.channel(0);
    open.kind = ingest::InboxWrite::Kind::kHandOff;
    fx.inbox.push_back(open);
    return fx;
  });
  w.AddInbound(0, this->alice_, "hello?");
  this->Process({this->alice_}, [&](const ingest::BatchContext& ctx) {
    ingest::BatchEffects fx;
    ingest::InboxWrite again;
    again.organization_id = w.organization();
    again.member_id = this->alice_;
    again.channel_id = w.channel(1);
    again.kind = ingest::InboxWrite::Kind::kHandOff;
    fx.inbox.push_back(again);
    EXPECT_NE(Record(ctx, this->alice_).open_conversation, 0);
    return fx;
  });
  w.AddInbound(0, this->alice_, "still there?");
  this->Process({this->alice_});
  const auto& first = Record(this->contexts_.at(1), this->alice_);
  const auto& later = Record(this->contexts_.at(2), this->alice_);
  EXPECT_EQ(first.conversation_channel, w.channel(0));
  EXPECT_EQ(later.open_conversation, first.open_conversation) << "one open hand-off per member";
  EXPECT_EQ(later.conversation_channel, w.channel(0));
  EXPECT_EQ(Record(this->contexts_.at(0), this->alice_).open_conversation, 0);

  w.AddInbound(0, this->alice_, "STOP");
  this->Process({this->alice_}, [&](const ingest::BatchContext&) {
    ingest::BatchEffects fx;
    ingest::InboxWrite close;
    close.organization_id = w.organization();
    close.member_id = this->alice_;
    close.kind = ingest::InboxWrite::Kind::kClose;
    fx.inbox.push_back(close);
    return fx;
  });
  w.AddInbound(0, this->alice_, "hi");
  this->Process({this->alice_});
  EXPECT_EQ(Record(this->contexts_.at(4), this->alice_).open_conversation, 0) << "closed";
}

TYPED_TEST_P(ProcessingContract, AnRsvpIsOnePerMemberAndEventWhileOtherActionsAddUp) {
  auto& w = this->world_;
  auto action = [&](MemberId member, flows::ActionKind kind, std::optional<std::int64_t> event,
                    std::string value) {
    ingest::ActionWrite a;
    a.organization_id = w.organization();
    a.member_id = member;
    a.channel_id = w.channel(0);
    a.action = flows::ActionRecord{kind, "target", event, std::move(value)};
    return a;
  };
  w.AddInbound(0, this->alice_, "YES");
  w.AddInbound(0, this->bob_, "YES");
  this->Process({this->alice_, this->bob_}, [&](const ingest::BatchContext&) {
    ingest::BatchEffects fx;
    fx.actions.push_back(action(this->alice_, flows::ActionKind::kRsvp, 9, "yes"));
    fx.actions.push_back(action(this->bob_, flows::ActionKind::kRsvp, 9, "yes"));
    fx.actions.push_back(action(this->alice_, flows::ActionKind::kPetition, std::nullopt, ""));
    return fx;
  });
  w.AddInbound(0, this->alice_, "NO");
  this->Process({this->alice_}, [&](const ingest::BatchContext&) {
    ingest::BatchEffects fx;
    fx.actions.push_back(action(this->alice_, flows::ActionKind::kRsvp, 9, "no"));
    fx.actions.push_back(action(this->alice_, flows::ActionKind::kRsvp, 10, "yes"));
    fx.actions.push_back(action(this->alice_, flows::ActionKind::kPetition, std::nullopt, ""));
    return fx;
  });
  std::vector<std::string> rows;
  for (const ActionState& a : w.Actions()) {
    rows.push_back((a.member == this->alice_ ? "alice " : "bob ") + a.kind + " " +
                   (a.event_id ? std::to_string(*a.event_id) : "-") + " " + a.value);
  }
  EXPECT_THAT(rows, UnorderedElementsAre("alice rsvp 9 no", "bob rsvp 9 yes", "alice petition - ",
                                         "alice rsvp 10 yes", "alice petition - "));
}

TYPED_TEST_P(ProcessingContract, QuarantineMarksEveryPendingEventOfTheMemberAsError) {
  auto& w = this->world_;
  const InboundId a1 = w.AddInbound(0, this->alice_, "x");
  const InboundId a2 = w.AddInbound(1, this->alice_, "y");
  const std::int64_t due =
      w.AddEvent(this->Timer(this->alice_, 1, 1), typename TestFixture::Seconds(0));
  const std::int64_t later =
      w.AddEvent(this->Timer(this->alice_, 1, 2), typename TestFixture::Seconds(60));
  const InboundId b1 = w.AddInbound(0, this->bob_, "z");
  ASSERT_TRUE(w.store().Quarantine(this->Key(this->alice_)).ok());
  EXPECT_TRUE(w.Inbound(a1).processed);
  EXPECT_EQ(w.Inbound(a1).outcome, "error");
  EXPECT_EQ(w.Inbound(a2).outcome, "error");
  EXPECT_EQ(w.Event(due).outcome, "error");
  EXPECT_FALSE(w.Event(later).processed) << "a timer not yet due is not the poison";
  EXPECT_FALSE(w.Inbound(b1).processed);
  this->Process({this->alice_});
  EXPECT_THAT(this->contexts_, IsEmpty());
}

TYPED_TEST_P(ProcessingContract, FindUnprocessedNamesMembersWhoseEventsWaitedTooLong) {
  auto& w = this->world_;
  w.AddInbound(0, this->alice_, "x");
  w.AddInbound(0, this->alice_, "y");
  w.AddEvent(this->Timer(this->bob_, 1, 1), typename TestFixture::Seconds(0));
  w.AddInbound(0, this->carol_, "w");
  this->Process({this->carol_});
  auto none = w.store().FindUnprocessed(std::chrono::seconds(30), 10);
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty()) << "nothing waited 30 s yet";
  w.Age(typename TestFixture::Seconds(60));
  const MemberId dave = w.AddMember("+15550100004");
  w.AddInbound(0, dave, "fresh");
  w.AddEvent(this->Timer(dave, 2, 1), typename TestFixture::Seconds(0));
  auto found = w.store().FindUnprocessed(std::chrono::seconds(30), 10);
  ASSERT_TRUE(found.ok());
  EXPECT_THAT(*found, UnorderedElementsAre(this->Key(this->alice_), this->Key(this->bob_)));
  auto limited = w.store().FindUnprocessed(std::chrono::seconds(30), 1);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->size(), 1u);
}

REGISTER_TYPED_TEST_SUITE_P(ProcessingContract, ABatchSeesItsMembersPendingEventsInTimeOrder,
                            AProcessedEventIsNeverSeenAgain,
                            EventsBeyondTheBatchLimitWaitForTheNextBatch,
                            DraftsAreQueuedAndTheirChannelsReturnedUnlessCancelled,
                            WhatABatchChangesAboutAMemberTheNextOneSees,
                            ANewOptOutCancelsWhatIsQueuedForTheMemberThere,
                            RecentSendsCountTextsInsideTheLoopGuardWindowOnly,
                            SessionsKeepTheirStateAndAnEndedOneFreesItsChannel,
                            TimersFireOnceDueAndCancelledOnesNever,
                            ADueEventIsClaimedByOneClaimerUntilItsLeaseEnds,
                            AHandOffOpensOneConversationThatLaterBatchesSee,
                            AnRsvpIsOnePerMemberAndEventWhileOtherActionsAddUp,
                            QuarantineMarksEveryPendingEventOfTheMemberAsError,
                            FindUnprocessedNamesMembersWhoseEventsWaitedTooLong);

}  // namespace chorus::testing
