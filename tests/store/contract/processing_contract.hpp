#pragma once

// The contract of ingest::ProcessingStore, as typed tests over a "world":
// FakeProcessingDatabase in the unit binary (fake_processing_contract_test.cpp), PostgreSQL in
// the pg binary (pg_processing_contract_pgtest.cpp).
//
// A world provides, after SetUp: two channels (0, 1) of one organization whose loop-guard
// window is 3600 s, and
//   ingest::ProcessingStore& store();
//   InboundId AddInbound(int channel, const std::string& sender, const std::string& body,
//                        bool e164);                  unprocessed, newer than anything before
//   InboundState Inbound(InboundId);
//   std::vector<OutboundState> Outbound();           in the order they were written
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

struct InboundState {
  bool processed = false;
  std::string outcome;
  std::optional<MemberId> member;
};

struct OutboundState {
  ChannelId channel = 0;
  MemberId member = 0;
  std::string body;
  std::string status;      // "queued", "cancelled"
  std::string error_code;  // why cancelled
};

inline constexpr const char* kAlicePhone = "+15550100001";
inline constexpr const char* kBobPhone = "+15550100002";

template <typename World>
class ProcessingContract : public ::testing::Test {
 protected:
  using Decide = ingest::ProcessingStore::Decide;

  void SetUp() override { ASSERT_NO_FATAL_FAILURE(world_.SetUp()); }

  ingest::MemberKey Key(const std::string& sender) const {
    return {world_.organization(), sender};
  }

  // Runs one batch; `decide` sees the context and returns effects; every message of the context
  // is marked processed with outcome "test" unless the effects already mark it.
  std::vector<ChannelId> Process(const std::vector<std::string>& senders, const Decide& decide) {
    std::vector<ingest::MemberKey> keys;
    for (const auto& s : senders) keys.push_back(Key(s));
    auto done = world_.store().ProcessBatch(keys, [&](const ingest::BatchContext& ctx) {
      contexts_.push_back(ctx);
      ingest::BatchEffects fx = decide(ctx);
      if (fx.processed.empty()) {
        for (const auto& m : ctx.messages) {
          fx.processed.push_back({m.organization_id, m.id, MemberOf(ctx, m), "test"});
        }
      }
      return fx;
    });
    EXPECT_TRUE(done.ok()) << done.error().message;
    return done.ok() ? *done : std::vector<ChannelId>{};
  }
  std::vector<ChannelId> Process(const std::vector<std::string>& senders) {
    return Process(senders, [](const ingest::BatchContext&) { return ingest::BatchEffects{}; });
  }

  static std::optional<MemberId> MemberOf(const ingest::BatchContext& ctx,
                                          const ingest::PendingInbound& m) {
    auto it = ctx.members.find(ingest::MemberKeyString(m.organization_id, m.sender));
    if (it == ctx.members.end()) return std::nullopt;
    return it->second.id;
  }

  const ingest::MemberRecord& Record(const ingest::BatchContext& ctx,
                                     const std::string& sender) const {
    return ctx.members.at(ingest::MemberKeyString(world_.organization(), sender));
  }

  ingest::OutboundDraft Draft(const ingest::BatchContext& ctx, const std::string& sender,
                              int channel, const std::string& body) const {
    ingest::OutboundDraft d;
    d.organization_id = world_.organization();
    d.channel_id = world_.channel(channel);
    d.member_id = Record(ctx, sender).id;
    d.recipient = sender;
    d.body = body;
    d.body_hash = static_cast<std::uint32_t>(std::hash<std::string>{}(body));
    d.inbound_id = ctx.messages.front().id;
    return d;
  }

  ingest::OptOutState OptOutOf(const ingest::BatchContext& ctx, const std::string& sender,
                               std::vector<int> channels, bool all = false) const {
    ingest::OptOutState o;
    o.organization_id = world_.organization();
    o.member_id = Record(ctx, sender).id;
    o.all = all;
    for (int c : channels) o.channels.push_back(world_.channel(c));
    return o;
  }

  std::vector<ingest::BatchContext> contexts_;  // what each decide saw
  World world_;
};

TYPED_TEST_SUITE_P(ProcessingContract);

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TYPED_TEST_P(ProcessingContract, ABatchSeesEveryUnprocessedMessageOfItsMembersInArrivalOrder) {
  auto& w = this->world_;
  const InboundId a1 = w.AddInbound(0, kAlicePhone, "JOIN", true);
  const InboundId b1 = w.AddInbound(0, kBobPhone, "HELP", true);
  const InboundId a2 = w.AddInbound(1, kAlicePhone, "STOP", true);
  this->Process({kAlicePhone});
  ASSERT_EQ(this->contexts_.size(), 1u);
  std::vector<InboundId> seen;
  for (const auto& m : this->contexts_[0].messages) seen.push_back(m.id);
  EXPECT_THAT(seen, ElementsAre(a1, a2)) << "Bob's message is not Alice's batch";
  EXPECT_EQ(this->contexts_[0].messages[1].body, "STOP");
  EXPECT_EQ(this->contexts_[0].messages[1].channel_id, w.channel(1));
  EXPECT_TRUE(w.Inbound(a1).processed);
  EXPECT_EQ(w.Inbound(a1).outcome, "test");
  EXPECT_FALSE(w.Inbound(b1).processed);
}

