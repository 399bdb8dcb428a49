#include "observability/pipeline_metrics.hpp"

namespace chorus::observability {
namespace {

constexpr std::string_view kSends = "chorus_sends_total";
constexpr std::string_view kSendsHelp = "Carrier send attempts";
constexpr std::string_view kDuration = "chorus_send_duration_seconds";
constexpr std::string_view kDurationHelp = "Carrier API latency";
constexpr std::string_view kRedacted = "chorus_retention_redacted_total";
constexpr std::string_view kBroadcast = "chorus_broadcast_messages_total";
constexpr std::string_view kBroadcastHelp =
    "Broadcast messages by stage: written by the fan-out, released into the send queue, "
    "expired (stale before they could go)";
constexpr std::string_view kRedactedHelp = "Message bodies erased after the retention period";
constexpr std::string_view kEvents = "chorus_member_events_total";
constexpr std::string_view kEventsHelp =
    "Member events processed (inbound messages, timers, webhook results, flow starts)";
constexpr std::string_view kWebhookCalls = "chorus_webhook_calls_total";
constexpr std::string_view kWebhookCallsHelp = "Calls of flows' webhook steps, by result";
constexpr std::string_view kReconciliations = "chorus_reconciliations_total";
constexpr std::string_view kReconciliationsHelp =
    "Status queries for messages whose final status never came, by carrier and result";

}  // namespace

PipelineMetrics::PipelineMetrics(
    Registry& r, const std::vector<std::string>& carriers,
    std::span<const std::string_view> send_results,
    const std::vector<std::pair<std::string, std::vector<std::string>>>& event_outcomes,
    std::span<const std::string_view> webhook_results,
    std::span<const std::string_view> reconcile_results)
    : registry_(r),
      ingest_batch_(r.GetHistogram("chorus_ingest_batch_size",
                                   "Webhooks made durable per transaction", {}, SizeBuckets())),
      ingest_failed_(r.GetCounter("chorus_ingest_batches_total", "Ingest transactions",
                                  {{"result", "failed"}})),
      ingest_ok_(r.GetCounter("chorus_ingest_batches_total", "Ingest transactions",
                              {{"result", "committed"}})),
      process_batch_(r.GetHistogram("chorus_processing_batch_members",
                                    "Members routed per processing transaction", {},
                                    SizeBuckets())),
      process_failed_(r.GetCounter("chorus_processing_batches_total", "Processing transactions",
                                   {{"result", "failed"}})),
      outbox_depth_(r.GetGauge("chorus_outbox_due_messages",
                               "Queued outbound messages due now (saturates at 10000)")),
      redacted_inbound_(r.GetCounter(kRedacted, kRedactedHelp, {{"direction", "inbound"}})),
      redacted_outbound_(r.GetCounter(kRedacted, kRedactedHelp, {{"direction", "outbound"}})),
      retention_failed_(r.GetCounter("chorus_retention_failed_steps_total",
                                     "Retention steps that failed (retried next run)")),
      broadcast_fanned_out_(r.GetCounter(kBroadcast, kBroadcastHelp, {{"stage", "fanned_out"}})),
      broadcast_released_(r.GetCounter(kBroadcast, kBroadcastHelp, {{"stage", "released"}})),
      broadcast_expired_(r.GetCounter(kBroadcast, kBroadcastHelp, {{"stage", "expired"}})) {
  for (const auto& carrier : carriers) {
    CarrierSeries series{carrier, &r.GetHistogram(kDuration, kDurationHelp, {{"carrier", carrier}},
                                                  LatencyBuckets()),
                         {}, {}};
    for (std::string_view result : send_results) {
      series.sends.emplace_back(
          std::string(result),
          &r.GetCounter(kSends, kSendsHelp, {{"carrier", carrier}, {"result", std::string(result)}}));
    }
    for (std::string_view result : reconcile_results) {
      series.reconciliations.emplace_back(
          std::string(result),
          &r.GetCounter(kReconciliations, kReconciliationsHelp,
                        {{"carrier", carrier}, {"result", std::string(result)}}));
    }
    carriers_.push_back(std::move(series));
  }
  for (const auto& [kind, outcomes] : event_outcomes) {
    for (const auto& outcome : outcomes) {
      events_.push_back(
          {kind, outcome, &r.GetCounter(kEvents, kEventsHelp, {{"kind", kind}, {"outcome", outcome}})});
    }
  }
  for (std::string_view result : webhook_results) {
    webhook_calls_.emplace_back(std::string(result),
                                &r.GetCounter(kWebhookCalls, kWebhookCallsHelp,
                                              {{"result", std::string(result)}}));
  }
}

// Series made at start are found without the registry's lock; a pair nobody named still
// counts, through the registry.
void PipelineMetrics::OnEvent(std::string_view kind, std::string_view outcome) {
  for (const auto& series : events_) {
    if (series.kind == kind && series.outcome == outcome) {
      series.counter->Inc();
      return;
    }
  }
  registry_.GetCounter(kEvents, kEventsHelp, {{"kind", std::string(kind)},
                                             {"outcome", std::string(outcome)}}).Inc();
}

void PipelineMetrics::OnWebhookCall(std::string_view result) {
  for (const auto& [name, counter] : webhook_calls_) {
    if (name == result) {
      counter->Inc();
      return;
    }
  }
  registry_.GetCounter(kWebhookCalls, kWebhookCallsHelp, {{"result", std::string(result)}}).Inc();
}

void PipelineMetrics::OnReconcile(std::string_view carrier, std::string_view result) {
  for (const auto& series : carriers_) {
    if (series.carrier != carrier) continue;
    for (const auto& [name, counter] : series.reconciliations) {
      if (name == result) {
        counter->Inc();
        return;
      }
    }
  }
  registry_.GetCounter(kReconciliations, kReconciliationsHelp,
                       {{"carrier", std::string(carrier)}, {"result", std::string(result)}})
      .Inc();
}

void PipelineMetrics::OnIngestBatch(std::size_t webhooks, bool committed) {
  ingest_batch_.Observe(static_cast<double>(webhooks));
  (committed ? ingest_ok_ : ingest_failed_).Inc();
}

void PipelineMetrics::OnProcessBatch(std::size_t members, bool committed) {
  if (committed) {
    process_batch_.Observe(static_cast<double>(members));
  } else {
    process_failed_.Inc();
  }
}

void PipelineMetrics::OnSend(std::string_view carrier, std::string_view result, double seconds) {
  SendCounter(carrier, result).Inc();
  SendDuration(carrier).Observe(seconds);
}

void PipelineMetrics::OnOutboxDepth(std::int64_t due) {
  outbox_depth_.Set(static_cast<double>(due));
}

void PipelineMetrics::OnRedacted(std::string_view direction, int bodies) {
  (direction == "inbound" ? redacted_inbound_ : redacted_outbound_)
      .Inc(static_cast<std::uint64_t>(bodies));
}

void PipelineMetrics::OnRetentionFailed() { retention_failed_.Inc(); }

void PipelineMetrics::OnBroadcastRound(std::int64_t fanned_out, std::int64_t released,
                                       std::int64_t expired) {
  broadcast_fanned_out_.Inc(static_cast<std::uint64_t>(fanned_out));
  broadcast_released_.Inc(static_cast<std::uint64_t>(released));
  broadcast_expired_.Inc(static_cast<std::uint64_t>(expired));
}

// A few carriers and results: a linear look through series made at start. A pair nobody named
// at start still counts, through the registry (slower, and it takes its lock).
Counter& PipelineMetrics::SendCounter(std::string_view carrier, std::string_view result) {
  for (const auto& series : carriers_) {
    if (series.carrier != carrier) continue;
    for (const auto& [name, counter] : series.sends) {
      if (name == result) return *counter;
    }
  }
  return registry_.GetCounter(kSends, kSendsHelp,
                              {{"carrier", std::string(carrier)}, {"result", std::string(result)}});
}

Histogram& PipelineMetrics::SendDuration(std::string_view carrier) {
  for (const auto& series : carriers_) {
    if (series.carrier == carrier) return *series.duration;
  }
  return registry_.GetHistogram(kDuration, kDurationHelp, {{"carrier", std::string(carrier)}},
                                LatencyBuckets());
}

}  // namespace chorus::observability
