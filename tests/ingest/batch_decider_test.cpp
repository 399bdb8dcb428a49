#include "ingest/batch_decider.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr OrganizationId kOrg = 1;
constexpr ChannelId kNyc = 10;
constexpr ChannelId kLa = 11;
constexpr char kAlice[] = "+15550100001";
constexpr char kBob[] = "+15550100002";

constexpr std::string_view kOptOut = "Chorus: you are unsubscribed. No more messages.";
constexpr std::string_view kOptOutAll = "Chorus: unsubscribed from every Chorus number.";
constexpr std::string_view kOptOutEs = "Chorus: te has dado de baja.";
constexpr std::string_view kHelp = "Chorus: news and actions. Reply STOP to opt out.";
constexpr std::string_view kDefault = "Chorus: thanks! Text JOIN to sign up.";
constexpr std::string_view kOptIn = "Chorus: you are subscribed again.";
constexpr std::string_view kWelcome = "Welcome to Chorus! Reply STOP to opt out, HELP for help.";
constexpr std::string_view kRally = "Rally at City Hall, 6pm.";
constexpr std::string_view kFist = "Power to the people \u270A";

workspace::Keyword MakeKeyword(std::string word, std::string_view reply, bool opt_in) {
  workspace::Keyword k;
  k.organization_id = kOrg;
  k.word = word;
  k.display_word = word;
  k.reply = std::string(reply);
  k.opt_in = opt_in;
  k.language = "en";
  return k;
}

Channel MakeChannel(ChannelId id, std::string slug) {
  Channel c;
  c.organization_id = kOrg;
  c.id = id;
  c.slug = std::move(slug);
  c.sender = "+15550100999";
  return c;
}

const workspace::Snapshot& TheSnapshot() {
  static const workspace::Snapshot snapshot = [] {
    workspace::Organization org;
    org.id = kOrg;
    org.slug = "chorus";
    org.name = "Chorus";
    org.loop_guard_max = 3;
    org.texts["en"] = {std::string(kHelp), std::string(kOptOut), std::string(kOptOutAll),
                       std::string(kOptIn), std::string(kDefault)};
    org.texts["es"] = {"", std::string(kOptOutEs), "", "", ""};
    return workspace::Snapshot(
        {org}, {MakeChannel(kNyc, "nyc"), MakeChannel(kLa, "la")},
        {MakeKeyword("join", kWelcome, true), MakeKeyword("rally", kRally, false),
         MakeKeyword("fist", kFist, false)});
  }();
  return snapshot;
}

/// Builds a BatchContext the way ProcessingStore loads one.
class Batch {
 public:
  Batch& Member(const std::string& phone, MemberId id, routing::MemberState state = {}) {
    MemberRecord record;
    record.id = id;
    record.organization_id = kOrg;
    record.phone = phone;
    record.state = std::move(state);
    record.view.language = record.state.language;
    context_.members[id] = std::move(record);
    ids_[phone] = id;
    return *this;
  }
  Batch& RecentSend(const std::string& phone, std::string_view body, int count) {
    context_.members.at(ids_.at(phone)).recent_sends[BodyHash(body)] = count;
    return *this;
  }
  Batch& Text(const std::string& phone, std::string body, ChannelId channel = kNyc) {
    MemberEvent m;
    m.kind = EventKind::kInbound;
    m.id = next_id_++;
    m.organization_id = kOrg;
    m.member_id = ids_.at(phone);
    m.channel_id = channel;
    m.body = std::move(body);
    context_.events.push_back(std::move(m));
    return *this;
  }
  BatchEffects Decide() const { return DecideBatch(context_, TheSnapshot()); }

 private:
  BatchContext context_;
  std::map<std::string, MemberId> ids_;
  InboundId next_id_ = 1000;
};

routing::MemberState Joined(std::string language = "en") {
  routing::MemberState s;
  s.joined = true;
  s.language = std::move(language);
  return s;
}

std::vector<const OutboundDraft*> Sendable(const BatchEffects& fx) {
  std::vector<const OutboundDraft*> out;
  for (const auto& d : fx.outbound) {
    if (!d.cancelled) out.push_back(&d);
  }
  return out;
}

std::vector<std::string> Outcomes(const BatchEffects& fx) {
  std::vector<std::string> out;
  for (const auto& p : fx.processed) out.emplace_back(routing::OutcomeName(p.outcome));
  return out;
}

