#include "observability/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

namespace chorus::observability {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, CounterRendersHelpTypeAndValue) {
  Registry registry;
  registry.GetCounter("chorus_webhooks_total", "Webhooks received.", {{"carrier", "twilio"}})
      .Inc(3);
  EXPECT_EQ(registry.Render(),
            "# HELP chorus_webhooks_total Webhooks received.\n"
            "# TYPE chorus_webhooks_total counter\n"
            "chorus_webhooks_total{carrier=\"twilio\"} 3\n");
}

TEST(Metrics, SameNameAndLabelsIsTheSameCounter) {
  Registry registry;
  Counter& a = registry.GetCounter("chorus_sends_total", "Sends.", {{"result", "accepted"}});
  Counter& b = registry.GetCounter("chorus_sends_total", "Sends.", {{"result", "accepted"}});
  Counter& c = registry.GetCounter("chorus_sends_total", "Sends.", {{"result", "failed"}});
  a.Inc();
  b.Inc();
  c.Inc(5);
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(a.value(), 2u);
  EXPECT_EQ(registry.Render(),
            "# HELP chorus_sends_total Sends.\n"
            "# TYPE chorus_sends_total counter\n"
            "chorus_sends_total{result=\"accepted\"} 2\n"
            "chorus_sends_total{result=\"failed\"} 5\n");
}

TEST(Metrics, GaugeWithoutLabelsRendersItsValue) {
  Registry registry;
  registry.GetGauge("chorus_outbox_depth", "Queued messages due now.").Set(2.5);
  registry.GetGauge("chorus_temperature", "Can go below zero.").Set(-1);
  EXPECT_EQ(registry.Render(),
            "# HELP chorus_outbox_depth Queued messages due now.\n"
            "# TYPE chorus_outbox_depth gauge\n"
            "chorus_outbox_depth 2.5\n"
            "# HELP chorus_temperature Can go below zero.\n"
            "# TYPE chorus_temperature gauge\n"
            "chorus_temperature -1\n");
}

TEST(Metrics, HistogramRendersCumulativeBucketsInfSumAndCount) {
  Registry registry;
  Histogram& h = registry.GetHistogram("chorus_send_seconds", "Send latency.",
                                       {{"carrier", "twilio"}}, {0.5, 1, 10});
  for (double v : {0.25, 0.5, 0.75, 5.0, 50.0}) h.Observe(v);  // 0.5 falls in le="0.5"
  EXPECT_EQ(registry.Render(),
            "# HELP chorus_send_seconds Send latency.\n"
            "# TYPE chorus_send_seconds histogram\n"
            "chorus_send_seconds_bucket{carrier=\"twilio\",le=\"0.5\"} 2\n"
            "chorus_send_seconds_bucket{carrier=\"twilio\",le=\"1\"} 3\n"
            "chorus_send_seconds_bucket{carrier=\"twilio\",le=\"10\"} 4\n"
            "chorus_send_seconds_bucket{carrier=\"twilio\",le=\"+Inf\"} 5\n"
            "chorus_send_seconds_sum{carrier=\"twilio\"} 56.5\n"
            "chorus_send_seconds_count{carrier=\"twilio\"} 5\n");
}

TEST(Metrics, HistogramWithoutLabelsGetsOnlyLe) {
  Registry registry;
  registry.GetHistogram("chorus_batch_size", "Items per batch.", {}, {1, 4}).Observe(3);
  EXPECT_EQ(registry.Render(),
            "# HELP chorus_batch_size Items per batch.\n"
            "# TYPE chorus_batch_size histogram\n"
            "chorus_batch_size_bucket{le=\"1\"} 0\n"
            "chorus_batch_size_bucket{le=\"4\"} 1\n"
            "chorus_batch_size_bucket{le=\"+Inf\"} 1\n"
            "chorus_batch_size_sum 3\n"
            "chorus_batch_size_count 1\n");
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(RenderLabels({{"path", "a\\b\"c\nd"}}), "{path=\"a\\\\b\\\"c\\nd\"}");
  EXPECT_EQ(RenderLabels({{"a", "1"}, {"b", "2"}}), "{a=\"1\",b=\"2\"}");
  EXPECT_EQ(RenderLabels({}), "");
}

TEST(Metrics, EscapedLabelsAppearInTheRendering) {
  Registry registry;
  registry.GetCounter("chorus_errors_total", "Errors.", {{"message", "say \"hi\""}}).Inc();
  EXPECT_THAT(registry.Render(), HasSubstr("chorus_errors_total{message=\"say \\\"hi\\\"\"} 1\n"));
}

TEST(Metrics, FamiliesAreRenderedByName) {
  Registry registry;
  registry.GetCounter("chorus_b_total", "B.").Inc();
  registry.GetGauge("chorus_a", "A.").Set(1);
  const std::string text = registry.Render();
  EXPECT_LT(text.find("# HELP chorus_a "), text.find("# HELP chorus_b_total "));
}

TEST(Metrics, ConcurrentIncrementsAreAllCounted) {
  Registry registry;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Counter& c = registry.GetCounter("chorus_hits_total", "Hits.");
      Histogram& h = registry.GetHistogram("chorus_hit_size", "Size.", {}, SizeBuckets());
      for (int i = 0; i < 10000; ++i) {
        c.Inc();
        h.Observe(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(registry.GetCounter("chorus_hits_total", "Hits.").value(), 40000u);
  const Histogram& h = registry.GetHistogram("chorus_hit_size", "Size.", {}, SizeBuckets());
  EXPECT_EQ(h.count(), 40000u);
  EXPECT_EQ(h.bucket(0), 40000u);
  EXPECT_EQ(h.sum(), 40000.0);
}

TEST(Metrics, StandardBucketsAreSortedAndSpanTheirRange) {
  const auto latency = LatencyBuckets();
  EXPECT_TRUE(std::is_sorted(latency.begin(), latency.end()));
  EXPECT_EQ(latency.front(), 0.0005);
  EXPECT_EQ(latency.back(), 10);
  const auto size = SizeBuckets();
  EXPECT_TRUE(std::is_sorted(size.begin(), size.end()));
  EXPECT_EQ(size.front(), 1);
  EXPECT_EQ(size.back(), 4096);
}

}  // namespace
}  // namespace chorus::observability
