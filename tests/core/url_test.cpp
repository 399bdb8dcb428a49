#include "core/url.hpp"

#include <gtest/gtest.h>

namespace chorus {
namespace {

TEST(HttpUrl, HttpsWithDefaultPort) {
  auto url = ParseHttpUrl("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "api.twilio.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/2010-04-01/Accounts/AC1/Messages.json");
  EXPECT_EQ(url->host_header, "api.twilio.com");
  EXPECT_EQ(url->pool_key, "https://api.twilio.com:443");
}

TEST(HttpUrl, HttpWithPortQueryAndFragment) {
  auto url = ParseHttpUrl("HTTP://Example.COM:8080/send?x=1&y=2#frag");
  ASSERT_TRUE(url.ok());
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->target, "/send?x=1&y=2");
  EXPECT_EQ(url->host_header, "example.com:8080");
  EXPECT_EQ(url->pool_key, "http://example.com:8080");
}

TEST(HttpUrl, MissingPathBecomesSlash) {
  EXPECT_EQ(ParseHttpUrl("http://h")->target, "/");
  EXPECT_EQ(ParseHttpUrl("http://h?q=1")->target, "/?q=1");
}

TEST(HttpUrl, Ipv6Literal) {
  auto url = ParseHttpUrl("http://[::1]:9000/x");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 9000);
  EXPECT_EQ(url->host_header, "[::1]:9000");
}

TEST(HttpUrl, RejectsWhatItCannotSend) {
  for (const char* bad :
       {"", "example.com/x", "ftp://h/x", "http://", "http:///x", "http://h:/x", "http://h:0/",
        "http://h:65536/", "http://h:8x/", "http://user:pw@h/", "http://h x/", "http://h/a b",
        "http://h/\r\nX: y", "http://[::1/", "http://[::1]x/", "http://h\xc3\xa9/"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

TEST(HttpUrl, OffsetsLocateThePortAsWritten) {
  const std::string text = "https://sms.example.org:8443/webhooks?x=1";
  auto url = ParseHttpUrl(text);
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->explicit_port);
  EXPECT_EQ(text.substr(url->port_begin, url->authority_end - url->port_begin), ":8443");
  const std::string plain = "http://[::1]/x";
  auto v6 = ParseHttpUrl(plain);
  ASSERT_TRUE(v6.ok());
  EXPECT_FALSE(v6->explicit_port);
  EXPECT_EQ(v6->port_begin, v6->authority_end);
  EXPECT_EQ(plain.substr(0, v6->port_begin), "http://[::1]");
}

TEST(HttpUrl, ReasonsNeverQuoteTheInput) {
  auto bad = ParseHttpUrl("http://user:secret@h/");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "must not contain a user name or password");
  EXPECT_EQ(ParseHttpUrl("ftp://h").error().message, "must start with http:// or https://");
}

}  // namespace
}  // namespace chorus