TEST(BatchDecider, JoinThenStopInOneBatchCancelsTheWelcomeAndQueuesOneConfirmation) {
  const BatchEffects fx =
      Batch().Member(kAlice, 7).Text(kAlice, "JOIN").Text(kAlice, "STOP").Decide();

  ASSERT_EQ(fx.outbound.size(), 2u);
  EXPECT_EQ(fx.outbound[0].body, kWelcome);
  EXPECT_TRUE(fx.outbound[0].cancelled);
  EXPECT_EQ(fx.outbound[0].cancel_reason, "opted_out");
  EXPECT_EQ(fx.outbound[1].body, kOptOut);
  EXPECT_FALSE(fx.outbound[1].cancelled);
  EXPECT_EQ(fx.outbound[1].kind, routing::ReplyKind::kCompliance);

  ASSERT_EQ(fx.consents.size(), 2u);
  EXPECT_EQ(fx.consents[0].change.kind, routing::ConsentKind::kOptIn);
  EXPECT_EQ(fx.consents[0].change.keyword, "join");
  EXPECT_EQ(fx.consents[0].inbound_id, 1000);
  EXPECT_EQ(fx.consents[1].change.kind, routing::ConsentKind::kOptOut);
  EXPECT_EQ(fx.consents[1].inbound_id, 1001);
  EXPECT_EQ(fx.consents[1].member_id, 7);
  EXPECT_EQ(fx.consents[1].channel_id, kNyc);

  ASSERT_EQ(fx.opt_outs.size(), 1u);
  EXPECT_EQ(fx.opt_outs[0].organization_id, kOrg);
  EXPECT_EQ(fx.opt_outs[0].member_id, 7);
  EXPECT_FALSE(fx.opt_outs[0].all);
  EXPECT_THAT(fx.opt_outs[0].channels, ElementsAre(kNyc));
  EXPECT_THAT(Outcomes(fx), ElementsAre("keyword", "opt_out"));
}

TEST(BatchDecider, StopTwiceInOneBatchQueuesExactlyOneConfirmation) {
  const BatchEffects fx =
      Batch().Member(kAlice, 7, Joined()).Text(kAlice, "STOP").Text(kAlice, "stop").Decide();

  const auto sendable = Sendable(fx);
  ASSERT_EQ(sendable.size(), 1u);
  EXPECT_EQ(sendable[0]->body, kOptOut);
  EXPECT_THAT(Outcomes(fx), ElementsAre("opt_out", "already_opted_out"));
  EXPECT_EQ(fx.consents.size(), 2u);  // both are recorded: they are what the member said
}

TEST(BatchDecider, StopAllThenStopInOneBatchQueuesExactlyOneConfirmation) {
  const BatchEffects fx =
      Batch().Member(kAlice, 7, Joined()).Text(kAlice, "STOPALL").Text(kAlice, "STOP").Decide();

  const auto sendable = Sendable(fx);
  ASSERT_EQ(sendable.size(), 1u);
  EXPECT_EQ(sendable[0]->body, kOptOutAll);
}

TEST(BatchDecider, RepeatedStopKeepsTheFirstConfirmationAndWhatItCancelled) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined())
                              .Text(kAlice, "RALLY")
                              .Text(kAlice, "STOP")
                              .Text(kAlice, "STOP")
                              .Decide();
  ASSERT_EQ(fx.outbound.size(), 2u);
  EXPECT_TRUE(fx.outbound[0].cancelled);
  EXPECT_FALSE(fx.outbound[1].cancelled);
}

TEST(BatchDecider, StopOnOneChannelKeepsRepliesPlannedOnAnother) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined())
                              .Text(kAlice, "RALLY", kLa)
                              .Text(kAlice, "STOP", kNyc)
                              .Decide();
  ASSERT_EQ(fx.outbound.size(), 2u);
  EXPECT_EQ(fx.outbound[0].channel_id, kLa);
  EXPECT_FALSE(fx.outbound[0].cancelled);
  EXPECT_FALSE(fx.outbound[1].cancelled);
}

TEST(BatchDecider, StopAllCancelsRepliesPlannedOnEveryChannel) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined())
                              .Text(kAlice, "RALLY", kLa)
                              .Text(kAlice, "STOPALL", kNyc)
                              .Decide();
  ASSERT_EQ(fx.outbound.size(), 2u);
  EXPECT_TRUE(fx.outbound[0].cancelled);
  EXPECT_EQ(fx.outbound[0].cancel_reason, "opted_out");
  EXPECT_EQ(fx.outbound[1].body, kOptOutAll);
  EXPECT_FALSE(fx.outbound[1].cancelled);
  ASSERT_EQ(fx.opt_outs.size(), 1u);
  EXPECT_TRUE(fx.opt_outs[0].all);
}

