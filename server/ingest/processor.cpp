#include "ingest/processor.hpp"

#include <spdlog/spdlog.h>

#include "ingest/batch_decider.hpp"

namespace chorus::ingest {

Processor::Processor(std::vector<std::unique_ptr<ProcessingStore>> workers,
                     std::unique_ptr<ProcessingStore> sweeper, SnapshotSource snapshot,
                     ProcessorOptions options, std::unique_ptr<ProcessingStore> claimer)
    : sweeper_(std::move(sweeper)),
      claimer_(std::move(claimer)),
      snapshot_(std::move(snapshot)),
      options_(std::move(options)) {
  for (auto& store : workers) {
    auto shard = std::make_unique<Shard>();
    shard->store = std::move(store);
    shards_.push_back(std::move(shard));
  }
}

Processor::~Processor() { Stop(); }

void Processor::Start() {
  for (auto& shard : shards_) {
    shard->thread = std::thread([this, s = shard.get()] { WorkerLoop(*s); });
  }
  if (sweeper_) sweep_thread_ = std::thread([this] { SweepLoop(); });
  if (claimer_) due_thread_ = std::thread([this] { DueLoop(); });
}

void Processor::Hint(std::vector<MemberKey> keys) { Enqueue(std::move(keys), Lane::kLive); }

void Processor::Enqueue(std::vector<MemberKey> keys, Lane lane) {
  std::vector<std::vector<MemberKey>> by_shard(shards_.size());
  for (auto& key : keys) {
    const auto index = static_cast<std::uint64_t>(MemberLockKey(key)) % shards_.size();
    by_shard[index].push_back(std::move(key));
  }
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    if (by_shard[i].empty()) continue;
    Shard& shard = *shards_[i];
    {
      std::lock_guard lock(shard.mutex);
      Queue& queue = lane == Lane::kLive ? shard.live : shard.due;
      for (auto& key : by_shard[i]) {
        if (queue.queued.insert(key).second) queue.keys.push_back(key);
      }
    }
    shard.ready.notify_one();
  }
}

