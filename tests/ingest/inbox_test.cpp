#include "ingest/inbox.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fakes/fake_inbox_store.hpp"

namespace chorus::ingest {

inline void PrintTo(const MemberKey& key, std::ostream* os) {
  *os << key.organization_id << ":" << key.member_id;
}

namespace {

using fakes::FakeInboxDatabase;
using fakes::FakeInboxWriters;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

constexpr OrganizationId kOrg = 1;
constexpr ChannelId kNyc = 10;
constexpr ChannelId kLa = 11;

InboundItem Inbound(std::string sid, std::string sender = "+15550100001",
                    ChannelId channel = kNyc) {
  InboundItem in;
  in.organization_id = kOrg;
  in.channel_id = channel;
  in.carrier_message_id = std::move(sid);
  in.sender = std::move(sender);
  in.sender_is_e164 = true;
  in.recipient = "+15550100999";
  in.body = "JOIN";
  return in;
}

StatusItem Status(std::string sid, std::string raw = "delivered") {
  StatusItem st;
  st.organization_id = kOrg;
  st.channel_id = kNyc;
  st.carrier_message_id = std::move(sid);
  st.status = DeliveryStatus::kDelivered;
  st.raw_status = std::move(raw);
  return st;
}

/// What each Submit's `done` reported, by the caller's index.
class Answers {
 public:
  struct Answer {
    bool ok = false;
    bool fresh = false;
    ErrorCode code = ErrorCode::kInternal;
  };

  Inbox::Done For(int index) {
    return [this, index](Result<bool> result) {
      std::lock_guard lock(mutex_);
      Answer& a = answers_[index];
      a.ok = result.ok();
      if (result.ok())
        a.fresh = *result;
      else
        a.code = result.error().code;
      changed_.notify_all();
    };
  }

  bool WaitFor(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return answers_.size() >= n; });
  }

  std::optional<Answer> Get(int index) const {
    std::lock_guard lock(mutex_);
    auto it = answers_.find(index);
    if (it == answers_.end()) return std::nullopt;
    return it->second;
  }

  bool Fresh(int index) const {
    auto a = Get(index);
    return a && a->ok && a->fresh;
  }
  bool Repeat(int index) const {
    auto a = Get(index);
    return a && a->ok && !a->fresh;
  }
  bool Failed(int index, ErrorCode code) const {
    auto a = Get(index);
    return a && !a->ok && a->code == code;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<int, Answer> answers_;
};

/// Collects on_new_inbound hints.
class Hints {
 public:
  std::function<void(std::vector<MemberKey>)> Callback() {
    return [this](std::vector<MemberKey> keys) {
      std::lock_guard lock(mutex_);
      keys_.insert(keys_.end(), keys.begin(), keys.end());
    };
  }
  std::vector<MemberKey> keys() const {
    std::lock_guard lock(mutex_);
    return keys_;
  }
  void Clear() {
    std::lock_guard lock(mutex_);
    keys_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<MemberKey> keys_;
};

std::vector<std::size_t> BatchSizes(const FakeInboxDatabase& db) {
  std::vector<std::size_t> sizes;
  for (const auto& call : db.calls()) sizes.push_back(call.size());
  return sizes;
}

TEST(Inbox, ConcurrentSubmitsShareTransactions) {
  FakeInboxDatabase db;
  db.Close();  // the first commit is slow; everything else queues behind it
  Inbox inbox(FakeInboxWriters(db, 1), {});
  inbox.Start();
  Answers answers;
  inbox.Submit(Inbound("SM-first"), answers.For(0));
  ASSERT_TRUE(db.WaitForCalls(1));

  constexpr int kThreads = 4, kPerThread = 25;
  std::vector<std::thread> submitters;
  for (int t = 0; t < kThreads; ++t) {
    submitters.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int index = 1 + t * kPerThread + i;
        inbox.Submit(Inbound("SM" + std::to_string(index)), answers.For(index));
      }
    });
  }
  for (auto& s : submitters) s.join();
  db.Open();

  ASSERT_TRUE(answers.WaitFor(1 + kThreads * kPerThread));
  EXPECT_THAT(BatchSizes(db), ElementsAre(1u, 100u));
  for (int i = 0; i <= kThreads * kPerThread; ++i) EXPECT_TRUE(answers.Fresh(i)) << i;
  EXPECT_EQ(db.inbound().size(), 101u);
}

