#pragma once

// The contract of dispatch::OutboxStore, as typed tests over a "world" that arranges and
// inspects one implementation: FakeOutboxDatabase in the unit binary
// (fake_outbox_contract_test.cpp), PostgreSQL in the pg binary (pg_outbox_contract_pgtest.cpp).
// The fake may not drift from what PostgreSQL does: both pass the same tests.
//
// A world provides, after SetUp: two channels (0, 1), five members (0..4) of one organization,
// and
//   dispatch::OutboxStore& store();                 one node's handle
//   OutboundId Enqueue(const OutboxMessage&);       queued, due now, newer than anything before
//   void OptOut(int member, std::optional<int> channel);   newer than anything before
//   DeliveryStatus Status(OutboundId); std::string ErrorCode(OutboundId);
//   std::string CarrierId(OutboundId); bool OutcomeUnknown(OutboundId);
//   void ExpireLeases();      every lease taken so far has run out
//   void MakeRetriesDue();    every scheduled retry is due now
//   int OptOutRows(int member); int CarrierOptOutEvents(int member);
//   ChannelId channel(int); MemberId member(int); OrganizationId organization();
//   std::string recipient(int member);

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "dispatch/outbox_store.hpp"

namespace chorus::testing {

struct OutboxMessage {
  int channel = 0;
  int member = 0;
  std::string body = "hello";
  bool compliance = false;
  int priority = 0;
  bool outcome_unknown = false;
};

template <typename World>
class OutboxContract : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(world_.SetUp()); }

  std::vector<dispatch::ClaimedMessage> Claim(int channel, int limit = 100,
                                              std::chrono::seconds lease = std::chrono::hours(1),
                                              const std::string& owner = "node-a") {
    auto claimed = world_.store().Claim(world_.channel(channel), limit, owner, lease);
    EXPECT_TRUE(claimed.ok()) << claimed.error().message;
    return claimed.ok() ? claimed->messages : std::vector<dispatch::ClaimedMessage>{};
  }

  std::vector<OutboundId> ClaimIds(int channel, int limit = 100,
                                   const std::string& owner = "node-a") {
    std::vector<OutboundId> ids;
    for (const auto& m : Claim(channel, limit, std::chrono::hours(1), owner)) ids.push_back(m.id);
    return ids;
  }

  dispatch::ClaimedMessage ClaimOne(OutboundId id, int channel = 0) {
    for (const auto& m : Claim(channel)) {
      if (m.id == id) return m;
    }
    ADD_FAILURE() << "message " << id << " was not claimed";
    return {};
  }

  static dispatch::SendRecord RecordFor(const dispatch::ClaimedMessage& m,
                                        dispatch::SendAction action) {
    dispatch::SendRecord r;
    r.id = m.id;
    r.organization_id = m.organization_id;
    r.channel_id = m.channel_id;
    r.member_id = m.member_id;
    r.attempt = m.attempt;
    r.action = action;
    if (action == dispatch::SendAction::kAccepted) {
      r.carrier_message_id = "carrier-" + std::to_string(m.id) + "-" + std::to_string(m.attempt);
    }
    if (action == dispatch::SendAction::kRetry) r.retry_in = std::chrono::seconds(600);
    return r;
  }

  void Record(const std::vector<dispatch::SendRecord>& records) {
    auto recorded = world_.store().RecordResults(records);
    EXPECT_TRUE(recorded.ok()) << recorded.error().message;
  }
  void Accept(const dispatch::ClaimedMessage& m) {
    Record({RecordFor(m, dispatch::SendAction::kAccepted)});
  }

  World world_;
};

TYPED_TEST_SUITE_P(OutboxContract);

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using dispatch::SendAction;