TEST(BatchDecider, StopFromOneMemberDoesNotCancelAnothersReplies) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined())
                              .Member(kBob, 8, Joined())
                              .Text(kBob, "RALLY")
                              .Text(kAlice, "STOPALL")
                              .Decide();
  ASSERT_EQ(fx.outbound.size(), 2u);
  EXPECT_EQ(fx.outbound[0].member_id, 8);
  EXPECT_FALSE(fx.outbound[0].cancelled);
}

TEST(BatchDecider, FourthIdenticalReplyIsCancelledByTheLoopGuard) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined())
                              .Text(kAlice, "ok")
                              .Text(kAlice, "ok")
                              .Text(kAlice, "ok")
                              .Text(kAlice, "ok")
                              .Decide();
  ASSERT_EQ(fx.outbound.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(fx.outbound[i].cancelled) << i;
  EXPECT_TRUE(fx.outbound[3].cancelled);
  EXPECT_EQ(fx.outbound[3].cancel_reason, "loop_guard");
}

TEST(BatchDecider, LoopGuardCountsSendsFromBeforeTheBatch) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined())
                              .RecentSend(kAlice, kDefault, 3)
                              .Text(kAlice, "ok")
                              .Decide();
  ASSERT_EQ(fx.outbound.size(), 1u);
  EXPECT_TRUE(fx.outbound[0].cancelled);
  EXPECT_EQ(fx.outbound[0].cancel_reason, "loop_guard");
}

TEST(BatchDecider, LoopGuardLetsADifferentReplyThrough) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined())
                              .RecentSend(kAlice, kDefault, 3)
                              .Text(kAlice, "RALLY")
                              .Decide();
  ASSERT_EQ(fx.outbound.size(), 1u);
  EXPECT_FALSE(fx.outbound[0].cancelled);
}

TEST(BatchDecider, LoopGuardCountsEachMemberSeparately) {
  Batch batch;
  batch.Member(kAlice, 7, Joined()).Member(kBob, 8, Joined());
  for (int i = 0; i < 3; ++i) batch.Text(kAlice, "ok").Text(kBob, "ok");
  const BatchEffects fx = batch.Decide();
  EXPECT_EQ(Sendable(fx).size(), 6u);
}

TEST(BatchDecider, OptOutConfirmationIsExemptFromTheLoopGuard) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined())
                              .RecentSend(kAlice, kOptOut, 5)
                              .Text(kAlice, "STOP")
                              .Decide();
  ASSERT_EQ(fx.outbound.size(), 1u);
  EXPECT_FALSE(fx.outbound[0].cancelled);
}

TEST(BatchDecider, HelpIsAnsweredEvenPastTheLoopGuard) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined())
                              .RecentSend(kAlice, kHelp, 5)
                              .Text(kAlice, "HELP")
                              .Text(kAlice, "HELP")
                              .Decide();
  ASSERT_EQ(fx.outbound.size(), 2u);
  EXPECT_EQ(Sendable(fx).size(), 2u);
}

TEST(BatchDecider, MessageOnARemovedChannelIsKeptAsUnknownChannelAndNotAnswered) {
  const BatchEffects fx = Batch().Member(kAlice, 7).Text(kAlice, "JOIN", /*channel=*/99).Decide();
  EXPECT_THAT(fx.outbound, IsEmpty());
  EXPECT_THAT(fx.member_updates, IsEmpty());
  ASSERT_EQ(fx.processed.size(), 1u);
  EXPECT_EQ(fx.processed[0].outcome, routing::Outcome::kUnknownChannel);
  EXPECT_EQ(fx.processed[0].member_id, 7);
}

TEST(BatchDecider, EveryMessageIsMarkedProcessedInOrder) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined())
                              .Member(kBob, 8, Joined())
                              .Text(kAlice, "HELP")
                              .Text(kBob, "hi")
                              .Text(kAlice, "hello")
                              .Decide();
  ASSERT_EQ(fx.processed.size(), 3u);
  EXPECT_EQ(fx.processed[0].id, 1000);
  EXPECT_EQ(fx.processed[1].id, 1001);
  EXPECT_EQ(fx.processed[2].id, 1002);
  EXPECT_EQ(fx.processed[0].member_id, 7);
  EXPECT_EQ(fx.processed[1].member_id, 8);
  EXPECT_EQ(fx.processed[0].kind, EventKind::kInbound);
  EXPECT_THAT(Outcomes(fx), ElementsAre("help", "default_reply", "default_reply"));
}

TEST(BatchDecider, NoMemberUpdateWhenNothingAboutTheMemberChanged) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined("en"))
                              .Text(kAlice, "RALLY")
                              .Text(kAlice, "JOIN")
                              .Text(kAlice, "hello")
                              .Decide();
  EXPECT_THAT(fx.member_updates, IsEmpty());
}

