#include "dispatch/reconciler.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fakes/fake_carrier.hpp"
#include "fakes/fake_transport.hpp"

namespace chorus::dispatch {
namespace {

using fakes::FakeTransport;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using transport::HttpResponseSpec;
using namespace std::chrono_literals;

constexpr ChannelId kNyc = 10;
constexpr ChannelId kLegacy = 11;  // a channel whose carrier cannot be asked

/// Hands out the messages a test queued per channel, a claim's worth at a time, and remembers
/// what it was asked with.
class FakeReconcileStore final : public ReconcileStore {
 public:
  struct Shared {
    std::mutex mutex;
    std::map<ChannelId, std::vector<UnsettledMessage>> waiting;
    std::vector<ChannelId> looked_at;  // the candidates of the last ChannelsToAsk
    std::vector<ChannelId> claimed_channels;
    std::chrono::seconds after{0};
    int per_second = 0;
    bool down = false;
  };
  explicit FakeReconcileStore(Shared& shared) : shared_(shared) {}

  Result<std::vector<ChannelId>> ChannelsToAsk(const std::vector<ChannelId>& channels,
                                               std::chrono::seconds after) override {
    std::lock_guard lock(shared_.mutex);
    if (shared_.down) return MakeError(ErrorCode::kUnavailable, "database unavailable");
    shared_.looked_at = channels;
    shared_.after = after;
    std::vector<ChannelId> due;
    for (ChannelId channel : channels) {
      if (!shared_.waiting[channel].empty()) due.push_back(channel);
    }
    return due;
  }

  Result<std::vector<UnsettledMessage>> ClaimUnsettled(ChannelId channel,
                                                       std::chrono::seconds after,
                                                       int per_second) override {
    std::lock_guard lock(shared_.mutex);
    if (shared_.down) return MakeError(ErrorCode::kUnavailable, "database unavailable");
    shared_.claimed_channels.push_back(channel);
    shared_.after = after;
    shared_.per_second = per_second;
    auto& waiting = shared_.waiting[channel];
    const auto n = std::min<std::size_t>(waiting.size(), static_cast<std::size_t>(per_second));
    std::vector<UnsettledMessage> out(waiting.begin(), waiting.begin() + n);
    waiting.erase(waiting.begin(), waiting.begin() + n);
    return out;
  }

 private:
  Shared& shared_;
};

/// Keeps what it is given; fails every record while `failing`.
class FakeStatusSink final : public StatusSink {
 public:
  void Record(std::vector<ReportedStatus> reports,
              std::function<void(Result<void>)> done) override {
    {
      std::lock_guard lock(mutex_);
      if (!failing_) {
        for (auto& r : reports) recorded_.push_back(std::move(r));
      }
    }
    done(failing_ ? Result<void>(MakeError(ErrorCode::kUnavailable, "down")) : Ok());
  }
  std::vector<ReportedStatus> recorded() {
    std::lock_guard lock(mutex_);
    return recorded_;
  }
  void Fail() { failing_ = true; }

 private:
  std::mutex mutex_;
  std::atomic<bool> failing_{false};
  std::vector<ReportedStatus> recorded_;
};

workspace::SnapshotPtr TwoChannels() {
  workspace::Organization org;
  org.id = 1;
  org.slug = "chorus";
  Channel nyc;
  nyc.organization_id = 1;
  nyc.id = kNyc;
  nyc.slug = "nyc";
  nyc.carrier = "fake";
  nyc.sender = "+15550100999";
  nyc.settings["api_base"] = "https://carrier.test";
  Channel legacy = nyc;
  legacy.id = kLegacy;
  legacy.slug = "legacy";
  legacy.carrier = "legacy";
  return std::make_shared<const workspace::Snapshot>(std::vector<workspace::Organization>{org},
                                                     std::vector<Channel>{nyc, legacy},
                                                     std::vector<workspace::Keyword>{});
}

UnsettledMessage Unsettled(OutboundId id, std::string carrier_id, ChannelId channel = kNyc) {
  return UnsettledMessage{id, 1, channel, std::move(carrier_id), 1};
}

HttpResponseSpec Reported(const std::string& status, const std::string& code = "") {
  return {.status = 200, .body = "status=" + status + (code.empty() ? "" : "&code=" + code)};
}

/// A reconciler over the fakes, its results counted. Declared so the reconciler goes first.
class ReconcilerRig {
 public:
  explicit ReconcilerRig(ReconcilerOptions options = {}) : reconciler_(Make(std::move(options))) {}
  ~ReconcilerRig() { reconciler_->Stop(0ms); }

