#include "ingest/processor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "fakes/fake_processing_store.hpp"

namespace chorus::ingest {

inline void PrintTo(const MemberKey& key, std::ostream* os) {
  *os << key.organization_id << ":" << key.member_id;
}

namespace {

using fakes::FakeProcessingDatabase;
using fakes::FakeProcessingStore;
using fakes::FakeProcessingWorkers;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

constexpr OrganizationId kOrg = 1;
constexpr ChannelId kNyc = 10;
constexpr char kWelcome[] = "Welcome to Chorus! Reply STOP to opt out, HELP for help.";

workspace::SnapshotPtr TheSnapshot() {
  static const workspace::SnapshotPtr snapshot = [] {
    workspace::Organization org;
    org.id = kOrg;
    org.slug = "chorus";
    org.name = "Chorus";
    org.texts["en"].default_reply = "Chorus: thanks!";
    org.texts["en"].opt_out_confirmation = "Chorus: you are unsubscribed.";
    Channel channel;
    channel.organization_id = kOrg;
    channel.id = kNyc;
    channel.slug = "nyc";
    workspace::Keyword join;
    join.organization_id = kOrg;
    join.word = "join";
    join.display_word = "JOIN";
    join.reply = kWelcome;
    join.opt_in = true;
    join.language = "en";
    return std::make_shared<const workspace::Snapshot>(std::vector<workspace::Organization>{org},
                                                       std::vector<Channel>{channel},
                                                       std::vector<workspace::Keyword>{join});
  }();
  return snapshot;
}

MemberKey Key(int n) { return MemberKey{kOrg, 100 + n}; }

ProcessorOptions FastOptions() {
  ProcessorOptions options;
  options.retry_delay = 1ms;
  options.sweep_interval = 1h;
  options.sweep_age = 1h;
  return options;
}

/// Records on_outbound calls.
class OutboundChannels {
 public:
  std::function<void(const std::vector<ChannelId>&)> Callback() {
    return [this](const std::vector<ChannelId>& channels) {
      std::lock_guard lock(mutex_);
      calls_.push_back(channels);
    };
  }
  std::vector<std::vector<ChannelId>> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::vector<ChannelId>> calls_;
};

TEST(Processor, OneMembersMessagesAreNeverProcessedConcurrentlyAndAlwaysInOrder) {
  FakeProcessingDatabase db;
  Processor processor(FakeProcessingWorkers(db, 4), nullptr, TheSnapshot, FastOptions());
  processor.Start();

  constexpr int kMembers = 12, kThreads = 4, kRounds = 15;
  std::vector<std::thread> arrivals;  // webhooks landing on several I/O threads
  for (int t = 0; t < kThreads; ++t) {
    arrivals.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        for (int m = t; m < kMembers + t; ++m) {
          const MemberKey key = Key(m % kMembers);
          db.AddInbound(kOrg, kNyc, key.member_id, "hello " + std::to_string(round));
          processor.Hint({key});
        }
      }
    });
  }
  for (auto& a : arrivals) a.join();
  ASSERT_TRUE(db.WaitUntil([&] { return db.AllProcessed(); }, 10s));
  processor.Stop();

  EXPECT_EQ(db.overlaps(), 0);
  EXPECT_EQ(db.double_processed(), 0);
  for (int m = 0; m < kMembers; ++m) {
    const std::vector<InboundId> order = db.processing_order(Key(m));
    EXPECT_EQ(order.size(), static_cast<std::size_t>(kThreads * kRounds)) << m;
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << m;
    EXPECT_EQ(std::adjacent_find(order.begin(), order.end()), order.end()) << m;
  }
}

