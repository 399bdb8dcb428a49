#include "workspace/workspace_watch.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace chorus::workspace {
namespace {

using namespace std::chrono_literals;

SnapshotPtr SnapshotWith(int channels) {
  std::vector<Channel> list;
  for (int i = 0; i < channels; ++i) {
    Channel c;
    c.id = i + 1;
    c.organization_id = 1;
    c.slug = "c" + std::to_string(i);
    list.push_back(c);
  }
  Organization org;
  org.id = 1;
  return std::make_shared<const Snapshot>(std::vector{org}, std::move(list),
                                          std::vector<Keyword>{});
}

// Answers rounds from a script; then "no change".
class ScriptedFeed : public ChangeFeed {
 public:
  explicit ScriptedFeed(std::deque<Result<bool>> rounds, int* schema)
      : rounds_(std::move(rounds)), schema_(schema) {}
  Result<bool> WaitForChange(std::chrono::milliseconds) override {
    if (rounds_.empty()) return false;
    auto next = std::move(rounds_.front());
    rounds_.pop_front();
    return next;
  }
  Result<int> SchemaVersion() override { return *schema_; }
  std::optional<std::set<OrganizationId>> ChangedOrganizations() override {
    if (named_.empty()) return std::nullopt;
    auto next = named_.front();
    named_.pop_front();
    return next;
  }
  // What each announcement names, in order (none left: every organization).
  std::deque<std::set<OrganizationId>> named_;

 private:
  std::deque<Result<bool>> rounds_;
  int* schema_;
};

// LoadSnapshot answers from a script; loads counted.
class ScriptedStore : public WorkspaceStore {
 public:
  explicit ScriptedStore(std::deque<Result<SnapshotPtr>> loads, int* count)
      : loads_(std::move(loads)), count_(count) {}
  Result<SnapshotPtr> LoadSnapshot() override {
    ++*count_;
    auto next = std::move(loads_.front());
    loads_.pop_front();
    return next;
  }
  Result<ApplySummary> Apply(const Definition&) override {
    return MakeError(ErrorCode::kInternal, "not used");
  }
  Result<SnapshotPtr> LoadOrganizations(const std::set<OrganizationId>& organizations) override {
    scoped_loads.push_back(organizations);
    return LoadSnapshot();
  }
  std::vector<std::set<OrganizationId>> scoped_loads;

