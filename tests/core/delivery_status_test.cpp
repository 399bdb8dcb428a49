#include "core/delivery_status.hpp"

#include <gtest/gtest.h>

#include <ostream>

namespace chorus {
namespace {

using S = DeliveryStatus;

struct TransitionCase {
  S from;
  S to;
  bool allowed;
};

void PrintTo(const TransitionCase& c, std::ostream* os) {
  *os << StatusName(c.from) << "->" << StatusName(c.to);
}

class StatusTransitions : public ::testing::TestWithParam<TransitionCase> {};

TEST_P(StatusTransitions, MoveOnlyForwardAndNeverOutOfTerminal) {
  const auto& c = GetParam();
  EXPECT_EQ(MayAdvance(c.from, c.to), c.allowed)
      << StatusName(c.from) << " -> " << StatusName(c.to);
}

INSTANTIATE_TEST_SUITE_P(
    Table, StatusTransitions,
    ::testing::Values(TransitionCase{S::kSending, S::kAccepted, true},
                      TransitionCase{S::kAccepted, S::kSent, true},
                      TransitionCase{S::kSent, S::kDelivered, true},
                      TransitionCase{S::kAccepted, S::kDelivered, true},
                      TransitionCase{S::kSent, S::kUndelivered, true},
                      TransitionCase{S::kSending, S::kFailed, true},
                      TransitionCase{S::kDelivered, S::kSent, false},
                      TransitionCase{S::kSent, S::kAccepted, false},
                      TransitionCase{S::kSent, S::kSent, false},
                      TransitionCase{S::kDelivered, S::kUndelivered, false},
                      TransitionCase{S::kUndelivered, S::kDelivered, false},
                      TransitionCase{S::kFailed, S::kDelivered, false},
                      TransitionCase{S::kCancelled, S::kSent, false},
                      TransitionCase{S::kUnknown, S::kDelivered, false},
                      TransitionCase{S::kSending, S::kUnknown, true}));

TEST(StatusNames, RoundTripEveryStatus) {
  for (S s : {S::kQueued, S::kSending, S::kAccepted, S::kSent, S::kDelivered, S::kUndelivered,
              S::kFailed, S::kCancelled, S::kUnknown}) {
    auto parsed = ParseStatusName(StatusName(s));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_FALSE(ParseStatusName("delivred").has_value());
}

}  // namespace
}  // namespace chorus
