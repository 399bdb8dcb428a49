#include "http/detail/url.hpp"

#include <gtest/gtest.h>

namespace chorus::http::detail {
namespace {

TEST(ClientUrl, HttpsWithDefaultPort) {
  auto url = ParseUrl("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json");
  ASSERT_TRUE(url.has_value());
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "api.twilio.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/2010-04-01/Accounts/AC1/Messages.json");
  EXPECT_EQ(url->host_header, "api.twilio.com");
  EXPECT_EQ(url->pool_key, "https://api.twilio.com:443");
}

TEST(ClientUrl, HttpWithPortQueryAndFragment) {
  auto url = ParseUrl("HTTP://Example.COM:8080/send?x=1&y=2#frag");
  ASSERT_TRUE(url.has_value());
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->target, "/send?x=1&y=2");
  EXPECT_EQ(url->host_header, "example.com:8080");
  EXPECT_EQ(url->pool_key, "http://example.com:8080");
}

TEST(ClientUrl, MissingPathBecomesSlash) {
  EXPECT_EQ(ParseUrl("http://h")->target, "/");
  EXPECT_EQ(ParseUrl("http://h?q=1")->target, "/?q=1");
}

TEST(ClientUrl, Ipv6Literal) {
  auto url = ParseUrl("http://[::1]:9000/x");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 9000);
  EXPECT_EQ(url->host_header, "[::1]:9000");
}

TEST(ClientUrl, RejectsWhatItCannotSend) {
  for (const char* bad :
       {"", "example.com/x", "ftp://h/x", "http://", "http:///x", "http://h:/x", "http://h:0/",
        "http://h:65536/", "http://h:8x/", "http://user:pw@h/", "http://h x/", "http://h/a b",
        "http://h/\r\nX: y", "http://[::1/", "http://[::1]x/", "http://h\xc3\xa9/"}) {
    EXPECT_FALSE(ParseUrl(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace chorus::http::detail
