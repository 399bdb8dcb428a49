#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "broadcasts/broadcast_store.hpp"
#include "core/result.hpp"

namespace chorus::broadcasts {

struct RunnerOptions {
  std::chrono::milliseconds interval{250};  // between rounds with nothing to do
  int fan_out_batch = 5000;                 // members per INSERT ... SELECT
  /// Held messages are released while fewer than this many of the pool's broadcast messages
  /// are queued: the send queue stays short (a STOP can still stop what is held, and a claim
  /// never wades through a million rows), whatever the broadcast's size.
  int queue_limit = 20000;
  int release_batch = 5000;
  /// Channels that got queued messages (the dispatcher's Notify).
  std::function<void(const std::vector<ChannelId>&)> on_queued;
  std::function<void(std::int64_t written, std::int64_t queued, std::int64_t expired)> on_round;
  std::function<void(const Error&)> on_error;
};

/// Each node runs one: fans out the broadcasts whose time has come, releases held messages as
/// their recipients' quiet hours end and the queue drains, and marks broadcasts done. Every
/// step is a short transaction that any node can take over.
class Runner {
 public:
  Runner(std::unique_ptr<BroadcastQueue> queue, RunnerOptions options);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  void Start();
  /// A broadcast was created or resumed: look now rather than at the next round.
  void Notify();
  void Stop();

  /// One round (also what tests drive): true when it did any work.
  bool RunOnce();

 private:
  void Loop();
  bool Step(const ActiveBroadcast& broadcast);

  std::unique_ptr<BroadcastQueue> queue_;
  RunnerOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool notified_ = false;
  std::thread thread_;
};

}  // namespace chorus::broadcasts
