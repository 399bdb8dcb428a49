#include "store/pg/pg_array.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

// The literals are only right if PostgreSQL parses them back to the same values, so every
// case round-trips through the server rather than comparing strings.
class PgArrayTest : public StoreTest {
 protected:
  PgArrayTest() : StoreTest(chorus::testing::PgTestDatabase::Schema::kEmpty) {}

  // Elements in order; SQL NULL as nullopt.
  std::vector<std::optional<std::string>> Parse(const std::string& literal,
                                                const std::string& type) {
    std::vector<std::optional<std::string>> out;
    for (const auto& row : Sql("SELECT v::text FROM unnest($1::" + type + "[]) WITH ORDINALITY"
                               " AS t(v, n) ORDER BY n",
                               literal)) {
      if (row[0].is_null()) out.emplace_back(std::nullopt);
      else out.emplace_back(row[0].as<std::string>());
    }
    return out;
  }
};

const std::vector<std::string> kAwkwardTexts = {
    "plain",
    "",
    " leading and trailing spaces ",
    "\"double\" and 'single' quotes",
    "back\\slash \\\" and a trailing backslash\\",
    "{braces}, {nested,{more}}",
    "commas, everywhere,,",
    "line one\nline two\r\n\ttab",
    "NULL",
    "null",
    "emoji 🎉👍🏽 and Devanagari नमस्ते दुनिया",
    "\\N and \\\\ and \\x41",
};

TEST_F(PgArrayTest, TextArrayRoundTripsAwkwardStringsByteForByte) {
  const auto parsed = Parse(TextArray(kAwkwardTexts), "text");
  ASSERT_EQ(parsed.size(), kAwkwardTexts.size());
  for (std::size_t i = 0; i < kAwkwardTexts.size(); ++i) {
    ASSERT_TRUE(parsed[i].has_value()) << "element " << i << " became NULL";
    EXPECT_EQ(*parsed[i], kAwkwardTexts[i]) << "element " << i;
  }
}

TEST_F(PgArrayTest, EmptyArraysParseAsEmpty) {
  EXPECT_TRUE(Parse(TextArray({}), "text").empty());
  EXPECT_TRUE(Parse(IntArray({}), "bigint").empty());
  EXPECT_TRUE(Parse(NullableTextArray({}), "text").empty());
}

TEST_F(PgArrayTest, NullableTextArrayKeepsTheWordNullApartFromSqlNull) {
  const std::vector<std::optional<std::string>> values = {"NULL", std::nullopt, "", "x,y"};
  EXPECT_EQ(Parse(NullableTextArray(values), "text"), values);
}

TEST_F(PgArrayTest, IntegerArraysRoundTripExtremesAndNulls) {
  const std::vector<std::int64_t> ints = {0, -1, 42, INT64_MAX, INT64_MIN};
  const std::vector<std::optional<std::string>> expected = {
      "0", "-1", "42", "9223372036854775807", "-9223372036854775808"};
  EXPECT_EQ(Parse(IntArray(ints), "bigint"), expected);

  const std::vector<std::optional<std::int64_t>> nullable = {7, std::nullopt, -7};
  const std::vector<std::optional<std::string>> expected_nullable = {"7", std::nullopt, "-7"};
  EXPECT_EQ(Parse(NullableIntArray(nullable), "bigint"), expected_nullable);
}

TEST_F(PgArrayTest, BoolArrayRoundTrips) {
  const std::vector<std::optional<std::string>> expected = {"true", "false", "true"};
  EXPECT_EQ(Parse(BoolArray({true, false, true}), "boolean"), expected);
}

}  // namespace
}  // namespace chorus::store::pg

namespace chorus::store::pg {
namespace {

class PgIntArrayOutputTest : public StoreTest {
 protected:
  PgIntArrayOutputTest() : StoreTest(chorus::testing::PgTestDatabase::Schema::kEmpty) {}
};

// ParseIntArray reads what PostgreSQL prints, so the input comes from the server.
TEST_F(PgIntArrayOutputTest, ParseIntArrayReadsWhatPostgresPrints) {
  const auto row = Sql(
      "SELECT ARRAY[0, -1, 42, 9223372036854775807, -9223372036854775808]::bigint[]::text,"
      " ARRAY[-2147483648, 7]::int[]::text, '{}'::int[]::text, ARRAY[3, NULL, 4]::int[]::text")[0];
  EXPECT_EQ(ParseIntArray(row[0].c_str()),
            (std::vector<std::int64_t>{0, -1, 42, INT64_MAX, INT64_MIN}));
  EXPECT_EQ(ParseIntArray(row[1].c_str()), (std::vector<std::int64_t>{-2147483648LL, 7}));
  EXPECT_TRUE(ParseIntArray(row[2].c_str()).empty());
  EXPECT_EQ(ParseIntArray(row[3].c_str()), (std::vector<std::int64_t>{3, 4}));
  EXPECT_TRUE(ParseIntArray("").empty());
}

}  // namespace
}  // namespace chorus::store::pg
