#include "observability/pipeline_metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chorus::observability {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kResults[] = {"accepted", "retry"};

TEST(PipelineMetrics, EverySendSeriesExistsFromTheStart) {
  Registry registry;
  PipelineMetrics metrics(registry, {"twilio", "telnyx"}, kResults);
  const std::string text = registry.Render();
  for (const char* series :
       {R"(chorus_sends_total{carrier="twilio",result="accepted"} 0)",
        R"(chorus_sends_total{carrier="twilio",result="retry"} 0)",
        R"(chorus_sends_total{carrier="telnyx",result="accepted"} 0)",
        R"(chorus_send_duration_seconds_count{carrier="telnyx"} 0)",
        R"(chorus_retention_redacted_total{direction="inbound"} 0)",
        R"(chorus_retention_redacted_total{direction="outbound"} 0)"}) {
    EXPECT_THAT(text, HasSubstr(series));
  }
}

TEST(PipelineMetrics, SendsCountInTheirOwnSeries) {
  Registry registry;
  PipelineMetrics metrics(registry, {"twilio", "telnyx"}, kResults);
  metrics.OnSend("telnyx", "retry", 0.2);
  metrics.OnSend("telnyx", "retry", 0.3);
  metrics.OnSend("twilio", "accepted", 0.1);
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr(R"(chorus_sends_total{carrier="telnyx",result="retry"} 2)"));
  EXPECT_THAT(text, HasSubstr(R"(chorus_sends_total{carrier="twilio",result="accepted"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(chorus_sends_total{carrier="twilio",result="retry"} 0)"));
  EXPECT_THAT(text, HasSubstr(R"(chorus_send_duration_seconds_count{carrier="telnyx"} 2)"));
}

TEST(PipelineMetrics, ASeriesNobodyNamedAtStartStillCounts) {
  Registry registry;
  PipelineMetrics metrics(registry, {"twilio"}, kResults);
  EXPECT_THAT(registry.Render(), Not(HasSubstr("lookup_failed")));
  metrics.OnSend("twilio", "lookup_failed", 0.1);
  metrics.OnSend("vonage", "accepted", 0.1);
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr(R"(chorus_sends_total{carrier="twilio",result="lookup_failed"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(chorus_sends_total{carrier="vonage",result="accepted"} 1)"));
}

TEST(PipelineMetrics, ReconciliationsCountPerCarrierAndResultFromZero) {
  Registry registry;
  constexpr std::string_view kReconciled[] = {"delivered", "not_found"};
  PipelineMetrics metrics(registry, {"twilio", "telnyx"}, kResults, {}, {}, kReconciled);
  EXPECT_THAT(registry.Render(),
              HasSubstr(R"(chorus_reconciliations_total{carrier="telnyx",result="not_found"} 0)"));
  metrics.OnReconcile("twilio", "delivered");
  metrics.OnReconcile("twilio", "delivered");
  metrics.OnReconcile("telnyx", "query_failed");  // not named at start: still counted
  const std::string text = registry.Render();
  for (const char* series :
       {R"(chorus_reconciliations_total{carrier="twilio",result="delivered"} 2)",
        R"(chorus_reconciliations_total{carrier="telnyx",result="delivered"} 0)",
        R"(chorus_reconciliations_total{carrier="telnyx",result="query_failed"} 1)"}) {
    EXPECT_THAT(text, HasSubstr(series));
  }
}

TEST(PipelineMetrics, MemberEventsAndWebhookCallsCountFromZero) {
  Registry registry;
  constexpr std::string_view kCalls[] = {"ok", "timed_out"};
  PipelineMetrics metrics(registry, {}, {},
                          {{"inbound", {"keyword", "flow_answer"}}, {"timer", {"fired", "stale"}}},
                          kCalls);
  EXPECT_THAT(registry.Render(),
              HasSubstr(R"(chorus_member_events_total{kind="timer",outcome="stale"} 0)"));
  metrics.OnEvent("timer", "fired");
  metrics.OnEvent("timer", "fired");
  metrics.OnEvent("inbound", "flow_answer");
  metrics.OnEvent("flow_start", "started");  // named at start by nobody: still counts
  metrics.OnWebhookCall("timed_out");
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr(R"(chorus_member_events_total{kind="timer",outcome="fired"} 2)"));
  EXPECT_THAT(text,
              HasSubstr(R"(chorus_member_events_total{kind="inbound",outcome="flow_answer"} 1)"));
  EXPECT_THAT(text,
              HasSubstr(R"(chorus_member_events_total{kind="flow_start",outcome="started"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(chorus_webhook_calls_total{result="timed_out"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(chorus_webhook_calls_total{result="ok"} 0)"));
}

TEST(PipelineMetrics, BatchesDepthAndRetention) {
  Registry registry;
  PipelineMetrics metrics(registry, {}, {});
  metrics.OnIngestBatch(7, true);
  metrics.OnIngestBatch(3, false);
  metrics.OnProcessBatch(4, false);
  metrics.OnOutboxDepth(42);
  metrics.OnRedacted("outbound", 1000);
  metrics.OnRedacted("inbound", 5);
  metrics.OnRetentionFailed();
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr(R"(chorus_ingest_batches_total{result="committed"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(chorus_ingest_batches_total{result="failed"} 1)"));
  EXPECT_THAT(text, HasSubstr("chorus_ingest_batch_size_count 2"));
  EXPECT_THAT(text, HasSubstr(R"(chorus_processing_batches_total{result="failed"} 1)"));
  EXPECT_THAT(text, HasSubstr("chorus_outbox_due_messages 42"));
  EXPECT_THAT(text, HasSubstr(R"(chorus_retention_redacted_total{direction="outbound"} 1000)"));
  EXPECT_THAT(text, HasSubstr(R"(chorus_retention_redacted_total{direction="inbound"} 5)"));
  EXPECT_THAT(text, HasSubstr("chorus_retention_failed_steps_total 1"));
}

}  // namespace
}  // namespace chorus::observability
