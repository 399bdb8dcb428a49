#include "http/detail/framing.hpp"

#include <gtest/gtest.h>

#include <ostream>

namespace chorus::http::detail {
namespace {

constexpr MessageLimits kLimits{1024, 1024};

struct RequestCase {
  const char* name;
  std::string bytes;
  unsigned status;  // 0: accepted
  std::string body = "";
};

void PrintTo(const RequestCase& c, std::ostream* os) { *os << c.name; }

std::string Head(std::string_view extra) {
  return "POST /x HTTP/1.1\r\nHost: h\r\n" + std::string(extra) + "\r\n";
}

class ParseRequestTable : public ::testing::TestWithParam<RequestCase> {};

TEST_P(ParseRequestTable, AppliesTheConnectionsRules) {
  const RequestCase& c = GetParam();
  ParsedRequest parsed = ParseRequest(c.bytes, kLimits);
  if (c.status == 0) {
    ASSERT_TRUE(parsed.complete) << (parsed.failure ? parsed.failure->message : "incomplete");
    EXPECT_EQ(parsed.request->body(), c.body);
  } else {
    ASSERT_TRUE(parsed.failure.has_value());
    EXPECT_EQ(parsed.failure->status, c.status) << parsed.failure->message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseRequestTable,
    ::testing::Values(
        RequestCase{"ContentLength", Head("Content-Length: 3\r\n") + "abc", 0, "abc"},
        RequestCase{"Chunked", Head("Transfer-Encoding: chunked\r\n") + "3\r\nabc\r\n0\r\n\r\n",
                    0, "abc"},
        RequestCase{"ChunkedUpperCase",
                    Head("Transfer-Encoding: CHUNKED\r\n") + "1\r\na\r\n0\r\n\r\n", 0, "a"},
        RequestCase{"NoBody", "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", 0},
        RequestCase{"Gzip", Head("Transfer-Encoding: gzip\r\n") + "abc", 400},
        RequestCase{"GzipChunked",
                    Head("Transfer-Encoding: gzip, chunked\r\n") + "1\r\na\r\n0\r\n\r\n", 400},
        RequestCase{"ChunkedAndLength",
                    Head("Transfer-Encoding: chunked\r\nContent-Length: 1\r\n") + "1\r\na\r\n0\r\n\r\n",
                    400},
        RequestCase{"ChunkedInHttp10",
                    "POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n", 400},
        RequestCase{"NoHost", "GET /x HTTP/1.1\r\n\r\n", 400},
        RequestCase{"TwoHosts", "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        RequestCase{"Trailer",
                    Head("Transfer-Encoding: chunked\r\n") + "1\r\na\r\n0\r\nX-A: b\r\n\r\n", 400},
        RequestCase{"HugeTrailer",
                    Head("Transfer-Encoding: chunked\r\n") + "1\r\na\r\n0\r\nX-A: " +
                        std::string(65534, 'b') + "\r\n\r\n",
                    431},
        RequestCase{"ExtensionsOverHeaderLimit",
                    Head("Transfer-Encoding: chunked\r\n") + "1;e=" + std::string(600, 'e') +
                        "\r\na\r\n1;e=" + std::string(600, 'e') + "\r\na\r\n0\r\n\r\n",
                    431},
        RequestCase{"OneHugeExtension",
                    Head("Transfer-Encoding: chunked\r\n") + "1;e=" + std::string(100000, 'e') +
                        "\r\na\r\n0\r\n\r\n",
                    431},
        RequestCase{"BodyOverLimit", Head("Content-Length: 2000\r\n") + std::string(2000, 'x'),
                    413},
        RequestCase{"HeaderOverLimit", Head("X-Big: " + std::string(2000, 'h') + "\r\n"), 431},
        RequestCase{"Garbage", "\x16\x03\x01 not http\r\n\r\n", 400},
        // RFC 9110 section 5.6.1: empty list elements do not count. Beast must frame such a
        // body as chunked too, or the chunks would be read as the next request.
        RequestCase{"ChunkedAfterEmptyElements",
                    Head("Transfer-Encoding: ,, chunked\r\n") + "3\r\nabc\r\n0\r\n\r\n", 0,
                    "abc"},
        RequestCase{"ChunkedBeforeEmptyElements",
                    Head("Transfer-Encoding: chunked,,\r\n") + "3\r\nabc\r\n0\r\n\r\n", 0,
                    "abc"},
        RequestCase{"ChunkedInASecondField",
                    Head("Transfer-Encoding: ,\r\nTransfer-Encoding: chunked\r\n") +
                        "3\r\nabc\r\n0\r\n\r\n",
                    0, "abc"},
        RequestCase{"ChunkedTwiceInTwoFields",
                    Head("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n") +
                        "3\r\nabc\r\n0\r\n\r\n",
                    400}));

TEST(ParseRequest, TruncatedInputIsAQuietFailure) {
  ParsedRequest parsed = ParseRequest(Head("Content-Length: 10\r\n") + "abc", kLimits);
  ASSERT_TRUE(parsed.failure.has_value());
  EXPECT_EQ(parsed.failure->status, 0u);
  EXPECT_FALSE(parsed.complete);
}

TEST(ParseResponse, ReadsLengthChunkedAndCloseDelimitedBodies) {
  auto length = ParseResponse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", kLimits);
  ASSERT_TRUE(length.complete);
  EXPECT_EQ(length.response->body(), "{}");
  auto chunked = ParseResponse(
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", kLimits);
  ASSERT_TRUE(chunked.complete);
  EXPECT_EQ(chunked.response->result_int(), 201u);
  auto until_close = ParseResponse("HTTP/1.1 200 OK\r\n\r\nuntil close", kLimits);
  ASSERT_TRUE(until_close.complete);
  EXPECT_EQ(until_close.response->body(), "until close");
}

TEST(ParseResponse, TrailersUnknownCodingsAndHugeFieldsAreRefused) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_TRUE(ParseResponse(head + "1\r\na\r\n0\r\nX: y\r\n\r\n", kLimits).failure);
  EXPECT_TRUE(ParseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz", kLimits).failure);
  EXPECT_TRUE(ParseResponse(head + "1\r\na\r\n0\r\nX: " + std::string(65534, 'y') + "\r\n\r\n",
                            kLimits)
                  .failure);
}

TEST(ReadBufferLimit, StaysBelowBeastsFieldSizeWhateverTheHeaderLimit) {
  EXPECT_EQ(ReadBufferLimit({8 * 1024, 0}), 8 * 1024 + 4096u);
  EXPECT_LT(ReadBufferLimit({1 << 20, 0}), 65533u);
}

}  // namespace
}  // namespace chorus::http::detail