TEST(Processor, HintedMessageIsRoutedAndItsChannelHandedToDispatch) {
  FakeProcessingDatabase db;
  OutboundChannels outbound;
  ProcessorOptions options = FastOptions();
  options.on_outbound = outbound.Callback();
  Processor processor(FakeProcessingWorkers(db, 2), nullptr, TheSnapshot, options);
  processor.Start();

  const InboundId id = db.AddInbound(kOrg, kNyc, Key(1).member_id, "JOIN");
  processor.Hint({Key(1)});
  ASSERT_TRUE(db.WaitUntil([&] { return db.AllProcessed(); }));
  processor.Stop();

  EXPECT_EQ(db.inbound(id).outcome, "keyword");
  ASSERT_EQ(db.outbound().size(), 1u);
  EXPECT_EQ(db.outbound()[0].draft.body, kWelcome);
  EXPECT_EQ(db.outbound()[0].status, "queued");
  EXPECT_THAT(outbound.calls(), ElementsAre(ElementsAre(kNyc)));
  ASSERT_TRUE(db.member(Key(1)).has_value());
  EXPECT_TRUE(db.member(Key(1))->state.joined);
}

TEST(Processor, BatchThatHitsAnOutageIsRetriedUntilItCommits) {
  FakeProcessingDatabase db;
  db.FailNext(3, ErrorCode::kUnavailable);
  std::mutex mutex;
  std::vector<std::pair<std::size_t, bool>> batches;
  ProcessorOptions options = FastOptions();
  options.on_batch = [&](std::size_t keys, bool committed) {
    std::lock_guard lock(mutex);
    batches.emplace_back(keys, committed);
  };
  Processor processor(FakeProcessingWorkers(db, 1), nullptr, TheSnapshot, options);
  processor.Start();

  const InboundId id = db.AddInbound(kOrg, kNyc, Key(1).member_id, "JOIN");
  processor.Hint({Key(1)});
  ASSERT_TRUE(db.WaitUntil([&] { return db.AllProcessed(); }));
  processor.Stop();

  EXPECT_EQ(db.inbound(id).outcome, "keyword");
  EXPECT_EQ(db.batches().size(), 4u);
  EXPECT_THAT(db.quarantined(), IsEmpty());
  using Batch = std::pair<std::size_t, bool>;
  EXPECT_THAT(batches,
              ElementsAre(Batch{0, false}, Batch{0, false}, Batch{0, false}, Batch{1, true}));
}

TEST(Processor, TimeoutIsTreatedAsAnOutageNotAsBadData) {
  FakeProcessingDatabase db;
  db.FailNext(1, ErrorCode::kTimeout);
  Processor processor(FakeProcessingWorkers(db, 1), nullptr, TheSnapshot, FastOptions());
  processor.Start();
  const InboundId id = db.AddInbound(kOrg, kNyc, Key(1).member_id, "hello");
  processor.Hint({Key(1)});
  ASSERT_TRUE(db.WaitUntil([&] { return db.AllProcessed(); }));
  processor.Stop();
  EXPECT_EQ(db.inbound(id).outcome, "default_reply");
  EXPECT_THAT(db.quarantined(), IsEmpty());
}

TEST(Processor, DataErrorQuarantinesOnlyTheFailingMember) {
  FakeProcessingDatabase db;
  db.FailBatchesWith(Key(2), ErrorCode::kInvalidArgument);
  Processor processor(FakeProcessingWorkers(db, 1), nullptr, TheSnapshot, FastOptions());
  processor.Start();

  const InboundId a = db.AddInbound(kOrg, kNyc, Key(1).member_id, "JOIN");
  const InboundId b = db.AddInbound(kOrg, kNyc, Key(2).member_id, "JOIN");
  const InboundId c = db.AddInbound(kOrg, kNyc, Key(3).member_id, "hello");
  processor.Hint({Key(1), Key(2), Key(3)});  // one worker: one batch of three
  ASSERT_TRUE(db.WaitUntil([&] { return db.AllProcessed(); }));
  processor.Stop();

  EXPECT_EQ(db.inbound(a).outcome, "keyword");
  EXPECT_EQ(db.inbound(b).outcome, "error");
  EXPECT_EQ(db.inbound(c).outcome, "default_reply");
  EXPECT_THAT(db.quarantined(), ElementsAre(Key(2)));
  const auto batches = db.batches();
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_EQ(batches[0].size(), 3u);
  EXPECT_THAT(batches[1], ElementsAre(Key(1)));
  EXPECT_THAT(batches[2], ElementsAre(Key(2)));
  EXPECT_THAT(batches[3], ElementsAre(Key(3)));
}