TEST(Inbox, BatchesAreCutAtMaxBatch) {
  FakeInboxDatabase db;
  db.Close();
  Inbox inbox(FakeInboxWriters(db, 1), {.max_batch = 10});
  inbox.Start();
  Answers answers;
  inbox.Submit(Inbound("SM0"), answers.For(0));
  ASSERT_TRUE(db.WaitForCalls(1));
  for (int i = 1; i <= 25; ++i) inbox.Submit(Inbound("SM" + std::to_string(i)), answers.For(i));
  db.Open();
  ASSERT_TRUE(answers.WaitFor(26));
  EXPECT_THAT(BatchSizes(db), ElementsAre(1u, 10u, 10u, 5u));
}

TEST(Inbox, RepeatedWebhookIsAcknowledgedAsARepeat) {
  FakeInboxDatabase db;
  Hints hints;
  Inbox inbox(FakeInboxWriters(db, 2), {.on_new_inbound = hints.Callback()});
  inbox.Start();
  Answers answers;
  for (int i = 0; i < 3; ++i) {  // a carrier retrying the same webhook
    inbox.Submit(Inbound("SM1"), answers.For(i));
    ASSERT_TRUE(answers.WaitFor(i + 1));
  }
  inbox.Submit(Inbound("SM1", "+15550100001", kLa), answers.For(3));  // other channel
  ASSERT_TRUE(answers.WaitFor(4));

  EXPECT_TRUE(answers.Fresh(0));
  EXPECT_TRUE(answers.Repeat(1));
  EXPECT_TRUE(answers.Repeat(2));
  EXPECT_TRUE(answers.Fresh(3));
  EXPECT_EQ(db.inbound().size(), 2u);
  EXPECT_EQ(hints.keys().size(), 2u);
}

TEST(Inbox, RepeatInsideOneBatchIsNewOnlyOnce) {
  FakeInboxDatabase db;
  db.Close();
  Inbox inbox(FakeInboxWriters(db, 1), {});
  inbox.Start();
  Answers answers;
  inbox.Submit(Inbound("SM0"), answers.For(0));
  ASSERT_TRUE(db.WaitForCalls(1));
  inbox.Submit(Inbound("SM1"), answers.For(1));
  inbox.Submit(Inbound("SM1"), answers.For(2));
  inbox.Submit(Status("SM9"), answers.For(3));
  inbox.Submit(Status("SM9"), answers.For(4));
  inbox.Submit(Status("SM9", "sent"), answers.For(5));
  db.Open();
  ASSERT_TRUE(answers.WaitFor(6));
  EXPECT_THAT(BatchSizes(db), ElementsAre(1u, 5u));
  EXPECT_TRUE(answers.Fresh(1));
  EXPECT_TRUE(answers.Repeat(2));
  EXPECT_TRUE(answers.Fresh(3));
  EXPECT_TRUE(answers.Repeat(4));
  EXPECT_TRUE(answers.Fresh(5));
}

TEST(Inbox, OutageFailsEveryItemOfTheBatchAndHintsNothing) {
  FakeInboxDatabase db;
  db.Close();
  Hints hints;
  std::vector<std::pair<std::size_t, bool>> batches;
  std::mutex batches_mutex;
  Inbox inbox(FakeInboxWriters(db, 1), {.on_batch =
                                            [&](std::size_t size, bool committed) {
                                              std::lock_guard lock(batches_mutex);
                                              batches.emplace_back(size, committed);
                                            },
                                        .on_new_inbound = hints.Callback()});
  inbox.Start();
  Answers answers;
  inbox.Submit(Inbound("SM0", "+15550100001"), answers.For(0));
  ASSERT_TRUE(db.WaitForCalls(1));
  inbox.Submit(Inbound("SM1", "+15550100002"), answers.For(1));
  inbox.Submit(Inbound("SM2", "+15550100003"), answers.For(2));
  db.FailNext(2, ErrorCode::kUnavailable);
  db.Open();

  ASSERT_TRUE(answers.WaitFor(3));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(answers.Failed(i, ErrorCode::kUnavailable)) << i;
  EXPECT_THAT(BatchSizes(db), ElementsAre(1u, 2u));  // not retried item by item
  EXPECT_THAT(hints.keys(), IsEmpty());
  EXPECT_THAT(db.inbound(), IsEmpty());
  inbox.Stop();
  EXPECT_THAT(batches, ElementsAre(std::pair<std::size_t, bool>{1, false},
                                   std::pair<std::size_t, bool>{2, false}));
}

