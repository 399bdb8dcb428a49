#include "api/cursor.hpp"

#include <gtest/gtest.h>

namespace chorus::api {
namespace {

TEST(Cursor, RoundTripsIdsIncludingLargeOnes) {
  for (std::int64_t id : {0LL, 1LL, 99LL, 123456789012LL, 9223372036854775807LL}) {
    auto back = DecodeCursor(EncodeCursor(id));
    ASSERT_TRUE(back.ok()) << id;
    EXPECT_EQ(*back, id);
  }
}

TEST(Cursor, IsUrlSafeWithoutPadding) {
  for (std::int64_t id = 0; id < 2000; id += 37) {
    const std::string c = EncodeCursor(id);
    EXPECT_EQ(c.find_first_of("+/=%&?# "), std::string::npos) << c;
  }
}

TEST(Cursor, RefusesWhatItDidNotMake) {
  const char* bad[] = {"", "abc", "!!!!", "YzEu",  // "c1." with no id
                       "YzEuLTE",                   // "c1.-1"
                       "YzIuNQ",                    // "c2.5": another version
                       "YzEuNXg",                   // "c1.5x"
                       "YzEuNQ==",                  // padded
                       "YzEu+NQ"};
  for (const char* c : bad) {
    auto r = DecodeCursor(c);
    EXPECT_FALSE(r.ok()) << c;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c;
    }
  }
  EXPECT_FALSE(DecodeCursor(std::string(200, 'A')).ok());
}

TEST(Base64Url, MatchesRfc4648Section10VectorsWithUrlAlphabet) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

}  // namespace
}  // namespace chorus::api
