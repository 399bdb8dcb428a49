#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <set>
#include <vector>

#include "ingest/processing_store.hpp"
#include "workspace/workspace.hpp"

namespace chorus::ingest {

struct ProcessorOptions {
  std::size_t max_batch = 256;  // member keys per transaction
  std::chrono::milliseconds sweep_interval{2000};
  std::chrono::milliseconds sweep_age{2000};  // unprocessed this long: the hint was lost
  std::chrono::milliseconds retry_delay{500}; // after an outage, before trying again
  /// How often due timers are claimed (SKIP LOCKED) and how long a claim lasts.
  std::chrono::milliseconds due_interval{200};
  std::chrono::milliseconds due_lease{30000};
  std::size_t due_batch = 2000;
  /// Members per transaction for due work (timers, webhook results of a backlog): small, so a
  /// member who texts waits at most one such batch, however many timers are firing.
  std::size_t due_batch_members = 64;
  /// Channels that got new queued outbound messages (called on a worker thread).
  std::function<void(const std::vector<ChannelId>&)> on_outbound;
  /// A batch queued webhook calls for flows (called on a worker thread).
  std::function<void()> on_webhook_calls;
  /// After a batch committed: every event it marked processed (called on a worker thread).
  std::function<void(const std::vector<ProcessedMark>&)> on_processed;
  /// After every batch: messages processed (0 on failure) and whether it committed.
  std::function<void(std::size_t keys, bool committed)> on_batch;
};

/// Runs member events after the acknowledgement. Members are sharded over worker threads by
/// member id, so one member's events are handled by one worker in order; the store's
/// per-member lock keeps that true across nodes. Hints come from the inbox the moment a message
/// is durable and from the due-event claimer (timers); a sweeper finds events whose hint was
/// lost (a crash, an outage) and hints them again, so nothing acknowledged is ever left
/// unprocessed. Each worker has two lanes: live work (a member's message, a webhook's result)
/// always goes before due work (timers claimed in bulk), so a burst of 100,000 timers firing
/// does not hold up members who are texting.
class Processor {
 public:
  using SnapshotSource = std::function<workspace::SnapshotPtr()>;

  Processor(std::vector<std::unique_ptr<ProcessingStore>> workers,
            std::unique_ptr<ProcessingStore> sweeper, SnapshotSource snapshot,
            ProcessorOptions options, std::unique_ptr<ProcessingStore> claimer = nullptr);
  ~Processor();
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  void Start();
  /// Live work for these members: thread-safe; cheap (queues keys, wakes workers).
  void Hint(std::vector<MemberKey> keys);
  /// Stops after the batches in progress; queued hints are dropped (their messages are durable
  /// and the next start's sweep picks them up). Idempotent.
  void Stop();

 private:
  enum class Lane { kLive, kDue };
  struct Queue {
    std::deque<MemberKey> keys;
    std::set<MemberKey> queued;  // what `keys` holds; a key no longer here is skipped
  };
  struct Shard {
    std::mutex mutex;
    std::condition_variable ready;
    Queue live, due;
    std::unique_ptr<ProcessingStore> store;
    std::thread thread;
  };

  void Enqueue(std::vector<MemberKey> keys, Lane lane);
  void WorkerLoop(Shard& shard);
  /// Under the shard's lock: the next batch, live keys first; `lane` says which it is.
  std::vector<MemberKey> TakeBatch(Shard& shard, Lane& lane);
  void Process(Shard& shard, std::vector<MemberKey> keys, Lane lane);
  bool TryBatch(Shard& shard, const std::vector<MemberKey>& keys, Lane lane, ErrorCode* code);
  void Requeue(Shard& shard, const std::vector<MemberKey>& keys, Lane lane);
  std::size_t DueBacklog();
  void SweepLoop();
  void DueLoop();

  std::vector<std::unique_ptr<Shard>> shards_;
  std::unique_ptr<ProcessingStore> sweeper_;
  std::unique_ptr<ProcessingStore> claimer_;
  SnapshotSource snapshot_;
  ProcessorOptions options_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread sweep_thread_;
  std::thread due_thread_;
};

}  // namespace chorus::ingest
