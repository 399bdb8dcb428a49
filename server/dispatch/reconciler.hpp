#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

#include "carriers/carrier.hpp"
#include "carriers/registry.hpp"
#include "dispatch/reconcile_store.hpp"
#include "dispatch/status_sink.hpp"
#include "transport/transport.hpp"
#include "workspace/workspace.hpp"

namespace chorus::dispatch {

struct ReconcilerOptions {
  /// A message is asked about once it has had no news for this long: since it was sent, or
  /// since it was last asked.
  std::chrono::seconds after{3600};
  /// Status queries a second per channel, all nodes together (the carrier's API has limits).
  int per_second = 5;
  /// How often each node claims; each claim takes at most what the channel's rate has left.
  std::chrono::milliseconds interval{1000};
  /// Queries in flight on this node at most; a round stops claiming beyond it.
  std::size_t max_in_flight = 256;
  /// How each query ended: the carrier's kind and one of ResultNames(). Any thread.
  std::function<void(std::string_view carrier, std::string_view result)> on_result;
};

/// Makes stats converge: a message the carrier took but whose final status never arrived (a
/// delivery callback refused during a database outage, which the carrier may not retry) is
/// asked about at its carrier (Carrier::BuildStatusQuery), and the answer is recorded through
/// the StatusSink, the path delivery callbacks take. Every node runs one; claims are shared
/// through the store (ReconcileStore::ClaimUnsettled). A message is asked at most
/// kMaxReconcileAttempts times; one its carrier keeps reporting 'sent' stays 'sent'.
/// Lifetime: the transport's and the sink's callbacks reach into the reconciler: stop the I/O
/// threads and the sink after Stop() and before destroying it.
class Reconciler {
 public:
  using SnapshotSource = std::function<workspace::SnapshotPtr()>;

  Reconciler(std::unique_ptr<ReconcileStore> store, transport::Transport& transport,
             const carriers::Registry& carriers, SnapshotSource snapshot, StatusSink& sink,
             ReconcilerOptions options);
  ~Reconciler();
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  void Start();
  /// Stops claiming, waits up to `deadline` for the queries in flight to be answered and
  /// recorded, joins. Idempotent.
  void Stop(std::chrono::milliseconds deadline);

  /// One round on the caller's thread: for every channel whose carrier has a status query,
  /// claims what the channel's rate allows and sends the queries (answers are handled as they
  /// come, on the transport's threads). How many queries were sent.
  int RunOnce();

  /// How a query can end: the status the carrier reported and we recorded ("accepted", "sent",
  /// "delivered", "undelivered", "failed"), "not_found" (the carrier does not know the id),
  /// "query_failed" (no answer, or one we cannot read), "record_failed" (the sink refused the
  /// report: the database is down), "no_query" (the carrier cannot ask for this id).
  static std::span<const std::string_view> ResultNames();

 private:
  void Loop();
  /// The channels whose carrier has a status query.
  std::vector<ChannelId> AskableChannels(const workspace::Snapshot& snapshot) const;
  bool Stopping();
  bool Full();
  void Ask(const Channel& channel, const carriers::Carrier& carrier,
           const UnsettledMessage& message);
  void OnAnswer(const carriers::Carrier& carrier, const UnsettledMessage& message,
                const transport::HttpResponseSpec& response);
  void Finish(const carriers::Carrier& carrier, const UnsettledMessage& message,
              std::string_view result);

  std::unique_ptr<ReconcileStore> store_;
  transport::Transport& transport_;
  const carriers::Registry& carriers_;
  SnapshotSource snapshot_;
  StatusSink& sink_;
  ReconcilerOptions options_;

  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::condition_variable drained_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::size_t in_flight_ = 0;
  std::thread thread_;
};

}  // namespace chorus::dispatch
