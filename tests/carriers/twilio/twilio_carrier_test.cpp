#include "carriers/twilio/twilio_carrier.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace chorus::carriers::twilio {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using namespace std::chrono_literals;
using transport::HttpRequestSpec;
using transport::HttpResponseSpec;

constexpr char kSid[] = "SM0123456789abcdef0123456789abcdef";

Channel TestChannel() {
  Channel channel;
  channel.sender = "+15550100002";
  channel.settings["account_sid"] = "AC0123456789abcdef0123456789abcdef";
  channel.secrets["auth_token"] = "s3cret-token";
  return channel;
}

SendRequest TestMessage() {
  SendRequest message;
  message.outbound_id = 7;
  message.to = "+15550100001";
  message.body = "Hello world! 50% off";
  message.status_callback_url = "https://chorus.example/twilio/status/nyc?o=7";
  return message;
}

TEST(TwilioCarrierBuildSend, PostsTheDocumentedRequest) {
  HttpRequestSpec request = TwilioCarrier().BuildSend(TestChannel(), TestMessage());
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url,
            "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/"
            "Messages.json");
  // base64("AC0123456789abcdef0123456789abcdef:s3cret-token")
  EXPECT_THAT(
      request.headers,
      ElementsAre(Pair("Authorization",
                       "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjpzM2NyZXQtdG9rZW4="),
                  Pair("Content-Type", "application/x-www-form-urlencoded"),
                  Pair("Accept", "application/json")));
  EXPECT_EQ(request.body,
            "To=%2B15550100001&From=%2B15550100002&Body=Hello+world%21+50%25+off"
            "&StatusCallback=https%3A%2F%2Fchorus.example%2Ftwilio%2Fstatus%2Fnyc%3Fo%3D7");
}

TEST(TwilioCarrierBuildSend, OmitsEmptyStatusCallback) {
  SendRequest message = TestMessage();
  message.status_callback_url.clear();
  HttpRequestSpec request = TwilioCarrier().BuildSend(TestChannel(), message);
  EXPECT_EQ(request.body, "To=%2B15550100001&From=%2B15550100002&Body=Hello+world%21+50%25+off");
}

TEST(TwilioCarrierBuildSend, UsesConfiguredApiBaseWithoutTrailingSlash) {
  Channel channel = TestChannel();
  channel.settings["api_base"] = "http://127.0.0.1:18080/";
  HttpRequestSpec request = TwilioCarrier().BuildSend(channel, TestMessage());
  EXPECT_EQ(request.url,
            "http://127.0.0.1:18080/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/"
            "Messages.json");
}

struct SendCase {
  const char* name;
  HttpResponseSpec response;
  SendResult result;
  std::string error_code;
  DeliveryStatus status = DeliveryStatus::kAccepted;
  std::optional<std::chrono::seconds> retry_after;
};

void PrintTo(const SendCase& c, std::ostream* os) { *os << c.name; }

HttpResponseSpec Response(int status, std::string body,
                          std::optional<std::chrono::seconds> retry_after = std::nullopt) {
  return HttpResponseSpec{status, false, std::move(body), retry_after};
}

std::string ErrorBody(const std::string& code) {
  return R"({"code": )" + code +
         R"(, "message": "Something went wrong", "more_info": "https://www.twilio.com/docs/errors/)" +
         code + R"(", "status": 400})";
}

std::string MessageBody(const std::string& sid, const std::string& status) {
  return R"({"account_sid": "AC0123456789abcdef0123456789abcdef", "body": "Hi", "error_code": null,)"
         R"( "num_segments": "1", "sid": ")" +
         sid + R"(", "status": ")" + status +
         R"(",)"
         R"( "to": "+15550100001", "uri": "/2010-04-01/Accounts/AC.../Messages/SM....json"})";
}

class TwilioCarrierParseSend : public ::testing::TestWithParam<SendCase> {};

TEST_P(TwilioCarrierParseSend, ClassifiesResponse) {
  const SendCase& c = GetParam();
  SendOutcome outcome = TwilioCarrier().ParseSend(c.response);
  EXPECT_EQ(outcome.result, c.result);
  EXPECT_EQ(outcome.error_code, c.error_code);
  EXPECT_EQ(outcome.retry_after, c.retry_after);
  if (c.result == SendResult::kAccepted) {
    EXPECT_EQ(outcome.carrier_message_id, kSid);
    EXPECT_EQ(outcome.status, c.status);
    EXPECT_EQ(outcome.error_message, "");
  } else {
    EXPECT_EQ(outcome.carrier_message_id, "");
    EXPECT_THAT(outcome.error_message, HasSubstr(c.error_code));
    EXPECT_THAT(outcome.error_message, Not(HasSubstr("Something went wrong")));
  }
}

constexpr auto kAccepted = SendResult::kAccepted;
constexpr auto kRetry = SendResult::kRetry;
constexpr auto kPermanent = SendResult::kPermanentFailure;
constexpr auto kOptedOut = SendResult::kRecipientOptedOut;

INSTANTIATE_TEST_SUITE_P(
    Accepted, TwilioCarrierParseSend,
    ::testing::Values(
        SendCase{"Queued", Response(201, MessageBody(kSid, "queued")), kAccepted, ""},
        SendCase{"Accepted", Response(201, MessageBody(kSid, "accepted")), kAccepted, ""},
        SendCase{"Sending", Response(201, MessageBody(kSid, "sending")), kAccepted, ""},
        SendCase{"Scheduled", Response(201, MessageBody(kSid, "scheduled")), kAccepted, ""},
        SendCase{"Sent", Response(201, MessageBody(kSid, "sent")), kAccepted, "",
                 DeliveryStatus::kSent},
        SendCase{"UnknownStatusStillAccepted", Response(201, MessageBody(kSid, "warp")), kAccepted,
                 ""},
        SendCase{"NoStatus", Response(200, std::string(R"({"sid": ")") + kSid + "\"}"), kAccepted,
                 ""}),
    [](const auto& info) { return std::string(info.param.name); });