TYPED_TEST_P(ProcessingContract, AProcessedMessageIsNeverSeenAgain) {
  auto& w = this->world_;
  w.AddInbound(0, kAlicePhone, "JOIN", true);
  this->Process({kAlicePhone});
  this->Process({kAlicePhone});
  EXPECT_EQ(this->contexts_.size(), 1u) << "nothing left: decide is not called";
  const InboundId later = w.AddInbound(0, kAlicePhone, "HELP", true);
  this->Process({kAlicePhone, kAlicePhone});
  ASSERT_EQ(this->contexts_.size(), 2u);
  ASSERT_EQ(this->contexts_[1].messages.size(), 1u);
  EXPECT_EQ(this->contexts_[1].messages[0].id, later);
}

TYPED_TEST_P(ProcessingContract, MembersExistForE164SendersOnlyAndKeepTheirId) {
  auto& w = this->world_;
  w.AddInbound(0, kAlicePhone, "JOIN", true);
  const InboundId bot = w.AddInbound(0, "ACME-BOT", "hello", false);
  this->Process({kAlicePhone, "ACME-BOT"});
  ASSERT_EQ(this->contexts_.size(), 1u);
  const auto& first = this->contexts_[0];
  EXPECT_EQ(first.members.size(), 1u);
  const MemberId alice = this->Record(first, kAlicePhone).id;
  EXPECT_NE(alice, 0);
  EXPECT_FALSE(this->Record(first, kAlicePhone).state.joined);
  EXPECT_EQ(w.Inbound(bot).member, std::nullopt);
  w.AddInbound(1, kAlicePhone, "HELP", true);
  this->Process({kAlicePhone});
  EXPECT_EQ(this->Record(this->contexts_.at(1), kAlicePhone).id, alice);
}

TYPED_TEST_P(ProcessingContract, DraftsAreQueuedAndTheirChannelsReturnedUnlessCancelled) {
  auto& w = this->world_;
  w.AddInbound(0, kAlicePhone, "JOIN", true);
  const auto channels = this->Process({kAlicePhone}, [&](const ingest::BatchContext& ctx) {
    ingest::BatchEffects fx;
    fx.outbound.push_back(this->Draft(ctx, kAlicePhone, 0, "Welcome"));
    auto guarded = this->Draft(ctx, kAlicePhone, 1, "Welcome again");
    guarded.cancelled = true;
    guarded.cancel_reason = "loop_guard";
    fx.outbound.push_back(guarded);
    return fx;
  });
  EXPECT_THAT(channels, ElementsAre(w.channel(0)));
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
  w.AddInbound(0, kAlicePhone, "UNIRME", true);
  this->Process({kAlicePhone}, [&](const ingest::BatchContext& ctx) {
    ingest::BatchEffects fx;
    const MemberId id = this->Record(ctx, kAlicePhone).id;
    fx.member_updates.push_back({w.organization(), id, std::string("es"), true});
    fx.opt_outs.push_back(this->OptOutOf(ctx, kAlicePhone, {1}));
    return fx;
  });
  w.AddInbound(0, kAlicePhone, "hola", true);
  this->Process({kAlicePhone});
  const routing::MemberState& state = this->Record(this->contexts_.at(1), kAlicePhone).state;
  EXPECT_EQ(state.language, "es");
  EXPECT_TRUE(state.joined);
  EXPECT_FALSE(state.opted_out_all);
  EXPECT_EQ(state.opted_out_channels, std::set<ChannelId>{w.channel(1)});

  w.AddInbound(0, kAlicePhone, "STOPALL", true);
  this->Process({kAlicePhone}, [&](const ingest::BatchContext& ctx) {
    ingest::BatchEffects fx;
    fx.opt_outs.push_back(this->OptOutOf(ctx, kAlicePhone, {}, /*all=*/true));
    return fx;
  });
  w.AddInbound(0, kAlicePhone, "?", true);
  this->Process({kAlicePhone});
  const routing::MemberState& after = this->Record(this->contexts_.at(3), kAlicePhone).state;
  EXPECT_TRUE(after.opted_out_all);
  EXPECT_THAT(after.opted_out_channels, IsEmpty()) << "the batch's final state replaces the old";
  EXPECT_EQ(after.language, "es") << "no update keeps the language";
}