TYPED_TEST_P(OutboxContract, ClaimLeasesTheDueHeadsBestPriorityFirstThenOldest) {
  auto& w = this->world_;
  const OutboundId bulk0 = w.Enqueue({.member = 0, .priority = 10});
  const OutboundId reply1 = w.Enqueue({.member = 1});
  const OutboundId bulk2 = w.Enqueue({.member = 2, .priority = 10});
  const OutboundId reply3 = w.Enqueue({.member = 3});
  const OutboundId elsewhere = w.Enqueue({.channel = 1, .member = 4});
  const auto claimed = this->Claim(0);
  std::vector<OutboundId> ids;
  for (const auto& m : claimed) ids.push_back(m.id);
  EXPECT_EQ(ids, (std::vector<OutboundId>{reply1, reply3, bulk0, bulk2}));
  for (const auto& m : claimed) {
    EXPECT_EQ(w.Status(m.id), DeliveryStatus::kSending);
    EXPECT_EQ(m.attempt, 1);
    EXPECT_FALSE(m.outcome_unknown);
  }
  EXPECT_EQ(w.Status(elsewhere), DeliveryStatus::kQueued);
}

TYPED_TEST_P(OutboxContract, ClaimCarriesWhatTheSenderNeeds) {
  auto& w = this->world_;
  const OutboundId id = w.Enqueue({.member = 1, .body = "Meeting at 7 ✊"});
  const auto claimed = this->Claim(0);
  ASSERT_EQ(claimed.size(), 1u);
  const dispatch::ClaimedMessage& m = claimed[0];
  EXPECT_EQ(m.id, id);
  EXPECT_EQ(m.organization_id, w.organization());
  EXPECT_EQ(m.channel_id, w.channel(0));
  EXPECT_EQ(m.member_id, w.member(1));
  EXPECT_EQ(m.recipient, w.recipient(1));
  EXPECT_EQ(m.body, "Meeting at 7 ✊");
  EXPECT_EQ(m.segments, 1);
}

TYPED_TEST_P(OutboxContract, ClaimTakesAtMostTheLimit) {
  auto& w = this->world_;
  const OutboundId a = w.Enqueue({.member = 0});
  const OutboundId b = w.Enqueue({.member = 1});
  const OutboundId c = w.Enqueue({.member = 2});
  EXPECT_THAT(this->ClaimIds(0, 2), ElementsAre(a, b));
  EXPECT_EQ(w.Status(c), DeliveryStatus::kQueued);
  EXPECT_THAT(this->ClaimIds(0, 2), ElementsAre(c));
  EXPECT_THAT(this->ClaimIds(0, 2), IsEmpty());
}

TYPED_TEST_P(OutboxContract, AMembersNextMessageWaitsUntilTheOneInFlightIsDone) {
  auto& w = this->world_;
  const OutboundId first = w.Enqueue({.member = 0, .body = "one"});
  const OutboundId second = w.Enqueue({.member = 0, .body = "two"});
  const OutboundId other_member = w.Enqueue({.member = 1});
  const auto claimed = this->Claim(0);
  ASSERT_EQ(claimed.size(), 2u);  // the heads of two members' queues
  EXPECT_EQ(claimed[0].id, first);
  EXPECT_EQ(claimed[1].id, other_member);
  EXPECT_THAT(this->ClaimIds(0), IsEmpty()) << "two messages to one member in flight";
  this->Accept(claimed[0]);
  EXPECT_THAT(this->ClaimIds(0), ElementsAre(second));
}

TYPED_TEST_P(OutboxContract, AFailedSendHoldsTheOnesBehindItUntilItIsRetried) {
  auto& w = this->world_;
  const OutboundId first = w.Enqueue({.member = 0, .body = "one"});
  const OutboundId second = w.Enqueue({.member = 0, .body = "two"});
  const dispatch::ClaimedMessage m = this->ClaimOne(first);
  this->Record({this->RecordFor(m, SendAction::kRetry)});
  EXPECT_THAT(this->ClaimIds(0), IsEmpty()) << "the second overtook the first's retry";
  w.MakeRetriesDue();
  const auto retried = this->Claim(0);
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].id, first);
  EXPECT_EQ(retried[0].attempt, 2);
  this->Record({this->RecordFor(retried[0], SendAction::kFailed)});  // given up
  EXPECT_THAT(this->ClaimIds(0), ElementsAre(second));
}

