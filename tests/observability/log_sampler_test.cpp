#include "observability/log_sampler.hpp"

#include <gtest/gtest.h>

namespace chorus::observability {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(LogSampler, FirstLineIsWrittenThenOnePerIntervalWithTheSkippedCount) {
  LogSampler sampler(10s);
  const Clock::time_point t0{};
  EXPECT_TRUE(sampler.Sample(t0).log);
  EXPECT_FALSE(sampler.Sample(t0 + 1s).log);
  EXPECT_FALSE(sampler.Sample(t0 + 9s).log);
  LogSampler::Decision next = sampler.Sample(t0 + 10s);
  EXPECT_TRUE(next.log);
  EXPECT_EQ(next.suppressed, 2u);
  EXPECT_FALSE(sampler.Sample(t0 + 19s).log);
  LogSampler::Decision after = sampler.Sample(t0 + 25s);
  EXPECT_TRUE(after.log);
  EXPECT_EQ(after.suppressed, 1u);
}

TEST(LogSampler, QuietPeriodsReportNothingSuppressed) {
  LogSampler sampler(1s);
  const Clock::time_point t0{};
  EXPECT_EQ(sampler.Sample(t0).suppressed, 0u);
  LogSampler::Decision later = sampler.Sample(t0 + 1h);
  EXPECT_TRUE(later.log);
  EXPECT_EQ(later.suppressed, 0u);
}

}  // namespace
}  // namespace chorus::observability
