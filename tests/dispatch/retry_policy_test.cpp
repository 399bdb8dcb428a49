#include "dispatch/retry_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>

namespace chorus::dispatch {
namespace {

using namespace std::chrono_literals;
using std::chrono::seconds;

constexpr RetryPolicy kPolicy{.max_attempts = 8, .base = 2s, .cap = 300s};
constexpr RetryPolicy kLongPolicy{.max_attempts = 30, .base = 2s, .cap = 300s};

struct RetryCase {
  std::string_view name;
  RetryPolicy policy;
  int attempt;
  std::int64_t message_id;
  std::optional<seconds> retry_after;
  std::optional<seconds> delay;
};

void PrintTo(const RetryCase& c, std::ostream* os) { *os << c.name; }

// Jitter is message_id % 21 percent of the backoff, rounded down.
const RetryCase kCases[] = {
    {"FirstRetryWaitsTheBase", kPolicy, 1, 0, std::nullopt, 2s},
    {"SecondRetryDoubles", kPolicy, 2, 0, std::nullopt, 4s},
    {"FifthRetryWaitsThirtyTwoSeconds", kPolicy, 5, 0, std::nullopt, 32s},
    {"JitterAddsUpToTwentyPercent", kPolicy, 5, 20, std::nullopt, 38s},
    {"JitterWrapsEveryTwentyOneIds", kPolicy, 5, 21, std::nullopt, 32s},
    {"JitterTenPercent", kPolicy, 5, 10, std::nullopt, 35s},
    // -1 as unsigned is 2^64 - 1, which is 15 modulo 21: 32 s + 15% = 36 s.
    {"NegativeIdStillGetsBoundedJitter", kPolicy, 5, -1, std::nullopt, 36s},
    {"AttemptZeroIsTreatedAsTheFirst", kPolicy, 0, 0, std::nullopt, 2s},
    {"BackoffIsCapped", kLongPolicy, 9, 0, std::nullopt, 300s},
    {"JitterNeverExceedsTheCap", kLongPolicy, 9, 20, std::nullopt, 300s},
    {"HugeAttemptDoesNotOverflow", kLongPolicy, 29, 7, std::nullopt, 300s},
    {"RetryAfterLongerThanTheBackoffWins", kPolicy, 1, 0, 100s, 100s},
    {"RetryAfterShorterThanTheBackoffIsIgnored", kPolicy, 5, 0, 1s, 32s},
    {"RetryAfterIsCapped", kPolicy, 1, 0, 3600s, 300s},
    {"LastAttemptButOneStillRetries", kPolicy, 7, 0, std::nullopt, 128s},
    {"NoRetryAfterTheLastAttempt", kPolicy, 8, 0, std::nullopt, std::nullopt},
    {"NoRetryAfterTheLastAttemptEvenWithRetryAfter", kPolicy, 8, 0, 5s, std::nullopt},
    {"NoRetryPastTheLastAttempt", kPolicy, 9, 0, std::nullopt, std::nullopt},
};

class RetryPolicyTable : public ::testing::TestWithParam<RetryCase> {};

TEST_P(RetryPolicyTable, NextDelay) {
  const RetryCase& c = GetParam();
  EXPECT_EQ(c.policy.NextDelay(c.attempt, c.message_id, c.retry_after), c.delay);
}

INSTANTIATE_TEST_SUITE_P(Table, RetryPolicyTable, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<RetryCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(RetryPolicy, JitterStaysWithinTwentyPercentForEveryMessage) {
  for (std::int64_t id = 0; id < 500; ++id) {
    for (int attempt = 1; attempt < kPolicy.max_attempts; ++attempt) {
      const seconds backoff = std::min<seconds>(kPolicy.base * (1 << (attempt - 1)), kPolicy.cap);
      const auto delay = kPolicy.NextDelay(attempt, id, std::nullopt);
      ASSERT_TRUE(delay.has_value());
      EXPECT_GE(*delay, backoff) << id << " " << attempt;
      EXPECT_LE(delay->count(), backoff.count() * 120 / 100) << id << " " << attempt;
      EXPECT_LE(*delay, kPolicy.cap);
    }
  }
}

TEST(RetryPolicy, JitterSpreadsABurstOfRetries) {
  std::set<seconds> delays;
  for (std::int64_t id = 0; id < 21; ++id) delays.insert(*kPolicy.NextDelay(6, id, std::nullopt));
  EXPECT_GT(delays.size(), 10u);
}

}  // namespace
}  // namespace chorus::dispatch
