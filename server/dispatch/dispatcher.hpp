#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "carriers/carrier.hpp"
#include "carriers/registry.hpp"
#include "dispatch/outbox_store.hpp"
#include "dispatch/retry_policy.hpp"
#include "dispatch/token_bucket.hpp"
#include "transport/transport.hpp"
#include "workspace/workspace.hpp"

namespace chorus::dispatch {

/// Every result name `DispatcherOptions::on_send` reports, for metrics made at start.
std::span<const std::string_view> SendResultNames();

struct DispatcherOptions {
  std::string node_id;                          // lease owner
  std::string public_base_url;                  // for status callback URLs
  std::chrono::seconds lease{60};               // > carrier timeout + time to record a result
  std::chrono::milliseconds poll_interval{250}; // due retries and other nodes' messages
  std::chrono::milliseconds recover_interval{5000};
  std::size_t max_in_flight = 256;
  int max_claim = 128;
  /// Each channel's rate is held across every node through the database (OutboxStore::Claim);
  /// the node's own bucket still paces this node. Off: each node alone keeps the rate.
  bool shared_throughput = true;
  RetryPolicy retry;
  /// After each send: carrier name, result name ("accepted", "retry", "failed",
  /// "opted_out"; for a lookup before a resend "found", "lookup_not_found", "lookup_failed"),
  /// seconds from request to answer.
  std::function<void(std::string_view carrier, std::string_view result, double seconds)> on_send;
  /// Queued messages due now, from each poll.
  std::function<void(std::int64_t depth)> on_depth;
};

/// Sends the outbox. A claimer thread takes due messages per channel only as fast as the
/// channel's token bucket allows (so unclaimed messages stay queued, where a STOP can still
/// cancel them), hands them to the transport, and a recorder thread writes results in batches.
/// Processing wakes it directly (Notify) so replies go out without waiting for a poll.
/// Lifetime: the transport's callbacks reach into the dispatcher, so stop the I/O threads that
/// run them after Stop() and before destroying it.
class Dispatcher {
 public:
  using SnapshotSource = std::function<workspace::SnapshotPtr()>;

  /// A message whose channel names a carrier `carriers` does not hold is failed with the
  /// reason "carrier_not_registered", never sent.
  Dispatcher(std::unique_ptr<OutboxStore> claimer, std::unique_ptr<OutboxStore> recorder,
             transport::Transport& transport, const carriers::Registry& carriers,
             SnapshotSource snapshot, DispatcherOptions options);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Start();
  /// These channels have new queued messages. Thread-safe, cheap.
  void Notify(const std::vector<ChannelId>& channels);
  /// Stops claiming, waits up to `deadline` for sends in flight, writes their results, joins.
  void Stop(std::chrono::milliseconds deadline);

 private:
  using SteadyClock = std::chrono::steady_clock;

  void ClaimLoop();
  SteadyClock::time_point ClaimRound(SteadyClock::time_point now);
  enum class ChannelState {
    kDrained,   // nothing more due
    kMore,      // the claim was full: more may be due right now
    kWaiting,   // due work left, waiting for tokens, capacity or the database
  };
  ChannelState ClaimChannel(const Channel& channel, SteadyClock::time_point now,
                            SteadyClock::time_point& next_wake);
  void StartSend(const Channel& channel, const carriers::Carrier* carrier,
                 ClaimedMessage message);
  void Send(const Channel& channel, const carriers::Carrier& carrier, ClaimedMessage message,
            const carriers::SendRequest& request);
  void OnLookup(const Channel& channel, const carriers::Carrier& carrier, ClaimedMessage message,
                carriers::SendRequest request, std::chrono::system_clock::time_point since,
                const transport::HttpResponseSpec& response, SteadyClock::time_point started);
  void OnAnswer(const Channel& channel, const carriers::Carrier& carrier,
                const ClaimedMessage& message, const transport::HttpResponseSpec& response,
                SteadyClock::time_point started);
  void Finish(SendRecord record);
  SendRecord Settled(const ClaimedMessage& message, const carriers::LookupOutcome& found) const;
  SendRecord ToRecord(const ClaimedMessage& message, const carriers::SendOutcome& outcome) const;
  void RecordLoop();
  void Poll(SteadyClock::time_point now);

  std::unique_ptr<OutboxStore> claimer_;
  std::unique_ptr<OutboxStore> recorder_;
  transport::Transport& transport_;
  const carriers::Registry& carriers_;
  SnapshotSource snapshot_;
  DispatcherOptions options_;

  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  bool stopping_ = false;
  bool notified_ = false;
  std::set<ChannelId> pending_;  // channels believed to have due work
  std::set<ChannelId> dirty_;    // notified since the claimer last looked
  std::map<ChannelId, TokenBucket> buckets_;
  std::size_t in_flight_ = 0;
  std::map<ChannelId, std::size_t> in_flight_by_channel_;
  std::deque<SendRecord> results_;
  std::condition_variable results_ready_;
  std::condition_variable drained_;
  bool recorder_stopping_ = false;

  SteadyClock::time_point next_poll_{};
  SteadyClock::time_point next_recover_{};
  std::thread claim_thread_;
  std::thread record_thread_;
};

}  // namespace chorus::dispatch
