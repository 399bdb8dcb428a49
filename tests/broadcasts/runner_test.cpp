#include "broadcasts/runner.hpp"

#include <gtest/gtest.h>

namespace chorus::broadcasts {
namespace {

// A queue that fans out `members` in batches, releases what is written, and counts the calls.
class FakeQueue : public BroadcastQueue {
 public:
  explicit FakeQueue(int members) : members_(members) {}
  Result<std::vector<ActiveBroadcast>> Active() override {
    if (done_) return std::vector<ActiveBroadcast>{};
    return std::vector<ActiveBroadcast>{{1, 7, written_ == members_}};
  }
  Result<FanOutStep> FanOut(const ActiveBroadcast&, int batch) override {
    ++fan_outs_;
    const int n = std::min(batch, members_ - written_);
    written_ += n;
    return FanOutStep{n, written_ == members_};
  }
  Result<Released> Release(const ActiveBroadcast&, int queue_limit, int) override {
    const int n = std::min<int>(queue_limit, written_ - released_);
    released_ += n;
    Released r;
    r.queued = n;
    if (n > 0) r.channels = {3};
    return r;
  }
  Result<bool> Finish(const ActiveBroadcast&) override {
    ++finishes_;
    done_ = released_ == members_;
    return done_;
  }
  int members_, written_ = 0, released_ = 0, fan_outs_ = 0, finishes_ = 0;
  bool done_ = false;
};

TEST(Runner, FansOutInBatchesReleasesAndFinishes) {
  auto queue = std::make_unique<FakeQueue>(25);
  FakeQueue* q = queue.get();
  std::vector<ChannelId> notified;
  RunnerOptions options;
  options.fan_out_batch = 10;
  options.queue_limit = 100;
  options.on_queued = [&](const std::vector<ChannelId>& c) {
    notified.insert(notified.end(), c.begin(), c.end());
  };
  Runner runner(std::move(queue), options);
  int rounds = 0;
  while (runner.RunOnce() && ++rounds < 20) {
  }
  EXPECT_EQ(q->fan_outs_, 3);
  EXPECT_EQ(q->released_, 25);
  EXPECT_TRUE(q->done_);
  EXPECT_EQ(notified, (std::vector<ChannelId>{3, 3, 3}));
  EXPECT_FALSE(runner.RunOnce());  // nothing left
}

TEST(Runner, ReleasesNoFasterThanTheQueueLimitAllows) {
  auto queue = std::make_unique<FakeQueue>(10);
  FakeQueue* q = queue.get();
  RunnerOptions options;
  options.fan_out_batch = 100;
  options.queue_limit = 4;
  Runner runner(std::move(queue), options);
  runner.RunOnce();
  EXPECT_EQ(q->written_, 10);
  EXPECT_EQ(q->released_, 4);
  EXPECT_FALSE(q->done_);
}

}  // namespace
}  // namespace chorus::broadcasts
