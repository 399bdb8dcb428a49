#include "dispatch/reconciler.hpp"

#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

namespace chorus::dispatch {
namespace {

// The statuses a carrier adapter maps its answers to (carrier.hpp, StatusQueryOutcome), then
// the other ends, in ResultNames() order.
constexpr std::string_view kResultNames[] = {"accepted",     "sent",          "delivered",
                                             "undelivered",  "failed",        "not_found",
                                             "query_failed", "record_failed", "no_query"};
constexpr std::string_view kNotFound = kResultNames[5];
constexpr std::string_view kQueryFailed = kResultNames[6];
constexpr std::string_view kRecordFailed = kResultNames[7];
constexpr std::string_view kNoQuery = kResultNames[8];

}  // namespace

std::span<const std::string_view> Reconciler::ResultNames() { return kResultNames; }

Reconciler::Reconciler(std::unique_ptr<ReconcileStore> store, transport::Transport& transport,
                       const carriers::Registry& carriers, SnapshotSource snapshot,
                       StatusSink& sink, ReconcilerOptions options)
    : store_(std::move(store)),
      transport_(transport),
      carriers_(carriers),
      snapshot_(std::move(snapshot)),
      sink_(sink),
      options_(std::move(options)) {}

Reconciler::~Reconciler() { Stop(std::chrono::milliseconds(0)); }

void Reconciler::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Reconciler::Stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::unique_lock lock(mutex_);
  stopped_ = true;
  // An answer still on its way is lost for now: the message was counted as asked, and is asked
  // again after `after` (up to kMaxReconcileAttempts).
  if (!drained_.wait_for(lock, deadline, [this] { return in_flight_ == 0; })) {
    spdlog::warn("reconcile.stop_with_queries_in_flight count={}", in_flight_);
  }
}

bool Reconciler::Stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

bool Reconciler::Full() {
  std::lock_guard lock(mutex_);
  return in_flight_ >= options_.max_in_flight;
}

void Reconciler::Loop() {
  for (;;) {
    RunOnce();
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, options_.interval, [this] { return stopping_; })) return;
  }
}

std::vector<ChannelId> Reconciler::AskableChannels(const workspace::Snapshot& snapshot) const {
  std::vector<ChannelId> askable;
  for (const Channel& channel : snapshot.channels()) {
    const carriers::Carrier* carrier = carriers_.Find(channel.carrier);
    if (carrier != nullptr && carrier->HasStatusQuery()) askable.push_back(channel.id);
  }
  return askable;
}

int Reconciler::RunOnce() {
  const workspace::SnapshotPtr snapshot = snapshot_();
  if (!snapshot) return 0;
  const std::vector<ChannelId> askable = AskableChannels(*snapshot);
  if (askable.empty()) return 0;
  auto due = store_->ChannelsToAsk(askable, options_.after);
  if (!due.ok()) {
    // The database is down or failing: the next round tries again.
    spdlog::warn("reconcile.look_failed code={}", ErrorCodeName(due.error().code));
    return 0;
  }
  int asked = 0;
  for (ChannelId id : *due) {
    const Channel* channel = snapshot->ChannelById(id);
    const carriers::Carrier* carrier = channel ? carriers_.Find(channel->carrier) : nullptr;
    if (carrier == nullptr) continue;
    if (Stopping() || Full()) break;
    auto claimed = store_->ClaimUnsettled(id, options_.after, options_.per_second);
    if (!claimed.ok()) {
      spdlog::warn("reconcile.claim_failed channel={} code={}", id,
                   ErrorCodeName(claimed.error().code));
      break;  // one line per round, not one per channel
    }
    for (const UnsettledMessage& message : *claimed) {
      Ask(*channel, *carrier, message);
      ++asked;
    }
  }
  return asked;
}

void Reconciler::Ask(const Channel& channel, const carriers::Carrier& carrier,
                     const UnsettledMessage& message) {
  {
    std::lock_guard lock(mutex_);
    ++in_flight_;
  }
  auto query = carrier.BuildStatusQuery(channel, message.carrier_message_id);
  if (!query) {
    Finish(carrier, message, kNoQuery);
    return;
  }
  transport_.Send(std::move(*query),
                  [this, carrier = &carrier, message](transport::HttpResponseSpec response) {
                    OnAnswer(*carrier, message, response);
                  });
}

// On a transport thread. A reported status goes the way a delivery callback's does: stored
// once per (message, carrier status), moving the message forward only.
void Reconciler::OnAnswer(const carriers::Carrier& carrier, const UnsettledMessage& message,
                          const transport::HttpResponseSpec& response) {
  carriers::StatusQueryOutcome outcome = carrier.ParseStatusQuery(response);
  switch (outcome.found) {
    case carriers::StatusQueryOutcome::Found::kNo:
      Finish(carrier, message, kNotFound);
      return;
    case carriers::StatusQueryOutcome::Found::kUnknown:
      Finish(carrier, message, kQueryFailed);
      return;
    case carriers::StatusQueryOutcome::Found::kYes:
      break;
  }
  std::vector<ReportedStatus> reports;
  reports.push_back(ReportedStatus{message.organization_id, message.channel_id,
                                   message.carrier_message_id, outcome.status,
                                   std::move(outcome.raw_status), std::move(outcome.error_code)});
  const std::string_view recorded = StatusName(outcome.status);
  sink_.Record(std::move(reports),
               [this, carrier = &carrier, message, recorded](Result<void> done) {
                 Finish(*carrier, message, done.ok() ? recorded : kRecordFailed);
               });
}

void Reconciler::Finish(const carriers::Carrier& carrier, const UnsettledMessage& message,
                        std::string_view result) {
  spdlog::debug("reconcile.asked outbound={} channel={} attempt={} result={}", message.id,
                message.channel_id, message.attempt, result);
  if (options_.on_result) options_.on_result(carrier.kind(), result);
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
  }
  drained_.notify_all();
}

}  // namespace chorus::dispatch
