#include "http/detail/request_id.hpp"

#include <gtest/gtest.h>

#include <set>

namespace chorus::http::detail {
namespace {

TEST(ServerRequestId, AcceptsSaneIncomingIds) {
  EXPECT_EQ(RequestIdFor("abc-DEF_0.9"), "abc-DEF_0.9");
  EXPECT_EQ(RequestIdFor(std::string(64, 'a')), std::string(64, 'a'));
}

TEST(ServerRequestId, ReplacesEmptyLongOrOddIds) {
  for (std::string bad : {std::string(), std::string(65, 'a'), std::string("a b"),
                          std::string("a\"b"), std::string("a\nb"), std::string("caf\xc3\xa9")}) {
    std::string id = RequestIdFor(bad);
    EXPECT_NE(id, bad);
    EXPECT_EQ(id.size(), 16u);
  }
}

TEST(ServerRequestId, GeneratedIdsAreSixteenHexCharsAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 16u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace chorus::http::detail