void Processor::Stop() {
  {
    std::lock_guard lock(stop_mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  for (auto& shard : shards_) {
    {
      std::lock_guard lock(shard->mutex);  // pairs with the wait predicate
    }
    shard->ready.notify_all();
  }
  for (auto& shard : shards_) {
    if (shard->thread.joinable()) shard->thread.join();
  }
  if (sweep_thread_.joinable()) sweep_thread_.join();
  if (due_thread_.joinable()) due_thread_.join();
}

void Processor::WorkerLoop(Shard& shard) {
  while (true) {
    std::vector<MemberKey> keys;
    Lane lane = Lane::kLive;
    {
      std::unique_lock lock(shard.mutex);
      shard.ready.wait(lock, [&] {
        std::lock_guard stop_lock(stop_mutex_);
        return stopping_ || !shard.live.keys.empty() || !shard.due.keys.empty();
      });
      {
        std::lock_guard stop_lock(stop_mutex_);
        if (stopping_) return;
      }
      keys = TakeBatch(shard, lane);
    }
    if (!keys.empty()) Process(shard, std::move(keys), lane);
  }
}

std::vector<MemberKey> Processor::TakeBatch(Shard& shard, Lane& lane) {
  std::vector<MemberKey> keys;
  lane = shard.live.keys.empty() ? Lane::kDue : Lane::kLive;
  Queue& queue = lane == Lane::kLive ? shard.live : shard.due;
  const std::size_t limit =
      lane == Lane::kLive ? options_.max_batch : options_.due_batch_members;
  while (!queue.keys.empty() && keys.size() < limit) {
    MemberKey key = queue.keys.front();
    queue.keys.pop_front();
    if (queue.queued.erase(key) == 0) continue;  // taken by the live lane meanwhile
    // A member taken live has nothing left for their due entry to do.
    if (lane == Lane::kLive) shard.due.queued.erase(key);
    keys.push_back(key);
  }
  return keys;
}

bool Processor::TryBatch(Shard& shard, const std::vector<MemberKey>& keys, Lane lane,
                         ErrorCode* code) {
  workspace::SnapshotPtr snapshot = snapshot_();
  std::vector<ProcessedMark> marks;  // of the attempt that committed (a retry decides again)
  auto result = shard.store->ProcessBatch(keys, [&](const BatchContext& context) {
    BatchEffects effects = DecideBatch(context, *snapshot);
    if (options_.on_processed) marks = effects.processed;
    return effects;
  });
  if (options_.on_batch) options_.on_batch(result.ok() ? keys.size() : 0, result.ok());
  if (result.ok()) {
    if (options_.on_processed && !marks.empty()) options_.on_processed(marks);
    if (!result->outbound_channels.empty() && options_.on_outbound) {
      options_.on_outbound(result->outbound_channels);
    }
    if (result->webhook_calls && options_.on_webhook_calls) options_.on_webhook_calls();
    if (!result->more.empty()) Requeue(shard, result->more, lane);
    return true;
  }
  *code = result.error().code;
  spdlog::warn("processing.batch_failed keys={} code={} error=\"{}\"", keys.size(),
               ErrorCodeName(*code), result.error().message);
  return false;
}

void Processor::Process(Shard& shard, std::vector<MemberKey> keys, Lane lane) {
  ErrorCode code = ErrorCode::kInternal;
  if (TryBatch(shard, keys, lane, &code)) return;
  if (code == ErrorCode::kUnavailable || code == ErrorCode::kTimeout) {
    // An outage: wait, then try the same members again (the sweeper would find them too).
    std::unique_lock lock(stop_mutex_);
    if (stop_cv_.wait_for(lock, options_.retry_delay, [this] { return stopping_; })) return;
    lock.unlock();
    Requeue(shard, keys, lane);
    return;
  }
  // Refused for its data: isolate the member responsible and set their messages aside.
  for (const MemberKey& key : keys) {
    if (keys.size() > 1 && TryBatch(shard, {key}, lane, &code)) continue;
    if (code == ErrorCode::kUnavailable || code == ErrorCode::kTimeout) {
      Requeue(shard, {key}, lane);
      continue;
    }
    auto quarantined = shard.store->Quarantine(key);
    spdlog::error("processing.quarantined organization={} ok={}", key.organization_id,
                  quarantined.ok());
  }
}

void Processor::Requeue(Shard& shard, const std::vector<MemberKey>& keys, Lane lane) {
  std::lock_guard lock(shard.mutex);
  Queue& queue = lane == Lane::kLive ? shard.live : shard.due;
  for (const auto& key : keys) {
    if (queue.queued.insert(key).second) queue.keys.push_back(key);
  }
}

std::size_t Processor::DueBacklog() {
  std::size_t backlog = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    backlog += shard->due.queued.size();
  }
  return backlog;
}

void Processor::SweepLoop() {
  // The first sweep takes everything: at start-up, unprocessed messages are what a previous
  // process acknowledged and did not finish.
  std::chrono::milliseconds age{0};
  while (true) {
    auto found = sweeper_->FindUnprocessed(age, 10'000);
    if (found.ok() && !found->empty()) {
      spdlog::info("processing.sweep members={}", found->size());
      Hint(std::move(found.value()));
    }
    age = options_.sweep_age;
    std::unique_lock lock(stop_mutex_);
    if (stop_cv_.wait_for(lock, options_.sweep_interval, [this] { return stopping_; })) return;
  }
}

void Processor::DueLoop() {
  while (true) {
    // Claims cover what workers will reach soon: a claim is a lease, and leases of work that
    // waits behind a long queue would expire and be claimed again for nothing.
    bool again = false;
    if (DueBacklog() < options_.due_batch) {
      auto due = claimer_->ClaimDue(options_.due_batch, options_.due_lease);
      again = due.ok() && due->size() >= options_.due_batch;
      if (due.ok() && !due->empty()) Enqueue(std::move(due.value()), Lane::kDue);
    }
    // A full claim means more are due: claim again as soon as the workers catch up.
    std::unique_lock lock(stop_mutex_);
    const auto wait = again ? std::chrono::milliseconds(10) : options_.due_interval;
    if (stop_cv_.wait_for(lock, wait, [this] { return stopping_; })) return;
  }
}

}  // namespace chorus::ingest
