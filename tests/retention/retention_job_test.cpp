#include "retention/retention_job.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <mutex>
#include <tuple>

namespace chorus::retention {
namespace {

using ::testing::ElementsAre;

struct Call {
  OrganizationId organization;
  Direction direction;
  int days;
  std::int64_t resume_after;
  bool operator==(const Call&) const = default;
};

void PrintTo(const Call& c, std::ostream* os) {
  *os << "{org " << c.organization << ", " << DirectionName(c.direction) << ", " << c.days
      << " days, after " << c.resume_after << "}";
}

// Answers each (organization, direction) with the steps scripted for it, then "nothing more".
class ScriptedStore : public RetentionStore {
 public:
  void Script(OrganizationId org, Direction d, std::deque<Result<RedactionStep>> steps) {
    scripts_[{org, d}] = std::move(steps);
  }
  Result<RedactionStep> RedactOlderThan(OrganizationId org, Direction d, int days, int limit,
                                        std::int64_t resume_after) override {
    std::lock_guard lock(mutex_);
    calls_.push_back({org, d, days, resume_after});
    limits_.push_back(limit);
    auto& script = scripts_[{org, d}];
    if (script.empty()) return RedactionStep{};
    auto next = std::move(script.front());
    script.pop_front();
    return next;
  }
  std::vector<Call> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<int> limits_;

 private:
  std::mutex mutex_;
  std::map<std::pair<OrganizationId, Direction>, std::deque<Result<RedactionStep>>> scripts_;
  std::vector<Call> calls_;
};

workspace::SnapshotPtr TwoOrganizations() {
  workspace::Organization a;
  a.id = 1;
  a.slug = "a";
  a.message_body_retention_days = 30;
  workspace::Organization b;
  b.id = 2;
  b.slug = "b";
  b.message_body_retention_days = 365;
  return std::make_shared<const workspace::Snapshot>(std::vector{a, b},
                                                     std::vector<Channel>{},
                                                     std::vector<workspace::Keyword>{});
}

RedactionStep More(int redacted, std::int64_t resume_after) {
  return RedactionStep{.redacted = redacted, .more = true, .resume_after = resume_after};
}

TEST(RetentionJob, StepsEachOrganizationWithItsOwnPeriodUntilNothingIsLeft) {
  auto store = std::make_unique<ScriptedStore>();
  store->Script(1, Direction::kInbound, {More(1000, 41), More(1000, 77), RedactionStep{.redacted = 3}});
  store->Script(2, Direction::kOutbound, {RedactionStep{.redacted = 5}});
  ScriptedStore* seen = store.get();
  std::vector<std::tuple<OrganizationId, Direction, int>> reported;
  RetentionOptions options;
  options.batch = 1000;
  options.on_redacted = [&](OrganizationId o, Direction d, int n) { reported.emplace_back(o, d, n); };
  RetentionJob job(std::move(store), TwoOrganizations, options);

  const RunTotals totals = job.RunOnce();
  EXPECT_EQ(totals.redacted, 2008);
  EXPECT_EQ(totals.failed_steps, 0);
  EXPECT_THAT(seen->calls(),
              ElementsAre(Call{1, Direction::kInbound, 30, 0}, Call{1, Direction::kInbound, 30, 41},
                          Call{1, Direction::kInbound, 30, 77}, Call{1, Direction::kOutbound, 30, 0},
                          Call{2, Direction::kInbound, 365, 0},
                          Call{2, Direction::kOutbound, 365, 0}));
  EXPECT_THAT(seen->limits_, ::testing::Each(1000));
  EXPECT_EQ(reported.size(), 4u);  // steps that erased something
  EXPECT_EQ(reported.back(), std::make_tuple(OrganizationId{2}, Direction::kOutbound, 5));
}

TEST(RetentionJob, AFailedStepIsReportedAndTheRunGoesOnWithTheNext) {
  auto store = std::make_unique<ScriptedStore>();
  store->Script(1, Direction::kInbound,
                {More(10, 5), MakeError(ErrorCode::kUnavailable, "database down")});
  store->Script(2, Direction::kInbound, {RedactionStep{.redacted = 2}});
  ScriptedStore* seen = store.get();
  std::vector<ErrorCode> failures;
  RetentionOptions options;
  options.on_failed = [&](OrganizationId, Direction, const Error& e) { failures.push_back(e.code); };
  RetentionJob job(std::move(store), TwoOrganizations, options);

  const RunTotals totals = job.RunOnce();
  EXPECT_EQ(totals.redacted, 12);
  EXPECT_EQ(totals.failed_steps, 1);
  EXPECT_THAT(failures, ElementsAre(ErrorCode::kUnavailable));
  EXPECT_EQ(seen->calls().size(), 5u);  // 2 for org 1 inbound, then the other three walks
}

TEST(RetentionJob, RunsAtStartAndStopsPromptlyBetweenRuns) {
  auto store = std::make_unique<ScriptedStore>();
  ScriptedStore* seen = store.get();
  RetentionOptions options;
  options.interval = std::chrono::hours(1);
  RetentionJob job(std::move(store), TwoOrganizations, options);
  job.Start();
  for (int i = 0; i < 500 && seen->calls().size() < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(seen->calls().size(), 4u) << "one run over two organizations, both directions";
  job.Stop();  // would hang for an hour if the wait ignored it
  EXPECT_EQ(seen->calls().size(), 4u);
}

TEST(RetentionJob, NoSnapshotMeansNothingToDo) {
  auto store = std::make_unique<ScriptedStore>();
  ScriptedStore* seen = store.get();
  RetentionJob job(std::move(store), [] { return workspace::SnapshotPtr(); }, {});
  EXPECT_EQ(job.RunOnce().redacted, 0);
  EXPECT_TRUE(seen->calls().empty());
}

}  // namespace
}  // namespace chorus::retention
