#include "support/pg_test_database.hpp"

#include <gtest/gtest.h>

#include <ostream>

namespace chorus::testing {
namespace {

struct UrlCase {
  const char* server;
  const char* expected;
};

void PrintTo(const UrlCase& c, std::ostream* os) { *os << c.server; }

class UrlForDatabaseTest : public ::testing::TestWithParam<UrlCase> {};

TEST_P(UrlForDatabaseTest, NamesTheOtherDatabaseOnTheSameServer) {
  EXPECT_EQ(UrlForDatabase(GetParam().server, "chorus_t_1_0_ab"), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, UrlForDatabaseTest,
    ::testing::Values(
        UrlCase{"postgresql:///postgres?host=/tmp/x/socket&user=postgres",
                "postgresql:///chorus_t_1_0_ab?host=/tmp/x/socket&user=postgres"},
        UrlCase{"postgresql://admin:pw@db.example:5432/postgres?sslmode=require",
                "postgresql://admin:pw@db.example:5432/chorus_t_1_0_ab?sslmode=require"},
        UrlCase{"postgres://localhost", "postgres://localhost/chorus_t_1_0_ab"},
        UrlCase{"postgresql://localhost/", "postgresql://localhost/chorus_t_1_0_ab"},
        UrlCase{"postgresql://localhost?user=u", "postgresql://localhost/chorus_t_1_0_ab?user=u"},
        UrlCase{"postgresql:///?dbname=postgres&host=/s",
                "postgresql:///chorus_t_1_0_ab?dbname=chorus_t_1_0_ab&host=/s"},
        UrlCase{"host=/tmp/x/socket user=postgres dbname=postgres",
                "host=/tmp/x/socket user=postgres dbname=postgres dbname='chorus_t_1_0_ab'"},
        UrlCase{"", "dbname='chorus_t_1_0_ab'"}));

TEST(UrlForDatabase, PercentEncodesUnusualNamesInUrls) {
  EXPECT_EQ(UrlForDatabase("postgresql:///postgres", "a b/c"), "postgresql:///a%20b%2Fc");
}

}  // namespace
}  // namespace chorus::testing