TEST(BatchDecider, NewMemberWhoJoinsGetsAJoinAndLanguageUpdate) {
  const BatchEffects fx = Batch().Member(kAlice, 7).Text(kAlice, "JOIN").Decide();
  ASSERT_EQ(fx.member_updates.size(), 1u);
  EXPECT_EQ(fx.member_updates[0].organization_id, kOrg);
  EXPECT_EQ(fx.member_updates[0].member_id, 7);
  EXPECT_TRUE(fx.member_updates[0].join);
  EXPECT_EQ(fx.member_updates[0].language, "en");
}

TEST(BatchDecider, LanguageChangeIsReportedWithoutAJoin) {
  const BatchEffects fx = Batch().Member(kAlice, 7, Joined("")).Text(kAlice, "ALTO").Decide();
  ASSERT_EQ(fx.member_updates.size(), 1u);
  EXPECT_FALSE(fx.member_updates[0].join);
  EXPECT_EQ(fx.member_updates[0].language, "es");
  ASSERT_EQ(fx.outbound.size(), 1u);
  EXPECT_EQ(fx.outbound[0].body, kOptOutEs);
}

TEST(BatchDecider, JoinFromAnAlreadyJoinedMemberIsNotAJoinUpdate) {
  const BatchEffects fx = Batch().Member(kAlice, 7, Joined("")).Text(kAlice, "JOIN").Decide();
  ASSERT_EQ(fx.member_updates.size(), 1u);
  EXPECT_FALSE(fx.member_updates[0].join);
  EXPECT_EQ(fx.member_updates[0].language, "en");
}

TEST(BatchDecider, StopThenStartReportsTheFinalOptOutState) {
  const BatchEffects fx =
      Batch().Member(kAlice, 7, Joined()).Text(kAlice, "STOP").Text(kAlice, "START").Decide();
  ASSERT_EQ(fx.opt_outs.size(), 1u);
  EXPECT_FALSE(fx.opt_outs[0].all);
  EXPECT_THAT(fx.opt_outs[0].channels, IsEmpty());
  ASSERT_EQ(fx.consents.size(), 2u);
  // The opt-in confirmation goes out; the STOP confirmation was queued before it and stays.
  EXPECT_EQ(Sendable(fx).size(), 2u);
}

TEST(BatchDecider, FinalOptOutStateKeepsOtherChannels) {
  routing::MemberState state = Joined();
  state.opted_out_channels.insert(kLa);
  const BatchEffects fx = Batch().Member(kAlice, 7, state).Text(kAlice, "STOP", kNyc).Decide();
  ASSERT_EQ(fx.opt_outs.size(), 1u);
  EXPECT_THAT(fx.opt_outs[0].channels, UnorderedElementsAre(kNyc, kLa));
}

TEST(BatchDecider, OptOutStateOnlyForMembersWhoseConsentChanged) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined())
                              .Member(kBob, 8, Joined())
                              .Text(kAlice, "STOP")
                              .Text(kBob, "RALLY")
                              .Decide();
  ASSERT_EQ(fx.opt_outs.size(), 1u);
  EXPECT_EQ(fx.opt_outs[0].member_id, 7);
}

TEST(BatchDecider, DraftsCarryTheRecipientSegmentsEncodingAndHash) {
  const BatchEffects fx = Batch()
                              .Member(kAlice, 7, Joined())
                              .Text(kAlice, "RALLY", kLa)
                              .Text(kAlice, "fist", kLa)
                              .Decide();
  ASSERT_EQ(fx.outbound.size(), 2u);
  const OutboundDraft& rally = fx.outbound[0];
  EXPECT_EQ(rally.organization_id, kOrg);
  EXPECT_EQ(rally.channel_id, kLa);
  EXPECT_EQ(rally.member_id, 7);
  EXPECT_EQ(rally.recipient, kAlice);
  EXPECT_EQ(rally.inbound_id, 1000);
  EXPECT_EQ(rally.segments, 1);
  EXPECT_FALSE(rally.ucs2);
  EXPECT_EQ(rally.body_hash, BodyHash(kRally));
  EXPECT_EQ(rally.kind, routing::ReplyKind::kReply);
  EXPECT_TRUE(fx.outbound[1].ucs2);
  EXPECT_EQ(fx.outbound[1].inbound_id, 1001);
}

TEST(BatchDecider, BodyHashIsThirtyTwoBitFnv1a) {
  EXPECT_EQ(BodyHash(""), 2166136261u);
  EXPECT_EQ(BodyHash("a"), 0xe40c292cu);
  EXPECT_EQ(BodyHash("foobar"), 0xbf9cf968u);
}

}  // namespace
}  // namespace chorus::ingest