TEST(Processor, DataErrorOfASingleMemberIsQuarantinedWithoutAnotherTry) {
  FakeProcessingDatabase db;
  db.FailBatchesWith(Key(2), ErrorCode::kInternal);
  Processor processor(FakeProcessingWorkers(db, 1), nullptr, TheSnapshot, FastOptions());
  processor.Start();
  db.AddInbound(kOrg, kNyc, Key(2).member_id, "JOIN");
  processor.Hint({Key(2)});
  ASSERT_TRUE(db.WaitUntil([&] { return db.AllProcessed(); }));
  processor.Stop();
  EXPECT_EQ(db.batches().size(), 1u);
  EXPECT_THAT(db.quarantined(), ElementsAre(Key(2)));
}

TEST(Processor, FirstSweepTakesEverythingUnprocessed) {
  FakeProcessingDatabase db;
  // Acknowledged by a previous process that stopped before processing them: no hint comes.
  const InboundId a = db.AddInbound(kOrg, kNyc, Key(1).member_id, "JOIN");
  const InboundId b = db.AddInbound(kOrg, kNyc, Key(2).member_id, "hello");
  Processor processor(FakeProcessingWorkers(db, 2), std::make_unique<FakeProcessingStore>(db),
                      TheSnapshot, FastOptions());  // sweep_age 1 h
  processor.Start();
  ASSERT_TRUE(db.WaitUntil([&] { return db.AllProcessed(); }));
  processor.Stop();  // must not wait out the hour-long sweep interval

  EXPECT_EQ(db.inbound(a).outcome, "keyword");
  EXPECT_EQ(db.inbound(b).outcome, "default_reply");
  ASSERT_FALSE(db.sweeps().empty());
  EXPECT_EQ(db.sweeps()[0], 0ms);
}

TEST(Processor, LaterSweepsTakeOnlyMessagesOlderThanTheSweepAge) {
  FakeProcessingDatabase db;
  ProcessorOptions options = FastOptions();
  options.sweep_interval = 1ms;
  options.sweep_age = 1h;
  Processor processor(FakeProcessingWorkers(db, 1), std::make_unique<FakeProcessingStore>(db),
                      TheSnapshot, options);
  processor.Start();
  ASSERT_TRUE(db.WaitUntil([&] { return !db.sweeps().empty(); }));

  const InboundId lost = db.AddInbound(kOrg, kNyc, Key(1).member_id, "hello");  // hint lost
  const std::size_t seen = db.sweeps().size();
  ASSERT_TRUE(db.WaitUntil([&] { return db.sweeps().size() >= seen + 2; }));
  EXPECT_FALSE(db.inbound(lost).processed);  // young: its hint may still be on its way

  db.Advance(2h);
  ASSERT_TRUE(db.WaitUntil([&] { return db.AllProcessed(); }));
  processor.Stop();
  EXPECT_EQ(db.inbound(lost).outcome, "default_reply");
  EXPECT_EQ(db.sweeps()[1], 1h);
}

TEST(Processor, AMemberWithMoreEventsThanABatchHoldsIsTakenAgainUntilNoneIsLeft) {
  FakeProcessingDatabase db;
  Processor processor(FakeProcessingWorkers(db, 1), nullptr, TheSnapshot, FastOptions());
  processor.Start();
  constexpr int kBacklog = 150;  // more than two batches' worth for one member
  for (int i = 0; i < kBacklog; ++i) db.AddInbound(kOrg, kNyc, Key(1).member_id, "hello");
  processor.Hint({Key(1)});  // one hint, as after an outage
  ASSERT_TRUE(db.WaitUntil([&] { return db.AllProcessed(); }));
  processor.Stop();
  EXPECT_EQ(db.processing_order(Key(1)).size(), static_cast<std::size_t>(kBacklog));
  EXPECT_EQ(db.batches().size(), 3u);
}