TYPED_TEST_P(OutboxContract, NothingIsClaimedWhileTheMemberHasAMessageInFlightOnAnotherChannel) {
  auto& w = this->world_;
  const OutboundId here = w.Enqueue({.channel = 0, .member = 0});
  const OutboundId there = w.Enqueue({.channel = 1, .member = 0});
  const dispatch::ClaimedMessage m = this->ClaimOne(here);
  EXPECT_THAT(this->ClaimIds(1), IsEmpty());
  this->Accept(m);
  EXPECT_THAT(this->ClaimIds(1), ElementsAre(there));
}

TYPED_TEST_P(OutboxContract, ABetterPriorityOvertakesAQueuedWorseOneButNeverRunsBesideIt) {
  auto& w = this->world_;
  const OutboundId broadcast = w.Enqueue({.member = 0, .priority = 10});
  const OutboundId reply = w.Enqueue({.member = 0, .priority = 0});
  const auto claimed = this->Claim(0);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, reply);
  EXPECT_THAT(this->ClaimIds(0), IsEmpty());
  this->Accept(claimed[0]);
  EXPECT_THAT(this->ClaimIds(0), ElementsAre(broadcast));
}

TYPED_TEST_P(OutboxContract, MessageToAMemberOptedOutOfTheChannelIsCancelledNotSent) {
  auto& w = this->world_;
  const OutboundId to_zero = w.Enqueue({.member = 0});
  const OutboundId to_one = w.Enqueue({.member = 1});
  const OutboundId zero_elsewhere = w.Enqueue({.channel = 1, .member = 0});
  w.OptOut(0, 0);
  EXPECT_THAT(this->ClaimIds(0), ElementsAre(to_one));
  EXPECT_EQ(w.Status(to_zero), DeliveryStatus::kCancelled);
  EXPECT_EQ(w.ErrorCode(to_zero), "opted_out");
  // The opt-out names one sender; the other still reaches the member.
  EXPECT_THAT(this->ClaimIds(1), ElementsAre(zero_elsewhere));
}

TYPED_TEST_P(OutboxContract, OptOutOfTheWholeOrganizationBlocksEveryChannel) {
  auto& w = this->world_;
  const OutboundId here = w.Enqueue({.channel = 0, .member = 0});
  const OutboundId there = w.Enqueue({.channel = 1, .member = 0});
  w.OptOut(0, std::nullopt);
  EXPECT_THAT(this->ClaimIds(0), IsEmpty());
  EXPECT_THAT(this->ClaimIds(1), IsEmpty());
  EXPECT_EQ(w.Status(here), DeliveryStatus::kCancelled);
  EXPECT_EQ(w.Status(there), DeliveryStatus::kCancelled);
}

TYPED_TEST_P(OutboxContract, ComplianceMessagePassesAnOlderOptOutButNotANewerOne) {
  auto& w = this->world_;
  w.OptOut(0, 0);
  const OutboundId confirmation = w.Enqueue({.member = 0, .compliance = true});
  EXPECT_THAT(this->ClaimIds(0), ElementsAre(confirmation));
  const OutboundId help = w.Enqueue({.member = 1, .compliance = true});
  w.OptOut(1, 0);
  EXPECT_THAT(this->ClaimIds(0), IsEmpty());
  EXPECT_EQ(w.Status(help), DeliveryStatus::kCancelled);
}

TYPED_TEST_P(OutboxContract, AMessageThatMayHaveReachedTheCarrierIsLookedUpNeverJustCancelled) {
  auto& w = this->world_;
  const OutboundId doubtful = w.Enqueue({.member = 0, .outcome_unknown = true});
  const OutboundId behind = w.Enqueue({.member = 0, .compliance = true});
  w.OptOut(0, 0);
  const auto claimed = this->Claim(0);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, doubtful);
  EXPECT_TRUE(claimed[0].lookup_only) << "it must not be sent, only looked up";
  EXPECT_EQ(w.Status(doubtful), DeliveryStatus::kSending);
  EXPECT_THAT(this->ClaimIds(0), IsEmpty()) << "what is behind it waits for the answer";
  dispatch::SendRecord unknown = this->RecordFor(claimed[0], SendAction::kUnknown);
  unknown.error_code = "opted_out";
  this->Record({unknown});
  EXPECT_EQ(w.Status(doubtful), DeliveryStatus::kUnknown);
  EXPECT_EQ(w.ErrorCode(doubtful), "opted_out");
  EXPECT_EQ(w.Status(behind), DeliveryStatus::kQueued);
}