TYPED_TEST_P(ProcessingContract, ANewOptOutCancelsWhatIsQueuedForTheMemberThere) {
  auto& w = this->world_;
  w.AddInbound(0, kAlicePhone, "JOIN", true);
  w.AddInbound(0, kBobPhone, "JOIN", true);
  this->Process({kAlicePhone, kBobPhone}, [&](const ingest::BatchContext& ctx) {
    ingest::BatchEffects fx;
    fx.outbound.push_back(this->Draft(ctx, kAlicePhone, 0, "Alice on 0"));
    fx.outbound.push_back(this->Draft(ctx, kAlicePhone, 1, "Alice on 1"));
    fx.outbound.push_back(this->Draft(ctx, kBobPhone, 0, "Bob on 0"));
    return fx;
  });
  w.AddInbound(0, kAlicePhone, "STOP", true);
  this->Process({kAlicePhone}, [&](const ingest::BatchContext& ctx) {
    ingest::BatchEffects fx;
    fx.opt_outs.push_back(this->OptOutOf(ctx, kAlicePhone, {0}));
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
  w.AddInbound(0, kAlicePhone, "JOIN", true);
  this->Process({kAlicePhone}, [&](const ingest::BatchContext& ctx) {
    ingest::BatchEffects fx;
    fx.outbound.push_back(this->Draft(ctx, kAlicePhone, 0, "Same text"));
    fx.outbound.push_back(this->Draft(ctx, kAlicePhone, 1, "Same text"));
    auto cancelled = this->Draft(ctx, kAlicePhone, 0, "Same text");
    cancelled.cancelled = true;
    cancelled.cancel_reason = "loop_guard";
    fx.outbound.push_back(cancelled);
    return fx;
  });
  const auto hash = static_cast<std::uint32_t>(std::hash<std::string>{}("Same text"));
  w.AddInbound(0, kAlicePhone, "again", true);
  this->Process({kAlicePhone});
  const auto& recent = this->Record(this->contexts_.at(1), kAlicePhone).recent_sends;
  ASSERT_EQ(recent.count(hash), 1u);
  EXPECT_EQ(recent.at(hash), 2) << "cancelled messages were never sent";

  w.Age(std::chrono::seconds(3600 + 60));
  w.AddInbound(0, kAlicePhone, "much later", true);
  this->Process({kAlicePhone});
  EXPECT_EQ(this->Record(this->contexts_.at(2), kAlicePhone).recent_sends.count(hash), 0u)
      << "older than the organization's window";
}

TYPED_TEST_P(ProcessingContract, QuarantineMarksEveryUnprocessedMessageOfTheMemberAsError) {
  auto& w = this->world_;
  const InboundId a1 = w.AddInbound(0, kAlicePhone, "x", true);
  const InboundId a2 = w.AddInbound(1, kAlicePhone, "y", true);
  const InboundId b1 = w.AddInbound(0, kBobPhone, "z", true);
  ASSERT_TRUE(w.store().Quarantine(this->Key(kAlicePhone)).ok());
  EXPECT_TRUE(w.Inbound(a1).processed);
  EXPECT_EQ(w.Inbound(a1).outcome, "error");
  EXPECT_EQ(w.Inbound(a2).outcome, "error");
  EXPECT_FALSE(w.Inbound(b1).processed);
  this->Process({kAlicePhone});
  EXPECT_THAT(this->contexts_, IsEmpty());
}

TYPED_TEST_P(ProcessingContract, FindUnprocessedNamesMembersWhoseMessagesWaitedTooLong) {
  auto& w = this->world_;
  w.AddInbound(0, kAlicePhone, "x", true);
  w.AddInbound(0, kAlicePhone, "y", true);
  w.AddInbound(0, kBobPhone, "z", true);
  const InboundId done = w.AddInbound(0, "+15550100003", "w", true);
  this->Process({"+15550100003"});
  (void)done;
  auto none = w.store().FindUnprocessed(std::chrono::seconds(30), 10);
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty()) << "nothing waited 30 s yet";
  w.Age(std::chrono::seconds(60));
  w.AddInbound(0, "+15550100004", "fresh", true);
  auto found = w.store().FindUnprocessed(std::chrono::seconds(30), 10);
  ASSERT_TRUE(found.ok());
  std::vector<std::string> senders;
  for (const auto& key : *found) {
    EXPECT_EQ(key.organization_id, w.organization());
    senders.push_back(key.sender);
  }
  EXPECT_THAT(senders, ::testing::UnorderedElementsAre(kAlicePhone, kBobPhone));
  auto limited = w.store().FindUnprocessed(std::chrono::seconds(30), 1);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->size(), 1u);
}

REGISTER_TYPED_TEST_SUITE_P(ProcessingContract,
                            ABatchSeesEveryUnprocessedMessageOfItsMembersInArrivalOrder,
                            AProcessedMessageIsNeverSeenAgain,
                            MembersExistForE164SendersOnlyAndKeepTheirId,
                            DraftsAreQueuedAndTheirChannelsReturnedUnlessCancelled,
                            WhatABatchChangesAboutAMemberTheNextOneSees,
                            ANewOptOutCancelsWhatIsQueuedForTheMemberThere,
                            RecentSendsCountTextsInsideTheLoopGuardWindowOnly,
                            QuarantineMarksEveryUnprocessedMessageOfTheMemberAsError,
                            FindUnprocessedNamesMembersWhoseMessagesWaitedTooLong);

}  // namespace chorus::testing