TEST(Processor, EveryCommittedEventIsReportedWithItsOutcomeAndFailedOnesAreNot) {
  FakeProcessingDatabase db;
  db.FailNext(1, ErrorCode::kUnavailable);
  std::mutex mutex;
  std::vector<std::string> reported;
  ProcessorOptions options = FastOptions();
  options.on_processed = [&](const std::vector<ProcessedMark>& marks) {
    std::lock_guard lock(mutex);
    for (const auto& m : marks) reported.emplace_back(routing::OutcomeName(m.outcome));
  };
  Processor processor(FakeProcessingWorkers(db, 1), nullptr, TheSnapshot, options);
  processor.Start();
  db.AddInbound(kOrg, kNyc, Key(1).member_id, "JOIN");
  db.AddInbound(kOrg, kNyc, Key(1).member_id, "hello");
  processor.Hint({Key(1)});  // the first attempt fails: its decisions are not reported
  ASSERT_TRUE(db.WaitUntil([&] { return db.AllProcessed(); }));
  processor.Stop();
  EXPECT_THAT(reported, ElementsAre("keyword", "default_reply"));
}

TEST(Processor, AMemberWhoTextsGoesBeforeABacklogOfDueTimersInSmallBatches) {
  FakeProcessingDatabase db;
  ProcessorOptions options = FastOptions();
  options.due_interval = 1ms;
  options.due_batch_members = 2;
  Processor processor(FakeProcessingWorkers(db, 1), nullptr, TheSnapshot, options,
                      std::make_unique<FakeProcessingStore>(db));
  constexpr int kTimers = 300;
  for (int i = 0; i < kTimers; ++i) {
    MemberEvent timer;
    timer.kind = EventKind::kTimer;
    timer.organization_id = kOrg;
    timer.member_id = Key(10 + i).member_id;
    timer.channel_id = kNyc;
    db.AddEvent(timer, 0ms);
  }
  db.Hold();  // the first due batch stays in its transaction...
  processor.Start();
  ASSERT_TRUE(db.WaitUntil([&] { return !db.batches().empty() && db.claims() >= 1; }));
  // ...while the rest of the timers wait in the due lane, and a member texts.
  const InboundId live = db.AddInbound(kOrg, kNyc, Key(1).member_id, "JOIN");
  processor.Hint({Key(1)});
  db.Release();
  ASSERT_TRUE(db.WaitUntil([&] { return db.AllProcessed(); }));
  processor.Stop();
  EXPECT_EQ(db.inbound(live).outcome, "keyword");
  const auto batches = db.batches();
  std::size_t live_batch = batches.size(), last_due = 0;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    for (const auto& key : batches[i]) {
      if (key == Key(1)) live_batch = std::min(live_batch, i);
      else last_due = i;
    }
    if (!(batches[i].size() == 1 && batches[i][0] == Key(1))) {
      EXPECT_LE(batches[i].size(), 2u) << "due work goes in batches of due_batch_members";
    }
  }
  EXPECT_LT(live_batch, last_due) << "the member's text waited for the whole timer backlog";
  EXPECT_EQ(db.double_processed(), 0);
}

TEST(Processor, DueTimersAreClaimedAndProcessedWithoutAHint) {
  FakeProcessingDatabase db;
  ProcessorOptions options = FastOptions();
  options.due_interval = 1ms;
  Processor processor(FakeProcessingWorkers(db, 2), nullptr, TheSnapshot, options,
                      std::make_unique<FakeProcessingStore>(db));
  MemberEvent timer;
  timer.kind = EventKind::kTimer;
  timer.organization_id = kOrg;
  timer.member_id = Key(1).member_id;
  timer.channel_id = kNyc;
  timer.session_id = 7;  // no such session: the event is stale, and processed once
  const std::int64_t due = db.AddEvent(timer, 0ms);
  const std::int64_t later = db.AddEvent(timer, 1h);
  processor.Start();
  ASSERT_TRUE(db.WaitUntil([&] { return db.event(due).processed; }));
  EXPECT_FALSE(db.event(later).processed);
  db.Advance(2h);
  ASSERT_TRUE(db.WaitUntil([&] { return db.event(later).processed; }));
  processor.Stop();
  EXPECT_EQ(db.event(due).outcome, "no_session");
  EXPECT_EQ(db.double_processed(), 0);
}

}  // namespace
}  // namespace chorus::ingest
