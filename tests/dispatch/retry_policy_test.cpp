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

// Jitter takes message_id % 21 percent off the backoff (rounded down), so it spreads retries
// even at the cap; the delay is never below 1 s.
const RetryCase kCases[] = {
    {"FirstRetryWaitsTheBase", kPolicy, 1, 0, std::nullopt, 2s},
    {"SecondRetryDoubles", kPolicy, 2, 0, std::nullopt, 4s},
    {"FifthRetryWaitsThirtyTwoSeconds", kPolicy, 5, 0, std::nullopt, 32s},
    {"JitterTakesOffUpToTwentyPercent", kPolicy, 5, 20, std::nullopt, 26s},
    {"JitterWrapsEveryTwentyOneIds", kPolicy, 5, 21, std::nullopt, 32s},
    {"JitterTenPercent", kPolicy, 5, 10, std::nullopt, 29s},
    // -1 as unsigned is 2^64 - 1, which is 15 modulo 21: 32 s - 15% = 28 s (27.2 rounded up
    // by the integer arithmetic: 32 - 32*15/100 = 32 - 4).
    {"NegativeIdStillGetsBoundedJitter", kPolicy, 5, -1, std::nullopt, 28s},
    {"AttemptZeroIsTreatedAsTheFirst", kPolicy, 0, 0, std::nullopt, 2s},
    {"BackoffIsCapped", kLongPolicy, 9, 0, std::nullopt, 300s},
    {"JitterStillSpreadsAtTheCap", kLongPolicy, 9, 20, std::nullopt, 240s},
    {"HugeAttemptDoesNotOverflow", kLongPolicy, 29, 7, std::nullopt, 279s},
    {"RetryAfterLongerThanTheBackoffWins", kPolicy, 1, 0, 100s, 100s},
    {"RetryAfterShorterThanTheBackoffIsIgnored", kPolicy, 5, 0, 1s, 32s},
    {"RetryAfterBeyondTheCapIsHonoured", kPolicy, 1, 0, 1800s, 1800s},
    {"RetryAfterIsLimitedToAnHour", kPolicy, 1, 0, 7200s, 3600s},
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

TEST(RetryPolicy, JitterStaysWithinTwentyPercentBelowTheBackoffForEveryMessage) {
  for (std::int64_t id = 0; id < 500; ++id) {
    for (int attempt = 1; attempt < kLongPolicy.max_attempts; ++attempt) {
      const seconds backoff =
          std::min<seconds>(kLongPolicy.base * (1LL << std::min(attempt - 1, 20)), kLongPolicy.cap);
      const auto delay = kLongPolicy.NextDelay(attempt, id, std::nullopt);
      ASSERT_TRUE(delay.has_value());
      EXPECT_LE(*delay, backoff) << id << " " << attempt;
      EXPECT_GE(delay->count(), backoff.count() * 80 / 100) << id << " " << attempt;
    }
  }
}

TEST(RetryPolicy, JitterSpreadsRetriesThatReachedTheCap) {
  std::set<seconds> delays;
  for (std::int64_t id = 0; id < 21; ++id) delays.insert(*kLongPolicy.NextDelay(20, id, std::nullopt));
  EXPECT_GT(delays.size(), 10u);
}

TEST(RetryPolicy, JitterSpreadsABurstOfRetries) {
  std::set<seconds> delays;
  for (std::int64_t id = 0; id < 21; ++id) delays.insert(*kPolicy.NextDelay(6, id, std::nullopt));
  EXPECT_GT(delays.size(), 10u);
}

}  // namespace
}  // namespace chorus::dispatch
