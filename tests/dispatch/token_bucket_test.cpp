#include "dispatch/token_bucket.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <string>
#include <string_view>

namespace chorus::dispatch {
namespace {

using namespace std::chrono_literals;
using Clock = TokenBucket::Clock;

const Clock::time_point kT0 = Clock::time_point{} + 1000s;

Clock::time_point At(double seconds) {
  return kT0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

struct BucketCase {
  std::string_view name;
  double rate;
  double burst;
  int take;       // at t = 0
  double at;      // seconds after t = 0
  int available;  // whole tokens at `at`
  double wait;    // seconds until one token, at `at`
};

void PrintTo(const BucketCase& c, std::ostream* os) { *os << c.name; }

const BucketCase kCases[] = {
    {"StartsFull", 5, 5, 0, 0, 5, 0},
    {"NeverHoldsMoreThanTheBurst", 5, 5, 0, 100, 5, 0},
    {"BurstBelowOneIsRaisedToOne", 0.5, 0.5, 0, 0, 1, 0},
    {"TakingEverythingLeavesNothing", 1, 1, 1, 0, 0, 1},
    {"RefillsAtTheRate", 2, 10, 10, 1, 2, 0},
    {"RefillIsCappedAtTheBurstAfterALongPause", 2, 10, 10, 60, 10, 0},
    {"FractionOfATokenIsNotAvailable", 1, 1, 1, 0.5, 0, 0.5},
    {"SlowRateWaitsLong", 0.5, 1, 1, 0, 0, 2},
    {"OverdrawOfAThreeSegmentMessageIsADebt", 1, 1, 3, 0, 0, 3},
    {"DebtIsRepaidBeforeTokensReturn", 1, 1, 3, 2, 0, 1},
    {"AfterTheDebtTokensReturn", 1, 1, 3, 3, 1, 0},
    {"FastRateWaitsAFractionOfASecond", 4, 4, 4, 0, 0, 0.25},
};

class TokenBucketTable : public ::testing::TestWithParam<BucketCase> {};

TEST_P(TokenBucketTable, HoldsTheExpectedTokens) {
  const BucketCase& c = GetParam();
  TokenBucket bucket(c.rate, c.burst, kT0);
  if (c.take > 0) bucket.Take(c.take, kT0);
  EXPECT_EQ(bucket.Available(At(c.at)), c.available);
  const double wait = std::chrono::duration<double>(bucket.TimeUntilAvailable(At(c.at))).count();
  EXPECT_NEAR(wait, c.wait, 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Table, TokenBucketTable, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<BucketCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(TokenBucket, LongRunRateIsExactWithOverdraw) {
  TokenBucket bucket(1, 1, kT0);
  int sent = 0;
  for (int second = 0; second <= 60; ++second) {
    if (bucket.Available(At(second)) > 0) {
      bucket.Take(3, At(second));  // three segments each
      sent += 3;
    }
  }
  EXPECT_EQ(sent, 63);  // at t = 0, 3, ..., 60: 21 messages of 3 segments in 60 s
}

TEST(TokenBucket, LoweringTheRateDropsTokensAboveTheNewBurst) {
  TokenBucket bucket(10, 10, kT0);
  bucket.SetRate(2, 2);
  EXPECT_EQ(bucket.Available(kT0), 2);
}

TEST(TokenBucket, RaisingTheRateDoesNotGrantTokensAtOnce) {
  TokenBucket bucket(2, 2, kT0);
  bucket.Take(2, kT0);
  bucket.SetRate(10, 10);
  EXPECT_EQ(bucket.Available(kT0), 0);
  EXPECT_EQ(bucket.Available(At(0.5)), 5);
}

TEST(TokenBucket, ClockGoingBackwardsChangesNothing) {
  TokenBucket bucket(1, 5, kT0);
  bucket.Take(5, At(10));
  EXPECT_EQ(bucket.Available(At(5)), 0);
  EXPECT_EQ(bucket.Available(At(12)), 2);
}

}  // namespace
}  // namespace chorus::dispatch
