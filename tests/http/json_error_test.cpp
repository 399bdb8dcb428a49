#include "http/json_error.hpp"

#include <gtest/gtest.h>

#include <ostream>

namespace chorus::http {
namespace {

TEST(JsonError, BodyHasCodeMessageAndRequestId) {
  Response response = JsonError(404, "not_found", "no such resource", "abc123");
  EXPECT_EQ(response.result_int(), 404u);
  EXPECT_EQ(response[beast::http::field::content_type], "application/json");
  EXPECT_EQ(response.body(),
            R"({"code":"not_found","message":"no such resource","request_id":"abc123"})");
  EXPECT_EQ(response[beast::http::field::content_length], std::to_string(response.body().size()));
}

TEST(JsonError, EscapesQuotesAndBackslashes) {
  Response response = JsonError(400, "bad_request", R"(say "hi" \o/)", "r");
  EXPECT_EQ(response.body(),
            R"({"code":"bad_request","message":"say \"hi\" \\o/","request_id":"r"})");
}

TEST(JsonError, EscapesControlCharacters) {
  std::string message =
      "a\nb\rc\td\x01"
      "e\x1f"
      "f\x7f"
      "g\b\f";
  message.push_back('\0');
  Response response = JsonError(400, "bad_request", message, "r");
  EXPECT_EQ(response.body(),
            "{\"code\":\"bad_request\",\"message\":"
            "\"a\\nb\\rc\\td\\u0001e\\u001ff\\u007fg\\b\\f\\u0000\","
            "\"request_id\":\"r\"}");
}

TEST(JsonError, PassesUtf8Through) {
  Response response = JsonError(400, "bad_request", "caf\xc3\xa9", "r");
  EXPECT_NE(response.body().find("caf\xc3\xa9"), std::string::npos);
}

TEST(JsonError, KeepsTheRequestedHttpVersion) {
  EXPECT_EQ(JsonError(400, "bad_request", "m", "r", 10).version(), 10u);
}

struct StatusCase {
  ErrorCode code;
  unsigned status;
};

void PrintTo(const StatusCase& c, std::ostream* os) { *os << ErrorCodeName(c.code) << "->" << c.status; }

class JsonErrorStatus : public ::testing::TestWithParam<StatusCase> {};

TEST_P(JsonErrorStatus, MapsEachErrorCodeToOneStatus) {
  EXPECT_EQ(StatusFor(GetParam().code), GetParam().status) << ErrorCodeName(GetParam().code);
}

INSTANTIATE_TEST_SUITE_P(Table, JsonErrorStatus,
                         ::testing::Values(StatusCase{ErrorCode::kInvalidArgument, 400},
                                           StatusCase{ErrorCode::kNotFound, 404},
                                           StatusCase{ErrorCode::kConflict, 409},
                                           StatusCase{ErrorCode::kPermissionDenied, 403},
                                           StatusCase{ErrorCode::kRateLimited, 429},
                                           StatusCase{ErrorCode::kUnavailable, 503},
                                           StatusCase{ErrorCode::kTimeout, 504},
                                           StatusCase{ErrorCode::kCarrierRejected, 502},
                                           StatusCase{ErrorCode::kInternal, 500}),
                         [](const auto& info) {
                           return std::string(ErrorCodeName(info.param.code));
                         });

TEST(JsonErrorResponse, UsesTheCodeNameAndMessage) {
  Response response = ErrorResponse(MakeError(ErrorCode::kRateLimited, "slow down"), "req-1");
  EXPECT_EQ(response.result_int(), 429u);
  EXPECT_EQ(response.body(),
            R"({"code":"rate_limited","message":"slow down","request_id":"req-1"})");
}

}  // namespace
}  // namespace chorus::http