  Reconciler& reconciler() { return *reconciler_; }
  std::map<std::string, int> results() {
    std::lock_guard lock(mutex_);
    return results_;
  }

  FakeReconcileStore::Shared store;
  FakeTransport transport;
  FakeStatusSink sink;

 private:
  std::unique_ptr<Reconciler> Make(ReconcilerOptions options) {
    carriers_.Add(std::make_unique<fakes::FakeCarrier>());
    carriers_.Add(std::make_unique<fakes::FakeCarrier>(/*status_query=*/false, "legacy"));
    options.on_result = [this](std::string_view carrier, std::string_view result) {
      std::lock_guard lock(mutex_);
      ++results_[std::string(carrier) + "/" + std::string(result)];
    };
    return std::make_unique<Reconciler>(
        std::make_unique<FakeReconcileStore>(store), transport, carriers_,
        [] { return TwoChannels(); }, sink, std::move(options));
  }

  std::mutex mutex_;
  std::map<std::string, int> results_;
  carriers::Registry carriers_;
  std::unique_ptr<Reconciler> reconciler_;
};

TEST(Reconciler, WhatTheCarrierReportsIsRecordedThroughTheSink) {
  ReconcilerRig rig;
  rig.store.waiting[kNyc] = {Unsettled(7, "id-7"), Unsettled(8, "id-8")};
  rig.transport.RespondWith([](const transport::HttpRequestSpec& request) {
    return request.url.ends_with("id-7") ? Reported("delivered") : Reported("undelivered", "30003");
  });

  EXPECT_EQ(rig.reconciler().RunOnce(), 2);

  ASSERT_EQ(rig.transport.requests().size(), 2u);
  EXPECT_EQ(rig.transport.requests()[0].method, "GET");
  EXPECT_EQ(rig.transport.requests()[0].url, "https://carrier.test/status?id=id-7");
  const auto recorded = rig.sink.recorded();
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_EQ(recorded[0].organization_id, 1);
  EXPECT_EQ(recorded[0].channel_id, kNyc);
  EXPECT_EQ(recorded[0].carrier_message_id, "id-7");
  EXPECT_EQ(recorded[0].status, DeliveryStatus::kDelivered);
  EXPECT_EQ(recorded[0].raw_status, "delivered");
  EXPECT_EQ(recorded[1].status, DeliveryStatus::kUndelivered);
  EXPECT_EQ(recorded[1].error_code, "30003");
  EXPECT_THAT(rig.results(), ElementsAre(Pair("fake/delivered", 1), Pair("fake/undelivered", 1)));
}

TEST(Reconciler, OnlyChannelsWhoseCarrierCanBeAskedAreLookedAt) {
  ReconcilerRig rig;
  rig.store.waiting[kNyc] = {Unsettled(8, "id-8")};
  rig.store.waiting[kLegacy] = {Unsettled(9, "id-9", kLegacy)};
  rig.transport.RespondWith([](const auto&) { return Reported("sent"); });
  EXPECT_EQ(rig.reconciler().RunOnce(), 1);
  EXPECT_THAT(rig.store.looked_at, ElementsAre(kNyc));
  EXPECT_THAT(rig.store.claimed_channels, ElementsAre(kNyc));
}

TEST(Reconciler, AChannelWithNothingDueIsNotClaimedFor) {
  ReconcilerRig rig;
  EXPECT_EQ(rig.reconciler().RunOnce(), 0);
  EXPECT_THAT(rig.store.looked_at, ElementsAre(kNyc));
  EXPECT_THAT(rig.store.claimed_channels, IsEmpty());
}

TEST(Reconciler, TheClaimGetsTheWindowAndTheRate) {
  ReconcilerOptions options;
  options.after = 90s;
  options.per_second = 2;
  ReconcilerRig rig(options);
  rig.store.waiting[kNyc] = {Unsettled(1, "a"), Unsettled(2, "b"), Unsettled(3, "c")};
  rig.transport.RespondWith([](const auto&) { return Reported("sent"); });
  EXPECT_EQ(rig.reconciler().RunOnce(), 2);  // a second's worth
  EXPECT_EQ(rig.store.after, 90s);
  EXPECT_EQ(rig.store.per_second, 2);
  EXPECT_EQ(rig.reconciler().RunOnce(), 1);
}

TEST(Reconciler, UnknownIdsFailedQueriesAndUnaskableIdsRecordNothing) {
  ReconcilerRig rig;
  rig.store.waiting[kNyc] = {Unsettled(1, "gone"), Unsettled(2, "flaky"), Unsettled(3, ""),
                             Unsettled(4, "garbled")};
  rig.transport.RespondWith(
      [](const transport::HttpRequestSpec& request) -> std::optional<HttpResponseSpec> {
        if (request.url.ends_with("gone")) return HttpResponseSpec{.status = 404};
        if (request.url.ends_with("flaky")) return HttpResponseSpec{.status = 0, .timed_out = true};
        return HttpResponseSpec{.status = 200, .body = "status=teleported"};
      });
  rig.reconciler().RunOnce();
  EXPECT_THAT(rig.sink.recorded(), IsEmpty());
  EXPECT_EQ(rig.transport.requests().size(), 3u) << "an id the carrier cannot take is not sent";
  EXPECT_THAT(rig.results(), ElementsAre(Pair("fake/no_query", 1), Pair("fake/not_found", 1),
                                         Pair("fake/query_failed", 2)));
}

TEST(Reconciler, AReportTheSinkCannotStoreIsCountedAsRecordFailed) {
  ReconcilerRig rig;
  rig.sink.Fail();
  rig.store.waiting[kNyc] = {Unsettled(1, "a")};
  rig.transport.RespondWith([](const auto&) { return Reported("delivered"); });
  rig.reconciler().RunOnce();
  EXPECT_THAT(rig.results(), ElementsAre(Pair("fake/record_failed", 1)));
}

TEST(Reconciler, ADatabaseOutageEndsTheRoundQuietly) {
  ReconcilerRig rig;
  rig.store.waiting[kNyc] = {Unsettled(1, "a")};
  rig.store.down = true;
  EXPECT_EQ(rig.reconciler().RunOnce(), 0);
  EXPECT_THAT(rig.transport.requests(), IsEmpty());
}

TEST(Reconciler, ANodeWithItsQueriesInFlightClaimsNoMore) {
  ReconcilerOptions options;
  options.max_in_flight = 1;
  options.per_second = 1;
  ReconcilerRig rig(options);
  rig.store.waiting[kNyc] = {Unsettled(1, "a"), Unsettled(2, "b")};
  EXPECT_EQ(rig.reconciler().RunOnce(), 1);  // held by the transport
  EXPECT_EQ(rig.reconciler().RunOnce(), 0);
  EXPECT_EQ(rig.store.claimed_channels.size(), 1u);
  ASSERT_TRUE(rig.transport.Answer(0, Reported("delivered")));
  EXPECT_EQ(rig.reconciler().RunOnce(), 1);
}

TEST(Reconciler, StopWaitsForTheAnswersInFlightAndRecordsThem) {
  ReconcilerRig rig;
  rig.store.waiting[kNyc] = {Unsettled(1, "a")};
  ASSERT_EQ(rig.reconciler().RunOnce(), 1);
  auto stopped = std::async(std::launch::async, [&] { rig.reconciler().Stop(10s); });
  ASSERT_TRUE(rig.transport.Answer(0, Reported("delivered")));
  stopped.get();
  ASSERT_EQ(rig.sink.recorded().size(), 1u);
  EXPECT_THAT(rig.results(), ElementsAre(Pair("fake/delivered", 1)));
}

TEST(Reconciler, ItsResultsAreNamedUpFront) {
  const auto names = Reconciler::ResultNames();
  for (DeliveryStatus s :
       {DeliveryStatus::kAccepted, DeliveryStatus::kSent, DeliveryStatus::kDelivered,
        DeliveryStatus::kUndelivered, DeliveryStatus::kFailed}) {
    EXPECT_NE(std::find(names.begin(), names.end(), StatusName(s)), names.end()) << StatusName(s);
  }
}

}  // namespace
}  // namespace chorus::dispatch