TEST(Inbox, BatchRefusedForItsDataIsRetriedItemByItemAndOnlyTheBadOneFails) {
  FakeInboxDatabase db;
  db.RefuseCarrierMessageId("SM-bad", ErrorCode::kInvalidArgument);
  db.Close();
  Hints hints;
  Inbox inbox(FakeInboxWriters(db, 1), {.on_new_inbound = hints.Callback()});
  inbox.Start();
  Answers answers;
  inbox.Submit(Inbound("SM0", "+15550100001"), answers.For(0));
  ASSERT_TRUE(db.WaitForCalls(1));
  inbox.Submit(Inbound("SM1", "+15550100002"), answers.For(1));
  inbox.Submit(Inbound("SM-bad", "+15550100003"), answers.For(2));
  inbox.Submit(Inbound("SM3", "+15550100004"), answers.For(3));
  db.Open();

  ASSERT_TRUE(answers.WaitFor(4));
  EXPECT_TRUE(answers.Fresh(0));
  EXPECT_TRUE(answers.Fresh(1));
  EXPECT_TRUE(answers.Failed(2, ErrorCode::kInvalidArgument));
  EXPECT_TRUE(answers.Fresh(3));
  EXPECT_THAT(BatchSizes(db), ElementsAre(1u, 3u, 1u, 1u, 1u));
  EXPECT_EQ(db.inbound().size(), 3u);
  EXPECT_THAT(hints.keys(),
              ElementsAre(MemberKey{kOrg, db.member(kOrg, "+15550100001")},
                          MemberKey{kOrg, db.member(kOrg, "+15550100002")},
                          MemberKey{kOrg, db.member(kOrg, "+15550100004")}));
}

TEST(Inbox, OnlyNewInboundMessagesAreHinted) {
  FakeInboxDatabase db;
  Hints hints;
  Inbox inbox(FakeInboxWriters(db, 1), {.on_new_inbound = hints.Callback()});
  inbox.Start();
  Answers answers;
  inbox.Submit(Inbound("SM-carol", "+15550100003"), answers.For(0));
  ASSERT_TRUE(answers.WaitFor(1));
  hints.Clear();

  inbox.Submit(Inbound("SM-alice", "+15550100001"), answers.For(1));
  inbox.Submit(Inbound("SM-carol", "+15550100003"), answers.For(2));  // a repeat
  inbox.Submit(Status("SM-out"), answers.For(3));                     // a status report
  inbox.Submit(Inbound("SM-bob", "+15550100002"), answers.For(4));
  ASSERT_TRUE(answers.WaitFor(5));

  EXPECT_THAT(hints.keys(),
              ElementsAre(MemberKey{kOrg, db.member(kOrg, "+15550100001")},
                          MemberKey{kOrg, db.member(kOrg, "+15550100002")}));
}

TEST(Inbox, NewInboundIsHintedBeforeItIsAcknowledged) {
  FakeInboxDatabase db;
  Answers answers;
  std::vector<bool> answered_at_hint;
  Inbox inbox(FakeInboxWriters(db, 1), {.on_new_inbound = [&](std::vector<MemberKey>) {
                answered_at_hint.push_back(answers.Get(0).has_value());
              }});
  inbox.Start();
  inbox.Submit(Inbound("SM1"), answers.For(0));
  ASSERT_TRUE(answers.WaitFor(1));
  inbox.Stop();  // joins the writer: answered_at_hint is safe to read
  EXPECT_THAT(answered_at_hint, ElementsAre(false));
}