TYPED_TEST_P(OutboxContract, ALookupThatFindsNothingSettlesItAsCancelled) {
  auto& w = this->world_;
  const OutboundId doubtful = w.Enqueue({.member = 0, .outcome_unknown = true});
  w.OptOut(0, std::nullopt);
  const auto claimed = this->Claim(0);
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_TRUE(claimed[0].lookup_only);
  this->Record({this->RecordFor(claimed[0], SendAction::kCancelled)});
  EXPECT_EQ(w.Status(doubtful), DeliveryStatus::kCancelled);
  EXPECT_FALSE(w.OutcomeUnknown(doubtful)) << "the carrier said it never had it";
}

TYPED_TEST_P(OutboxContract, AcceptedRecordsTheCarrierIdAndLiftsTheDoubt) {
  auto& w = this->world_;
  const OutboundId id = w.Enqueue({.member = 0, .outcome_unknown = true});
  const dispatch::ClaimedMessage m = this->ClaimOne(id);
  EXPECT_TRUE(m.outcome_unknown);
  dispatch::SendRecord r = this->RecordFor(m, SendAction::kAccepted);
  r.status = DeliveryStatus::kSent;
  this->Record({r});
  EXPECT_EQ(w.Status(id), DeliveryStatus::kSent);
  EXPECT_EQ(w.CarrierId(id), r.carrier_message_id);
  EXPECT_FALSE(w.OutcomeUnknown(id));
}

TYPED_TEST_P(OutboxContract, RetryRequeuesForLaterAndADoubtIsKeptUntilAccepted) {
  auto& w = this->world_;
  const OutboundId id = w.Enqueue({.member = 0});
  const dispatch::ClaimedMessage first = this->ClaimOne(id);
  dispatch::SendRecord timed_out = this->RecordFor(first, SendAction::kRetry);
  timed_out.error_code = "timeout";
  timed_out.outcome_unknown = true;
  this->Record({timed_out});
  EXPECT_EQ(w.Status(id), DeliveryStatus::kQueued);
  EXPECT_EQ(w.ErrorCode(id), "timeout");
  EXPECT_TRUE(w.OutcomeUnknown(id));
  EXPECT_THAT(this->ClaimIds(0), IsEmpty()) << "a retry is due later";
  w.MakeRetriesDue();
  const dispatch::ClaimedMessage second = this->ClaimOne(id);
  EXPECT_TRUE(second.outcome_unknown);
  // A later attempt that certainly failed does not lift the first one's doubt.
  this->Record({this->RecordFor(second, SendAction::kRetry)});
  EXPECT_TRUE(w.OutcomeUnknown(id));
}

TYPED_TEST_P(OutboxContract, FailedIsTerminalWithTheCarriersError) {
  auto& w = this->world_;
  const OutboundId id = w.Enqueue({.member = 0});
  dispatch::SendRecord r = this->RecordFor(this->ClaimOne(id), SendAction::kFailed);
  r.error_code = "21211";
  this->Record({r});
  EXPECT_EQ(w.Status(id), DeliveryStatus::kFailed);
  EXPECT_EQ(w.ErrorCode(id), "21211");
  w.MakeRetriesDue();
  EXPECT_THAT(this->ClaimIds(0), IsEmpty());
}

