// The status query of reconciliation: one Message resource (docs/CARRIERS.md, Twilio).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "carriers/twilio/twilio_carrier.hpp"

namespace chorus::carriers::twilio {
namespace {

using ::testing::Contains;
using ::testing::Pair;
using transport::HttpResponseSpec;
using Found = StatusQueryOutcome::Found;

constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kSid[] = "SM11111111111111111111111111111111";

Channel NycChannel() {
  Channel channel;
  channel.sender = "+15550100000";
  channel.settings["account_sid"] = kAccount;
  channel.settings["api_base"] = "https://api.twilio.test/";
  channel.secrets["auth_token"] = "token";
  return channel;
}

// A Message resource as Twilio answers a fetch, with `status` and `error_code` (JSON text).
HttpResponseSpec Resource(const std::string& status, const std::string& error_code = "null") {
  return {200,
          false,
          std::string(R"({"account_sid":")") + kAccount + R"(","sid":")" + kSid +
              R"(","status":")" + status + R"(","error_code":)" + error_code +
              R"(,"error_message":null,"direction":"outbound-api","num_segments":"1"})",
          {}};
}

TEST(TwilioStatusQuery, AsksForTheMessageResourceWithTheAccountsCredentials) {
  const TwilioCarrier twilio;
  EXPECT_TRUE(twilio.HasStatusQuery());
  auto request = twilio.BuildStatusQuery(NycChannel(), kSid);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->method, "GET");
  EXPECT_EQ(request->url, std::string("https://api.twilio.test/2010-04-01/Accounts/") + kAccount +
                              "/Messages/" + kSid + ".json");
  EXPECT_TRUE(request->body.empty());
  // Basic base64("AC...:token"), as the sends carry.
  EXPECT_THAT(request->headers,
              Contains(Pair("Authorization",
                            "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjp0b2tlbg==")));
}

TEST(TwilioStatusQuery, AnIdThatIsNotAMessageSidIsNotAskedFor) {
  for (const char* id : {"", "SM1", "../Calls", "SM11111111111111111111111111111111/x",
                         "CA11111111111111111111111111111111"}) {
    EXPECT_FALSE(TwilioCarrier().BuildStatusQuery(NycChannel(), id).has_value()) << id;
  }
}

struct StatusCase {
  const char* twilio;
  DeliveryStatus ours;
};

TEST(TwilioStatusQuery, StatusesMapAsTheStatusCallbacksDo) {
  for (const StatusCase& c :
       {StatusCase{"queued", DeliveryStatus::kAccepted},
        StatusCase{"sending", DeliveryStatus::kAccepted}, StatusCase{"sent", DeliveryStatus::kSent},
        StatusCase{"delivered", DeliveryStatus::kDelivered},
        StatusCase{"read", DeliveryStatus::kDelivered},
        StatusCase{"undelivered", DeliveryStatus::kUndelivered},
        StatusCase{"failed", DeliveryStatus::kFailed},
        StatusCase{"canceled", DeliveryStatus::kFailed}}) {
    const StatusQueryOutcome outcome = TwilioCarrier().ParseStatusQuery(Resource(c.twilio));
    EXPECT_EQ(outcome.found, Found::kYes) << c.twilio;
    EXPECT_EQ(outcome.status, c.ours) << c.twilio;
    EXPECT_EQ(outcome.raw_status, c.twilio);
    EXPECT_EQ(outcome.error_code, "");
  }
}

TEST(TwilioStatusQuery, AFailureCarriesItsErrorCodeAsANumberOrDigits) {
  StatusQueryOutcome outcome = TwilioCarrier().ParseStatusQuery(Resource("undelivered", "30003"));
  EXPECT_EQ(outcome.found, Found::kYes);
  EXPECT_EQ(outcome.status, DeliveryStatus::kUndelivered);
  EXPECT_EQ(outcome.error_code, "30003");
  outcome = TwilioCarrier().ParseStatusQuery(Resource("failed", R"("30007")"));
  EXPECT_EQ(outcome.error_code, "30007");
  // Not a code: the status still counts, the code is left out.
  outcome = TwilioCarrier().ParseStatusQuery(Resource("failed", R"("+1555 is unreachable")"));
  EXPECT_EQ(outcome.found, Found::kYes);
  EXPECT_EQ(outcome.error_code, "");
}

TEST(TwilioStatusQuery, NotFoundMeansTwilioDoesNotKnowTheSid) {
  EXPECT_EQ(TwilioCarrier()
                .ParseStatusQuery({404, false, R"({"code":20404,"message":"not found"})", {}})
                .found,
            Found::kNo);
}

TEST(TwilioStatusQuery, AnyOtherAnswerIsAFailedQueryNeverACrash) {
  const std::vector<HttpResponseSpec> answers = {
      {0, true, "", {}},
      {0, false, "", {}},
      {401, false, R"({"code":20003,"message":"Authenticate"})", {}},
      {429, false, R"({"code":20429})", {}},
      {503, false, "", {}},
      {200, false, "", {}},
      {200, false, "not json", {}},
      {200, false, "[]", {}},
      {200, false, "null", {}},
      {200, false, R"({"status":7})", {}},
      {200, false, R"({"status":null})", {}},
      {200, false, R"({"sid":"SM11111111111111111111111111111111"})", {}},
      {200, false, R"({"status":"receiving"})", {}},
      {200, false, R"({"status":"partially_delivered"})", {}},
      {200, false, R"({"status":"DELIVERED"})", {}},
      {200, false, R"({"status":"delivered")", {}},
      {200, false, std::string(70 * 1024, ' ') + R"({"status":"delivered"})", {}},
      {200, false, std::string("{\"status\":\"deliv\0ered\"}", 23), {}},
  };
  for (const HttpResponseSpec& answer : answers) {
    EXPECT_EQ(TwilioCarrier().ParseStatusQuery(answer).found, Found::kUnknown)
        << answer.status << " " << answer.body.substr(0, 60);
  }
}

}  // namespace
}  // namespace chorus::carriers::twilio