// A 2xx we cannot read: the message may exist at Twilio, so never retry (double-send risk).
INSTANTIATE_TEST_SUITE_P(
    BadResponse, TwilioCarrierParseSend,
    ::testing::Values(
        SendCase{"NoSid", Response(201, R"({"status": "queued"})"), kPermanent, "bad_response"},
        SendCase{"MalformedSid", Response(201, MessageBody("../etc", "queued")), kPermanent,
                 "bad_response"},
        SendCase{"SidNotString", Response(201, R"({"sid": 12})"), kPermanent, "bad_response"},
        SendCase{"NotJson", Response(201, "<html>ok</html>"), kPermanent, "bad_response"},
        SendCase{"JsonArray", Response(201, "[1,2]"), kPermanent, "bad_response"},
        SendCase{"EmptyBody", Response(204, ""), kPermanent, "bad_response"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Rejected, TwilioCarrierParseSend,
    ::testing::Values(
        SendCase{"OptedOut", Response(400, ErrorBody("21610")), kOptedOut, "21610"},
        SendCase{"OptedOutCodeAsString", Response(400, R"({"code": "21610"})"), kOptedOut, "21610"},
        SendCase{"AuthFailed", Response(401, ErrorBody("20003")), kPermanent, "20003"},
        SendCase{"AuthFailedNoBody", Response(401, ""), kPermanent, "http_401"},
        SendCase{"InvalidTo", Response(400, ErrorBody("21211")), kPermanent, "21211"},
        SendCase{"MissingBody", Response(400, ErrorBody("21602")), kPermanent, "21602"},
        SendCase{"NotFoundHtml", Response(404, "<html>Not Found</html>"), kPermanent, "http_404"},
        SendCase{"FractionalCode", Response(400, R"({"code": 21610.5})"), kPermanent, "http_400"},
        SendCase{"NegativeCode", Response(400, R"({"code": -21610})"), kPermanent, "http_400"},
        SendCase{"CodeNull", Response(400, R"({"code": null})"), kPermanent, "http_400"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Retry, TwilioCarrierParseSend,
    ::testing::Values(
        SendCase{"TooManyRequests", Response(429, ErrorBody("20429"), 30s), kRetry, "20429",
                 DeliveryStatus::kAccepted, 30s},
        SendCase{"TooManyRequestsNoBody", Response(429, "", 5s), kRetry, "http_429",
                 DeliveryStatus::kAccepted, 5s},
        SendCase{"TooManyRequestsCodeOn400", Response(400, ErrorBody("20429")), kRetry, "20429"},
        SendCase{"InternalError", Response(500, ""), kRetry, "http_500"},
        SendCase{"Unavailable", Response(503, "<html/>", 120s), kRetry, "http_503",
                 DeliveryStatus::kAccepted, 120s},
        SendCase{"ServerErrorWithCode", Response(502, ErrorBody("20500")), kRetry, "20500"},
        SendCase{"NoResponse", Response(0, ""), kRetry, "network"},
        SendCase{"TimedOut", HttpResponseSpec{0, true, "", std::nullopt}, kRetry, "timeout"},
        SendCase{"Redirect", Response(302, ""), kRetry, "http_302"}),
    [](const auto& info) { return std::string(info.param.name); });

class TwilioCarrierUnreachableRecipient : public ::testing::TestWithParam<int> {};

TEST_P(TwilioCarrierUnreachableRecipient, IsPermanentWithTheCode) {
  std::string code = std::to_string(GetParam());
  SendOutcome outcome = TwilioCarrier().ParseSend(Response(400, ErrorBody(code)));
  EXPECT_EQ(outcome.result, SendResult::kPermanentFailure);
  EXPECT_EQ(outcome.error_code, code);
  EXPECT_THAT(outcome.error_message, HasSubstr(code));
}

INSTANTIATE_TEST_SUITE_P(Table, TwilioCarrierUnreachableRecipient,
                         ::testing::Values(21211, 21214, 21217, 21401, 21407, 21408, 21421, 21606,
                                           21608, 21612, 21614, 21635));

TEST(TwilioCarrierParseSend, NeverCopiesTwilioMessageWithTheNumber) {
  std::string body =
      R"({"code": 21211, "message": "The 'To' number +15550100001 is not a valid phone number.",)"
      R"( "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})";
  SendOutcome outcome = TwilioCarrier().ParseSend(Response(400, body));
  EXPECT_EQ(outcome.result, SendResult::kPermanentFailure);
  EXPECT_THAT(outcome.error_message, Not(HasSubstr("15550100001")));
  EXPECT_THAT(outcome.error_message, Not(HasSubstr("'To'")));
}

TEST(TwilioCarrierParseSend, IgnoresOversizedBodies) {
  std::string body = std::string(R"({"code": 21610, "pad": ")") + std::string(70'000, 'x') + "\"}";
  SendOutcome outcome = TwilioCarrier().ParseSend(Response(400, body));
  EXPECT_EQ(outcome.result, SendResult::kPermanentFailure);
  EXPECT_EQ(outcome.error_code, "http_400");
}

}  // namespace
}  // namespace chorus::carriers::twilio
