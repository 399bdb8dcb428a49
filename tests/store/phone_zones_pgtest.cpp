#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

// chorus_phone_zone and its table phone_time_zones (migration 0017).
class PhoneZonesTest : public StoreTest {
 protected:
  // The zone for `number`; nullopt for SQL NULL.
  std::optional<std::string> Zone(const std::string& number) {
    const pqxx::result rows = Sql("SELECT chorus_phone_zone($1)", number);
    if (rows.size() != 1 || rows[0][0].is_null()) return std::nullopt;
    return rows[0][0].as<std::string>();
  }
};

TEST_F(PhoneZonesTest, CountryAndAreaPrefixesGiveTheirZone) {
  EXPECT_EQ(Zone("+919876543210"), "Asia/Kolkata");
  EXPECT_EQ(Zone("+254712345678"), "Africa/Nairobi");
  EXPECT_EQ(Zone("+12125550123"), "America/New_York");
  EXPECT_EQ(Zone("+12135550123"), "America/Los_Angeles");
  EXPECT_EQ(Zone("+5511987654321"), "America/Sao_Paulo");
}

TEST_F(PhoneZonesTest, NamesThatShareOneClockGiveOneZone) {
  // libphonenumber lists London, Guernsey, Jersey and the Isle of Man for +44 7911.
  EXPECT_EQ(Zone("+447911123456"), "Europe/London");
}

TEST_F(PhoneZonesTest, UnknownOrAmbiguousNumbersGiveNull) {
  EXPECT_EQ(Zone("+999123456789"), std::nullopt);  // no such country code
  EXPECT_EQ(Zone("+12000000001"), std::nullopt);   // no area code 200
  EXPECT_EQ(Zone(""), std::nullopt);
  EXPECT_EQ(Zone("+"), std::nullopt);
  EXPECT_TRUE(Sql("SELECT chorus_phone_zone(NULL)")[0][0].is_null());
}

TEST_F(PhoneZonesTest, AnAmbiguousRangeInsideAOneZoneRangeGivesNull) {
  // 1208 46: America/Denver, but libphonenumber lists Boise and Los Angeles for 1208 460.
  EXPECT_EQ(Zone("+12084611234"), "America/Denver");
  EXPECT_EQ(Zone("+12084601234"), std::nullopt);
}

TEST_F(PhoneZonesTest, NumberWithoutPlusGivesTheSameZone) {
  for (const std::string number : {"919876543210", "254712345678", "12125550123", "12135550123",
                                   "5511987654321", "999123456789", "12084601234"}) {
    EXPECT_EQ(Zone(number), Zone("+" + number)) << number;
  }
  EXPECT_EQ(Zone("12125550123"), "America/New_York");
}

TEST_F(PhoneZonesTest, NoPrefixIsAPrefixOfAnother) {
  // chorus_phone_zone probes one row: the greatest prefix not after the number.
  EXPECT_EQ(Count("SELECT count(*) FROM phone_time_zones b"
                  " CROSS JOIN generate_series(1, length(b.prefix) - 1) AS k(n)"
                  " JOIN phone_time_zones a ON a.prefix = left(b.prefix, k.n)"),
            0);
}

TEST_F(PhoneZonesTest, EveryZoneIsKnownToThisServer) {
  EXPECT_EQ(Value<std::string>("SELECT coalesce(string_agg(DISTINCT zone, ', '), '')"
                               " FROM phone_time_zones"
                               " WHERE zone NOT IN (SELECT name FROM pg_timezone_names)"),
            "");
}

}  // namespace
}  // namespace chorus::store::pg