TYPED_TEST_P(OutboxContract, ARecordFromALostLeaseIsIgnored) {
  auto& w = this->world_;
  const OutboundId id = w.Enqueue({.member = 0});
  const dispatch::ClaimedMessage first = this->ClaimOne(id);
  w.ExpireLeases();
  auto recovered = w.store().RecoverExpiredLeases();
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(*recovered, 1);
  const dispatch::ClaimedMessage second = this->ClaimOne(id);
  ASSERT_EQ(second.attempt, first.attempt + 1);
  this->Record({this->RecordFor(first, SendAction::kAccepted),
                this->RecordFor(first, SendAction::kFailed)});
  EXPECT_EQ(w.Status(id), DeliveryStatus::kSending);
  EXPECT_EQ(w.CarrierId(id), "");
  this->Accept(second);
  EXPECT_EQ(w.Status(id), DeliveryStatus::kAccepted);
  EXPECT_EQ(w.CarrierId(id), this->RecordFor(second, SendAction::kAccepted).carrier_message_id);
}

TYPED_TEST_P(OutboxContract, ADuplicateRecordOfAFinishedAttemptChangesNothing) {
  auto& w = this->world_;
  const dispatch::ClaimedMessage m = this->ClaimOne(w.Enqueue({.member = 0}));
  this->Accept(m);
  this->Record({this->RecordFor(m, SendAction::kRetry)});
  EXPECT_EQ(w.Status(m.id), DeliveryStatus::kAccepted);
}

TYPED_TEST_P(OutboxContract, OptedOutAtTheCarrierFailsRecordsTheOptOutAndStopsTheQueue) {
  auto& w = this->world_;
  const dispatch::ClaimedMessage m = this->ClaimOne(w.Enqueue({.member = 0}));
  const OutboundId queued_here = w.Enqueue({.member = 0});
  const OutboundId doubtful_here = w.Enqueue({.member = 0, .outcome_unknown = true});
  const OutboundId queued_elsewhere = w.Enqueue({.channel = 1, .member = 0});
  const OutboundId someone_else = w.Enqueue({.member = 1});
  dispatch::SendRecord r = this->RecordFor(m, SendAction::kOptedOutAtCarrier);
  r.error_code = "21610";
  this->Record({r});
  EXPECT_EQ(w.Status(m.id), DeliveryStatus::kFailed);
  EXPECT_EQ(w.ErrorCode(m.id), "21610");
  EXPECT_EQ(w.OptOutRows(0), 1);
  EXPECT_EQ(w.CarrierOptOutEvents(0), 1);
  EXPECT_EQ(w.Status(queued_here), DeliveryStatus::kCancelled);
  // Left for its claim to look up, never cancelled on a guess.
  EXPECT_EQ(w.Status(doubtful_here), DeliveryStatus::kQueued);
  EXPECT_EQ(w.Status(queued_elsewhere), DeliveryStatus::kQueued);
  EXPECT_EQ(w.Status(someone_else), DeliveryStatus::kQueued);
}

TYPED_TEST_P(OutboxContract, ACarrierOptOutTwiceKeepsOneOptOut) {
  auto& w = this->world_;
  this->Record({this->RecordFor(this->ClaimOne(w.Enqueue({.member = 0})),
                                SendAction::kOptedOutAtCarrier)});
  // A compliance message may still go past an older opt-out, and be refused again.
  const dispatch::ClaimedMessage second = this->ClaimOne(w.Enqueue({.member = 0, .compliance = true}));
  this->Record({this->RecordFor(second, SendAction::kOptedOutAtCarrier)});
  EXPECT_EQ(w.OptOutRows(0), 1);
  EXPECT_EQ(w.CarrierOptOutEvents(0), 2);
  EXPECT_EQ(w.Status(second.id), DeliveryStatus::kFailed);
}

TYPED_TEST_P(OutboxContract, RecoverRequeuesOnlyExpiredLeasesMarkedAsDoubtful) {
  auto& w = this->world_;
  const OutboundId expired = w.Enqueue({.member = 0});
  this->ClaimOne(expired);
  w.ExpireLeases();
  const OutboundId live = w.Enqueue({.member = 1});
  this->ClaimOne(live);
  auto recovered = w.store().RecoverExpiredLeases();
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(*recovered, 1);
  EXPECT_EQ(w.Status(expired), DeliveryStatus::kQueued);
  EXPECT_EQ(w.ErrorCode(expired), "lease_expired");
  EXPECT_TRUE(w.OutcomeUnknown(expired));
  EXPECT_EQ(w.Status(live), DeliveryStatus::kSending);
  const auto again = this->Claim(0);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, expired);
  EXPECT_TRUE(again[0].outcome_unknown);
}