TEST(Inbox, StopWritesWhatIsQueuedThenRefusesNewItems) {
  FakeInboxDatabase db;
  db.Close();
  Inbox inbox(FakeInboxWriters(db, 1), {.max_queue = 10'000'000});
  inbox.Start();
  Answers answers;
  inbox.Submit(Inbound("SM0"), answers.For(0));
  ASSERT_TRUE(db.WaitForCalls(1));
  for (int i = 1; i <= 3; ++i) inbox.Submit(Inbound("SM" + std::to_string(i)), answers.For(i));

  auto stopped = std::async(std::launch::async, [&] { inbox.Stop(); });
  // Items keep being accepted until Stop takes effect; a refusal is answered inside Submit
  // (nothing can be written while the store is held), which tells us Stop has begun.
  int index = 4;
  for (; index < 1'000'000; ++index) {
    inbox.Submit(Inbound("SM" + std::to_string(index)), answers.For(index));
    if (answers.Get(index)) break;
  }
  const int refused = index;
  ASSERT_TRUE(answers.Failed(refused, ErrorCode::kUnavailable));
  db.Open();

  ASSERT_EQ(stopped.wait_for(5s), std::future_status::ready);
  for (int i = 0; i < refused; ++i) ASSERT_TRUE(answers.Fresh(i)) << i;
  EXPECT_EQ(db.inbound().size(), static_cast<std::size_t>(refused));

  inbox.Submit(Inbound("SM-late"), answers.For(-1));
  EXPECT_TRUE(answers.Failed(-1, ErrorCode::kUnavailable));
}

TEST(Inbox, StopWithoutStartRefusesWhatWasQueuedInsteadOfLeavingItWaiting) {
  FakeInboxDatabase db;
  Inbox inbox(FakeInboxWriters(db, 1), {});
  Answers answers;
  inbox.Submit(Inbound("SM0"), answers.For(0));
  inbox.Stop();
  EXPECT_TRUE(answers.Failed(0, ErrorCode::kUnavailable));
  EXPECT_TRUE(db.inbound().empty());
}

TEST(Inbox, FullQueueRefusesAtOnce) {
  FakeInboxDatabase db;
  db.Close();
  Inbox inbox(FakeInboxWriters(db, 1), {.max_queue = 2});
  inbox.Start();
  Answers answers;
  inbox.Submit(Inbound("SM0"), answers.For(0));
  ASSERT_TRUE(db.WaitForCalls(1));
  inbox.Submit(Inbound("SM1"), answers.For(1));
  inbox.Submit(Inbound("SM2"), answers.For(2));
  inbox.Submit(Inbound("SM3"), answers.For(3));
  EXPECT_TRUE(answers.Failed(3, ErrorCode::kUnavailable));
  db.Open();
  ASSERT_TRUE(answers.WaitFor(4));
  EXPECT_TRUE(answers.Fresh(0));
  EXPECT_TRUE(answers.Fresh(1));
  EXPECT_TRUE(answers.Fresh(2));
}

TEST(Inbox, SeveralWritersStoreEveryItemOnce) {
  FakeInboxDatabase db;
  Inbox inbox(FakeInboxWriters(db, 3), {});
  inbox.Start();
  Answers answers;
  constexpr int kItems = 300;
  std::vector<std::thread> submitters;
  for (int t = 0; t < 3; ++t) {
    submitters.emplace_back([&, t] {
      for (int i = t; i < kItems; i += 3) {
        inbox.Submit(Inbound("SM" + std::to_string(i % 150)), answers.For(i));
      }
    });
  }
  for (auto& s : submitters) s.join();
  ASSERT_TRUE(answers.WaitFor(kItems));
  int fresh = 0;
  for (int i = 0; i < kItems; ++i) fresh += answers.Fresh(i) ? 1 : 0;
  EXPECT_EQ(fresh, 150);  // each carrier id once, whichever writer got it first
  EXPECT_EQ(db.inbound().size(), 150u);
}

}  // namespace
}  // namespace chorus::ingest