 private:
  std::deque<Result<SnapshotPtr>> loads_;
  int* count_;
};

Error Outage() { return MakeError(ErrorCode::kUnavailable, "database down"); }

TEST(WorkspaceWatch, AnAnnouncedChangeIsLoadedAndSilenceKeepsTheSnapshot) {
  int schema = 5, loads = 0;
  WorkspaceWatch watch(std::make_unique<ScriptedStore>(std::deque<Result<SnapshotPtr>>{SnapshotWith(3)}, &loads),
                       std::make_unique<ScriptedFeed>(std::deque<Result<bool>>{false, true, false}, &schema),
                       SnapshotWith(1), 5, 1ms);
  watch.RunRound();
  EXPECT_EQ(watch.Snapshot()->channels().size(), 1u);
  watch.RunRound();
  EXPECT_EQ(watch.Snapshot()->channels().size(), 3u);
  watch.RunRound();
  EXPECT_EQ(loads, 1);
}

TEST(WorkspaceWatch, AFailedReloadIsTriedAgainWithoutANewAnnouncement) {
  int schema = 5, loads = 0;
  WorkspaceWatch watch(
      std::make_unique<ScriptedStore>(std::deque<Result<SnapshotPtr>>{Outage(), SnapshotWith(2)}, &loads),
      std::make_unique<ScriptedFeed>(std::deque<Result<bool>>{true, false}, &schema),
      SnapshotWith(1), 5, 1ms);
  watch.RunRound();
  EXPECT_EQ(watch.Snapshot()->channels().size(), 1u) << "the old snapshot stays in use";
  watch.RunRound();
  EXPECT_EQ(watch.Snapshot()->channels().size(), 2u);
  EXPECT_EQ(loads, 2);
}

// A snapshot of two organizations, each with `channels` channels of its own.
SnapshotPtr TwoOrganizations(int channels, const std::string& prefix) {
  std::vector<Organization> orgs(2);
  orgs[0].id = 1;
  orgs[1].id = 2;
  std::vector<Channel> list;
  for (OrganizationId org : {1, 2}) {
    for (int i = 0; i < channels; ++i) {
      Channel c;
      c.id = org * 100 + i;
      c.organization_id = org;
      c.slug = prefix + std::to_string(org) + "-" + std::to_string(i);
      list.push_back(c);
    }
  }
  return std::make_shared<const Snapshot>(std::move(orgs), std::move(list), std::vector<Keyword>{});
}

TEST(WorkspaceWatch, AnAnnouncementNamingOneOrganizationReloadsItAlone) {
  int schema = 5, loads = 0;
  auto store = std::make_unique<ScriptedStore>(
      std::deque<Result<SnapshotPtr>>{TwoOrganizations(3, "new"), TwoOrganizations(1, "all")},
      &loads);
  ScriptedStore* seen = store.get();
  auto feed = std::make_unique<ScriptedFeed>(std::deque<Result<bool>>{true, true}, &schema);
  feed->named_ = {{2}};
  WorkspaceWatch watch(std::move(store), std::move(feed), TwoOrganizations(1, "old"), 5, 1ms);
  watch.RunRound();
  ASSERT_EQ(seen->scoped_loads.size(), 1u);
  EXPECT_EQ(seen->scoped_loads[0], std::set<OrganizationId>{2});
  // Organization 2 as loaded; organization 1 as it was.
  EXPECT_NE(watch.Snapshot()->ChannelBySlug("new2-2"), nullptr);
  EXPECT_NE(watch.Snapshot()->ChannelBySlug("old1-0"), nullptr);
  EXPECT_EQ(watch.Snapshot()->ChannelBySlug("new1-0"), nullptr);
  EXPECT_EQ(watch.Snapshot()->channels().size(), 4u);
  // An announcement naming none reloads everything.
  watch.RunRound();
  EXPECT_EQ(seen->scoped_loads.size(), 1u);
  EXPECT_NE(watch.Snapshot()->ChannelBySlug("all1-0"), nullptr);
  EXPECT_EQ(loads, 2);
}

TEST(WorkspaceWatch, AnEditOnThisNodeIsReloadedBeforeItsAnswerLeaves) {
  int schema = 5, loads = 0;
  auto store = std::make_unique<ScriptedStore>(
      std::deque<Result<SnapshotPtr>>{TwoOrganizations(2, "new"), Outage()}, &loads);
  ScriptedStore* seen = store.get();
  WorkspaceWatch watch(std::move(store),
                       std::make_unique<ScriptedFeed>(std::deque<Result<bool>>{}, &schema),
                       TwoOrganizations(1, "old"), 5, 1ms);
  EXPECT_TRUE(watch.ReloadNow(1));
  ASSERT_EQ(seen->scoped_loads.size(), 1u);
  EXPECT_EQ(seen->scoped_loads[0], std::set<OrganizationId>{1});
  EXPECT_NE(watch.Snapshot()->ChannelBySlug("new1-1"), nullptr);
  EXPECT_NE(watch.Snapshot()->ChannelBySlug("old2-0"), nullptr);
  EXPECT_EQ(watch.Snapshot()->ChannelBySlug("new2-0"), nullptr);
  // A failed load keeps the snapshot (the announcement brings the change later).
  EXPECT_FALSE(watch.ReloadNow(2));
  EXPECT_NE(watch.Snapshot()->ChannelBySlug("old2-0"), nullptr);
}

TEST(WorkspaceWatch, HealthSaysWhyTheStoreIsNotUsable) {
  int schema = 4, loads = 0;
  WorkspaceWatch watch(std::make_unique<ScriptedStore>(std::deque<Result<SnapshotPtr>>{}, &loads),
                       std::make_unique<ScriptedFeed>(std::deque<Result<bool>>{Outage(), false, false}, &schema),
                       SnapshotWith(1), 5, 1ms);
  EXPECT_FALSE(watch.Health().ready) << "not ready before the first check";
  watch.RunRound();
  EXPECT_FALSE(watch.Health().ready);
  EXPECT_EQ(watch.Health().reason, "database unreachable");
  watch.RunRound();
  EXPECT_FALSE(watch.Health().ready);
  EXPECT_EQ(watch.Health().reason,
            "database schema is at migration 4, this binary expects 5: run chorus migrate");
  schema = 5;
  watch.RunRound();
  EXPECT_TRUE(watch.Health().ready);
  EXPECT_EQ(loads, 0);
}

TEST(WorkspaceWatch, StopEndsTheThread) {
  int schema = 5, loads = 0;
  WorkspaceWatch watch(std::make_unique<ScriptedStore>(std::deque<Result<SnapshotPtr>>{}, &loads),
                       std::make_unique<ScriptedFeed>(std::deque<Result<bool>>{}, &schema),
                       SnapshotWith(1), 5, 1ms);
  watch.Start();
  for (int i = 0; i < 500 && !watch.Health().ready; ++i) std::this_thread::sleep_for(2ms);
  EXPECT_TRUE(watch.Health().ready);
  watch.Stop();
}

}  // namespace
}  // namespace chorus::workspace