TYPED_TEST_P(OutboxContract, RecoverOwnLeasesTakesBackThatNodesSendsWhateverTheirLease) {
  auto& w = this->world_;
  const OutboundId mine = w.Enqueue({.member = 0});
  const OutboundId theirs = w.Enqueue({.member = 1});
  EXPECT_THAT(this->ClaimIds(0, 1, "node-a"), ElementsAre(mine));
  EXPECT_THAT(this->ClaimIds(0, 1, "node-b"), ElementsAre(theirs));
  auto recovered = w.store().RecoverOwnLeases("node-a");
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(*recovered, 1);
  EXPECT_EQ(w.Status(mine), DeliveryStatus::kQueued);
  EXPECT_TRUE(w.OutcomeUnknown(mine));
  EXPECT_EQ(w.ErrorCode(mine), "lease_recovered");
  EXPECT_EQ(w.Status(theirs), DeliveryStatus::kSending);
}

TYPED_TEST_P(OutboxContract, DueChannelsCountsQueuedMessagesDueNow) {
  auto& w = this->world_;
  const dispatch::ClaimedMessage later = this->ClaimOne(w.Enqueue({.channel = 1, .member = 3}), 1);
  this->Record({this->RecordFor(later, SendAction::kRetry)});
  for (int i = 0; i < 3; ++i) w.Enqueue({.channel = 0, .member = i});
  for (int i = 0; i < 2; ++i) w.Enqueue({.channel = 1, .member = i});
  auto due = w.store().DueChannels();
  ASSERT_TRUE(due.ok());
  std::vector<std::pair<ChannelId, std::int64_t>> counts = *due;
  std::sort(counts.begin(), counts.end());
  std::vector<std::pair<ChannelId, std::int64_t>> expected = {{w.channel(0), 3},
                                                              {w.channel(1), 2}};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(counts, expected);
}

REGISTER_TYPED_TEST_SUITE_P(OutboxContract, ClaimLeasesTheDueHeadsBestPriorityFirstThenOldest,
                            ClaimCarriesWhatTheSenderNeeds, ClaimTakesAtMostTheLimit,
                            AMembersNextMessageWaitsUntilTheOneInFlightIsDone,
                            AFailedSendHoldsTheOnesBehindItUntilItIsRetried,
                            NothingIsClaimedWhileTheMemberHasAMessageInFlightOnAnotherChannel,
                            ABetterPriorityOvertakesAQueuedWorseOneButNeverRunsBesideIt,
                            MessageToAMemberOptedOutOfTheChannelIsCancelledNotSent,
                            OptOutOfTheWholeOrganizationBlocksEveryChannel,
                            ComplianceMessagePassesAnOlderOptOutButNotANewerOne,
                            AMessageThatMayHaveReachedTheCarrierIsLookedUpNeverJustCancelled,
                            ALookupThatFindsNothingSettlesItAsCancelled,
                            AcceptedRecordsTheCarrierIdAndLiftsTheDoubt,
                            RetryRequeuesForLaterAndADoubtIsKeptUntilAccepted,
                            FailedIsTerminalWithTheCarriersError, ARecordFromALostLeaseIsIgnored,
                            ADuplicateRecordOfAFinishedAttemptChangesNothing,
                            OptedOutAtTheCarrierFailsRecordsTheOptOutAndStopsTheQueue,
                            ACarrierOptOutTwiceKeepsOneOptOut,
                            RecoverRequeuesOnlyExpiredLeasesMarkedAsDoubtful,
                            RecoverOwnLeasesTakesBackThatNodesSendsWhateverTheirLease,
                            DueChannelsCountsQueuedMessagesDueNow);

}  // namespace chorus::testing
