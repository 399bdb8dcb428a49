#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "observability/metrics.hpp"

namespace chorus::observability {

/// The metrics of the message pipeline (ingest, processing, dispatch, retention). Every series
/// is created here, once: the hot paths only increment. Thread-safe.
class PipelineMetrics {
 public:
  /// `carriers` and `send_results` name every label value OnSend will see (the registered
  /// carrier kinds; dispatch::SendResultNames()).
  /// `event_outcomes`: every kind of member event with every outcome OnEvent will see
  /// (ingest::EventOutcomeNames()); `webhook_results`: every result OnWebhookCall will see;
  /// `reconcile_results`: every result OnReconcile will see, per carrier
  /// (dispatch::Reconciler::ResultNames()).
  PipelineMetrics(
      Registry& registry, const std::vector<std::string>& carriers,
      std::span<const std::string_view> send_results,
      const std::vector<std::pair<std::string, std::vector<std::string>>>& event_outcomes = {},
      std::span<const std::string_view> webhook_results = {},
      std::span<const std::string_view> reconcile_results = {});

  void OnIngestBatch(std::size_t webhooks, bool committed);
  void OnProcessBatch(std::size_t members, bool committed);
  void OnSend(std::string_view carrier, std::string_view result, double seconds);
  void OnOutboxDepth(std::int64_t due);
  void OnRedacted(std::string_view direction, int bodies);
  void OnRetentionFailed();
  /// Broadcast messages moved by one runner round: written by the fan-out, released into the
  /// send queue, expired before they could go.
  void OnBroadcastRound(std::int64_t fanned_out, std::int64_t released, std::int64_t expired);
  /// A member event processed (committed) with `outcome`.
  void OnEvent(std::string_view kind, std::string_view outcome);
  /// A flow's webhook call finished with `result`.
  void OnWebhookCall(std::string_view result);
  /// The reconciler asked `carrier` for a message's status, with `result`.
  void OnReconcile(std::string_view carrier, std::string_view result);

 private:
  struct CarrierSeries {
    std::string carrier;
    Histogram* duration = nullptr;
    std::vector<std::pair<std::string, Counter*>> sends;  // by result
    std::vector<std::pair<std::string, Counter*>> reconciliations;  // by result
  };
  Counter& SendCounter(std::string_view carrier, std::string_view result);
  Histogram& SendDuration(std::string_view carrier);

  Registry& registry_;
  Histogram& ingest_batch_;
  Counter& ingest_failed_;
  Counter& ingest_ok_;
  Histogram& process_batch_;
  Counter& process_failed_;
  Gauge& outbox_depth_;
  Counter& redacted_inbound_;
  Counter& redacted_outbound_;
  Counter& retention_failed_;
  Counter& broadcast_fanned_out_;
  Counter& broadcast_released_;
  Counter& broadcast_expired_;
  struct EventSeries {
    std::string kind, outcome;
    Counter* counter = nullptr;
  };
  std::vector<CarrierSeries> carriers_;  // read-only after construction
  std::vector<EventSeries> events_;      // read-only after construction
  std::vector<std::pair<std::string, Counter*>> webhook_calls_;  // read-only, by result
};

}  // namespace chorus::observability
