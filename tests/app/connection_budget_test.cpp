#include "app/connection_budget.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chorus::app {
namespace {

using ::testing::HasSubstr;

TEST(PlanConnections, KeepsWhatWasAskedWhenItFits) {
  auto budget = PlanConnections(10'000, std::nullopt, 1'048'576, 400);
  ASSERT_TRUE(budget.ok());
  EXPECT_EQ(budget->max_connections, 10'000u);
  EXPECT_FALSE(budget->clamped);
  EXPECT_EQ(budget->per_peer, 2'500u);  // a quarter by default
}

TEST(PlanConnections, ClampsBelowTheDescriptorLimitLeavingTheReserve) {
  auto budget = PlanConnections(10'000, std::nullopt, 1024, 400);
  ASSERT_TRUE(budget.ok());
  EXPECT_EQ(budget->max_connections, 624u);
  EXPECT_TRUE(budget->clamped);
  EXPECT_EQ(budget->per_peer, 156u);
}

TEST(PlanConnections, ExplicitPerPeerIsKeptZeroMeansNoLimitAndItNeverExceedsTheCap) {
  EXPECT_EQ(PlanConnections(1000, 10, 100'000, 100)->per_peer, 10u);
  EXPECT_EQ(PlanConnections(1000, 0, 100'000, 100)->per_peer, 0u);
  EXPECT_EQ(PlanConnections(100, 5000, 100'000, 100)->per_peer, 100u);
}

TEST(PlanConnections, RefusesALimitThatLeavesAlmostNothingWithOneLine) {
  auto budget = PlanConnections(10'000, std::nullopt, 256, 300);
  ASSERT_FALSE(budget.ok());
  EXPECT_THAT(budget.error().message, HasSubstr("ulimit -n"));
  EXPECT_EQ(budget.error().message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace chorus::app
